package disgobot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

// jobsPerGuild bounds the now-playing work waiting in one guild; more is
// dropped (and logged), which only happens when Discord stalls.
const jobsPerGuild = 32

// liveMessage is a guild's now-playing message: where it is, which
// track it shows, and its progress timer.
type liveMessage struct {
	guild, channel, message snowflake.ID
	track                   music.Track

	mu       sync.Mutex
	timer    music.Timer
	lastEdit time.Time
	lastBody []byte
	ended    bool
	stopped  bool
}

// stop cancels the progress timer for good.
func (lm *liveMessage) stop() {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	lm.stopped = true
	if lm.timer != nil {
		lm.timer.Stop()
		lm.timer = nil
	}
}

// end marks the track ended and stops the timer; it reports whether the
// message was live until now.
func (lm *liveMessage) end() bool {
	lm.stop()
	lm.mu.Lock()
	defer lm.mu.Unlock()
	was := !lm.ended
	lm.ended = true
	return was
}

func (lm *liveMessage) isEnded() bool {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	return lm.ended
}

// edited records an edit of the message, made at now with body.
func (lm *liveMessage) edited(now time.Time, body []byte) {
	lm.mu.Lock()
	lm.lastEdit, lm.lastBody = now, body
	lm.mu.Unlock()
}

// sameTrack reports whether a and b are the same queued track: the same
// Lavalink track, requested by the same user at the same time.
func sameTrack(a, b music.Track) bool {
	return a.Encoded == b.Encoded && a.Requester == b.Requester && a.AddedAt.Equal(b.AddedAt)
}

// onMusicEvent runs on the event bus's goroutine: it hands the work to
// the guild's queue and returns.
func (b *Bot) onMusicEvent(ev music.Event) {
	var job func(context.Context)
	switch e := ev.(type) {
	case music.TrackStarted:
		job = func(ctx context.Context) { b.announce(ctx, e) }
	case music.TrackEnded:
		job = func(ctx context.Context) { b.trackEnded(ctx, e) }
	case music.SessionEnded:
		job = func(ctx context.Context) { b.sessionEnded(ctx, e) }
	default:
		return
	}
	if !b.work.do(ev.Guild(), job) && !b.isClosed() {
		b.log.Warn("now-playing work dropped", "guild", ev.Guild(), "event", ev.Type())
	}
}

// announce posts the now-playing message of a track that started, after
// retiring the guild's previous one.
func (b *Bot) announce(ctx context.Context, e music.TrackStarted) {
	prev, hadPrev := b.live.Peek(e.GuildID)
	np, err := b.status(ctx, e.GuildID)
	switch {
	case errors.Is(err, music.ErrNothingPlaying):
		return // it ended already; or another process plays this guild
	case err != nil && hadPrev:
		// Most likely rate limited: show the event's track where the
		// previous message was.
		np = music.NowPlaying{State: music.StatePlaying, Track: e.Track, TextChannelID: prev.channel}
	case err != nil:
		b.log.WarnContext(ctx, "now-playing status", "guild", e.GuildID, "error", err)
		return
	case !sameTrack(np.Track, e.Track):
		return // a later track plays; its own event follows
	}
	if hadPrev {
		b.retire(ctx, prev)
		b.live.Delete(e.GuildID)
	}
	if np.TextChannelID == 0 {
		return
	}
	rctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	msg, err := b.client.Rest.CreateMessage(np.TextChannelID, discord.MessageCreate{
		Embeds:     []discord.Embed{b.render.nowPlaying(np, false)},
		Components: b.render.nowPlayingButtons(np),
	}, rest.WithCtx(rctx))
	if err != nil {
		b.log.WarnContext(ctx, "post now-playing message", "guild", e.GuildID, "channel", np.TextChannelID, "error", err)
		return
	}
	lm := &liveMessage{guild: e.GuildID, channel: np.TextChannelID, message: msg.ID, track: e.Track, lastEdit: b.cfg.clock.Now()}
	b.live.Set(e.GuildID, lm)
	b.arm(lm)
}

// trackEnded retires the guild's message when it shows the track that
// ended. The entry stays (ended) so that SessionEnded knows the channel.
func (b *Bot) trackEnded(ctx context.Context, e music.TrackEnded) {
	if lm, ok := b.live.Peek(e.GuildID); ok && sameTrack(lm.track, e.Track) {
		b.retire(ctx, lm)
	}
}

// sessionEnded retires the guild's message and, unless a user told the
// bot to leave, says why it left.
func (b *Bot) sessionEnded(ctx context.Context, e music.SessionEnded) {
	lm, ok := b.live.Peek(e.GuildID)
	if !ok {
		return
	}
	b.retire(ctx, lm)
	b.live.Delete(e.GuildID)
	if e.Reason == music.LeaveCommand {
		return
	}
	rctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	emb := discord.Embed{Author: &discord.EmbedAuthor{Name: headLeft}, Description: music.LeaveMessage(e.Reason), Color: b.render.theme.IdleColor}
	if _, err := b.client.Rest.CreateMessage(lm.channel, discord.MessageCreate{Embeds: []discord.Embed{emb}}, rest.WithCtx(rctx)); err != nil {
		b.log.WarnContext(ctx, "post leave notice", "guild", e.GuildID, "error", err)
	}
}

// retire ends a now-playing message: its buttons go and it shows the
// track as played, or it is deleted ([WithCleanup]). A message retires
// once.
func (b *Bot) retire(ctx context.Context, lm *liveMessage) {
	if !lm.end() {
		return
	}
	rctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	var err error
	if b.cfg.cleanup == CleanupDelete {
		err = b.client.Rest.DeleteMessage(lm.channel, lm.message, rest.WithCtx(rctx))
	} else {
		embeds := []discord.Embed{b.render.nowPlaying(music.NowPlaying{Track: lm.track}, true)}
		_, err = b.client.Rest.UpdateMessage(lm.channel, lm.message, discord.MessageUpdate{
			Embeds: &embeds, Components: &[]discord.LayoutComponent{},
		}, rest.WithCtx(rctx))
	}
	if err != nil && !isGone(err) {
		b.log.WarnContext(ctx, "retire now-playing message", "guild", lm.guild, "error", err)
	}
}

// arm schedules the next progress update of lm.
func (b *Bot) arm(lm *liveMessage) {
	if b.cfg.progress < 0 {
		return
	}
	lm.mu.Lock()
	defer lm.mu.Unlock()
	if lm.stopped || lm.ended {
		return
	}
	lm.timer = b.cfg.clock.AfterFunc(b.cfg.progress, func() {
		if !b.work.do(lm.guild, func(ctx context.Context) { b.tick(ctx, lm) }) {
			b.log.Debug("progress update dropped", "guild", lm.guild)
		}
	})
}

// tick edits lm's progress bar when it changed and at least the progress
// interval passed since the message was last edited, then re-arms.
func (b *Bot) tick(ctx context.Context, lm *liveMessage) {
	if cur, ok := b.live.Peek(lm.guild); !ok || cur != lm || lm.isEnded() {
		return
	}
	b.live.Set(lm.guild, lm) // a message being updated stays live
	np, err := b.status(ctx, lm.guild)
	switch {
	case errors.Is(err, music.ErrNothingPlaying), err == nil && !sameTrack(np.Track, lm.track):
		// The end event was lost (or is late): retire now.
		b.retire(ctx, lm)
		return
	case err != nil:
		b.arm(lm) // rate limited or closing: try again next time
		return
	}
	update, body := b.liveUpdate(np)
	now := b.cfg.clock.Now()
	lm.mu.Lock()
	due := now.Sub(lm.lastEdit) >= b.cfg.progress && !bytes.Equal(body, lm.lastBody)
	lm.mu.Unlock()
	if due {
		rctx, cancel := context.WithTimeout(ctx, restTimeout)
		_, err := b.client.Rest.UpdateMessage(lm.channel, lm.message, update, rest.WithCtx(rctx))
		cancel()
		switch {
		case isGone(err):
			// Someone deleted the message or the channel: stop.
			lm.end()
			b.live.Delete(lm.guild)
			return
		case err != nil:
			b.log.WarnContext(ctx, "update now-playing message", "guild", lm.guild, "error", err)
		default:
			lm.edited(now, body)
		}
	}
	b.arm(lm)
}

// liveUpdate is the edit that shows np on a now-playing message, and its
// JSON, by which unchanged edits are skipped.
func (b *Bot) liveUpdate(np music.NowPlaying) (discord.MessageUpdate, []byte) {
	embeds := []discord.Embed{b.render.nowPlaying(np, false)}
	components := b.render.nowPlayingButtons(np)
	update := discord.MessageUpdate{Embeds: &embeds, Components: &components}
	body, _ := json.Marshal(update)
	return update, body
}

// serializer runs jobs one at a time per key, each key on a goroutine
// that lives while the key has work. It bounds each key's queue.
type serializer struct {
	ctx    context.Context
	limit  int
	mu     sync.Mutex
	queues map[snowflake.ID][]func(context.Context)
	closed bool
	idle   chan struct{} // closed while no key has work
	wg     sync.WaitGroup
}

func newSerializer(ctx context.Context, limit int) *serializer {
	idle := make(chan struct{})
	close(idle)
	return &serializer{ctx: ctx, limit: limit, queues: map[snowflake.ID][]func(context.Context){}, idle: idle}
}

// do queues job for key. It reports false, dropping the job, after
// close or when key already has limit jobs waiting.
func (s *serializer) do(key snowflake.ID, job func(context.Context)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, running := s.queues[key]
	if s.closed || len(q) >= s.limit {
		return false
	}
	if len(s.queues) == 0 {
		s.idle = make(chan struct{})
	}
	s.queues[key] = append(q, job)
	if !running {
		s.wg.Go(func() { s.drain(key) })
	}
	return true
}

func (s *serializer) drain(key snowflake.ID) {
	for {
		s.mu.Lock()
		q := s.queues[key]
		if len(q) == 0 || s.closed {
			delete(s.queues, key)
			if len(s.queues) == 0 {
				close(s.idle)
			}
			s.mu.Unlock()
			return
		}
		job := q[0]
		q[0] = nil
		s.queues[key] = q[1:]
		s.mu.Unlock()
		job(s.ctx)
	}
}

// close refuses new jobs and drops the waiting ones; jobs running finish.
func (s *serializer) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

// wait waits for the running jobs.
func (s *serializer) wait() { s.wg.Wait() }

// barrier waits until the jobs queued for key before it have run, or
// ctx ends; it returns at once when the job cannot be queued.
func (s *serializer) barrier(ctx context.Context, key snowflake.ID) {
	done := make(chan struct{})
	if !s.do(key, func(context.Context) { close(done) }) {
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// waitIdle waits until no key has work, or ctx ends.
func (s *serializer) waitIdle(ctx context.Context) error {
	s.mu.Lock()
	idle := s.idle
	s.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
