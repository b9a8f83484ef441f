package ttlcache

import "strconv"

// EvictReason says why a [Cache] dropped an entry; it is passed to the
// callback set with [WithOnEvict].
type EvictReason int

// The reasons a cache drops an entry.
const (
	// Capacity: the cache was full and the entry was the least recently
	// used one.
	Capacity EvictReason = iota + 1
	// Expired: the entry's time to live had passed.
	Expired
	// Deleted: [Cache.Delete] removed the entry, or an [Cache.Update]
	// function chose not to keep it.
	Deleted
	// Purged: [Cache.Purge] removed the entry.
	Purged
)

// String returns the reason's name in lower case, such as "capacity".
func (r EvictReason) String() string {
	switch r {
	case Capacity:
		return "capacity"
	case Expired:
		return "expired"
	case Deleted:
		return "deleted"
	case Purged:
		return "purged"
	}
	return "EvictReason(" + strconv.Itoa(int(r)) + ")"
}

// eviction is a dropped entry waiting for the callback, which runs once
// the lock is released. Methods collect evictions in a slice backed by a
// one-element array on the caller's stack, so the common case of at most
// one dropped entry does not allocate.
type eviction[K comparable, V any] struct {
	key    K
	val    V
	reason EvictReason
}

// dropped records e for the eviction callback, if there is one.
func (c *Cache[K, V]) dropped(evs []eviction[K, V], e *entry[K, V], r EvictReason) []eviction[K, V] {
	if c.onEvict == nil {
		return evs
	}
	return append(evs, eviction[K, V]{e.key, e.val, r})
}

// notify calls the eviction callback for each dropped entry. The caller
// must not hold the lock.
func (c *Cache[K, V]) notify(evs []eviction[K, V]) {
	for _, ev := range evs {
		c.onEvict(ev.key, ev.val, ev.reason)
	}
}
