package metrics_test

import (
	"strings"
	"testing"

	"github.com/tunekit/tunekit/metrics"
)

func TestBreakerObserver(t *testing.T) {
	t.Parallel()
	type change struct{ name, from, to string }
	tests := []struct {
		name      string
		changes   []change
		breaker   string  // label value to check
		wantState float64 // breaker_state
		wantTo    map[string]float64
	}{
		{
			name:      "opens",
			changes:   []change{{"redis", "closed", "open"}},
			breaker:   "redis",
			wantState: 2,
			wantTo:    map[string]float64{"open": 1},
		},
		{
			name: "full cycle",
			changes: []change{
				{"lavalink:main", "closed", "open"},
				{"lavalink:main", "open", "half-open"},
				{"lavalink:main", "half-open", "open"},
				{"lavalink:main", "open", "half-open"},
				{"lavalink:main", "half-open", "closed"},
			},
			breaker:   "lavalink:main",
			wantState: 0,
			wantTo:    map[string]float64{"open": 2, "half-open": 2, "closed": 1},
		},
		{
			name:      "other spellings of half-open",
			changes:   []change{{"db", "OPEN", "HALF_OPEN"}, {"db", "half_open", "HalfOpen"}},
			breaker:   "db",
			wantState: 1,
			wantTo:    map[string]float64{"half-open": 2},
		},
		{
			name:      "unknown state leaves the gauge",
			changes:   []change{{"db", "closed", "open"}, {"db", "open", "melted"}},
			breaker:   "db",
			wantState: 2,
			wantTo:    map[string]float64{"open": 1, "other": 1},
		},
		{
			name:      "invalid name",
			changes:   []change{{"bad\xffname", "closed", "open"}},
			breaker:   "other",
			wantState: 2,
			wantTo:    map[string]float64{"open": 1},
		},
		{
			name:      "name other is not a breaker of its own",
			changes:   []change{{"other", "closed", "open"}},
			breaker:   "other",
			wantState: 2,
			wantTo:    map[string]float64{"open": 1},
		},
		{
			name:      "too long name",
			changes:   []change{{strings.Repeat("n", 100), "closed", "open"}},
			breaker:   "other",
			wantState: 2,
			wantTo:    map[string]float64{"open": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, reg := newBusiness(t)
			observe := b.BreakerObserver()
			for _, c := range tt.changes {
				observe(c.name, c.from, c.to)
			}
			if got := value(t, reg, "tunekit_breaker_state", map[string]string{"name": tt.breaker}); got != tt.wantState {
				t.Errorf("breaker_state{name=%q} = %v, want %v", tt.breaker, got, tt.wantState)
			}
			for to, want := range tt.wantTo {
				if got := value(t, reg, "tunekit_breaker_transitions_total", map[string]string{"name": tt.breaker, "to": to}); got != want {
					t.Errorf("breaker_transitions_total{name=%q,to=%q} = %v, want %v", tt.breaker, to, got, want)
				}
			}
			if got, want := len(labelValues(t, reg, "tunekit_breaker_transitions_total", "to")), len(tt.wantTo); got != want {
				t.Errorf("distinct to labels = %d, want %d", got, want)
			}
		})
	}
}

func TestBreakerNamesAreBounded(t *testing.T) {
	t.Parallel()
	b, reg := newBusiness(t, metrics.WithMaxBreakers(2))
	observe := b.BreakerObserver()
	observe("a", "closed", "open")
	observe("b", "closed", "open")
	observe("c", "closed", "half-open") // third name: other
	observe("a", "open", "closed")      // known names keep their series
	if got, want := join(labelValues(t, reg, "tunekit_breaker_state", "name")), "a,b,other"; got != want {
		t.Errorf("breaker names = %s, want %s", got, want)
	}
	want := map[string]float64{"a": 0, "b": 2, "other": 1}
	for name, state := range want {
		if got := value(t, reg, "tunekit_breaker_state", map[string]string{"name": name}); got != state {
			t.Errorf("breaker_state{name=%q} = %v, want %v", name, got, state)
		}
	}
}

func TestSetBreakerState(t *testing.T) {
	t.Parallel()
	b, reg := newBusiness(t)
	b.SetBreakerState("redis", metrics.BreakerClosed)
	if got := value(t, reg, "tunekit_breaker_state", map[string]string{"name": "redis"}); got != 0 {
		t.Errorf("breaker_state{name=redis} = %v, want 0", got)
	}
	b.SetBreakerState("redis", metrics.BreakerOpen)
	if got := value(t, reg, "tunekit_breaker_state", map[string]string{"name": "redis"}); got != 2 {
		t.Errorf("breaker_state{name=redis} = %v, want 2", got)
	}
	if n := seriesCount(t, reg)["tunekit_breaker_transitions_total"]; n != 0 {
		t.Errorf("transition series after SetBreakerState = %d, want 0", n)
	}
}

func TestLavalinkPlayerNodesAreBounded(t *testing.T) {
	t.Parallel()
	b, reg := newBusiness(t, metrics.WithMaxNodes(2))
	b.SetLavalinkPlayers("eu-1", 10)
	b.SetLavalinkPlayers("us-1", 4)
	b.SetLavalinkPlayers("ap-1", 6) // third name: other
	b.SetLavalinkPlayers("eu-1", 9) // known names keep their series
	if got, want := join(labelValues(t, reg, "tunekit_lavalink_players", "node")), "eu-1,other,us-1"; got != want {
		t.Errorf("node names = %s, want %s", got, want)
	}
	want := map[string]float64{"eu-1": 9, "us-1": 4, "other": 6}
	for name, n := range want {
		if got := value(t, reg, "tunekit_lavalink_players", map[string]string{"node": name}); got != n {
			t.Errorf("lavalink_players{node=%q} = %v, want %v", name, got, n)
		}
	}
}
