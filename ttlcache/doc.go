// Package ttlcache is a generic, bounded, concurrency-safe cache with
// least-recently-used eviction and a time to live per entry.
//
//	c := ttlcache.New[string, Track](1000, ttlcache.WithTTL(10*time.Minute))
//	c.Set(query, track)
//	if t, ok := c.Get(query); ok { ... }
//
// # Eviction
//
// A [Cache] never holds more than the capacity given to [New]. Storing a
// new key in a full cache with [Cache.Set] evicts the least recently used
// entry. [Cache.Get], Set and [Cache.Update] make a key the most recently
// used; [Cache.Peek] does not. Eviction is true LRU: reading a key protects
// it, unlike a FIFO that evicts the oldest insertion.
//
// [Cache.SetIfRoom] and [Cache.Update] never evict a live entry: when the
// cache is full they only drop expired entries from the least recently
// used end, and store nothing (SetIfRoom returns false, Update returns
// [ErrFull]) if that frees no room. A rate limiter uses them to bound its
// memory without ever forgetting a key that still counts against a limit.
//
// # Expiry
//
// Each entry has its own time to live: the default from [WithTTL] (none
// unless set), or one given to [Cache.SetWithTTL], where [NoExpiration]
// means never. Get does not extend it. A Cache never returns an expired
// value. Expired entries are dropped lazily, when they are accessed or
// reach the least recently used end, and by [Cache.DeleteExpired]; with
// [WithJanitor] a goroutine calls DeleteExpired periodically until
// [Cache.Close]. Without a janitor a Cache starts no goroutine.
//
// Time is read from a monotonic clock, at most once per call (GetOrLoad:
// once for the lookup and once to store a loaded value), and not at all
// for operations on entries that do not expire; [WithClock] replaces it
// in tests.
//
// # Eviction callbacks
//
// [WithOnEvict] registers a function called with each dropped entry and
// an [EvictReason]: [Capacity], [Expired], [Deleted] or [Purged].
// Callbacks run after the cache's lock is released, so a callback may call
// the cache (which some LRU caches turn into a deadlock).
//
// # Loading
//
// [Cache.GetOrLoad] returns a cached value or calls a loader to produce
// it; concurrent callers for the same key share one loader call, so a
// burst of identical requests costs one lookup.
//
// # Concurrency and errors
//
// All methods are safe for concurrent use; one mutex guards each Cache.
// [New] panics when the capacity is not positive or the eviction callback
// has the wrong types, as both are programming mistakes. Methods do not
// fail, except Update ([ErrFull]) and GetOrLoad (the loader's error,
// ctx.Err() or [ErrLoaderPanicked]).
//
// # Design
//
// The cache keeps its own intrusive recency list instead of wrapping
// golang-lru's simplelru. Each entry then carries its expiry as 8 bytes
// of monotonic nanoseconds, evicted entries are handed to callbacks after
// unlocking rather than from inside the list, the least recently used
// entry can be inspected for expiry before eviction (which SetIfRoom and
// Update need), and an evicted entry's memory is reused for the new one,
// so Set allocates nothing once the cache is full. A Get hit costs one map
// lookup and one list move under the lock, plus one clock read if the
// entry expires; it does not allocate.
package ttlcache
