package alerting_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tunekit/tunekit/alerting"
	"github.com/tunekit/tunekit/internal/fakeclock"
)

func lavalinkAlert(status alerting.State) alerting.Notification {
	return alerting.Notification{Receiver: "auto_restart", Status: status, Rule: "LavalinkDown", Alerts: []alerting.Alert{{
		Rule: "LavalinkDown", Severity: alerting.Critical, State: status,
		Labels: map[string]string{"alertname": "LavalinkDown", "severity": "critical", "service": "lavalink"},
	}}}
}

func TestRestarterRateLimits(t *testing.T) {
	clk := fakeclock.New(t0)
	var mu sync.Mutex
	var restarts []time.Duration
	esc := &recorder{}
	r := &alerting.Restarter{
		Restart: func(_ context.Context, service string) error {
			mu.Lock()
			defer mu.Unlock()
			if service != "lavalink" {
				t.Errorf("restart(%q), want lavalink", service)
			}
			restarts = append(restarts, clk.Now().Sub(t0))
			return nil
		},
		Escalate: esc, Now: clk.Now, Logger: discardLogger(),
	}
	if r.RepeatInterval() != alerting.DefaultRestartMinInterval {
		t.Errorf("RepeatInterval() = %v, want MinInterval", r.RepeatInterval())
	}
	// The alert is notified every 5 minutes for two hours.
	for range 25 {
		if err := r.Notify(context.Background(), lavalinkAlert(alerting.StateFiring)); err != nil {
			t.Fatalf("Notify at %v: %v", clk.Now().Sub(t0), err)
		}
		clk.Advance(5 * time.Minute)
	}
	// 0, 10m, 20m: three in the hour. 30m..55m: budget spent (escalate
	// once). 60m: the 0m restart has aged out, and so on.
	want := []time.Duration{0, 10 * time.Minute, 20 * time.Minute, 60 * time.Minute, 70 * time.Minute,
		80 * time.Minute, 120 * time.Minute}
	if fmt.Sprint(restarts) != fmt.Sprint(want) {
		t.Errorf("restarts at %v, want %v", restarts, want)
	}
	sent := esc.all()
	if len(sent) != 2 {
		t.Fatalf("escalations = %d, want 2 (one per exhausted hour)", len(sent))
	}
	a := sent[0].Alerts[0]
	if sent[0].Rule != alerting.RestartExhaustedRule || a.Severity != alerting.Critical || a.Labels["service"] != "lavalink" ||
		!a.FiredAt.Equal(t0.Add(30*time.Minute)) || !strings.Contains(a.Annotations["description"], "3 restarts of lavalink") {
		t.Errorf("escalation = %+v", sent[0])
	}
	if n := r.Restarts("lavalink"); n != 3 { // 70m, 80m and 120m
		t.Errorf("Restarts() at 125m = %d, want 3", n)
	}
}

func TestRestarterEdgeCases(t *testing.T) {
	clk := fakeclock.New(t0)
	calls := 0
	r := &alerting.Restarter{
		Restart:     func(context.Context, string) error { calls++; return errors.New("docker: no such service") },
		MinInterval: time.Minute, MaxRestarts: 1, Now: clk.Now, Logger: discardLogger(),
	}
	if err := r.Notify(context.Background(), lavalinkAlert(alerting.StateResolved)); err != nil || calls != 0 {
		t.Errorf("resolved: err %v, %d calls; want ignored", err, calls)
	}
	err := r.Notify(context.Background(), lavalinkAlert(alerting.StateFiring))
	var pe *alerting.PermanentError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "no such service") || calls != 1 {
		t.Errorf("failed restart: %v (%d calls), want a permanent error", err, calls)
	}
	clk.Advance(2 * time.Minute)
	if err := r.Notify(context.Background(), lavalinkAlert(alerting.StateFiring)); err != nil || calls != 1 {
		t.Errorf("over the limit without Escalate: %v, %d calls; want nil, no call", err, calls)
	}

	noService := lavalinkAlert(alerting.StateFiring)
	delete(noService.Alerts[0].Labels, "service")
	if err := r.Notify(context.Background(), noService); !errors.As(err, &pe) {
		t.Errorf("alert without service label: %v, want permanent error", err)
	}
	if err := (&alerting.Restarter{}).Notify(context.Background(), lavalinkAlert(alerting.StateFiring)); !errors.As(err, &pe) {
		t.Errorf("no Restart function: %v, want permanent error", err)
	}

	// A failed escalation is retried by the next call.
	failing := &recorder{err: errors.New("slack down")}
	r2 := &alerting.Restarter{Restart: func(context.Context, string) error { return nil }, MaxRestarts: 1,
		Escalate: failing, Now: clk.Now, Logger: discardLogger()}
	_ = r2.Notify(context.Background(), lavalinkAlert(alerting.StateFiring))
	clk.Advance(11 * time.Minute)
	if err := r2.Notify(context.Background(), lavalinkAlert(alerting.StateFiring)); err == nil {
		t.Error("failed escalation returned nil")
	}
	if err := r2.Notify(context.Background(), lavalinkAlert(alerting.StateFiring)); err == nil || failing.count() != 2 {
		t.Errorf("escalation not retried: %v, %d attempts", err, failing.count())
	}
}

// TestDefaultLavalinkRuleRestarts wires the default rules, a Restarter and
// a Slack-like recorder into an engine and takes all Lavalink nodes down.
func TestDefaultLavalinkRuleRestarts(t *testing.T) {
	reg := prometheus.NewRegistry()
	nodes := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "tunekit", Name: "lavalink_nodes", Help: "x"}, []string{"state"})
	reg.MustRegister(nodes)
	nodes.WithLabelValues("connected").Set(1)
	nodes.WithLabelValues("disconnected").Set(0)

	clk := fakeclock.New(t0)
	var restarted []time.Duration
	restarter := &alerting.Restarter{Restart: func(context.Context, string) error {
		restarted = append(restarted, clk.Now().Sub(t0))
		return nil
	}, Now: clk.Now, Logger: discardLogger()}
	slack := &recorder{}
	e := alerting.New(reg, alerting.WithRules(alerting.DefaultRules("tunekit", alerting.WithMemoryLimit(1<<30))...),
		alerting.WithClock(clk.Now), alerting.WithNotifier(alerting.ActionSlack, slack),
		alerting.WithNotifier(alerting.ActionRestart, restarter), alerting.WithLogger(discardLogger()))
	for i := range 4 * 25 { // 25 minutes of 15 s rounds
		if i == 4 { // at 1m the only node disconnects
			nodes.WithLabelValues("connected").Set(0)
			nodes.WithLabelValues("disconnected").Set(1)
		}
		if err := e.Evaluate(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Advance(15 * time.Second)
	}
	// Pending at 1m, firing at 2m; restarts repeat every MinInterval (10m).
	want := []time.Duration{2 * time.Minute, 12 * time.Minute, 22 * time.Minute}
	if fmt.Sprint(restarted) != fmt.Sprint(want) {
		t.Errorf("restarts at %v, want %v", restarted, want)
	}
	if sent := slack.all(); len(sent) != 1 || sent[0].Rule != "LavalinkDown" || sent[0].Alerts[0].Labels["service"] != "lavalink" {
		t.Errorf("slack got %+v, want one LavalinkDown notification", sent)
	}
}
