package music

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tunekit/tunekit/music/lavalinktest"
	"github.com/tunekit/tunekit/resilience"
)

// playersByNode returns NodeStatus.Players by node name.
func playersByNode(m *Manager) map[string]int {
	out := map[string]int{}
	for _, st := range m.Nodes() {
		out[st.Name] = st.Players
	}
	return out
}

func TestReadyAndNodes(t *testing.T) {
	h, stats := loadedNodes(t)

	// Before Start: the configuration, nothing connected.
	if h.m.Ready() {
		t.Error("Ready() before Start = true")
	}
	for i, st := range h.m.Nodes() {
		want := NodeStatus{Name: h.cfg.Nodes[i].Name, Breaker: resilience.StateClosed, Penalty: UnavailablePenalty}
		if st != want {
			t.Errorf("Nodes()[%d] before Start = %+v, want %+v", i, st, want)
		}
	}

	h.start()
	if !h.m.Ready() {
		t.Error("Ready() with both nodes connected = false")
	}
	h.setLoads(stats, []int{40, 0})
	nodes := h.m.Nodes()
	if len(nodes) != 2 {
		t.Fatalf("Nodes() = %+v, want two", nodes)
	}
	for i, st := range nodes {
		if st.Name != h.cfg.Nodes[i].Name || !st.Connected || !st.Healthy || st.Breaker != resilience.StateClosed ||
			st.Players != 0 || st.Version != lavalinktest.DefaultVersion || !st.Since.Equal(epoch) {
			t.Errorf("Nodes()[%d] = %+v; want %s connected and healthy, version %s, since %v, no players",
				i, st, h.cfg.Nodes[i].Name, lavalinktest.DefaultVersion, epoch)
		}
	}
	if nodes[0].Penalty <= nodes[1].Penalty || nodes[0].Penalty >= UnavailablePenalty {
		t.Errorf("penalties = %v (40 playing) and %v (idle); want the first higher and finite", nodes[0].Penalty, nodes[1].Penalty)
	}

	// Players are counted on their node, through a move and a leave.
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	started := h.waitEvent(isStarted("one")).(TrackStarted)
	if started.Node != "node-2" {
		t.Fatalf("started on %s, want node-2 (the idle one)", started.Node)
	}
	if got := playersByNode(h.m); got["node-1"] != 0 || got["node-2"] != 1 {
		t.Errorf("players = %v, want node-2: 1", got)
	}
	h.nodes[1].Kill()
	h.waitSup(func(m supMsg) bool { return m.kind == msgDown && m.ln.name == "node-2" })
	if !h.m.Ready() {
		t.Error("Ready() with one node of two connected = false")
	}
	if st := h.m.Nodes()[1]; st.Connected || st.Healthy || st.Penalty != UnavailablePenalty || !st.Since.Equal(h.clock.Now()) {
		t.Errorf("Nodes()[1] after Kill = %+v; want disconnected since now, unavailable penalty", st)
	}
	h.clock.Advance(DefaultGracePeriod)
	if moved := h.waitEvent(isType(TypePlayerMoved)).(PlayerMoved); moved.To != "node-1" {
		t.Fatalf("moved to %s, want node-1", moved.To)
	}
	if got := playersByNode(h.m); got["node-1"] != 1 || got["node-2"] != 0 {
		t.Errorf("players after the move = %v, want node-1: 1", got)
	}
	if err := h.m.Leave(h.ctx(), guildID, listener); err != nil {
		t.Fatal(err)
	}
	if got := playersByNode(h.m); got["node-1"] != 0 || got["node-2"] != 0 {
		t.Errorf("players after Leave = %v, want none", got)
	}

	h.nodes[0].Kill()
	h.waitSup(func(m supMsg) bool { return m.kind == msgDown && m.ln.name == "node-1" })
	if h.m.Ready() {
		t.Error("Ready() with no node connected = true")
	}
	if err := h.nodes[0].Restart(); err != nil {
		t.Fatal(err)
	}
	h.advanceUntilSup(time.Second, func(m supMsg) bool { return m.kind == msgUp })
	if !h.m.Ready() {
		t.Error("Ready() after a node came back = false")
	}

	if err := h.m.Close(h.ctx()); err != nil {
		t.Fatal(err)
	}
	if h.m.Ready() {
		t.Error("Ready() after Close = true")
	}
	for i, st := range h.m.Nodes() {
		if st.Connected || st.Healthy {
			t.Errorf("Nodes()[%d] after Close = %+v, want disconnected", i, st)
		}
	}
}

// Ready and Nodes may be called from any goroutine at any time, Start
// and Close included, even a Start that rebuilds the node clients to
// resume a stored Lavalink session.
func TestReadyAndNodesConcurrent(t *testing.T) {
	h := newHarness(t, harnessConfig{nodes: 2, noStart: true})
	sess, err := NewSession(guildID, epoch)
	if err != nil {
		t.Fatal(err)
	}
	sess.SetNode("node-1", "stored-session")
	if err := h.store.Save(h.ctx(), sess.Snapshot()); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = h.m.Ready()
				if n := len(h.m.Nodes()); n != 2 {
					t.Errorf("len(Nodes()) = %d, want 2", n)
					return
				}
			}
		})
	}
	if err := h.m.Start(h.ctx()); err != nil {
		t.Fatal(err)
	}
	if err := h.m.WaitReady(h.ctx()); err != nil {
		t.Fatal(err)
	}
	if got := playersByNode(h.m); got["node-1"] != 1 || got["node-2"] != 0 {
		t.Errorf("players after restoring a session of node-1 = %v, want node-1: 1", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := h.m.Close(ctx); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
}

func BenchmarkReadiness(b *testing.B) {
	h := newHarness(b, harnessConfig{nodes: 3})
	b.Run("Ready", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !h.m.Ready() {
				b.Fatal("not ready")
			}
		}
	})
	b.Run("Nodes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if len(h.m.Nodes()) != 3 {
				b.Fatal("nodes missing")
			}
		}
	})
}
