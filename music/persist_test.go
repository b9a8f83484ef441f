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

func TestFailedSavesAreRetried(t *testing.T) {
	mem := NewMemoryStore()
	store := newFlakyStore(mem)
	h := newHarness(t, harnessConfig{sessions: store, settings: store, opts: []Option{WithSaveRetry(time.Second, 4*time.Second)}})
	h.addTracks("one", "two")
	h.listen(guildID, userID, voiceID)
	ctx := h.ctx()
	h.play(guildID, listener, "one")
	h.waitWrite(store.writes, func(w storeWrite) bool { return w.err == nil && w.snap.Current != nil })

	store.set(true)
	h.play(guildID, listener, "two")
	if err := h.m.SetVolume(ctx, guildID, listener, 70); err != nil {
		t.Fatalf("SetVolume with the store down = %v", err)
	}
	if st, err := h.m.Settings(ctx, guildID, listener); err != nil || st.Volume() != 70 {
		t.Errorf("Settings with the store down = %v, %v; want volume 70", st.Volume(), err)
	}
	h.clock.Advance(DefaultSaveInterval)
	h.waitWrite(store.writes, func(w storeWrite) bool { return w.err != nil })
	// Retries back off: 1 s, 2 s, 4 s, 4 s ...
	for _, step := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		h.clock.Advance(step)
		h.waitWrite(store.writes, func(w storeWrite) bool { return w.err != nil })
	}
	store.set(false)
	h.clock.Advance(4 * time.Second)
	w := h.waitWrite(store.writes, func(w storeWrite) bool { return w.err == nil })
	if len(w.snap.Queue) != 1 || w.snap.Volume != 70 {
		t.Errorf("saved after recovery = queue %d, volume %d; want 1 and 70", len(w.snap.Queue), w.snap.Volume)
	}
	// The settings written while the store was down arrive too.
	h.waitSave(func(d saveDone) bool { return d.settings && d.err == nil })
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
