package ratelimit_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/ratelimit"
)

// patientTimeout replaces redistest's one-second client timeouts where a
// test is not about faults, so a loaded machine cannot fail it.
const patientTimeout = 10 * time.Second

// patientClient returns a client for srv, closed at cleanup, with
// timeouts of patientTimeout. Fault tests use srv.Client instead.
func patientClient(tb testing.TB, srv *redistest.Server) *redis.Client {
	opts := srv.Options()
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = patientTimeout, patientTimeout, patientTimeout
	c := redis.NewClient(opts)
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// t0 is where the tests' fake clocks start.
var t0 = time.Unix(1_700_000_000, 0)

// refLog is the reference sliding-window log: the obviously correct
// version of what the limiters compute. An event at t counts at now while
// now-t < Period. all keeps every admitted event.
type refLog struct {
	limit ratelimit.Limit
	live  []time.Time // events that may still be in the window
	all   []time.Time
}

func (r *refLog) decide(now time.Time, n int) ratelimit.Decision {
	var in []time.Time
	for _, t := range r.live {
		if now.Sub(t) < r.limit.Period {
			in = append(in, t)
		}
	}
	r.live = in
	max := r.limit.Rate + r.limit.Burst
	if len(in)+n <= max {
		for range n {
			r.live = append(r.live, now)
			r.all = append(r.all, now)
		}
		return ratelimit.Decision{Allowed: true, Remaining: max - len(in) - n, ResetAfter: r.limit.Period}
	}
	k := len(in) + n - max
	return ratelimit.Decision{
		Remaining:  max - len(in),
		RetryAfter: in[k-1].Add(r.limit.Period).Sub(now),
		ResetAfter: in[len(in)-1].Add(r.limit.Period).Sub(now),
	}
}

// maxInWindow returns the most events in any half-open window of length
// period.
func maxInWindow(ts []time.Time, period time.Duration) int {
	ts = slices.Clone(ts)
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	most := 0
	j := 0
	for i := range ts {
		for ts[i].Sub(ts[j]) >= period {
			j++
		}
		most = max(most, i-j+1)
	}
	return most
}

// testConcurrentExact has 200 goroutines call Allow on one key at once
// and checks that exactly Rate+Burst are allowed.
func testConcurrentExact(t *testing.T, l ratelimit.Limiter, key string) {
	t.Helper()
	limit := ratelimit.Limit{Rate: 7, Burst: 3, Period: time.Minute}
	var allowed, denied atomic.Int32
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			<-start
			d, err := l.Allow(context.Background(), key, limit)
			switch {
			case err != nil:
				t.Errorf("Allow: %v", err)
			case d.Allowed:
				allowed.Add(1)
			default:
				denied.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if got, want := allowed.Load(), int32(limit.Rate+limit.Burst); got != want {
		t.Errorf("200 concurrent callers: %d allowed, want exactly %d", got, want)
	}
	if got := denied.Load(); got != 190 {
		t.Errorf("200 concurrent callers: %d denied, want 190", got)
	}
}

// scriptedLimiter answers from a function and counts its calls.
type scriptedLimiter struct {
	calls  atomic.Int32
	answer func(ctx context.Context, key string, limit ratelimit.Limit, n int) (ratelimit.Decision, error)
}

func (s *scriptedLimiter) Allow(ctx context.Context, key string, limit ratelimit.Limit) (ratelimit.Decision, error) {
	return s.AllowN(ctx, key, limit, 1)
}

func (s *scriptedLimiter) AllowN(ctx context.Context, key string, limit ratelimit.Limit, n int) (ratelimit.Decision, error) {
	s.calls.Add(1)
	return s.answer(ctx, key, limit, n)
}

// switchable wraps a limiter that can be taken down, like a Redis.
type switchable struct {
	ratelimit.Limiter
	down  atomic.Bool
	calls atomic.Int32
	err   error
}

func (s *switchable) Allow(ctx context.Context, key string, limit ratelimit.Limit) (ratelimit.Decision, error) {
	return s.AllowN(ctx, key, limit, 1)
}

func (s *switchable) AllowN(ctx context.Context, key string, limit ratelimit.Limit, n int) (ratelimit.Decision, error) {
	s.calls.Add(1)
	if s.down.Load() {
		return ratelimit.Decision{}, s.err
	}
	d, err := s.Limiter.AllowN(ctx, key, limit, n)
	d.Backend = ratelimit.BackendRedis // it plays the Redis role
	return d, err
}
