package ratelimit

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"
)

// Defaults of [NewFailSafe].
const (
	DefaultFallbackFactor   = 0.5
	DefaultFailureThreshold = 3
	DefaultCooldown         = 5 * time.Second
)

// ErrCircuitOpen stands for the primary in an [*UnavailableError] when
// the fail-safe limiter did not call it, because it failed repeatedly and
// its cooldown has not passed.
var ErrCircuitOpen = errors.New("ratelimit: primary skipped during cooldown")

// ErrUnavailable matches every [*UnavailableError].
var ErrUnavailable = errors.New("ratelimit: no limiter available")

// UnavailableError is returned, with a denial, when a fail-safe limiter's
// primary and fallback both failed. It matches [ErrUnavailable], and
// errors.Is and errors.As also see both causes.
type UnavailableError struct {
	Primary, Fallback error
}

// Error names both failures.
func (e *UnavailableError) Error() string {
	return "ratelimit: primary and fallback limiters failed: " + e.Primary.Error() + "; " + e.Fallback.Error()
}

// Unwrap returns the primary's and the fallback's errors.
func (e *UnavailableError) Unwrap() []error { return []error{e.Primary, e.Fallback} }

// Is reports whether target is [ErrUnavailable].
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// FailSafeOption configures [NewFailSafe].
type FailSafeOption func(*failSafeConfig)

type failSafeConfig struct {
	factor     float64
	instances  int
	threshold  int
	cooldown   time.Duration
	timeout    time.Duration
	onFallback func(error)
	onDecision func(string, Decision)
}

// FallbackFactor sets the share of each limit the fallback allows while
// the primary is failing. Values above 1 are treated as 1, so an outage
// never loosens a limit; zero, negative and NaN values select the
// default, [DefaultFallbackFactor].
func FallbackFactor(f float64) FailSafeOption {
	return func(c *failSafeConfig) { c.factor = f }
}

// Instances says how many bot processes share the primary's limits. The
// fallback, which only sees its own process, then allows limit × factor
// / n, so the fleet as a whole stays under the limit. Default: 1.
func Instances(n int) FailSafeOption {
	return func(c *failSafeConfig) { c.instances = n }
}

// FailureThreshold sets after how many consecutive primary failures the
// fail-safe limiter stops calling the primary for a cooldown. Values
// below 1 select the default, [DefaultFailureThreshold].
func FailureThreshold(n int) FailSafeOption {
	return func(c *failSafeConfig) { c.threshold = n }
}

// Cooldown sets how long the primary is skipped once the failure
// threshold is reached; after it one call probes the primary again.
// Values below 1 select the default, [DefaultCooldown].
func Cooldown(d time.Duration) FailSafeOption {
	return func(c *failSafeConfig) { c.cooldown = d }
}

// PrimaryTimeout bounds each primary call, so a hung primary is treated
// as failed after d instead of after the client's own timeouts. Default:
// 0, no bound of its own.
func PrimaryTimeout(d time.Duration) FailSafeOption {
	return func(c *failSafeConfig) { c.timeout = d }
}

// OnFallback registers fn to be called with the primary's error each
// time a call falls back because the primary failed (not for the calls
// skipped during a cooldown). fn runs in the calling goroutine, outside
// any lock.
func OnFallback(fn func(err error)) FailSafeOption {
	return func(c *failSafeConfig) { c.onFallback = fn }
}

// OnDecision registers fn to be called with every decision the fail-safe
// limiter returns, including denials that come with an error. fn runs in
// the calling goroutine, outside any lock.
func OnDecision(fn func(key string, d Decision)) FailSafeOption {
	return func(c *failSafeConfig) { c.onDecision = fn }
}

// failSafe is the limiter returned by NewFailSafe.
type failSafe struct {
	primary, fallback Limiter
	cfg               failSafeConfig

	mu          sync.Mutex
	failures    int       // consecutive primary failures
	openUntil   time.Time // the primary is skipped before this
	probing     bool      // a call is probing the primary after a cooldown
	degraded    bool      // the fallback decided since the last primary success
	recoveredAt time.Time // first primary success after the fallback decided
}

// NewFailSafe returns a [Limiter] that asks primary (usually [NewRedis])
// and, when primary fails, asks fallback (usually [NewMemory]) under a
// stricter limit. It never fails open; see the package documentation for
// the full behaviour. A nil primary or fallback counts as one that always
// fails.
func NewFailSafe(primary, fallback Limiter, opts ...FailSafeOption) Limiter {
	cfg := failSafeConfig{instances: 1}
	for _, opt := range opts {
		opt(&cfg)
	}
	switch {
	case !(cfg.factor > 0): // also NaN
		cfg.factor = DefaultFallbackFactor
	case cfg.factor > 1:
		cfg.factor = 1
	}
	cfg.instances = max(cfg.instances, 1)
	if cfg.threshold < 1 {
		cfg.threshold = DefaultFailureThreshold
	}
	if cfg.cooldown <= 0 {
		cfg.cooldown = DefaultCooldown
	}
	if primary == nil {
		primary = brokenLimiter{errors.New("ratelimit: nil primary limiter")}
	}
	if fallback == nil {
		fallback = brokenLimiter{errors.New("ratelimit: nil fallback limiter")}
	}
	return &failSafe{primary: primary, fallback: fallback, cfg: cfg}
}

// Allow is AllowN with n = 1.
func (f *failSafe) Allow(ctx context.Context, key string, limit Limit) (Decision, error) {
	return f.AllowN(ctx, key, limit, 1)
}

// AllowN decides n events for key, reporting the decision to OnDecision.
func (f *failSafe) AllowN(ctx context.Context, key string, limit Limit, n int) (Decision, error) {
	d, err := f.decide(ctx, key, limit, n)
	if err != nil {
		d.Allowed = false
	}
	if f.cfg.onDecision != nil {
		f.cfg.onDecision(key, d)
	}
	return d, err
}

func (f *failSafe) decide(ctx context.Context, key string, limit Limit, n int) (Decision, error) {
	if err := limit.check(n); err != nil {
		return Decision{}, err
	}
	if err := ctx.Err(); err != nil {
		return Decision{}, err
	}
	perInstance := 1 / float64(f.cfg.instances)
	now := time.Now()
	primaryErr := ErrCircuitOpen
	if call, probe := f.admit(now); call {
		d, err := f.callPrimary(ctx, key, limit, n)
		if err == nil {
			recoveredAt := f.succeeded(now)
			if !d.Allowed {
				return d, nil
			}
			// Record the events in the fallback too, so that it knows what
			// this process admitted recently if the primary fails. Just
			// after an outage the fallback still holds what it admitted
			// alone, and the stricter answer wins.
			fd, ferr := f.fallback.AllowN(ctx, key, share(limit, perInstance), n)
			if ferr == nil && !fd.Allowed && !recoveredAt.IsZero() && now.Sub(recoveredAt) < limit.Period {
				fd.Backend = BackendFallback
				return fd, nil
			}
			return d, nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			// The caller gave up; that says nothing about the primary.
			f.abandon(probe)
			return Decision{}, ctxErr
		}
		f.failed(now, probe)
		if f.cfg.onFallback != nil {
			f.cfg.onFallback(err)
		}
		primaryErr = err
	}
	strict := share(limit, f.cfg.factor*perInstance)
	if n > strict.Max() {
		// The stricter limit can never admit n events at once.
		return Decision{Backend: BackendFallback}, nil
	}
	d, err := f.fallback.AllowN(ctx, key, strict, n)
	d.Backend = BackendFallback
	if err != nil {
		return d, &UnavailableError{Primary: primaryErr, Fallback: err}
	}
	f.mu.Lock()
	f.degraded = true
	f.mu.Unlock()
	return d, nil
}

func (f *failSafe) callPrimary(ctx context.Context, key string, limit Limit, n int) (Decision, error) {
	if f.cfg.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.cfg.timeout)
		defer cancel()
	}
	return f.primary.AllowN(ctx, key, limit, n)
}

// admit reports whether to call the primary now, and whether that call is
// the single probe after a cooldown.
func (f *failSafe) admit(now time.Time) (call, probe bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.failures < f.cfg.threshold:
		return true, false
	case f.probing || now.Before(f.openUntil):
		return false, false
	}
	f.probing = true
	return true, true
}

// succeeded records a primary success and returns when the primary
// recovered from the last outage (zero if there was none).
func (f *failSafe) succeeded(now time.Time) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = 0
	f.probing = false
	if f.degraded {
		f.degraded = false
		f.recoveredAt = now
	}
	return f.recoveredAt
}

func (f *failSafe) failed(now time.Time, probe bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures++
	if probe {
		f.probing = false
	}
	if f.failures >= f.cfg.threshold {
		f.openUntil = now.Add(f.cfg.cooldown)
	}
}

func (f *failSafe) abandon(probe bool) {
	if probe {
		f.mu.Lock()
		f.probing = false
		f.mu.Unlock()
	}
}

// share scales a limit down by factor (at most 1), rounding down but
// keeping at least one event per period.
func share(l Limit, factor float64) Limit {
	rate := max(int(math.Floor(float64(l.Rate)*factor)), 1)
	total := max(int(math.Floor(float64(l.Max())*factor)), rate)
	return Limit{Rate: rate, Period: l.Period, Burst: total - rate}
}

// brokenLimiter stands in for a nil Limiter.
type brokenLimiter struct{ err error }

func (b brokenLimiter) Allow(context.Context, string, Limit) (Decision, error) {
	return Decision{}, b.err
}

func (b brokenLimiter) AllowN(context.Context, string, Limit, int) (Decision, error) {
	return Decision{}, b.err
}
