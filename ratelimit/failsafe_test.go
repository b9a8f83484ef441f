package ratelimit_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tunekit/tunekit/ratelimit"
)

var errDown = errors.New("primary down")

func failing(err error) *scriptedLimiter {
	return &scriptedLimiter{answer: func(context.Context, string, ratelimit.Limit, int) (ratelimit.Decision, error) {
		return ratelimit.Decision{}, err
	}}
}

// countAllowed calls l.Allow calls times on one key and returns how many
// were allowed, failing t on any error or non-fallback decision.
func countAllowed(t *testing.T, l ratelimit.Limiter, limit ratelimit.Limit, calls int) int {
	t.Helper()
	n := 0
	for range calls {
		d, err := l.Allow(context.Background(), "k", limit)
		if err != nil || d.Backend != ratelimit.BackendFallback {
			t.Fatalf("Allow = %+v, %v; want a fallback decision", d, err)
		}
		if d.Allowed {
			n++
		}
	}
	return n
}

func TestFailSafeFallbackIsStricter(t *testing.T) {
	tests := []struct {
		name  string
		opts  []ratelimit.FailSafeOption
		limit ratelimit.Limit
		want  int
	}{
		{"default half", nil, ratelimit.PerMinute(10), 5},
		{"half rounds down", nil, ratelimit.PerMinute(5), 2},
		{"at least one", []ratelimit.FailSafeOption{ratelimit.FallbackFactor(0.2)}, ratelimit.PerMinute(3), 1},
		{"burst scaled too", nil, ratelimit.Limit{Rate: 4, Burst: 4, Period: time.Minute}, 4},
		{"instances share", []ratelimit.FailSafeOption{ratelimit.Instances(2)}, ratelimit.PerMinute(10), 2},
		{"instances and factor", []ratelimit.FailSafeOption{ratelimit.Instances(4), ratelimit.FallbackFactor(0.8)}, ratelimit.PerMinute(20), 4},
		{"factor above 1 is 1", []ratelimit.FailSafeOption{ratelimit.FallbackFactor(3)}, ratelimit.PerMinute(10), 10},
		{"NaN factor is the default", []ratelimit.FailSafeOption{ratelimit.FallbackFactor(math.NaN())}, ratelimit.PerMinute(10), 5},
		{"negative factor is the default", []ratelimit.FailSafeOption{ratelimit.FallbackFactor(-1)}, ratelimit.PerMinute(10), 5},
		{"zero instances is one", []ratelimit.FailSafeOption{ratelimit.Instances(0)}, ratelimit.PerMinute(10), 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := ratelimit.NewFailSafe(failing(errDown), ratelimit.NewMemory(), tt.opts...)
			if got := countAllowed(t, l, tt.limit, 3*tt.limit.Max()); got != tt.want {
				t.Errorf("fallback allowed %d of limit %v, want %d", got, tt.limit, tt.want)
			}
		})
	}
}

func TestFailSafeHealthyPrimaryDecides(t *testing.T) {
	primary := &switchable{Limiter: ratelimit.NewMemory(), err: errDown}
	fallbackCalls := 0
	fallback := &scriptedLimiter{answer: func(context.Context, string, ratelimit.Limit, int) (ratelimit.Decision, error) {
		fallbackCalls++
		return ratelimit.Decision{Allowed: true}, nil
	}}
	l := ratelimit.NewFailSafe(primary, fallback)
	allowed := 0
	for range 10 {
		d, err := l.Allow(context.Background(), "k", ratelimit.PerMinute(4))
		if err != nil || d.Backend != ratelimit.BackendRedis {
			t.Fatalf("Allow = %+v, %v; want a primary decision", d, err)
		}
		if d.Allowed {
			allowed++
		}
	}
	if allowed != 4 {
		t.Errorf("allowed %d, want the primary's 4", allowed)
	}
	if fallbackCalls != 4 {
		t.Errorf("fallback called %d times, want 4: once to record each admitted event", fallbackCalls)
	}
}

func TestFailSafeCircuit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		healthy := false
		var block chan struct{}
		primary := &scriptedLimiter{answer: func(context.Context, string, ratelimit.Limit, int) (ratelimit.Decision, error) {
			mu.Lock()
			ok, b := healthy, block
			mu.Unlock()
			if b != nil {
				<-b
			}
			if !ok {
				return ratelimit.Decision{}, errDown
			}
			return ratelimit.Decision{Allowed: true, Backend: ratelimit.BackendRedis}, nil
		}}
		var fallbacks []error
		l := ratelimit.NewFailSafe(primary, ratelimit.NewMemory(),
			ratelimit.FailureThreshold(3),
			ratelimit.Cooldown(5*time.Second),
			ratelimit.OnFallback(func(err error) { fallbacks = append(fallbacks, err) }))
		ctx := context.Background()
		limit := ratelimit.PerSecond(1000)
		allow := func(want ratelimit.Backend) {
			t.Helper()
			d, err := l.Allow(ctx, "k", limit)
			if err != nil || d.Backend != want || !d.Allowed {
				t.Fatalf("Allow = %+v, %v; want allowed by %v", d, err, want)
			}
		}
		calls := func(want int32) {
			t.Helper()
			if got := primary.calls.Load(); got != want {
				t.Fatalf("primary called %d times, want %d", got, want)
			}
		}

		for range 3 {
			allow(ratelimit.BackendFallback)
		}
		calls(3)
		for range 10 {
			allow(ratelimit.BackendFallback) // cooldown: primary skipped
		}
		calls(3)
		if len(fallbacks) != 3 || !errors.Is(fallbacks[0], errDown) {
			t.Errorf("OnFallback saw %v, want errDown 3 times", fallbacks)
		}

		time.Sleep(5 * time.Second)
		allow(ratelimit.BackendFallback) // the probe fails
		calls(4)
		allow(ratelimit.BackendFallback) // a new cooldown
		calls(4)

		// While one probe is in flight, other calls do not probe too.
		time.Sleep(5 * time.Second)
		mu.Lock()
		healthy, block = true, make(chan struct{})
		b := block
		mu.Unlock()
		probed := make(chan ratelimit.Decision)
		go func() {
			d, _ := l.Allow(ctx, "k", limit)
			probed <- d
		}()
		synctest.Wait()
		calls(5)
		allow(ratelimit.BackendFallback)
		calls(5)
		close(b)
		if d := <-probed; d.Backend != ratelimit.BackendRedis || !d.Allowed {
			t.Fatalf("probe = %+v, want allowed by Redis", d)
		}
		mu.Lock()
		block = nil
		mu.Unlock()
		for i := range 3 {
			allow(ratelimit.BackendRedis)
			calls(int32(6 + i))
		}
	})
}

// TestFailSafeRecoveryStricter: for one period after the primary
// recovers, a key is checked against the fallback too, which remembers
// what it admitted alone.
func TestFailSafeRecoveryStricter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		primary := &switchable{Limiter: ratelimit.NewMemory(), err: errDown}
		fallback := ratelimit.NewMemory()
		l := ratelimit.NewFailSafe(primary, fallback, ratelimit.Cooldown(time.Millisecond))
		ctx := context.Background()
		limit := ratelimit.Limit{Rate: 4, Period: 10 * time.Second}

		primary.down.Store(true)
		if got := countAllowed(t, l, limit, 5); got != 2 {
			t.Fatalf("outage: fallback allowed %d, want 2", got)
		}
		// Redis comes back empty, as a restarted server does.
		primary.Limiter = ratelimit.NewMemory()
		primary.down.Store(false)
		time.Sleep(time.Millisecond)

		want := []struct {
			allowed bool
			backend ratelimit.Backend
		}{
			{true, ratelimit.BackendRedis},
			{true, ratelimit.BackendRedis},
			{false, ratelimit.BackendFallback}, // 2 during the outage + 2 now = the limit
			{false, ratelimit.BackendFallback},
			{false, ratelimit.BackendRedis}, // Redis has counted 4 itself by now
		}
		for i, w := range want {
			d, err := l.Allow(ctx, "k", limit)
			if err != nil || d.Allowed != w.allowed || d.Backend != w.backend {
				t.Errorf("after recovery, call %d = %+v, %v; want allowed=%v by %v", i, d, err, w.allowed, w.backend)
			}
		}

		// A period after recovery the fallback no longer vetoes.
		time.Sleep(limit.Period)
		for range limit.Rate {
			fallback.Allow(ctx, "other", limit) // fill the fallback for another key
		}
		d, err := l.Allow(ctx, "other", limit)
		if err != nil || !d.Allowed || d.Backend != ratelimit.BackendRedis {
			t.Errorf("a period after recovery = %+v, %v; want allowed by Redis", d, err)
		}
	})
}

// TestFailSafeFallbackRemembersPrimary: the fallback records what the
// primary admitted, so an outage does not hand out a fresh allowance.
func TestFailSafeFallbackRemembersPrimary(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		primary := &switchable{Limiter: ratelimit.NewMemory(), err: errDown}
		l := ratelimit.NewFailSafe(primary, ratelimit.NewMemory())
		ctx := context.Background()
		limit := ratelimit.Limit{Rate: 4, Period: 10 * time.Second}
		for range limit.Rate {
			if d, _ := l.Allow(ctx, "k", limit); !d.Allowed {
				t.Fatal("healthy primary denied within the limit")
			}
		}
		time.Sleep(5 * time.Second)
		primary.down.Store(true)
		d, err := l.Allow(ctx, "k", limit)
		if err != nil || d.Allowed || d.Backend != ratelimit.BackendFallback {
			t.Fatalf("first call of the outage = %+v, %v; want a fallback denial", d, err)
		}
		if d.RetryAfter != 5*time.Second {
			t.Errorf("RetryAfter = %v, want 5s: the events the primary admitted leave then", d.RetryAfter)
		}
		time.Sleep(5 * time.Second)
		if got := countAllowed(t, l, limit, 5); got != 2 {
			t.Errorf("once they left, fallback allowed %d, want 2", got)
		}
	})
}

func TestFailSafeBothFail(t *testing.T) {
	errFallback := errors.New("fallback broken")
	full := ratelimit.NewMemory(ratelimit.WithCapacity(1))
	full.Allow(context.Background(), "someone", ratelimit.PerMinute(1))
	tests := []struct {
		name     string
		l        ratelimit.Limiter
		wantErrs []error
	}{
		{"both error", ratelimit.NewFailSafe(failing(errDown), failing(errFallback)), []error{errDown, errFallback}},
		{"fallback full", ratelimit.NewFailSafe(failing(errDown), full), []error{errDown, ratelimit.ErrCapacity}},
		{"nil fallback", ratelimit.NewFailSafe(failing(errDown), nil), []error{errDown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := tt.l.Allow(context.Background(), "k", ratelimit.PerMinute(10))
			if d.Allowed || d.Backend != ratelimit.BackendFallback {
				t.Errorf("Allow = %+v; want a fallback denial", d)
			}
			var ue *ratelimit.UnavailableError
			if !errors.As(err, &ue) || !errors.Is(err, ratelimit.ErrUnavailable) {
				t.Fatalf("Allow error = %v, want an *UnavailableError", err)
			}
			for _, want := range tt.wantErrs {
				if !errors.Is(err, want) {
					t.Errorf("Allow error = %v, want it to wrap %v", err, want)
				}
				if !strings.Contains(err.Error(), want.Error()) {
					t.Errorf("Allow error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestFailSafeBothFailDuringCooldown(t *testing.T) {
	l := ratelimit.NewFailSafe(failing(errDown), failing(errors.New("fallback broken")), ratelimit.FailureThreshold(1))
	ctx := context.Background()
	l.Allow(ctx, "k", ratelimit.PerMinute(1))
	d, err := l.Allow(ctx, "k", ratelimit.PerMinute(1))
	if d.Allowed || !errors.Is(err, ratelimit.ErrCircuitOpen) || !errors.Is(err, ratelimit.ErrUnavailable) {
		t.Errorf("Allow during cooldown with a broken fallback = %+v, %v; want a denial naming ErrCircuitOpen", d, err)
	}
}

func TestFailSafeNilPrimary(t *testing.T) {
	l := ratelimit.NewFailSafe(nil, ratelimit.NewMemory())
	if got := countAllowed(t, l, ratelimit.PerMinute(4), 10); got != 2 {
		t.Errorf("nil primary: fallback allowed %d, want 2", got)
	}
}

func TestFailSafeContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fallback := &scriptedLimiter{answer: func(context.Context, string, ratelimit.Limit, int) (ratelimit.Decision, error) {
			return ratelimit.Decision{Allowed: true}, nil
		}}
		slow := &scriptedLimiter{answer: func(ctx context.Context, _ string, _ ratelimit.Limit, _ int) (ratelimit.Decision, error) {
			<-ctx.Done()
			return ratelimit.Decision{}, ctx.Err()
		}}
		l := ratelimit.NewFailSafe(slow, fallback, ratelimit.FailureThreshold(1))
		limit := ratelimit.PerMinute(10)

		canceled, cancel := context.WithCancel(context.Background())
		cancel()
		if d, err := l.Allow(canceled, "k", limit); d.Allowed || !errors.Is(err, context.Canceled) {
			t.Errorf("Allow with a canceled context = %+v, %v; want a denial and Canceled", d, err)
		}
		if slow.calls.Load() != 0 || fallback.calls.Load() != 0 {
			t.Error("a canceled call reached a limiter")
		}

		// The caller's deadline passing is not a primary failure: with a
		// threshold of 1, the circuit would otherwise open.
		for i := range 3 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			d, err := l.Allow(ctx, "k", limit)
			cancel()
			if d.Allowed || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Allow past the caller's deadline = %+v, %v; want a denial and DeadlineExceeded", d, err)
			}
			if got := slow.calls.Load(); got != int32(i+1) {
				t.Errorf("primary called %d times, want %d", got, i+1)
			}
		}
		if got := fallback.calls.Load(); got != 0 {
			t.Errorf("fallback called %d times for callers that gave up, want 0", got)
		}
	})
}

func TestFailSafeProbeAbandoned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		slow := false
		primary := &scriptedLimiter{answer: func(ctx context.Context, _ string, _ ratelimit.Limit, _ int) (ratelimit.Decision, error) {
			mu.Lock()
			s := slow
			mu.Unlock()
			if s {
				<-ctx.Done()
				return ratelimit.Decision{}, ctx.Err()
			}
			return ratelimit.Decision{}, errDown
		}}
		l := ratelimit.NewFailSafe(primary, ratelimit.NewMemory(), ratelimit.FailureThreshold(1), ratelimit.Cooldown(time.Second))
		limit := ratelimit.PerMinute(100)
		l.Allow(context.Background(), "k", limit) // opens the circuit
		time.Sleep(time.Second)
		mu.Lock()
		slow = true
		mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		l.Allow(ctx, "k", limit) // the probe's caller gives up
		cancel()
		if got := primary.calls.Load(); got != 2 {
			t.Fatalf("primary called %d times, want 2", got)
		}
		mu.Lock()
		slow = false
		mu.Unlock()
		l.Allow(context.Background(), "k", limit) // probes again at once
		if got := primary.calls.Load(); got != 3 {
			t.Errorf("primary called %d times, want 3: an abandoned probe must not block the next", got)
		}
	})
}

func TestFailSafePrimaryTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hung := &scriptedLimiter{answer: func(ctx context.Context, _ string, _ ratelimit.Limit, _ int) (ratelimit.Decision, error) {
			<-ctx.Done()
			return ratelimit.Decision{}, ctx.Err()
		}}
		var got error
		l := ratelimit.NewFailSafe(hung, ratelimit.NewMemory(),
			ratelimit.PrimaryTimeout(100*time.Millisecond),
			ratelimit.OnFallback(func(err error) { got = err }))
		start := time.Now()
		d, err := l.Allow(context.Background(), "k", ratelimit.PerMinute(10))
		if err != nil || !d.Allowed || d.Backend != ratelimit.BackendFallback {
			t.Errorf("Allow with a hung primary = %+v, %v; want allowed by the fallback", d, err)
		}
		if waited := time.Since(start); waited != 100*time.Millisecond {
			t.Errorf("waited %v for the primary, want the 100ms timeout", waited)
		}
		if !errors.Is(got, context.DeadlineExceeded) {
			t.Errorf("OnFallback got %v, want DeadlineExceeded", got)
		}
	})
}

func TestFailSafeOnDecision(t *testing.T) {
	type seen struct {
		key string
		d   ratelimit.Decision
	}
	var got []seen
	l := ratelimit.NewFailSafe(failing(errDown), ratelimit.NewMemory(),
		ratelimit.OnDecision(func(key string, d ratelimit.Decision) { got = append(got, seen{key, d}) }))
	var want []seen
	for _, key := range []string{"a", "a", "b"} {
		d, _ := l.Allow(context.Background(), key, ratelimit.PerMinute(2))
		want = append(want, seen{key, d})
	}
	d, _ := l.Allow(context.Background(), "a", ratelimit.Limit{}) // invalid: still reported
	want = append(want, seen{"a", d})
	if len(got) != len(want) {
		t.Fatalf("OnDecision called %d times, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("OnDecision call %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestFailSafeAllowNAboveFallbackLimit(t *testing.T) {
	l := ratelimit.NewFailSafe(failing(errDown), ratelimit.NewMemory())
	ctx := context.Background()
	if d, err := l.AllowN(ctx, "k", ratelimit.PerMinute(10), 5); err != nil || !d.Allowed {
		t.Errorf("AllowN(5) of 10 in an outage = %+v, %v; want allowed (the fallback allows 5)", d, err)
	}
	if d, err := l.AllowN(ctx, "k2", ratelimit.PerMinute(10), 6); err != nil || d.Allowed || d.Backend != ratelimit.BackendFallback {
		t.Errorf("AllowN(6) of 10 in an outage = %+v, %v; want a fallback denial without error", d, err)
	}
}

// TestFailSafeNeverFailsOpen injects random failures into both limiters
// and checks that an error always comes with a denial and that the
// primary's limit is never exceeded.
func TestFailSafeNeverFailsOpen(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var mu sync.Mutex
	flaky := func(l ratelimit.Limiter) *scriptedLimiter {
		return &scriptedLimiter{answer: func(ctx context.Context, key string, limit ratelimit.Limit, n int) (ratelimit.Decision, error) {
			mu.Lock()
			fail := r.IntN(3) == 0
			mu.Unlock()
			if fail {
				return ratelimit.Decision{Allowed: true}, errDown // a broken limiter may even claim allowed
			}
			return l.AllowN(ctx, key, limit, n)
		}}
	}
	l := ratelimit.NewFailSafe(flaky(ratelimit.NewMemory()), flaky(ratelimit.NewMemory()), ratelimit.FailureThreshold(1000))
	limit := ratelimit.PerMinute(20)
	allowed := 0
	for range 2000 {
		d, err := l.Allow(context.Background(), "k", limit)
		if err != nil && d.Allowed {
			t.Fatalf("Allow = %+v with error %v: failed open", d, err)
		}
		if d.Allowed {
			allowed++
		}
	}
	if allowed > limit.Max()+limit.Max()/2 {
		t.Errorf("allowed %d in one period; the primary allows %d and the fallback half", allowed, limit.Max())
	}
}
