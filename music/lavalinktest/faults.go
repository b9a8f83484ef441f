package lavalinktest

import (
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

// FailRequests makes the next n REST requests (after authentication) fail
// with status and Lavalink's error body, before they have any effect.
// A status below 400 is answered with an empty body, which lets a test
// return, say, a 204 where a client expects JSON. Calls queue up.
// Websocket handshakes are not counted; see [Node.FailHandshakes].
func (n *Node) FailRequests(count, status int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.failRest = append(n.failRest, injected{n: count, status: status})
}

// FailHandshakes makes the next n websocket handshakes (after the
// Authorization and User-Id checks) fail with status.
func (n *Node) FailHandshakes(count, status int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.failWS = append(n.failWS, injected{n: count, status: status})
}

// Latency delays every REST response by d on the node's clock (0 turns it
// off). With a manual clock a delayed request waits for [Clock.Advance]; a
// request whose client gives up is dropped without an answer.
func (n *Node) Latency(d time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.latency = max(d, 0)
}

// Pause stops the node from writing to its websockets, as a stalled node
// would: playback, timers and REST go on, and every frame is held, in
// order, until [Node.Unpause]. A connection opened while paused gets no
// ready until then. Frames held for a connection that closes are kept for
// its session if it can be resumed.
func (n *Node) Pause() { n.setFrozen(true) }

// Unpause lets the node write again, held frames first.
func (n *Node) Unpause() { n.setFrozen(false) }

func (n *Node) setFrozen(frozen bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.frozen = frozen
	if n.life != nil {
		for c := range n.life.conns {
			c.setFrozen(frozen)
		}
	}
}

// SendRaw writes frame as is to the websocket of the session id, for
// testing how a client copes with frames Lavalink would not send. It
// returns [ErrNoSession] if no such session is connected.
func (n *Node) SendRaw(sessionID string, frame []byte) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return ErrClosed
	}
	if n.life == nil || n.life.sessions[sessionID] == nil {
		return ErrNoSession
	}
	n.life.sessions[sessionID].sendLocked(append([]byte(nil), frame...))
	return nil
}

// playersLocked returns every player of guild, in connected and paused
// sessions.
func (n *Node) playersLocked(guild snowflake.ID) []*player {
	if n.life == nil {
		return nil
	}
	var out []*player
	for _, m := range []map[string]*session{n.life.sessions, n.life.paused} {
		for _, s := range m {
			if p := s.players[guild]; p != nil {
				out = append(out, p)
			}
		}
	}
	return out
}

// withTrack runs f on every player of guild that has a track, or returns
// ErrNoPlayer.
func (n *Node) withTrack(guild snowflake.ID, f func(p *player)) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return ErrClosed
	}
	found := false
	for _, p := range n.playersLocked(guild) {
		if p.track != nil {
			found = true
			f(p)
		}
	}
	if !found {
		return ErrNoPlayer
	}
	return nil
}

// FailTrack makes the guild's playing track fail as a lavaplayer
// exception does: a TrackExceptionEvent, then a TrackEndEvent with reason
// "loadFailed" if the track never produced audio and "finished" if it
// did. An empty severity means "fault". It returns [ErrNoPlayer] if the
// guild has no track.
func (n *Node) FailTrack(guild snowflake.ID, exception lavalink.Exception) error {
	return n.withTrack(guild, func(p *player) {
		now := n.now()
		p.syncLocked(now)
		reason := lavalink.TrackEndReasonLoadFailed
		if p.track.produced {
			reason = lavalink.TrackEndReasonFinished
		}
		p.eventLocked(trackExceptionJSON{
			Op: "event", Type: string(lavalink.EventTypeTrackException), GuildID: p.guild.String(),
			Track: p.trackJSONLocked(now), Exception: n.exceptionLocked(exception),
		})
		p.endTrackLocked(reason)
	})
}

// StickTrack reports the guild's track as stuck: a TrackStuckEvent with
// threshold (Lavalink's default is 10 s) and a playerUpdate. The track is
// not ended, as in Lavalink. It returns [ErrNoPlayer] if the guild has no
// track.
func (n *Node) StickTrack(guild snowflake.ID, threshold time.Duration) error {
	return n.withTrack(guild, func(p *player) {
		p.eventLocked(trackStuckJSON{
			Op: "event", Type: string(lavalink.EventTypeTrackStuck), GuildID: p.guild.String(),
			Track: p.trackJSONLocked(n.now()), ThresholdMs: threshold.Milliseconds(),
		})
		p.s.sendPlayerUpdateLocked(p)
	})
}

// CloseVoice closes the guild's voice connection as Discord would with
// code (4006 session invalid, 4014 disconnected, ...): a
// WebSocketClosedEvent and a playerUpdate with connected false. Audio
// stops flowing, so a track in the player ends with "cleanup" after the
// cleanup threshold unless a new voice update reconnects it. It returns
// [ErrNoPlayer] if the guild has no player.
func (n *Node) CloseVoice(guild snowflake.ID, code int, reason string, byRemote bool) error {
	return n.withPlayers(guild, func(p *player) { p.disconnectLocked(code, reason, byRemote) })
}
