package resilience

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// State is the state of a [Breaker].
type State uint32

// The states of a [Breaker].
const (
	// StateClosed lets every call through and watches the failure rate.
	StateClosed State = iota
	// StateHalfOpen lets a few probe calls through to test recovery.
	StateHalfOpen
	// StateOpen refuses every call until ResetTimeout has passed.
	StateOpen
)

// String returns "closed", "half-open" or "open".
func (s State) String() string {
	switch s {
	case StateClosed:
		return "closed"
	case StateHalfOpen:
		return "half-open"
	case StateOpen:
		return "open"
	}
	return "state(" + strconv.FormatUint(uint64(s), 10) + ")"
}

// Counts is a snapshot of what a [Breaker] has seen in its current state.
// Closed: the calls in the rolling window. Half-open: the probes finished
// so far. Open: the window as it was when the breaker opened (or the probe
// that reopened it). Rejected counts the calls refused since the last
// transition.
type Counts struct {
	Requests  int // calls finished and counted (successes + failures)
	Successes int
	Failures  int
	SlowCalls int // calls at or over SlowCallDuration, whatever their result
	Rejected  int
}

// Breaker is a circuit breaker: it watches the calls made through it and,
// when too many fail (or are slow) within a rolling window, it opens and
// refuses calls for a while so the service can recover. Create one with
// [New]. A Breaker is safe for concurrent use.
type Breaker struct {
	name string
	s    Settings
	base time.Time
	slow bool // SlowCallDuration > 0

	// word mirrors gen<<2 | state so the closed-state fast path admits a
	// call with one atomic load.
	word atomic.Uint64

	mu        sync.Mutex
	state     State
	gen       uint64 // bumped on every transition; stale results are ignored
	win       window
	openedAt  time.Duration
	frozen    Counts // what Counts reports while open
	probe     Counts // half-open probes finished
	probes    int    // half-open probes admitted and not released
	rejected  int
	pending   []transition
	notifying bool
}

type transition struct{ from, to State }

// ticket is what admission hands to the code that records the result.
type ticket struct {
	gen   uint64
	start time.Duration // set only when slow calls are tracked
	done  bool
}

// outcome classifies a finished call.
type outcome uint8

const (
	success outcome = iota
	failure
	ignored // the caller cancelled: says nothing about the service
)

// New returns a closed breaker for the service called name (used in errors
// and passed to OnStateChange). Zero or invalid fields of s take their
// defaults; see [Settings].
func New(name string, s Settings) *Breaker {
	b := &Breaker{name: name, s: s.withDefaults()}
	b.slow = b.s.SlowCallDuration > 0
	if b.s.Now != nil {
		b.base = b.s.Now()
	} else {
		b.base = time.Now()
	}
	b.win = newWindow(b.s.Window)
	return b
}

// Name returns the name given to [New].
func (b *Breaker) Name() string { return b.name }

// State returns the current state. An open breaker whose ResetTimeout has
// passed turns half-open here (transitions are lazy: they happen on a call,
// State or Counts).
func (b *Breaker) State() State {
	if st := State(b.word.Load() & 3); st != StateOpen {
		return st
	}
	now := b.elapsed()
	b.mu.Lock()
	changed := b.tick(now)
	st := b.state
	b.mu.Unlock()
	if changed {
		b.notify()
	}
	return st
}

// Counts returns a snapshot of the counts in the current state.
func (b *Breaker) Counts() Counts {
	now := b.elapsed()
	b.mu.Lock()
	changed := b.tick(now)
	var c Counts
	switch b.state {
	case StateClosed:
		b.win.advance(now)
		t := b.win.total
		c = Counts{Requests: t.calls, Successes: t.calls - t.failures, Failures: t.failures, SlowCalls: t.slow}
	case StateHalfOpen:
		c = b.probe
	case StateOpen:
		c = b.frozen
	}
	c.Rejected = b.rejected
	b.mu.Unlock()
	if changed {
		b.notify()
	}
	return c
}

// Do calls fn through the breaker and returns its error.
//
// If ctx is already done, Do returns ctx.Err() without calling fn. If the
// breaker refuses the call, Do returns an [*UnavailableError] matching
// [ErrOpen] (or what Settings.Fallback makes of it) without calling fn.
// Otherwise fn runs on the caller's goroutine with ctx, bounded by
// Settings.Timeout, and its result is counted: nil is a success; an error
// is a failure unless IsFailure says otherwise or ctx was cancelled by the
// caller, which is not counted at all.
func (b *Breaker) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	failed, err := b.run(ctx, fn)
	if failed && b.s.Fallback != nil {
		return b.s.Fallback(ctx, err)
	}
	return err
}

// Execute is [Breaker.Do] for a call that returns a value. When the call
// fails or is refused and Settings.Fallback is set, Execute returns the zero
// value and the fallback's error; use [WithFallback] to supply a value.
func Execute[T any](ctx context.Context, b *Breaker, fn func(ctx context.Context) (T, error)) (T, error) {
	v, failed, err := execute(ctx, b, fn)
	if failed && b.s.Fallback != nil {
		var zero T
		return zero, b.s.Fallback(ctx, err)
	}
	return v, err
}

// execute runs fn through b and reports whether a fallback applies.
func execute[T any](ctx context.Context, b *Breaker, fn func(context.Context) (T, error)) (T, bool, error) {
	var v T
	var fnErr error
	failed, err := b.run(ctx, func(ctx context.Context) error {
		v, fnErr = fn(ctx)
		return fnErr
	})
	if err != nil && fnErr == nil {
		// Refused, or a late success turned into a timeout.
		var zero T
		v = zero
	}
	return v, failed, err
}

// run is the core of Do and Execute: admit, call, classify, record. It
// reports whether the result is a refusal or a counted failure.
func (b *Breaker) run(ctx context.Context, fn func(context.Context) error) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	t, err := b.admit()
	if err != nil {
		return true, err
	}
	defer b.abandon(&t)
	if b.s.Timeout <= 0 {
		err = fn(ctx)
		o := b.classify(ctx, err)
		b.record(&t, o)
		return o == failure, err
	}
	cctx, cancel := context.WithTimeout(ctx, b.s.Timeout)
	err = fn(cctx)
	timedOut := cctx.Err() != nil && ctx.Err() == nil
	cancel()
	if timedOut {
		b.record(&t, failure)
		return true, &TimeoutError{Service: b.name, Timeout: b.s.Timeout, Err: err}
	}
	o := b.classify(ctx, err)
	b.record(&t, o)
	return o == failure, err
}

// classify decides what a call that returned err (not a timeout) means.
func (b *Breaker) classify(ctx context.Context, err error) outcome {
	switch {
	case err == nil:
		return success
	case ctx.Err() == context.Canceled:
		return ignored
	case b.s.IsFailure != nil && !b.s.IsFailure(err):
		return success
	}
	return failure
}

// elapsed reads the clock once: time since the breaker's base.
func (b *Breaker) elapsed() time.Duration {
	if b.s.Now != nil {
		return max(b.s.Now().Sub(b.base), 0)
	}
	return time.Since(b.base)
}

// admit decides whether a call may run. The closed state needs no lock.
func (b *Breaker) admit() (ticket, error) {
	w := b.word.Load()
	if State(w&3) == StateClosed {
		t := ticket{gen: w >> 2}
		if b.slow {
			t.start = b.elapsed()
		}
		return t, nil
	}
	return b.admitLocked()
}

func (b *Breaker) admitLocked() (ticket, error) {
	now := b.elapsed()
	b.mu.Lock()
	changed := b.tick(now)
	t := ticket{gen: b.gen, start: now}
	var err error
	switch {
	case b.state == StateClosed:
	case b.state == StateHalfOpen && b.probes < b.s.HalfOpenMaxCalls:
		b.probes++
	default:
		b.rejected++
		err = b.refusal(now)
	}
	b.mu.Unlock()
	if changed {
		b.notify()
	}
	return t, err
}

// refusal builds the error for a refused call. b.mu is held.
func (b *Breaker) refusal(now time.Duration) error {
	var after time.Duration
	if b.state == StateOpen {
		after = max(b.openedAt+b.s.ResetTimeout-now, 0)
	}
	return &UnavailableError{Service: b.name, RetryAfter: after, Err: ErrOpen}
}

// abandon records a call that panicked (it never reached record) as a
// failure, so a half-open probe slot is never lost.
func (b *Breaker) abandon(t *ticket) {
	if !t.done {
		b.record(t, failure)
	}
}

// record counts the result of an admitted call.
func (b *Breaker) record(t *ticket, o outcome) {
	t.done = true
	now := b.elapsed()
	slow := b.slow && now-t.start >= b.s.SlowCallDuration
	b.mu.Lock()
	if t.gen != b.gen {
		// Admitted before the last transition: says nothing about now.
		b.mu.Unlock()
		return
	}
	changed := false
	switch b.state {
	case StateClosed:
		if o == ignored {
			break
		}
		b.win.add(now, o == failure, slow)
		if b.tripped() {
			b.setState(StateOpen, now)
			changed = true
		}
	case StateHalfOpen:
		switch {
		case o == ignored:
			b.probes-- // free the slot for another probe
		case o == failure || slow:
			b.probe.Requests++
			b.probe.Failures++
			if slow {
				b.probe.SlowCalls++
			}
			b.setState(StateOpen, now)
			changed = true
		default:
			b.probe.Requests++
			b.probe.Successes++
			if b.probe.Successes >= b.s.HalfOpenMaxCalls {
				b.setState(StateClosed, now)
				changed = true
			}
		}
	}
	b.mu.Unlock()
	if changed {
		b.notify()
	}
}

// tripped reports whether the closed window calls for opening. b.mu is held.
func (b *Breaker) tripped() bool {
	t := b.win.total
	if t.calls < b.s.MinimumRequests {
		return false
	}
	calls := float64(t.calls)
	if float64(t.failures)*100 >= b.s.FailureRateThreshold*calls {
		return true
	}
	return b.slow && float64(t.slow)*100 >= b.s.SlowCallRateThreshold*calls
}

// tick turns an open breaker half-open once ResetTimeout has passed and
// reports whether it did. b.mu is held.
func (b *Breaker) tick(now time.Duration) bool {
	if b.state == StateOpen && now-b.openedAt >= b.s.ResetTimeout {
		b.setState(StateHalfOpen, now)
		return true
	}
	return false
}

// setState moves to state to and queues the notification. b.mu is held.
func (b *Breaker) setState(to State, now time.Duration) {
	from := b.state
	switch to {
	case StateOpen:
		b.openedAt = now
		if from == StateClosed {
			t := b.win.total
			b.frozen = Counts{Requests: t.calls, Successes: t.calls - t.failures, Failures: t.failures, SlowCalls: t.slow}
		} else {
			b.frozen = b.probe
		}
	case StateHalfOpen:
		b.probe = Counts{}
		b.probes = 0
	case StateClosed:
		b.win.reset(now)
	}
	b.rejected = 0
	b.state = to
	b.gen++
	b.word.Store(b.gen<<2 | uint64(to))
	if b.s.OnStateChange != nil {
		b.pending = append(b.pending, transition{from, to})
	}
}

// notify delivers queued transitions to OnStateChange outside b.mu, one at
// a time and in order. If another goroutine is already delivering, it will
// deliver ours too, so a hook that calls back into the breaker (even one
// that causes a transition) cannot deadlock.
func (b *Breaker) notify() {
	b.mu.Lock()
	if b.notifying {
		b.mu.Unlock()
		return
	}
	b.notifying = true
	for len(b.pending) > 0 {
		tr := b.pending[0]
		b.pending = append(b.pending[:0], b.pending[1:]...)
		b.mu.Unlock()
		b.deliver(tr)
		b.mu.Lock()
	}
	b.notifying = false
	b.mu.Unlock()
}

// deliver calls the hook; if the hook panics, delivery is handed back so
// later transitions are still reported.
func (b *Breaker) deliver(tr transition) {
	ok := false
	defer func() {
		if !ok {
			b.mu.Lock()
			b.notifying = false
			b.mu.Unlock()
		}
	}()
	b.s.OnStateChange(b.name, tr.from, tr.to)
	ok = true
}
