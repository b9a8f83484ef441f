package music

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/metrics"
	"github.com/tunekit/tunekit/music/internal/node"
)

// newSession gives p a new idle session configured by st. It needs p.mu.
func (m *Manager) newSession(p *player, st Settings, now time.Time) {
	sess, _ := NewSession(p.guild, now, WithMaxLength(st.MaxQueueLength()), WithFair(st.FairQueue()))
	sess.ApplySettings(st)
	_ = sess.SetVolume(st.Volume())
	p.sess, p.settings, p.joinedAt = sess, st, now
	p.errs, p.autoPause, p.needSync, p.restored = nil, false, false, false
	n := m.sessions.Add(1)
	m.cfg.Metrics.SetSessions(int(n))
	m.cfg.Metrics.SetActiveGuilds(int(n))
}

// endSessionLocked drops p's session and removes p. It needs p.mu.
func (m *Manager) endSessionLocked(p *player) {
	if p.sess != nil {
		n := m.sessions.Add(-1)
		m.cfg.Metrics.SetSessions(int(n))
		m.cfg.Metrics.SetActiveGuilds(int(n))
		if !p.joinedAt.IsZero() {
			m.cfg.Metrics.ObserveVoiceSession(m.clock.Now().Sub(p.joinedAt))
		}
	}
	p.sess, p.gone = nil, true
	p.setNode(nil)
	p.idle.stop()
	p.empty.stop()
	p.stopQueueTimers()
	p.inbox = nil
	m.players.remove(p)
}

// userData is the track user data that marks a play request.
func userData(playID string) json.RawMessage {
	return json.RawMessage(`{"tunekit":"` + playID + `"}`)
}

// playIDOf reads the mark userData put on a track.
func playIDOf(t lavalink.Track) string {
	if len(t.UserData) == 0 {
		return ""
	}
	var ud struct {
		ID string `json:"tunekit"`
	}
	if json.Unmarshal(t.UserData, &ud) != nil {
		return ""
	}
	return ud.ID
}

// isCurrent reports whether a node event's track is the one the player
// plays. It needs p.mu.
func (p *player) isCurrent(t lavalink.Track) bool {
	cur, ok := p.sess.Current()
	if !ok {
		return false
	}
	if id := playIDOf(t); id != "" {
		return id == p.playID
	}
	return t.Encoded == cur.Encoded
}

func msDuration(d time.Duration) lavalink.Duration { return lavalink.Duration(d.Milliseconds()) }

// lavalinkVolume maps a volume in percent to Lavalink's scale, on which
// 100 plays a track as it is: 0–200 % is 0–200 (of Lavalink's 0–1000).
func lavalinkVolume(percent int) int { return min(max(percent, 0), 1000) }

// filtersOf decodes a session's raw filters for a player update.
func filtersOf(raw json.RawMessage) (*node.Filters, []string) {
	if len(raw) == 0 {
		return nil, nil
	}
	var f node.Filters
	if json.Unmarshal(raw, &f) != nil {
		return nil, nil
	}
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(raw, &keys)
	names := make([]string, 0, len(keys))
	for k := range keys {
		if k != "volume" && k != "pluginFilters" {
			names = append(names, k)
		}
	}
	return &f, names
}

// playCurrent makes the guild's node play the session's current track
// from its position, with the player's volume, paused state, filters and
// voice; on a node that is gone it picks another. It runs with the turn.
func (m *Manager) playCurrent(ctx context.Context, p *player) error {
	now := m.clock.Now()
	p.mu.Lock()
	if p.sess == nil {
		p.mu.Unlock()
		return ErrNothingPlaying
	}
	cur, ok := p.sess.Current()
	if !ok {
		p.mu.Unlock()
		return ErrNothingPlaying
	}
	pos, _ := p.sess.LastPosition()
	paused := p.sess.Paused()
	vol := lavalinkVolume(p.sess.Volume())
	rawFilters := p.sess.Filters()
	ln, sent := p.node, p.sentVoice
	asked := p.askedAt
	p.mu.Unlock()

	// A player whose node is gone, or lacks the track's source manager,
	// starts on the best node that can play the track.
	old, moved := ln, false
	if ln == nil || !ln.healthy() || !ln.hasSource(cur.Info.SourceName) {
		var err error
		if ln, err = m.pickNode(cur.Info.SourceName, nil); err != nil {
			if errors.Is(err, ErrServiceUnavailable) {
				m.desync(p)
			}
			return err
		}
		moved = ln != old
	}
	playID := m.newPlayID()
	upd := node.PlayerUpdate{
		Track:    &node.TrackUpdate{Encoded: cur.Encoded, UserData: userData(playID)},
		Position: ptr(msDuration(pos)),
		Paused:   &paused,
		Volume:   &vol,
	}
	voice := m.voice.bot(p.guild)
	v := voice.lavalink()
	if voice.complete() && (moved || v != sent) {
		upd.Voice = &v
	}
	if moved {
		upd.Filters, _ = filtersOf(rawFilters)
	}
	if _, err := ln.client.UpdatePlayer(ctx, p.guild, upd, false); err != nil {
		err = nodeErr(err)
		if errors.Is(err, ErrServiceUnavailable) {
			m.desync(p)
		}
		return err
	}
	if moved && old != nil && old.healthy() {
		if err := old.client.DestroyPlayer(ctx, p.guild); err != nil {
			m.log.WarnContext(ctx, "destroy player on the node left", "guild", p.guild, "node", old.name, "error", err)
		}
	}
	p.mu.Lock()
	p.setNode(ln)
	p.playID = playID
	if upd.Voice != nil {
		p.sentVoice = v
	}
	p.sess.SetNode(ln.name, ln.client.SessionID())
	p.idle.stop()
	p.mu.Unlock()
	m.saver.dirty(p.guild, true)
	m.cfg.Metrics.TrackSongPlayed(cur.Info.SourceName)
	if !asked.IsZero() {
		m.cfg.Metrics.ObserveTrackStartDelay(now.Sub(asked))
	}
	m.publish(TrackStarted{GuildID: p.guild, Track: cur, Node: ln.name, At: now})
	m.voteTrackChanged(p)
	return nil
}

func ptr[T any](v T) *T { return &v }

// desync marks the player as out of step with its node; the supervisor
// sends it the whole state once a node can take it.
func (m *Manager) desync(p *player) {
	p.mu.Lock()
	p.needSync = true
	p.mu.Unlock()
	m.sup.needSync(p.guild)
}

// handleEvent reacts to a node's event for the guild, with the turn.
func (m *Manager) handleEvent(ctx context.Context, p *player, ln *lavaNode, ev lavalink.Event) {
	now := m.clock.Now()
	p.mu.Lock()
	if p.node != ln || p.sess == nil || p.needSync {
		p.mu.Unlock()
		return // from a node the player left, or about to be replayed
	}
	switch e := ev.(type) {
	case node.TrackEndEvent:
		if !p.isCurrent(e.Track) {
			p.mu.Unlock()
			return
		}
		ended, _ := p.sess.Current()
		reason := TrackEndReason(e.Reason)
		if !reason.MayStartNext() {
			if reason == EndCleanup { // the node dropped the track: no voice
				_ = p.sess.Stop(now)
				m.armIdle(p)
			}
			p.mu.Unlock()
			m.publish(TrackEnded{GuildID: p.guild, Track: ended, Reason: reason, At: now})
			m.saver.dirty(p.guild, true)
			return
		}
		p.askedAt = time.Time{}
		p.mu.Unlock()
		ok := m.endQueue(ctx, p, reason, now)
		m.publish(TrackEnded{GuildID: p.guild, Track: ended, Reason: reason, At: now})
		if ended.Requester == 0 && reason == EndFinished {
			m.cfg.Metrics.TrackAutoplay(metrics.OutcomeCompleted)
		}
		// A failed load follows a TrackExceptionEvent, which counted it.
		m.advanced(ctx, p, ended, ok)
	case lavalink.TrackExceptionEvent:
		current := p.isCurrent(e.Track)
		p.mu.Unlock()
		if !current {
			return
		}
		m.cfg.Metrics.TrackError(metrics.ComponentPlayer, metrics.KindInternal, severity(e.Exception.Severity))
		m.log.WarnContext(ctx, "track exception", "guild", p.guild, "severity", e.Exception.Severity, "message", e.Exception.Message)
		// Lavalink ends the track next, and the next one plays then; past
		// the error limit the session stops here instead.
		m.failed(ctx, p, "track exception")
	case lavalink.TrackStuckEvent:
		if !p.isCurrent(e.Track) {
			p.mu.Unlock()
			return
		}
		ended, _ := p.sess.Current()
		p.mu.Unlock()
		ok := m.endQueue(ctx, p, EndLoadFailed, now) // a stuck track is not repeated
		m.cfg.Metrics.TrackError(metrics.ComponentPlayer, metrics.KindTimeout, metrics.SeverityMedium)
		m.publish(TrackEnded{GuildID: p.guild, Track: ended, Reason: EndLoadFailed, At: now})
		if m.failed(ctx, p, "track stuck") {
			return
		}
		if !ok {
			// Nothing follows: stop the stuck track on the node.
			if err := m.update(ctx, p, node.PlayerUpdate{Stop: true}); err != nil {
				m.log.WarnContext(ctx, "stop stuck track", "guild", p.guild, "error", err)
			}
		}
		m.advanced(ctx, p, ended, ok)
	case lavalink.WebSocketClosedEvent:
		p.mu.Unlock()
		m.log.InfoContext(ctx, "voice connection closed", "guild", p.guild, "code", e.Code, "by_remote", e.ByRemote)
		if e.Code == 4006 || e.Code == 4009 { // session invalid or timed out: join again
			m.rejoin(ctx, p)
		}
	default:
		p.mu.Unlock()
	}
}

func severity(s lavalink.Severity) string {
	switch s {
	case lavalink.SeverityCommon:
		return metrics.SeverityLow
	case lavalink.SeveritySuspicious:
		return metrics.SeverityMedium
	}
	return metrics.SeverityHigh
}

// advanced continues after the current track ended: the session already
// made the next track current (ok), or is idle.
func (m *Manager) advanced(ctx context.Context, p *player, ended Track, ok bool) {
	if ok {
		if err := m.playCurrent(ctx, p); err != nil {
			m.log.WarnContext(ctx, "start next track", "guild", p.guild, "error", err)
		}
		return
	}
	if _, _, err := m.queueEnded(ctx, p, ended, false); err != nil {
		m.log.WarnContext(ctx, "after the queue ended", "guild", p.guild, "error", err)
	}
}

// queueEnded runs when nothing is queued after last: autoplay when on,
// otherwise stop the node's player (stop, for a skip) and announce the
// end of the queue. It runs with the turn.
func (m *Manager) queueEnded(ctx context.Context, p *player, last Track, stop bool) (Track, bool, error) {
	if t, ok := m.autoplay(ctx, p, last); ok {
		return t, true, m.playCurrent(ctx, p)
	}
	if stop {
		if err := m.update(ctx, p, node.PlayerUpdate{Stop: true}); err != nil {
			m.log.WarnContext(ctx, "stop player", "guild", p.guild, "error", err)
		}
	}
	p.mu.Lock()
	m.armIdle(p)
	p.mu.Unlock()
	m.saver.dirty(p.guild, true)
	m.publish(QueueEnded{GuildID: p.guild, At: m.clock.Now()})
	return Track{}, false, nil
}

// armIdle starts the idle timer unless the guild stays connected. It
// needs p.mu.
func (m *Manager) armIdle(p *player) {
	if m.cfg.IdleTimeout < 0 || p.settings.StayConnected() {
		return
	}
	p.idle.arm(m.clock, m.cfg.IdleTimeout, func(gen uint64) {
		p.post(func(ctx context.Context) { m.onIdle(ctx, p, gen) })
	})
}

func (m *Manager) onIdle(ctx context.Context, p *player, gen uint64) {
	p.mu.Lock()
	stale := p.idle.gen != gen || p.sess == nil
	if !stale {
		_, playing := p.sess.Current()
		stale = playing
	}
	p.mu.Unlock()
	if !stale {
		m.leave(ctx, p, LeaveIdle, true)
	}
}

// failed records a playback failure; past the error limit it stops the
// guild's playback, ends the session and reports true.
func (m *Manager) failed(ctx context.Context, p *player, what string) bool {
	now := m.clock.Now()
	p.mu.Lock()
	keep := p.errs[:0]
	for _, t := range p.errs {
		if now.Sub(t) < m.opt.errorWindow {
			keep = append(keep, t)
		}
	}
	p.errs = append(keep, now)
	over := len(p.errs) >= m.opt.errorLimit
	p.mu.Unlock()
	if !over {
		return false
	}
	m.log.WarnContext(ctx, "playback keeps failing; stopping", "guild", p.guild, "last", what, "errors", m.opt.errorLimit, "within", m.opt.errorWindow)
	m.cfg.Metrics.TrackError(metrics.ComponentPlayer, metrics.KindInternal, metrics.SeverityCritical)
	m.leave(ctx, p, LeaveFailed, true)
	return true
}

// leave ends the guild's session: the node's player is destroyed, the
// bot leaves voice (unless Discord already took it out), the stored
// session is deleted and SessionEnded published. It runs with the turn.
func (m *Manager) leave(ctx context.Context, p *player, reason LeaveReason, leaveVoice bool) {
	p.mu.Lock()
	if p.sess == nil {
		p.mu.Unlock()
		return
	}
	ln := p.node
	p.leaving = true
	p.idle.stop()
	p.empty.stop()
	p.mu.Unlock()
	if ln != nil && ln.client.Connected() {
		if err := ln.client.DestroyPlayer(ctx, p.guild); err != nil {
			m.log.WarnContext(ctx, "destroy player", "guild", p.guild, "node", ln.name, "error", err)
		}
	}
	if leaveVoice {
		m.leaveVoice(p.guild)
	}
	p.mu.Lock()
	m.endSessionLocked(p)
	p.mu.Unlock()
	m.saver.dirty(p.guild, true)
	m.publish(SessionEnded{GuildID: p.guild, Reason: reason, At: m.clock.Now()})
}

// botVoiceChanged follows the bot's own voice state: disconnected ends
// the session, moved updates the channel and the node's voice.
func (m *Manager) botVoiceChanged(ctx context.Context, p *player, prev, now snowflake.ID) {
	p.mu.Lock()
	sess, leaving := p.sess, p.leaving
	p.mu.Unlock()
	if sess == nil || leaving {
		return
	}
	if now == 0 {
		m.leave(ctx, p, LeaveDisconnected, false)
		return
	}
	p.mu.Lock()
	changed := sess.VoiceChannelID() != now
	if changed {
		sess.SetVoiceChannel(now)
	}
	p.mu.Unlock()
	if changed {
		m.saver.dirty(p.guild, false)
		m.sendVoice(ctx, p)
		m.checkListeners(ctx, p)
	}
}

// sendVoice gives the guild's node the bot's voice state when it is
// complete and differs from what the node has.
func (m *Manager) sendVoice(ctx context.Context, p *player) {
	voice := m.voice.bot(p.guild)
	p.mu.Lock()
	ln, sent, sess := p.node, p.sentVoice, p.sess
	p.mu.Unlock()
	v := voice.lavalink()
	if sess == nil || ln == nil || !voice.complete() || v == sent || voice.channel != sess.VoiceChannelID() {
		return
	}
	if err := m.update(ctx, p, node.PlayerUpdate{Voice: &v}); err != nil {
		m.log.WarnContext(ctx, "update voice", "guild", p.guild, "error", err)
		return
	}
	p.mu.Lock()
	p.sentVoice = v
	p.mu.Unlock()
}

// rejoin asks Discord to join the session's channel again after the
// voice connection was invalidated, and hands the node the new state.
func (m *Manager) rejoin(ctx context.Context, p *player) {
	p.mu.Lock()
	ch := p.sess.VoiceChannelID()
	p.mu.Unlock()
	if ch == 0 {
		return
	}
	m.voice.with(p.guild, func(g *guildVoice) { g.bot.token, g.bot.endpoint = "", "" })
	if _, err := m.join(ctx, p.guild, ch); err != nil {
		m.log.WarnContext(ctx, "rejoin voice", "guild", p.guild, "error", err)
		return
	}
	m.sendVoice(ctx, p)
}

// checkListeners pauses when nobody listens any more and leaves after
// the empty-channel timeout; it resumes when someone comes back first.
func (m *Manager) checkListeners(ctx context.Context, p *player) {
	p.mu.Lock()
	sess := p.sess
	if sess == nil || p.settings.StayConnected() {
		p.mu.Unlock()
		return
	}
	ch := sess.VoiceChannelID()
	state := sess.State()
	autoPaused := p.autoPause
	p.mu.Unlock()
	if ch == 0 {
		return
	}
	if m.voice.listeners(p.guild, ch) == 0 {
		if state == StatePlaying {
			if err := m.setPaused(ctx, p, true); err == nil {
				p.mu.Lock()
				p.autoPause = true
				p.mu.Unlock()
			}
		}
		p.mu.Lock()
		if !p.empty.armed() && m.cfg.EmptyChannelTimeout >= 0 {
			p.empty.arm(m.clock, m.cfg.EmptyChannelTimeout, func(gen uint64) {
				p.post(func(ctx context.Context) { m.onEmpty(ctx, p, gen) })
			})
		}
		p.mu.Unlock()
		return
	}
	p.mu.Lock()
	p.empty.stop()
	p.mu.Unlock()
	if autoPaused && state == StatePaused {
		if err := m.setPaused(ctx, p, false); err != nil {
			m.log.WarnContext(ctx, "resume after a listener came back", "guild", p.guild, "error", err)
		}
	}
}

func (m *Manager) onEmpty(ctx context.Context, p *player, gen uint64) {
	p.mu.Lock()
	stale := p.empty.gen != gen || p.sess == nil
	var ch snowflake.ID
	if !stale {
		ch = p.sess.VoiceChannelID()
	}
	p.mu.Unlock()
	if !stale && m.voice.listeners(p.guild, ch) == 0 {
		m.leave(ctx, p, LeaveAlone, true)
	}
}

// load resolves an identifier on a node that offers its source, for
// Play. A search gives its first track, a playlist all of them.
func (m *Manager) load(ctx context.Context, guild snowflake.ID, ident string) ([]Track, string, error) {
	source := sourceOf(ident)
	var ln *lavaNode
	if p := m.players.get(guild); p != nil {
		p.mu.Lock()
		if p.node != nil && p.node.healthy() && p.node.hasSource(source) {
			ln = p.node
		}
		p.mu.Unlock()
	}
	if ln == nil {
		var err error
		if ln, err = m.pickNode(source, nil); err != nil {
			return nil, "", err
		}
	}
	tracks, name, err := m.loadFrom(ctx, ln, guild, ident)
	if err != nil {
		return nil, "", err
	}
	if len(tracks) == 0 {
		return nil, "", ErrTrackNotFound
	}
	if name == "" {
		tracks = tracks[:1] // a search: its first match
	}
	return tracks, name, nil
}

// loadFrom loads ident on ln, in a span. name is the playlist's, "" for
// anything else.
func (m *Manager) loadFrom(ctx context.Context, ln *lavaNode, guild snowflake.ID, ident string) ([]Track, string, error) {
	var res lavalink.LoadResult
	err := m.cfg.Tracer.TraceQuery(ctx, ident, guild.String(), func(ctx context.Context) error {
		var err error
		res, err = ln.client.LoadTracks(ctx, ident)
		return err
	})
	if err != nil {
		return nil, "", nodeErr(err)
	}
	switch d := res.Data.(type) {
	case lavalink.Track:
		return []Track{fromLavalink(d)}, "", nil
	case lavalink.Search:
		out := make([]Track, 0, len(d))
		for _, t := range d {
			out = append(out, fromLavalink(t))
		}
		return out, "", nil
	case lavalink.Playlist:
		out := make([]Track, 0, len(d.Tracks))
		for _, t := range d.Tracks {
			out = append(out, fromLavalink(t))
		}
		name := d.Info.Name
		if name == "" {
			name = "playlist"
		}
		return out, name, nil
	case lavalink.Exception:
		return nil, "", &LoadError{Message: d.Message, Severity: string(d.Severity)}
	}
	return nil, "", ErrTrackNotFound
}

func fromLavalink(t lavalink.Track) Track {
	tr := TrackFromLavalink(t)
	if len(tr.UserData) == 0 || string(tr.UserData) == "null" {
		tr.UserData = json.RawMessage("{}")
	}
	return tr
}

// settingsEntry is a guild's settings as read from the store (the
// guild's choices) and when. known is false for the defaults served
// while the store could not be read.
type settingsEntry struct {
	s     Settings
	at    time.Time
	known bool
}

// guildSettings returns the guild's settings with the bot's defaults;
// see settingsOf.
func (m *Manager) guildSettings(ctx context.Context, guild snowflake.ID) Settings {
	s, _ := m.settingsOf(ctx, guild)
	return s
}

// settingsOf returns the guild's settings with the bot's defaults. They
// are read through a cache: fresh entries are served from memory, and
// when the store fails the last known settings (or the defaults, with
// known false) are served and the store is not asked again for the
// cache's time to live, so a store outage neither fails nor slows
// commands.
func (m *Manager) settingsOf(ctx context.Context, guild snowflake.ID) (Settings, bool) {
	if s, ok := m.saver.pendingSettings(guild); ok {
		return s.WithDefaults(m.cfg.DefaultSettings), true
	}
	now := m.clock.Now()
	e, cached := m.settings.Get(guild)
	if cached && now.Sub(e.at) < m.opt.settingsTTL {
		return e.s.WithDefaults(m.cfg.DefaultSettings), e.known
	}
	s, err := m.cfg.Settings.Get(ctx, guild)
	if err != nil {
		m.storeFailed(ctx, "read settings", guild, err)
		if !cached {
			e = settingsEntry{}
		}
		e.at = now
		m.settings.Set(guild, e)
		return e.s.WithDefaults(m.cfg.DefaultSettings), e.known
	}
	m.settings.Set(guild, settingsEntry{s: s, at: now, known: true})
	return s.WithDefaults(m.cfg.DefaultSettings), true
}

// putSettings makes s the guild's settings at once and stores them in
// the background: only the values the guild chose, so that the bot's
// defaults are never stored as the guild's own.
func (m *Manager) putSettings(guild snowflake.ID, s Settings) {
	s = s.choices()
	m.settings.Set(guild, settingsEntry{s: s, at: m.clock.Now(), known: true})
	m.saver.putSettings(guild, s)
}

// storeFailed logs and counts a failed store call in errors_total,
// component "store". Failures of the Redis commands behind a Redis store
// are counted by the client itself: see [metrics.Business.InstrumentRedis].
func (m *Manager) storeFailed(ctx context.Context, what string, guild snowflake.ID, err error) {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return
	}
	m.log.WarnContext(ctx, "store: "+what, "guild", guild, "error", err)
	m.cfg.Metrics.TrackError(metrics.ComponentStore, metrics.KindUnavailable, metrics.SeverityHigh)
}
