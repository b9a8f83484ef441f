package metrics

import (
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// boundedNames is a set of caller-chosen label values that grows up to a
// bound: the first max valid names seen keep series of their own, and
// every later one is recorded as [Other].
type boundedNames struct {
	max int

	mu    sync.Mutex
	names map[string]struct{}
}

func newBoundedNames(max int) *boundedNames {
	return &boundedNames{max: max, names: make(map[string]struct{})}
}

// label returns name if it has, or can still get, series of its own, and
// Other otherwise.
func (b *boundedNames) label(name string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.names[name]; ok {
		return name
	}
	if len(b.names) >= b.max || name == Other || !validLabelValue(name) {
		return Other
	}
	name = strings.Clone(name)
	b.names[name] = struct{}{}
	return name
}

// breakers holds the breaker series and the bounded set of breaker names.
type breakers struct {
	state *prometheus.GaugeVec   // name
	trans *prometheus.CounterVec // name, to
	names *boundedNames
}

func newBreakers(state *prometheus.GaugeVec, trans *prometheus.CounterVec, maxNames int) *breakers {
	return &breakers{state: state, trans: trans, names: newBoundedNames(maxNames)}
}

// set records that breaker name is now in state to.
func (b *breakers) set(name, to string, transition bool) {
	label := b.names.label(name)
	toLabel, value, known := breakerState(to)
	if known {
		b.state.WithLabelValues(label).Set(value)
	}
	if transition {
		b.trans.WithLabelValues(label, toLabel).Inc()
	}
}

// breakerState maps a state name to its label value and gauge value. It
// accepts the spellings breaker libraries use: "half-open", "half_open",
// "halfopen" (any case).
func breakerState(s string) (label string, value float64, known bool) {
	switch strings.ToLower(s) {
	case BreakerClosed:
		return BreakerClosed, 0, true
	case BreakerHalfOpen, "half_open", "halfopen", "half open":
		return BreakerHalfOpen, 1, true
	case BreakerOpen:
		return BreakerOpen, 2, true
	}
	return Other, 0, false
}

// BreakerObserver returns a function to plug into a circuit breaker's
// state-change hook. Each call sets breaker_state{name} to the new state
// (0 closed, 1 half-open, 2 open) and counts breaker_transitions_total{name,to}.
// States are matched by name ([BreakerClosed], [BreakerHalfOpen],
// [BreakerOpen]; "half_open" also works), so this package needs no breaker
// library. An unknown state counts a transition to [Other] and leaves the
// gauge alone. The first [WithMaxBreakers] names get series of their own;
// later ones share name="other", whose gauge then holds the latest state
// reported by any of them.
//
// With tunekit's resilience package:
//
//	observe := business.BreakerObserver()
//	settings.OnStateChange = func(name string, from, to resilience.State) {
//		observe(name, from.String(), to.String())
//	}
//
// The returned function is safe for concurrent use and does not block on
// anything but a short internal lock.
func (b *Business) BreakerObserver() func(name string, from, to string) {
	if b == nil {
		return func(string, string, string) {}
	}
	return func(name string, _, to string) { b.breakers.set(name, to, true) }
}

// SetBreakerState sets breaker_state{name} without counting a transition,
// so a breaker shows up (usually closed) before its first state change.
func (b *Business) SetBreakerState(name, state string) {
	if b == nil {
		return
	}
	b.breakers.set(name, state, false)
}
