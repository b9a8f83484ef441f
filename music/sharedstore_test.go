package music

import (
	"context"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// memShared is a store several Managers of one test share, in memory:
// settings, sessions, queues with versions, leases timed by now, fencing
// tokens and queue watchers, as music/redisstore keeps them in Redis.
// Each Manager uses a memView of it, which can be cut off.
type memShared struct {
	now func() time.Time

	mu       sync.Mutex
	settings *MemoryStore
	sessions map[snowflake.ID]Snapshot // without their queues
	queues   map[snowflake.ID][]Track
	versions map[snowflake.ID]uint64
	fence    map[snowflake.ID]int64
	// floor is the largest token given out before a wipe: tokens only
	// grow (the Leaser contract), even across a loss of data, as
	// redisstore's clock-seeded counters make them.
	floor    int64
	leases   map[snowflake.ID]memLease
	watchers map[int]func(QueueChange)
	nextW    int
}

type memLease struct {
	owner   string
	token   int64
	expires time.Time
}

func newMemShared(now func() time.Time) *memShared {
	return &memShared{
		now:      now,
		settings: NewMemoryStore(),
		sessions: make(map[snowflake.ID]Snapshot),
		queues:   make(map[snowflake.ID][]Track),
		versions: make(map[snowflake.ID]uint64),
		fence:    make(map[snowflake.ID]int64),
		leases:   make(map[snowflake.ID]memLease),
		watchers: make(map[int]func(QueueChange)),
	}
}

// view returns a client of s that can be cut off.
func (s *memShared) view() *memView { return &memView{memShared: s} }

// steal gives the guild to owner as an Acquire after the holder's lease
// ran out would, whoever holds it, and returns the new lease.
func (s *memShared) steal(guild snowflake.ID, owner string, ttl time.Duration) Lease {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := memLease{owner: owner, token: s.nextToken(guild), expires: s.now().Add(ttl)}
	s.leases[guild] = l
	return Lease{Guild: guild, Owner: owner, Token: l.token, Expires: l.expires}
}

// wipe forgets everything, as a Redis restart without persistence does.
func (s *memShared) wipe() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings = NewMemoryStore()
	clear(s.sessions)
	clear(s.queues)
	for _, f := range s.fence {
		s.floor = max(s.floor, f)
	}
	clear(s.fence)
	clear(s.leases)
}

// stored returns the guild's stored queue and version.
func (s *memShared) stored(guild snowflake.ID) ([]Track, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.queues[guild]), s.versions[guild]
}

// holder is the owner of the guild's lease, "" when none is in time.
func (s *memShared) holder(guild snowflake.ID) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.leases[guild]; s.now().Before(l.expires) {
		return l.owner
	}
	return ""
}

// changed tells the watchers; it runs without s.mu.
func (s *memShared) changed(guild snowflake.ID, v uint64) {
	s.mu.Lock()
	ws := slices.Collect(maps.Values(s.watchers))
	s.mu.Unlock()
	for _, f := range ws {
		f(QueueChange{GuildID: guild, Version: v})
	}
}

// nextToken makes a new newest token for the guild. It needs s.mu.
func (s *memShared) nextToken(guild snowflake.ID) int64 {
	s.fence[guild] = max(s.fence[guild], s.floor) + 1
	return s.fence[guild]
}

// checkFence needs s.mu.
func (s *memShared) checkFence(guild snowflake.ID, token int64) error {
	if token != 0 && token != s.fence[guild] {
		return &FencedError{Token: token, Current: s.fence[guild]}
	}
	return nil
}

type memView struct {
	*memShared
	down atomic.Bool
}

var (
	_ SessionStore  = (*memView)(nil)
	_ SettingsStore = (*memView)(nil)
	_ Leaser        = (*memView)(nil)
	_ FencedStore   = (*memView)(nil)
	_ QueueEditor   = (*memView)(nil)
	_ QueueWatcher  = (*memView)(nil)
)

func (v *memView) fail() error {
	if v.down.Load() {
		return errStoreDown
	}
	return nil
}

func (v *memView) Get(ctx context.Context, g snowflake.ID) (Settings, error) {
	if err := v.fail(); err != nil {
		return Settings{}, err
	}
	v.mu.Lock()
	st := v.settings
	v.mu.Unlock()
	return st.Get(ctx, g)
}

func (v *memView) Put(ctx context.Context, g snowflake.ID, s Settings) error {
	return v.PutFenced(ctx, g, s, 0)
}

func (v *memView) PutFenced(ctx context.Context, g snowflake.ID, s Settings, token int64) error {
	if err := v.fail(); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.checkFence(g, token); err != nil {
		return err
	}
	return v.settings.Put(ctx, g, s)
}

func (v *memView) Save(ctx context.Context, snap Snapshot) error {
	_, err := v.SaveFenced(ctx, snap, SaveOptions{})
	return err
}

func (v *memView) SaveFenced(_ context.Context, snap Snapshot, o SaveOptions) (uint64, error) {
	if err := v.fail(); err != nil {
		return 0, err
	}
	g := snap.GuildID
	v.mu.Lock()
	if err := v.checkFence(g, o.Token); err != nil {
		v.mu.Unlock()
		return 0, err
	}
	if o.ExpectVersion != 0 && o.ExpectVersion != v.versions[g] {
		v.mu.Unlock()
		return 0, &VersionConflictError{Expected: o.ExpectVersion, Actual: v.versions[g]}
	}
	q := snap.Queue
	snap.Queue = nil
	v.sessions[g] = snap
	ver := v.versions[g]
	if !o.KeepQueue {
		v.queues[g] = slices.Clone(q)
		v.versions[g]++
		ver = v.versions[g]
	}
	v.mu.Unlock()
	if !o.KeepQueue {
		v.changed(g, ver)
	}
	return ver, nil
}

func (v *memView) Load(_ context.Context, g snowflake.ID) (Snapshot, error) {
	if err := v.fail(); err != nil {
		return Snapshot{}, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	snap, ok := v.sessions[g]
	if !ok {
		return Snapshot{}, ErrSnapshotNotFound
	}
	snap.Queue = slices.Clone(v.queues[g])
	return snap, nil
}

func (v *memView) Delete(ctx context.Context, g snowflake.ID) error {
	return v.DeleteFenced(ctx, g, 0)
}

func (v *memView) DeleteFenced(_ context.Context, g snowflake.ID, token int64) error {
	if err := v.fail(); err != nil {
		return err
	}
	v.mu.Lock()
	if err := v.checkFence(g, token); err != nil {
		v.mu.Unlock()
		return err
	}
	delete(v.sessions, g)
	delete(v.queues, g)
	v.versions[g]++
	ver := v.versions[g]
	v.mu.Unlock()
	v.changed(g, ver)
	return nil
}

func (v *memView) List(context.Context) ([]snowflake.ID, error) {
	if err := v.fail(); err != nil {
		return nil, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Sorted(maps.Keys(v.sessions)), nil
}

func (v *memView) Acquire(_ context.Context, g snowflake.ID, owner string, ttl time.Duration) (Lease, error) {
	if err := v.fail(); err != nil {
		return Lease{}, err
	}
	if err := CheckLeaseRequest(owner, ttl); err != nil {
		return Lease{}, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.now()
	l := v.leases[g]
	if now.Before(l.expires) {
		if l.owner != owner {
			return Lease{}, &LeaseHeldError{Owner: l.owner, ExpiresIn: l.expires.Sub(now)}
		}
	} else {
		l = memLease{owner: owner, token: v.nextToken(g)}
	}
	l.expires = now.Add(ttl)
	v.leases[g] = l
	return Lease{Guild: g, Owner: owner, Token: l.token, Expires: l.expires}, nil
}

func (v *memView) Renew(_ context.Context, l Lease, ttl time.Duration) (Lease, error) {
	if err := v.fail(); err != nil {
		return Lease{}, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.now()
	cur := v.leases[l.Guild]
	held := cur.owner == l.Owner && cur.token == l.Token && now.Before(cur.expires)
	if !held && !(v.fence[l.Guild] == l.Token && !now.Before(cur.expires)) {
		return Lease{}, ErrLeaseLost
	}
	l.Expires = now.Add(ttl)
	v.leases[l.Guild] = memLease{owner: l.Owner, token: l.Token, expires: l.Expires}
	return l, nil
}

func (v *memView) Release(_ context.Context, l Lease) error {
	if err := v.fail(); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	cur := v.leases[l.Guild]
	switch {
	case cur.owner == l.Owner && cur.token == l.Token:
		delete(v.leases, l.Guild)
	case v.fence[l.Guild] != l.Token:
		return ErrLeaseLost
	}
	return nil
}

func (v *memView) EditQueue(_ context.Context, g snowflake.ID, e QueueEdit) (QueueEditResult, error) {
	if err := v.fail(); err != nil {
		return QueueEditResult{}, err
	}
	v.mu.Lock()
	if err := v.checkFence(g, e.Token); err != nil {
		v.mu.Unlock()
		return QueueEditResult{}, err
	}
	if e.ExpectVersion != 0 && e.ExpectVersion != v.versions[g] {
		v.mu.Unlock()
		return QueueEditResult{}, &VersionConflictError{Expected: e.ExpectVersion, Actual: v.versions[g]}
	}
	q, res, err := e.Apply(slices.Clone(v.queues[g]))
	if err != nil {
		v.mu.Unlock()
		return QueueEditResult{}, err
	}
	v.queues[g] = q
	v.versions[g]++
	res.Version = v.versions[g]
	v.mu.Unlock()
	v.changed(g, res.Version)
	return res, nil
}

func (v *memView) LoadQueue(_ context.Context, g snowflake.ID) (QueueState, error) {
	if err := v.fail(); err != nil {
		return QueueState{}, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return QueueState{Tracks: slices.Clone(v.queues[g]), Version: v.versions[g]}, nil
}

func (v *memView) WatchQueues(f func(QueueChange)) (cancel func()) {
	v.mu.Lock()
	defer v.mu.Unlock()
	id := v.nextW
	v.nextW++
	v.watchers[id] = f
	return func() {
		v.mu.Lock()
		defer v.mu.Unlock()
		delete(v.watchers, id)
	}
}
