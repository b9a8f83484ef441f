package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Limiter decides whether events for a key may happen now.
//
// Allow is AllowN with n = 1. AllowN records n events for key if the
// limit has room for all of them and reports the decision. A denied call
// records nothing. An error always comes with a denial: a Limiter never
// fails open.
type Limiter interface {
	Allow(ctx context.Context, key string, limit Limit) (Decision, error)
	AllowN(ctx context.Context, key string, limit Limit, n int) (Decision, error)
}

// Limit allows Rate events per Period, plus Burst extra events, in any
// window of length Period. The zero Limit is invalid, not unlimited.
type Limit struct {
	Rate   int           // events per Period; at least 1
	Period time.Duration // window length; between MinPeriod and MaxPeriod
	Burst  int           // extra events allowed on top of Rate; 0 for none
}

// Bounds on a valid [Limit].
const (
	MinPeriod = time.Millisecond
	MaxPeriod = 366 * 24 * time.Hour
	// MaxEvents bounds Rate+Burst: the limiters keep one timestamp per
	// event in the window.
	MaxEvents = 10_000
)

// PerSecond returns a limit of n events per second.
func PerSecond(n int) Limit { return Limit{Rate: n, Period: time.Second} }

// PerMinute returns a limit of n events per minute.
func PerMinute(n int) Limit { return Limit{Rate: n, Period: time.Minute} }

// Max returns Rate+Burst, the most events any window admits.
func (l Limit) Max() int { return l.Rate + l.Burst }

// String formats the limit as "5/10s" or "5/10s+2" with a burst.
func (l Limit) String() string {
	s := strconv.Itoa(l.Rate) + "/" + l.Period.String()
	if l.Burst != 0 {
		s += "+" + strconv.Itoa(l.Burst)
	}
	return s
}

// Validate returns an [*InvalidLimitError] if l cannot be enforced.
func (l Limit) Validate() error {
	switch {
	case l.Rate < 1:
		return &InvalidLimitError{Limit: l, Reason: "rate must be at least 1"}
	case l.Burst < 0:
		return &InvalidLimitError{Limit: l, Reason: "burst must not be negative"}
	case l.Period < MinPeriod || l.Period > MaxPeriod:
		return &InvalidLimitError{Limit: l, Reason: "period must be between " + MinPeriod.String() + " and " + MaxPeriod.String()}
	case l.Rate > MaxEvents || l.Burst > MaxEvents-l.Rate:
		return &InvalidLimitError{Limit: l, Reason: "rate+burst must be at most " + strconv.Itoa(MaxEvents)}
	}
	return nil
}

// check validates l and the event count n of an AllowN call.
func (l Limit) check(n int) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if n < 1 || n > l.Max() {
		return &InvalidLimitError{Limit: l, N: n, Reason: "AllowN(" + strconv.Itoa(n) + "): n must be between 1 and rate+burst"}
	}
	return nil
}

// ErrInvalidLimit matches every [*InvalidLimitError].
var ErrInvalidLimit = errors.New("ratelimit: invalid limit")

// InvalidLimitError reports a [Limit], or an AllowN event count, that a
// limiter cannot enforce. It matches [ErrInvalidLimit] with errors.Is.
type InvalidLimitError struct {
	Limit  Limit
	N      int // the AllowN count, when it was the problem
	Reason string
}

// Error describes the limit and what is wrong with it.
func (e *InvalidLimitError) Error() string {
	return fmt.Sprintf("ratelimit: invalid limit %v: %s", e.Limit, e.Reason)
}

// Is reports whether target is [ErrInvalidLimit].
func (e *InvalidLimitError) Is(target error) bool { return target == ErrInvalidLimit }

// Decision is a limiter's answer for one call.
type Decision struct {
	// Allowed reports whether the events may happen; they were recorded.
	Allowed bool
	// Remaining is how many more events the window admits right now.
	Remaining int
	// RetryAfter is how long until a denied call would be allowed; 0 when
	// allowed.
	RetryAfter time.Duration
	// ResetAfter is how long until the key is back to its full allowance,
	// when every event recorded so far has left the window.
	ResetAfter time.Duration
	// Backend says which store decided.
	Backend Backend
}

// Backend names the store that made a [Decision].
type Backend int

// The stores a decision can come from. The zero Backend means none: the
// call was rejected before any store was asked.
const (
	// BackendRedis: the limiter from [NewRedis].
	BackendRedis Backend = iota + 1
	// BackendMemory: the limiter from [NewMemory].
	BackendMemory
	// BackendFallback: the fallback of a [NewFailSafe] limiter, because
	// the primary failed or, just after it recovered, was less strict.
	BackendFallback
)

// String returns "redis", "memory", "fallback" or "none".
func (b Backend) String() string {
	switch b {
	case BackendRedis:
		return "redis"
	case BackendMemory:
		return "memory"
	case BackendFallback:
		return "fallback"
	case 0:
		return "none"
	}
	return "Backend(" + strconv.Itoa(int(b)) + ")"
}
