package alerting_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tunekit/tunekit/alerting"
	"github.com/tunekit/tunekit/internal/fakeclock"
	"github.com/tunekit/tunekit/internal/logtest"
	"github.com/tunekit/tunekit/resilience"
)

func TestPendingThenFiringOnlyAfterFor(t *testing.T) {
	env := newGaugeEnv(t, alerting.Rule{})
	tests := []struct {
		value float64
		want  alerting.State
		sent  int
	}{
		{5, alerting.StateInactive, 0}, // 0s
		{20, alerting.StatePending, 0}, // 15s: condition true, pending since 15s
		{20, alerting.StatePending, 0}, // 30s
		{20, alerting.StatePending, 0}, // 45s
		{20, alerting.StatePending, 0}, // 60s: 45s < For
		{20, alerting.StateFiring, 1},  // 75s: 60s >= For
		{20, alerting.StateFiring, 1},  // 90s: no repeat yet
		{30, alerting.StateFiring, 1},  // 105s
		{5, alerting.StateInactive, 2}, // 120s: resolved, one resolved notice
		{5, alerting.StateInactive, 2}, // 135s
		{20, alerting.StatePending, 2}, // 150s: a new episode starts pending
		{20, alerting.StatePending, 2}, // 165s
	}
	for i, tt := range tests {
		env.step(t, tt.value)
		if got := env.state(); got != tt.want {
			t.Errorf("step %d (t=%ds, value %v): state = %v, want %v", i, i*15, tt.value, got, tt.want)
		}
		if got := env.rec.count(); got != tt.sent {
			t.Errorf("step %d (t=%ds): %d notifications, want %d", i, i*15, got, tt.sent)
		}
	}
	sent := env.rec.all()
	firing, resolved := sent[0], sent[1]
	if firing.Status != alerting.StateFiring || resolved.Status != alerting.StateResolved {
		t.Fatalf("statuses = %v, %v; want firing, resolved", firing.Status, resolved.Status)
	}
	a := firing.Alerts[0]
	wantActive, wantFired := t0.Add(15*time.Second), t0.Add(75*time.Second)
	if !a.ActiveAt.Equal(wantActive) || !a.FiredAt.Equal(wantFired) {
		t.Errorf("ActiveAt, FiredAt = %v, %v; want %v, %v", a.ActiveAt, a.FiredAt, wantActive, wantFired)
	}
	if got := a.Annotations["description"]; got != "Depth is 20 (warning)." {
		t.Errorf("description = %q, want expanded template", got)
	}
	if r := resolved.Alerts[0]; !r.ResolvedAt.Equal(t0.Add(120*time.Second)) || r.Value != 30 || r.Fingerprint != a.Fingerprint {
		t.Errorf("resolved alert = %+v", r)
	}
	if firing.Receiver != "rec" || firing.Rule != "QueueTooDeep" || !firing.Time.Equal(wantFired) {
		t.Errorf("notification = %+v", firing)
	}
}

func TestFlappingInsideForNeverNotifies(t *testing.T) {
	env := newGaugeEnv(t, alerting.Rule{})
	for i := range 40 {
		v := 20.0
		if i%4 == 3 { // false for one evaluation in every four: never 60s straight
			v = 0
		}
		env.step(t, v)
		if env.state() == alerting.StateFiring {
			t.Fatalf("step %d: firing although the condition never held for 1m", i)
		}
	}
	if n := env.rec.count(); n != 0 {
		t.Errorf("flapping produced %d notifications, want 0", n)
	}
}

func TestForZeroFiresImmediately(t *testing.T) {
	r := gaugeRule()
	r.For = 0
	env := newGaugeEnv(t, r)
	env.step(t, 20)
	if env.state() != alerting.StateFiring || env.rec.count() != 1 {
		t.Errorf("For=0: state %v, %d notifications; want firing, 1", env.state(), env.rec.count())
	}
}

func TestKeepFiringFor(t *testing.T) {
	r := gaugeRule()
	r.For, r.KeepFiringFor = 0, time.Minute
	env := newGaugeEnv(t, r)
	steps := []struct {
		value float64
		want  alerting.State
	}{
		{20, alerting.StateFiring},  // 0s
		{0, alerting.StateFiring},   // 15s: false since 15s
		{0, alerting.StateFiring},   // 30s
		{20, alerting.StateFiring},  // 45s: true again resets the clock
		{0, alerting.StateFiring},   // 60s: false since 60s
		{0, alerting.StateFiring},   // 75s
		{0, alerting.StateFiring},   // 90s
		{0, alerting.StateFiring},   // 105s: 45s < 1m
		{0, alerting.StateInactive}, // 120s: 60s >= 1m, resolved
	}
	for i, s := range steps {
		env.step(t, s.value)
		if got := env.state(); got != s.want {
			t.Errorf("step %d: state = %v, want %v", i, got, s.want)
		}
	}
	sent := env.rec.all()
	if len(sent) != 2 || sent[1].Status != alerting.StateResolved || !sent[1].Alerts[0].ResolvedAt.Equal(t0.Add(120*time.Second)) {
		t.Errorf("notifications = %+v; want firing then resolved at 120s", sent)
	}
}

func TestRepeatInterval(t *testing.T) {
	r := gaugeRule()
	r.For = 0
	env := newGaugeEnv(t, r, alerting.WithRepeatInterval(time.Hour))
	env.gauge.Set(20)
	var at []time.Duration
	for range 5*60*4 + 1 { // five hours of 15 s rounds
		env.step(t, 20)
	}
	for _, n := range env.rec.all() {
		at = append(at, n.Time.Sub(t0))
	}
	want := []time.Duration{0, time.Hour, 2 * time.Hour, 3 * time.Hour, 4 * time.Hour, 5 * time.Hour}
	if fmt.Sprint(at) != fmt.Sprint(want) {
		t.Errorf("notified at %v, want %v", at, want)
	}
}

func TestSilence(t *testing.T) {
	r := gaugeRule()
	r.For = 0
	env := newGaugeEnv(t, r)
	if err := env.engine.Silence("NoSuchRule", t0.Add(time.Hour)); !errors.Is(err, alerting.ErrUnknownRule) {
		t.Errorf("Silence(unknown) = %v, want ErrUnknownRule", err)
	}
	if err := env.engine.Silence("QueueTooDeep", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	for range 4 { // 0..45s: firing but silenced
		env.step(t, 20)
	}
	if env.state() != alerting.StateFiring || env.rec.count() != 0 {
		t.Fatalf("during silence: state %v, %d notifications; want firing, 0", env.state(), env.rec.count())
	}
	env.step(t, 20) // 60s: silence over, first notification
	if sent := env.rec.all(); len(sent) != 1 || !sent[0].Time.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after silence: %+v; want one notification at 1m", sent)
	}
	// Resolving during a new silence is not notified.
	if err := env.engine.Silence("QueueTooDeep", env.clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	env.step(t, 0)
	if env.state() != alerting.StateInactive || env.rec.count() != 1 {
		t.Errorf("resolve while silenced: state %v, %d notifications; want inactive, 1", env.state(), env.rec.count())
	}
	// A time in the past lifts the silence.
	if err := env.engine.Silence("QueueTooDeep", t0); err != nil {
		t.Fatal(err)
	}
	env.step(t, 20)
	if env.rec.count() != 2 {
		t.Errorf("after lifting the silence: %d notifications, want 2", env.rec.count())
	}
}

func TestOneFailingActionDoesNotBlockOthers(t *testing.T) {
	r := gaugeRule()
	r.For, r.Actions = 0, []string{"bad", "rec", "slow"}
	var badCalls atomic.Int32
	bad := alerting.NotifierFunc(func(context.Context, alerting.Notification) error {
		badCalls.Add(1)
		return errors.New("smtp down")
	})
	release := make(chan struct{})
	slow := alerting.NotifierFunc(func(ctx context.Context, _ alerting.Notification) error {
		<-release
		return nil
	})
	reg := prometheus.NewRegistry()
	logs := &logtest.Buffer{}
	env := newGaugeEnv(t, r, alerting.WithNotifier("bad", bad), alerting.WithNotifier("slow", slow),
		alerting.WithRegisterer(reg), alerting.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	env.gauge.Set(20)

	done := make(chan error)
	go func() { done <- env.engine.Evaluate(context.Background()) }()
	// rec is delivered while slow is still blocked.
	for env.rec.count() == 0 {
		select {
		case err := <-done:
			t.Fatalf("Evaluate returned (%v) before the slow notifier was released", err)
		default:
		}
		runtimeGosched()
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := badCalls.Load(); got != int32(fastRetry.MaxAttempts) {
		t.Errorf("failing notifier called %d times, want %d (retried)", got, fastRetry.MaxAttempts)
	}
	if got := testutil.ToFloat64(counter(t, reg, "bad", "failed")); got != 1 {
		t.Errorf(`notifications_total{action="bad",outcome="failed"} = %v, want 1`, got)
	}
	if got := testutil.ToFloat64(counter(t, reg, "rec", "sent")); got != 1 {
		t.Errorf(`notifications_total{action="rec",outcome="sent"} = %v, want 1`, got)
	}
	if !strings.Contains(logs.String(), "alert notification failed") || !strings.Contains(logs.String(), "action=bad") {
		t.Errorf("failure not logged: %s", logs.String())
	}

	// Next round: the failed action is tried again (after one interval of
	// back-off), the delivered ones are not repeated.
	env.clock.Advance(15 * time.Second)
	if err := env.engine.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := badCalls.Load(); got != 2*int32(fastRetry.MaxAttempts) {
		t.Errorf("after a second round the failing notifier was called %d times, want %d", got, 2*fastRetry.MaxAttempts)
	}
	if env.rec.count() != 1 {
		t.Errorf("delivered action notified %d times, want 1", env.rec.count())
	}
	// Third round at +30s: back-off has doubled to 30s since the last failure
	// at +15s, so nothing is due yet.
	env.clock.Advance(15 * time.Second)
	if err := env.engine.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := badCalls.Load(); got != 2*int32(fastRetry.MaxAttempts) {
		t.Errorf("inside back-off the failing notifier was called (%d calls)", got)
	}
}

func counter(t *testing.T, reg *prometheus.Registry, action, outcome string) prometheus.Collector {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "tunekit_alert_notifications_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			ls := map[string]string{}
			for _, l := range m.GetLabel() {
				ls[l.GetName()] = l.GetValue()
			}
			if ls["action"] == action && ls["outcome"] == outcome {
				c := prometheus.NewCounter(prometheus.CounterOpts{Name: "x", Help: "x"})
				c.Add(m.GetCounter().GetValue())
				return c
			}
		}
	}
	return prometheus.NewCounter(prometheus.CounterOpts{Name: "x", Help: "x"})
}

func TestPermanentAndPanickingNotifiers(t *testing.T) {
	r := gaugeRule()
	r.For, r.Actions = 0, []string{"perm", "panic"}
	var permCalls, panicCalls atomic.Int32
	perm := alerting.NotifierFunc(func(context.Context, alerting.Notification) error {
		permCalls.Add(1)
		return alerting.Permanent(errors.New("400 bad request"))
	})
	boom := alerting.NotifierFunc(func(context.Context, alerting.Notification) error {
		panicCalls.Add(1)
		panic("notifier bug")
	})
	env := newGaugeEnv(t, r, alerting.WithNotifier("perm", perm), alerting.WithNotifier("panic", boom))
	env.step(t, 20)
	if permCalls.Load() != 1 || panicCalls.Load() != 1 {
		t.Errorf("permanent error called %d times, panic %d times; want 1 each (no retry)", permCalls.Load(), panicCalls.Load())
	}
	if alerting.Permanent(nil) != nil {
		t.Error("Permanent(nil) != nil")
	}
}

func TestRetryWithinRound(t *testing.T) {
	r := gaugeRule()
	r.For, r.Actions = 0, []string{"flaky"}
	var calls atomic.Int32
	flaky := alerting.NotifierFunc(func(context.Context, alerting.Notification) error {
		if calls.Add(1) < 3 {
			return errors.New("503")
		}
		return nil
	})
	reg := prometheus.NewRegistry()
	env := newGaugeEnv(t, r, alerting.WithNotifier("flaky", flaky), alerting.WithRegisterer(reg))
	env.step(t, 20)
	if calls.Load() != 3 {
		t.Errorf("flaky notifier called %d times, want 3", calls.Load())
	}
	if got := testutil.ToFloat64(counter(t, reg, "flaky", "sent")); got != 1 {
		t.Errorf("sent counter = %v, want 1", got)
	}
}

func TestGatherFailureSkipsRound(t *testing.T) {
	r := gaugeRule()
	r.For = 0
	env := newGaugeEnv(t, r)
	env.step(t, 20)
	if env.state() != alerting.StateFiring {
		t.Fatal("setup: alert not firing")
	}
	broken := alerting.New(failingGatherer{}, alerting.WithRules(r), alerting.WithRegisterer(prometheus.NewRegistry()), alerting.WithLogger(discardLogger()))
	err := broken.Evaluate(context.Background())
	if !errors.Is(err, alerting.ErrGather) || !strings.Contains(err.Error(), "collector exploded") {
		t.Errorf("Evaluate with failing gatherer = %v, want ErrGather with the cause", err)
	}
	if len(broken.Active()) != 0 {
		t.Errorf("failed round created alerts: %v", broken.Active())
	}
}

func TestEvaluateWithDoneContext(t *testing.T) {
	env := newGaugeEnv(t, alerting.Rule{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := env.engine.Evaluate(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Evaluate(cancelled) = %v, want context.Canceled", err)
	}
}

func TestInvalidRules(t *testing.T) {
	valid := gaugeRule()
	tests := []struct {
		name   string
		mutate func(*alerting.Rule)
		want   string
	}{
		{"empty name", func(r *alerting.Rule) { r.Name = "" }, "name must be non-empty"},
		{"no severity", func(r *alerting.Rule) { r.Severity = 0 }, "severity"},
		{"no condition", func(r *alerting.Rule) { r.Expr = alerting.Condition{} }, "empty condition"},
		{"empty query", func(r *alerting.Rule) { r.Expr = alerting.Query{}.Above(1) }, "empty query"},
		{"negative For", func(r *alerting.Rule) { r.For = -time.Second }, "must not be negative"},
		{"sub-millisecond For", func(r *alerting.Rule) { r.KeepFiringFor = time.Microsecond }, "whole milliseconds"},
		{"bad metric", func(r *alerting.Rule) { r.Expr = alerting.GaugeValue("9lives").Above(1) }, "invalid metric name"},
		{"no window", func(r *alerting.Rule) { r.Expr = alerting.Rate("x_total", 0).Above(1) }, "positive window"},
		{"sub-ms window", func(r *alerting.Rule) { r.Expr = alerting.Rate("x_total", time.Microsecond).Above(1) }, "finer than a millisecond"},
		{"bad regexp", func(r *alerting.Rule) { r.Expr = alerting.GaugeValue("x", alerting.Re("a", "(")).Above(1) }, "invalid regular expression"},
		{"empty job", func(r *alerting.Rule) { r.Expr = alerting.GaugeValue("x", alerting.Job("")).Above(1) }, "empty job name"},
		{"bad matcher label", func(r *alerting.Rule) { r.Expr = alerting.GaugeValue("x", alerting.Eq("a-b", "v")).Above(1) }, "invalid label name"},
		{"bad quantile", func(r *alerting.Rule) { r.Expr = alerting.HistogramQuantile(1.5, "h", time.Minute).Above(1) }, "outside [0, 1]"},
		{"ratio grouped differently", func(r *alerting.Rule) {
			r.Expr = alerting.Ratio(alerting.GaugeValue("a").By("x"), alerting.GaugeValue("b")).Above(1)
		}, "grouped differently"},
		{"NaN threshold", func(r *alerting.Rule) { r.Expr = alerting.GaugeValue("x").Above(nan()) }, "NaN"},
		{"reserved label", func(r *alerting.Rule) { r.Labels = map[string]string{"severity": "x"} }, "set from the rule"},
		{"invalid label", func(r *alerting.Rule) { r.Labels = map[string]string{"__x": "y"} }, "invalid label name"},
		{"bad template", func(r *alerting.Rule) { r.Annotations = map[string]string{"summary": "{{ $value | nosuchfunc }}"} }, "annotation"},
		{"invalid utf8", func(r *alerting.Rule) { r.Labels = map[string]string{"a": "\xff"} }, "UTF-8"},
		{"empty action", func(r *alerting.Rule) { r.Actions = []string{""} }, "empty action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := valid
			tt.mutate(&r)
			err := r.Validate()
			if !errors.Is(err, alerting.ErrInvalidRule) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want ErrInvalidRule mentioning %q", err, tt.want)
			}
			var re *alerting.RuleError
			if !errors.As(err, &re) || re.Rule != r.Name {
				t.Errorf("error %v is not a RuleError for %q", err, r.Name)
			}
			e := alerting.New(prometheus.NewRegistry(), alerting.WithRules(r), alerting.WithLogger(discardLogger()))
			if err := e.Start(context.Background()); !errors.Is(err, alerting.ErrInvalidRule) {
				t.Errorf("Start with invalid rule = %v, want ErrInvalidRule", err)
			}
			if err := e.Evaluate(context.Background()); !errors.Is(err, alerting.ErrInvalidRule) {
				t.Errorf("Evaluate with invalid rule = %v, want ErrInvalidRule", err)
			}
		})
	}
	if err := alerting.ValidateRules([]alerting.Rule{valid, valid}); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("ValidateRules(duplicates) = %v, want duplicate error", err)
	}
	if err := valid.Validate(); err != nil {
		t.Errorf("valid rule: %v", err)
	}
}

func TestUnknownActionIsSkippedWithWarning(t *testing.T) {
	r := gaugeRule()
	r.For, r.Actions = 0, []string{"nosuch", "rec"}
	logs := &logtest.Buffer{}
	env := newGaugeEnv(t, r, alerting.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	env.step(t, 20)
	if env.rec.count() != 1 {
		t.Errorf("registered action got %d notifications, want 1", env.rec.count())
	}
	if !strings.Contains(logs.String(), "action=nosuch") {
		t.Errorf("no warning for the unknown action: %s", logs.String())
	}
}

func TestMetricsRegistered(t *testing.T) {
	r := gaugeRule()
	reg := prometheus.NewRegistry()
	env := newGaugeEnv(t, r, alerting.WithRegisterer(reg), alerting.WithNamespace("bot"))
	env.step(t, 20) // pending
	want := `# HELP bot_alerts Alerts of each rule by state (pending or firing).
# TYPE bot_alerts gauge
bot_alerts{alertname="QueueTooDeep",severity="warning",state="firing"} 0
bot_alerts{alertname="QueueTooDeep",severity="warning",state="pending"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "bot_alerts"); err != nil {
		t.Error(err)
	}
	// Registering twice fails at Start, not with a panic.
	e2 := alerting.New(env.reg, alerting.WithRules(r), alerting.WithRegisterer(reg), alerting.WithNamespace("bot"), alerting.WithLogger(discardLogger()))
	if err := e2.Start(context.Background()); err == nil {
		e2.Stop()
		t.Error("Start with already registered metrics = nil, want error")
	}
	broken := alerting.New(failingGatherer{}, alerting.WithRules(r), alerting.WithRegisterer(reg), alerting.WithNamespace("other"), alerting.WithLogger(discardLogger()))
	_ = broken.Evaluate(context.Background())
	if got := testutil.ToFloat64(mustCollector(t, reg, "other_alert_evaluation_failures_total")); got != 1 {
		t.Errorf("evaluation failures = %v, want 1", got)
	}
}

func mustCollector(t *testing.T, reg *prometheus.Registry, name string) prometheus.Collector {
	t.Helper()
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == name {
			c := prometheus.NewCounter(prometheus.CounterOpts{Name: "x", Help: "x"})
			c.Add(mf.GetMetric()[0].GetCounter().GetValue())
			return c
		}
	}
	t.Fatalf("metric %s not found", name)
	return nil
}

func TestGroupedAlerts(t *testing.T) {
	reg := prometheus.NewRegistry()
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "lag_seconds", Help: "x"}, []string{"shard", "region"})
	reg.MustRegister(g)
	g.WithLabelValues("0", "eu").Set(30)
	g.WithLabelValues("0", "us").Set(1)
	g.WithLabelValues("1", "eu").Set(2)
	g.WithLabelValues("1", "us").Set(2)
	rule := alerting.Rule{Name: "ShardLag", Severity: alerting.Info, Expr: alerting.GaugeValue("lag_seconds").By("shard").Above(10),
		Labels: map[string]string{"team": "music"}, Actions: []string{"rec"},
		Annotations: map[string]string{"summary": "shard {{ $labels.shard }} lags {{ $value }}s"}}
	rec := &recorder{}
	e := alerting.New(reg, alerting.WithRules(rule), alerting.WithNotifier("rec", rec), alerting.WithClock(fakeclock.New(t0).Now))
	if err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	active := e.Active()
	if len(active) != 1 {
		t.Fatalf("Active() = %+v, want one alert (shard 0)", active)
	}
	a := active[0]
	want := map[string]string{"alertname": "ShardLag", "severity": "info", "shard": "0", "team": "music"}
	if fmt.Sprint(a.Labels) != fmt.Sprint(want) || a.Value != 31 || a.Annotations["summary"] != "shard 0 lags 31s" {
		t.Errorf("alert = %+v, want labels %v value 31", a, want)
	}
	g.WithLabelValues("1", "us").Set(20)
	if err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.Active()); n != 2 {
		t.Fatalf("after shard 1 lags: %d alerts, want 2", n)
	}
	sent := rec.all()
	if len(sent) != 2 || sent[1].Alerts[0].Labels["shard"] != "1" || sent[0].Alerts[0].Fingerprint == sent[1].Alerts[0].Fingerprint {
		t.Errorf("notifications = %+v; want one per shard with distinct fingerprints", sent)
	}
}

func TestNotificationGrouping(t *testing.T) {
	n := alerting.Notification{Rule: "R", Alerts: []alerting.Alert{
		{Labels: map[string]string{"a": "1", "b": "2"}, Annotations: map[string]string{"s": "x"}},
		{Labels: map[string]string{"a": "1", "b": "3"}, Annotations: map[string]string{"s": "x", "t": "y"}},
	}}
	if got := fmt.Sprint(n.CommonLabels()); got != "map[a:1]" {
		t.Errorf("CommonLabels() = %s, want map[a:1]", got)
	}
	if got := fmt.Sprint(n.CommonAnnotations()); got != "map[s:x]" {
		t.Errorf("CommonAnnotations() = %s, want map[s:x]", got)
	}
	if got := fmt.Sprint(n.GroupLabels()); got != "map[alertname:R]" {
		t.Errorf("GroupLabels() = %s", got)
	}
	if got := (alerting.Notification{}).CommonLabels(); len(got) != 0 {
		t.Errorf("CommonLabels of no alerts = %v", got)
	}
}

func TestRetryPolicyRetryableRespected(t *testing.T) {
	r := gaugeRule()
	r.For, r.Actions = 0, []string{"n"}
	var calls atomic.Int32
	n := alerting.NotifierFunc(func(context.Context, alerting.Notification) error {
		calls.Add(1)
		return errors.New("nope")
	})
	p := fastRetry
	p.Retryable = func(error) bool { return false }
	env := newGaugeEnv(t, r, alerting.WithNotifier("n", n), alerting.WithRetryPolicy(p))
	env.step(t, 20)
	if calls.Load() != 1 {
		t.Errorf("notifier called %d times with Retryable=false, want 1", calls.Load())
	}
	// An open breaker is not retried by default.
	calls.Store(0)
	open := alerting.NotifierFunc(func(context.Context, alerting.Notification) error {
		calls.Add(1)
		return fmt.Errorf("guarded: %w", resilience.ErrOpen)
	})
	env2 := newGaugeEnv(t, r, alerting.WithNotifier("n", open))
	env2.step(t, 20)
	if calls.Load() != 1 {
		t.Errorf("ErrOpen retried: %d calls, want 1", calls.Load())
	}
}
