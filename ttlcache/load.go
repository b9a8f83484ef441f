package ttlcache

import (
	"context"
	"errors"
)

// ErrLoaderPanicked is returned by [Cache.GetOrLoad] to the callers that
// were waiting on a loader that panicked; the caller that ran the loader
// sees the panic itself.
var ErrLoaderPanicked = errors.New("ttlcache: loader panicked")

// call is one running loader and the callers sharing it.
type call[V any] struct {
	done chan struct{} // closed when val and err are set
	val  V
	err  error
	// abandoned is set when the loader failed because the context of the
	// caller that ran it was done; the others then try again.
	abandoned bool
}

// GetOrLoad returns the live value stored under k, or calls loader to
// produce it and stores it with the default time to live.
//
// Concurrent callers for the same key share one loader call: the first
// runs loader with its own ctx, the others wait for its result, each
// giving up with its own ctx.Err() when its ctx is done first. A loader
// error is returned to all of them and nothing is stored; but if the
// loader failed because the running caller's ctx was done, waiters whose
// ctx is still live run the loader again rather than inherit that
// cancellation.
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, k K, loader func(ctx context.Context) (V, error)) (V, error) {
	for {
		c.mu.Lock()
		if e, ok := c.items[k]; ok && (e.exp == never || c.now() < e.exp) {
			v := e.val
			c.lru.moveToFront(e)
			c.mu.Unlock()
			return v, nil
		}
		if cl, ok := c.loads[k]; ok {
			c.mu.Unlock()
			select {
			case <-cl.done:
			case <-ctx.Done():
				var zero V
				return zero, ctx.Err()
			}
			if cl.abandoned && ctx.Err() == nil {
				continue
			}
			return cl.val, cl.err
		}
		cl := &call[V]{done: make(chan struct{})}
		if c.loads == nil {
			c.loads = make(map[K]*call[V])
		}
		c.loads[k] = cl
		c.mu.Unlock()
		c.load(ctx, k, cl, loader)
		return cl.val, cl.err
	}
}

// load runs loader for the callers of cl, stores a successful result and
// releases the waiters, even if loader panics.
func (c *Cache[K, V]) load(ctx context.Context, k K, cl *call[V], loader func(context.Context) (V, error)) {
	returned := false
	defer func() {
		if !returned {
			cl.err = ErrLoaderPanicked
		}
		c.mu.Lock()
		delete(c.loads, k)
		c.mu.Unlock()
		close(cl.done)
	}()
	cl.val, cl.err = loader(ctx)
	returned = true
	if cl.err != nil {
		cl.abandoned = ctx.Err() != nil
		return
	}
	c.Set(k, cl.val)
}
