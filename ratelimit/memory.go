package ratelimit

import (
	"context"
	"errors"
	"hash/maphash"
	"sync/atomic"
	"time"

	"github.com/tunekit/tunekit/ttlcache"
)

// ErrCapacity is returned, with a denial, by the [NewMemory] limiter when
// a key it does not track arrives while it is full of keys that still
// count against their limits. The limiter fails closed rather than forget
// a live key.
var ErrCapacity = errors.New("ratelimit: memory limiter full")

// Defaults of the [NewMemory] limiter.
const (
	DefaultCapacity = 100_000
	DefaultShards   = 16
)

// sweepEvery bounds how often a full shard walks all its keys to drop
// expired ones hidden behind live ones.
const sweepEvery = time.Second

// Option configures [NewMemory] and [NewRedis]. Options that do not
// apply to a limiter are ignored by it.
type Option func(*config)

type config struct {
	capacity int
	shards   int
	clock    func() time.Time
	onFull   func(key string)
}

// WithCapacity sets how many keys the memory limiter tracks at most; a
// key is tracked until every event it recorded has left its window.
// Values below 1 select the default, [DefaultCapacity]. Memory only.
func WithCapacity(n int) Option { return func(c *config) { c.capacity = n } }

// WithShards sets how many independently locked shards the memory
// limiter spreads keys over, rounded down to a power of two and at most
// the capacity, which is divided evenly among them. Values below 1 select
// the default, [DefaultShards]. Memory only.
func WithShards(n int) Option { return func(c *config) { c.shards = n } }

// WithClock makes the memory limiter read the time from now instead of
// the system's monotonic clock; tests use it to move time by hand. Memory
// only.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithOnFull registers fn to be called, outside any lock, with each key
// the memory limiter refuses with [ErrCapacity]; use it to count
// refusals. Memory only.
func WithOnFull(fn func(key string)) Option { return func(c *config) { c.onFull = fn } }

func newConfig(opts []Option) config {
	var cfg config
	for _, opt := range opts {
		opt(&cfg)
	}
	if cfg.capacity < 1 {
		cfg.capacity = DefaultCapacity
	}
	if cfg.shards < 1 {
		cfg.shards = DefaultShards
	}
	return cfg
}

// memory is the in-process limiter.
type memory struct {
	shards []shard
	mask   uint64
	seed   maphash.Seed
	clock  func() time.Time
	onFull func(string)
}

type shard struct {
	cache     *ttlcache.Cache[string, *window]
	lastSweep atomic.Int64 // Unix nanoseconds; 0 before the first sweep
}

// NewMemory returns a [Limiter] that keeps an exact sliding-window log
// per key in process memory. See the package documentation for how it
// bounds memory and why it never forgets a live key.
func NewMemory(opts ...Option) Limiter {
	cfg := newConfig(opts)
	n := 1
	for n*2 <= min(cfg.shards, cfg.capacity) {
		n *= 2
	}
	m := &memory{
		shards: make([]shard, n),
		mask:   uint64(n - 1),
		seed:   maphash.MakeSeed(),
		clock:  cfg.clock,
		onFull: cfg.onFull,
	}
	var copts []ttlcache.Option
	if cfg.clock != nil {
		copts = append(copts, ttlcache.WithClock(cfg.clock))
	}
	for i := range m.shards {
		size := cfg.capacity / n
		if i < cfg.capacity%n {
			size++
		}
		m.shards[i].cache = ttlcache.New[string, *window](size, copts...)
	}
	return m
}

// Allow is AllowN with n = 1.
func (m *memory) Allow(ctx context.Context, key string, limit Limit) (Decision, error) {
	return m.AllowN(ctx, key, limit, 1)
}

// AllowN decides n events for key. It never blocks, so ctx is unused.
func (m *memory) AllowN(_ context.Context, key string, limit Limit, n int) (Decision, error) {
	if err := limit.check(n); err != nil {
		return Decision{Backend: BackendMemory}, err
	}
	s := &m.shards[0]
	if m.mask != 0 {
		s = &m.shards[maphash.String(m.seed, key)&m.mask]
	}
	d, err := s.allow(key, limit, n)
	if err != nil && s.sweep(m.now()) {
		d, err = s.allow(key, limit, n)
	}
	if err != nil {
		if m.onFull != nil {
			m.onFull(key)
		}
		return Decision{Backend: BackendMemory}, ErrCapacity
	}
	return d, nil
}

// allow runs the window for key under the shard's lock, with one clock
// read, tracking the key until its window is empty again.
func (s *shard) allow(key string, limit Limit, n int) (Decision, error) {
	var d Decision
	err := s.cache.Update(key, func(w *window, ok bool, now time.Time) (*window, time.Duration, bool) {
		if !ok {
			w = new(window)
		}
		d = w.allow(now.UnixNano(), limit, n)
		return w, d.ResetAfter, d.ResetAfter > 0
	})
	d.Backend = BackendMemory
	return d, err
}

// sweep drops expired keys from a full shard, at most once per
// sweepEvery, and reports whether it dropped any.
func (s *shard) sweep(now int64) bool {
	last := s.lastSweep.Load()
	if last != 0 && now-last < int64(sweepEvery) {
		return false
	}
	if !s.lastSweep.CompareAndSwap(last, now) {
		return false
	}
	return s.cache.DeleteExpired() > 0
}

func (m *memory) now() int64 {
	if m.clock != nil {
		return m.clock().UnixNano()
	}
	return time.Now().UnixNano()
}
