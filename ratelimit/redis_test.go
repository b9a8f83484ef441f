package ratelimit_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/ratelimit"
)

// countHook counts the commands a client sends, pipelines included.
type countHook struct {
	mu    sync.Mutex
	names []string
}

func (h *countHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.mu.Lock()
		h.names = append(h.names, cmd.Name())
		h.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (h *countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.mu.Lock()
		for _, cmd := range cmds {
			h.names = append(h.names, cmd.Name())
		}
		h.mu.Unlock()
		return next(ctx, cmds)
	}
}

// take returns the commands sent since the last take, leaving out the
// handshake (HELLO, CLIENT SETINFO) of a newly dialed connection.
func (h *countHook) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var names []string
	for _, name := range h.names {
		if name != "hello" && name != "client" {
			names = append(names, name)
		}
	}
	h.names = nil
	return names
}

// checkKeysHaveTTL scans every key on c and checks each has a positive
// TTL no longer than maxTTL.
func checkKeysHaveTTL(t *testing.T, c *redis.Client, maxTTL time.Duration) int {
	t.Helper()
	ctx := context.Background()
	n := 0
	iter := c.Scan(ctx, 0, "*", 100).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		ttl, err := c.PTTL(ctx, key).Result()
		if err != nil {
			t.Fatalf("PTTL %s: %v", key, err)
		}
		if ttl <= 0 || ttl > maxTTL {
			t.Errorf("key %s has TTL %v, want in (0, %v]", key, ttl, maxTTL)
		}
		n++
	}
	if err := iter.Err(); err != nil {
		t.Fatalf("SCAN: %v", err)
	}
	return n
}

// TestRedisWindowBound runs a randomized, real-time arrival pattern with a
// short period. Each call's server time lies between its send and receive
// times, which bounds what the test can claim: the (i+max)-th admitted
// call must have been answered at least a period after the i-th was sent,
// and a denied call must have been sent less than a period after the
// admission that filled its window was answered.
func TestRedisWindowBound(t *testing.T) {
	srv := redistest.Start(t)
	l := ratelimit.NewRedis(patientClient(t, srv))
	limit := ratelimit.Limit{Rate: 3, Burst: 2, Period: 150 * time.Millisecond}
	const slack = time.Millisecond // Redis TIME has microseconds; clocks differ slightly
	type call struct{ sent, recv time.Time }
	var admitted []call
	denied := 0
	r := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	for range 120 {
		if r.IntN(3) > 0 {
			time.Sleep(time.Duration(r.Int64N(int64(25 * time.Millisecond)))) // the arrival pattern
		}
		c := call{sent: time.Now()}
		d, err := l.Allow(ctx, "window", limit)
		c.recv = time.Now()
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed {
			admitted = append(admitted, c)
			continue
		}
		denied++
		if k := len(admitted) - limit.Max(); k >= 0 {
			if gap := c.sent.Sub(admitted[k].recv); gap >= limit.Period+slack {
				t.Errorf("denied a call sent %v after the %d-th last admission was answered; the window was not full", gap, limit.Max())
			}
		} else {
			t.Errorf("denied a call after only %d admissions", len(admitted))
		}
	}
	for i := 0; i+limit.Max() < len(admitted); i++ {
		j := i + limit.Max()
		if span := admitted[j].recv.Sub(admitted[i].sent); span < limit.Period-slack {
			t.Errorf("admissions %d and %d fit in %v < period %v: %d events in one window", i, j, span, limit.Period, limit.Max()+1)
		}
	}
	if denied == 0 || len(admitted) < 3*limit.Max() {
		t.Errorf("%d admitted, %d denied: the pattern does not exercise the limit", len(admitted), denied)
	}
}

func TestRedisSteadyCallerNeverDenied(t *testing.T) {
	srv := redistest.Start(t)
	l := ratelimit.NewRedis(patientClient(t, srv))
	limit := ratelimit.Limit{Rate: 5, Period: 100 * time.Millisecond}
	// The next call is sent one interval (plus a millisecond for the two
	// clocks) after the previous answer, so the server sees at least an
	// interval between events.
	interval := limit.Period/time.Duration(limit.Rate) + time.Millisecond
	ctx := context.Background()
	for i := range 4 * limit.Rate {
		d, err := l.Allow(ctx, "steady", limit)
		if err != nil || !d.Allowed {
			t.Fatalf("call %d at the allowed rate = %+v, %v; want allowed", i, d, err)
		}
		time.Sleep(interval) // the caller's pace
	}
}

func TestRedisConcurrentExact(t *testing.T) {
	srv := redistest.Start(t)
	testConcurrentExact(t, ratelimit.NewRedis(patientClient(t, srv)), ratelimit.Key("g", "u", "play"))
}

func TestRedisOneRoundTrip(t *testing.T) {
	srv := redistest.Start(t)
	c := patientClient(t, srv)
	hook := &countHook{}
	c.AddHook(hook)
	l := ratelimit.NewRedis(c)
	ctx := context.Background()
	limit := ratelimit.PerMinute(5)

	if _, err := l.Allow(ctx, "warm", limit); err != nil {
		t.Fatal(err)
	}
	if got := hook.take(); len(got) != 2 || got[0] != "evalsha" || got[1] != "eval" {
		t.Errorf("first Allow sent %v; want [evalsha eval]: EVAL loads the script on NOSCRIPT", got)
	}
	for i := range 50 {
		if _, err := l.Allow(ctx, "k"+strconv.Itoa(i%7), limit); err != nil {
			t.Fatal(err)
		}
		if got := hook.take(); len(got) != 1 || got[0] != "evalsha" {
			t.Fatalf("Allow #%d sent %v, want exactly [evalsha]", i, got)
		}
	}

	// A server that lost its scripts gets the script again, transparently.
	if err := c.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	hook.take()
	if _, err := l.Allow(ctx, "k", limit); err != nil {
		t.Fatalf("Allow after SCRIPT FLUSH: %v", err)
	}
	if got := hook.take(); len(got) != 2 || got[0] != "evalsha" || got[1] != "eval" {
		t.Errorf("Allow after SCRIPT FLUSH sent %v, want [evalsha eval]", got)
	}
}

func TestRedisKeysHaveTTL(t *testing.T) {
	srv := redistest.Start(t)
	c := patientClient(t, srv)
	l := ratelimit.NewRedis(c)
	ctx := context.Background()
	policy := ratelimit.DefaultPolicy()
	for i := range 300 {
		cmd := []string{"play", "skip", "queue"}[i%3]
		user := strconv.Itoa(i % 17)
		if _, err := policy.Allow(ctx, l, "guild", user, cmd); err != nil {
			t.Fatal(err)
		}
	}
	if n := checkKeysHaveTTL(t, c, time.Minute); n != 17*3 {
		t.Errorf("found %d keys, want %d", n, 17*3)
	}
}

func TestRedisDecisionTimes(t *testing.T) {
	srv := redistest.Start(t)
	l := ratelimit.NewRedis(patientClient(t, srv))
	limit := ratelimit.Limit{Rate: 2, Period: 2 * time.Second}
	ctx := context.Background()
	type call struct {
		sent, recv time.Time
		d          ratelimit.Decision
	}
	do := func() call {
		c := call{sent: time.Now()}
		d, err := l.Allow(ctx, "times", limit)
		if err != nil {
			t.Fatal(err)
		}
		c.d, c.recv = d, time.Now()
		return c
	}
	first := do()
	time.Sleep(200 * time.Millisecond) // so the two admissions leave at distinct times
	second := do()
	third := do()

	if !first.d.Allowed || first.d.Remaining != 1 || first.d.RetryAfter != 0 || first.d.ResetAfter != limit.Period {
		t.Errorf("first = %+v; want allowed, 1 remaining, ResetAfter %v", first.d, limit.Period)
	}
	if !second.d.Allowed || second.d.Remaining != 0 {
		t.Errorf("second = %+v; want allowed, 0 remaining", second.d)
	}
	if third.d.Allowed || third.d.Remaining != 0 || third.d.Backend != ratelimit.BackendRedis {
		t.Fatalf("third = %+v; want a Redis denial with 0 remaining", third.d)
	}
	// Truth: RetryAfter = T1 + P - T3 and ResetAfter = T2 + P - T3 in
	// server time; each T lies within its call's send and receive.
	const tolerance = 10 * time.Millisecond
	within := func(name string, got time.Duration, a, b call) {
		t.Helper()
		lo := limit.Period - third.recv.Sub(a.sent)
		hi := limit.Period - third.sent.Sub(b.recv)
		if got < lo-tolerance || got > hi+tolerance {
			t.Errorf("%s = %v, want within %v of [%v, %v]", name, got, tolerance, lo, hi)
		}
	}
	within("RetryAfter", third.d.RetryAfter, first, first)
	within("ResetAfter", third.d.ResetAfter, second, second)
}

func TestRedisErrorsDeny(t *testing.T) {
	srv := redistest.Start(t)
	l := ratelimit.NewRedis(srv.Client())
	ctx := context.Background()
	if _, err := l.Allow(ctx, "k", ratelimit.PerMinute(1)); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	d, err := l.Allow(ctx, "k", ratelimit.PerMinute(1))
	if err == nil || d.Allowed {
		t.Errorf("Allow with Redis stopped = %+v, %v; want a denial and an error", d, err)
	}
	srv.Restart()
	if d, err := l.Allow(ctx, "k", ratelimit.PerMinute(1)); err != nil || !d.Allowed {
		t.Errorf("Allow after restart (empty data, no scripts) = %+v, %v; want allowed", d, err)
	}

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if d, err := l.Allow(canceled, "k2", ratelimit.PerMinute(1)); !errors.Is(err, context.Canceled) || d.Allowed {
		t.Errorf("Allow with a canceled context = %+v, %v; want a denial and Canceled", d, err)
	}

	if d, err := ratelimit.NewRedis(nil).Allow(ctx, "k", ratelimit.PerMinute(1)); !errors.Is(err, ratelimit.ErrNoClient) || d.Allowed {
		t.Errorf("Allow with a nil client = %+v, %v; want a denial with ErrNoClient", d, err)
	}
}

func TestRedisWrongTypeKey(t *testing.T) {
	srv := redistest.Start(t)
	c := patientClient(t, srv)
	ctx := context.Background()
	if err := c.Set(ctx, "taken", "a string", 0).Err(); err != nil {
		t.Fatal(err)
	}
	d, err := ratelimit.NewRedis(c).Allow(ctx, "taken", ratelimit.PerMinute(1))
	if err == nil || d.Allowed {
		t.Errorf("Allow on a non-set key = %+v, %v; want a denial and an error", d, err)
	}
}

func TestRedisRing(t *testing.T) {
	srvA, srvB := redistest.Start(t), redistest.Start(t)
	ring := redis.NewRing(&redis.RingOptions{
		Addrs:        map[string]string{"a": srvA.Addr(), "b": srvB.Addr()},
		DialTimeout:  patientTimeout,
		ReadTimeout:  patientTimeout,
		WriteTimeout: patientTimeout,
	})
	t.Cleanup(func() { _ = ring.Close() })
	l := ratelimit.NewRedis(ring)
	testConcurrentExact(t, l, ratelimit.Key("g", "u", "play"))

	ctx := context.Background()
	var wg sync.WaitGroup
	var failed atomic.Bool
	for u := range 20 {
		wg.Go(func() {
			for _, cmd := range []string{"play", "skip", "queue"} {
				if _, err := l.Allow(ctx, ratelimit.Key("g", strconv.Itoa(u), cmd), ratelimit.PerMinute(3)); err != nil {
					t.Errorf("Allow: %v", err)
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() {
		return
	}
	// Each user's three keys share a hash tag, so they live on one shard.
	a, b := patientClient(t, srvA), patientClient(t, srvB)
	perShard := [2]int{}
	for u := range 20 {
		n := [2]int64{}
		for i, c := range []*redis.Client{a, b} {
			keys := []string{ratelimit.Key("g", strconv.Itoa(u), "play"), ratelimit.Key("g", strconv.Itoa(u), "skip"), ratelimit.Key("g", strconv.Itoa(u), "queue")}
			n[i] = c.Exists(ctx, keys...).Val()
		}
		switch n {
		case [2]int64{3, 0}:
			perShard[0]++
		case [2]int64{0, 3}:
			perShard[1]++
		default:
			t.Errorf("user %d's keys are split across shards: %v", u, n)
		}
	}
	if perShard[0] == 0 || perShard[1] == 0 {
		t.Errorf("users per shard = %v; want both shards used", perShard)
	}
	checkKeysHaveTTL(t, a, time.Minute)
	checkKeysHaveTTL(t, b, time.Minute)
}
