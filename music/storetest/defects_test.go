package storetest

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

// recorder is a tb that records failures instead of reporting them; Fatal
// and Skip end the check's goroutine as testing.T does.
type recorder struct {
	ctx     context.Context
	cancel  context.CancelFunc
	mu      sync.Mutex
	failed  bool
	skipped bool
	msgs    []string
}

func newRecorder() *recorder {
	r := &recorder{}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	return r
}

func (r *recorder) Helper()                  {}
func (r *recorder) Context() context.Context { return r.ctx }
func (r *recorder) Error(args ...any)        { r.fail(fmt.Sprint(args...)) }
func (r *recorder) Errorf(f string, a ...any) {
	r.fail(fmt.Sprintf(f, a...))
}
func (r *recorder) Fatal(args ...any)         { r.fail(fmt.Sprint(args...)); runtime.Goexit() }
func (r *recorder) Fatalf(f string, a ...any) { r.fail(fmt.Sprintf(f, a...)); runtime.Goexit() }
func (r *recorder) Skip(...any) {
	r.mu.Lock()
	r.skipped = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) fail(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	r.msgs = append(r.msgs, msg)
}

// runRecorded runs the suite in-process and returns the checks that failed
// with their messages. With prefixes, it runs only the checks whose names
// start with one of them.
func runRecorded(newStores func() Stores, prefixes ...string) (failed map[string][]string, skipped []string) {
	failed = map[string][]string{}
	run(newRecorder(), func(name string, f func(tb)) {
		if len(prefixes) > 0 && !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			return
		}
		r := newRecorder()
		done := make(chan struct{})
		go func() {
			defer close(done)
			f(r)
		}()
		<-done
		r.cancel()
		if r.failed {
			failed[name] = r.msgs
		}
		if r.skipped {
			skipped = append(skipped, name)
		}
	}, func(tb) Stores { return newStores() })
	return failed, skipped
}

func TestRecorderSeesAPass(t *testing.T) {
	failed, skipped := runRecorded(func() Stores {
		s := music.NewMemoryStore()
		return Stores{Settings: s, Sessions: s}
	})
	if len(failed) != 0 || len(skipped) != 12 {
		t.Errorf("memory store: failed %v, skipped %v; want none failed and the 12 shared-store checks skipped", failed, skipped)
	}
	failed, skipped = runRecorded(func() Stores {
		s := newShared("")
		return Stores{Settings: s, Sessions: s}
	})
	if len(failed) != 0 || len(skipped) != 0 {
		t.Errorf("shared reference store: failed %v, skipped %v; want none", failed, skipped)
	}
	_, skipped = runRecorded(func() Stores { return Stores{} })
	if len(skipped) != 30 {
		t.Errorf("nil stores skipped %d checks, want all 30", len(skipped))
	}
}

// broken is a memory store with one defect, chosen by mode.
type broken struct {
	*music.MemoryStore
	mode string
	mu   sync.Mutex
	raw  map[snowflake.ID]music.Snapshot
}

func (b *broken) Get(ctx context.Context, id snowflake.ID) (music.Settings, error) {
	s, err := b.MemoryStore.Get(ctx, id)
	switch b.mode {
	case "missing settings are an error":
		if s == (music.Settings{}) {
			return s, music.ErrSnapshotNotFound
		}
	case "mixes up guilds":
		return b.MemoryStore.Get(ctx, 110373943822540800)
	case "ignores the context":
		return s, nil
	case "accepts guild 0":
		if id == 0 {
			return s, nil
		}
	}
	return s, err
}

func (b *broken) Put(ctx context.Context, id snowflake.ID, s music.Settings) error {
	switch b.mode {
	case "forgets which settings were chosen":
		s, _ = music.Settings{}.WithVolume(s.Volume())
	case "ignores the context", "accepts guild 0":
		if id == 0 {
			return nil
		}
		ctx = context.Background()
	case "deletes settings with the session":
		// keeps nothing beyond one Put
	}
	return b.MemoryStore.Put(ctx, id, s)
}

func (b *broken) Save(ctx context.Context, s music.Snapshot) error {
	switch b.mode {
	case "drops user data":
		s = s.Clone()
		for i := range s.Queue {
			s.Queue[i].UserData = nil
		}
	case "truncates long queues":
		if len(s.Queue) > 5000 {
			s.Queue = s.Queue[:5000]
		}
	case "rounds times to the second":
		s.PositionAt = s.PositionAt.Truncate(time.Second)
	case "loses the stream length":
		if s.Current != nil && s.Current.Info.IsStream {
			c := *s.Current
			c.Info.Length = 0
			s.Current = &c
		}
	case "keeps nil where a track was":
		s.Current = nil
	case "shares memory":
		b.mu.Lock()
		b.raw[s.GuildID] = s
		b.mu.Unlock()
		return nil
	case "ignores versions":
		s.Version = music.SnapshotVersion
	case "keys guilds by a short hash":
		b.mu.Lock()
		b.raw[s.GuildID%4] = s.Clone()
		b.mu.Unlock()
		return nil
	case "ignores the context", "accepts guild 0":
		if s.GuildID == 0 {
			return nil
		}
		ctx = context.Background()
	case "keeps the first save":
		if _, err := b.MemoryStore.Load(ctx, s.GuildID); err == nil {
			return nil
		}
	case "forgets the history":
		s.History = nil
	}
	return b.MemoryStore.Save(ctx, s)
}

func (b *broken) Load(ctx context.Context, id snowflake.ID) (music.Snapshot, error) {
	switch b.mode {
	case "shares memory":
		b.mu.Lock()
		defer b.mu.Unlock()
		s, ok := b.raw[id]
		if !ok {
			return s, music.ErrSnapshotNotFound
		}
		return s, nil
	case "keys guilds by a short hash":
		b.mu.Lock()
		defer b.mu.Unlock()
		s, ok := b.raw[id%4]
		if !ok {
			return s, music.ErrSnapshotNotFound
		}
		return s.Clone(), nil
	case "missing session is nil":
		s, err := b.MemoryStore.Load(ctx, id)
		if err != nil && ctx.Err() == nil {
			return music.Snapshot{}, nil
		}
		return s, err
	case "ignores the context":
		ctx = context.Background()
	case "accepts guild 0":
		if id == 0 {
			return music.Snapshot{}, nil
		}
	}
	return b.MemoryStore.Load(ctx, id)
}

func (b *broken) Delete(ctx context.Context, id snowflake.ID) error {
	switch b.mode {
	case "delete of a missing guild fails":
		if _, err := b.MemoryStore.Load(ctx, id); err != nil {
			return err
		}
	case "delete does nothing":
		return nil
	case "deletes settings with the session":
		_ = b.MemoryStore.Put(ctx, id, music.Settings{})
	case "ignores the context":
		ctx = context.Background()
	}
	return b.MemoryStore.Delete(ctx, id)
}

func (b *broken) List(ctx context.Context) ([]snowflake.ID, error) {
	if b.mode == "ignores the context" {
		ctx = context.Background()
	}
	ids, err := b.MemoryStore.List(ctx)
	switch b.mode {
	case "lists in reverse":
		slices.Reverse(ids)
	case "lists settings-only guilds":
		ids = append(ids, 110373943822540800)
		slices.Sort(ids)
		ids = slices.Compact(ids)
	case "lists duplicates":
		ids = append(ids, ids...)
		slices.Sort(ids)
	}
	return ids, err
}

// TestSuiteCatchesDefects checks the suite is worth passing: for each
// defect, a store with it fails the check meant to catch it.
func TestSuiteCatchesDefects(t *testing.T) {
	defects := map[string]string{
		"missing settings are an error":      "Settings/MissingGuildGetsDefaults",
		"forgets which settings were chosen": "Settings/RoundTrip",
		"mixes up guilds":                    "Settings/Replace",
		"drops user data":                    "Sessions/RoundTrip",
		"truncates long queues":              "Sessions/LargeQueue",
		"rounds times to the second":         "Sessions/RoundTrip",
		"loses the stream length":            "Sessions/RoundTrip",
		"keeps nil where a track was":        "Sessions/RoundTrip",
		"forgets the history":                "Sessions/RoundTrip",
		"keeps the first save":               "Sessions/Replace",
		"missing session is nil":             "Sessions/LoadMissing",
		"shares memory":                      "Sessions/NoSharedMemory",
		"ignores versions":                   "Sessions/NewerSchemaVersion",
		"delete of a missing guild fails":    "Sessions/Delete",
		"delete does nothing":                "Sessions/Delete",
		"lists in reverse":                   "Sessions/List",
		"lists duplicates":                   "Sessions/List",
		"lists settings-only guilds":         "Combined/SettingsAndSessionsIndependent",
		"deletes settings with the session":  "Combined/SettingsAndSessionsIndependent",
		"keys guilds by a short hash":        "Sessions/ConcurrentWriters",
		"ignores the context":                "Sessions/CancelledContext",
		"accepts guild 0":                    "Sessions/GuildZero",
	}
	for mode, want := range defects {
		failed, _ := runRecorded(func() Stores {
			s := &broken{MemoryStore: music.NewMemoryStore(), mode: mode, raw: map[snowflake.ID]music.Snapshot{}}
			return Stores{Settings: s, Sessions: s}
		})
		msgs, ok := failed[want]
		if !ok {
			t.Errorf("a store that %s passed %s (failed: %v)", mode, want, slices.Sorted(mapKeys(failed)))
			continue
		}
		if len(msgs) == 0 || strings.TrimSpace(msgs[0]) == "" {
			t.Errorf("a store that %s failed %s without saying why", mode, want)
		}
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestDiffNamesTheFields(t *testing.T) {
	want := Snapshot(1, 1, 10, 2)
	got := want.Clone()
	got.Node = "elsewhere"
	got.Volume++
	got.State = music.StatePlaying
	got.Position++
	got.PositionAt = got.PositionAt.Add(time.Second)
	got.LastActivity = time.Time{}
	got.Filters = nil
	got.GuildID++
	got.Version = 7
	got.VoiceChannelID, got.TextChannelID, got.NodeSessionID = 0, 0, ""
	got.Current.Info.Title = "other"
	for i := range 5 {
		got.Queue[i].Info.Title = "other"
	}
	got.History = got.History[:1]
	d := diff(want, got)
	for _, field := range []string{"Version", "GuildID", "State", "Position:", "PositionAt", "Volume", "Filters", "VoiceChannelID",
		"TextChannelID", "Node:", "NodeSessionID", "LastActivity", "Current", "Queue[0]", "more tracks differ", "len(History): got 1, want 2"} {
		if !strings.Contains(d, field) {
			t.Errorf("diff does not mention %q:\n%s", field, d)
		}
	}
	if strings.Count(d, "Queue[") != 3 {
		t.Errorf("diff lists %d queue tracks, want at most 3:\n%s", strings.Count(d, "Queue["), d)
	}
	got = want.Clone()
	got.Current = nil
	if d := diff(want, got); !strings.Contains(d, "Current") {
		t.Errorf("diff misses a nil Current:\n%s", d)
	}
	if d := diff(want, want); !strings.Contains(d, "no difference") {
		t.Errorf("diff of equal snapshots = %q", d)
	}
}
