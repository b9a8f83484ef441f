package resilience

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// Defaults of [RetryPolicy].
const (
	DefaultMaxAttempts     = 3
	DefaultInitialInterval = 100 * time.Millisecond
	DefaultMaxInterval     = 10 * time.Second
	DefaultMultiplier      = 2
)

// RetryPolicy says how [Retry] repeats a failing call: exponential backoff
// with full jitter, bounded by attempts and elapsed time. The zero value is
// usable: 3 attempts, waits drawn from [0, 100ms] then [0, 200ms], no
// elapsed-time limit, and the [DefaultRetryable] classification.
//
// A RetryPolicy is a plain value; copy it freely. Fields that [RetryPolicy.Validate]
// rejects take their defaults.
type RetryPolicy struct {
	// MaxAttempts is the number of calls, the first included. 0 means
	// [DefaultMaxAttempts]; a negative value means no limit, leaving
	// MaxElapsed and the context to stop the loop.
	MaxAttempts int
	// MaxElapsed bounds the total time from the first call: Retry does not
	// start a wait that would end after it and returns the last error
	// instead. 0 means no limit.
	MaxElapsed time.Duration
	// InitialInterval caps the first wait. Default [DefaultInitialInterval].
	InitialInterval time.Duration
	// MaxInterval caps every wait drawn from the backoff (a delay asked
	// for by the server is not capped). Default [DefaultMaxInterval].
	MaxInterval time.Duration
	// Multiplier grows the cap after each attempt: the wait after attempt n
	// is drawn uniformly from [0, min(MaxInterval, InitialInterval ×
	// Multiplier^(n-1))]. Must be ≥ 1; default [DefaultMultiplier].
	Multiplier float64
	// Retryable reports whether an error is worth another attempt.
	// Default [DefaultRetryable].
	Retryable func(error) bool
	// OnRetry, if set, is called before each wait with the attempt that
	// just failed (1-based), its error and the wait. Use it to log or count.
	OnRetry func(attempt int, err error, wait time.Duration)
	// Rand is the source of jitter. Default: the math/rand/v2 global
	// source. Tests set a seeded source such as rand.NewPCG(1, 2); a
	// source that is not safe for concurrent use must not be shared by
	// concurrent Retry calls.
	Rand rand.Source
}

// DefaultRetryable is the default [RetryPolicy.Retryable]: every error is
// retried except those matching [ErrOpen] (the breaker said the service is
// down; hammering it is what the breaker prevents), [context.Canceled] and
// [context.DeadlineExceeded] (the caller gave up, or the call already used
// its whole time budget).
func DefaultRetryable(err error) bool {
	return !errors.Is(err, ErrOpen) &&
		!errors.Is(err, context.Canceled) &&
		!errors.Is(err, context.DeadlineExceeded)
}

// Validate reports fields that are out of range, each as an error matching
// [ErrInvalidSettings]. [Retry] never fails on them: such fields take their
// defaults.
func (p RetryPolicy) Validate() error {
	var errs []error
	if p.MaxElapsed < 0 {
		errs = append(errs, invalid("MaxElapsed", p.MaxElapsed, "must not be negative"))
	}
	if p.InitialInterval < 0 {
		errs = append(errs, invalid("InitialInterval", p.InitialInterval, "must not be negative"))
	}
	if p.MaxInterval < 0 {
		errs = append(errs, invalid("MaxInterval", p.MaxInterval, "must not be negative"))
	}
	if p.Multiplier != 0 && !(p.Multiplier >= 1 && p.Multiplier <= math.MaxFloat64) {
		errs = append(errs, invalid("Multiplier", p.Multiplier, "must be at least 1 and finite"))
	}
	return errors.Join(errs...)
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.MaxElapsed < 0 {
		p.MaxElapsed = 0
	}
	if p.InitialInterval <= 0 {
		p.InitialInterval = DefaultInitialInterval
	}
	if p.MaxInterval <= 0 {
		p.MaxInterval = DefaultMaxInterval
	}
	if !(p.Multiplier >= 1 && p.Multiplier <= math.MaxFloat64) {
		p.Multiplier = DefaultMultiplier
	}
	if p.Retryable == nil {
		p.Retryable = DefaultRetryable
	}
	return p
}

// Retry calls fn until it succeeds, returns an error that is not
// Retryable, or the policy runs out, and returns fn's last error (or nil).
//
// Between attempts it waits a random duration (full jitter) under an
// exponentially growing cap, or exactly the delay the error asks for (a
// [*RetryAfterError], or an [*UnavailableError] with RetryAfter set). It
// does not start a wait that would end after MaxElapsed or after ctx's
// deadline: it returns the last error at once instead.
//
// Retry honours ctx immediately: if ctx is done before the first call it
// returns ctx.Err() without calling fn, and if ctx ends during a wait it
// returns at once with an error matching both ctx.Err() and fn's last
// error. fn receives ctx unchanged.
func Retry(ctx context.Context, p RetryPolicy, fn func(ctx context.Context) error) error {
	_, err := RetryValue(ctx, p, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	})
	return err
}

// RetryValue is [Retry] for a call that returns a value: it returns the value
// of the first successful attempt, or the zero value and the error Retry
// would return.
func RetryValue[T any](ctx context.Context, p RetryPolicy, fn func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	p = p.withDefaults()
	start := time.Now()
	for attempt := 1; ; attempt++ {
		v, err := fn(ctx)
		if err == nil {
			return v, nil
		}
		if !p.Retryable(err) || (p.MaxAttempts > 0 && attempt >= p.MaxAttempts) {
			return zero, err
		}
		wait := p.wait(attempt, err)
		if p.MaxElapsed > 0 && wait > p.MaxElapsed-time.Since(start) {
			return zero, err
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return zero, err
		}
		if p.OnRetry != nil {
			p.OnRetry(attempt, err, wait)
		}
		if cerr := sleep(ctx, wait); cerr != nil {
			return zero, fmt.Errorf("resilience: retry stopped after %d attempts: %w (last error: %w)", attempt, cerr, err)
		}
	}
}

// wait returns how long to wait after the failed attempt (1-based).
func (p RetryPolicy) wait(attempt int, err error) time.Duration {
	if d := retryAfterOf(err); d > 0 {
		return d
	}
	limit := p.MaxInterval
	if c := float64(p.InitialInterval) * math.Pow(p.Multiplier, float64(attempt-1)); c < float64(limit) {
		limit = time.Duration(c)
	}
	var r uint64
	if p.Rand != nil {
		r = p.Rand.Uint64()
	} else {
		r = rand.Uint64()
	}
	// Scale r to [0, limit] without modulo bias worth mentioning.
	hi, _ := bits.Mul64(r, uint64(limit)+1)
	return time.Duration(hi)
}

// sleep waits d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// maxDelay is what an absurdly large Retry-After is clamped to.
const maxDelay = time.Duration(math.MaxInt64)

// ParseRetryAfter parses the value of an HTTP Retry-After header: either
// delay-seconds ("120") or an HTTP-date, which is measured from now. A date
// in the past gives 0. It reports false for anything else, including a
// negative or fractional number. Huge second counts are clamped to the
// largest Duration. Pair it with [RetryAfter]:
//
//	if d, ok := resilience.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
//		err = resilience.RetryAfter(err, d)
//	}
func ParseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(value)
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		var secs int64
		for i := 0; i < len(v); i++ {
			d := int64(v[i] - '0')
			if secs > (math.MaxInt64/int64(time.Second)-d)/10 {
				return maxDelay, true
			}
			secs = secs*10 + d
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// invalid builds a Validate error for one field.
func invalid(field string, value any, why string) error {
	return fmt.Errorf("%w: %s = %v %s", ErrInvalidSettings, field, value, why)
}
