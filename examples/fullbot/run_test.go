package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/disgoorg/disgo/bot"

	"github.com/tunekit/tunekit/internal/logtest"
	"github.com/tunekit/tunekit/music/discordtest"
)

// TestRunFailsCleanly: when a part cannot start, run returns an error
// saying which, after stopping what had started.
func TestRunFailsCleanly(t *testing.T) {
	t.Parallel()
	srv := discordtest.Start(t)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	nowhere := closed.Addr().String() // nothing listens here once closed
	must(t, closed.Close())
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer taken.Close()

	base := map[string]string{
		envToken:         srv.Token(),
		envDiscordAPIURL: srv.RestURL(),
		envLavalinkNodes: "main=" + nowhere + "," + testPassword,
		envMetricsAddr:   "127.0.0.1:0",
		envLogFormat:     "json",
		envLogLevel:      "debug",
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"metrics address taken", map[string]string{envMetricsAddr: taken.Addr().String()}, "metrics server: "},
		{"discord unreachable", map[string]string{envDiscordAPIURL: "http://" + nowhere + "/api/v10"}, "discord client: "},
		{"redis unreachable", map[string]string{envRedisURL: "redis://" + nowhere}, nowhere},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := with(base, envDataDir, t.TempDir())
			for k, v := range tc.env {
				env[k] = v
			}
			cfg, err := loadConfig(lookupIn(env))
			must(t, err)
			log := &logtest.Buffer{}
			closedClient := false
			cfg.hooks = hooks{logOutput: log, closeClient: func(ctx context.Context, c *bot.Client) error {
				closedClient = true
				return discordtest.CloseClient(ctx, srv, c)
			}}
			err = run(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run = %v, want an error containing %q", err, tc.want)
			}
			if !strings.Contains(log.String(), `"msg":"stopped","step":"traces"`) {
				t.Errorf("run did not shut down what it started; log:\n%s", log)
			}
			if strings.Contains(log.String(), srv.Token()) || strings.Contains(log.String(), testPassword) {
				t.Error("the log shows a secret")
			}
			if wantClosed := tc.name == "redis unreachable"; closedClient != wantClosed {
				t.Errorf("client closed = %v, want %v", closedClient, wantClosed)
			}
		})
	}
}

// TestMaskErrors: the error cli prints has every secret masked.
func TestMaskErrors(t *testing.T) {
	secrets, err := loadConfig(lookupIn(validEnv()))
	must(t, err)
	msg := fmt.Sprintf("dial main with %s and %s failed", fakeNodePass, fakeToken)
	got := mask(msg, secrets.secrets)
	if want := "dial main with [REDACTED] and [REDACTED] failed"; got != want {
		t.Errorf("mask = %q, want %q", got, want)
	}
}

// TestRunStopsWhileStarting: a signal that arrives before the bot is up
// is a shutdown, not a failure: run stops what it started and returns nil.
func TestRunStopsWhileStarting(t *testing.T) {
	t.Parallel()
	srv := discordtest.Start(t)
	node := newNode(t)
	env := map[string]string{
		envToken:         srv.Token(),
		envDiscordAPIURL: srv.RestURL(),
		envLavalinkNodes: "main=" + node.Addr() + "," + testPassword,
		envMetricsAddr:   "127.0.0.1:0",
		envDataDir:       t.TempDir(),
		envLogFormat:     "json",
	}
	cfg, err := loadConfig(lookupIn(env))
	must(t, err)
	log := &logtest.Buffer{}
	cfg.hooks = hooks{logOutput: log, closeClient: func(ctx context.Context, c *bot.Client) error {
		return discordtest.CloseClient(ctx, srv, c)
	}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := run(ctx, cfg); err != nil {
		t.Errorf("run with its context cancelled = %v, want nil", err)
	}
	if !strings.Contains(log.String(), `"msg":"fullbot stopped"`) {
		t.Errorf("run did not shut down; log:\n%s", log)
	}
	if s := srv.Sessions(); len(s) != 0 {
		t.Errorf("the bot identified %d times, want none", len(s))
	}
}
