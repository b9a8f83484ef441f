package music

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

const (
	thirdID  = snowflake.ID(900000000000000004)
	fourthID = snowflake.ID(900000000000000005)
	djRoleID = snowflake.ID(500000000000000009)
)

var (
	otherListener  = Actor{UserID: otherID, VoiceChannelID: voiceID}
	thirdListener  = Actor{UserID: thirdID, VoiceChannelID: voiceID}
	fourthListener = Actor{UserID: fourthID, VoiceChannelID: voiceID}
	djListener     = Actor{UserID: thirdID, VoiceChannelID: voiceID, RoleIDs: []snowflake.ID{djRoleID}}
)

// settle changes the guild's settings and fails the test on error.
func (h *harness) settle(change func(Settings) (Settings, error)) {
	h.t.Helper()
	if _, err := h.m.UpdateSettings(h.ctx(), guildID, Actor{UserID: userID, Admin: true}, change); err != nil {
		h.t.Fatalf("UpdateSettings = %v", err)
	}
}

// queueTitles is the guild's queue as the Queue command shows it.
func (h *harness) queueTitles() string {
	h.t.Helper()
	v, err := h.m.Queue(h.ctx(), guildID, listener, 1)
	if err != nil {
		h.t.Fatalf("Queue = %v", err)
	}
	return strings.Join(titles(v.Tracks), " ")
}

func (h *harness) playAs(actor Actor, query string, at Placement) PlayResult {
	h.t.Helper()
	res, err := h.m.Play(h.ctx(), guildID, actor, query, at, WithTextChannel(textID))
	if err != nil {
		h.t.Fatalf("Play(%q) as %d = %v", query, actor.UserID, err)
	}
	return res
}

// TestPlayFairQueue proves the fair order through the Manager: three
// users' picks interleave in the order documented on Queue.SetFair, the
// results say where each went, and they play in that order.
func TestPlayFairQueue(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	h.addTracks("a1", "a2", "a3", "b1", "b2", "c1")
	for _, u := range []snowflake.ID{userID, otherID, thirdID} {
		h.listen(guildID, u, voiceID)
	}
	h.settle(func(s Settings) (Settings, error) { return s.WithFairQueue(true), nil })
	steps := []struct {
		actor Actor
		query string
		pos   int
		queue string
	}{
		{listener, "a1", 0, ""}, // starts: A was served last
		{listener, "a2", 1, "a2"},
		{listener, "a3", 2, "a2 a3"},
		{otherListener, "b1", 1, "b1 a2 a3"},
		{otherListener, "b2", 3, "b1 a2 b2 a3"},
		{thirdListener, "c1", 2, "b1 c1 a2 b2 a3"},
	}
	for _, s := range steps {
		res := h.playAs(s.actor, s.query, PlaceEnd)
		if res.Position != s.pos || res.Started != (s.pos == 0) {
			t.Errorf("Play(%s) = position %d (started %t), want %d", s.query, res.Position, res.Started, s.pos)
		}
		if got := h.queueTitles(); got != s.queue {
			t.Fatalf("after Play(%s) the queue is %q, want %q", s.query, got, s.queue)
		}
	}
	if np, ok := h.m.Status(guildID); !ok || !np.FairQueue {
		t.Errorf("Status = %+v, %t; want the fair queue reported", np, ok)
	}
	h.waitEvent(isStarted("a1"))
	for _, want := range []string{"b1", "c1", "a2", "b2", "a3"} {
		h.clock.Advance(180 * time.Second)
		h.waitEvent(isStarted(want))
	}
}

// TestFairQueueTurnedOnInterleaves proves that turning the setting on
// reorders the queued tracks at once and that the fair shuffle keeps
// the turns.
func TestFairQueueTurnedOnInterleaves(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	h.addTracks("a0", "a1", "a2", "a3", "b1", "b2")
	h.listen(guildID, userID, voiceID)
	h.listen(guildID, otherID, voiceID)
	for _, q := range []string{"a0", "a1", "a2", "a3"} {
		h.playAs(listener, q, PlaceEnd)
	}
	h.playAs(otherListener, "b1", PlaceEnd)
	h.playAs(otherListener, "b2", PlaceEnd)
	if got := h.queueTitles(); got != "a1 a2 a3 b1 b2" {
		t.Fatalf("queue = %q", got)
	}
	h.settle(func(s Settings) (Settings, error) { return s.WithFairQueue(true), nil })
	if got := h.queueTitles(); got != "b1 a1 b2 a2 a3" {
		t.Fatalf("after turning the fair queue on = %q, want b1 a1 b2 a2 a3", got)
	}
	for range 5 {
		if n, err := h.m.Shuffle(h.ctx(), guildID, listener); err != nil || n != 5 {
			t.Fatalf("Shuffle = %d, %v", n, err)
		}
		v, _ := h.m.Queue(h.ctx(), guildID, listener, 1)
		for i, want := range []snowflake.ID{otherID, userID, otherID, userID, userID} {
			if v.Tracks[i].Requester != want {
				t.Fatalf("fair Shuffle moved a turn: %q", titles(v.Tracks))
			}
		}
	}
}

func TestPlayLimits(t *testing.T) {
	business, reg := newMetrics(t)
	h := newHarness(t, harnessConfig{cfg: func(c *Config) { c.Metrics = business }})
	h.addTracks("one", "two", "three", "four")
	for _, n := range h.nodes {
		if _, err := n.AddTrack(lavalink.TrackInfo{Identifier: "long", Title: "long", Author: "X", Length: 11 * lavalink.Minute}); err != nil {
			t.Fatal(err)
		}
		if _, err := n.AddTrack(lavalink.TrackInfo{Identifier: "radio", Title: "radio", Author: "X", IsStream: true}); err != nil {
			t.Fatal(err)
		}
		var infos []lavalink.TrackInfo
		for i := range 5 {
			infos = append(infos, lavalink.TrackInfo{Identifier: fmt.Sprintf("p%d", i), Title: fmt.Sprintf("p%d", i), Author: "P", Length: 3 * lavalink.Minute})
		}
		infos[1].Length = 20 * lavalink.Minute
		if _, err := n.AddPlaylist("https://www.youtube.com/playlist?list=PL1", lavalink.PlaylistInfo{Name: "Five", SelectedTrack: -1}, infos...); err != nil {
			t.Fatal(err)
		}
	}
	h.listen(guildID, userID, voiceID)
	h.listen(guildID, otherID, voiceID)
	h.settle(func(s Settings) (Settings, error) {
		s, _ = s.WithMaxQueueLength(10)
		s, _ = s.WithMaxUserShare(20) // 2 tracks of 10
		return s.WithMaxTrackLength(10 * time.Minute)
	})
	ctx := h.ctx()
	_, err := h.m.Play(ctx, guildID, listener, "long", PlaceEnd)
	var tl *TrackTooLongError
	if !errors.As(err, &tl) || tl.Length != 11*time.Minute || tl.Max != 10*time.Minute || tl.Stream {
		t.Fatalf("Play(long) = %v, want a *TrackTooLongError of 11m over 10m", err)
	}
	if msg := UserMessage(err); msg != "That track is 11:00 long; tracks may be at most 10:00 here." {
		t.Errorf("UserMessage = %q", msg)
	}
	if _, ok := h.m.Status(guildID); ok {
		t.Error("a refused Play left a track playing")
	}
	_, err = h.m.Play(ctx, guildID, listener, "radio", PlaceEnd)
	if !errors.As(err, &tl) || !tl.Stream || !strings.Contains(UserMessage(err), "Live streams") {
		t.Errorf("Play(radio) = %v (%q), want a *TrackTooLongError for a stream", err, UserMessage(err))
	}
	h.playAs(listener, "one", PlaceEnd) // plays: not in the queue, not counted
	h.playAs(listener, "two", PlaceEnd)
	h.playAs(listener, "three", PlaceEnd)
	_, err = h.m.Play(ctx, guildID, listener, "four", PlaceNext)
	var se *ShareError
	if !errors.As(err, &se) || se.Queued != 2 || se.Max != 2 || !errors.Is(err, ErrShareExceeded) {
		t.Fatalf("Play(four) past the share = %v, want a *ShareError 2 of 2", err)
	}
	if msg := UserMessage(err); !strings.Contains(msg, "2 tracks queued") {
		t.Errorf("UserMessage = %q", msg)
	}
	// Another user's playlist: the too long one is left out, then what
	// passes the share.
	res, err := h.m.Play(ctx, guildID, otherListener, "https://www.youtube.com/playlist?list=PL1", PlaceEnd)
	if err != nil || res.Added != 2 || res.TooLong != 1 || res.OverShare != 2 || res.Dropped != 0 || res.Track.Info.Title != "p0" {
		t.Fatalf("Play(playlist) = %+v, %v; want 2 added, 1 too long, 2 over the share", res, err)
	}
	if got := h.queueTitles(); got != "two three p0 p2" {
		t.Errorf("queue = %q, want two three p0 p2", got)
	}
	// One count per refused track: long, radio and p1; four, p3 and p4.
	for reason, want := range map[string]float64{"too_long": 3, "over_share": 3} {
		if got := metricValue(t, reg, "tunekit_play_rejected_total", map[string]string{"reason": reason}); got != want {
			t.Errorf("play_rejected_total{reason=%q} = %v, want %v", reason, got, want)
		}
	}
}

func TestSwapSkipToRemoveUser(t *testing.T) {
	business, reg := newMetrics(t)
	h := newHarness(t, harnessConfig{cfg: func(c *Config) { c.Metrics = business }})
	h.addTracks("one", "two", "three", "four", "five")
	h.listen(guildID, userID, voiceID)
	h.listen(guildID, otherID, voiceID)
	h.listen(guildID, thirdID, voiceID)
	ctx := h.ctx()
	h.playAs(listener, "one", PlaceEnd)
	h.playAs(otherListener, "two", PlaceEnd)
	h.playAs(listener, "three", PlaceEnd)
	h.playAs(otherListener, "four", PlaceEnd)
	h.playAs(listener, "five", PlaceEnd)

	a, b, err := h.m.Swap(ctx, guildID, listener, 1, 4)
	if err != nil || a.Info.Title != "two" || b.Info.Title != "five" || h.queueTitles() != "five three four two" {
		t.Fatalf("Swap(1, 4) = %q, %q, %v; queue %q", a.Info.Title, b.Info.Title, err, h.queueTitles())
	}
	if _, _, err := h.m.Swap(ctx, guildID, listener, 1, 9); !errors.Is(err, ErrInvalidPosition) {
		t.Errorf("Swap(1, 9) = %v, want ErrInvalidPosition", err)
	}

	res, err := h.m.SkipTo(ctx, guildID, listener, 3)
	if err != nil || res.Skipped.Info.Title != "one" || res.Next.Info.Title != "four" || !res.Started {
		t.Fatalf("SkipTo(3) = %+v, %v", res, err)
	}
	h.waitEvent(isStarted("four"))
	if got := h.queueTitles(); got != "five three two" {
		t.Errorf("after SkipTo(3) the queue is %q, want five three two", got)
	}
	if _, err := h.m.SkipTo(ctx, guildID, listener, 4); !errors.Is(err, ErrInvalidPosition) {
		t.Errorf("SkipTo(4) = %v, want ErrInvalidPosition", err)
	}

	// With a DJ role, a listener removes their own tracks but not others'.
	h.settle(func(s Settings) (Settings, error) { return s.WithDJRoleID(djRoleID), nil })
	if _, err := h.m.RemoveUser(ctx, guildID, listener, otherID); !errors.Is(err, ErrNoPermission) {
		t.Errorf("RemoveUser(other) without DJ = %v, want ErrNoPermission", err)
	}
	if _, err := h.m.SkipTo(ctx, guildID, listener, 1); !errors.Is(err, ErrNoPermission) {
		t.Errorf("SkipTo without DJ = %v, want ErrNoPermission", err)
	}
	n, err := h.m.RemoveUser(ctx, guildID, otherListener, otherID)
	if err != nil || n != 1 || h.queueTitles() != "five three" {
		t.Fatalf("RemoveUser(self) = %d, %v; queue %q", n, err, h.queueTitles())
	}
	ev := h.waitEvent(isType(TypeTracksRemoved)).(TracksRemoved)
	if ev.UserID != otherID || ev.Count != 1 || ev.Reason != RemovedByCommand {
		t.Errorf("TracksRemoved = %+v", ev)
	}
	if n, err := h.m.RemoveUser(ctx, guildID, djListener, userID); err != nil || n != 2 || h.queueTitles() != "" {
		t.Errorf("RemoveUser by a DJ = %d, %v; queue %q", n, err, h.queueTitles())
	}
	if n, err := h.m.RemoveUser(ctx, guildID, djListener, userID); err != nil || n != 0 {
		t.Errorf("RemoveUser with nothing queued = %d, %v", n, err)
	}
	if _, err := h.m.RemoveUser(ctx, guildID, djListener, 0); !errors.Is(err, ErrInvalidID) {
		t.Errorf("RemoveUser(0) = %v, want ErrInvalidID", err)
	}
	if got := metricValue(t, reg, "tunekit_queue_tracks_removed_total", map[string]string{"reason": "command"}); got != 3 {
		t.Errorf("queue_tracks_removed_total{reason=command} = %v, want 3", got)
	}
}

// TestLeaverTracksRemoved proves that a fair queue drops the tracks of a
// requester who stays out of the bot's channel for the grace period,
// and keeps those of one who comes back in time.
func TestLeaverTracksRemoved(t *testing.T) {
	business, reg := newMetrics(t)
	h := newHarness(t, harnessConfig{opts: []Option{WithLeaveGrace(30 * time.Second)},
		cfg: func(c *Config) { c.Metrics = business }})
	h.addTracks("a1", "b1", "b2", "c1", "c2")
	for _, u := range []snowflake.ID{userID, otherID, thirdID} {
		h.listen(guildID, u, voiceID)
	}
	h.settle(func(s Settings) (Settings, error) { return s.WithFairQueue(true), nil })
	h.playAs(listener, "a1", PlaceEnd)
	h.playAs(otherListener, "b1", PlaceEnd)
	h.playAs(otherListener, "b2", PlaceEnd)
	h.playAs(thirdListener, "c1", PlaceEnd)
	h.playAs(thirdListener, "c2", PlaceEnd)

	h.listen(guildID, otherID, 0) // B leaves, then comes back in time
	h.sync(guildID)
	h.clock.Advance(10 * time.Second)
	h.listen(guildID, otherID, voiceID)
	h.listen(guildID, thirdID, voice2ID) // C moves to another channel and stays
	h.sync(guildID)
	h.clock.Advance(31 * time.Second)
	ev := h.waitEvent(isType(TypeTracksRemoved)).(TracksRemoved)
	if ev.UserID != thirdID || ev.Count != 2 || ev.Reason != RemovedLeft {
		t.Fatalf("TracksRemoved = %+v, want C's 2 tracks, left", ev)
	}
	if got := metricValue(t, reg, "tunekit_queue_tracks_removed_total", map[string]string{"reason": "left"}); got != 2 {
		t.Errorf("queue_tracks_removed_total{reason=left} = %v, want 2", got)
	}
	if got := h.queueTitles(); got != "b1 b2" {
		t.Errorf("queue = %q, want B's tracks kept", got)
	}

	// Without the fair queue nothing is removed.
	h.settle(func(s Settings) (Settings, error) { return s.WithFairQueue(false), nil })
	h.listen(guildID, otherID, 0)
	h.sync(guildID)
	p := h.m.players.get(guildID)
	p.mu.Lock()
	pending := len(p.leavers)
	p.mu.Unlock()
	if pending != 0 {
		t.Errorf("%d removals pending without the fair queue, want none", pending)
	}
	if got := h.queueTitles(); got != "b1 b2" {
		t.Errorf("queue without the fair queue = %q, want b1 b2", got)
	}
}
