package music_test

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/storetest"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func newSession(t *testing.T, opts ...music.QueueOption) *music.Session {
	t.Helper()
	s, err := music.NewSession(42, t0, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// playing returns a session playing "cur" with the given tracks queued.
func playing(t *testing.T, loop music.LoopMode, queued ...string) *music.Session {
	t.Helper()
	s := newSession(t)
	st, err := music.Settings{}.WithLoop(loop)
	if err != nil {
		t.Fatal(err)
	}
	s.ApplySettings(st)
	if err := s.Connect(100, 200, t0); err != nil {
		t.Fatal(err)
	}
	s.Start(named("cur")[0], t0)
	if _, err := s.Queue().AddMany(named(queued...), music.PlaceEnd); err != nil {
		t.Fatal(err)
	}
	return s
}

func current(s *music.Session) string {
	tr, ok := s.Current()
	if !ok {
		return ""
	}
	return tr.Info.Identifier
}

func TestNewSession(t *testing.T) {
	if _, err := music.NewSession(0, t0); !errors.Is(err, music.ErrInvalidID) {
		t.Errorf("NewSession(0) = %v, want ErrInvalidID", err)
	}
	s := newSession(t, music.WithMaxLength(5))
	if s.GuildID() != 42 || s.State() != music.StateIdle || s.Volume() != music.DefaultVolume ||
		s.Queue().MaxLength() != 5 || !s.LastActivity().Equal(t0) || s.Paused() {
		t.Errorf("new session: guild %v state %v volume %d max %d activity %v",
			s.GuildID(), s.State(), s.Volume(), s.Queue().MaxLength(), s.LastActivity())
	}
	if _, ok := s.Current(); ok {
		t.Error("a new session has a current track")
	}
	if p := s.Position(at(time.Hour)); p != 0 {
		t.Errorf("Position of an idle session = %v, want 0", p)
	}
}

func TestSessionTransitions(t *testing.T) {
	type step struct {
		name string
		do   func(*music.Session) error
	}
	connect := step{"connect", func(s *music.Session) error { return s.Connect(1, 2, t0) }}
	connected := step{"connected", func(s *music.Session) error { return s.Connected(t0) }}
	start := step{"start", func(s *music.Session) error { s.Start(named("x")[0], t0); return nil }}
	pause := step{"pause", func(s *music.Session) error { return s.Pause(t0) }}
	resume := step{"resume", func(s *music.Session) error { return s.Resume(t0) }}
	seek := step{"seek", func(s *music.Session) error { return s.Seek(time.Second, t0) }}
	stop := step{"stop", func(s *music.Session) error { return s.Stop(t0) }}
	skip := step{"skip", func(s *music.Session) error { _, _, err := s.Skip(1, t0); return err }}

	cases := []struct {
		setup   []step
		try     step
		want    music.SessionState // after try; on error the state before
		wantErr error
	}{
		{nil, connect, music.StateConnecting, nil},
		{[]step{connect}, connected, music.StateIdle, nil},
		{[]step{connect}, start, music.StatePlaying, nil},
		{[]step{connect}, connect, music.StateConnecting, music.ErrInvalidTransition},
		{nil, connected, music.StateIdle, music.ErrInvalidTransition},
		{nil, pause, music.StateIdle, music.ErrNothingPlaying},
		{nil, resume, music.StateIdle, music.ErrNothingPlaying},
		{nil, seek, music.StateIdle, music.ErrNothingPlaying},
		{nil, stop, music.StateIdle, music.ErrNothingPlaying},
		{nil, skip, music.StateIdle, music.ErrNothingPlaying},
		{[]step{connect}, pause, music.StateConnecting, music.ErrNothingPlaying},
		{[]step{start}, pause, music.StatePaused, nil},
		{[]step{start}, resume, music.StatePlaying, music.ErrInvalidTransition},
		{[]step{start, pause}, pause, music.StatePaused, music.ErrInvalidTransition},
		{[]step{start, pause}, resume, music.StatePlaying, nil},
		{[]step{start, pause}, start, music.StatePlaying, nil},
		{[]step{start, pause}, stop, music.StateIdle, nil},
		{[]step{start}, connect, music.StatePlaying, music.ErrInvalidTransition},
		{[]step{start}, connected, music.StatePlaying, music.ErrInvalidTransition},
		{[]step{start}, skip, music.StateIdle, nil},
	}
	for _, c := range cases {
		s := newSession(t)
		var names []string
		for _, st := range c.setup {
			if err := st.do(s); err != nil {
				t.Fatalf("setup %s: %v", st.name, err)
			}
			names = append(names, st.name)
		}
		err := c.try.do(s)
		path := strings.Join(append(names, c.try.name), " → ")
		if (c.wantErr == nil) != (err == nil) || (c.wantErr != nil && !errors.Is(err, c.wantErr)) {
			t.Errorf("%s: error %v, want %v", path, err, c.wantErr)
		}
		if s.State() != c.want {
			t.Errorf("%s: state %v, want %v", path, s.State(), c.want)
		}
	}
}

func TestTransitionErrorText(t *testing.T) {
	s := newSession(t)
	err := s.Pause(t0)
	if err.Error() != "music: cannot pause: nothing is playing" {
		t.Errorf("Pause on idle: %q", err)
	}
	_ = s.Connect(1, 2, t0)
	err = s.Connect(1, 2, t0)
	var te *music.TransitionError
	if !errors.As(err, &te) || te.Action != "connect" || te.From != music.StateConnecting || errors.Is(err, music.ErrNothingPlaying) {
		t.Errorf("Connect while connecting = %#v; want a TransitionError that is not ErrNothingPlaying", err)
	}
	if err.Error() != "music: cannot connect while connecting" {
		t.Errorf("text %q", err)
	}
	if err := s.Connect(0, 0, t0); err == nil {
		t.Error("Connect while connecting to channel 0 succeeded")
	}
	s2 := newSession(t)
	if err := s2.Connect(0, 1, t0); !errors.Is(err, music.ErrInvalidID) {
		t.Errorf("Connect(voice 0) = %v, want ErrInvalidID", err)
	}
	if got := music.SessionState(9).String(); got != "SessionState(9)" {
		t.Errorf("SessionState(9).String() = %q", got)
	}
}

// TestSessionObserveSameInstant proves that a report made at the very
// moment the position was set, such as the position-0 update of a player
// whose voice came up before its track, does not undo a start position.
func TestSessionObserveSameInstant(t *testing.T) {
	s := newSession(t)
	tr := storetest.Track(1)
	tr.Info.Position = 42 * time.Second
	s.Start(tr, t0)
	s.Observe(0, t0)
	if p := s.Position(t0); p != 42*time.Second {
		t.Errorf("Position after a same-instant report of 0 = %v, want 42s", p)
	}
	s.Observe(43*time.Second, at(time.Second))
	if p := s.Position(at(time.Second)); p != 43*time.Second {
		t.Errorf("Position after a later report = %v, want 43s", p)
	}
}

func TestSessionPosition(t *testing.T) {
	s := playing(t, music.LoopOff)
	s.Observe(10*time.Second, at(time.Second))
	if p := s.Position(at(4 * time.Second)); p != 13*time.Second {
		t.Errorf("Position 3 s after observing 10 s = %v, want 13s", p)
	}
	// An older report (a replayed event) does not move the position back.
	s.Observe(2*time.Second, at(500*time.Millisecond))
	if p, when := s.LastPosition(); p != 10*time.Second || !when.Equal(at(time.Second)) {
		t.Errorf("after an older Observe: LastPosition = %v at %v; want 10s at +1s", p, when)
	}
	// Never past the end of the track (1 minute long).
	if p := s.Position(at(time.Hour)); p != time.Minute {
		t.Errorf("Position an hour later = %v, want the track length 1m", p)
	}
	// Paused: frozen.
	if err := s.Pause(at(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if p := s.Position(at(time.Hour)); p != 14*time.Second {
		t.Errorf("Position while paused = %v, want 14s", p)
	}
	if err := s.Resume(at(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if p := s.Position(at(12 * time.Second)); p != 16*time.Second {
		t.Errorf("Position 2 s after resume = %v, want 16s", p)
	}
	// A clock that went backwards does not subtract.
	if p := s.Position(at(0)); p != 14*time.Second {
		t.Errorf("Position before the observation = %v, want 14s", p)
	}
	// A stream's length is the largest Duration: no overflow.
	st := newSession(t)
	stream := storetest.Track(2)
	stream.Info.Position = 0
	st.Start(stream, t0)
	st.Observe(time.Duration(math.MaxInt64-10), at(time.Millisecond))
	if p := st.Position(at(time.Hour)); p != math.MaxInt64 {
		t.Errorf("stream Position = %v, want saturation at the largest Duration", p)
	}
	idle := newSession(t)
	idle.Observe(time.Second, t0)
	if p, _ := idle.LastPosition(); p != 0 {
		t.Error("Observe on an idle session recorded a position")
	}
}

func TestSessionSeek(t *testing.T) {
	s := playing(t, music.LoopOff)
	if err := s.Seek(30*time.Second, at(time.Second)); err != nil {
		t.Fatal(err)
	}
	if p := s.Position(at(2 * time.Second)); p != 31*time.Second {
		t.Errorf("Position 1 s after Seek(30s) = %v", p)
	}
	for _, pos := range []time.Duration{-time.Second, time.Minute + time.Millisecond} {
		err := s.Seek(pos, t0)
		var se *music.SeekError
		if !errors.As(err, &se) || !errors.Is(err, music.ErrSeekOutOfRange) || se.Length != time.Minute {
			t.Errorf("Seek(%v) = %v; want a SeekError", pos, err)
		}
	}
	if err := s.Seek(time.Minute, t0); err != nil {
		t.Errorf("Seek(length) = %v, want allowed", err)
	}
	if want := "music: cannot seek to 2m0s: the track is 1m0s long"; (&music.SeekError{Position: 2 * time.Minute, Length: time.Minute}).Error() != want {
		t.Error("SeekError text")
	}
	st := newSession(t)
	st.Start(storetest.Track(2), t0) // a stream
	if err := st.Seek(0, t0); !errors.Is(err, music.ErrNotSeekable) {
		t.Errorf("Seek in a stream = %v, want ErrNotSeekable", err)
	}
}

func TestSessionEnd(t *testing.T) {
	cases := []struct {
		loop      music.LoopMode
		reason    music.TrackEndReason
		queued    []string
		next      string // "" for none
		queue     []string
		history   []string
		wantState music.SessionState
	}{
		{music.LoopOff, music.EndFinished, []string{"a", "b"}, "a", []string{"b"}, []string{"cur"}, music.StatePlaying},
		{music.LoopOff, music.EndFinished, nil, "", nil, []string{"cur"}, music.StateIdle},
		{music.LoopTrack, music.EndFinished, []string{"a"}, "cur", []string{"a"}, nil, music.StatePlaying},
		{music.LoopQueue, music.EndFinished, []string{"a", "b"}, "a", []string{"b", "cur"}, []string{"cur"}, music.StatePlaying},
		{music.LoopQueue, music.EndFinished, nil, "cur", nil, []string{"cur"}, music.StatePlaying},
		// A failed track is not repeated, whatever the loop mode.
		{music.LoopTrack, music.EndLoadFailed, []string{"a"}, "a", nil, []string{"cur"}, music.StatePlaying},
		{music.LoopQueue, music.EndLoadFailed, []string{"a"}, "a", nil, []string{"cur"}, music.StatePlaying},
		// Reasons that do not allow a next track change nothing.
		{music.LoopOff, music.EndReplaced, []string{"a"}, "", []string{"a"}, nil, music.StatePlaying},
		{music.LoopOff, music.EndStopped, []string{"a"}, "", []string{"a"}, nil, music.StatePlaying},
		{music.LoopOff, music.EndCleanup, []string{"a"}, "", []string{"a"}, nil, music.StatePlaying},
	}
	for _, c := range cases {
		s := playing(t, c.loop, c.queued...)
		next, ok := s.End(c.reason, at(time.Minute))
		name := c.loop.String() + "/" + c.reason.String()
		if ok != (c.next != "") || (ok && next.Info.Identifier != c.next) {
			t.Errorf("%s: End = %q, %t; want %q", name, next.Info.Identifier, ok, c.next)
		}
		if got := ids(s.Queue().Tracks()); !slices.Equal(got, c.queue) && !(len(got) == 0 && len(c.queue) == 0) {
			t.Errorf("%s: queue after End = %v, want %v", name, got, c.queue)
		}
		if got := ids(s.Queue().History()); !slices.Equal(got, c.history) && !(len(got) == 0 && len(c.history) == 0) {
			t.Errorf("%s: history after End = %v, want %v", name, got, c.history)
		}
		if s.State() != c.wantState {
			t.Errorf("%s: state %v, want %v", name, s.State(), c.wantState)
		}
		if ok && current(s) != c.next {
			t.Errorf("%s: current %q, want %q", name, current(s), c.next)
		}
		if ok {
			if p := s.Position(at(time.Minute)); p != 0 {
				t.Errorf("%s: next track starts at %v, want 0", name, p)
			}
		}
	}
	idle := newSession(t)
	if _, ok := idle.End(music.EndFinished, t0); ok {
		t.Error("End on an idle session reported a next track")
	}
}

func TestSessionSkip(t *testing.T) {
	cases := []struct {
		loop    music.LoopMode
		n       int
		next    string
		queue   []string
		wantErr error
	}{
		{music.LoopOff, 1, "a", []string{"b", "c"}, nil},
		{music.LoopOff, 3, "c", nil, nil},
		{music.LoopTrack, 1, "a", []string{"b", "c"}, nil},
		{music.LoopQueue, 2, "b", []string{"c", "cur", "a"}, nil},
		{music.LoopOff, 0, "cur", []string{"a", "b", "c"}, music.ErrInvalidPosition},
		{music.LoopOff, 4, "cur", []string{"a", "b", "c"}, music.ErrInvalidPosition},
	}
	for _, c := range cases {
		s := playing(t, c.loop, "a", "b", "c")
		next, ok, err := s.Skip(c.n, at(time.Second))
		if !errors.Is(err, c.wantErr) || (err == nil && (!ok || next.Info.Identifier != c.next)) {
			t.Errorf("%v Skip(%d) = %q, %t, %v; want %q, %v", c.loop, c.n, next.Info.Identifier, ok, err, c.next, c.wantErr)
		}
		if current(s) != c.next {
			t.Errorf("%v Skip(%d): current %q, want %q", c.loop, c.n, current(s), c.next)
		}
		if got := ids(s.Queue().Tracks()); !slices.Equal(got, c.queue) && !(len(got) == 0 && len(c.queue) == 0) {
			t.Errorf("%v Skip(%d): queue %v, want %v", c.loop, c.n, got, c.queue)
		}
	}
	s := playing(t, music.LoopOff)
	if next, ok, err := s.Skip(1, t0); err != nil || ok || s.State() != music.StateIdle {
		t.Errorf("Skip(1) with an empty queue = %v, %t, %v; want no track, idle", next.Info.Identifier, ok, err)
	}
	if got := ids(s.Queue().History()); !slices.Equal(got, []string{"cur"}) {
		t.Errorf("history after Skip = %v, want cur", got)
	}
}

func TestSessionPrevious(t *testing.T) {
	s := playing(t, music.LoopOff, "a", "b")
	if _, err := newSession(t).Previous(t0); !errors.Is(err, music.ErrHistoryEmpty) {
		t.Errorf("Previous with no history = %v, want ErrHistoryEmpty", err)
	}
	s.End(music.EndFinished, at(time.Minute)) // cur → history, a plays
	prev, err := s.Previous(at(2 * time.Minute))
	if err != nil || prev.Info.Identifier != "cur" || current(s) != "cur" {
		t.Fatalf("Previous = %q, %v; current %q; want cur", prev.Info.Identifier, err, current(s))
	}
	if got := ids(s.Queue().Tracks()); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("queue after Previous = %v, want a b (the interrupted track first)", got)
	}
	// From idle: plays the last track, queue untouched.
	s2 := playing(t, music.LoopOff)
	_ = s2.Stop(t0)
	if prev, err := s2.Previous(t0); err != nil || prev.Info.Identifier != "cur" || s2.Queue().Len() != 0 {
		t.Errorf("Previous after Stop = %q, %v, queue %d", prev.Info.Identifier, err, s2.Queue().Len())
	}
	// A full queue still takes the interrupted track back.
	s3 := newSession(t, music.WithMaxLength(1))
	s3.Start(named("x")[0], t0)
	_ = s3.Queue().Add(named("q")[0])
	s3.End(music.EndFinished, t0) // x → history, q plays
	_ = s3.Queue().Add(named("r")[0])
	if _, err := s3.Previous(t0); err != nil || s3.Queue().Len() != 2 {
		t.Errorf("Previous with a full queue = %v, queue len %d; want 2", err, s3.Queue().Len())
	}
}

func TestSessionSettersAndSettings(t *testing.T) {
	s := newSession(t)
	if err := s.SetVolume(150); err != nil || s.Volume() != 150 {
		t.Errorf("SetVolume(150) = %v, volume %d", err, s.Volume())
	}
	var re *music.RangeError
	if err := s.SetVolume(201); !errors.As(err, &re) || !errors.Is(err, music.ErrInvalidSetting) || s.Volume() != 150 {
		t.Errorf("SetVolume(201) = %v, volume %d; want a RangeError and no change", err, s.Volume())
	}
	if err := s.SetFilters(json.RawMessage(" {\"volume\": 1.5} ")); err != nil || string(s.Filters()) != `{"volume":1.5}` {
		t.Errorf("SetFilters = %v, %s; want compacted", err, s.Filters())
	}
	for _, bad := range []string{"[1]", "null", "{", "3"} {
		if err := s.SetFilters(json.RawMessage(bad)); !errors.Is(err, music.ErrInvalidFilters) {
			t.Errorf("SetFilters(%s) = %v, want ErrInvalidFilters", bad, err)
		}
	}
	if err := s.SetFilters(nil); err != nil || s.Filters() != nil {
		t.Errorf("SetFilters(nil) = %v, %s; want cleared", err, s.Filters())
	}
	s.SetNode("eu-1", "sid")
	s.SetTextChannel(7)
	s.SetVoiceChannel(8)
	s.Touch(at(time.Hour))
	if s.Node() != "eu-1" || s.NodeSessionID() != "sid" || s.TextChannelID() != 7 || s.VoiceChannelID() != 8 || !s.LastActivity().Equal(at(time.Hour)) {
		t.Errorf("setters: node %q/%q text %v voice %v activity %v", s.Node(), s.NodeSessionID(), s.TextChannelID(), s.VoiceChannelID(), s.LastActivity())
	}
	st, _ := music.Settings{}.WithAutoplay(true)
	st, _ = st.WithMaxQueueLength(7)
	s.ApplySettings(st)
	if !s.Autoplay() || s.Loop() != music.LoopOff || s.Queue().MaxLength() != 7 {
		t.Errorf("ApplySettings: autoplay %t loop %v max %d", s.Autoplay(), s.Loop(), s.Queue().MaxLength())
	}
}

func TestSnapshotRestore(t *testing.T) {
	s := playing(t, music.LoopQueue, "a", "b", "c")
	s.End(music.EndFinished, at(time.Minute)) // history: cur
	_ = s.Pause(at(time.Minute + 5*time.Second))
	_ = s.SetVolume(80)
	_ = s.SetFilters(json.RawMessage(`{"timescale":{"speed":1.1}}`))
	s.SetNode("eu-1", "abc")
	snap := s.Snapshot()
	if snap.Version != music.SnapshotVersion || snap.GuildID != 42 || snap.State != music.StatePaused || !snap.Paused() ||
		snap.Current == nil || snap.Current.Info.Identifier != "a" || snap.Position != 5*time.Second ||
		snap.Volume != 80 || snap.Node != "eu-1" || snap.NodeSessionID != "abc" ||
		snap.VoiceChannelID != 100 || snap.TextChannelID != 200 ||
		!slices.Equal(ids(snap.Queue), []string{"b", "c", "cur"}) || !slices.Equal(ids(snap.History), []string{"cur"}) {
		t.Fatalf("Snapshot() = %+v", snap)
	}
	r, err := music.RestoreSession(snap, music.WithHistorySize(10))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Snapshot(); !got.Equal(snap) {
		t.Errorf("RestoreSession(s).Snapshot() differs from s")
	}
	if r.Position(at(time.Hour)) != 5*time.Second || r.State() != music.StatePaused {
		t.Errorf("restored: position %v state %v", r.Position(at(time.Hour)), r.State())
	}
	// Playing: the position keeps moving from when it was observed.
	_ = r.Resume(at(2 * time.Minute))
	r2, err := music.RestoreSession(r.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if p := r2.Position(at(2*time.Minute + 3*time.Second)); p != 8*time.Second {
		t.Errorf("restored playing session Position 3 s later = %v, want 8s", p)
	}
}

func TestRestoreKeepsEverything(t *testing.T) {
	snap := storetest.Snapshot(9, 1, 40, 30)
	r, err := music.RestoreSession(snap, music.WithMaxLength(10), music.WithHistorySize(5))
	if err != nil {
		t.Fatal(err)
	}
	if r.Queue().Len() != 40 {
		t.Errorf("restored queue has %d tracks, want all 40 despite a cap of 10", r.Queue().Len())
	}
	if h := r.Queue().History(); len(h) != 5 || !h[0].Equal(snap.History[0]) {
		t.Errorf("restored history = %d tracks; want the 5 most recent", len(h))
	}
}

func TestRestoreRejects(t *testing.T) {
	good := storetest.Snapshot(9, 1, 2, 2)
	cases := map[string]struct {
		change func(*music.Snapshot)
		want   error
	}{
		"newer version":    {func(s *music.Snapshot) { s.Version = music.SnapshotVersion + 1 }, music.ErrSnapshotVersion},
		"negative version": {func(s *music.Snapshot) { s.Version = -1 }, music.ErrInvalidSnapshot},
		"guild 0":          {func(s *music.Snapshot) { s.GuildID = 0 }, music.ErrInvalidSnapshot},
		"unknown state":    {func(s *music.Snapshot) { s.State = 9 }, music.ErrInvalidSnapshot},
		"playing nothing":  {func(s *music.Snapshot) { s.State, s.Current = music.StatePlaying, nil }, music.ErrInvalidSnapshot},
		"volume":           {func(s *music.Snapshot) { s.Volume = 300 }, music.ErrInvalidSnapshot},
		"filters":          {func(s *music.Snapshot) { s.Filters = json.RawMessage(`[]`) }, music.ErrInvalidSnapshot},
	}
	for name, c := range cases {
		s := good.Clone()
		c.change(&s)
		if _, err := music.RestoreSession(s); !errors.Is(err, c.want) {
			t.Errorf("%s: RestoreSession = %v, want %v", name, err, c.want)
		}
	}
	idle := good.Clone()
	idle.State = music.StateIdle
	r, err := music.RestoreSession(idle)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Current(); ok {
		t.Error("an idle snapshot restored with a current track")
	}
}
