package music

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// EventBus carries [Event]s from the player to whoever listens: the
// frontend's now-playing message, metrics, other instances of the bot.
type EventBus interface {
	// Publish sends e to the subscribers. It must not wait for them.
	Publish(ctx context.Context, e Event) error
	// Subscribe calls f with every event published from now on, until
	// cancel is called.
	Subscribe(f func(Event)) (cancel func())
}

// ErrBusClosed is returned by Publish on a closed bus.
var ErrBusClosed = errors.New("music: event bus closed")

// DefaultBusBuffer is how many events a subscriber of a [Bus] may fall
// behind before further events to it are dropped.
const DefaultBusBuffer = 256

// BusOption configures a [Bus].
type BusOption func(*Bus)

// WithBusBuffer sets how many undelivered events each subscriber may have
// before events to it are dropped. n < 1 selects [DefaultBusBuffer].
func WithBusBuffer(n int) BusOption {
	return func(b *Bus) {
		if n >= 1 {
			b.buffer = n
		}
	}
}

// Bus is the in-process [EventBus].
//
// Each subscriber has its own goroutine and a bounded buffer, so Publish
// never waits for a subscriber: when a subscriber's buffer is full the
// event is dropped for that subscriber alone and counted ([Bus.Dropped]).
// A subscriber sees events in the order they were published by any one
// goroutine.
//
// A Bus is safe for concurrent use. It owns its subscribers' goroutines;
// [Bus.Close] stops them.
type Bus struct {
	buffer  int
	dropped atomic.Uint64
	wg      sync.WaitGroup

	mu     sync.RWMutex
	subs   map[*subscriber]struct{}
	closed bool
}

type subscriber struct {
	ch       chan Event
	f        func(Event)
	stopped  atomic.Bool // set by cancel: skip what is still buffered
	chClosed bool        // guarded by Bus.mu
}

// NewBus returns a bus with no subscribers.
func NewBus(opts ...BusOption) *Bus {
	b := &Bus{buffer: DefaultBusBuffer, subs: make(map[*subscriber]struct{})}
	for _, o := range opts {
		o(b)
	}
	return b
}

// Publish hands e to every subscriber's buffer without waiting. It returns
// ctx.Err() if ctx is already done and [ErrBusClosed] after Close.
func (b *Bus) Publish(ctx context.Context, e Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return ErrBusClosed
	}
	for s := range b.subs {
		select {
		case s.ch <- e:
		default:
			b.dropped.Add(1)
		}
	}
	return nil
}

// Subscribe starts delivering events to f on a goroutine of its own, one
// at a time, and returns a function that stops it. After cancel returns, f
// is not called again, except that a call already running finishes; cancel
// does not wait for it, so f may call cancel. Calling cancel twice is fine.
// Subscribing to a closed bus returns a no-op cancel and never calls f.
func (b *Bus) Subscribe(f func(Event)) (cancel func()) {
	s := &subscriber{ch: make(chan Event, b.buffer), f: f}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return func() {}
	}
	b.subs[s] = struct{}{}
	b.wg.Add(1)
	b.mu.Unlock()
	go b.deliver(s)
	return func() {
		s.stopped.Store(true)
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.subs, s)
		if !s.chClosed {
			s.chClosed = true
			close(s.ch)
		}
	}
}

func (b *Bus) deliver(s *subscriber) {
	defer b.wg.Done()
	for e := range s.ch {
		if s.stopped.Load() {
			continue // drain without calling f
		}
		s.f(e)
	}
}

// Dropped is how many deliveries were dropped because a subscriber's
// buffer was full.
func (b *Bus) Dropped() uint64 { return b.dropped.Load() }

// Close stops accepting events, lets every subscriber finish the events
// already in its buffer, and waits for their goroutines to end. If ctx ends
// first, the remaining buffered events are skipped and Close returns
// ctx.Err() without waiting for callbacks still running. Close is safe to
// call more than once.
func (b *Bus) Close(ctx context.Context) error {
	b.mu.Lock()
	b.closed = true
	subs := make([]*subscriber, 0, len(b.subs))
	for s := range b.subs {
		subs = append(subs, s)
		if !s.chClosed {
			s.chClosed = true
			close(s.ch)
		}
		delete(b.subs, s)
	}
	b.mu.Unlock()

	done := make(chan struct{})
	go func() {
		b.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		for _, s := range subs {
			s.stopped.Store(true)
		}
		return ctx.Err()
	}
}
