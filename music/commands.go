package music

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/metrics"
	"github.com/tunekit/tunekit/music/internal/node"
	"github.com/tunekit/tunekit/ratelimit"
)

// PlayOption adds details to a [Manager.Play] request.
type PlayOption func(*playOptions)

type playOptions struct {
	text snowflake.ID
}

// WithTextChannel names the text channel the request came from; a new
// session sends its messages there unless the guild set an announce
// channel ([Settings.AnnounceChannelID]).
func WithTextChannel(id snowflake.ID) PlayOption { return func(o *playOptions) { o.text = id } }

// run is every command's frame: the permission check, the rate limit, a
// span and the command metric around the command's work.
func (m *Manager) run(ctx context.Context, name string, guild snowflake.ID, actor Actor, action Action,
	requester func(*Session) snowflake.ID, work func(ctx context.Context) error) error {
	return m.runOr(ctx, name, guild, actor, action, requester, nil, work)
}

// runOr is run with a way out of a denial for want of the DJ role: when
// instead is set, it runs in place of work (after the rate limit), as a
// skip becomes a vote.
func (m *Manager) runOr(ctx context.Context, name string, guild snowflake.ID, actor Actor, action Action,
	requester func(*Session) snowflake.ID, instead, work func(ctx context.Context) error) error {
	if err := m.begin(); err != nil {
		return err
	}
	defer m.end()
	start := time.Now()
	if guild == 0 {
		return fmt.Errorf("music: %s in guild 0: %w", name, ErrInvalidID)
	}
	err := m.cfg.Tracer.TraceCommand(ctx, name, guild.String(), actor.UserID.String(), func(ctx context.Context) error {
		if err := m.authorize(ctx, guild, actor, action, requester); err != nil {
			if instead == nil || !errors.Is(err, ErrNoPermission) {
				return err
			}
			work = instead
		}
		if err := m.allow(ctx, name, guild, actor); err != nil {
			return err
		}
		return work(ctx)
	})
	status := metrics.StatusOK
	var pe *PermissionError
	switch {
	case err == nil:
	case errors.As(err, &pe):
		status = metrics.StatusDenied
	case errors.Is(err, ErrRateLimited):
		status = metrics.StatusRateLimited
	default:
		status = metrics.StatusError
		m.countCommandError(err)
	}
	m.cfg.Metrics.ObserveCommand(context.WithoutCancel(ctx), name, status, time.Since(start))
	return err
}

// countCommandError counts the failures that are not the user's doing.
func (m *Manager) countCommandError(err error) {
	switch {
	case errors.Is(err, ErrNotServed):
		m.cfg.Metrics.TrackError(metrics.ComponentPlayer, metrics.KindUnavailable, metrics.SeverityLow)
	case errors.Is(err, ErrVersionConflict):
		m.cfg.Metrics.TrackError(metrics.ComponentStore, metrics.KindInvalidInput, metrics.SeverityLow)
	case errors.Is(err, ErrServiceUnavailable):
		m.cfg.Metrics.TrackError(metrics.ComponentLavalink, metrics.KindUnavailable, metrics.SeverityHigh)
	case errors.Is(err, ErrVoiceTimeout):
		m.cfg.Metrics.TrackError(metrics.ComponentDiscord, metrics.KindTimeout, metrics.SeverityMedium)
	case errors.Is(err, context.DeadlineExceeded):
		m.cfg.Metrics.TrackError(metrics.ComponentCommand, metrics.KindTimeout, metrics.SeverityMedium)
	case errors.Is(err, context.Canceled):
		m.cfg.Metrics.TrackError(metrics.ComponentCommand, metrics.KindCanceled, metrics.SeverityLow)
	case errors.Is(err, ErrInvalidQuery), errors.Is(err, ErrInvalidSeek), errors.Is(err, ErrInvalidSetting),
		errors.Is(err, ErrInvalidPosition), errors.Is(err, ErrConflictingSettings), errors.Is(err, ErrSeekOutOfRange),
		errors.Is(err, ErrNotSeekable), errors.Is(err, ErrQueueFull),
		errors.Is(err, ErrAlreadyPaused), errors.Is(err, ErrNotPaused),
		errors.Is(err, ErrTrackTooLong), errors.Is(err, ErrShareExceeded),
		errors.Is(err, ErrInvalidFilters), errors.Is(err, ErrUnknownPreset):
		m.cfg.Metrics.TrackError(metrics.ComponentCommand, metrics.KindInvalidInput, metrics.SeverityLow)
	case errors.Is(err, ErrTrackNotFound), errors.Is(err, ErrNothingPlaying), errors.Is(err, ErrHistoryEmpty),
		errors.Is(err, ErrNoLyrics):
		m.cfg.Metrics.TrackError(metrics.ComponentCommand, metrics.KindNotFound, metrics.SeverityLow)
	case errors.Is(err, ErrUnsupported), errors.Is(err, ErrLyricsUnavailable):
		m.cfg.Metrics.TrackError(metrics.ComponentLavalink, metrics.KindUnavailable, metrics.SeverityMedium)
	default:
		m.cfg.Metrics.TrackError(metrics.ComponentPlayer, metrics.KindInternal, metrics.SeverityHigh)
		m.log.Error("command failed", "error", err)
	}
}

// authorize gathers the guild's Facts and asks Authorize.
func (m *Manager) authorize(ctx context.Context, guild snowflake.ID, actor Actor, action Action, requester func(*Session) snowflake.ID) error {
	if action == ActionView {
		return nil
	}
	var f Facts
	if p := m.players.get(guild); p != nil {
		p.mu.Lock()
		if p.sess != nil {
			f.BotVoiceChannelID = p.sess.VoiceChannelID()
			if requester != nil {
				f.Requester = requester(p.sess)
			}
		}
		p.mu.Unlock()
	}
	if f.BotVoiceChannelID == 0 {
		f.BotVoiceChannelID = m.voice.bot(guild).channel
	}
	if f.BotVoiceChannelID != 0 {
		f.Listeners = m.voice.listeners(guild, f.BotVoiceChannelID)
		if actor.VoiceChannelID == f.BotVoiceChannelID && !m.voice.isListener(guild, actor.UserID, f.BotVoiceChannelID) {
			f.Listeners++ // the frontend has not forwarded the actor's state yet
		}
	}
	f.DJRoleID = m.guildSettings(ctx, guild).DJRoleID()
	return Authorize(actor, action, f)
}

// allow asks the rate limiter.
func (m *Manager) allow(ctx context.Context, command string, guild snowflake.ID, actor Actor) error {
	if m.cfg.Limiter == nil {
		return nil
	}
	d, err := m.policy.Allow(ctx, m.cfg.Limiter, guild.String(), actor.UserID.String(), command)
	if d.Allowed {
		return nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		m.log.WarnContext(ctx, "rate limiter failed; command denied", "command", command, "error", err)
		m.cfg.Metrics.TrackError(metrics.ComponentRateLimit, metrics.KindUnavailable, metrics.SeverityHigh)
	}
	m.cfg.Metrics.TrackRateLimited(command, backendName(d.Backend))
	retry := d.RetryAfter
	if retry <= 0 {
		retry = time.Second
	}
	return &RateLimitedError{Command: command, RetryAfter: retry}
}

func backendName(b ratelimit.Backend) string {
	switch b {
	case ratelimit.BackendRedis:
		return metrics.BackendRedis
	case ratelimit.BackendMemory:
		return metrics.BackendMemory
	case ratelimit.BackendFallback:
		return metrics.BackendFallback
	}
	return metrics.Other
}

// Play resolves query (a link, or search text sent with the search
// prefix; see [ParseQuery]) on a node and adds what it found to the
// guild's queue, at the end or next: a search adds its first match, a
// playlist all its tracks that fit. When nothing plays, Play joins the
// actor's voice channel, waits for Discord's voice events and starts the
// first added track. It needs the actor in the bot's voice channel (or,
// when the bot is in none, in any).
func (m *Manager) Play(ctx context.Context, guild snowflake.ID, actor Actor, query string, at Placement, opts ...PlayOption) (PlayResult, error) {
	var po playOptions
	for _, o := range opts {
		o(&po)
	}
	var res PlayResult
	err := m.run(ctx, "play", guild, actor, ActionPlay, nil, func(ctx context.Context) error {
		if !m.serves(guild) {
			return &NotServedError{Guild: guild}
		}
		asked := m.clock.Now()
		ident, err := ParseQuery(query, m.cfg.SearchPrefix, m.cfg.AllowedHosts)
		if err != nil {
			return err
		}
		tracks, playlist, err := m.load(ctx, guild, ident)
		if err != nil {
			return err
		}
		now := m.clock.Now()
		for i := range tracks {
			tracks[i].Requester, tracks[i].AddedAt = actor.UserID, now
		}
		res, err = m.enqueue(ctx, guild, actor, tracks, at, po, asked)
		res.Playlist = playlist
		return err
	})
	return res, err
}

// enqueue adds tracks for Play and starts playback when nothing plays.
func (m *Manager) enqueue(ctx context.Context, guild snowflake.ID, actor Actor, tracks []Track, at Placement, po playOptions, asked time.Time) (PlayResult, error) {
	st := m.guildSettings(ctx, guild)
	p, err := m.acquire(ctx, guild, true)
	if err != nil {
		return PlayResult{}, err
	}
	defer p.release()
	defer m.discardIfEmpty(p)

	fresh, err := m.claim(ctx, p, st)
	if err != nil {
		return PlayResult{}, err
	}
	now := m.clock.Now()
	p.mu.Lock()
	sess := p.sess
	q := sess.Queue()
	_, playing := sess.Current()
	// With nothing playing and nothing queued, the first track plays at
	// once and takes no room in the queue.
	direct := !playing && q.Len() == 0
	tracks, tooLongN, overShare, aerr := admit(st, tracks, q, actor.UserID, direct)
	m.countRejected(tooLongN, overShare)
	if aerr != nil {
		if fresh {
			m.endSessionLocked(p)
		}
		p.mu.Unlock()
		return PlayResult{}, aerr
	}
	queued := tracks
	if direct {
		queued = tracks[1:]
	}
	var saved []Track // the queue before, to undo the add if the start fails
	if !playing && !fresh {
		saved = q.Tracks()
	}
	p.mu.Unlock()
	pos, added, qerr := 0, 0, error(nil)
	if len(queued) > 0 {
		pos, added, qerr = m.addTracks(ctx, p, queued, at)
	}
	if direct {
		added++
	}
	if added == 0 {
		if fresh {
			m.undoAdd(ctx, p, true, nil)
		}
		return PlayResult{}, qerr
	}
	res := PlayResult{Track: tracks[0], Added: added, Position: 1, TooLong: tooLongN, OverShare: overShare}
	if !direct {
		res.Position = pos
	}
	var qf *QueueFullError
	if errors.As(qerr, &qf) {
		res.Dropped = qf.Dropped
	}
	p.mu.Lock()
	voiceCh := sess.VoiceChannelID()
	if sess.TextChannelID() == 0 || fresh {
		text := st.AnnounceChannelID()
		if text == 0 {
			text = po.text
		}
		sess.SetTextChannel(text)
	}
	qlen := q.Len()
	p.mu.Unlock()
	m.cfg.Metrics.ObserveQueueLength(qlen)

	if playing {
		m.saver.dirty(guild, false)
		m.publish(TrackQueued{GuildID: guild, Track: res.Track, Count: added, Position: res.Position, At: now})
		return res, nil
	}

	// Nothing plays: join if needed and start.
	target := voiceCh
	if target == 0 {
		target = actor.VoiceChannelID
	}
	if _, err := m.join(ctx, guild, target); err != nil {
		m.undoAdd(ctx, p, fresh, saved)
		return PlayResult{}, err
	}
	first := tracks[0]
	if !direct {
		next, err := m.editQueue(ctx, p, false, takeFirst)
		if err != nil {
			m.undoAdd(ctx, p, fresh, saved)
			return PlayResult{}, err
		}
		first = next[0].Track
	}
	p.mu.Lock()
	sess.SetVoiceChannel(target)
	sess.Start(first, m.clock.Now())
	p.askedAt = asked
	p.idle.stop()
	p.mu.Unlock()
	if err := m.playCurrent(ctx, p); err != nil {
		if fresh {
			m.abandon(ctx, p)
		}
		return PlayResult{}, err
	}
	if direct || res.Position == 1 {
		res.Started, res.Position = true, 0
	} else {
		res.Position--
	}
	m.publish(TrackQueued{GuildID: guild, Track: res.Track, Count: added, Position: res.Position, At: now})
	return res, nil
}

// takeFirst plans taking the first queued track, to play it.
func takeFirst(q *Queue) ([]QueueEdit, error) {
	return []QueueEdit{{Op: QueueSkipTo, Position: 1}}, nil
}

// claim gives p, which may have no session, one, for Play; fresh
// reports a new session. When the Manager leases guilds it takes the
// guild's lease first, and a session stored by an owner whose lease ran
// out is taken over (restored and synced with a node) instead of
// replaced. It runs with the turn.
func (m *Manager) claim(ctx context.Context, p *player, st Settings) (fresh bool, err error) {
	p.mu.Lock()
	has := p.sess != nil
	p.mu.Unlock()
	if has {
		return false, nil
	}
	if m.own != nil {
		snap, err := m.restore(ctx, p)
		switch {
		case err == nil:
			p.mu.Lock()
			p.setNode(m.byName[snap.Node])
			if !p.needSync {
				m.armIdle(p)
			}
			p.mu.Unlock()
			m.sup.needSync(p.guild)
			return false, nil
		case !errors.Is(err, ErrSnapshotNotFound):
			return false, err
		}
	}
	sess, _ := NewSession(p.guild, m.clock.Now(), WithMaxLength(st.MaxQueueLength()), WithFair(st.FairQueue()))
	sess.ApplySettings(st)
	_ = sess.SetVolume(st.Volume())
	m.adoptSession(ctx, p, sess, st, false)
	return true, nil
}

// addTracks adds Play's tracks to p's queue, with the turn, and returns
// the position of the first and how many were added; a
// [*QueueFullError] says how many did not fit.
func (m *Manager) addTracks(ctx context.Context, p *player, tracks []Track, at Placement) (first, added int, err error) {
	if m.queues == nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.sess.Queue().addMany(tracks, at)
	}
	var max int
	res, err := m.editQueue(ctx, p, false, func(q *Queue) ([]QueueEdit, error) {
		max = q.MaxLength()
		return addPlan(q, tracks, at, &first)
	})
	for _, r := range res {
		added += r.Added
	}
	if errors.Is(err, errReorders) {
		err = m.replaceQueue(ctx, p, false, func(q *Queue) []Track {
			order, places, _ := fairPlace(q, tracks, at)
			if added = len(places); added > 0 {
				first = places[0]
			}
			return order
		})
	}
	if err == nil && added < len(tracks) {
		err = &QueueFullError{Max: max, Dropped: len(tracks) - added}
	}
	return first, added, err
}

// undoAdd takes back the tracks Play added when it could not start
// them: it ends a new session, or puts back the queue saved before.
func (m *Manager) undoAdd(ctx context.Context, p *player, fresh bool, saved []Track) {
	if !fresh {
		if err := m.replaceQueue(ctx, p, true, func(*Queue) []Track { return saved }); err != nil {
			m.log.WarnContext(ctx, "put the queue back", "guild", p.guild, "error", err)
		}
		return
	}
	p.mu.Lock()
	m.endSessionLocked(p)
	p.mu.Unlock()
	if m.fenced != nil {
		m.saver.dirty(p.guild, true) // the store may hold the added tracks
	}
}

// abandon ends a session Play created but could not start.
func (m *Manager) abandon(ctx context.Context, p *player) {
	p.mu.Lock()
	ln := p.node
	p.mu.Unlock()
	if ln != nil && ln.client.Connected() {
		_ = ln.client.DestroyPlayer(ctx, p.guild)
	}
	m.leaveVoice(p.guild)
	p.mu.Lock()
	m.endSessionLocked(p)
	p.mu.Unlock()
	m.saver.dirty(p.guild, true)
}

// withPlayer runs f with the turn of the guild's player when it has a
// session; otherwise it returns ErrNothingPlaying.
func (m *Manager) withPlayer(ctx context.Context, guild snowflake.ID, f func(p *player, sess *Session) error) error {
	p, err := m.acquire(ctx, guild, false)
	if err != nil {
		return err
	}
	if p == nil {
		return ErrNothingPlaying
	}
	defer p.release()
	p.mu.Lock()
	sess := p.sess
	p.mu.Unlock()
	if sess == nil {
		return ErrNothingPlaying
	}
	return f(p, sess)
}

// update sends upd to the guild's node; it fails with
// ErrServiceUnavailable when the node is unhealthy.
func (m *Manager) update(ctx context.Context, p *player, upd node.PlayerUpdate) error {
	p.mu.Lock()
	ln, sync := p.node, p.needSync
	p.mu.Unlock()
	if ln == nil || sync || !ln.healthy() {
		return unavailable(errors.New("the guild's node is not available"))
	}
	_, err := ln.client.UpdatePlayer(ctx, p.guild, upd, false)
	return nodeErr(err)
}

// Pause pauses the current track.
func (m *Manager) Pause(ctx context.Context, guild snowflake.ID, actor Actor) error {
	return m.run(ctx, "pause", guild, actor, ActionPause, nil, func(ctx context.Context) error {
		return m.withPlayer(ctx, guild, func(p *player, sess *Session) error {
			return m.setPaused(ctx, p, true)
		})
	})
}

// Resume resumes a paused track.
func (m *Manager) Resume(ctx context.Context, guild snowflake.ID, actor Actor) error {
	return m.run(ctx, "resume", guild, actor, ActionResume, nil, func(ctx context.Context) error {
		return m.withPlayer(ctx, guild, func(p *player, sess *Session) error {
			return m.setPaused(ctx, p, false)
		})
	})
}

// setPaused pauses or resumes, under the turn.
func (m *Manager) setPaused(ctx context.Context, p *player, paused bool) error {
	p.mu.Lock()
	var err error
	switch st := p.sess.State(); {
	case paused && st != StatePlaying:
		err = &TransitionError{Action: "pause", From: st}
	case !paused && st != StatePaused:
		err = &TransitionError{Action: "resume", From: st}
	}
	p.mu.Unlock()
	if err != nil {
		return err
	}
	if err := m.update(ctx, p, node.PlayerUpdate{Paused: &paused}); err != nil {
		return err
	}
	now := m.clock.Now()
	p.mu.Lock()
	if paused {
		err = p.sess.Pause(now)
	} else {
		err = p.sess.Resume(now)
		p.autoPause = false
	}
	p.mu.Unlock()
	m.saver.dirty(p.guild, false)
	return err
}

// Skip ends the current track and plays the one n positions ahead (n = 1
// is the next track). With the queue empty, autoplay picks a track when
// it is on; otherwise playback stops.
//
// A listener who may not skip the track (the guild has a DJ role they
// lack, and someone else requested it) votes instead, as
// [Manager.VoteSkip] does: the result's Vote holds the tally, and the
// track is skipped (n = 1) only when the vote passes.
func (m *Manager) Skip(ctx context.Context, guild snowflake.ID, actor Actor, n int) (SkipResult, error) {
	var res SkipResult
	vote := func(ctx context.Context) error {
		var err error
		res, err = m.vote(ctx, guild, actor)
		return err
	}
	err := m.runOr(ctx, "skip", guild, actor, ActionSkip, currentRequester, vote, func(ctx context.Context) error {
		return m.withPlayer(ctx, guild, func(p *player, sess *Session) error {
			var err error
			res, err = m.skip(ctx, p, sess, n)
			return err
		})
	})
	return res, err
}

// skip ends the current track and plays the one n positions ahead, with
// the turn.
func (m *Manager) skip(ctx context.Context, p *player, sess *Session, n int) (SkipResult, error) {
	var res SkipResult
	now := m.clock.Now()
	p.mu.Lock()
	cur, ok := sess.Current()
	if !ok {
		p.mu.Unlock()
		return res, &TransitionError{Action: "skip", From: sess.State()}
	}
	if healthy := p.node != nil && p.node.healthy() && !p.needSync; !healthy {
		p.mu.Unlock()
		return res, unavailable(errors.New("the guild's node is not available"))
	}
	p.askedAt = now
	p.mu.Unlock()
	next, started, err := m.skipQueue(ctx, p, sess, n, now)
	if err != nil {
		return res, err
	}
	res.Skipped = cur
	if cur.Requester == 0 {
		m.cfg.Metrics.TrackAutoplay(metrics.OutcomeSkipped)
	}
	reason := EndStopped
	if started {
		reason = EndReplaced
	}
	m.publish(TrackEnded{GuildID: p.guild, Track: cur, Reason: reason, At: now})
	if started {
		res.Next, res.Started = next, true
		return res, m.playCurrent(ctx, p)
	}
	next, started, err = m.queueEnded(ctx, p, cur, true)
	res.Next, res.Started = next, started
	if !started {
		m.voteTrackChanged(p)
	}
	return res, err
}

func currentRequester(s *Session) snowflake.ID {
	if t, ok := s.Current(); ok {
		return t.Requester
	}
	return 0
}

// Previous plays the last played track again; the current one goes back
// to the front of the queue.
func (m *Manager) Previous(ctx context.Context, guild snowflake.ID, actor Actor) (Track, error) {
	var res Track
	err := m.run(ctx, "previous", guild, actor, ActionPrevious, nil, func(ctx context.Context) error {
		return m.withPlayer(ctx, guild, func(p *player, sess *Session) error {
			p.mu.Lock()
			if sess.VoiceChannelID() == 0 || p.node == nil || !p.node.healthy() || p.needSync {
				p.mu.Unlock()
				if sess.VoiceChannelID() == 0 {
					return ErrNothingPlaying
				}
				return unavailable(errors.New("the guild's node is not available"))
			}
			now := m.clock.Now()
			p.askedAt = now
			p.idle.stop()
			p.mu.Unlock()
			t, err := m.previous(ctx, p, sess, now)
			if err != nil {
				return err
			}
			res = t
			return m.playCurrent(ctx, p)
		})
	})
	return res, err
}

// Stop stops the current track and clears the queue. The bot stays in
// the voice channel until the idle timeout.
func (m *Manager) Stop(ctx context.Context, guild snowflake.ID, actor Actor) error {
	return m.run(ctx, "stop", guild, actor, ActionStop, nil, func(ctx context.Context) error {
		return m.withPlayer(ctx, guild, func(p *player, sess *Session) error {
			p.mu.Lock()
			cur, playing := sess.Current()
			p.mu.Unlock()
			if playing {
				if err := m.update(ctx, p, node.PlayerUpdate{Stop: true}); err != nil {
					return err
				}
			}
			if _, err := m.editQueue(ctx, p, false, clearPlan); err != nil {
				return err
			}
			now := m.clock.Now()
			p.mu.Lock()
			if playing {
				_ = sess.Stop(now)
			}
			p.autoPause = false
			m.armIdle(p)
			p.mu.Unlock()
			m.saver.dirty(guild, true)
			if playing {
				m.publish(TrackEnded{GuildID: guild, Track: cur, Reason: EndStopped, At: now})
			}
			return nil
		})
	})
}

// Seek moves the current track to position, written as seconds (83),
// m:ss (1:23), h:mm:ss (01:02:03) or with units (1h2m3s); see
// [ParseSeek]. It returns the new position.
func (m *Manager) Seek(ctx context.Context, guild snowflake.ID, actor Actor, position string) (time.Duration, error) {
	var res time.Duration
	err := m.run(ctx, "seek", guild, actor, ActionSeek, nil, func(ctx context.Context) error {
		pos, err := ParseSeek(position)
		if err != nil {
			return err
		}
		return m.withPlayer(ctx, guild, func(p *player, sess *Session) error {
			p.mu.Lock()
			cur, ok := sess.Current()
			p.mu.Unlock()
			switch {
			case !ok:
				return &TransitionError{Action: "seek", From: sess.State()}
			case !cur.Info.IsSeekable:
				return ErrNotSeekable
			case pos > cur.Info.Length:
				return &SeekError{Position: pos, Length: cur.Info.Length}
			}
			ms := msDuration(pos)
			if err := m.update(ctx, p, node.PlayerUpdate{Position: &ms}); err != nil {
				return err
			}
			p.mu.Lock()
			err := sess.Seek(pos, m.clock.Now())
			p.mu.Unlock()
			m.saver.dirty(guild, false)
			res = pos
			return err
		})
	})
	return res, err
}

// SetVolume sets the player's volume in percent, 0 to 200 (100 plays
// tracks as they are), and keeps it as the guild's volume setting.
func (m *Manager) SetVolume(ctx context.Context, guild snowflake.ID, actor Actor, percent int) error {
	return m.run(ctx, "volume", guild, actor, ActionVolume, nil, func(ctx context.Context) error {
		if percent < MinVolume || percent > MaxVolume {
			return &RangeError{Setting: "volume", Value: percent, Min: MinVolume, Max: MaxVolume}
		}
		if _, err := m.changeSettings(ctx, guild, func(s Settings) (Settings, error) { return s.WithVolume(percent) }); err != nil {
			return err
		}
		p, err := m.acquire(ctx, guild, false)
		if err != nil || p == nil {
			return err
		}
		defer p.release()
		p.mu.Lock()
		sess, ln := p.sess, p.node
		p.mu.Unlock()
		if sess == nil {
			return nil
		}
		if ln != nil {
			v := lavalinkVolume(percent)
			if err := m.update(ctx, p, node.PlayerUpdate{Volume: &v}); err != nil {
				return err
			}
		}
		p.mu.Lock()
		err = sess.SetVolume(percent)
		p.mu.Unlock()
		m.saver.dirty(guild, false)
		return err
	})
}

// SetLoop sets the guild's loop mode. Loop excludes autoplay: turning
// loop on while autoplay is on is an error matching
// [ErrConflictingSettings].
func (m *Manager) SetLoop(ctx context.Context, guild snowflake.ID, actor Actor, mode LoopMode) error {
	return m.run(ctx, "loop", guild, actor, ActionLoop, nil, func(ctx context.Context) error {
		_, err := m.changeSettings(ctx, guild, func(s Settings) (Settings, error) { return s.WithLoop(mode) })
		return err
	})
}

// SetAutoplay turns autoplay on or off for the guild. Turning it on
// while loop is on is an error matching [ErrConflictingSettings].
func (m *Manager) SetAutoplay(ctx context.Context, guild snowflake.ID, actor Actor, on bool) error {
	return m.run(ctx, "autoplay", guild, actor, ActionAutoplay, nil, func(ctx context.Context) error {
		_, err := m.changeSettings(ctx, guild, func(s Settings) (Settings, error) { return s.WithAutoplay(on) })
		return err
	})
}

// Shuffle shuffles the queue and returns its length.
func (m *Manager) Shuffle(ctx context.Context, guild snowflake.ID, actor Actor) (int, error) {
	var n int
	err := m.run(ctx, "shuffle", guild, actor, ActionShuffle, nil, func(ctx context.Context) error {
		return m.withPlayer(ctx, guild, func(p *player, sess *Session) error {
			if err := m.shuffle(ctx, p); err != nil {
				return err
			}
			p.mu.Lock()
			n = sess.Queue().Len()
			p.mu.Unlock()
			m.saver.dirty(guild, false)
			return nil
		})
	})
	return n, err
}

// Remove takes the track at a queue position (from 1) out of the queue
// and returns it. Whoever queued a track may always remove it.
func (m *Manager) Remove(ctx context.Context, guild snowflake.ID, actor Actor, position int) (Track, error) {
	var res Track
	requester := func(s *Session) snowflake.ID {
		if t, err := s.Queue().At(position); err == nil {
			return t.Requester
		}
		return 0
	}
	err := m.run(ctx, "remove", guild, actor, ActionRemove, requester, func(ctx context.Context) error {
		return m.withPlayer(ctx, guild, func(p *player, sess *Session) error {
			r, err := m.editQueue(ctx, p, false, func(*Queue) ([]QueueEdit, error) {
				return []QueueEdit{{Op: QueueRemove, Position: position}}, nil
			})
			if err != nil {
				return err
			}
			res = r[0].Track
			m.saver.dirty(guild, false)
			return nil
		})
	})
	return res, err
}

// Move moves the track at queue position from to position to; the tracks
// between shift by one. It returns the moved track.
func (m *Manager) Move(ctx context.Context, guild snowflake.ID, actor Actor, from, to int) (Track, error) {
	var res Track
	err := m.run(ctx, "move", guild, actor, ActionMove, nil, func(ctx context.Context) error {
		return m.withPlayer(ctx, guild, func(p *player, sess *Session) error {
			r, err := m.editQueue(ctx, p, false, func(*Queue) ([]QueueEdit, error) {
				return []QueueEdit{{Op: QueueMove, Position: from, To: to}}, nil
			})
			if err != nil {
				return err
			}
			res = r[0].Track
			m.saver.dirty(guild, false)
			return nil
		})
	})
	return res, err
}

// Clear empties the queue and returns how many tracks it held. The
// current track plays on.
func (m *Manager) Clear(ctx context.Context, guild snowflake.ID, actor Actor) (int, error) {
	var n int
	err := m.run(ctx, "clear", guild, actor, ActionClear, nil, func(ctx context.Context) error {
		return m.withPlayer(ctx, guild, func(p *player, sess *Session) error {
			r, err := m.editQueue(ctx, p, false, clearPlan)
			if err != nil {
				return err
			}
			if len(r) > 0 {
				n = r[0].Removed
			}
			m.saver.dirty(guild, false)
			return nil
		})
	})
	return n, err
}

// NowPlaying reports the current track and the player's state. It
// returns [ErrNothingPlaying] when no track is loaded. It never waits for
// the network or for other commands.
func (m *Manager) NowPlaying(ctx context.Context, guild snowflake.ID, actor Actor) (NowPlaying, error) {
	var res NowPlaying
	err := m.run(ctx, "nowplaying", guild, actor, ActionView, nil, func(ctx context.Context) error {
		var ok bool
		if res, ok = m.Status(guild); !ok {
			return ErrNothingPlaying
		}
		return nil
	})
	return res, err
}

// Queue returns page number page (from 1; out of range shows the nearest
// page) of the guild's queue, [DefaultPageSize] tracks per page. A guild
// without a session has an empty queue. It never waits for the network or
// for other commands.
func (m *Manager) Queue(ctx context.Context, guild snowflake.ID, actor Actor, page int) (QueueView, error) {
	var res QueueView
	err := m.run(ctx, "queue", guild, actor, ActionView, nil, func(ctx context.Context) error {
		res = QueueView{Page: Page{Number: 1, Pages: 1}}
		p := m.players.get(guild)
		if p == nil {
			return nil
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.sess == nil {
			return nil
		}
		q := p.sess.Queue()
		res.Page = q.Page(page, DefaultPageSize)
		res.Duration, _ = q.Duration()
		res.Loop, res.Autoplay, res.FairQueue = p.sess.Loop(), p.sess.Autoplay(), q.Fair()
		if cur, ok := p.sess.Current(); ok {
			res.Current = &cur
		}
		return nil
	})
	return res, err
}

// Leave stops playback, leaves the voice channel and ends the guild's
// session; the stored session is deleted. Without a session it only asks
// Discord to take the bot out of voice.
func (m *Manager) Leave(ctx context.Context, guild snowflake.ID, actor Actor) error {
	return m.run(ctx, "leave", guild, actor, ActionLeave, nil, func(ctx context.Context) error {
		p, err := m.acquire(ctx, guild, false)
		if err != nil {
			return err
		}
		if p == nil {
			if m.voice.bot(guild).channel == 0 {
				return ErrNothingPlaying
			}
			m.leaveVoice(guild)
			return nil
		}
		defer p.release()
		m.leave(ctx, p, LeaveCommand, true)
		return nil
	})
}

// Settings returns the guild's settings, the bot's defaults applied.
func (m *Manager) Settings(ctx context.Context, guild snowflake.ID, actor Actor) (Settings, error) {
	var res Settings
	err := m.run(ctx, "settings", guild, actor, ActionView, nil, func(ctx context.Context) error {
		res = m.guildSettings(ctx, guild)
		return nil
	})
	return res, err
}

// UpdateSettings changes the guild's settings with change, which gets
// the current settings and returns the new ones (use the With methods),
// stores them and applies them to the session. Storing happens in the
// background, retried until it succeeds; the new settings are in effect
// at once.
func (m *Manager) UpdateSettings(ctx context.Context, guild snowflake.ID, actor Actor, change func(Settings) (Settings, error)) (Settings, error) {
	var res Settings
	err := m.run(ctx, "settings", guild, actor, ActionSettings, nil, func(ctx context.Context) error {
		var err error
		res, err = m.changeSettings(ctx, guild, change)
		return err
	})
	return res, err
}

// changeSettings applies change to the guild's settings, stores them in
// the background and applies them to the session.
func (m *Manager) changeSettings(ctx context.Context, guild snowflake.ID, change func(Settings) (Settings, error)) (Settings, error) {
	p, err := m.acquire(ctx, guild, true)
	if err != nil {
		return Settings{}, err
	}
	defer p.release()
	defer m.discardIfEmpty(p)
	old, known := m.settingsOf(ctx, guild)
	if !known {
		// Changing settings the store could not give would overwrite
		// the guild's stored choices with the defaults.
		return Settings{}, unavailable(errors.New("the settings store is unavailable"))
	}
	s, err := change(old)
	if err != nil {
		return Settings{}, err
	}
	if s == old {
		return s, nil
	}
	m.putSettings(guild, s)
	p.mu.Lock()
	fairOn := p.sess != nil && s.FairQueue() && !p.sess.Queue().Fair() && p.sess.Queue().Len() > 1
	p.mu.Unlock()
	if fairOn && m.queues != nil {
		// Fair mode interleaves the queue at once: in the store too.
		if err := m.replaceQueue(ctx, p, true, interleaved); err != nil {
			m.log.WarnContext(ctx, "interleave the shared queue", "guild", guild, "error", err)
		}
	}
	p.mu.Lock()
	if p.sess != nil {
		p.sess.ApplySettings(s)
		p.settings = s
		if s.StayConnected() {
			p.idle.stop()
			p.empty.stop()
		}
	}
	p.mu.Unlock()
	m.saver.dirty(guild, false)
	m.publish(SettingsUpdated{GuildID: guild, Settings: s, At: m.clock.Now()})
	return s, nil
}
