package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/metrics"
)

// redisFailures returns redis_failures_total by operation, leaving out
// zeros.
func redisFailures(t testing.TB, g prometheus.Gatherer) map[string]float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "tunekit_redis_failures_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if v := m.GetCounter().GetValue(); v != 0 {
				out[labelMap(m)["operation"]] = v
			}
		}
	}
	return out
}

// failureCounter checks the change of redis_failures_total step by step.
type failureCounter struct {
	t    *testing.T
	reg  *prometheus.Registry
	last map[string]float64
}

// expect fails the test unless the counts grew by exactly want since the
// last call.
func (f *failureCounter) expect(step string, want map[string]float64) {
	f.t.Helper()
	now := redisFailures(f.t, f.reg)
	got := map[string]float64{}
	for op, v := range now {
		if d := v - f.last[op]; d != 0 {
			got[op] = d
		}
	}
	if want == nil {
		want = map[string]float64{}
	}
	if !maps.Equal(got, want) {
		f.t.Errorf("%s: redis_failures_total grew by %v, want %v", step, got, want)
	}
	f.last = now
}

func TestInstrumentRedisClient(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	b, reg := newBusiness(t)
	opts := srv.Options()
	opts.MaxRetries, opts.DialerRetries = -1, 1 // one attempt: a stopped server fails fast
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	b.InstrumentRedis(c)
	other := srv.NewClient() // not instrumented: changes keys behind c's back
	t.Cleanup(func() { _ = other.Close() })
	ctx := t.Context()
	f := &failureCounter{t: t, reg: reg}

	if err := c.Set(ctx, "text", "not a number", 0).Err(); err != nil {
		t.Fatal(err)
	}
	f.expect("SET", nil)

	if err := c.Get(ctx, "missing").Err(); !errors.Is(err, redis.Nil) {
		t.Fatalf("GET missing = %v, want redis.Nil", err)
	}
	f.expect("GET of a missing key", nil)

	if err := c.Incr(ctx, "text").Err(); err == nil {
		t.Fatal("INCR of text succeeded")
	}
	f.expect("INCR of text", map[string]float64{"incr": 1})

	if err := c.Do(ctx, "NOSUCHCOMMAND").Err(); err == nil {
		t.Fatal("unknown command succeeded")
	}
	f.expect("unknown command", map[string]float64{metrics.Other: 1})

	_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Get(ctx, "missing")
		p.Set(ctx, "k", "v", 0)
		return nil
	})
	if !errors.Is(err, redis.Nil) {
		t.Fatalf("pipeline with a missing key = %v, want redis.Nil", err)
	}
	f.expect("pipeline with only a missing key", nil)

	_, err = c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Get(ctx, "missing") // its redis.Nil is the batch's error
		p.Incr(ctx, "text")
		p.Incr(ctx, "text")
		return nil
	})
	if err == nil {
		t.Fatal("failing pipeline succeeded")
	}
	f.expect("pipeline with failing commands", map[string]float64{"pipeline": 1})

	if _, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Incr(ctx, "text")
		return nil
	}); err == nil {
		t.Fatal("failing transaction succeeded")
	}
	f.expect("failing MULTI/EXEC", map[string]float64{"tx": 1})

	err = c.Watch(ctx, func(tx *redis.Tx) error {
		if err := other.Set(ctx, "watched", "changed", 0).Err(); err != nil {
			return err
		}
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "watched", "mine", 0)
			return nil
		})
		return err
	}, "watched")
	if !errors.Is(err, redis.TxFailedErr) {
		t.Fatalf("transaction on a changed WATCHed key = %v, want redis.TxFailedErr", err)
	}
	f.expect("WATCH conflict", nil)

	script := redis.NewScript(fmt.Sprintf("return %d", time.Now().UnixNano()))
	if err := script.Run(ctx, c, nil).Err(); err != nil {
		t.Fatalf("script = %v", err)
	}
	f.expect("EVALSHA of an unknown script, then EVAL", nil)

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.Get(canceled, "k").Err(); !errors.Is(err, context.Canceled) {
		t.Fatalf("GET with a canceled context = %v, want context.Canceled", err)
	}
	f.expect("canceled context", nil)

	srv.Stop()
	if err := c.Get(ctx, "k").Err(); err == nil {
		t.Fatal("GET on a stopped server succeeded")
	}
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatal("PING on a stopped server succeeded")
	}
	if _, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "k", "v", 0)
		return nil
	}); err == nil {
		t.Fatal("pipeline on a stopped server succeeded")
	}
	f.expect("stopped server", map[string]float64{"get": 1, "ping": 1, "pipeline": 1})

	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(ctx, "k").Err(); !errors.Is(err, redis.ErrClosed) {
		t.Fatalf("GET on a closed client = %v, want redis.ErrClosed", err)
	}
	f.expect("closed client", map[string]float64{"get": 1})
}

func TestInstrumentRedisRing(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	b, reg := newBusiness(t)
	ring := redis.NewRing(&redis.RingOptions{
		Addrs:              map[string]string{"a": srv.Addr()},
		MaxRetries:         -1,
		DialerRetries:      1,
		HeartbeatFrequency: time.Hour, // no background PING during the test
	})
	t.Cleanup(func() { _ = ring.Close() })
	b.InstrumentRedis(ring)
	ctx := t.Context()
	f := &failureCounter{t: t, reg: reg}

	if err := ring.Set(ctx, "text", "not a number", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := ring.Get(ctx, "missing").Err(); !errors.Is(err, redis.Nil) {
		t.Fatalf("GET missing = %v, want redis.Nil", err)
	}
	if err := ring.Publish(ctx, "events", "x").Err(); err != nil {
		t.Fatal(err)
	}
	f.expect("commands that succeed", nil)

	// Counted by the ring's hook, not again by the shard's.
	if err := ring.Incr(ctx, "text").Err(); err == nil {
		t.Fatal("INCR of text succeeded")
	}
	f.expect("INCR of text", map[string]float64{"incr": 1})

	// WATCH runs on the shard's client, past the ring's hooks.
	err := ring.Watch(ctx, func(tx *redis.Tx) error {
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Incr(ctx, "text")
			return nil
		})
		return err
	}, "text")
	if err == nil {
		t.Fatal("failing transaction succeeded")
	}
	f.expect("failing transaction under WATCH", map[string]float64{"tx": 1})

	srv.Stop()
	if err := ring.Get(ctx, "k").Err(); err == nil {
		t.Fatal("GET on a stopped server succeeded")
	}
	if err := ring.Publish(ctx, "events", "x").Err(); err == nil {
		t.Fatal("PUBLISH on a stopped server succeeded")
	}
	f.expect("stopped server", map[string]float64{"get": 1, "publish": 1})

	// A shard added later is instrumented too.
	later := redistest.Start(t)
	later.Stop()
	ring.SetAddrs(map[string]string{"b": later.Addr()})
	if err := ring.Publish(ctx, "events", "x").Err(); err == nil {
		t.Fatal("PUBLISH on a stopped shard succeeded")
	}
	f.expect("PUBLISH on a shard added later", map[string]float64{"publish": 1})
}

func TestInstrumentRedisCluster(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	b, reg := newBusiness(t)
	srv.Stop()
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{srv.Addr()}, MaxRedirects: -1, MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { _ = cc.Close() })
	b.InstrumentRedis(cc)
	if err := cc.Get(t.Context(), "k").Err(); err == nil {
		t.Fatal("GET on a stopped cluster succeeded")
	}
	// Once, however many nodes the command went to; the cluster's own
	// background commands may add to other operations meanwhile.
	if got := redisFailures(t, reg)["get"]; got != 1 {
		t.Errorf("redis_failures_total{operation=get} = %v, want 1", got)
	}
}

func TestInstrumentRedisNil(t *testing.T) {
	t.Parallel()
	b, reg := newBusiness(t)
	for _, c := range []redis.UniversalClient{nil, (*redis.Client)(nil), (*redis.Ring)(nil), (*redis.ClusterClient)(nil)} {
		b.InstrumentRedis(c) // must not panic
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { _ = c.Close() })
	var none *metrics.Business
	none.InstrumentRedis(c)
	if err := c.Ping(t.Context()).Err(); err == nil {
		t.Fatal("PING to port 1 succeeded")
	}
	if got := redisFailures(t, reg); len(got) != 0 {
		t.Errorf("redis_failures_total = %v, want nothing counted", got)
	}
}

func TestInstrumentRedisTwice(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	b, reg := newBusiness(t)
	other, otherReg := newBusiness(t, metrics.WithNamespace("other"))
	c := srv.NewClient()
	t.Cleanup(func() { _ = c.Close() })
	b.InstrumentRedis(c)
	b.InstrumentRedis(c)
	other.InstrumentRedis(c)
	ctx := t.Context()
	if err := c.Set(ctx, "text", "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Incr(ctx, "text").Err(); err == nil {
		t.Fatal("INCR of text succeeded")
	}
	if got := redisFailures(t, reg); !maps.Equal(got, map[string]float64{"incr": 1}) {
		t.Errorf("redis_failures_total after instrumenting twice = %v, want incr 1", got)
	}
	if got := value(t, otherReg, "other_redis_failures_total", map[string]string{"operation": "incr"}); got != 1 {
		t.Errorf("other Business counted %v failures of incr, want 1", got)
	}
}

// stubHook answers every command with err without sending it.
type stubHook struct{ err error }

func (h stubHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h stubHook) ProcessHook(redis.ProcessHook) redis.ProcessHook {
	return func(context.Context, redis.Cmder) error { return h.err }
}
func (h stubHook) ProcessPipelineHook(redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(context.Context, []redis.Cmder) error { return h.err }
}

// BenchmarkInstrumentRedis measures what the hook adds to a command that
// never reaches the network, against the same command uninstrumented.
func BenchmarkInstrumentRedis(b *testing.B) {
	cases := []struct {
		name       string
		instrument bool
		err        error
	}{
		{"none", false, nil},
		{"ok", true, nil},
		{"nil", true, redis.Nil},
		{"failed", true, errors.New("connection refused")},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			bus, _ := newBusiness(b)
			rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
			b.Cleanup(func() { _ = rdb.Close() })
			if c.instrument {
				bus.InstrumentRedis(rdb)
			}
			rdb.AddHook(stubHook{c.err})
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				_ = rdb.Get(ctx, "settings:{817327181659111454}").Err()
			}
		})
	}
}
