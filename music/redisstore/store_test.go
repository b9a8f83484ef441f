package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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
	_ music.QueueEditor   = (*redisstore.Store)(nil)
	_ music.FencedStore   = (*redisstore.Store)(nil)
	_ music.Leaser        = (*redisstore.Store)(nil)
	_ music.EventBus      = (*redisstore.Bus)(nil)
	_ music.QueueWatcher  = (*redisstore.Bus)(nil)
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

// TestLayout checks the stored form the package documents: per guild a
// hash with the settings, session and history, a list with one element
// per queued track ("<requester> <track JSON>"), and a hash of counters;
// no data key expires.
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
	slices.Sort(keys)
	if want := []string{"tunekit:music:{7}", "tunekit:music:{7}:queue", "tunekit:music:{7}:seq"}; err != nil || !slices.Equal(keys, want) {
		t.Fatalf("keys after Save and Put = %q, %v; want %q", keys, err, want)
	}
	for _, k := range keys {
		if ttl, err := c.PTTL(ctx, k).Result(); err != nil || ttl != -1 {
			t.Errorf("PTTL(%s) = %v, %v; data keys must not expire", k, ttl, err)
		}
	}
	fields, err := c.HGetAll(ctx, s.Key(7)).Result()
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(mapKeys(fields)); !slices.Equal(got, []string{"history", "session", "settings"}) {
		t.Errorf("hash fields = %q; want history, session, settings", got)
	}
	if strings.Contains(fields["session"], `"queue"`) {
		t.Errorf("session field holds the queue; it should be in the queue list")
	}
	lines := strings.Split(fields["history"], "\n")
	if len(lines) != len(snap.History) {
		t.Fatalf("history field has %d lines, want %d", len(lines), len(snap.History))
	}
	for i, line := range lines {
		var tr music.Track
		if err := tr.UnmarshalJSON([]byte(line)); err != nil || !tr.Equal(snap.History[i]) {
			t.Errorf("history line %d = %s (%v); want track %d", i+1, line, err, i+1)
		}
	}
	elems, err := c.LRange(ctx, s.Key(7)+":queue", 0, -1).Result()
	if err != nil || len(elems) != len(snap.Queue) {
		t.Fatalf("queue list = %d elements, %v; want %d", len(elems), err, len(snap.Queue))
	}
	for i, e := range elems {
		req, data, _ := strings.Cut(e, " ")
		var tr music.Track
		if err := tr.UnmarshalJSON([]byte(data)); err != nil || !tr.Equal(snap.Queue[i]) || req != snap.Queue[i].Requester.String() {
			t.Errorf("queue element %d = %.60s… (%v); want requester %v and track %d", i+1, e, err, snap.Queue[i].Requester, i+1)
		}
	}
	version, err := c.HGet(ctx, s.Key(7)+":seq", "queue").Uint64()
	if st, _ := s.LoadQueue(ctx, 7); err != nil || version == 0 || st.Version != version {
		t.Errorf("seq hash queue field = %d, %v; want the version LoadQueue reports (%d)", version, err, st.Version)
	}

	// Deleting the session keeps the settings in the hash and the
	// counters; the queue list goes.
	if err := s.Delete(ctx, 7); err != nil {
		t.Fatal(err)
	}
	fields, err = c.HGetAll(ctx, s.Key(7)).Result()
	if err != nil || len(fields) != 1 || fields["settings"] == "" {
		t.Errorf("fields after Delete = %v, %v; want only settings", slices.Sorted(mapKeys(fields)), err)
	}
	keys, _ = c.Keys(ctx, "*").Result()
	slices.Sort(keys)
	if want := []string{"tunekit:music:{7}", "tunekit:music:{7}:seq"}; !slices.Equal(keys, want) {
		t.Errorf("keys after Delete = %q; want %q", keys, want)
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
	if _, err := s.Load(ctx, 2); err == nil || errors.Is(err, music.ErrSnapshotNotFound) || errors.Is(err, redisstore.ErrUnavailable) {
		t.Errorf("Load(key of the wrong type) = %v; want Redis' error", err)
	}
}

// TestCorruptQueue checks that a queue list or version that does not
// decode fails Load and LoadQueue with ErrInvalidSnapshot, and a queue
// key of another type fails every queue call with Redis' error, which is
// not an outage.
func TestCorruptQueue(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	c := srv.Client()
	s := newStore(t, c)
	good, _ := storetest.Track(1).MarshalJSON()
	req := storetest.Track(1).Requester.String()
	for _, elem := range []string{
		"no-space",
		"x " + string(good),
		"-1 " + string(good),
		"7 " + string(good), // not the track's requester
		req + " {not json",
		req + " ",
	} {
		if err := s.Save(ctx, storetest.Snapshot(1, 1, 3, 0)); err != nil {
			t.Fatal(err)
		}
		if err := c.RPush(ctx, s.Key(1)+":queue", elem).Err(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load(ctx, 1); !errors.Is(err, music.ErrInvalidSnapshot) {
			t.Errorf("Load with queue element %.40q: error %v; want ErrInvalidSnapshot", elem, err)
		}
		if _, err := s.LoadQueue(ctx, 1); !errors.Is(err, music.ErrInvalidSnapshot) {
			t.Errorf("LoadQueue with queue element %.40q: error %v; want ErrInvalidSnapshot", elem, err)
		}
		// An edit that returns the bad element reports it; the edit
		// itself is done.
		if _, err := s.EditQueue(ctx, 1, music.QueueEdit{Op: music.QueueRemove, Position: 4}); !errors.Is(err, music.ErrInvalidSnapshot) {
			t.Errorf("EditQueue(remove %.40q): error %v; want ErrInvalidSnapshot", elem, err)
		}
		if st, err := s.LoadQueue(ctx, 1); err != nil || len(st.Tracks) != 3 {
			t.Errorf("LoadQueue after removing the bad element = %d tracks, %v; want 3", len(st.Tracks), err)
		}
	}
	if err := c.HSet(ctx, s.Key(1)+":seq", "queue", "x").Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadQueue(ctx, 1); !errors.Is(err, music.ErrInvalidSnapshot) {
		t.Errorf("LoadQueue with version \"x\": error %v; want ErrInvalidSnapshot", err)
	}
	// A hash field "queue" from an earlier layout is ignored.
	if err := s.Save(ctx, storetest.Snapshot(3, 1, 2, 0)); err != nil {
		t.Fatal(err)
	}
	if err := c.HSet(ctx, s.Key(3), "queue", "old layout").Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load(ctx, 3); err != nil || !got.Equal(storetest.Snapshot(3, 1, 2, 0)) {
		t.Errorf("Load with an old queue field = %v; want the saved snapshot", err)
	}
	if err := c.Set(ctx, s.Key(2)+":queue", "a string", 0).Err(); err != nil {
		t.Fatal(err)
	}
	errs := map[string]error{}
	_, errs["EditQueue"] = s.EditQueue(ctx, 2, music.QueueEdit{Op: music.QueueAdd, Tracks: storetest.Tracks(0, 1)})
	_, errs["LoadQueue"] = s.LoadQueue(ctx, 2)
	errs["Save"] = s.Save(ctx, storetest.Snapshot(2, 1, 1, 0)) // DEL replaces it: no error
	for name, err := range errs {
		if name == "Save" {
			if err != nil {
				t.Errorf("Save over a queue key of another type = %v; want nil (it replaces the queue)", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "WRONGTYPE") || errors.Is(err, redisstore.ErrUnavailable) {
			t.Errorf("%s on a queue key of another type = %v; want Redis' WRONGTYPE, not an outage", name, err)
		}
	}
}

// TestRedisDown checks that every method reports a stopped server as an
// error, promptly, and works again once it is back.
func TestRedisDown(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	s := newStore(t, srv.Client())
	srv.Stop()
	lease := music.Lease{Guild: 1, Owner: "a", Token: 1}
	errs := map[string]error{
		"Save":         s.Save(ctx, storetest.Snapshot(1, 1, 1, 1)),
		"Put":          s.Put(ctx, 1, music.Settings{}),
		"PutFenced":    s.PutFenced(ctx, 1, music.Settings{}, 1),
		"Delete":       s.Delete(ctx, 1),
		"DeleteFenced": s.DeleteFenced(ctx, 1, 1),
		"Release":      s.Release(ctx, lease),
	}
	_, errs["Load"] = s.Load(ctx, 1)
	_, errs["Get"] = s.Get(ctx, 1)
	_, errs["List"] = s.List(ctx)
	_, errs["SaveFenced"] = s.SaveFenced(ctx, storetest.Snapshot(1, 1, 1, 1), music.SaveOptions{Token: 1})
	_, errs["EditQueue"] = s.EditQueue(ctx, 1, music.QueueEdit{Op: music.QueueClear})
	_, errs["LoadQueue"] = s.LoadQueue(ctx, 1)
	_, errs["Acquire"] = s.Acquire(ctx, 1, "a", time.Second)
	_, errs["Renew"] = s.Renew(ctx, lease, time.Second)
	for name, err := range errs {
		if err == nil || !strings.HasPrefix(err.Error(), "redisstore: ") || !errors.Is(err, redisstore.ErrUnavailable) {
			t.Errorf("%s with Redis stopped = %v; want a redisstore error matching ErrUnavailable", name, err)
		}
		for _, refusal := range refusals {
			if errors.Is(err, refusal) {
				t.Errorf("%s with Redis stopped matches %v; an outage must not look like missing data or a refusal", name, refusal)
			}
		}
	}
	srv.Restart()
	if err := s.Save(ctx, storetest.Snapshot(1, 1, 1, 1)); err != nil {
		t.Errorf("Save after Restart: %v", err)
	}
}

// refusals are the errors that report a decision, which an outage must
// never look like.
var refusals = []error{
	music.ErrSnapshotNotFound, music.ErrFenced, music.ErrVersionConflict, music.ErrLeaseHeld,
	music.ErrLeaseLost, music.ErrInvalidPosition, music.ErrQueueFull, music.ErrInvalidSnapshot,
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
