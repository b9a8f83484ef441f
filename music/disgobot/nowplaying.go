package disgobot

import (
	"bytes"
	"context"
	"encoding/json"
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

// lyricsTimeout bounds the lyrics lookup behind the now-playing
// message's current line.
const lyricsTimeout = 5 * time.Second

// liveMessage is a guild's now-playing message: where it is, which
// track it shows, its progress timer and the track's synced lyrics.
type liveMessage struct {
	guild, channel, message snowflake.ID
	track                   music.Track

	mu       sync.Mutex
	timer    music.Timer
	lastBody []byte
	lyrics   *music.Lyrics
	ended    bool
	stopped  bool
}

// ref is how the pacer names the message.
func (lm *liveMessage) ref() editRef { return editRef{message: lm.message} }

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

// edited records body as the message's content.
func (lm *liveMessage) edited(body []byte) {
	lm.mu.Lock()
	lm.lastBody = body
	lm.mu.Unlock()
}

// unchanged reports whether body is what the message shows already.
func (lm *liveMessage) unchanged(body []byte) bool {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	return bytes.Equal(body, lm.lastBody)
}

func (lm *liveMessage) setLyrics(l music.Lyrics) {
	lm.mu.Lock()
	lm.lyrics = &l
	lm.mu.Unlock()
}

// line is the lyrics line being sung at position: "" without synced
// lyrics or before their first line, a note for an empty line.
func (lm *liveMessage) line(position time.Duration) string {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	if lm.lyrics == nil {
		return ""
	}
	i := lm.lyrics.LineAt(position)
	if i < 0 {
		return ""
	}
	if text := oneLine(lm.lyrics.Lines[i].Text); text != "" {
		return text
	}
	return lyricsGap
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
	case music.SkipVoteUpdated:
		job = func(context.Context) { b.voteUpdated(e) }
	case music.SkipVoteEnded:
		job = func(context.Context) { b.voteEnded(e) }
	case music.PlayerMoved:
		b.trouble(e.GuildID, troubleMoved, b.noticeChannel(e.GuildID))
		return
	case music.HealAttempted:
		b.trouble(e.GuildID, troubleHeal, b.noticeChannel(e.GuildID))
		return
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
	np, ok := b.m.Status(e.GuildID)
	if !ok || !sameTrack(np.Track, e.Track) {
		return // it ended already, or a later track plays and its own event follows
	}
	if prev, ok := b.live.Peek(e.GuildID); ok {
		b.retire(ctx, prev)
		b.live.Delete(e.GuildID)
	}
	if np.TextChannelID == 0 {
		return
	}
	update, body := b.liveUpdate(np, "")
	rctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	msg, err := b.client.Rest.CreateMessage(np.TextChannelID, discord.MessageCreate{
		Embeds:     *update.Embeds,
		Components: *update.Components,
	}, rest.WithCtx(rctx))
	if err != nil {
		b.log.WarnContext(ctx, "post now-playing message", "guild", e.GuildID, "channel", np.TextChannelID, "error", err)
		return
	}
	lm := &liveMessage{guild: e.GuildID, channel: np.TextChannelID, message: msg.ID, track: e.Track, lastBody: body}
	b.live.Set(e.GuildID, lm)
	b.arm(lm)
	if b.cfg.lyricsLine {
		b.fetchLyrics(ctx, lm)
	}
}

// fetchLyrics looks up the synced lyrics of lm's track, once, so that
// every update can show the line being sung.
func (b *Bot) fetchLyrics(ctx context.Context, lm *liveMessage) {
	ctx, cancel := context.WithTimeout(ctx, lyricsTimeout)
	defer cancel()
	l, err := b.m.Lyrics(ctx, lm.guild, music.Actor{UserID: b.selfID()})
	switch {
	case err != nil:
		b.log.DebugContext(ctx, "lyrics for the now-playing message", "guild", lm.guild, "error", err)
	case l.Synced() && sameTrack(l.Track, lm.track):
		lm.setLyrics(l)
		b.touchLive(lm)
	}
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
// track as played (an edit within the channel's budget), or it is
// deleted ([WithCleanup]). A message retires once.
func (b *Bot) retire(ctx context.Context, lm *liveMessage) {
	if !lm.end() {
		return
	}
	if b.cfg.cleanup != CleanupDelete {
		b.touchLive(lm)
		return
	}
	b.pacer.cancel(lm.channel, lm.ref())
	b.deleteLive(ctx, lm)
}

// touch asks for the guild's live message to show the player's state,
// after a command changed what it shows.
func (b *Bot) touch(guild snowflake.ID) {
	if lm, ok := b.live.Peek(guild); ok && !lm.isEnded() {
		b.touchLive(lm)
	}
}

// touchLive queues an edit of lm within its channel's budget. The edit
// shows the state when it is sent, so a queued one is never stale.
func (b *Bot) touchLive(lm *liveMessage) {
	b.pacer.submit(lm.guild, lm.channel, lm.ref(), func(ctx context.Context) bool { return b.editLive(ctx, lm) })
}

// editLive edits lm to show the player now, or the track as played once
// it ended, unless it shows that already. It reports whether it sent a
// request.
func (b *Bot) editLive(ctx context.Context, lm *liveMessage) bool {
	var update discord.MessageUpdate
	var body []byte
	if !lm.isEnded() {
		np, ok := b.m.Status(lm.guild)
		if ok && sameTrack(np.Track, lm.track) {
			update, body = b.liveUpdate(np, lm.line(np.Position))
		} else {
			lm.end() // the end event was lost or is late
		}
	}
	if body == nil {
		if b.cfg.cleanup == CleanupDelete {
			b.deleteLive(ctx, lm) // not an edit: the token goes back
			return false
		}
		embeds := []discord.Embed{b.render.nowPlaying(music.NowPlaying{Track: lm.track}, true, "")}
		update = discord.MessageUpdate{Embeds: &embeds, Components: &[]discord.LayoutComponent{}}
		body, _ = json.Marshal(update)
	}
	if lm.unchanged(body) {
		return false
	}
	rctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	_, err := b.client.Rest.UpdateMessage(lm.channel, lm.message, update, rest.WithCtx(rctx))
	switch {
	case isGone(err):
		// Someone deleted the message or the channel: stop.
		lm.end()
		if cur, ok := b.live.Peek(lm.guild); ok && cur == lm {
			b.live.Delete(lm.guild)
		}
	case err != nil:
		b.log.WarnContext(ctx, "update now-playing message", "guild", lm.guild, "error", err)
	default:
		lm.edited(body)
	}
	return true
}

// deleteLive deletes lm, whose track ended ([CleanupDelete]).
func (b *Bot) deleteLive(ctx context.Context, lm *liveMessage) {
	rctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	if err := b.client.Rest.DeleteMessage(lm.channel, lm.message, rest.WithCtx(rctx)); err != nil && !isGone(err) {
		b.log.WarnContext(ctx, "delete now-playing message", "guild", lm.guild, "error", err)
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

// tick moves lm's progress bar (an edit within the channel's budget,
// sent only when the message changed), notes an outage, and re-arms.
func (b *Bot) tick(ctx context.Context, lm *liveMessage) {
	if cur, ok := b.live.Peek(lm.guild); !ok || cur != lm || lm.isEnded() {
		return
	}
	b.live.Set(lm.guild, lm) // a message being updated stays live
	np, ok := b.m.Status(lm.guild)
	if !ok || !sameTrack(np.Track, lm.track) {
		// The end event was lost (or is late): retire now.
		b.retire(ctx, lm)
		return
	}
	if !b.serving(np) {
		b.trouble(lm.guild, troubleUnavailable, lm.channel)
	}
	b.touchLive(lm)
	b.arm(lm)
}

// liveUpdate is the edit that shows np (and the lyrics line) on a
// now-playing message, and its JSON, by which unchanged edits are
// skipped.
func (b *Bot) liveUpdate(np music.NowPlaying, line string) (discord.MessageUpdate, []byte) {
	embeds := []discord.Embed{b.render.nowPlaying(np, false, line)}
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
