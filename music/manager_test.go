package music

import (
	"errors"
	"testing"
	"time"
)

func TestPlayJoinsStartsAndAdvances(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	h.addTracks("one", "two")
	h.listen(guildID, userID, voiceID)

	res := h.play(guildID, listener, "one")
	if !res.Started || res.Position != 0 || res.Added != 1 || res.Track.Info.Title != "one" {
		t.Fatalf("Play(one) = %+v, want started", res)
	}
	started := h.waitEvent(isStarted("one")).(TrackStarted)
	if started.Node != "node-1" || started.GuildID != guildID {
		t.Errorf("TrackStarted = %+v", started)
	}
	calls := h.voice.callsFor(guildID)
	if len(calls) != 1 || calls[0].channel != voiceID {
		t.Fatalf("voice calls = %+v, want one join of %d", calls, voiceID)
	}
	np, ok := h.nodePlayer(0, guildID)
	if !ok || np.Track == nil || np.Track.Info.Title != "one" || !np.Connected {
		t.Fatalf("node player = %+v, want one playing with voice", np)
	}
	if np.Voice.ChannelID != voiceID.String() || np.Voice.Endpoint == "" || np.Voice.Token == "fake-held-back" {
		t.Errorf("node voice = %+v", np.Voice)
	}

	res = h.play(guildID, listener, "two")
	if res.Started || res.Position != 1 {
		t.Fatalf("Play(two) = %+v, want queued at 1", res)
	}
	now, err := h.m.NowPlaying(h.ctx(), guildID, listener)
	if err != nil || now.Track.Info.Title != "one" || now.QueueLength != 1 || now.TextChannelID != textID || now.VoiceChannelID != voiceID {
		t.Fatalf("NowPlaying = %+v, %v", now, err)
	}

	h.clock.Advance(180 * time.Second)
	ended := h.waitEvent(isType(TypeTrackEnded)).(TrackEnded)
	if ended.Track.Info.Title != "one" || ended.Reason != EndFinished {
		t.Errorf("TrackEnded = %+v", ended)
	}
	h.waitEvent(isStarted("two"))

	h.clock.Advance(180 * time.Second)
	h.waitEvent(isType(TypeQueueEnded))
	if _, err := h.m.NowPlaying(h.ctx(), guildID, listener); !errors.Is(err, ErrNothingPlaying) {
		t.Errorf("NowPlaying after the queue ended: %v, want ErrNothingPlaying", err)
	}

	h.clock.Advance(DefaultIdleTimeout)
	end := h.waitEvent(isType(TypeSessionEnded)).(SessionEnded)
	if end.Reason != LeaveIdle {
		t.Errorf("SessionEnded reason = %v, want idle", end.Reason)
	}
	calls = h.voice.callsFor(guildID)
	if last := calls[len(calls)-1]; last.channel != 0 {
		t.Errorf("last voice call = %+v, want a leave", last)
	}
	if _, ok := h.nodePlayer(0, guildID); ok {
		t.Errorf("node still has a player after leaving")
	}
}

func TestLoopModes(t *testing.T) {
	tests := []struct {
		mode LoopMode
		want []string // titles started, in order, after "one" and "two" are queued
	}{
		{LoopOff, []string{"one", "two"}},
		{LoopTrack, []string{"one", "one", "one"}},
		{LoopQueue, []string{"one", "two", "one", "two"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			h := newHarness(t, harnessConfig{})
			h.addTracks("one", "two")
			h.listen(guildID, userID, voiceID)
			if err := h.m.SetLoop(h.ctx(), guildID, listener, tt.mode); err != nil {
				t.Fatalf("SetLoop(%v) = %v", tt.mode, err)
			}
			h.play(guildID, listener, "one")
			h.play(guildID, listener, "two")
			for i, title := range tt.want {
				if i > 0 {
					h.clock.Advance(180 * time.Second)
				}
				got := h.waitEvent(isType(TypeTrackStarted)).(TrackStarted).Track.Info.Title
				if got != title {
					t.Fatalf("track %d started = %q, want %q", i+1, got, title)
				}
			}
			if tt.mode == LoopOff {
				h.clock.Advance(180 * time.Second)
				h.waitEvent(isType(TypeQueueEnded))
			}
		})
	}
}

func TestControls(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	h.addTracks("one", "two", "three", "four")
	h.listen(guildID, userID, voiceID)
	ctx := h.ctx()
	for _, q := range []string{"one", "two", "three", "four"} {
		h.play(guildID, listener, q)
	}
	h.waitEvent(isStarted("one"))

	h.clock.Advance(10 * time.Second)
	if err := h.m.Pause(ctx, guildID, listener); err != nil {
		t.Fatalf("Pause = %v", err)
	}
	if err := h.m.Pause(ctx, guildID, listener); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("second Pause = %v, want ErrInvalidTransition", err)
	}
	if np, _ := h.nodePlayer(0, guildID); !np.Paused {
		t.Errorf("node player not paused")
	}
	h.clock.Advance(30 * time.Second)
	now, err := h.m.NowPlaying(ctx, guildID, listener)
	if err != nil || !now.Paused || now.Position != 10*time.Second {
		t.Errorf("NowPlaying while paused = %+v, %v; want paused at 10s", now, err)
	}
	if err := h.m.Resume(ctx, guildID, listener); err != nil {
		t.Fatalf("Resume = %v", err)
	}
	if np, _ := h.nodePlayer(0, guildID); np.Paused {
		t.Errorf("node player still paused")
	}

	pos, err := h.m.Seek(ctx, guildID, listener, "1:23")
	if err != nil || pos != 83*time.Second {
		t.Fatalf("Seek(1:23) = %v, %v", pos, err)
	}
	if np, _ := h.nodePlayer(0, guildID); np.Position != 83*time.Second {
		t.Errorf("node position after seek = %v, want 83s", np.Position)
	}
	var se *SeekError
	if _, err := h.m.Seek(ctx, guildID, listener, "4:00"); !errors.As(err, &se) || se.Length != 180*time.Second {
		t.Errorf("Seek(4:00) = %v, want *SeekError for a 3:00 track", err)
	}
	if _, err := h.m.Seek(ctx, guildID, listener, "soon"); !errors.Is(err, ErrInvalidSeek) {
		t.Errorf("Seek(soon) = %v, want ErrInvalidSeek", err)
	}

	if err := h.m.SetVolume(ctx, guildID, listener, 150); err != nil {
		t.Fatalf("SetVolume = %v", err)
	}
	if np, _ := h.nodePlayer(0, guildID); np.Volume != 150 {
		t.Errorf("node volume = %d, want 150", np.Volume)
	}
	if err := h.m.SetVolume(ctx, guildID, listener, 201); !errors.Is(err, ErrInvalidSetting) {
		t.Errorf("SetVolume(201) = %v, want ErrInvalidSetting", err)
	}
	if st, _ := h.m.Settings(ctx, guildID, listener); st.Volume() != 150 {
		t.Errorf("settings volume = %d, want 150", st.Volume())
	}

	sk, err := h.m.Skip(ctx, guildID, listener, 2)
	if err != nil || sk.Skipped.Info.Title != "one" || sk.Next.Info.Title != "three" || !sk.Started {
		t.Fatalf("Skip(2) = %+v, %v", sk, err)
	}
	h.waitEvent(isStarted("three"))
	if np, _ := h.nodePlayer(0, guildID); np.Track == nil || np.Track.Info.Title != "three" {
		t.Errorf("node plays %v, want three", np.Track)
	}
	if _, err := h.m.Skip(ctx, guildID, listener, 5); !errors.Is(err, ErrInvalidPosition) {
		t.Errorf("Skip(5) = %v, want ErrInvalidPosition", err)
	}

	prev, err := h.m.Previous(ctx, guildID, listener)
	if err != nil || prev.Info.Title != "one" { // "two" was skipped over, not played
		t.Fatalf("Previous = %v, %v; want one", prev.Info.Title, err)
	}
	h.waitEvent(isStarted("one"))
	view, err := h.m.Queue(ctx, guildID, listener, 1)
	if err != nil || view.Current == nil || view.Current.Info.Title != "one" || view.Total != 2 ||
		view.Tracks[0].Info.Title != "three" || view.Tracks[1].Info.Title != "four" {
		t.Fatalf("Queue = %+v, %v", view, err)
	}

	moved, err := h.m.Move(ctx, guildID, listener, 2, 1)
	if err != nil || moved.Info.Title != "four" {
		t.Fatalf("Move(2, 1) = %v, %v", moved.Info.Title, err)
	}
	removed, err := h.m.Remove(ctx, guildID, listener, 2)
	if err != nil || removed.Info.Title != "three" {
		t.Fatalf("Remove(2) = %v, %v", removed.Info.Title, err)
	}
	if _, err := h.m.Remove(ctx, guildID, listener, 9); !errors.Is(err, ErrInvalidPosition) {
		t.Errorf("Remove(9) = %v, want ErrInvalidPosition", err)
	}
	if n, err := h.m.Shuffle(ctx, guildID, listener); err != nil || n != 1 {
		t.Errorf("Shuffle = %d, %v; want 1", n, err)
	}
	if n, err := h.m.Clear(ctx, guildID, listener); err != nil || n != 1 {
		t.Errorf("Clear = %d, %v; want 1", n, err)
	}

	if err := h.m.Stop(ctx, guildID, listener); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	if np, _ := h.nodePlayer(0, guildID); np.Track != nil {
		t.Errorf("node still plays %v after Stop", np.Track.Info.Title)
	}
	if _, err := h.m.NowPlaying(ctx, guildID, listener); !errors.Is(err, ErrNothingPlaying) {
		t.Errorf("NowPlaying after Stop = %v", err)
	}
	if err := h.m.Leave(ctx, guildID, listener); err != nil {
		t.Fatalf("Leave = %v", err)
	}
	if e := h.waitEvent(isType(TypeSessionEnded)).(SessionEnded); e.Reason != LeaveCommand {
		t.Errorf("SessionEnded = %+v", e)
	}
	if err := h.m.Pause(ctx, guildID, listener); !errors.Is(err, ErrNothingPlaying) {
		t.Errorf("Pause after Leave = %v, want ErrNothingPlaying", err)
	}
}

func TestSkipLastTrackStops(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	res, err := h.m.Skip(h.ctx(), guildID, listener, 1)
	if err != nil || res.Started || res.Skipped.Info.Title != "one" {
		t.Fatalf("Skip = %+v, %v", res, err)
	}
	h.waitEvent(isType(TypeQueueEnded))
	if np, ok := h.nodePlayer(0, guildID); !ok || np.Track != nil {
		t.Errorf("node player = %+v, want one without a track", np)
	}
}
