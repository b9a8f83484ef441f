package lavalinktest

import (
	"container/heap"
	"sync"
	"time"
)

// Clock is the time source of one or more nodes: the media clock of every
// player, the playerUpdate and stats intervals, resume timeouts, the
// cleanup threshold and injected latency all run on it.
//
// A Clock made by [NewClock] is manual: time stands still until
// [Clock.Advance] moves it, and timers due in the advanced span run inside
// Advance, in order of their due time, on the calling goroutine. Share one
// manual Clock between nodes (with [WithClock]) to drive a whole cluster
// from a test. A node without [WithClock] runs on its own real-time clock,
// which Advance can still push forward to skip a wait.
//
// A Clock is safe for concurrent use. Advance must not be called from
// inside a node's callbacks.
type Clock struct {
	advanceMu sync.Mutex // serialises Advance

	mu      sync.Mutex
	real    bool
	now     time.Time     // manual clocks
	offset  time.Duration // real clocks: the sum of Advance calls
	timers  timerHeap
	seq     uint64
	closed  bool
	running sync.WaitGroup // real clocks: callbacks in flight
}

// NewClock returns a manual clock that reads start until advanced.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start}
}

func newRealClock() *Clock {
	return &Clock{real: true}
}

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	if c.real {
		return time.Now().Add(c.offset)
	}
	return c.now
}

// Advance moves the clock forward by d (nothing happens for d <= 0) and
// runs, in due order, every timer that falls due on the way; timers those
// callbacks start within the span run too. When Advance returns, every
// frame those timers produced has been queued on its websocket. Concurrent
// calls run one after the other.
func (c *Clock) Advance(d time.Duration) {
	if d < 0 {
		d = 0
	}
	c.advanceMu.Lock()
	defer c.advanceMu.Unlock()
	c.mu.Lock()
	var target time.Time
	if c.real {
		c.offset += d
		target = c.nowLocked()
	} else {
		target = c.now.Add(d)
	}
	for len(c.timers) > 0 && !c.timers[0].when.After(target) && !c.closed {
		t := heap.Pop(&c.timers).(*clockTimer)
		if t.rt != nil {
			t.rt.Stop()
		}
		if !c.real && t.when.After(c.now) {
			c.now = t.when
		}
		c.mu.Unlock()
		t.f()
		c.mu.Lock()
	}
	if !c.real {
		c.now = target
	} else {
		// The jump made the remaining real timers late; re-arm them.
		now := c.nowLocked()
		for _, t := range c.timers {
			if t.rt != nil {
				t.rt.Reset(t.when.Sub(now))
			}
		}
	}
	c.mu.Unlock()
}

// clockTimer is one scheduled callback.
type clockTimer struct {
	when  time.Time
	seq   uint64
	f     func()
	index int // position in the heap, -1 when not pending
	rt    *time.Timer
}

// afterFunc schedules f to run once the clock has moved d past now.
func (c *Clock) afterFunc(d time.Duration, f func()) *clockTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &clockTimer{when: c.nowLocked().Add(d), seq: c.seq, f: f, index: -1}
	if c.closed {
		return t
	}
	heap.Push(&c.timers, t)
	if c.real {
		t.rt = time.AfterFunc(max(d, 0), func() { c.fire(t) })
	}
	return t
}

// fire runs a real-time timer whose time.Timer went off.
func (c *Clock) fire(t *clockTimer) {
	c.mu.Lock()
	if t.index < 0 || c.closed {
		c.mu.Unlock()
		return
	}
	heap.Remove(&c.timers, t.index)
	c.running.Add(1)
	c.mu.Unlock()
	defer c.running.Done()
	t.f()
}

// stop cancels t; it reports whether t was still pending.
func (c *Clock) stop(t *clockTimer) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&c.timers, t.index)
	if t.rt != nil {
		t.rt.Stop()
	}
	return true
}

// close stops a node's own real-time clock and waits for callbacks in
// flight.
func (c *Clock) close() {
	c.mu.Lock()
	c.closed = true
	for _, t := range c.timers {
		if t.rt != nil {
			t.rt.Stop()
		}
		t.index = -1
	}
	c.timers = nil
	c.mu.Unlock()
	c.running.Wait()
}

// timerHeap orders timers by due time, then by creation.
type timerHeap []*clockTimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].when.Equal(h[j].when) {
		return h[i].seq < h[j].seq
	}
	return h[i].when.Before(h[j].when)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*clockTimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
