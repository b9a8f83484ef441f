package ttlcache

import "time"

// janitor drops expired entries every interval until Close.
func (c *Cache[K, V]) janitor(interval time.Duration) {
	defer close(c.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			c.DeleteExpired()
		}
	}
}

// Close stops the janitor started by [WithJanitor] and waits for it to
// return. It is safe to call more than once and on a cache without a
// janitor. The cache remains usable after Close; expired entries are then
// dropped lazily.
func (c *Cache[K, V]) Close() {
	c.closeOnce.Do(func() {
		if c.stop != nil {
			close(c.stop)
			<-c.done
		}
	})
}
