package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

// Stores are the stores under test. Either may be nil, and the checks
// that need it are skipped.
type Stores struct {
	Settings music.SettingsStore
	Sessions music.SessionStore
}

// Guild IDs used by the suite: realistic 18- and 19-digit snowflakes.
const (
	guildA snowflake.ID = 81384788765712384
	guildB snowflake.ID = 110373943822540800
	guildC snowflake.ID = 1234567890123456789
)

// LargeQueue is the queue length of the large-queue check.
const LargeQueue = 10_000

// Run runs the conformance suite against the stores newStores returns,
// each check in a subtest of its own with fresh stores.
func Run(t *testing.T, newStores func(t *testing.T) Stores) {
	t.Helper()
	run(t,
		func(name string, f func(tb)) { t.Run(name, func(t *testing.T) { f(t) }) },
		func(t tb) Stores { return newStores(t.(*testing.T)) })
}

// tb is the part of testing.TB the checks use, so the suite's own tests can
// run it with a recorder and see which checks a defective store fails.
type tb interface {
	Helper()
	Error(args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Fatal(args ...any)
	Skip(args ...any)
	Context() context.Context
}

type check[S any] struct {
	name string
	fn   func(tb, S)
}

func run(t tb, subtest func(name string, f func(tb)), newStores func(tb) Stores) {
	t.Helper()
	settings := []check[music.SettingsStore]{
		{"MissingGuildGetsDefaults", testSettingsDefaults},
		{"RoundTrip", testSettingsRoundTrip},
		{"Replace", testSettingsReplace},
		{"GuildZero", testSettingsGuildZero},
		{"CancelledContext", testSettingsCancelled},
	}
	for _, c := range settings {
		subtest("Settings/"+c.name, func(t tb) {
			s := newStores(t).Settings
			if s == nil {
				t.Skip("no SettingsStore")
			}
			c.fn(t, s)
		})
	}
	sessions := []check[music.SessionStore]{
		{"RoundTrip", testSessionRoundTrip},
		{"MinimalRoundTrip", testSessionMinimal},
		{"LargeQueue", testSessionLarge},
		{"Replace", testSessionReplace},
		{"LoadMissing", testSessionMissing},
		{"Delete", testSessionDelete},
		{"List", testSessionList},
		{"NewerSchemaVersion", testSessionNewerVersion},
		{"NoSharedMemory", testSessionNoSharing},
		{"GuildZero", testSessionGuildZero},
		{"CancelledContext", testSessionCancelled},
		{"ConcurrentWriters", testSessionConcurrent},
	}
	for _, c := range sessions {
		subtest("Sessions/"+c.name, func(t tb) {
			s := newStores(t).Sessions
			if s == nil {
				t.Skip("no SessionStore")
			}
			c.fn(t, s)
		})
	}
	subtest("Combined/SettingsAndSessionsIndependent", func(t tb) {
		s := newStores(t)
		if s.Settings == nil || s.Sessions == nil {
			t.Skip("needs both stores")
		}
		testIndependent(t, s)
	})
	runShared(subtest, newStores)
}

// RunBenchmarks measures Save and Load of a snapshot with a 1,000-track
// queue and a 50-track history and, for stores that implement them, each
// queue edit on a 1,000-track queue, LoadQueue, and a lease's renewal.
func RunBenchmarks(b *testing.B, newStores func(b *testing.B) Stores) {
	b.Run("Save/1000", func(b *testing.B) {
		s := newStores(b).Sessions
		snap := Snapshot(guildA, 1, 1000, 50)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if err := s.Save(ctx, snap); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Load/1000", func(b *testing.B) {
		s := newStores(b).Sessions
		ctx := context.Background()
		if err := s.Save(ctx, Snapshot(guildA, 1, 1000, 50)); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			snap, err := s.Load(ctx, guildA)
			if err != nil || len(snap.Queue) != 1000 {
				b.Fatalf("Load = %d tracks, %v; want 1000, nil", len(snap.Queue), err)
			}
		}
	})
	runSharedBenchmarks(b, newStores)
}

func testSettingsDefaults(t tb, s music.SettingsStore) {
	got, err := s.Get(t.Context(), guildA)
	if err != nil {
		t.Fatalf("Get(missing guild) error = %v, want nil", err)
	}
	if got != music.DefaultSettings() {
		t.Errorf("Get(missing guild) = %v, want the defaults %v", got, music.DefaultSettings())
	}
}

func testSettingsRoundTrip(t tb, s music.SettingsStore) {
	ctx := t.Context()
	vol, _ := music.Settings{}.WithVolume(music.DefaultVolume)
	cases := map[string]music.Settings{
		"every field, autoplay":         Settings(2),
		"every field, loop":             Settings(3),
		"volume 0":                      mustVolume(0),
		"chosen value equal to default": vol,
		"explicit none DJ role":         music.Settings{}.WithDJRoleID(0),
		"nothing chosen":                {},
	}
	for name, want := range cases {
		if err := s.Put(ctx, guildA, want); err != nil {
			t.Fatalf("%s: Put: %v", name, err)
		}
		got, err := s.Get(ctx, guildA)
		if err != nil {
			t.Fatalf("%s: Get: %v", name, err)
		}
		if got != want {
			t.Errorf("%s: Get after Put(%v) = %v; want equal, including which fields were chosen", name, want, got)
		}
		// A bot's defaults must apply to the fields the guild did not choose
		// exactly as before storing.
		d := Settings(7)
		if got.WithDefaults(d) != want.WithDefaults(d) {
			t.Errorf("%s: stored settings lost which fields were chosen: WithDefaults gives %v, want %v", name, got.WithDefaults(d), want.WithDefaults(d))
		}
	}
}

func mustVolume(v int) music.Settings {
	s, err := music.Settings{}.WithVolume(v)
	if err != nil {
		panic(err)
	}
	return s
}

func testSettingsReplace(t tb, s music.SettingsStore) {
	ctx := t.Context()
	if err := s.Put(ctx, guildA, Settings(3)); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, guildB, Settings(4)); err != nil {
		t.Fatal(err)
	}
	want := mustVolume(120)
	if err := s.Put(ctx, guildA, want); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, guildA); err != nil || got != want {
		t.Errorf("Get(A) after second Put = %v, %v; want %v, nil", got, err, want)
	}
	if got, err := s.Get(ctx, guildB); err != nil || got != Settings(4) {
		t.Errorf("Get(B) = %v, %v; want %v, nil (untouched by writes to A)", got, err, Settings(4))
	}
}

func testSettingsGuildZero(t tb, s music.SettingsStore) {
	if err := s.Put(t.Context(), 0, Settings(1)); !errors.Is(err, music.ErrInvalidID) {
		t.Errorf("Put(guild 0) error = %v, want one matching ErrInvalidID", err)
	}
	if _, err := s.Get(t.Context(), 0); !errors.Is(err, music.ErrInvalidID) {
		t.Errorf("Get(guild 0) error = %v, want one matching ErrInvalidID", err)
	}
}

func testSettingsCancelled(t tb, s music.SettingsStore) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Put(ctx, guildA, Settings(1)); err == nil {
		t.Error("Put with a cancelled context succeeded; want an error")
	}
	if _, err := s.Get(ctx, guildA); err == nil {
		t.Error("Get with a cancelled context succeeded; want an error")
	}
}

// roundTrip saves want and checks Load returns an equal snapshot.
func roundTrip(t tb, s music.SessionStore, want music.Snapshot) {
	t.Helper()
	ctx := t.Context()
	if err := s.Save(ctx, want); err != nil {
		t.Fatalf("Save: %v", err)
	}
	got, err := s.Load(ctx, want.GuildID)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !got.Equal(want) {
		t.Errorf("Load after Save differs:\n%s", diff(want, got))
	}
}

func testSessionRoundTrip(t tb, s music.SessionStore) {
	for i, st := range []music.SessionState{music.StatePlaying, music.StatePaused} {
		snap := Snapshot(guildA, 10+i, 25, 7)
		snap.State = st
		roundTrip(t, s, snap)
	}
	// A stream as the current track, with Lavalink's "unknown" length.
	snap := Snapshot(guildB, 2, 3, 3)
	if !snap.Current.Info.IsStream {
		t.Fatal("fixture: Track(2) should be a stream")
	}
	roundTrip(t, s, snap)
}

func testSessionMinimal(t tb, s music.SessionStore) {
	roundTrip(t, s, music.Snapshot{GuildID: guildA, Volume: music.DefaultVolume})
	roundTrip(t, s, music.Snapshot{GuildID: guildB, State: music.StateConnecting, VoiceChannelID: 1, Queue: []music.Track{Track(4)}})
}

func testSessionLarge(t tb, s music.SessionStore) {
	snap := Snapshot(guildA, 1, LargeQueue, LargeQueue)
	roundTrip(t, s, snap)
}

func testSessionReplace(t tb, s music.SessionStore) {
	ctx := t.Context()
	if err := s.Save(ctx, Snapshot(guildA, 1, 500, 50)); err != nil {
		t.Fatal(err)
	}
	want := Snapshot(guildA, 2, 3, 1)
	want.Current = nil
	want.State = music.StateIdle
	want.Filters = nil
	roundTrip(t, s, want)
}

func testSessionMissing(t tb, s music.SessionStore) {
	_, err := s.Load(t.Context(), guildC)
	if !errors.Is(err, music.ErrSnapshotNotFound) {
		t.Errorf("Load(missing guild) error = %v, want one matching ErrSnapshotNotFound", err)
	}
}

func testSessionDelete(t tb, s music.SessionStore) {
	ctx := t.Context()
	if err := s.Delete(ctx, guildA); err != nil {
		t.Errorf("Delete(missing guild) = %v, want nil", err)
	}
	for _, g := range []snowflake.ID{guildA, guildB} {
		if err := s.Save(ctx, Snapshot(g, 1, 2, 2)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(ctx, guildA); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Load(ctx, guildA); !errors.Is(err, music.ErrSnapshotNotFound) {
		t.Errorf("Load after Delete error = %v, want ErrSnapshotNotFound", err)
	}
	if _, err := s.Load(ctx, guildB); err != nil {
		t.Errorf("Load(other guild) after Delete(A) = %v, want nil", err)
	}
	if err := s.Delete(ctx, guildA); err != nil {
		t.Errorf("second Delete = %v, want nil", err)
	}
}

func testSessionList(t tb, s music.SessionStore) {
	ctx := t.Context()
	ids, err := s.List(ctx)
	if err != nil || len(ids) != 0 {
		t.Fatalf("List(empty store) = %v, %v; want [], nil", ids, err)
	}
	for _, g := range []snowflake.ID{guildC, guildA, guildB} {
		if err := s.Save(ctx, Snapshot(g, 1, 1, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Save(ctx, Snapshot(guildA, 2, 1, 0)); err != nil { // saved twice, listed once
		t.Fatal(err)
	}
	want := []snowflake.ID{guildA, guildB, guildC}
	if ids, err = s.List(ctx); err != nil || !slices.Equal(ids, want) {
		t.Errorf("List = %v, %v; want %v, nil", ids, err, want)
	}
	if err := s.Delete(ctx, guildB); err != nil {
		t.Fatal(err)
	}
	want = []snowflake.ID{guildA, guildC}
	if ids, err = s.List(ctx); err != nil || !slices.Equal(ids, want) {
		t.Errorf("List after Delete(B) = %v, %v; want %v, nil", ids, err, want)
	}
}

func testSessionNewerVersion(t tb, s music.SessionStore) {
	ctx := t.Context()
	newer := Snapshot(guildA, 1, 3, 1)
	newer.Version = music.SnapshotVersion + 1
	if err := s.Save(ctx, newer); err != nil {
		t.Fatalf("Save(newer version): %v", err)
	}
	_, err := s.Load(ctx, guildA)
	var verr *music.SnapshotVersionError
	if !errors.As(err, &verr) || !errors.Is(err, music.ErrSnapshotVersion) {
		t.Fatalf("Load(newer version) error = %v, want a *SnapshotVersionError matching ErrSnapshotVersion", err)
	}
	if verr.Version != newer.Version || verr.Supported != music.SnapshotVersion {
		t.Errorf("SnapshotVersionError = {Version: %d, Supported: %d}, want {%d, %d}", verr.Version, verr.Supported, newer.Version, music.SnapshotVersion)
	}
	// The snapshot is still there for a newer reader.
	if ids, err := s.List(ctx); err != nil || !slices.Equal(ids, []snowflake.ID{guildA}) {
		t.Errorf("List after a failed Load = %v, %v; want [%v]", ids, err, guildA)
	}
	// A second Load fails the same way: nothing was rewritten.
	if _, err := s.Load(ctx, guildA); !errors.Is(err, music.ErrSnapshotVersion) {
		t.Errorf("second Load error = %v, want ErrSnapshotVersion", err)
	}
	// Version 0 means the current one.
	zero := Snapshot(guildB, 2, 1, 1)
	zero.Version = 0
	roundTrip(t, s, zero)
}

func testSessionNoSharing(t tb, s music.SessionStore) {
	ctx := t.Context()
	orig := Snapshot(guildA, 1, 5, 2)
	saved := orig.Clone()
	if err := s.Save(ctx, saved); err != nil {
		t.Fatal(err)
	}
	// Change what was saved, in every shared-memory place.
	saved.Queue[0].Info.Title = "changed"
	saved.Queue[0].UserData[0] = '['
	saved.Current.Info.Title = "changed"
	saved.Filters[0] = '['
	saved.History[0].PluginInfo[0] = '['
	got, err := s.Load(ctx, guildA)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(orig) {
		t.Fatalf("changing the saved value changed the stored one:\n%s", diff(orig, got))
	}
	got.Queue[0].Info.Title = "changed again"
	got.Queue[0].UserData[0] = '['
	got.Current.Info.Title = "changed again"
	again, err := s.Load(ctx, guildA)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Equal(orig) {
		t.Errorf("changing a loaded value changed the stored one:\n%s", diff(orig, again))
	}
}

func testSessionGuildZero(t tb, s music.SessionStore) {
	snap := Snapshot(0, 1, 1, 1)
	if err := s.Save(t.Context(), snap); !errors.Is(err, music.ErrInvalidID) {
		t.Errorf("Save(guild 0) error = %v, want one matching ErrInvalidID", err)
	}
	if _, err := s.Load(t.Context(), 0); !errors.Is(err, music.ErrInvalidID) {
		t.Errorf("Load(guild 0) error = %v, want one matching ErrInvalidID", err)
	}
}

func testSessionCancelled(t tb, s music.SessionStore) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Save(ctx, Snapshot(guildA, 1, 1, 1)); err == nil {
		t.Error("Save with a cancelled context succeeded; want an error")
	}
	if _, err := s.Load(ctx, guildA); err == nil || errors.Is(err, music.ErrSnapshotNotFound) {
		t.Errorf("Load with a cancelled context error = %v; want the context's error", err)
	}
	if err := s.Delete(ctx, guildA); err == nil {
		t.Error("Delete with a cancelled context succeeded; want an error")
	}
	if _, err := s.List(ctx); err == nil {
		t.Error("List with a cancelled context succeeded; want an error")
	}
}

// testSessionConcurrent runs one writer per guild, each saving a series of
// snapshots whose queue length encodes the sequence number, while readers
// load the same guilds. Every load must be one whole snapshot of that guild;
// at the end each guild holds its writer's last snapshot.
func testSessionConcurrent(t tb, s music.SessionStore) {
	const (
		guilds = 8
		writes = 20
	)
	ctx := t.Context()
	id := func(g int) snowflake.ID { return guildA + snowflake.ID(g) }
	var wg sync.WaitGroup
	errs := make(chan error, guilds*2)
	for g := range guilds {
		wg.Go(func() {
			for seq := 1; seq <= writes; seq++ {
				if err := s.Save(ctx, Snapshot(id(g), seq, seq, seq%3)); err != nil {
					errs <- fmt.Errorf("guild %d: Save #%d: %w", g, seq, err)
					return
				}
			}
		})
		wg.Go(func() {
			for range writes {
				got, err := s.Load(ctx, id(g))
				if errors.Is(err, music.ErrSnapshotNotFound) {
					continue
				}
				if err != nil {
					errs <- fmt.Errorf("guild %d: Load: %w", g, err)
					return
				}
				seq := len(got.Queue)
				if want := Snapshot(id(g), seq, seq, seq%3); !got.Equal(want) {
					errs <- fmt.Errorf("guild %d: Load during writes returned a snapshot that no Save wrote:\n%s", g, diff(want, got))
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for g := range guilds {
		got, err := s.Load(ctx, id(g))
		if err != nil {
			t.Fatalf("guild %d: final Load: %v", g, err)
		}
		if want := Snapshot(id(g), writes, writes, writes%3); !got.Equal(want) {
			t.Errorf("guild %d: final snapshot is not the last write:\n%s", g, diff(want, got))
		}
	}
	ids, err := s.List(ctx)
	if err != nil || len(ids) != guilds {
		t.Errorf("List = %d guilds, %v; want %d", len(ids), err, guilds)
	}
}

func testIndependent(t tb, s Stores) {
	ctx := t.Context()
	if err := s.Settings.Put(ctx, guildA, Settings(5)); err != nil {
		t.Fatal(err)
	}
	if err := s.Sessions.Save(ctx, Snapshot(guildA, 1, 2, 2)); err != nil {
		t.Fatal(err)
	}
	if err := s.Sessions.Delete(ctx, guildA); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Settings.Get(ctx, guildA); err != nil || got != Settings(5) {
		t.Errorf("Settings after deleting the session = %v, %v; want %v, nil", got, err, Settings(5))
	}
	if err := s.Sessions.Save(ctx, Snapshot(guildA, 3, 2, 2)); err != nil {
		t.Fatal(err)
	}
	if err := s.Settings.Put(ctx, guildA, Settings(6)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Sessions.Load(ctx, guildA); err != nil || !got.Equal(Snapshot(guildA, 3, 2, 2)) {
		t.Errorf("Load after Put of settings = %v; want the saved snapshot unchanged", err)
	}
	// A guild with settings only is not a session.
	if err := s.Settings.Put(ctx, guildB, Settings(1)); err != nil {
		t.Fatal(err)
	}
	if ids, err := s.Sessions.List(ctx); err != nil || !slices.Equal(ids, []snowflake.ID{guildA}) {
		t.Errorf("List = %v, %v; want [%v] (settings alone are not a session)", ids, err, guildA)
	}
}
