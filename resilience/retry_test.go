package resilience

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// fixedSource returns the same number forever: 0 gives the shortest wait,
// MaxUint64 the longest.
type fixedSource uint64

func (s fixedSource) Uint64() uint64 { return uint64(s) }

// failing returns a fn that fails n times with err, then succeeds, and the
// counter of calls.
func failing(n int, err error) (func(context.Context) error, *int) {
	count := 0
	return func(context.Context) error {
		count++
		if count <= n {
			return err
		}
		return nil
	}, &count
}

func TestRetryAttempts(t *testing.T) {
	tests := []struct {
		name        string
		maxAttempts int
		failures    int
		wantCalls   int
		wantErr     bool
	}{
		{"success first time", 3, 0, 1, false},
		{"success on last attempt", 3, 2, 3, false},
		{"exhausted", 3, 10, 3, true},
		{"one attempt means no retry", 1, 10, 1, true},
		{"zero means default 3", 0, 10, DefaultMaxAttempts, true},
		{"five", 5, 10, 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fn, count := failing(tt.failures, errBoom)
				err := Retry(context.Background(), RetryPolicy{MaxAttempts: tt.maxAttempts}, fn)
				if *count != tt.wantCalls {
					t.Errorf("Retry(MaxAttempts %d) called fn %d times, want %d", tt.maxAttempts, *count, tt.wantCalls)
				}
				if tt.wantErr != (err != nil) || (err != nil && err != errBoom) {
					t.Errorf("Retry = %v, want error %v (the last error unchanged)", err, tt.wantErr)
				}
			})
		})
	}
}

func TestRetryValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := 0
		v, err := RetryValue(context.Background(), RetryPolicy{}, func(context.Context) (string, error) {
			n++
			if n < 3 {
				return "partial", errBoom
			}
			return "ok", nil
		})
		if v != "ok" || err != nil || n != 3 {
			t.Errorf("RetryValue = (%q, %v) after %d calls, want (ok, nil) after 3", v, err, n)
		}
		v, err = RetryValue(context.Background(), RetryPolicy{MaxAttempts: 2}, func(context.Context) (string, error) {
			return "partial", errBoom
		})
		if v != "" || err != errBoom {
			t.Errorf("exhausted RetryValue = (%q, %v), want (\"\", errBoom)", v, err)
		}
	})
}

func TestDefaultRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{errBoom, true},
		{ErrOpen, false},
		{&UnavailableError{Service: "redis", Err: ErrOpen}, false},
		{context.Canceled, false},
		{context.DeadlineExceeded, false},
		{&TimeoutError{Service: "db", Timeout: time.Second}, false},
		{RetryAfter(errBoom, time.Second), true},
		{&UnavailableError{Service: "db", Err: errBoom}, true},
	}
	for _, tt := range tests {
		if got := DefaultRetryable(tt.err); got != tt.want {
			t.Errorf("DefaultRetryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestRetryNotRetryable(t *testing.T) {
	calls := 0
	err := Retry(context.Background(), RetryPolicy{
		MaxAttempts: 10,
		Retryable:   func(err error) bool { return !errors.Is(err, errBoom) },
	}, func(context.Context) error { calls++; return errBoom })
	if calls != 1 || err != errBoom {
		t.Errorf("Retry with a non-retryable error: %d calls, err %v; want 1, errBoom", calls, err)
	}
}

// TestRetryJitterBounds checks every wait against its cap for fixed and
// seeded random sources.
func TestRetryJitterBounds(t *testing.T) {
	caps := []time.Duration{100, 200, 400, 800, 1000, 1000, 1000} // ms, capped by MaxInterval
	tests := []struct {
		name string
		src  rand.Source
		want func(i int) (lo, hi time.Duration)
	}{
		{"max source waits the cap", fixedSource(math.MaxUint64), func(i int) (time.Duration, time.Duration) {
			c := caps[i] * time.Millisecond
			return c, c
		}},
		{"zero source waits nothing", fixedSource(0), func(int) (time.Duration, time.Duration) { return 0, 0 }},
		{"seeded source stays within the cap", rand.NewPCG(1, 2), func(i int) (time.Duration, time.Duration) {
			return 0, caps[i] * time.Millisecond
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var waits []time.Duration
				p := RetryPolicy{
					MaxAttempts:     len(caps) + 1,
					InitialInterval: 100 * time.Millisecond,
					MaxInterval:     time.Second,
					Rand:            tt.src,
					OnRetry: func(attempt int, err error, wait time.Duration) {
						if attempt != len(waits)+1 || err != errBoom {
							t.Errorf("OnRetry(%d, %v), want (%d, errBoom)", attempt, err, len(waits)+1)
						}
						waits = append(waits, wait)
					},
				}
				start := time.Now()
				_ = Retry(context.Background(), p, fail)
				if len(waits) != len(caps) {
					t.Fatalf("got %d waits, want %d", len(waits), len(caps))
				}
				var total time.Duration
				for i, w := range waits {
					lo, hi := tt.want(i)
					if w < lo || w > hi {
						t.Errorf("wait %d = %v, want in [%v, %v]", i+1, w, lo, hi)
					}
					total += w
				}
				if got := time.Since(start); got != total {
					t.Errorf("Retry took %v, want the sum of its waits %v", got, total)
				}
			})
		})
	}
}

// TestRetryJitterSpreads checks that jitter is not a constant: a seeded
// source yields distinct waits that average near half the cap.
func TestRetryJitterSpreads(t *testing.T) {
	p := RetryPolicy{InitialInterval: time.Second, MaxInterval: time.Second, Multiplier: 1, Rand: rand.NewPCG(3, 4)}.withDefaults()
	var sum time.Duration
	seen := map[time.Duration]bool{}
	const n = 1000
	for range n {
		w := p.wait(1, errBoom)
		sum += w
		seen[w] = true
	}
	if len(seen) < n/2 {
		t.Errorf("%d distinct waits in %d, want jitter", len(seen), n)
	}
	if avg := sum / n; avg < 400*time.Millisecond || avg > 600*time.Millisecond {
		t.Errorf("average wait %v, want about 500ms", avg)
	}
}

func TestRetryMaxElapsed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := RetryPolicy{
			MaxAttempts:     -1, // no limit: MaxElapsed stops it
			MaxElapsed:      3500 * time.Millisecond,
			InitialInterval: time.Second,
			MaxInterval:     time.Second,
			Rand:            fixedSource(math.MaxUint64), // waits exactly 1s
		}
		start := time.Now()
		fn, count := failing(100, errBoom)
		err := Retry(context.Background(), p, fn)
		if err != errBoom {
			t.Errorf("Retry = %v, want errBoom", err)
		}
		// Calls at 0, 1, 2, 3 s; a fifth wait would end at 4 s > 3.5 s.
		if *count != 4 {
			t.Errorf("fn called %d times, want 4", *count)
		}
		if got := time.Since(start); got != 3*time.Second {
			t.Errorf("Retry returned after %v, want 3s (no pointless last wait)", got)
		}
	})
}

func TestRetryContextCancelStopsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		p := RetryPolicy{InitialInterval: time.Hour, MaxInterval: time.Hour, Rand: fixedSource(math.MaxUint64)}
		start := time.Now()
		time.AfterFunc(time.Second, cancel)
		err := Retry(ctx, p, fail)
		if got := time.Since(start); got != time.Second {
			t.Errorf("Retry returned %v after start, want 1s (at cancellation)", got)
		}
		if !errors.Is(err, context.Canceled) || !errors.Is(err, errBoom) {
			t.Errorf("Retry cancelled during a wait = %v, want Canceled and errBoom", err)
		}
	})
}

func TestRetryContextDoneBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err := Retry(ctx, RetryPolicy{}, func(context.Context) error { called = true; return nil })
	if called || err != context.Canceled {
		t.Errorf("Retry with a done ctx: called=%v err=%v, want not called, Canceled", called, err)
	}
}

func TestRetryContextDeadlineTooSoon(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		p := RetryPolicy{InitialInterval: time.Minute, MaxInterval: time.Minute, Rand: fixedSource(math.MaxUint64)}
		start := time.Now()
		fn, count := failing(10, errBoom)
		err := Retry(ctx, p, fn)
		if err != errBoom || *count != 1 || time.Since(start) != 0 {
			t.Errorf("Retry with a 1s deadline and a 1m wait = %v after %d calls and %v, want errBoom at once after 1 call", err, *count, time.Since(start))
		}
	})
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var waits []time.Duration
		p := RetryPolicy{
			InitialInterval: time.Millisecond,
			MaxInterval:     time.Millisecond,
			OnRetry:         func(_ int, _ error, w time.Duration) { waits = append(waits, w) },
		}
		start := time.Now()
		fn, _ := failing(1, RetryAfter(errBoom, 7*time.Second))
		if err := Retry(context.Background(), p, fn); err != nil {
			t.Fatalf("Retry = %v", err)
		}
		if !slices.Equal(waits, []time.Duration{7 * time.Second}) || time.Since(start) != 7*time.Second {
			t.Errorf("waits %v over %v, want exactly the 7s the server asked for", waits, time.Since(start))
		}
	})
}

func TestRetryAfterBreakerOpen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New("svc", Settings{MinimumRequests: 1, ResetTimeout: 5 * time.Second})
		_ = b.Do(context.Background(), fail)
		start := time.Now()
		p := RetryPolicy{Retryable: func(error) bool { return true }}
		err := Retry(context.Background(), p, func(ctx context.Context) error { return b.Do(ctx, ok) })
		if err != nil {
			t.Fatalf("Retry through an open breaker = %v, want nil once half-open", err)
		}
		if got := time.Since(start); got != 5*time.Second {
			t.Errorf("Retry waited %v, want the breaker's 5s RetryAfter", got)
		}
	})
}

func TestRetryAfterExceedingMaxElapsed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fn, count := failing(5, RetryAfter(errBoom, time.Minute))
		err := Retry(context.Background(), RetryPolicy{MaxElapsed: 10 * time.Second}, fn)
		if !errors.Is(err, errBoom) || *count != 1 {
			t.Errorf("Retry = %v after %d calls, want errBoom after 1", err, *count)
		}
	})
}

func TestRetryAfterHugeDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fn, count := failing(5, RetryAfter(errBoom, maxDelay))
		start := time.Now()
		err := Retry(context.Background(), RetryPolicy{MaxElapsed: time.Second}, fn)
		if !errors.Is(err, errBoom) || *count != 1 || time.Since(start) != 0 {
			t.Errorf("Retry = %v after %d calls and %v, want errBoom at once", err, *count, time.Since(start))
		}
	})
}

func TestRetryAfterError(t *testing.T) {
	err := RetryAfter(errBoom, 2*time.Second)
	ra, isRA := errors.AsType[*RetryAfterError](err)
	if !isRA || ra.Delay != 2*time.Second || !errors.Is(err, errBoom) {
		t.Errorf("RetryAfter(errBoom, 2s) = %#v", err)
	}
	if got, want := err.Error(), "boom (retry after 2s)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := RetryAfter(nil, time.Second).Error(), "resilience: retry later (retry after 1s)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if d := retryAfterOf(RetryAfter(errBoom, -time.Second)); d != 0 {
		t.Errorf("negative RetryAfter gave wait %v, want 0 (use backoff)", d)
	}
}

func TestRetryPolicyValidate(t *testing.T) {
	tests := []struct {
		p     RetryPolicy
		field string
	}{
		{RetryPolicy{MaxElapsed: -1}, "MaxElapsed"},
		{RetryPolicy{InitialInterval: -1}, "InitialInterval"},
		{RetryPolicy{MaxInterval: -1}, "MaxInterval"},
		{RetryPolicy{Multiplier: 0.5}, "Multiplier"},
		{RetryPolicy{Multiplier: math.Inf(1)}, "Multiplier"},
		{RetryPolicy{Multiplier: math.NaN()}, "Multiplier"},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		if !errors.Is(err, ErrInvalidSettings) || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("Validate(%+v) = %v, want ErrInvalidSettings naming %s", tt.p, err, tt.field)
		}
		if err := tt.p.withDefaults().Validate(); err != nil {
			t.Errorf("withDefaults(%+v) kept an invalid field: %v", tt.p, err)
		}
	}
	if err := (RetryPolicy{MaxAttempts: -1, Multiplier: 1.5}).Validate(); err != nil {
		t.Errorf("Validate(valid) = %v", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"120", 2 * time.Minute, true},
		{" 0 ", 0, true},
		{"Sun, 01 Jun 2025 12:00:30 GMT", 30 * time.Second, true},
		{"Sunday, 01-Jun-25 12:01:00 GMT", time.Minute, true},
		{"Sun Jun  1 12:00:05 2025", 5 * time.Second, true},
		{"Sun, 01 Jun 2025 11:00:00 GMT", 0, true}, // in the past
		{"99999999999999999999", maxDelay, true},
		{"", 0, false},
		{"-5", 0, false},
		{"+5", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, gotOK := ParseRetryAfter(tt.in, now)
		if got != tt.want || gotOK != tt.wantOK {
			t.Errorf("ParseRetryAfter(%q) = (%v, %v), want (%v, %v)", tt.in, got, gotOK, tt.want, tt.wantOK)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "0", "Sun, 01 Jun 2025 12:00:30 GMT", "-1", "9223372036", "9223372037", "abc", " 7 "} {
		f.Add(s)
	}
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseRetryAfter(s, now)
		if d < 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v, want a non-negative delay", s, d)
		}
		if !ok && d != 0 {
			t.Fatalf("ParseRetryAfter(%q) = (%v, false), want 0 when not ok", s, d)
		}
		if v := strings.TrimSpace(s); v != "" && isDigits(v) {
			n, err := strconv.ParseInt(v, 10, 64)
			switch {
			case !ok:
				t.Fatalf("ParseRetryAfter(%q) rejected digits", s)
			case err == nil && n <= math.MaxInt64/int64(time.Second) && d != time.Duration(n)*time.Second:
				t.Fatalf("ParseRetryAfter(%q) = %v, want %ds", s, d, n)
			case (err != nil || n > math.MaxInt64/int64(time.Second)) && d != maxDelay:
				t.Fatalf("ParseRetryAfter(%q) = %v, want clamped to %v", s, d, maxDelay)
			}
		}
	})
}
