package main

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

// runMainEnv makes the test binary run main instead of the tests, so a
// test can run the program as a process and read its exit status.
const runMainEnv = "FULLBOT_TEST_RUN_MAIN"

// TestMain also checks that no test leaves a goroutine behind: run must
// stop everything it started.
func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	// go-redis logs dial failures through a process-wide logger, which
	// cli routes into the bot's log and the tests silence.
	redis.SetLogger(redisLog{slog.New(slog.DiscardHandler)})
	// disgo v0.19.6 never stops the cleanup goroutine of a REST client's
	// rate limiter, even once closed.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/disgoorg/disgo/rest.(*rateLimiterImpl).cleanup"))
}

// TestMissingConfigExitStatus runs the program with an empty environment:
// it exits with status 2 and lists every problem, without a secret.
func TestMissingConfigExitStatus(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		want []string
	}{
		{"nothing set", nil, []string{
			"fullbot: the configuration has 2 problem(s):",
			"DISCORD_TOKEN is required",
			"LAVALINK_NODES (or LAVALINK_ADDRESS and LAVALINK_PASSWORD) is required",
			"Run fullbot -h",
		}},
		{"bad values", []string{
			envToken + "=" + fakeToken,
			envLavalinkAddress + "=localhost",
			envLavalinkPassword + "=" + fakeNodePass,
			envRedisURL + "=https://user:" + fakeRedisPass + "@example.com",
		}, []string{
			"fullbot: the configuration has 2 problem(s):",
			`LAVALINK_ADDRESS="localhost" is not host:port`,
			"REDIS_URL must start with redis://",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exe, err := os.Executable()
			must(t, err)
			cmd := exec.Command(exe)
			cmd.Env = append([]string{runMainEnv + "=1"}, tc.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err = cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != exitUsage {
				t.Fatalf("exit: %v, want status %d; stderr:\n%s", err, exitUsage, stderr.String())
			}
			for _, want := range tc.want {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			for _, secret := range []string{fakeToken, fakeNodePass, fakeRedisPass} {
				if strings.Contains(stderr.String()+stdout.String(), secret) {
					t.Errorf("the output shows a secret:\n%s", stderr.String())
				}
			}
		})
	}
}
