package ttlcache

import (
	"fmt"
	"reflect"
	"time"
)

// Option configures a [Cache] built by [New].
type Option func(*config)

type config struct {
	ttl     time.Duration
	onEvict any // func(K, V, EvictReason), checked against the cache's types in New
	janitor time.Duration
	clock   func() time.Time
}

// WithTTL sets the time to live that [Cache.Set] gives entries. A zero or
// negative d means entries do not expire. Default: no expiry.
func WithTTL(d time.Duration) Option {
	return func(c *config) { c.ttl = d }
}

// WithOnEvict registers fn to be called with every entry the cache drops,
// and why. The cache calls fn after releasing its lock, in the goroutine
// whose call dropped the entry, so fn may use the cache. Replacing a
// key's value with Set or Update does not call fn.
//
// The key and value types of fn must be those of the cache; [New] panics
// when they are not. Default: no callback.
func WithOnEvict[K comparable, V any](fn func(key K, value V, reason EvictReason)) Option {
	return func(c *config) { c.onEvict = fn }
}

// WithJanitor starts a goroutine that drops expired entries every
// interval, so that memory held by entries nobody asks for again is
// released. [Cache.Close] stops it. A zero or negative interval means no
// janitor. Default: no janitor; expired entries are dropped lazily when
// they are accessed or reach the least recently used end.
func WithJanitor(interval time.Duration) Option {
	return func(c *config) { c.janitor = interval }
}

// WithClock makes the cache read the time from now instead of the system
// clock; tests use it to move time by hand. Default: the system's
// monotonic clock.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.clock = now }
}

// evictFunc returns the callback in cfg as the cache's type, or panics.
func evictFunc[K comparable, V any](cfg *config) func(K, V, EvictReason) {
	if cfg.onEvict == nil {
		return nil
	}
	fn, ok := cfg.onEvict.(func(K, V, EvictReason))
	if !ok {
		panic(fmt.Sprintf("ttlcache: WithOnEvict callback is %T, want func(%v, %v, ttlcache.EvictReason)",
			cfg.onEvict, reflect.TypeFor[K](), reflect.TypeFor[V]()))
	}
	return fn
}
