package resilience

import (
	"context"
	"errors"
	"time"
)

// ErrOpen is matched by the error a [Breaker] returns when it refuses a call:
// the breaker is open, or half-open with all its probes already admitted.
// The error is an [*UnavailableError] naming the service.
var ErrOpen = errors.New("resilience: circuit breaker is open")

// ErrDegraded is returned by the fallback of the [Redis] preset: the call did
// not run or failed, no value is available, and the caller should carry on
// without it (for example from a local cache). The error also wraps the cause.
var ErrDegraded = errors.New("resilience: degraded, no value")

// ErrInvalidSettings is matched by every error [Settings.Validate] and
// [RetryPolicy.Validate] report.
var ErrInvalidSettings = errors.New("resilience: invalid settings")

// UnavailableError reports that a service cannot be used right now. A
// [Breaker] returns one, wrapping [ErrOpen], when it refuses a call; the
// fallbacks of the [Database] and [Lavalink] presets return one wrapping the
// failure that triggered them.
type UnavailableError struct {
	// Service names what is unavailable: the breaker's name, or the
	// service a preset's fallback speaks for.
	Service string
	// RetryAfter is how long until the breaker admits a probe again, or 0
	// when unknown. [Retry] waits this long before the next attempt when
	// its Retryable lets it retry the error at all.
	RetryAfter time.Duration
	// Err is the cause: [ErrOpen] for a refused call, or the failure.
	Err error
}

// Error returns "<service> temporarily unavailable: <cause>".
func (e *UnavailableError) Error() string {
	s := e.Service + " temporarily unavailable"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *UnavailableError) Unwrap() error { return e.Err }

// TimeoutError reports a call that outlived [Settings.Timeout]. It matches
// [context.DeadlineExceeded] with [errors.Is] and wraps the error the call
// returned, if any.
type TimeoutError struct {
	// Service is the breaker's name.
	Service string
	// Timeout is the limit that was exceeded.
	Timeout time.Duration
	// Err is what the call returned, or nil if it returned no error late.
	Err error
}

// Error returns "<service>: no answer within <timeout>[: cause]".
func (e *TimeoutError) Error() string {
	s := "resilience: " + e.Service + ": no answer within " + e.Timeout.String()
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is reports whether target is [context.DeadlineExceeded].
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// Unwrap returns the error the call returned.
func (e *TimeoutError) Unwrap() error { return e.Err }

// RetryAfterError carries the delay a server asked for before the next
// attempt. [Retry] waits exactly Delay (instead of its backoff) after an
// attempt that failed with one. Create it with [RetryAfter].
type RetryAfterError struct {
	// Err is the failure.
	Err error
	// Delay is how long the server asked to wait.
	Delay time.Duration
}

// RetryAfter returns err annotated with the delay a server asked for, for
// example from an HTTP Retry-After header (see [ParseRetryAfter]).
func RetryAfter(err error, delay time.Duration) error {
	return &RetryAfterError{Err: err, Delay: delay}
}

// Error returns the failure's message followed by the delay.
func (e *RetryAfterError) Error() string {
	msg := "resilience: retry later"
	if e.Err != nil {
		msg = e.Err.Error()
	}
	return msg + " (retry after " + e.Delay.String() + ")"
}

// Unwrap returns the failure.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// retryAfterOf returns the delay err asks for, or 0.
func retryAfterOf(err error) time.Duration {
	if ra, ok := errors.AsType[*RetryAfterError](err); ok && ra.Delay > 0 {
		return ra.Delay
	}
	if ue, ok := errors.AsType[*UnavailableError](err); ok && ue.RetryAfter > 0 {
		return ue.RetryAfter
	}
	return 0
}
