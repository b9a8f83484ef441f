package alerting_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/tunekit/tunekit/alerting"
)

// BenchmarkEvaluate measures one round of the default rules over a
// registry shaped like a bot's: 20 commands × 4 statuses of a histogram,
// the Go and process collectors, and the Lavalink and Redis series.
func BenchmarkEvaluate(b *testing.B) {
	reg := prometheus.NewRegistry()
	cmd := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "tunekit", Name: "command_duration_seconds", Help: "x",
		Buckets: prometheus.DefBuckets}, []string{"command", "status"})
	nodes := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "tunekit", Name: "lavalink_nodes", Help: "x"}, []string{"state"})
	redis := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "tunekit", Name: "redis_failures_total", Help: "x"}, []string{"operation"})
	reg.MustRegister(cmd, nodes, redis, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for c := range 20 {
		for _, s := range []string{"ok", "error", "denied", "rate_limited"} {
			cmd.WithLabelValues(fmt.Sprint("cmd", c), s).Observe(0.1)
		}
	}
	nodes.WithLabelValues("connected").Set(2)
	redis.WithLabelValues("get").Inc()
	now := t0
	e := alerting.New(reg, alerting.WithRules(alerting.DefaultRules("tunekit", alerting.WithMemoryLimit(1<<30))...),
		alerting.WithClock(func() time.Time { return now }), alerting.WithLogger(discardLogger()))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(15 * time.Second)
		if err := e.Evaluate(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
