package music

import (
	"errors"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

func TestFailoverMovesPlayer(t *testing.T) {
	business, reg := newMetrics(t)
	h := newHarness(t, harnessConfig{nodes: 2, cfg: func(c *Config) { c.Metrics = business },
		opts: []Option{WithGracePeriod(time.Second)}})
	h.addTracks("one", "two", "three")
	h.listen(guildID, userID, voiceID)
	ctx := h.ctx()
	for _, q := range []string{"one", "two", "three"} {
		h.play(guildID, listener, q)
	}
	first := h.waitEvent(isStarted("one")).(TrackStarted)
	from, to := 0, 1
	if first.Node == "node-2" {
		from, to = 1, 0
	}
	if err := h.m.SetVolume(ctx, guildID, listener, 80); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(42 * time.Second)

	h.nodes[from].Kill()
	h.waitSup(func(m supMsg) bool { return m.kind == msgDown && m.ln.name == first.Node })
	if _, err := h.m.Seek(ctx, guildID, listener, "10"); !errors.Is(err, ErrServiceUnavailable) {
		t.Errorf("Seek on a lost node = %v, want ErrServiceUnavailable", err)
	}
	h.clock.Advance(time.Second) // the grace period: moved within 2 s of the loss
	moved := h.waitEvent(isType(TypePlayerMoved)).(PlayerMoved)
	wantPos := 42*time.Second + 1*time.Second
	if moved.From != first.Node || moved.To == first.Node || moved.Position != wantPos {
		t.Fatalf("PlayerMoved = %+v, want from %s at %v", moved, first.Node, wantPos)
	}
	np, ok := h.nodePlayer(to, guildID)
	if !ok || np.Track == nil || np.Track.Info.Title != "one" || np.Position != wantPos || np.Volume != 80 || !np.Connected {
		t.Fatalf("player on the new node = %+v", np)
	}
	view, err := h.m.Queue(ctx, guildID, listener, 1)
	if err != nil || view.Total != 2 || view.Tracks[0].Info.Title != "two" || view.Tracks[1].Info.Title != "three" {
		t.Errorf("queue after the move = %+v, %v", view, err)
	}
	// Playback goes on there.
	h.clock.Advance(180*time.Second - wantPos)
	if e := h.waitEvent(isType(TypeTrackStarted)).(TrackStarted); e.Track.Info.Title != "two" || e.Node != moved.To {
		t.Errorf("next track = %+v", e)
	}
	if got := metricValue(t, reg, "tunekit_lavalink_nodes", map[string]string{"state": "disconnected"}); got != 1 {
		t.Errorf("disconnected nodes = %v, want 1", got)
	}
}

func TestFailoverPausedKeepsPosition(t *testing.T) {
	h := newHarness(t, harnessConfig{nodes: 2, opts: []Option{WithGracePeriod(time.Second)}})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	first := h.waitEvent(isStarted("one")).(TrackStarted)
	h.clock.Advance(20 * time.Second)
	if err := h.m.Pause(h.ctx(), guildID, listener); err != nil {
		t.Fatal(err)
	}
	from, to := 0, 1
	if first.Node == "node-2" {
		from, to = 1, 0
	}
	h.nodes[from].Kill()
	h.waitSup(func(m supMsg) bool { return m.kind == msgDown })
	h.clock.Advance(5 * time.Second)
	moved := h.waitEvent(isType(TypePlayerMoved)).(PlayerMoved)
	if moved.Position != 20*time.Second {
		t.Errorf("moved at %v, want 20s (paused)", moved.Position)
	}
	if np, _ := h.nodePlayer(to, guildID); !np.Paused || np.Position != 20*time.Second {
		t.Errorf("player on the new node = %+v, want paused at 20s", np)
	}
}

func TestAllNodesDeadThenRecovery(t *testing.T) {
	h := newHarness(t, harnessConfig{nodes: 2, opts: []Option{WithGracePeriod(time.Second)}})
	h.addTracks("one", "two")
	h.listen(guildID, userID, voiceID)
	ctx := h.ctx()
	h.play(guildID, listener, "one")
	started := h.waitEvent(isStarted("one")).(TrackStarted)
	h.clock.Advance(30 * time.Second)
	for _, n := range h.nodes {
		n.Kill()
	}
	for range 2 {
		h.waitSup(func(m supMsg) bool { return m.kind == msgDown })
	}
	h.clock.Advance(2 * time.Second)
	h.waitSup(func(m supMsg) bool { return m.kind == msgGrace })

	commands := map[string]func() error{
		"play": func() error {
			_, err := h.m.Play(ctx, snowflakeID(2), listener, "two", PlaceEnd)
			return err
		},
		"pause": func() error { return h.m.Pause(ctx, guildID, listener) },
		"skip": func() error {
			_, err := h.m.Skip(ctx, guildID, listener, 1)
			return err
		},
	}
	for name, run := range commands {
		start := time.Now()
		err := run()
		if elapsed := time.Since(start); !errors.Is(err, ErrServiceUnavailable) || elapsed > 50*time.Millisecond {
			t.Errorf("%s with every node dead = %v after %v, want ErrServiceUnavailable within 50ms", name, err, elapsed)
		}
		if UserMessage(err) != "The audio service is unavailable right now. Please try again in a moment." {
			t.Errorf("%s: UserMessage = %q", name, UserMessage(err))
		}
	}
	// Views still answer.
	if np, err := h.m.NowPlaying(ctx, guildID, listener); err != nil || np.Track.Info.Title != "one" {
		t.Errorf("NowPlaying with every node dead = %+v, %v", np, err)
	}

	// The node that played comes back, empty: the player is played again
	// there, where it was.
	back := 0
	if started.Node == "node-2" {
		back = 1
	}
	if err := h.nodes[back].Restart(); err != nil {
		t.Fatal(err)
	}
	h.advanceUntilSup(time.Second, func(m supMsg) bool { return m.kind == msgDone && m.guild == guildID && m.err == nil })
	np, ok := h.nodePlayer(back, guildID)
	if !ok || np.Track == nil || np.Track.Info.Title != "one" {
		t.Fatalf("player after recovery = %+v", np)
	}
	if np.Position < 30*time.Second {
		t.Errorf("recovered at %v, want at least 30s", np.Position)
	}
	if err := h.m.Pause(ctx, guildID, listener); err != nil {
		t.Errorf("Pause after recovery = %v", err)
	}
}

func snowflakeID(n uint64) snowflake.ID { return snowflake.ID(800000000000000000 + n) }

func TestTrackFromMissingSourceMovesPlayer(t *testing.T) {
	h := newHarness(t, harnessConfig{nodes: 2, noStart: true})
	h.addTracks("one", "two")
	// Only node-2 offers deezer (known from its info at connect).
	if _, err := h.nodes[1].AddTrack(lavalink.TrackInfo{Identifier: "dz-1", Title: "cloud", Author: "x", Length: 60 * lavalink.Second, SourceName: "deezer"}); err != nil {
		t.Fatal(err)
	}
	startBalanced(h) // the tie below needs both nodes' stats
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	if e := h.waitEvent(isStarted("one")).(TrackStarted); e.Node != "node-1" { // a tie goes to the first node
		t.Fatalf("first track on %s, want node-1", e.Node)
	}
	h.play(guildID, listener, "dzsearch:cloud")
	h.clock.Advance(180 * time.Second)
	if e := h.waitEvent(isStarted("cloud")).(TrackStarted); e.Node != "node-2" {
		t.Fatalf("deezer track on %s, want node-2", e.Node)
	}
	if _, ok := h.nodePlayer(0, guildID); ok {
		t.Error("node-1 kept the player")
	}
	if np, ok := h.nodePlayer(1, guildID); !ok || !np.Connected {
		t.Errorf("node-2 player = %+v, want connected", np)
	}
}
