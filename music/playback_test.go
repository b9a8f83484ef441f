package music

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

func TestAutoplayPicksUnplayedTrack(t *testing.T) {
	business, reg := newMetrics(t)
	h := newHarness(t, harnessConfig{cfg: func(c *Config) { c.Metrics = business }})
	tracks := h.addTracks("two", "one", "three")
	h.listen(guildID, userID, voiceID)
	ctx := h.ctx()
	mix := "https://www.youtube.com/watch?v=id-one&list=RDid-one"
	infos := []lavalink.TrackInfo{tracks[1].Info, tracks[0].Info, tracks[2].Info} // one (the seed), two (played), three
	if _, err := h.nodes[0].AddPlaylist(mix, lavalink.PlaylistInfo{Name: "Mix", SelectedTrack: 0}, infos...); err != nil {
		t.Fatal(err)
	}
	if err := h.m.SetAutoplay(ctx, guildID, listener, true); err != nil {
		t.Fatalf("SetAutoplay = %v", err)
	}
	if err := h.m.SetLoop(ctx, guildID, listener, LoopQueue); !errors.Is(err, ErrConflictingSettings) {
		t.Errorf("SetLoop with autoplay on = %v, want ErrConflictingSettings", err)
	}
	h.play(guildID, listener, "two")
	h.play(guildID, listener, "one")
	h.clock.Advance(180 * time.Second)
	h.waitEvent(isStarted("one"))
	h.clock.Advance(180 * time.Second)
	started := h.waitEvent(isType(TypeTrackStarted)).(TrackStarted)
	if started.Track.Info.Title != "three" || started.Track.Requester != 0 {
		t.Fatalf("autoplay started %q (requester %d), want three by nobody", started.Track.Info.Title, started.Track.Requester)
	}
	// three finishes: its mix holds nothing new, and the cooldown has
	// passed, so the queue ends.
	h.clock.Advance(180 * time.Second)
	h.waitEvent(isType(TypeQueueEnded))
	if got := metricValue(t, reg, "tunekit_autoplay_tracks_total", map[string]string{"outcome": "completed"}); got != 1 {
		t.Errorf("autoplay completed = %v, want 1", got)
	}
}

func TestAutoplayCooldown(t *testing.T) {
	rec := &countingRecommender{}
	h := newHarness(t, harnessConfig{cfg: func(c *Config) { c.Recommender = rec }, opts: []Option{WithAutoplayCooldown(time.Hour)}})
	tracks := h.addTracks("one", "two", "three")
	rec.tracks = []Track{fromLavalink(tracks[1]), fromLavalink(tracks[2])}
	h.listen(guildID, userID, voiceID)
	ctx := h.ctx()
	if err := h.m.SetAutoplay(ctx, guildID, listener, true); err != nil {
		t.Fatal(err)
	}
	h.play(guildID, listener, "one")
	h.clock.Advance(180 * time.Second)
	h.waitEvent(isStarted("two"))
	h.clock.Advance(180 * time.Second) // within the cooldown: no second pick
	h.waitEvent(isType(TypeQueueEnded))
	if rec.calls() != 1 {
		t.Errorf("Recommend calls = %d, want 1", rec.calls())
	}
}

type countingRecommender struct {
	n      atomic.Int32
	tracks []Track
}

func (r *countingRecommender) Recommend(ctx context.Context, req RecommendRequest) ([]Track, error) {
	r.n.Add(1)
	return r.tracks, nil
}

func (r *countingRecommender) calls() int { return int(r.n.Load()) }

func TestDefaultRecommender(t *testing.T) {
	var asked []string
	found := map[string][]Track{
		"ytsearch:Some Band": {{Info: TrackInfo{Identifier: "x", SourceName: "youtube"}}},
	}
	load := func(_ context.Context, ident string) ([]Track, error) {
		asked = append(asked, ident)
		if ident == "ytmsearch:Broken" {
			return nil, errors.New("boom")
		}
		return found[ident], nil
	}
	r := DefaultRecommender{}
	tests := []struct {
		seed    Track
		plugins []string
		want    []string
		got     int
		err     bool
	}{
		{Track{Info: TrackInfo{Identifier: "abc", SourceName: "youtube", Author: "A"}}, nil,
			[]string{"https://www.youtube.com/watch?v=abc&list=RDabc", "ytmsearch:A", "ytsearch:A"}, 0, false},
		{Track{Info: TrackInfo{Identifier: "123", SourceName: "soundcloud", Author: "Some Band"}}, nil,
			[]string{"ytmsearch:Some Band", "ytsearch:Some Band"}, 1, false},
		{Track{Info: TrackInfo{Identifier: "sp1", SourceName: "spotify", Author: "Broken"}}, []string{"lavasrc-plugin"},
			[]string{"sprec:mix:track:sp1", "ytmsearch:Broken", "ytsearch:Broken"}, 0, true},
		{Track{Info: TrackInfo{SourceName: "http", Title: "Only a title", ISRC: "US123"}}, nil,
			[]string{"ytmsearch:Only a title", "ytsearch:Only a title"}, 0, false},
		{Track{Info: TrackInfo{SourceName: "http"}}, nil, nil, 0, false},
	}
	for _, tt := range tests {
		asked = nil
		got, err := r.Recommend(context.Background(), RecommendRequest{Seed: tt.seed, Load: load, Plugins: tt.plugins})
		if (err != nil) != tt.err || len(got) != tt.got {
			t.Errorf("Recommend(%+v) = %d tracks, %v; want %d, error %t", tt.seed.Info, len(got), err, tt.got, tt.err)
		}
		if !slices.Equal(asked, tt.want) {
			t.Errorf("Recommend(%+v) loaded %q, want %q", tt.seed.Info, asked, tt.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	failing := func(ctx context.Context, _ string) ([]Track, error) { return nil, ctx.Err() }
	if _, err := r.Recommend(ctx, RecommendRequest{Seed: tests[0].seed, Load: failing}); !errors.Is(err, context.Canceled) {
		t.Errorf("Recommend with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestTrackFailures(t *testing.T) {
	business, reg := newMetrics(t)
	h := newHarness(t, harnessConfig{cfg: func(c *Config) { c.Metrics = business }})
	h.addTracks("one", "two", "three", "four", "five")
	h.listen(guildID, userID, voiceID)
	for _, q := range []string{"one", "two", "three", "four", "five"} {
		h.play(guildID, listener, q)
	}
	h.waitEvent(isStarted("one"))

	// An exception: Lavalink ends the track (loadFailed) and the next plays.
	if err := h.nodes[0].FailTrack(guildID, lavalink.Exception{Message: "boom", Severity: lavalink.SeverityFault}); err != nil {
		t.Fatal(err)
	}
	h.waitEvent(isStarted("two"))
	// A stuck track is skipped by the Manager.
	if err := h.nodes[0].StickTrack(guildID, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	h.waitEvent(isStarted("three"))
	if got := metricValue(t, reg, "tunekit_errors_total", map[string]string{"component": "player"}); got < 2 {
		t.Errorf("player errors = %v, want at least 2", got)
	}
	// The third failure within the window stops playback.
	if err := h.nodes[0].StickTrack(guildID, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	end := h.waitEvent(isType(TypeSessionEnded)).(SessionEnded)
	if end.Reason != LeaveFailed || LeaveMessage(end.Reason) == "" {
		t.Errorf("SessionEnded = %+v, want failed", end)
	}
	if _, ok := h.nodePlayer(0, guildID); ok {
		t.Errorf("node player left behind after a failed session")
	}
}

func TestErrorsOutsideWindowDoNotStop(t *testing.T) {
	h := newHarness(t, harnessConfig{opts: []Option{WithErrorLimit(2, 10*time.Second)}})
	h.addTracks("one", "two", "three")
	h.listen(guildID, userID, voiceID)
	for _, q := range []string{"one", "two", "three"} {
		h.play(guildID, listener, q)
	}
	h.waitEvent(isStarted("one"))
	if err := h.nodes[0].StickTrack(guildID, time.Second); err != nil {
		t.Fatal(err)
	}
	h.waitEvent(isStarted("two"))
	h.clock.Advance(11 * time.Second)
	if err := h.nodes[0].StickTrack(guildID, time.Second); err != nil {
		t.Fatal(err)
	}
	h.waitEvent(isStarted("three"))
}

func TestEmptyChannel(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	h.waitEvent(isStarted("one"))

	h.listen(guildID, userID, 0) // everyone left: pause
	h.waitPaused(true)
	h.clock.Advance(time.Minute)
	h.listen(guildID, userID, voiceID) // back before the timeout: resume
	h.waitPaused(false)
	h.clock.Advance(2 * time.Minute)
	if _, err := h.m.NowPlaying(h.ctx(), guildID, listener); err != nil {
		t.Fatalf("session gone although a listener came back: %v", err)
	}

	h.listen(guildID, userID, voice2ID) // moved elsewhere
	h.waitPaused(true)
	h.clock.Advance(DefaultEmptyChannelTimeout)
	if e := h.waitEvent(isType(TypeSessionEnded)).(SessionEnded); e.Reason != LeaveAlone {
		t.Errorf("SessionEnded = %+v, want alone", e)
	}
}

func TestStayConnected(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	ctx := h.ctx()
	if _, err := h.m.UpdateSettings(ctx, guildID, listener, func(s Settings) (Settings, error) {
		return s.WithStayConnected(true), nil
	}); err != nil {
		t.Fatal(err)
	}
	h.play(guildID, listener, "one")
	h.clock.Advance(180 * time.Second)
	h.waitEvent(isType(TypeQueueEnded))
	h.listen(guildID, userID, 0)
	h.clock.Advance(time.Hour)
	// A command through the guild's turn proves the queued work ran.
	if _, err := h.m.Clear(ctx, guildID, Actor{UserID: userID, VoiceChannelID: voiceID}); err != nil {
		t.Fatalf("Clear = %v", err)
	}
	if p := h.m.players.get(guildID); p == nil {
		t.Fatal("24/7 session ended")
	}
}

func TestBotDisconnectedAndMoved(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	h.listen(guildID, userID, voice2ID)
	h.play(guildID, Actor{UserID: userID, VoiceChannelID: voice2ID}, "one")
	h.waitEvent(isStarted("one"))

	// Moved by a moderator to voiceID: the node gets the new channel.
	h.m.OnVoiceStateUpdate(VoiceStateUpdate{GuildID: guildID, UserID: botID, ChannelID: voiceID, SessionID: "moved", Bot: true})
	h.m.OnVoiceStateUpdate(VoiceStateUpdate{GuildID: guildID, UserID: userID, ChannelID: voiceID})
	np, err := h.waitNowPlaying(func(np NowPlaying) bool { return np.VoiceChannelID == voiceID })
	if err != nil {
		t.Fatal(err)
	}
	_ = np
	pl, _ := h.nodePlayer(0, guildID)
	if pl.Voice.ChannelID != voiceID.String() || pl.Voice.SessionID != "moved" {
		t.Errorf("node voice after the move = %+v", pl.Voice)
	}

	// Disconnected by a moderator: the session ends, no leave is sent.
	calls := len(h.voice.callsFor(guildID))
	h.m.OnVoiceStateUpdate(VoiceStateUpdate{GuildID: guildID, UserID: botID, Bot: true})
	if e := h.waitEvent(isType(TypeSessionEnded)).(SessionEnded); e.Reason != LeaveDisconnected {
		t.Errorf("SessionEnded = %+v, want disconnected", e)
	}
	if got := len(h.voice.callsFor(guildID)); got != calls {
		t.Errorf("voice calls went from %d to %d; a disconnected bot must not be asked to leave", calls, got)
	}
}

// waitPaused waits until the session's paused state is want, using the
// guild's turn to let queued work finish.
func (h *harness) waitPaused(want bool) {
	h.t.Helper()
	if _, err := h.waitNowPlaying(func(np NowPlaying) bool { return np.Paused == want }); err != nil {
		h.t.Fatalf("paused never became %v: %v", want, err)
	}
	if np, _ := h.nodePlayer(0, guildID); np.Paused != want {
		h.t.Errorf("node paused = %v, want %v", np.Paused, want)
	}
}

// waitNowPlaying waits, by taking the guild's turn after its queued work,
// until NowPlaying satisfies ok.
func (h *harness) waitNowPlaying(ok func(NowPlaying) bool) (NowPlaying, error) {
	deadline := time.Now().Add(patience)
	for {
		h.sync(guildID)
		np, err := h.m.NowPlaying(h.ctx(), guildID, Actor{UserID: userID})
		if err == nil && ok(np) {
			return np, nil
		}
		if time.Now().After(deadline) {
			return np, errors.New("condition not met")
		}
	}
}

// sync returns once the work queued for the guild so far has run.
func (h *harness) sync(guild snowflake.ID) {
	p := h.m.players.get(guild)
	if p == nil {
		return
	}
	done := make(chan struct{})
	p.post(func(context.Context) { close(done) })
	select {
	case <-done:
	case <-time.After(patience):
		h.t.Fatal("guild work never ran")
	}
}
