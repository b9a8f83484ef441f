package disgobot

import (
	"context"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

// manualClock is a music.Clock that moves only by advance, which runs
// the timers that fall due on the caller's goroutine.
type manualClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*manualTimer
}

type manualTimer struct {
	c    *manualClock
	when time.Time
	f    func()
	done bool
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) AfterFunc(d time.Duration, f func()) music.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &manualTimer{c: c, when: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *manualTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.done
	t.done = true
	return was
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].when.Before(c.timers[j].when) })
		var next *manualTimer
		for _, t := range c.timers {
			if !t.done && !t.when.After(target) {
				next = t
				break
			}
		}
		if next == nil {
			c.now = target
			c.mu.Unlock()
			return
		}
		next.done = true
		c.now = next.when
		c.mu.Unlock()
		next.f()
	}
}

// pending counts the timers not yet run or stopped.
func (c *manualClock) pending() int {
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

// TestPacer: a channel's edits pass at the bucket's pace, each message
// keeping only its latest edit (and its turn); an edit that sent nothing
// gives its token back; channels are independent and forgotten when
// idle with a full bucket.
func TestPacer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := &manualClock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	work := newSerializer(ctx, 8)
	defer work.wait()
	defer work.close()
	p := newPacer(clock, 2, time.Second, work)
	defer p.close()

	var mu sync.Mutex
	var sent []string
	edit := func(name string, send bool) func(context.Context) bool {
		return func(context.Context) bool {
			if send {
				mu.Lock()
				sent = append(sent, name)
				mu.Unlock()
			}
			return send
		}
	}
	const guild, general, other = snowflake.ID(1), snowflake.ID(10), snowflake.ID(11)
	a, b, c := editRef{message: 100}, editRef{token: "vote"}, editRef{message: 102}
	check := func(step string, want ...string) {
		t.Helper()
		if err := work.waitIdle(ctx); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(sent, want) {
			t.Fatalf("%s: sent %v, want %v", step, sent, want)
		}
	}

	p.submit(guild, general, a, edit("a1", true))
	p.submit(guild, general, b, edit("b1", true))
	check("burst", "a1", "b1")
	p.submit(guild, general, a, edit("a2", true))
	p.submit(guild, general, b, edit("b2", true))
	p.submit(guild, general, a, edit("a3", true)) // replaces a2, keeps a's turn
	p.submit(guild, other, c, edit("c1", true))   // another channel, another bucket
	check("over budget", "a1", "b1", "c1")
	clock.advance(999 * time.Millisecond)
	check("before the next token", "a1", "b1", "c1")
	clock.advance(time.Millisecond)
	check("one token", "a1", "b1", "c1", "a3")
	clock.advance(time.Second)
	check("another", "a1", "b1", "c1", "a3", "b2")

	// An unchanged edit gives its token back.
	clock.advance(2 * time.Second)
	p.submit(guild, general, a, edit("a4", false))
	check("refunded", "a1", "b1", "c1", "a3", "b2")
	p.submit(guild, general, a, edit("a5", true))
	p.submit(guild, general, b, edit("b3", true))
	check("full bucket after the refund", "a1", "b1", "c1", "a3", "b2", "a5", "b3")

	// A cancelled edit is never sent.
	p.submit(guild, general, c, edit("c2", true))
	p.cancel(general, c)
	p.cancel(general, editRef{message: 999})
	clock.advance(time.Second)
	check("cancelled", "a1", "b1", "c1", "a3", "b2", "a5", "b3")

	// Idle channels are forgotten once their bucket is full again.
	clock.advance(2 * time.Second)
	if err := work.waitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if n := p.channelCount(); n != 0 {
		t.Errorf("%d channels held when idle and full, want 0", n)
	}

	// After close nothing is taken or sent.
	p.submit(guild, general, a, edit("x1", true))
	p.submit(guild, general, b, edit("x2", true))
	p.submit(guild, general, c, edit("x3", true))
	check("before close", "a1", "b1", "c1", "a3", "b2", "a5", "b3", "x1", "x2")
	p.close()
	p.submit(guild, general, a, edit("x4", true))
	clock.advance(time.Minute)
	check("after close", "a1", "b1", "c1", "a3", "b2", "a5", "b3", "x1", "x2")
	if n := clock.pending(); n != 0 {
		t.Errorf("%d timers left after close", n)
	}
}

// TestPacerFullQueue: when the guild's queue cannot take the flush, the
// pacer tries again an interval later.
func TestPacerFullQueue(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := &manualClock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	work := newSerializer(ctx, 1)
	defer work.wait()
	defer work.close()
	p := newPacer(clock, 1, time.Second, work)
	defer p.close()
	block, running := make(chan struct{}), make(chan struct{})
	work.do(1, func(context.Context) { close(running); <-block })
	<-running
	work.do(1, func(context.Context) {}) // the queue is full now
	done := make(chan struct{})
	p.submit(1, 10, editRef{message: 1}, func(context.Context) bool { close(done); return true })
	close(block)
	if err := work.waitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
		t.Fatal("edit ran although its flush was refused")
	default:
	}
	clock.advance(time.Second)
	<-done
}
