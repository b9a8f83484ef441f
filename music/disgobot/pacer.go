package disgobot

import (
	"context"
	"sync"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

// editRef names a message the Bot edits: a channel message by ID, or
// an interaction's original response by token.
type editRef struct {
	message snowflake.ID
	token   string
}

// pendingEdit is the latest wanted edit of one message. do renders the
// message's state when it runs, so a late edit shows the latest state;
// it reports whether it sent a request (false when nothing changed).
type pendingEdit struct {
	ref editRef
	do  func(ctx context.Context) bool
}

// pacer spaces out the Bot's message edits in each channel with a token
// bucket: at most burst edits at once, then one every interval. Each
// message has at most one pending edit, replaced by newer ones (the
// latest state wins and keeps the older edit's turn); messages take
// turns in the order they first asked. Edits run on the guild's
// serializer, and the token is taken when the request is about to be
// sent, so a stalled queue cannot release a burst later.
//
// Channels are forgotten once idle with a full bucket, so the pacer
// holds only channels with recent edits.
type pacer struct {
	clock    music.Clock
	burst    int
	interval time.Duration
	work     *serializer

	mu       sync.Mutex
	channels map[snowflake.ID]*channelEdits
	closed   bool
}

// channelEdits is one channel's bucket and queue.
type channelEdits struct {
	guild  snowflake.ID
	tokens int
	at     time.Time // tokens were counted up to at
	queue  []*pendingEdit
	busy   bool // a flush is queued or running
	timer  music.Timer
}

func newPacer(clock music.Clock, burst int, interval time.Duration, work *serializer) *pacer {
	return &pacer{clock: clock, burst: burst, interval: interval, work: work, channels: map[snowflake.ID]*channelEdits{}}
}

// submit asks for the message ref in channel to be edited by do, within
// the channel's budget.
func (p *pacer) submit(guild, channel snowflake.ID, ref editRef, do func(ctx context.Context) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	ch := p.channels[channel]
	if ch == nil {
		ch = &channelEdits{guild: guild, tokens: p.burst, at: p.clock.Now()}
		p.channels[channel] = ch
	}
	for _, e := range ch.queue {
		if e.ref == ref {
			e.do = do // the older edit is dropped; the newer keeps its turn
			return
		}
	}
	ch.queue = append(ch.queue, &pendingEdit{ref: ref, do: do})
	p.kick(channel, ch)
}

// cancel drops the pending edit of ref, for a message about to be
// deleted.
func (p *pacer) cancel(channel snowflake.ID, ref editRef) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ch := p.channels[channel]; ch != nil {
		for i, e := range ch.queue {
			if e.ref == ref {
				ch.queue = append(ch.queue[:i], ch.queue[i+1:]...)
				break
			}
		}
	}
}

// close drops every pending edit and stops the timers.
func (p *pacer) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, ch := range p.channels {
		if ch.timer != nil {
			ch.timer.Stop()
		}
	}
	clear(p.channels)
}

// refill adds the tokens earned since ch.at. Called with p.mu held.
func (p *pacer) refill(ch *channelEdits, now time.Time) {
	if ch.tokens >= p.burst {
		ch.at = now
		return
	}
	n := int(now.Sub(ch.at) / p.interval)
	if n <= 0 {
		return
	}
	ch.tokens += n
	ch.at = ch.at.Add(time.Duration(n) * p.interval)
	if ch.tokens >= p.burst {
		ch.tokens, ch.at = p.burst, now
	}
}

// kick starts a flush of ch when it has an edit waiting and a token;
// otherwise it sets ch's timer for the next token (or, idle, for when
// its bucket is full and it can be forgotten). Called with p.mu held.
func (p *pacer) kick(channel snowflake.ID, ch *channelEdits) {
	if ch.busy || p.closed {
		return
	}
	now := p.clock.Now()
	p.refill(ch, now)
	if ch.timer != nil {
		ch.timer.Stop()
		ch.timer = nil
	}
	switch {
	case len(ch.queue) == 0 && ch.tokens >= p.burst:
		delete(p.channels, channel)
	case len(ch.queue) == 0:
		p.wakeAt(channel, ch, ch.at.Add(time.Duration(p.burst-ch.tokens)*p.interval).Sub(now))
	case ch.tokens == 0:
		p.wakeAt(channel, ch, ch.at.Add(p.interval).Sub(now))
	default:
		ch.busy = true
		if !p.work.do(ch.guild, func(ctx context.Context) { p.flush(ctx, channel) }) {
			// The guild's queue is full (or the Bot is closing): try
			// again later.
			ch.busy = false
			p.wakeAt(channel, ch, p.interval)
		}
	}
}

// wakeAt sets ch's timer to kick it again after d. Called with p.mu held.
func (p *pacer) wakeAt(channel snowflake.ID, ch *channelEdits, d time.Duration) {
	var t music.Timer
	t = p.clock.AfterFunc(d, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.channels[channel] == ch && ch.timer == t {
			ch.timer = nil
			p.kick(channel, ch)
		}
	})
	ch.timer = t
}

// flush sends ch's pending edits while it has tokens, on the guild's
// serializer. An edit that sent nothing gives its token back.
func (p *pacer) flush(ctx context.Context, channel snowflake.ID) {
	for {
		p.mu.Lock()
		ch := p.channels[channel]
		if ch == nil || p.closed {
			p.mu.Unlock()
			return
		}
		p.refill(ch, p.clock.Now())
		if len(ch.queue) == 0 || ch.tokens == 0 {
			ch.busy = false
			p.kick(channel, ch)
			p.mu.Unlock()
			return
		}
		e := ch.queue[0]
		ch.queue[0] = nil
		ch.queue = ch.queue[1:]
		ch.tokens--
		p.mu.Unlock()
		if !e.do(ctx) {
			p.mu.Lock()
			ch.tokens = min(ch.tokens+1, p.burst)
			p.mu.Unlock()
		}
	}
}

// channelCount is how many channels the pacer holds, for tests.
func (p *pacer) channelCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.channels)
}
