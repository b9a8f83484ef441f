package lavalinktest

import (
	"encoding/json"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

// connectedPing is the voice ping a connected player reports.
const connectedPing = 20

// player is one guild's player in a session. Guarded by Node.mu.
type player struct {
	s       *session
	guild   snowflake.ID
	track   *activeTrack
	volume  int
	paused  bool
	filters *filtersJSON
	voice   voiceState

	connected      bool
	connectedAt    time.Time
	disconnectedAt time.Time
	silent         *silence // nil unless Node.Silence made it silent

	updateTimer  *timer
	endTimer     *timer
	cleanupTimer *timer
}

type voiceState struct {
	token, endpoint, sessionID string
	channelID                  *string
}

// activeTrack is the track a player holds and its media clock.
type activeTrack struct {
	encoded   string
	info      lavalink.TrackInfo
	userData  json.RawMessage
	endTime   time.Duration // 0: none
	pos       time.Duration // position at syncAt
	syncAt    time.Time
	startedAt time.Time
	produced  bool // audio flowed at some point
}

func (s *session) playerLocked(guild snowflake.ID) *player {
	p := s.players[guild]
	if p == nil {
		p = &player{s: s, guild: guild, volume: 100, filters: &filtersJSON{}}
		s.players[guild] = p
	}
	return p
}

func (p *player) n() *Node { return p.s.n }

// playingLocked reports whether Lavalink counts the player as playing.
func (p *player) playingLocked() bool { return p.track != nil && !p.paused }

// flowingLocked reports whether audio is being pulled from the track.
func (p *player) flowingLocked() bool { return p.track != nil && p.connected && !p.paused }

func (t *activeTrack) length() time.Duration { return time.Duration(t.info.Length) * time.Millisecond }

// endPos returns where the track ends, or -1 for a stream without end time.
func (t *activeTrack) endPos() time.Duration {
	switch {
	case t.endTime > 0 && (t.info.IsStream || t.endTime < t.length()):
		return t.endTime
	case t.info.IsStream:
		return -1
	default:
		return t.length()
	}
}

// positionLocked returns the track position at now.
func (p *player) positionLocked(now time.Time) time.Duration {
	t := p.track
	if t == nil {
		return 0
	}
	pos := t.pos
	if p.flowingLocked() && now.After(t.syncAt) {
		pos += time.Duration(float64(now.Sub(t.syncAt)) * p.n().cfg.speed)
	}
	if end := t.endPos(); end >= 0 && pos > end {
		pos = end
	}
	return max(pos, 0)
}

// syncLocked folds the elapsed playback into the position; call it before
// anything that changes whether audio flows.
func (p *player) syncLocked(now time.Time) {
	t := p.track
	if t == nil {
		return
	}
	if p.flowingLocked() && now.After(t.syncAt) {
		t.produced = true
	}
	t.pos = p.positionLocked(now)
	t.syncAt = now
}

func (p *player) stateLocked(now time.Time) playerStateJSON {
	st := playerStateJSON{Time: now.UnixMilli(), Position: p.positionLocked(now).Milliseconds(), Connected: p.reportsConnected(), Ping: -1}
	if st.Connected {
		st.Ping = connectedPing
	}
	return st
}

func (p *player) trackJSONLocked(now time.Time) trackJSON {
	t := p.track
	return newTrackJSON(t.encoded, t.info, p.positionLocked(now), t.userData)
}

func (p *player) jsonLocked(now time.Time) playerJSON {
	out := playerJSON{
		GuildID: p.guild.String(),
		Volume:  p.volume,
		Paused:  p.paused,
		State:   p.stateLocked(now),
		Voice:   voiceJSON{Token: p.voice.token, Endpoint: p.voice.endpoint, SessionID: p.voice.sessionID},
		Filters: p.filters,
	}
	if p.track != nil {
		tj := p.trackJSONLocked(now)
		out.Track = &tj
	}
	if p.n().cfg.version.strict() {
		out.Voice.ChannelID = json.RawMessage("null")
		if p.voice.channelID != nil {
			out.Voice.ChannelID = mustJSON(*p.voice.channelID)
		}
	}
	return out
}

func (p *player) eventLocked(v any) { p.s.sendLocked(mustJSON(v)) }

// playLocked starts t, replacing the current track: TrackEnd(replaced),
// TrackStart, then two playerUpdates (the update task's first run and the
// one play sends) and one per interval after that.
func (p *player) playLocked(t *activeTrack) {
	now := p.n().now()
	if p.track != nil {
		p.endTrackLocked(lavalink.TrackEndReasonReplaced)
	}
	t.startedAt, t.syncAt = now, now
	p.track = t
	if p.silent != nil && p.silent.healOnPlay {
		p.silent = nil
	}
	p.eventLocked(trackStartJSON{Op: "event", Type: string(lavalink.EventTypeTrackStart), GuildID: p.guild.String(), Track: p.trackJSONLocked(now)})
	p.s.sendPlayerUpdateLocked(p)
	p.s.sendPlayerUpdateLocked(p)
	p.scheduleUpdatesLocked()
	p.rescheduleLocked(now)
}

// endTrackLocked ends the current track with reason.
func (p *player) endTrackLocked(reason lavalink.TrackEndReason) {
	t := p.track
	if t == nil {
		return
	}
	now := p.n().now()
	p.syncLocked(now)
	tj := p.trackJSONLocked(now)
	p.updateTimer.stopLocked()
	p.endTimer.stopLocked()
	p.cleanupTimer.stopLocked()
	p.updateTimer, p.endTimer, p.cleanupTimer = nil, nil, nil
	p.track = nil
	p.eventLocked(trackEndJSON{Op: "event", Type: string(lavalink.EventTypeTrackEnd), GuildID: p.guild.String(), Track: tj, Reason: string(reason)})
}

func (p *player) scheduleUpdatesLocked() {
	p.updateTimer = p.n().afterLocked(p.n().cfg.updateInterval, func() {
		if p.track == nil || p.s.gone {
			return
		}
		// A track that ends at this very instant ends before the update,
		// whichever timer was armed first.
		if reason, due := p.dueEndLocked(p.n().now()); due {
			p.endTrackLocked(reason)
			return
		}
		p.s.sendPlayerUpdateLocked(p)
		p.scheduleUpdatesLocked()
	})
}

// dueEndLocked reports whether the track's end or cleanup falls due at now.
func (p *player) dueEndLocked(now time.Time) (lavalink.TrackEndReason, bool) {
	t := p.track
	if p.flowingLocked() {
		if end := t.endPos(); end >= 0 && p.positionLocked(now) >= end {
			return lavalink.TrackEndReasonFinished, true
		}
	}
	if !p.connected && !now.Before(p.cleanupDue()) {
		return lavalink.TrackEndReasonCleanup, true
	}
	return "", false
}

// cleanupDue is when a track without voice is cleaned up.
func (p *player) cleanupDue() time.Time {
	base := p.track.startedAt
	if p.disconnectedAt.After(base) {
		base = p.disconnectedAt
	}
	return base.Add(p.n().cfg.cleanupThreshold)
}

// rescheduleLocked re-arms the end and cleanup timers after a change. A
// flowing track ends when it reaches its end (at once if it is already
// there); a track without voice is cleaned up once nothing has pulled its
// audio for the cleanup threshold.
func (p *player) rescheduleLocked(now time.Time) {
	p.endTimer.stopLocked()
	p.cleanupTimer.stopLocked()
	p.endTimer, p.cleanupTimer = nil, nil
	t := p.track
	if t == nil {
		return
	}
	n := p.n()
	if p.flowingLocked() {
		if end := t.endPos(); end >= 0 {
			rest := end - t.pos
			if rest <= 0 {
				t.produced = true
				p.endTrackLocked(lavalink.TrackEndReasonFinished)
				return
			}
			d := time.Duration(float64(rest) / n.cfg.speed)
			p.endTimer = n.afterLocked(max(d, 1), func() {
				if p.track == t {
					p.syncLocked(n.now())
					t.pos = end
					p.endTrackLocked(lavalink.TrackEndReasonFinished)
				}
			})
		}
	}
	if !p.connected {
		p.cleanupTimer = n.afterLocked(max(p.cleanupDue().Sub(now), 0), func() {
			if p.track == t {
				p.endTrackLocked(lavalink.TrackEndReasonCleanup)
			}
		})
	}
}

// connectLocked records a complete voice state; the voice gateway is
// ready at once and reports a playerUpdate.
func (p *player) connectLocked(v voiceState) {
	now := p.n().now()
	p.syncLocked(now)
	p.voice = v
	p.connected = true
	p.connectedAt = now
	if p.silent != nil && p.silent.healOnVoice {
		p.silent = nil
	}
	p.s.sendPlayerUpdateLocked(p)
	p.rescheduleLocked(now)
}

// disconnectLocked closes the voice gateway with a WebSocketClosedEvent
// and a playerUpdate.
func (p *player) disconnectLocked(code int, reason string, byRemote bool) {
	now := p.n().now()
	p.syncLocked(now)
	if p.connected {
		p.disconnectedAt = now
	}
	p.connected = false
	p.eventLocked(webSocketClosedJSON{Op: "event", Type: string(lavalink.EventTypeWebSocketClosed), GuildID: p.guild.String(), Code: code, Reason: reason, ByRemote: byRemote})
	p.s.sendPlayerUpdateLocked(p)
	p.rescheduleLocked(now)
}

func (p *player) setPausedLocked(paused bool) {
	now := p.n().now()
	p.syncLocked(now)
	p.paused = paused
	p.rescheduleLocked(now)
}

// seekLocked moves a seekable track; Lavalink sends a playerUpdate either
// way.
func (p *player) seekLocked(pos time.Duration) {
	now := p.n().now()
	p.syncLocked(now)
	if !p.track.info.IsStream {
		p.track.pos = max(pos, 0)
	}
	p.s.sendPlayerUpdateLocked(p)
	p.rescheduleLocked(now)
}

// framesLastMinuteLocked estimates the frames sent in the last minute:
// one per 20 ms of voice connection.
func (p *player) framesLastMinuteLocked(now time.Time) int {
	from := now.Add(-time.Minute)
	var on time.Duration
	switch {
	case p.connected:
		if p.connectedAt.After(from) {
			from = p.connectedAt
		}
		on = now.Sub(from)
	case p.disconnectedAt.After(from):
		start := from
		if p.connectedAt.After(start) {
			start = p.connectedAt
		}
		on = p.disconnectedAt.Sub(start)
	}
	return int(max(on, 0) / (20 * time.Millisecond))
}

// destroyLocked stops the player; its track ends with "stopped".
func (p *player) destroyLocked() {
	p.endTrackLocked(lavalink.TrackEndReasonStopped)
	p.updateTimer.stopLocked()
	p.endTimer.stopLocked()
	p.cleanupTimer.stopLocked()
	delete(p.s.players, p.guild)
}
