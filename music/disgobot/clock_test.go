package disgobot

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/tunekit/tunekit/music"
)

// FakeClock is a manual music.Clock for the tests of this package, the
// internal ones (the pacer) and the external ones (the Bot, the Manager
// and the rate limiter of a test world): time moves only by Advance,
// which runs the timers that fall due, in order, on the caller's
// goroutine.
type FakeClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers []*fakeTimer
	set    chan struct{} // signalled whenever a timer is set
}

type fakeTimer struct {
	c    *FakeClock
	when time.Time
	seq  int
	f    func()
	done bool
}

// NewFakeClock returns a FakeClock at start.
func NewFakeClock(start time.Time) *FakeClock {
	return &FakeClock{now: start, set: make(chan struct{}, 1)}
}

// Now returns the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc runs f once the clock has moved by d; f runs at once, in
// its own goroutine, when d <= 0, as with time.AfterFunc.
func (c *FakeClock) AfterFunc(d time.Duration, f func()) music.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &fakeTimer{c: c, when: c.now.Add(d), seq: c.seq, f: f}
	if d <= 0 {
		t.done = true
		go f()
		return t
	}
	c.timers = append(c.timers, t)
	select {
	case c.set <- struct{}{}:
	default:
	}
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.done
	t.done = true
	return was
}

// WaitTimer waits until a timer due exactly d from now is set.
func (c *FakeClock) WaitTimer(ctx context.Context, d time.Duration) error {
	for {
		c.mu.Lock()
		at := c.now.Add(d)
		for _, t := range c.timers {
			if !t.done && t.when.Equal(at) {
				c.mu.Unlock()
				return nil
			}
		}
		c.mu.Unlock()
		select {
		case <-c.set:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Advance moves time by d, running each timer that falls due.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		sort.Slice(c.timers, func(i, j int) bool {
			a, b := c.timers[i], c.timers[j]
			if a.when.Equal(b.when) {
				return a.seq < b.seq
			}
			return a.when.Before(b.when)
		})
		var next *fakeTimer
		kept := c.timers[:0]
		for _, t := range c.timers {
			switch {
			case t.done:
			case next == nil && !t.when.After(target):
				next, t.done = t, true
			default:
				kept = append(kept, t)
			}
		}
		c.timers = kept
		if next == nil {
			c.now = target
			c.mu.Unlock()
			return
		}
		if next.when.After(c.now) {
			c.now = next.when
		}
		c.mu.Unlock()
		next.f()
	}
}

// Pending counts the timers not yet run or stopped.
func (c *FakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.done {
			n++
		}
	}
	return n
}
