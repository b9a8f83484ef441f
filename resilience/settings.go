package resilience

import (
	"context"
	"errors"
	"time"
)

// Defaults used for zero (or invalid) fields of [Settings].
const (
	DefaultFailureRateThreshold = 50 // percent
	DefaultMinimumRequests      = 10
	DefaultWindow               = time.Minute
	DefaultResetTimeout         = 30 * time.Second
	DefaultHalfOpenMaxCalls     = 1
	DefaultSlowCallRate         = 100 // percent, when SlowCallDuration is set
)

// numBuckets is how many buckets the rolling window is cut into: the window
// slides in steps of Window/numBuckets.
const numBuckets = 10

// Settings configures a [Breaker]. Every zero field means the documented
// default, so Settings{} is a working breaker; [Redis], [Database] and
// [Lavalink] return tuned presets. Fields that [Settings.Validate] rejects
// also take their defaults: [New] never fails.
type Settings struct {
	// Timeout bounds each call through the context given to fn (and the
	// request context in [Transport]). A call that is still running when it
	// expires counts as a failure and returns a [*TimeoutError], which
	// matches [context.DeadlineExceeded]. The timeout is cooperative: fn
	// must honour its context, since the breaker never abandons fn on
	// another goroutine. 0 means no timeout.
	Timeout time.Duration

	// FailureRateThreshold is the failure percentage, in (0, 100], at or
	// above which the breaker opens. Default 50.
	FailureRateThreshold float64
	// MinimumRequests is how many calls the window must hold before the
	// rates are considered at all. Default 10.
	MinimumRequests int
	// Window is the rolling period over which rates are computed. It is
	// cut into 10 buckets, so a call ages out between 0.9×Window and
	// Window after it finished. Default one minute.
	Window time.Duration

	// ResetTimeout is how long the breaker stays open before it turns
	// half-open and lets probes through. Default 30 s.
	ResetTimeout time.Duration
	// HalfOpenMaxCalls is how many probes a half-open breaker admits. If
	// all of them succeed the breaker closes; the first failure reopens it.
	// Default 1.
	HalfOpenMaxCalls int

	// SlowCallDuration, if positive, marks a call that took at least this
	// long as slow, whether it succeeded or not. It costs a second clock
	// read per call. 0 disables slow-call tracking.
	SlowCallDuration time.Duration
	// SlowCallRateThreshold is the slow-call percentage, in (0, 100], at or
	// above which the breaker opens. Only used with SlowCallDuration;
	// default 100.
	SlowCallRateThreshold float64

	// IsFailure reports whether a non-nil error from fn counts as a failure
	// (return false for, say, "not found" or HTTP 4xx answers: the service
	// worked). It is not consulted for timeouts, which always fail, nor for
	// the caller's own cancellation, which never counts. Default: every
	// error is a failure.
	IsFailure func(err error) bool

	// OnStateChange, if set, is called after every transition. It runs
	// outside the breaker's lock, so it may call State, Counts or even Do;
	// calls are delivered one at a time, in transition order.
	OnStateChange func(name string, from, to State)

	// Fallback, if set, is called by Do and [Execute] when the breaker
	// refuses a call (err matches [ErrOpen]) or the call failed (a timeout,
	// or an error IsFailure accepts). Its result replaces the error; Execute
	// returns the zero value with it. It is not called for errors that are
	// not failures, for the caller's cancellation, nor by [Transport].
	// [WithFallback] gives a fallback that can also supply a value.
	Fallback func(ctx context.Context, err error) error

	// Now, if set, is the breaker's clock; tests inject a fake one. By
	// default the breaker reads the monotonic clock (time.Since a base taken
	// in New), which is cheaper than time.Now.
	Now func() time.Time
}

// Validate reports fields that are out of range, each as an error matching
// [ErrInvalidSettings]. [New] does not fail on them; such fields take their
// defaults.
func (s Settings) Validate() error {
	var errs []error
	nonNegative := func(field string, d time.Duration) {
		if d < 0 {
			errs = append(errs, invalid(field, d, "must not be negative"))
		}
	}
	percent := func(field string, p float64) {
		if !(p >= 0 && p <= 100) {
			errs = append(errs, invalid(field, p, "must be a percentage in (0, 100]"))
		}
	}
	nonNegative("Timeout", s.Timeout)
	percent("FailureRateThreshold", s.FailureRateThreshold)
	if s.MinimumRequests < 0 {
		errs = append(errs, invalid("MinimumRequests", s.MinimumRequests, "must not be negative"))
	}
	nonNegative("Window", s.Window)
	if s.Window > 0 && s.Window < numBuckets {
		errs = append(errs, invalid("Window", s.Window, "must be at least 10ns"))
	}
	nonNegative("ResetTimeout", s.ResetTimeout)
	if s.HalfOpenMaxCalls < 0 {
		errs = append(errs, invalid("HalfOpenMaxCalls", s.HalfOpenMaxCalls, "must not be negative"))
	}
	nonNegative("SlowCallDuration", s.SlowCallDuration)
	percent("SlowCallRateThreshold", s.SlowCallRateThreshold)
	return errors.Join(errs...)
}

// withDefaults returns s with zero and invalid fields replaced by defaults.
func (s Settings) withDefaults() Settings {
	if s.Timeout < 0 {
		s.Timeout = 0
	}
	if !(s.FailureRateThreshold > 0 && s.FailureRateThreshold <= 100) {
		s.FailureRateThreshold = DefaultFailureRateThreshold
	}
	if s.MinimumRequests <= 0 {
		s.MinimumRequests = DefaultMinimumRequests
	}
	if s.Window < numBuckets {
		s.Window = DefaultWindow
	}
	if s.ResetTimeout <= 0 {
		s.ResetTimeout = DefaultResetTimeout
	}
	if s.HalfOpenMaxCalls <= 0 {
		s.HalfOpenMaxCalls = DefaultHalfOpenMaxCalls
	}
	if s.SlowCallDuration < 0 {
		s.SlowCallDuration = 0
	}
	if !(s.SlowCallRateThreshold > 0 && s.SlowCallRateThreshold <= 100) {
		s.SlowCallRateThreshold = DefaultSlowCallRate
	}
	return s
}
