package ttlcache

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// NoExpiration, given as a time to live, means the entry never expires.
// Any negative time to live means the same.
const NoExpiration time.Duration = -1

// ErrFull is returned by [Cache.Update] when the key is absent and the
// cache is full of entries that have not expired.
var ErrFull = errors.New("ttlcache: full of live entries")

// Cache is a bounded map with least-recently-used eviction and a time to
// live per entry. Create one with [New]; the zero value is not usable.
//
// A Cache is safe for concurrent use by multiple goroutines.
type Cache[K comparable, V any] struct {
	mu       sync.Mutex
	items    map[K]*entry[K, V]
	lru      list[K, V]
	timed    int // entries that expire
	capacity int
	ttl      time.Duration
	base     time.Time // expiries are nanoseconds since base
	clock    func() time.Time
	onEvict  func(K, V, EvictReason)
	loads    map[K]*call[V]

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// New returns an empty cache that holds at most capacity entries.
//
// New panics if capacity is not positive, or if the callback given with
// [WithOnEvict] does not match the cache's key and value types: both are
// mistakes in the program, not in its input.
func New[K comparable, V any](capacity int, opts ...Option) *Cache[K, V] {
	if capacity <= 0 {
		panic(fmt.Sprintf("ttlcache: New(%d): capacity must be positive", capacity))
	}
	var cfg config
	for _, opt := range opts {
		opt(&cfg)
	}
	c := &Cache[K, V]{
		items:    make(map[K]*entry[K, V]),
		capacity: capacity,
		ttl:      cfg.ttl,
		clock:    cfg.clock,
		onEvict:  evictFunc[K, V](&cfg),
	}
	c.lru.init()
	if c.clock != nil {
		c.base = c.clock()
	} else {
		c.base = time.Now()
	}
	if cfg.janitor > 0 {
		c.stop = make(chan struct{})
		c.done = make(chan struct{})
		go c.janitor(cfg.janitor)
	}
	return c
}

// Cap returns the most entries the cache holds.
func (c *Cache[K, V]) Cap() int { return c.capacity }

// Set stores v under k with the default time to live (see [WithTTL]) and
// makes k the most recently used key. When k is new and the cache is
// full, the least recently used entry is evicted.
func (c *Cache[K, V]) Set(k K, v V) { c.SetWithTTL(k, v, 0) }

// SetWithTTL is like [Cache.Set] with a time to live for this entry: 0
// means the default and [NoExpiration] (or any negative value) means the
// entry never expires.
func (c *Cache[K, V]) SetWithTTL(k K, v V, ttl time.Duration) {
	ttl = c.lifetime(ttl)
	var buf [1]eviction[K, V]
	c.mu.Lock()
	evs := c.set(k, v, ttl, buf[:0])
	c.mu.Unlock()
	c.notify(evs)
}

func (c *Cache[K, V]) set(k K, v V, ttl time.Duration, evs []eviction[K, V]) []eviction[K, V] {
	var now int64
	exp := int64(never)
	if ttl > 0 {
		now = c.now()
		exp = deadline(now, ttl)
	}
	if e, ok := c.items[k]; ok {
		e.val = v
		c.setExpiry(e, exp)
		c.lru.moveToFront(e)
		return evs
	}
	var e *entry[K, V]
	if len(c.items) >= c.capacity {
		e = c.lru.back()
		reason := Capacity
		if e.exp != never {
			if ttl <= 0 {
				now = c.now()
			}
			if e.expired(now) {
				reason = Expired
			}
		}
		evs = c.dropped(evs, e, reason)
		c.remove(e) // e is reused for the new entry
	} else {
		e = new(entry[K, V])
	}
	c.add(e, k, v, exp)
	return evs
}

// SetIfRoom stores v under k like [Cache.SetWithTTL], but never evicts an
// entry that has not expired. If k is present its value and time to live
// are replaced. Otherwise, when the cache is full, SetIfRoom drops expired
// entries from the least recently used end (stopping at the first live
// one) and stores v only if that made room. It reports whether v was
// stored.
func (c *Cache[K, V]) SetIfRoom(k K, v V, ttl time.Duration) bool {
	ttl = c.lifetime(ttl)
	var buf [1]eviction[K, V]
	c.mu.Lock()
	var now int64
	if ttl > 0 || (c.timed > 0 && len(c.items) >= c.capacity) {
		now = c.now()
	}
	exp := deadline(now, ttl)
	evs := buf[:0]
	stored := true
	if e, ok := c.items[k]; ok {
		e.val = v
		c.setExpiry(e, exp)
		c.lru.moveToFront(e)
	} else {
		if len(c.items) >= c.capacity {
			evs = c.dropExpiredTail(now, evs)
		}
		if stored = len(c.items) < c.capacity; stored {
			c.add(new(entry[K, V]), k, v, exp)
		}
	}
	c.mu.Unlock()
	c.notify(evs)
	return stored
}

// Update reads and replaces the entry for k in one step, with the cache
// locked throughout, so that no other call sees or changes the entry in
// between.
//
// fn receives the value stored under k (ok is false if k is absent or has
// expired) and the time the cache read from its clock for this call. It
// returns the value to store, its time to live as for
// [Cache.SetWithTTL], and whether to keep it: keep false deletes k
// (reason [Deleted]) or, if k was absent, stores nothing. A kept entry
// becomes the most recently used.
//
// Like [Cache.SetIfRoom], Update never evicts a live entry to make room:
// if k is absent and the cache stays full after expired entries are
// dropped from the least recently used end, Update returns [ErrFull]
// without calling fn.
//
// fn runs while the cache is locked: it must be quick and must not call
// the cache. Update reads the clock exactly once.
func (c *Cache[K, V]) Update(k K, fn func(v V, ok bool, now time.Time) (V, time.Duration, bool)) error {
	var buf [1]eviction[K, V]
	evs, err := c.update(k, fn, buf[:0])
	c.notify(evs)
	return err
}

func (c *Cache[K, V]) update(k K, fn func(V, bool, time.Time) (V, time.Duration, bool), evs []eviction[K, V]) ([]eviction[K, V], error) {
	c.mu.Lock()
	defer c.mu.Unlock() // fn may panic
	t, now := c.clockTime()
	var spare *entry[K, V]
	e, ok := c.items[k]
	if ok && e.expired(now) {
		evs = c.dropped(evs, e, Expired)
		c.remove(e)
		spare, ok = e, false
	}
	var cur V
	if ok {
		cur = e.val
	} else {
		if len(c.items) >= c.capacity {
			evs = c.dropExpiredTail(now, evs)
		}
		if len(c.items) >= c.capacity {
			return evs, ErrFull
		}
	}
	v, ttl, keep := fn(cur, ok, t)
	switch {
	case !keep && ok:
		evs = c.dropped(evs, e, Deleted)
		c.remove(e)
	case !keep:
	case ok:
		e.val = v
		c.setExpiry(e, deadline(now, c.lifetime(ttl)))
		c.lru.moveToFront(e)
	default:
		if spare == nil {
			spare = new(entry[K, V])
		}
		c.add(spare, k, v, deadline(now, c.lifetime(ttl)))
	}
	return evs, nil
}

// Get returns the value stored under k and makes k the most recently used
// key. It does not extend the entry's time to live. An expired entry is
// dropped and reported as absent.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	e, ok := c.items[k]
	if !ok {
		c.mu.Unlock()
		var zero V
		return zero, false
	}
	if e.exp != never && c.now() >= e.exp {
		var buf [1]eviction[K, V]
		evs := c.dropped(buf[:0], e, Expired)
		c.remove(e)
		c.mu.Unlock()
		c.notify(evs)
		var zero V
		return zero, false
	}
	c.lru.moveToFront(e)
	v := e.val
	c.mu.Unlock()
	return v, true
}

// Peek returns the value stored under k without changing the cache: the
// key's recency is kept and an expired entry is left for later removal
// (and reported as absent).
func (c *Cache[K, V]) Peek(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok || (e.exp != never && c.now() >= e.exp) {
		var zero V
		return zero, false
	}
	return e.val, true
}

// Delete removes k and reports whether it held a live entry. The eviction
// callback sees reason [Deleted], or [Expired] if the entry had expired.
func (c *Cache[K, V]) Delete(k K) bool {
	c.mu.Lock()
	e, ok := c.items[k]
	if !ok {
		c.mu.Unlock()
		return false
	}
	live := e.exp == never || c.now() < e.exp
	reason := Deleted
	if !live {
		reason = Expired
	}
	var buf [1]eviction[K, V]
	evs := c.dropped(buf[:0], e, reason)
	c.remove(e)
	c.mu.Unlock()
	c.notify(evs)
	return live
}

// Len returns the number of live entries. It walks the cache when some
// entries can expire, so it costs O(n) then.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timed == 0 {
		return len(c.items)
	}
	now := c.now()
	n := 0
	for e := c.lru.root.next; e != &c.lru.root; e = e.next {
		if !e.expired(now) {
			n++
		}
	}
	return n
}

// Keys returns the live keys, least recently used first.
func (c *Cache[K, V]) Keys() []K {
	c.mu.Lock()
	defer c.mu.Unlock()
	var now int64
	if c.timed > 0 {
		now = c.now()
	}
	keys := make([]K, 0, len(c.items))
	for e := c.lru.root.prev; e != &c.lru.root; e = e.prev {
		if !e.expired(now) {
			keys = append(keys, e.key)
		}
	}
	return keys
}

// Purge removes every entry. The eviction callback sees reason [Purged]
// for each.
func (c *Cache[K, V]) Purge() {
	c.mu.Lock()
	var evs []eviction[K, V]
	if c.onEvict != nil {
		evs = make([]eviction[K, V], 0, len(c.items))
		for e := c.lru.root.prev; e != &c.lru.root; e = e.prev {
			evs = append(evs, eviction[K, V]{e.key, e.val, Purged})
		}
	}
	clear(c.items)
	c.lru.init()
	c.timed = 0
	c.mu.Unlock()
	c.notify(evs)
}

// DeleteExpired drops every expired entry and returns how many it
// dropped. It walks the whole cache; the janitor (see [WithJanitor]) calls
// it periodically.
func (c *Cache[K, V]) DeleteExpired() int {
	c.mu.Lock()
	if c.timed == 0 {
		c.mu.Unlock()
		return 0
	}
	now := c.now()
	var evs []eviction[K, V]
	n := 0
	for e := c.lru.root.prev; e != &c.lru.root; {
		older := e
		e = e.prev
		if older.expired(now) {
			evs = c.dropped(evs, older, Expired)
			c.remove(older)
			n++
		}
	}
	c.mu.Unlock()
	c.notify(evs)
	return n
}

// dropExpiredTail drops expired entries from the least recently used end,
// stopping at the first live entry.
func (c *Cache[K, V]) dropExpiredTail(now int64, evs []eviction[K, V]) []eviction[K, V] {
	for e := c.lru.back(); e != nil && e.expired(now); e = c.lru.back() {
		evs = c.dropped(evs, e, Expired)
		c.remove(e)
	}
	return evs
}

// add links e as the most recently used entry for k.
func (c *Cache[K, V]) add(e *entry[K, V], k K, v V, exp int64) {
	e.key, e.val, e.exp = k, v, exp
	if exp != never {
		c.timed++
	}
	c.lru.pushFront(e)
	c.items[k] = e
}

// remove unlinks e from the cache.
func (c *Cache[K, V]) remove(e *entry[K, V]) {
	if e.exp != never {
		c.timed--
	}
	c.lru.unlink(e)
	delete(c.items, e.key)
}

func (c *Cache[K, V]) setExpiry(e *entry[K, V], exp int64) {
	switch {
	case e.exp == never && exp != never:
		c.timed++
	case e.exp != never && exp == never:
		c.timed--
	}
	e.exp = exp
}

// lifetime resolves a time to live given to a Set method: 0 is the
// default, and the result is 0 when the entry does not expire.
func (c *Cache[K, V]) lifetime(ttl time.Duration) time.Duration {
	if ttl == 0 {
		ttl = c.ttl
	}
	return max(ttl, 0)
}

// now returns the clock as nanoseconds since c.base. The default clock is
// monotonic-only, which costs about half of time.Now.
func (c *Cache[K, V]) now() int64 {
	if c.clock != nil {
		return int64(c.clock().Sub(c.base))
	}
	return int64(time.Since(c.base))
}

// clockTime is now as both a time.Time and nanoseconds since c.base.
func (c *Cache[K, V]) clockTime() (time.Time, int64) {
	if c.clock != nil {
		t := c.clock()
		return t, int64(t.Sub(c.base))
	}
	d := time.Since(c.base)
	return c.base.Add(d), int64(d)
}

// deadline is the expiry of an entry stored at now with time to live ttl
// (0 for none).
func deadline(now int64, ttl time.Duration) int64 {
	if ttl <= 0 {
		return never
	}
	if now > never-1-int64(ttl) {
		return never - 1
	}
	return now + int64(ttl)
}
