package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

// queueChangeJSON is the message a store publishes on the queue channel,
// built by the scripts: {"guildId":"<id>","version":<n>}.
type queueChangeJSON struct {
	GuildID *string `json:"guildId"`
	Version *uint64 `json:"version"`
}

// parseQueueChange reads a queue channel message.
func parseQueueChange(data []byte) (music.QueueChange, error) {
	var w queueChangeJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return music.QueueChange{}, fmt.Errorf("redisstore: queue change: %w", err)
	}
	if w.GuildID == nil || w.Version == nil {
		return music.QueueChange{}, fmt.Errorf("redisstore: queue change without guildId or version")
	}
	id, err := music.ParseID(*w.GuildID)
	if err != nil {
		return music.QueueChange{}, fmt.Errorf("redisstore: queue change: %w", err)
	}
	return music.QueueChange{GuildID: id, Version: *w.Version}, nil
}

func (b *Bus) queueChanged(payload string) {
	c, err := parseQueueChange([]byte(payload))
	if err != nil {
		b.skipped.Add(1)
		b.logger.WarnContext(b.ctx, "skipping a queue change that does not decode", "channel", b.queues, "error", err)
		return
	}
	b.watch.notify(c)
}

// WatchQueues implements [music.QueueWatcher]: it calls f, on a goroutine
// of its own, for each queue change announced on the queue channel by
// any process's [Store]. Changes wait for f in a mailbox holding the
// newest version per guild, so a slow f never holds up the bus or other
// watchers and never falls behind by more than one change per guild.
// After cancel returns f is not called again, except that a call already
// running finishes; cancel does not wait for it, so f may call cancel.
// Watching a closed bus returns a no-op cancel.
func (b *Bus) WatchQueues(f func(music.QueueChange)) (cancel func()) {
	return b.watch.add(f)
}

// watchers are the functions WatchQueues registered.
type watchers struct {
	mu     sync.Mutex
	set    map[*watcher]struct{}
	closed bool
	wg     sync.WaitGroup
}

type watcher struct {
	f         func(music.QueueChange)
	mu        sync.Mutex
	pending   map[snowflake.ID]uint64
	wake      chan struct{} // one slot: there is something pending
	done      chan struct{} // closed by cancel or close
	once      sync.Once
	cancelled atomic.Bool
}

func (ws *watchers) add(f func(music.QueueChange)) func() {
	w := &watcher{f: f, pending: map[snowflake.ID]uint64{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
	ws.mu.Lock()
	if ws.closed {
		ws.mu.Unlock()
		return func() {}
	}
	if ws.set == nil {
		ws.set = map[*watcher]struct{}{}
	}
	ws.set[w] = struct{}{}
	ws.wg.Add(1)
	ws.mu.Unlock()
	go func() {
		defer ws.wg.Done()
		w.run()
	}()
	return func() {
		w.cancelled.Store(true)
		ws.mu.Lock()
		delete(ws.set, w)
		ws.mu.Unlock()
		w.stop()
	}
}

func (w *watcher) stop() { w.once.Do(func() { close(w.done) }) }

func (ws *watchers) notify(c music.QueueChange) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for w := range ws.set {
		w.mu.Lock()
		w.pending[c.GuildID] = max(w.pending[c.GuildID], c.Version)
		w.mu.Unlock()
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// run delivers pending changes until cancel or close; close delivers
// what is pending first.
func (w *watcher) run() {
	for {
		select {
		case <-w.wake:
			w.flush()
		case <-w.done:
			w.flush()
			return
		}
	}
}

func (w *watcher) flush() {
	w.mu.Lock()
	batch := w.pending
	w.pending = make(map[snowflake.ID]uint64, len(batch))
	w.mu.Unlock()
	for g, v := range batch {
		if w.cancelled.Load() {
			return
		}
		w.f(music.QueueChange{GuildID: g, Version: v})
	}
}

// close stops every watcher after it has delivered what is pending and
// waits for them, or for ctx.
func (ws *watchers) close(ctx context.Context) error {
	ws.mu.Lock()
	ws.closed = true
	stopped := make([]*watcher, 0, len(ws.set))
	for w := range ws.set {
		stopped = append(stopped, w)
		w.stop()
		delete(ws.set, w)
	}
	ws.mu.Unlock()
	done := make(chan struct{})
	go func() {
		ws.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		for _, w := range stopped {
			w.cancelled.Store(true) // deliver no more
		}
		return ctx.Err()
	}
}
