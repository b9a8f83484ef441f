package music

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

func (h *harness) waitWrite(writes chan storeWrite, match func(storeWrite) bool) storeWrite {
	h.t.Helper()
	timeout := time.After(patience)
	for {
		select {
		case w := <-writes:
			if match(w) {
				return w
			}
		case <-timeout:
			h.t.Fatalf("no matching store write within %v", patience)
			return storeWrite{}
		}
	}
}

func TestSavesAreCoalesced(t *testing.T) {
	mem := NewMemoryStore()
	store := &notifyStore{SessionStore: mem, SettingsStore: mem, writes: make(chan storeWrite, 256)}
	h := newHarness(t, harnessConfig{sessions: store, settings: mem})
	h.addTracks("one", "two", "three")
	h.listen(guildID, userID, voiceID)
	ctx := h.ctx()
	h.play(guildID, listener, "one")
	w := h.waitWrite(store.writes, func(w storeWrite) bool { return w.snap.Current != nil })
	if w.snap.Current.Info.Title != "one" || w.snap.Node != "node-1" || w.snap.NodeSessionID == "" {
		t.Fatalf("first save = %+v", w.snap)
	}
	h.waitSave(func(saveDone) bool { return true })
	h.play(guildID, listener, "two")
	h.play(guildID, listener, "three")
	if _, err := h.m.Shuffle(ctx, guildID, listener); err != nil {
		t.Fatal(err)
	}
	if _, err := h.m.Remove(ctx, guildID, listener, 1); err != nil {
		t.Fatal(err)
	}
	// Within the save interval nothing more is written.
	if snap, _ := mem.Load(ctx, guildID); len(snap.Queue) != 0 {
		t.Fatalf("stored queue = %d tracks before the save interval passed, want 0", len(snap.Queue))
	}
	if n, _ := h.m.saver.pending(); n != 1 {
		t.Fatalf("pending session writes = %d, want 1", n)
	}
	h.clock.Advance(DefaultSaveInterval)
	w = h.waitWrite(store.writes, func(storeWrite) bool { return true })
	if len(w.snap.Queue) != 1 {
		t.Fatalf("coalesced save holds %d queued tracks, want 1 (after the remove)", len(w.snap.Queue))
	}
	// A track change is saved at once.
	if _, err := h.m.Skip(ctx, guildID, listener, 1); err != nil {
		t.Fatal(err)
	}
	w = h.waitWrite(store.writes, func(storeWrite) bool { return true })
	if w.snap.Current == nil || w.snap.Current.Info.Title == "one" || len(w.snap.Queue) != 0 {
		t.Fatalf("save after the skip = %+v", w.snap)
	}
	// Leaving deletes the stored session.
	if err := h.m.Leave(ctx, guildID, listener); err != nil {
		t.Fatal(err)
	}
	h.waitWrite(store.writes, func(w storeWrite) bool { return w.delete })
	if _, err := mem.Load(ctx, guildID); !errors.Is(err, ErrSnapshotNotFound) {
		t.Errorf("Load after Leave = %v, want ErrSnapshotNotFound", err)
	}
}

// flakyStore fails every call while down.
type flakyStore struct {
	*notifyStore
	down chan bool // holds the state; receive and send back to read it
}

func newFlakyStore(mem *MemoryStore) *flakyStore {
	f := &flakyStore{notifyStore: &notifyStore{SessionStore: mem, SettingsStore: mem, writes: make(chan storeWrite, 256)}, down: make(chan bool, 1)}
	f.down <- false
	return f
}

var errStoreDown = errors.New("store down")

func (f *flakyStore) isDown() bool { d := <-f.down; f.down <- d; return d }
func (f *flakyStore) set(d bool)   { <-f.down; f.down <- d }

func (f *flakyStore) Save(ctx context.Context, s Snapshot) error {
	if f.isDown() {
		f.writes <- storeWrite{guild: s.GuildID, snap: s, err: errStoreDown}
		return errStoreDown
	}
	return f.notifyStore.Save(ctx, s)
}

func (f *flakyStore) Put(ctx context.Context, g snowflake.ID, s Settings) error {
	if f.isDown() {
		return errStoreDown
	}
	return f.notifyStore.SettingsStore.Put(ctx, g, s)
}

func (f *flakyStore) Get(ctx context.Context, g snowflake.ID) (Settings, error) {
	if f.isDown() {
		return Settings{}, errStoreDown
	}
	return f.notifyStore.SettingsStore.Get(ctx, g)
}

// saverState is what the saver holds for one guild when it waits.
type saverState struct {
	next         time.Time // when its timer wakes it; zero: none
	gen, written uint64    // the session's changes made and written
	fails        int       // the session's failed writes in a row
	retryAt      time.Time // when the session's write is tried again
	settings     int       // settings writes waiting
}

// saverStepper runs the saver in lockstep with a test: each time the
// saver has armed its timer and is about to wait, it reports its state
// and waits until the test lets it go on. So the clock moves only while
// the saver waits, and a timer is never armed while the clock moves.
type saverStepper struct {
	h       *harness
	guild   snowflake.ID
	reports chan saverState
	resume  chan struct{}
	held    bool       // the saver waits for resume
	last    saverState // its state as it waits
}

// newSaverStepper hooks into the saver of a Manager not started yet.
func newSaverStepper(h *harness, guild snowflake.ID) *saverStepper {
	st := &saverStepper{h: h, guild: guild, reports: make(chan saverState), resume: make(chan struct{})}
	s, done := h.m.saver, h.m.ctx.Done()
	s.waiting = func(next time.Time) {
		s.mu.Lock()
		r := saverState{next: next, settings: len(s.settings)}
		if ss := s.sessions[guild]; ss != nil {
			r.gen, r.written, r.fails, r.retryAt = ss.gen, ss.written, ss.fails, ss.retryAt
		}
		s.mu.Unlock()
		select {
		case st.reports <- r:
		case <-done:
			return
		}
		select {
		case <-st.resume:
		case <-done:
		}
	}
	return st
}

// until lets the saver go on, moving the clock to each timer it arms,
// until it waits in a state that satisfies cond, and returns that state.
// The saver then waits (the clock stands still) until the next call.
func (st *saverStepper) until(cond func(saverState) bool) saverState {
	h := st.h
	h.t.Helper()
	timeout := time.After(patience)
	for {
		if st.held {
			if now := h.clock.Now(); st.last.next.After(now) {
				h.clock.Advance(st.last.next.Sub(now)) // fires the timer: the saver wakes when resumed
			}
			st.held = false
			select {
			case st.resume <- struct{}{}:
			case <-timeout:
				h.t.Fatalf("saver did not go on within %v", patience)
			}
		}
		select {
		case st.last = <-st.reports:
			st.held = true
		case <-timeout:
			h.t.Fatalf("saver reached no matching state within %v", patience)
		}
		if cond(st.last) {
			return st.last
		}
	}
}

func TestFailedSavesAreRetried(t *testing.T) {
	mem := NewMemoryStore()
	store := newFlakyStore(mem)
	h := newHarness(t, harnessConfig{sessions: store, settings: store, noStart: true,
		opts: []Option{WithSaveRetry(time.Second, 4*time.Second)}})
	saver := newSaverStepper(h, guildID)
	h.start()
	h.addTracks("one", "two")
	h.listen(guildID, userID, voiceID)
	ctx := h.ctx()
	h.play(guildID, listener, "one")
	saver.until(func(r saverState) bool { return r.gen > 0 && r.written == r.gen })
	if snap, err := mem.Load(ctx, guildID); err != nil || snap.Current == nil || snap.Current.Info.Title != "one" {
		t.Fatalf("stored after the first track started = %+v, %v", snap, err)
	}

	store.set(true)
	h.play(guildID, listener, "two")
	if err := h.m.SetVolume(ctx, guildID, listener, 70); err != nil {
		t.Fatalf("SetVolume with the store down = %v", err)
	}
	if st, err := h.m.Settings(ctx, guildID, listener); err != nil || st.Volume() != 70 {
		t.Errorf("Settings with the store down = %v, %v; want volume 70", st.Volume(), err)
	}
	// Retries back off: 1 s, 2 s, 4 s, 4 s after each failure.
	for i, backoff := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second} {
		r := saver.until(func(r saverState) bool { return r.fails == i+1 })
		if got := r.retryAt.Sub(h.clock.Now()); got != backoff {
			t.Errorf("after failed write %d the retry is due in %v, want %v", i+1, got, backoff)
		}
		if r.written == r.gen {
			t.Fatalf("failed write %d counted as written", i+1)
		}
	}
	store.set(false)
	saver.until(func(r saverState) bool { return r.written == r.gen && r.settings == 0 })
	w := h.waitWrite(store.writes, func(w storeWrite) bool { return w.err == nil && len(w.snap.Queue) > 0 })
	if len(w.snap.Queue) != 1 || w.snap.Volume != 70 {
		t.Errorf("saved after recovery = queue %d, volume %d; want 1 and 70", len(w.snap.Queue), w.snap.Volume)
	}
	// The settings written while the store was down arrive too.
	if st, _ := mem.Get(ctx, guildID); st.Volume() != 70 {
		t.Errorf("stored volume = %d, want 70", st.Volume())
	}
}

func TestRestartResumesSessions(t *testing.T) {
	for _, resumed := range []bool{true, false} {
		name := "node kept the session"
		if !resumed {
			name = "node restarted"
		}
		t.Run(name, func(t *testing.T) {
			mem := NewMemoryStore()
			h1 := newHarness(t, harnessConfig{sessions: mem, settings: mem})
			h1.addTracks("one", "two")
			h1.listen(guildID, userID, voiceID)
			h1.play(guildID, listener, "one")
			h1.play(guildID, listener, "two")
			h1.clock.Advance(40 * time.Second)
			ctx := h1.ctx()
			if err := h1.m.Close(ctx); err != nil {
				t.Fatalf("Close = %v", err)
			}
			snap, err := mem.Load(ctx, guildID)
			if err != nil || snap.Position != 40*time.Second || len(snap.Queue) != 1 {
				t.Fatalf("stored at Close = %+v, %v; want position 40s and one queued", snap, err)
			}
			if !resumed {
				if err := h1.nodes[0].Restart(); err != nil {
					t.Fatal(err)
				}
			}
			h1.clock.Advance(10 * time.Second) // the bot is down for 10 s

			h2 := newHarness(t, harnessConfig{sessions: mem, settings: mem, clock: h1.clock, llNodes: h1.nodes, noStart: true})
			h2.listen(guildID, userID, voiceID)
			h2.start()
			started := h2.waitEvent(isStarted("one")).(TrackStarted)
			if started.Node != "node-1" {
				t.Errorf("restored on %q", started.Node)
			}
			want := 40 * time.Second // the saved position
			if resumed {
				want = 50 * time.Second // the node played on
			}
			np, ok := h2.nodePlayer(0, guildID)
			if !ok || np.Track == nil || np.Track.Info.Title != "one" || np.Position != want || !np.Connected {
				t.Fatalf("node player after restart = %+v, want one at %v with voice", np, want)
			}
			if calls := h2.voice.callsFor(guildID); len(calls) != 1 || calls[0].channel != voiceID {
				t.Errorf("voice calls after restart = %+v, want a join", calls)
			}
			now, err := h2.m.NowPlaying(h2.ctx(), guildID, listener)
			if err != nil || now.Position != want || now.QueueLength != 1 {
				t.Errorf("NowPlaying after restart = %+v, %v", now, err)
			}
			h2.clock.Advance(180*time.Second - want)
			h2.waitEvent(isStarted("two"))
		})
	}
}
