package alerting_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/tunekit/tunekit/alerting"
	"github.com/tunekit/tunekit/internal/fakeclock"
	"github.com/tunekit/tunekit/resilience"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// recorder is a Notifier that keeps what it was sent.
type recorder struct {
	mu   sync.Mutex
	sent []alerting.Notification
	err  error // returned by Notify when set
}

func (r *recorder) Notify(_ context.Context, n alerting.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, n)
	return r.err
}

func (r *recorder) all() []alerting.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]alerting.Notification(nil), r.sent...)
}

func (r *recorder) count() int { return len(r.all()) }

// fastRetry retries without real waiting, so tests never sleep.
var fastRetry = resilience.RetryPolicy{MaxAttempts: 3, InitialInterval: time.Nanosecond, MaxInterval: time.Nanosecond}

// gaugeEnv is a registry with one gauge, an engine over it, a fake clock and
// a recorder registered as action "rec".
type gaugeEnv struct {
	reg    *prometheus.Registry
	gauge  prometheus.Gauge
	clock  *fakeclock.Clock
	rec    *recorder
	engine *alerting.Engine
}

func newGaugeEnv(t *testing.T, rule alerting.Rule, opts ...alerting.Option) *gaugeEnv {
	t.Helper()
	env := &gaugeEnv{reg: prometheus.NewRegistry(), clock: fakeclock.New(t0), rec: &recorder{}}
	env.gauge = prometheus.NewGauge(prometheus.GaugeOpts{Name: "queue_depth", Help: "test gauge"})
	env.reg.MustRegister(env.gauge)
	if rule.Name == "" {
		rule = gaugeRule()
	}
	base := []alerting.Option{
		alerting.WithClock(env.clock.Now), alerting.WithRules(rule), alerting.WithNotifier("rec", env.rec),
		alerting.WithRetryPolicy(fastRetry), alerting.WithLogger(discardLogger()),
	}
	env.engine = alerting.New(env.reg, append(base, opts...)...)
	return env
}

func gaugeRule() alerting.Rule {
	return alerting.Rule{
		Name: "QueueTooDeep", Severity: alerting.Warning,
		Expr: alerting.GaugeValue("queue_depth").Above(10),
		For:  time.Minute,
		Annotations: map[string]string{
			"summary":     "Queue too deep",
			"description": "Depth is {{ $value }} ({{ $labels.severity }}).",
		},
		Actions: []string{"rec"},
	}
}

// step sets the gauge, evaluates, then advances the clock by 15 s.
func (env *gaugeEnv) step(t *testing.T, v float64) {
	t.Helper()
	env.gauge.Set(v)
	if err := env.engine.Evaluate(context.Background()); err != nil {
		t.Fatalf("Evaluate at %v: %v", env.clock.Now().Sub(t0), err)
	}
	env.clock.Advance(15 * time.Second)
}

func (env *gaugeEnv) state() alerting.State {
	a := env.engine.Active()
	if len(a) == 0 {
		return alerting.StateInactive
	}
	return a[0].State
}

// failingGatherer fails every Gather.
type failingGatherer struct{}

func (failingGatherer) Gather() ([]*dto.MetricFamily, error) {
	return nil, errors.New("collector exploded")
}

// signalGatherer reports each Gather on a channel.
type signalGatherer struct {
	prometheus.Gatherer
	calls chan struct{}
}

func (g signalGatherer) Gather() ([]*dto.MetricFamily, error) {
	select {
	case g.calls <- struct{}{}:
	default:
	}
	return g.Gatherer.Gather()
}
