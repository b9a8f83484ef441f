package music

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// startBalanced starts h and waits until the Manager has taken in every
// node's first stats op, so that players are placed by penalty alone: a
// tie goes to the first node.
func startBalanced(h *harness) {
	h.t.Helper()
	seen := make(chan string, 64)
	h.m.observeStats = func(ln *lavaNode) {
		select {
		case seen <- ln.name:
		default:
		}
	}
	h.start()
	got := map[string]bool{}
	timeout := time.After(patience)
	for len(got) < len(h.nodes) {
		select {
		case name := <-seen:
			got[name] = true
		case <-timeout:
			h.t.Fatalf("stats of %d of %d nodes taken in", len(got), len(h.nodes))
		}
	}
}

func TestDrainNode(t *testing.T) {
	business, reg := newMetrics(t)
	h := newHarness(t, harnessConfig{nodes: 2, noStart: true, cfg: func(c *Config) { c.Metrics = business },
		opts: []Option{WithMigrationLimits(1, 1)}})
	// Record the most moves in flight at once, as the supervisor sees them.
	var maxInflight atomic.Int64
	forward := h.m.sup.observe
	h.m.sup.observe = func(msg supMsg) {
		if n := int64(h.m.sup.inflight); n > maxInflight.Load() {
			maxInflight.Store(n) // only this goroutine stores
		}
		forward(msg)
	}
	startBalanced(h)
	h.addTracks("one", "two", "three", "four")
	guilds := []snowflake.ID{guildID, snowflakeID(2), snowflakeID(3)}
	on := map[snowflake.ID]string{}
	for i, g := range guilds {
		h.listen(g, userID, voiceID)
		if _, err := h.m.Play(h.ctx(), g, listener, []string{"one", "two", "three"}[i], PlaceEnd); err != nil {
			t.Fatal(err)
		}
		e := h.waitEvent(isType(TypeTrackStarted)).(TrackStarted)
		on[e.GuildID] = e.Node
	}
	// Ties go to the first node: guilds 1 and 3 on node-1, 2 on node-2.
	if on[guilds[0]] != "node-1" || on[guilds[1]] != "node-2" || on[guilds[2]] != "node-1" {
		t.Fatalf("placement = %v", on)
	}
	h.clock.Advance(30 * time.Second)

	ctx := h.ctx()
	if err := h.m.DrainNode(ctx, "node-1"); err != nil {
		t.Fatalf("DrainNode = %v", err)
	}
	// Drained means the node holds none of the players any more.
	for _, g := range []snowflake.ID{guilds[0], guilds[2]} {
		if _, ok := h.nodes[0].Player(g); ok {
			t.Errorf("DrainNode returned while guild %d still had a player on the node", g)
		}
	}
	moved := map[snowflake.ID]PlayerMoved{}
	for len(moved) < 2 {
		e := h.waitEvent(isType(TypePlayerMoved)).(PlayerMoved)
		moved[e.GuildID] = e
	}
	for _, g := range []snowflake.ID{guilds[0], guilds[2]} {
		e, ok := moved[g]
		if !ok || e.From != "node-1" || e.To != "node-2" || e.Position != 30*time.Second {
			t.Errorf("move of guild %d = %+v, want node-1 to node-2 at 30s", g, e)
		}
		if _, ok := h.nodes[0].Player(g); ok {
			t.Errorf("guild %d still has a player on the drained node", g)
		}
		np, ok := h.nodes[1].Player(g)
		if !ok || np.Track == nil || np.Position != 30*time.Second || !np.Connected || np.Paused {
			t.Errorf("guild %d on node-2 = %+v", g, np)
		}
	}
	if n := maxInflight.Load(); n > 1 {
		t.Errorf("moves in flight at once = %d, want at most 1", n)
	}
	st := h.m.Nodes()
	if !st[0].Draining || st[0].Players != 0 || st[1].Draining || st[1].Players != 3 || !st[0].Healthy {
		t.Errorf("Nodes() after the drain = %+v", st)
	}
	for node, want := range map[string]float64{"node-1": 0, "node-2": 3} {
		if got := metricValue(t, reg, "tunekit_lavalink_players", map[string]string{"node": node}); got != want {
			t.Errorf("lavalink_players{node=%q} = %v, want %v", node, got, want)
		}
	}
	// A new player goes to node-2 though node-1 is idle.
	g4 := snowflakeID(4)
	h.listen(g4, userID, voiceID)
	if _, err := h.m.Play(ctx, g4, listener, "four", PlaceEnd); err != nil {
		t.Fatal(err)
	}
	if e := h.waitEvent(isStarted("four")).(TrackStarted); e.Node != "node-2" {
		t.Errorf("new player on %s while node-1 drains", e.Node)
	}
	// Playback goes on: the moved tracks end and the queue moves.
	h.clock.Advance(150 * time.Second)
	h.waitEvent(func(e Event) bool { qe, ok := e.(QueueEnded); return ok && qe.GuildID == guilds[0] })

	if err := h.m.UndrainNode("node-1"); err != nil {
		t.Fatal(err)
	}
	if st := h.m.Nodes(); st[0].Draining {
		t.Error("node-1 still draining after UndrainNode")
	}
	g5 := snowflakeID(5)
	h.listen(g5, userID, voiceID)
	if _, err := h.m.Play(ctx, g5, listener, "one", PlaceEnd); err != nil {
		t.Fatal(err)
	}
	if e := h.waitEvent(func(e Event) bool { ts, ok := e.(TrackStarted); return ok && ts.GuildID == g5 }).(TrackStarted); e.Node != "node-1" {
		t.Errorf("new player on %s after undrain, want the idle node-1", e.Node)
	}
}

func TestDrainWithNowhereToGo(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	h.addTracks("one", "two")
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	ctx, cancel := context.WithCancel(h.ctx())
	cancel()
	if err := h.m.DrainNode(ctx, "node-1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("DrainNode of the only node = %v, want context.Canceled", err)
	}
	// The supervisor finds no node to move to: the player stays and plays.
	h.waitSup(func(m supMsg) bool { return m.kind == msgDrain })
	if np, ok := h.nodes[0].Player(guildID); !ok || np.Track == nil {
		t.Errorf("player on the draining node = %+v, %v; want it playing on", np, ok)
	}
	if err := h.m.Pause(h.ctx(), guildID, listener); err != nil {
		t.Errorf("Pause on a draining node = %v", err)
	}
	g := snowflakeID(2)
	h.listen(g, userID, voiceID)
	if _, err := h.m.Play(h.ctx(), g, listener, "two", PlaceEnd); !errors.Is(err, ErrServiceUnavailable) {
		t.Errorf("Play while the only node drains = %v, want ErrServiceUnavailable", err)
	}
	if !h.m.Nodes()[0].Draining {
		t.Error("Nodes() does not report the drain")
	}
}

func TestDrainMovesWhenANodeComesUp(t *testing.T) {
	h := newHarness(t, harnessConfig{nodes: 2, noStart: true, opts: []Option{WithGracePeriod(time.Hour)}})
	startBalanced(h)
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	if e := h.waitEvent(isStarted("one")).(TrackStarted); e.Node != "node-1" {
		t.Fatalf("played on %s", e.Node)
	}
	h.nodes[1].Kill()
	h.waitSup(func(m supMsg) bool { return m.kind == msgDown })
	done := make(chan error, 1)
	go func() { done <- h.m.DrainNode(h.ctx(), "node-1") }()
	h.waitSup(func(m supMsg) bool { return m.kind == msgDrain })
	if err := h.nodes[1].Restart(); err != nil {
		t.Fatal(err)
	}
	h.advanceUntilSup(time.Second, func(m supMsg) bool { return m.kind == msgUp && m.ln.name == "node-2" })
	if e := h.waitEvent(isType(TypePlayerMoved)).(PlayerMoved); e.To != "node-2" {
		t.Errorf("PlayerMoved = %+v, want to node-2", e)
	}
	if err := <-done; err != nil {
		t.Errorf("DrainNode = %v", err)
	}
}

func TestDrainNodeErrors(t *testing.T) {
	h := newHarness(t, harnessConfig{noStart: true})
	if err := h.m.DrainNode(h.ctx(), "node-1"); !errors.Is(err, ErrNotStarted) {
		t.Errorf("DrainNode before Start = %v, want ErrNotStarted", err)
	}
	h.start()
	if err := h.m.DrainNode(h.ctx(), "nope"); !errors.Is(err, ErrUnknownNode) {
		t.Errorf("DrainNode(nope) = %v, want ErrUnknownNode", err)
	}
	if err := h.m.UndrainNode("nope"); !errors.Is(err, ErrUnknownNode) {
		t.Errorf("UndrainNode(nope) = %v, want ErrUnknownNode", err)
	}
	if err := h.m.DrainNode(h.ctx(), "node-1"); err != nil { // no players: done at once
		t.Errorf("DrainNode of an empty node = %v", err)
	}
	if err := h.m.Close(h.ctx()); err != nil {
		t.Fatal(err)
	}
	if err := h.m.UndrainNode("node-1"); !errors.Is(err, ErrManagerClosed) {
		t.Errorf("UndrainNode after Close = %v, want ErrManagerClosed", err)
	}
}

func TestDrainRetriesFailedMove(t *testing.T) {
	h := newHarness(t, harnessConfig{nodes: 2, noStart: true})
	startBalanced(h)
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	if e := h.waitEvent(isStarted("one")).(TrackStarted); e.Node != "node-1" {
		t.Fatalf("played on %s", e.Node)
	}
	h.nodes[1].FailRequests(1, 500) // the first move fails
	done := make(chan error, 1)
	go func() { done <- h.m.DrainNode(h.ctx(), "node-1") }()
	failed := h.waitSup(func(m supMsg) bool { return m.kind == msgDone && m.err != nil })
	if !errors.Is(failed.err, errMoveFailed) {
		t.Fatalf("failed move = %v, want errMoveFailed", failed.err)
	}
	// It plays on where it was, and commands work.
	if err := h.m.Pause(h.ctx(), guildID, listener); err != nil {
		t.Errorf("Pause after a failed move = %v", err)
	}
	if err := h.m.Resume(h.ctx(), guildID, listener); err != nil {
		t.Errorf("Resume after a failed move = %v", err)
	}
	h.clock.Advance(time.Second) // the retry
	if e := h.waitEvent(isType(TypePlayerMoved)).(PlayerMoved); e.To != "node-2" {
		t.Errorf("PlayerMoved = %+v, want to node-2", e)
	}
	if err := <-done; err != nil {
		t.Errorf("DrainNode = %v", err)
	}
	if np, ok := h.nodes[1].Player(guildID); !ok || np.Track == nil || np.Paused {
		t.Errorf("player on node-2 = %+v", np)
	}
}
