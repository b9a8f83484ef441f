package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/disgoorg/snowflake/v2"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/redisstore"
	"github.com/tunekit/tunekit/music/storetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	_ music.SettingsStore = (*redisstore.Store)(nil)
	_ music.SessionStore  = (*redisstore.Store)(nil)
	_ music.EventBus      = (*redisstore.Bus)(nil)
)

func newStore(t testing.TB, c redis.UniversalClient, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	s, err := redisstore.New(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestConformance shares one server among the subtests; each gets a prefix
// of its own, so they share no keys.
func TestConformance(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client()
	var n atomic.Int64
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		s := newStore(t, c, redisstore.WithPrefix(fmt.Sprintf("conformance%d:", n.Add(1))))
		return storetest.Stores{Settings: s, Sessions: s}
	})
}

func BenchmarkStore(b *testing.B) {
	srv := redistest.Start(b)
	c := srv.Client()
	var n atomic.Int64
	storetest.RunBenchmarks(b, func(b *testing.B) storetest.Stores {
		s := newStore(b, c, redisstore.WithPrefix(fmt.Sprintf("bench%d:", n.Add(1))))
		return storetest.Stores{Settings: s, Sessions: s}
	})
}

func TestNewNilClient(t *testing.T) {
	if _, err := redisstore.New(nil); !errors.Is(err, redisstore.ErrNilClient) {
		t.Errorf("New(nil) = %v, want ErrNilClient", err)
	}
	if _, err := redisstore.NewBus(t.Context(), nil); !errors.Is(err, redisstore.ErrNilClient) {
		t.Errorf("NewBus(nil) = %v, want ErrNilClient", err)
	}
}

func TestKeyIsHashTagged(t *testing.T) {
	cases := []struct {
		opts []redisstore.Option
		id   snowflake.ID
		want string
	}{
		{nil, 81384788765712384, "tunekit:music:{81384788765712384}"},
		{[]redisstore.Option{redisstore.WithPrefix("bot2:")}, 1, "bot2:{1}"},
		{[]redisstore.Option{redisstore.WithPrefix("")}, 18446744073709551615, "{18446744073709551615}"},
	}
	client := redis.NewClient(&redis.Options{}) // never dialled: Key does no I/O
	defer client.Close()
	for _, c := range cases {
		s := newStore(t, client, c.opts...)
		if got := s.Key(c.id); got != c.want {
			t.Errorf("Key(%v) = %q, want %q", c.id, got, c.want)
		}
	}
}

// TestLayout checks the stored form the package documents: one hash per
// guild whose queue and history fields hold one JSON track per line, in
// order, so a Lua script can edit them without parsing JSON.
func TestLayout(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	c := srv.Client()
	s := newStore(t, c)
	snap := storetest.Snapshot(7, 1, 25, 4) // titles include "\n" and U+2028
	if err := s.Save(ctx, snap); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, 7, storetest.Settings(1)); err != nil {
		t.Fatal(err)
	}
	keys, err := c.Keys(ctx, "*").Result()
	if err != nil || !slices.Equal(keys, []string{"tunekit:music:{7}"}) {
		t.Fatalf("keys after Save and Put = %q, %v; want one hash per guild", keys, err)
	}
	fields, err := c.HGetAll(ctx, s.Key(7)).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"settings", "session", "queue", "history"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("hash has no %q field; fields: %v", f, slices.Sorted(mapKeys(fields)))
		}
	}
	if strings.Contains(fields["session"], `"queue"`) {
		t.Errorf("session field holds the queue; it should be in the queue field")
	}
	for name, want := range map[string][]music.Track{"queue": snap.Queue, "history": snap.History} {
		lines := strings.Split(fields[name], "\n")
		if len(lines) != len(want) {
			t.Fatalf("%s field has %d lines, want %d", name, len(lines), len(want))
		}
		for i, line := range lines {
			var tr music.Track
			if err := tr.UnmarshalJSON([]byte(line)); err != nil || !tr.Equal(want[i]) {
				t.Errorf("%s line %d = %s (%v); want track %d", name, i+1, line, err, i+1)
			}
		}
	}

	// Deleting the session keeps the settings in the same hash; once the
	// settings go too, the key goes.
	if err := s.Delete(ctx, 7); err != nil {
		t.Fatal(err)
	}
	fields, err = c.HGetAll(ctx, s.Key(7)).Result()
	if err != nil || len(fields) != 1 || fields["settings"] == "" {
		t.Errorf("fields after Delete = %v, %v; want only settings", slices.Sorted(mapKeys(fields)), err)
	}
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestListIgnoresForeignKeys checks that List keeps to guild hashes with a
// session under its own prefix, even with glob characters in the prefix
// and keys of other types or names nearby.
func TestListIgnoresForeignKeys(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	c := srv.Client()
	s := newStore(t, c, redisstore.WithPrefix("b[o]t*:"))
	other := newStore(t, c, redisstore.WithPrefix("bot1:")) // matches b[o]t*: as a glob
	for _, id := range []snowflake.ID{5, 3} {
		if err := s.Save(ctx, storetest.Snapshot(id, 1, 1, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.Save(ctx, storetest.Snapshot(9, 1, 1, 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, 4, storetest.Settings(1)); err != nil { // settings only
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"b[o]t*:{6}":      "a string, not a hash",
		"b[o]t*:{notid}":  "x",
		"b[o]t*:{007}":    "x",
		"b[o]t*:{8}:lock": "x",
	} {
		if err := c.Set(ctx, k, v, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := s.List(ctx)
	if want := []snowflake.ID{3, 5}; err != nil || !slices.Equal(ids, want) {
		t.Errorf("List = %v, %v; want %v", ids, err, want)
	}
}

func TestManyKeysList(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	s := newStore(t, srv.Client())
	const n = 2500 // several SCAN pages
	want := make([]snowflake.ID, n)
	for i := range n {
		want[i] = snowflake.ID(i + 1)
		if err := s.Save(ctx, music.Snapshot{GuildID: want[i], Volume: 50}); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := s.List(ctx)
	if err != nil || !slices.Equal(ids, want) {
		t.Errorf("List = %d ids, %v; want 1…%d", len(ids), err, n)
	}
}

func TestCorruptData(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	c := srv.Client()
	s := newStore(t, c)
	if err := s.Save(ctx, storetest.Snapshot(1, 1, 3, 3)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		field, value string
		want         error
	}{
		{"queue", "{\"encoded\":\"x\"}\nnot json", music.ErrInvalidSnapshot},
		{"history", "[", music.ErrInvalidSnapshot},
		{"session", `{"version":0}`, music.ErrInvalidSnapshot},
		{"session", `{"version":99,"guildId":"1","newField":{}}`, music.ErrSnapshotVersion},
	}
	for _, cs := range cases {
		if err := s.Save(ctx, storetest.Snapshot(1, 1, 3, 3)); err != nil {
			t.Fatal(err)
		}
		if err := c.HSet(ctx, s.Key(1), cs.field, cs.value).Err(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load(ctx, 1); !errors.Is(err, cs.want) {
			t.Errorf("Load with %s = %q: error %v, want one matching %v", cs.field, cs.value, err, cs.want)
		}
	}
	if err := c.HSet(ctx, s.Key(1), "settings", `{"loop":"track","autoplay":true}`).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, 1); !errors.Is(err, music.ErrConflictingSettings) {
		t.Errorf("Get(conflicting stored settings) = %v, want ErrConflictingSettings", err)
	}
	if err := c.Set(ctx, s.Key(2), "string", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, 2); err == nil || errors.Is(err, music.ErrSnapshotNotFound) {
		t.Errorf("Load(key of the wrong type) = %v; want Redis' error", err)
	}
}

// TestRedisDown checks that every method reports a stopped server as an
// error, promptly, and works again once it is back.
func TestRedisDown(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	s := newStore(t, srv.Client())
	srv.Stop()
	errs := map[string]error{
		"Save":   s.Save(ctx, storetest.Snapshot(1, 1, 1, 1)),
		"Put":    s.Put(ctx, 1, music.Settings{}),
		"Delete": s.Delete(ctx, 1),
	}
	_, errs["Load"] = s.Load(ctx, 1)
	_, errs["Get"] = s.Get(ctx, 1)
	_, errs["List"] = s.List(ctx)
	for name, err := range errs {
		if err == nil || !strings.HasPrefix(err.Error(), "redisstore: ") {
			t.Errorf("%s with Redis stopped = %v; want a redisstore error", name, err)
		}
		if errors.Is(err, music.ErrSnapshotNotFound) {
			t.Errorf("%s with Redis stopped reports not found; an outage must not look like missing data", name)
		}
	}
	srv.Restart()
	if err := s.Save(ctx, storetest.Snapshot(1, 1, 1, 1)); err != nil {
		t.Errorf("Save after Restart: %v", err)
	}
}

func TestCancelledContextOnSlowOps(t *testing.T) {
	srv := redistest.Start(t)
	s := newStore(t, srv.Client())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Save(ctx, storetest.Snapshot(1, 1, 1, 1)); !errors.Is(err, context.Canceled) {
		t.Errorf("Save(cancelled) = %v, want context.Canceled", err)
	}
}
