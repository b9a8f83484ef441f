package disgobot

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// TestPacer: a channel's edits pass at the bucket's pace, each message
// keeping only its latest edit (and its turn); an edit that sent nothing
// gives its token back; channels are independent and forgotten when
// idle with a full bucket.
func TestPacer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := NewFakeClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
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
	clock.Advance(999 * time.Millisecond)
	check("before the next token", "a1", "b1", "c1")
	clock.Advance(time.Millisecond)
	check("one token", "a1", "b1", "c1", "a3")
	clock.Advance(time.Second)
	check("another", "a1", "b1", "c1", "a3", "b2")

	// An unchanged edit gives its token back.
	clock.Advance(2 * time.Second)
	p.submit(guild, general, a, edit("a4", false))
	check("refunded", "a1", "b1", "c1", "a3", "b2")
	p.submit(guild, general, a, edit("a5", true))
	p.submit(guild, general, b, edit("b3", true))
	check("full bucket after the refund", "a1", "b1", "c1", "a3", "b2", "a5", "b3")

	// A cancelled edit is never sent.
	p.submit(guild, general, c, edit("c2", true))
	p.cancel(general, c)
	p.cancel(general, editRef{message: 999})
	clock.Advance(time.Second)
	check("cancelled", "a1", "b1", "c1", "a3", "b2", "a5", "b3")

	// Idle channels are forgotten once their bucket is full again.
	clock.Advance(2 * time.Second)
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
	clock.Advance(time.Minute)
	check("after close", "a1", "b1", "c1", "a3", "b2", "a5", "b3", "x1", "x2")
	if n := clock.Pending(); n != 0 {
		t.Errorf("%d timers left after close", n)
	}
}

// TestPacerFullQueue: when the guild's queue cannot take the flush, the
// pacer tries again an interval later.
func TestPacerFullQueue(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := NewFakeClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
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
	clock.Advance(time.Second)
	<-done
}
