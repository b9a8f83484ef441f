package storetest

import (
	"context"
	"errors"
	"flag"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

// shared is a reference implementation of the shared-store interfaces in
// memory, with one defect chosen by mode, so the suite's shared checks
// can be shown to pass a correct store and fail defective ones.
type shared struct {
	*music.MemoryStore // settings
	mode               string

	mu       sync.Mutex
	sessions map[snowflake.ID]music.Snapshot // without the queue
	queues   map[snowflake.ID][]music.Track
	versions map[snowflake.ID]uint64
	fences   map[snowflake.ID]int64
	leases   map[snowflake.ID]music.Lease
	edits    int
}

func newShared(mode string) *shared {
	return &shared{
		MemoryStore: music.NewMemoryStore(),
		mode:        mode,
		sessions:    map[snowflake.ID]music.Snapshot{},
		queues:      map[snowflake.ID][]music.Track{},
		versions:    map[snowflake.ID]uint64{},
		fences:      map[snowflake.ID]int64{},
		leases:      map[snowflake.ID]music.Lease{},
	}
}

var (
	_ music.QueueEditor = (*shared)(nil)
	_ music.FencedStore = (*shared)(nil)
	_ music.Leaser      = (*shared)(nil)
)

func clone(ts []music.Track) []music.Track {
	var out []music.Track
	for _, t := range ts {
		out = append(out, t.Clone())
	}
	return out
}

func guard(ctx context.Context, g snowflake.ID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if g == 0 {
		return music.ErrInvalidID
	}
	return nil
}

// refuse returns the error of a write with token and expect, under mu.
func (s *shared) refuse(g snowflake.ID, token int64, expect uint64) error {
	if token < 0 {
		return &music.FencedError{Token: token}
	}
	if token != 0 && s.fences[g] != token && s.mode != "ignores the fence" &&
		!(s.mode == "accepts tokens on unleased guilds" && s.fences[g] == 0) {
		return &music.FencedError{Token: token, Current: s.fences[g]}
	}
	if expect != 0 && s.versions[g] != expect && s.mode != "ignores ExpectVersion" {
		return &music.VersionConflictError{Expected: expect, Actual: s.versions[g]}
	}
	return nil
}

func (s *shared) bump(g snowflake.ID) uint64 {
	if s.versions[g] == 0 {
		s.versions[g] = 1000
	} else {
		s.versions[g]++
	}
	return s.versions[g]
}

func (s *shared) Save(ctx context.Context, snap music.Snapshot) error {
	_, err := s.SaveFenced(ctx, snap, music.SaveOptions{})
	return err
}

func (s *shared) SaveFenced(ctx context.Context, snap music.Snapshot, o music.SaveOptions) (uint64, error) {
	if err := guard(ctx, snap.GuildID); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refuse(snap.GuildID, o.Token, o.ExpectVersion); err != nil {
		return 0, err
	}
	snap = snap.Clone()
	if snap.Version == 0 {
		snap.Version = music.SnapshotVersion
	}
	queue := snap.Queue
	snap.Queue = nil
	s.sessions[snap.GuildID] = snap
	if o.KeepQueue && s.mode != "ignores KeepQueue" {
		return s.versions[snap.GuildID], nil
	}
	s.queues[snap.GuildID] = queue
	if s.mode == "save keeps the version" && s.versions[snap.GuildID] != 0 {
		return s.versions[snap.GuildID], nil
	}
	return s.bump(snap.GuildID), nil
}

func (s *shared) Load(ctx context.Context, g snowflake.ID) (music.Snapshot, error) {
	if err := guard(ctx, g); err != nil {
		return music.Snapshot{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	snap, ok := s.sessions[g]
	if !ok {
		return music.Snapshot{}, music.ErrSnapshotNotFound
	}
	if err := snap.CheckVersion(); err != nil {
		return music.Snapshot{}, err
	}
	snap = snap.Clone()
	snap.Queue = clone(s.queues[g])
	return snap, nil
}

func (s *shared) Delete(ctx context.Context, g snowflake.ID) error { return s.DeleteFenced(ctx, g, 0) }

func (s *shared) DeleteFenced(ctx context.Context, g snowflake.ID, token int64) error {
	if err := guard(ctx, g); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refuse(g, token, 0); err != nil {
		return err
	}
	delete(s.sessions, g)
	if _, ok := s.queues[g]; ok && s.mode != "delete keeps the queue" {
		delete(s.queues, g)
		s.bump(g)
	}
	return nil
}

func (s *shared) List(ctx context.Context) ([]snowflake.ID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]snowflake.ID, 0, len(s.sessions))
	for g := range s.sessions {
		ids = append(ids, g)
	}
	slices.Sort(ids)
	return ids, nil
}

func (s *shared) PutFenced(ctx context.Context, g snowflake.ID, st music.Settings, token int64) error {
	if err := guard(ctx, g); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mode != "fences only sessions" {
		if err := s.refuse(g, token, 0); err != nil {
			return err
		}
	}
	return s.MemoryStore.Put(ctx, g, st)
}

func (s *shared) EditQueue(ctx context.Context, g snowflake.ID, e music.QueueEdit) (music.QueueEditResult, error) {
	if err := guard(ctx, g); err != nil {
		return music.QueueEditResult{}, err
	}
	if err := e.Validate(); err != nil {
		return music.QueueEditResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refuse(g, e.Token, e.ExpectVersion); err != nil {
		return music.QueueEditResult{}, err
	}
	if s.mode == "shuffles differently" && e.Op == music.QueueShuffle {
		e.Seed++
	}
	q, r, err := e.Apply(clone(s.queues[g]))
	if err != nil {
		var pe *music.PositionError
		if s.mode == "position errors without the length" && errors.As(err, &pe) {
			pe.Len = 0
		}
		return music.QueueEditResult{}, err
	}
	if s.edits++; s.mode == "acknowledges edits it drops" && s.edits%7 == 0 {
		r.Version = s.bump(g)
		return r, nil
	}
	s.queues[g] = clone(q)
	if s.mode == "edits keep the version" && s.versions[g] != 0 {
		r.Version = s.versions[g]
	} else {
		r.Version = s.bump(g)
	}
	r.Track = r.Track.Clone()
	return r, nil
}

func (s *shared) LoadQueue(ctx context.Context, g snowflake.ID) (music.QueueState, error) {
	if err := guard(ctx, g); err != nil {
		return music.QueueState{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return music.QueueState{Tracks: clone(s.queues[g]), Version: s.versions[g]}, nil
}

func (s *shared) Acquire(ctx context.Context, g snowflake.ID, owner string, ttl time.Duration) (music.Lease, error) {
	if err := guard(ctx, g); err != nil {
		return music.Lease{}, err
	}
	if err := music.CheckLeaseRequest(owner, ttl); err != nil {
		return music.Lease{}, err
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, held := s.leases[g]
	if held && (now.Before(cur.Expires) || s.mode == "leases never expire") {
		if cur.Owner == owner {
			cur.Expires = now.Add(ttl)
			s.leases[g] = cur
			return cur, nil
		}
		if s.mode != "two holders" {
			owner := cur.Owner
			if s.mode == "held error without the owner" {
				owner = ""
			}
			return music.Lease{}, &music.LeaseHeldError{Owner: owner, ExpiresIn: cur.Expires.Sub(now)}
		}
	}
	s.fences[g]++
	l := music.Lease{Guild: g, Owner: owner, Token: s.fences[g], Expires: now.Add(ttl)}
	s.leases[g] = l
	return l, nil
}

// holds reports whether l is the guild's lease, or it expired with no
// lease since.
func (s *shared) holds(l music.Lease, now time.Time) bool {
	if s.mode == "anyone renews" {
		return true
	}
	cur, ok := s.leases[l.Guild]
	if ok && now.Before(cur.Expires) {
		return cur.Owner == l.Owner && cur.Token == l.Token
	}
	return s.fences[l.Guild] == l.Token && l.Token != 0
}

func (s *shared) Renew(ctx context.Context, l music.Lease, ttl time.Duration) (music.Lease, error) {
	if err := guard(ctx, l.Guild); err != nil {
		return music.Lease{}, err
	}
	if err := music.CheckLeaseRequest(l.Owner, ttl); err != nil {
		return music.Lease{}, err
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.holds(l, now) {
		return music.Lease{}, music.ErrLeaseLost
	}
	l.Expires = now.Add(ttl)
	s.leases[l.Guild] = l
	return l, nil
}

func (s *shared) Release(ctx context.Context, l music.Lease) error {
	if err := guard(ctx, l.Guild); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.holds(l, time.Now()) {
		return music.ErrLeaseLost
	}
	delete(s.leases, l.Guild)
	if s.mode == "tokens restart after a release" {
		s.fences[l.Guild] = 0
	}
	return nil
}

func TestSharedReferencePasses(t *testing.T) {
	Run(t, func(t *testing.T) Stores {
		s := newShared("")
		return Stores{Settings: s, Sessions: s}
	})
}

// TestSharedChecksCatchDefects checks that each defect of a shared store
// fails the check meant to catch it.
func TestSharedChecksCatchDefects(t *testing.T) {
	defer func(d time.Duration) { expiryDeadline = d }(expiryDeadline)
	expiryDeadline = 200 * time.Millisecond
	defects := map[string]string{
		"edits keep the version":             "Queue/Versions",
		"save keeps the version":             "Queue/Versions",
		"ignores ExpectVersion":              "Queue/CompareAndSet",
		"shuffles differently":               "Queue/EditsMatchModel",
		"acknowledges edits it drops":        "Queue/ConcurrentEdits",
		"position errors without the length": "Queue/Errors",
		"ignores KeepQueue":                  "Queue/SessionAgrees",
		"delete keeps the queue":             "Queue/SessionAgrees",
		"ignores the fence":                  "Fence/StaleWritesRefused",
		"fences only sessions":               "Fence/StaleWritesRefused",
		"accepts tokens on unleased guilds":  "Fence/NeverLeased",
		"two holders":                        "Lease/Exclusive",
		"held error without the owner":       "Lease/Exclusive",
		"anyone renews":                      "Lease/RenewRelease",
		"tokens restart after a release":     "Lease/RenewRelease",
		"leases never expire":                "Lease/ExpiryTakeover",
	}
	for mode, want := range defects {
		failed, _ := runRecorded(func() Stores {
			s := newShared(mode)
			return Stores{Settings: s, Sessions: s}
		}, "Queue/", "Lease/", "Fence/")
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

func TestCheckConcurrentEdits(t *testing.T) {
	s := newShared("")
	CheckConcurrentEdits(t, []music.QueueEditor{s, s}, guildB, 4, 40)
}

// TestBenchmarksRun runs RunBenchmarks once per benchmark against the
// reference store, so the benchmarks' own set-up and restore steps are
// checked by every go test.
func TestBenchmarksRun(t *testing.T) {
	bt := flag.Lookup("test.benchtime")
	old := bt.Value.String()
	if err := bt.Value.Set("1x"); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = bt.Value.Set(old) }()
	var failed atomic.Bool
	testing.Benchmark(func(b *testing.B) {
		RunBenchmarks(b, func(b *testing.B) Stores {
			s := newShared("")
			b.Cleanup(func() { failed.Store(failed.Load() || b.Failed()) })
			return Stores{Settings: s, Sessions: s}
		})
	})
	if failed.Load() {
		t.Error("a benchmark failed against the reference store")
	}
}
