package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tunekit/tunekit/alerting"
	"github.com/tunekit/tunekit/metrics"
	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/resilience"
)

func TestReadiness(t *testing.T) {
	up := func() bool { return true }
	down := func() bool { return false }
	nodes := func() []music.NodeStatus {
		return []music.NodeStatus{
			{Name: "main", Connected: true, Players: 2},
			{Name: "backup", Breaker: resilience.StateOpen},
			{Name: "old", Connected: true, Draining: true, Players: 1},
		}
	}
	const nodeLines = "lavalink node main: connected, breaker closed, 2 players\n" +
		"lavalink node backup: disconnected, breaker open, 0 players\n" +
		"lavalink node old: connected, draining, breaker closed, 1 players\n"
	for _, tc := range []struct {
		name     string
		discord  func() bool
		lavalink func() bool
		stopping bool
		code     int
		body     string
	}{
		{"starting", nil, nil, false, http.StatusServiceUnavailable, "starting\n"},
		{"ready", up, up, false, http.StatusOK, "discord: connected\nlavalink: connected\n" + nodeLines},
		{"gateway down", down, up, false, http.StatusServiceUnavailable, "discord: not connected\nlavalink: connected\n" + nodeLines},
		{"no node", up, down, false, http.StatusServiceUnavailable, "discord: connected\nlavalink: no node connected\n" + nodeLines},
		{"shutting down", up, up, true, http.StatusServiceUnavailable, "shutting down\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &readiness{}
			if tc.discord != nil {
				r.set(tc.discord, tc.lavalink, nodes)
			}
			if tc.stopping {
				r.stop()
			}
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			if rec.Code != tc.code || rec.Body.String() != tc.body {
				t.Errorf("/readyz = %d %q, want %d %q", rec.Code, rec.Body.String(), tc.code, tc.body)
			}
		})
	}
}

// TestOpsServer: /healthz answers while the bot is starting, /readyz does
// not yet, other paths and methods are refused, and shutdown stops the
// server.
func TestOpsServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	cfg := config{hooks: hooks{listener: ln}}
	s, err := serveOps(cfg, prometheus.NewRegistry(), &readiness{}, slog.New(slog.DiscardHandler))
	must(t, err)
	for _, tc := range []struct {
		method, path string
		code         int
		body         string
	}{
		{http.MethodGet, "/healthz", http.StatusOK, "ok\n"},
		{http.MethodGet, "/readyz", http.StatusServiceUnavailable, "starting\n"},
		{http.MethodGet, "/metrics", http.StatusOK, "go_goroutines"},
		{http.MethodPost, "/healthz", http.StatusMethodNotAllowed, ""},
		{http.MethodGet, "/", http.StatusNotFound, ""},
	} {
		req, err := http.NewRequest(tc.method, "http://"+s.addr+tc.path, nil)
		must(t, err)
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		must(t, err)
		if resp.StatusCode != tc.code || !strings.Contains(string(body), tc.body) {
			t.Errorf("%s %s = %d %q, want %d and %q", tc.method, tc.path, resp.StatusCode, body, tc.code, tc.body)
		}
	}
	must(t, s.shutdown(context.Background()))
	if _, err := http.Get("http://" + s.addr + "/healthz"); err == nil {
		t.Error("the server still answers after shutdown")
	}
}

func TestOpsServerListenFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer ln.Close()
	cfg := config{metricsAddr: ln.Addr().String()}
	if _, err := serveOps(cfg, prometheus.NewRegistry(), &readiness{}, slog.New(slog.DiscardHandler)); err == nil || !strings.HasPrefix(err.Error(), "metrics server: ") {
		t.Errorf("serveOps on a used address = %v, want a metrics server error", err)
	}
}

func TestShutdownRunsEveryStepLastFirst(t *testing.T) {
	var order []string
	var s shutdown
	boom := errors.New("boom")
	for _, name := range []string{"first", "second", "third"} {
		s.push(name, func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); !ok {
				t.Errorf("step %s has no deadline", name)
			}
			order = append(order, name)
			if name == "second" {
				return boom
			}
			return nil
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the signal that ended run does not cut the shutdown short
	err := s.run(ctx, slog.New(slog.DiscardHandler))
	if !errors.Is(err, boom) || err.Error() != "stop second: boom" {
		t.Errorf("run = %v, want stop second: boom", err)
	}
	if got := strings.Join(order, ","); got != "third,second,first" {
		t.Errorf("order = %s, want third,second,first", got)
	}
	if err := s.run(ctx, slog.New(slog.DiscardHandler)); err != nil || len(order) != 3 {
		t.Errorf("a second run = %v after %d steps, want nothing run again", err, len(order))
	}
}

// TestAlertRulesNotifyConfiguredChannels: every default rule is kept, and
// names only the notifiers that are configured.
func TestAlertRulesNotifyConfiguredChannels(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string // the actions left, over all rules
	}{
		{"none", validEnv(), nil},
		{"slack", with(validEnv(), envSlackWebhook, fakeSlackHook), []string{alerting.ActionSlack}},
		{"slack and email", with(validEnv(), envSlackWebhook, fakeSlackHook, envSMTPAddr, "smtp.example.com:587",
			envEmailFrom, "bot@example.com", envEmailTo, "ops@example.com"), []string{alerting.ActionEmail, alerting.ActionSlack}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := loadConfig(lookupIn(tc.env))
			must(t, err)
			e := alerting.New(prometheus.NewRegistry(), alertOptions(cfg, prometheus.NewRegistry(), slog.New(slog.DiscardHandler))...)
			rules := e.Rules()
			if want := len(alerting.DefaultRules(metrics.DefaultNamespace)); len(rules) != want {
				t.Errorf("%d rules, want the %d default ones", len(rules), want)
			}
			var actions []string
			for _, r := range rules {
				actions = append(actions, r.Actions...)
			}
			slices.Sort(actions)
			if got := slices.Compact(actions); !slices.Equal(got, tc.want) {
				t.Errorf("actions = %v, want %v", got, tc.want)
			}
		})
	}
}
