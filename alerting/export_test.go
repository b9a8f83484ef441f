package alerting_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tunekit/tunekit/alerting"
	"github.com/tunekit/tunekit/internal/fakeclock"
	"github.com/tunekit/tunekit/internal/promtooltest"
)

var update = flag.Bool("update", false, "rewrite testdata/default_rules.yml")

// goldenRules are the default rules with a fixed memory limit, so the file
// does not depend on the machine's cgroup, scoped to the job "tunekit" as
// for a Prometheus server.
func goldenRules() []alerting.Rule {
	return alerting.DefaultRules("tunekit", alerting.WithMemoryLimit(2<<30), alerting.WithJob("tunekit"))
}

func TestPrometheusRulesGolden(t *testing.T) {
	got, err := alerting.PrometheusRules("tunekit", goldenRules())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "default_rules.yml")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test -run Golden ./alerting -args -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("PrometheusRules output differs from %s (run with -args -update if intended):\n%s", path, got)
	}
}

func TestPromtoolCheckRules(t *testing.T) {
	dir := t.TempDir()
	rules := append(goldenRules(), alerting.Rule{
		Name: "Tricky", Severity: alerting.Info, For: time.Minute, KeepFiringFor: 90 * time.Second,
		Expr: alerting.HistogramQuantile(0.99, "tunekit_lavalink_request_duration_seconds", 10*time.Minute,
			alerting.Re("operation", `load|search`), alerting.NotEq("status", `a"b\c`)).By("operation").Above(2.5),
		Labels: map[string]string{"team": "music: audio", "note": "line\nbreak"},
		Annotations: map[string]string{
			"summary":     `Slow "{{ $labels.operation }}" calls: {{ $value | humanizeDuration }}`,
			"description": "yaml: {a: b}, # not a comment, 'quotes' and tabs\tand ünïcode",
			"runbook_url": "https://example.com/runbooks#slow",
		},
	})
	out, err := alerting.PrometheusRules("tunekit tricky", rules)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	got := promtooltest.Run(t, dir, "check", "rules", "rules.yml")
	if !strings.Contains(got, "SUCCESS: 8 rules found") {
		t.Errorf("promtool check rules: %s", got)
	}
	// The golden file in the repository passes too.
	promtooltest.Run(t, "testdata", "check", "rules", "default_rules.yml")
}

// TestPromtoolUnitTests runs testdata/default_rules_test.yml: the exported
// HighErrorRate and LavalinkDown rules fire on synthetic series in a real
// Prometheus rule engine.
func TestPromtoolUnitTests(t *testing.T) {
	out := promtooltest.Run(t, "testdata", "test", "rules", "default_rules_test.yml")
	if !strings.Contains(out, "SUCCESS") {
		t.Errorf("promtool test rules: %s", out)
	}
}

func TestPrometheusRulesErrors(t *testing.T) {
	if _, err := alerting.PrometheusRules("", goldenRules()); err == nil {
		t.Error("empty group name accepted")
	}
	bad := goldenRules()
	bad[0].Severity = 0
	bad = append(bad, bad[1])
	_, err := alerting.PrometheusRules("g", bad)
	if !errors.Is(err, alerting.ErrInvalidRule) || !strings.Contains(err.Error(), "HighErrorRate") || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("PrometheusRules(invalid) = %v, want every problem", err)
	}
}

// TestDefaultRulesFireInProcess replays the HighErrorRate scenario of the
// promtool unit test through the engine: 10 % errors fire after 5 minutes
// and 15 seconds, with the same annotation promtool expects.
func TestDefaultRulesFireInProcess(t *testing.T) {
	reg := prometheus.NewRegistry()
	hist := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "tunekit", Name: "command_duration_seconds",
		Help: "x", Buckets: []float64{0.1, 1, 10}}, []string{"command", "status"})
	reg.MustRegister(hist)
	clk := fakeclock.New(t0)
	rec := &recorder{}
	e := alerting.New(reg, alerting.WithRules(goldenRules()...), alerting.WithClock(clk.Now),
		alerting.WithNotifier(alerting.ActionSlack, rec), alerting.WithLogger(discardLogger()))
	for i := range 4 * 10 {
		if i > 0 {
			for range 90 {
				hist.WithLabelValues("play", "ok").Observe(0.2)
			}
			for range 10 {
				hist.WithLabelValues("play", "error").Observe(0.2)
			}
		}
		if err := e.Evaluate(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Advance(15 * time.Second)
	}
	sent := rec.all()
	if len(sent) != 1 || sent[0].Rule != "HighErrorRate" {
		t.Fatalf("notifications = %+v, want one HighErrorRate", sent)
	}
	a := sent[0].Alerts[0]
	// Series appear at 15 s (the first observation), rate has two points at
	// 30 s: pending from 30 s, firing at 5m30s.
	if want := t0.Add(5*time.Minute + 30*time.Second); !a.FiredAt.Equal(want) {
		t.Errorf("FiredAt = %v, want %v", a.FiredAt.Sub(t0), want.Sub(t0))
	}
	if got := a.Annotations["description"]; got != "10% of commands failed over the last 5 minutes (threshold 5%)." {
		t.Errorf("description = %q", got)
	}
}

// TestPerProcessRulesInProcess shows the rules scoped for a Prometheus
// server (WithJob, grouped by job and instance) evaluate in-process as the
// unscoped ones do: the engine's registry is one process, whose series carry
// no target labels, so each rule yields one alert without job or instance.
func TestPerProcessRulesInProcess(t *testing.T) {
	active := func(opts ...alerting.DefaultsOption) []alerting.Alert {
		t.Helper()
		reg := prometheus.NewRegistry()
		rss := prometheus.NewGauge(prometheus.GaugeOpts{Name: "process_resident_memory_bytes", Help: "x"})
		nodes := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "tunekit", Name: "lavalink_nodes", Help: "x"}, []string{"state"})
		reg.MustRegister(rss, nodes)
		rss.Set(900) // above 85 % of 1000
		nodes.WithLabelValues("connected").Set(0)
		clk := fakeclock.New(t0)
		rules := alerting.DefaultRules("tunekit", append([]alerting.DefaultsOption{alerting.WithMemoryLimit(1000)}, opts...)...)
		e := alerting.New(reg, alerting.WithRules(rules...), alerting.WithClock(clk.Now), alerting.WithLogger(discardLogger()))
		for range 4*3 + 1 { // 0 … 3 minutes
			if err := e.Evaluate(context.Background()); err != nil {
				t.Fatal(err)
			}
			clk.Advance(15 * time.Second)
		}
		return e.Active()
	}
	scoped, plain := active(alerting.WithJob("tunekit")), active()
	if len(scoped) != 2 || len(plain) != 2 {
		t.Fatalf("active alerts: scoped %+v, unscoped %+v; want HighMemoryUsage and LavalinkDown in both", scoped, plain)
	}
	for i, a := range scoped {
		p := plain[i]
		if a.Rule != p.Rule || a.State != alerting.StateFiring || p.State != alerting.StateFiring || a.Value != p.Value ||
			!maps.Equal(a.Labels, p.Labels) || a.Fingerprint != p.Fingerprint {
			t.Errorf("scoped alert %+v\ndiffers from unscoped %+v", a, p)
		}
		if _, ok := a.Labels["job"]; ok || a.Labels["instance"] != "" {
			t.Errorf("%s in-process has target labels: %v", a.Rule, a.Labels)
		}
	}
	if scoped[0].Rule != "HighMemoryUsage" || scoped[0].Value != 900 || !strings.Contains(scoped[0].Expr, `{job="tunekit"}`) {
		t.Errorf("scoped memory alert = %+v, want value 900 from a job-scoped rule", scoped[0])
	}
}

// TestPlayerHealsFailingInProcess replays the promtool scenario of
// deploy/prometheus/alerts_test.yml through the engine: healing steps
// failing every minute fire PlayerHealsFailing, healed steps do not
// count, and a failed step now and then keeps it quiet.
func TestPlayerHealsFailingInProcess(t *testing.T) {
	tests := []struct {
		name      string
		failEvery int // minutes between failed steps of each failing series
		wantFired bool
	}{
		{"failing every minute", 1, true},
		{"failing every five minutes", 5, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			heals := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "tunekit", Name: "player_heals_total", Help: "x"},
				[]string{"step", "outcome"})
			reg.MustRegister(heals)
			for _, s := range [][2]string{{"voice", "failed"}, {"move", "error"}, {"voice", "healed"}} {
				heals.WithLabelValues(s[0], s[1]) // exist at 0, as the metrics package's do
			}
			clk := fakeclock.New(t0)
			rec := &recorder{}
			e := alerting.New(reg, alerting.WithRules(goldenRules()...), alerting.WithClock(clk.Now),
				alerting.WithNotifier(alerting.ActionSlack, rec), alerting.WithLogger(discardLogger()))
			for minute := range 20 {
				if minute > 0 {
					heals.WithLabelValues("voice", "healed").Add(10)
					if minute%tt.failEvery == 0 {
						heals.WithLabelValues("voice", "failed").Inc()
						heals.WithLabelValues("move", "error").Inc()
					}
				}
				for range 4 {
					if err := e.Evaluate(context.Background()); err != nil {
						t.Fatal(err)
					}
					clk.Advance(15 * time.Second)
				}
			}
			var fired []alerting.Alert
			for _, n := range rec.all() {
				if n.Rule == "PlayerHealsFailing" {
					fired = append(fired, n.Alerts...)
				}
			}
			if !tt.wantFired {
				if len(fired) != 0 {
					t.Errorf("PlayerHealsFailing fired: %+v", fired)
				}
				return
			}
			if len(fired) != 1 {
				t.Fatalf("PlayerHealsFailing alerts = %+v, want one", fired)
			}
			a := fired[0]
			// Above 5 from the third minute's failures (6 in all), firing 5 minutes later.
			if want := t0.Add(3 * time.Minute); !a.ActiveAt.Equal(want) {
				t.Errorf("ActiveAt = %v, want %v", a.ActiveAt.Sub(t0), want.Sub(t0))
			}
			if want := a.ActiveAt.Add(5 * time.Minute); !a.FiredAt.Equal(want) {
				t.Errorf("FiredAt = %v, want %v", a.FiredAt.Sub(t0), want.Sub(t0))
			}
			if a.Severity != alerting.Warning || !strings.Contains(a.Annotations["description"], "steps healing silent players failed") {
				t.Errorf("alert = %+v", a)
			}
		})
	}
}
