package alerting_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/goleak"

	"github.com/tunekit/tunekit/alerting"
	"github.com/tunekit/tunekit/internal/logtest"
)

func TestStartStopLeavesNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	g := signalGatherer{Gatherer: prometheus.NewRegistry(), calls: make(chan struct{}, 1)}
	e := alerting.New(g, alerting.WithRules(gaugeRule()), alerting.WithLogger(discardLogger()))

	e.Stop() // never started: no-op
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-g.calls // the first evaluation runs at once
	if err := e.Start(context.Background()); !errors.Is(err, alerting.ErrStarted) {
		t.Errorf("second Start = %v, want ErrStarted", err)
	}
	e.Stop()
	e.Stop() // idempotent

	// Restart after Stop, then end it through the context.
	ctx, cancel := context.WithCancel(context.Background())
	if err := e.Start(ctx); err != nil {
		t.Fatalf("Start after Stop: %v", err)
	}
	<-g.calls
	cancel()
	e.Stop() // waits for the goroutine the cancelled context ended
	if err := e.Start(context.Background()); err != nil {
		t.Fatalf("Start after context cancel: %v", err)
	}
	<-g.calls
	e.Stop()
}

func TestStopCancelsDeliveries(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	r := gaugeRule()
	r.For, r.Actions = 0, []string{"stuck"}
	entered := make(chan struct{})
	stuck := alerting.NotifierFunc(func(ctx context.Context, _ alerting.Notification) error {
		close(entered)
		<-ctx.Done() // honours cancellation only
		return ctx.Err()
	})
	env := newGaugeEnv(t, r, alerting.WithNotifier("stuck", stuck), alerting.WithSendTimeout(time.Hour))
	env.gauge.Set(20)
	if err := env.engine.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-entered
	env.engine.Stop() // returns because the delivery's context is cancelled
}

func TestStartEvaluatesEveryInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var gathers atomic.Int32
		g := prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
			gathers.Add(1)
			return nil, nil
		})
		e := alerting.New(g, alerting.WithRules(gaugeRule()), alerting.WithEvaluationInterval(15*time.Second),
			alerting.WithLogger(discardLogger()))
		if err := e.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if n := gathers.Load(); n != 1 {
			t.Errorf("after Start: %d evaluations, want 1", n)
		}
		time.Sleep(46 * time.Second) // virtual time inside the bubble
		synctest.Wait()
		if n := gathers.Load(); n != 4 {
			t.Errorf("after 46s: %d evaluations, want 4 (0, 15, 30, 45 s)", n)
		}
		e.Stop()
		time.Sleep(time.Minute)
		if n := gathers.Load(); n != 4 {
			t.Errorf("after Stop: %d evaluations, want still 4", n)
		}
	})
}

func TestStartLogsEvaluationErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &logtest.Buffer{}
		e := alerting.New(failingGatherer{}, alerting.WithRules(gaugeRule()), alerting.WithLogger(slogTo(logs)))
		if err := e.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		e.Stop()
		if got := logs.String(); !contains(got, "alert evaluation failed") || !contains(got, "collector exploded") {
			t.Errorf("logs = %q, want the evaluation error", got)
		}
	})
}
