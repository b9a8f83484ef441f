package node

import (
	"math"
	"testing"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

func TestPenaltyFormula(t *testing.T) {
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-6 }
	for _, tc := range []struct {
		name          string
		playing, seen int
		load          float64
		fs            *lavalink.FrameStats
		want          float64
	}{
		{"idle", 0, 0, 0, nil, 0},
		{"players", 7, 0, 0, nil, 7},
		{"seen players count when higher", 2, 5, 0, nil, 5},
		{"half load", 0, 0, 0.5, nil, math.Pow(1.05, 50)*10 - 10},
		{"full load", 0, 0, 1, nil, math.Pow(1.05, 100)*10 - 10},
		{"load above 1 clamped", 0, 0, 7, nil, math.Pow(1.05, 100)*10 - 10},
		{"negative load clamped", 0, 0, -3, nil, 0},
		{"NaN load", 0, 0, math.NaN(), nil, 0},
		{"deficit", 0, 0, 0, &lavalink.FrameStats{Sent: 2700, Deficit: 300}, math.Pow(1.03, 50)*600 - 600},
		{"nulled", 0, 0, 0, &lavalink.FrameStats{Sent: 2700, Nulled: 300}, (math.Pow(1.03, 50)*300 - 300) * 2},
		{"surplus is negative", 0, 0, 0, &lavalink.FrameStats{Sent: 3300, Deficit: -300}, math.Pow(1.03, -50)*600 - 600},
		{"deficit -1 means none", 4, 0, 0, &lavalink.FrameStats{Deficit: -1, Nulled: 3000}, 4},
		{"huge deficit clamped", 0, 0, 0, &lavalink.FrameStats{Deficit: math.MaxInt, Nulled: math.MaxInt}, math.Pow(1.03, 500)*600 - 600 + (math.Pow(1.03, 500)*300-300)*2},
		{"negative players", -5, 0, 0, nil, 0},
	} {
		got := penalty(tc.playing, tc.seen, tc.load, tc.fs)
		if !near(got, tc.want) {
			t.Errorf("%s: penalty(%d, %d, %v, %+v) = %v, want %v", tc.name, tc.playing, tc.seen, tc.load, tc.fs, got, tc.want)
		}
		if math.IsInf(got, 0) || math.IsNaN(got) || got >= UnavailablePenalty {
			t.Errorf("%s: penalty = %v, want finite", tc.name, got)
		}
	}
}

func TestPenaltyOrdering(t *testing.T) {
	// Each case is less loaded than the next.
	ladder := []struct {
		name    string
		playing int
		load    float64
		fs      *lavalink.FrameStats
	}{
		{"surplus frames", 0, 0, &lavalink.FrameStats{Sent: 3100, Deficit: -100}},
		{"idle", 0, 0, nil},
		{"one player", 1, 0, nil},
		{"light cpu", 1, 0.1, nil},
		{"many players", 30, 0.1, nil},
		{"busy cpu", 30, 0.8, nil},
		{"dropping frames", 30, 0.8, &lavalink.FrameStats{Sent: 2500, Nulled: 100, Deficit: 400}},
	}
	for i := 1; i < len(ladder); i++ {
		a, b := ladder[i-1], ladder[i]
		pa, pb := penalty(a.playing, 0, a.load, a.fs), penalty(b.playing, 0, b.load, b.fs)
		if !(pa < pb) {
			t.Errorf("penalty(%s) = %v, not below penalty(%s) = %v", a.name, pa, b.name, pb)
		}
	}
}

// stubNode returns an unstarted node whose connection state the test sets.
func stubNode(t *testing.T, name string, connected bool, stats *lavalink.Stats) *Node {
	t.Helper()
	h := newHarness(t, "127.0.0.1:1", "pw", func(c *Config) { c.Name = name })
	n := h.n
	n.connected = connected
	if stats != nil {
		n.stats, n.hasStats = *stats, true
	}
	return n
}

func TestPenaltyOfNode(t *testing.T) {
	loaded := &lavalink.Stats{PlayingPlayers: 3, CPU: lavalink.CPU{Cores: 2, SystemLoad: 0.2}}
	if p := stubNode(t, "a", false, loaded).Penalty(); p != UnavailablePenalty {
		t.Errorf("disconnected node Penalty() = %v, want UnavailablePenalty", p)
	}
	noStats := stubNode(t, "b", true, nil)
	if p := noStats.Penalty(); p != UnavailablePenalty {
		t.Errorf("node without stats Penalty() = %v, want UnavailablePenalty", p)
	}
	n := stubNode(t, "c", true, loaded)
	if got, want := n.Penalty(), penalty(3, 0, 0.2, nil); got != want {
		t.Errorf("Penalty() = %v, want %v", got, want)
	}
	for g := range 5 {
		n.playing[testGuild+snowflake.ID(g)] = struct{}{}
	}
	if got, want := n.Penalty(), penalty(5, 0, 0.2, nil); got != want {
		t.Errorf("Penalty() with 5 players seen = %v, want %v", got, want)
	}
	n.stats.FrameStats = &lavalink.FrameStats{Sent: 2000, Deficit: 1000}
	if got, want := n.Penalty(), penalty(5, 0, 0.2, n.stats.FrameStats); got != want || got <= penalty(5, 0, 0.2, nil) {
		t.Errorf("Penalty() with a frame deficit = %v, want %v", got, want)
	}
	// Snapshots do not share the frame stats.
	s, _ := n.Stats()
	s.FrameStats.Deficit = 0
	if n.stats.FrameStats.Deficit != 1000 {
		t.Error("Stats() returned the node's own FrameStats")
	}
}

func TestBest(t *testing.T) {
	light := stubNode(t, "light", true, &lavalink.Stats{PlayingPlayers: 1})
	heavy := stubNode(t, "heavy", true, &lavalink.Stats{PlayingPlayers: 50, CPU: lavalink.CPU{SystemLoad: 0.9}})
	twin := stubNode(t, "twin", true, &lavalink.Stats{PlayingPlayers: 1})
	down := stubNode(t, "down", false, nil)
	noStats := stubNode(t, "nostats", true, nil)
	for _, tc := range []struct {
		nodes []*Node
		want  *Node
	}{
		{[]*Node{heavy, light}, light},
		{[]*Node{light, heavy}, light},
		{[]*Node{down, heavy}, heavy},
		{[]*Node{twin, light}, twin},
		{[]*Node{light, twin}, light},
		{[]*Node{noStats, heavy}, heavy},
		{[]*Node{down, noStats}, noStats},
		{[]*Node{down, nil}, nil},
		{nil, nil},
	} {
		got, ok := Best(tc.nodes)
		if got != tc.want || ok != (tc.want != nil) {
			names := make([]string, len(tc.nodes))
			for i, n := range tc.nodes {
				names[i] = name(n)
			}
			t.Errorf("Best(%v) = %s, %v; want %s", names, name(got), ok, name(tc.want))
		}
	}
}
