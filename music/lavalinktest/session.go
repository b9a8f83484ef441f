package lavalinktest

import (
	"math/rand/v2"
	"sort"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// session is one client session. All fields are guarded by Node.mu.
type session struct {
	n          *Node
	l          *life
	id         string
	userID     snowflake.ID
	clientName string
	resuming   bool
	timeout    time.Duration
	conn       *wsConn  // nil while paused
	queue      [][]byte // frames kept for the resuming client
	players    map[snowflake.ID]*player
	statsTimer *timer
	resumeDue  *timer
	gone       bool
}

const sessionIDChars = "abcdefghijklmnopqrstuvwxyz0123456789"

// newSessionIDLocked returns a fresh 16-character id, as Lavalink makes
// them.
func (l *life) newSessionIDLocked() string {
	for {
		b := make([]byte, 16)
		for i := range b {
			b[i] = sessionIDChars[rand.IntN(len(sessionIDChars))]
		}
		id := string(b)
		if l.sessions[id] == nil && l.paused[id] == nil {
			return id
		}
	}
}

// sendLocked sends a frame, or keeps it for the resuming client while the
// session is paused.
func (s *session) sendLocked(frame []byte) {
	switch {
	case s.gone:
	case s.conn == nil:
		s.queue = append(s.queue, frame)
	default:
		s.conn.enqueue(frame)
	}
}

// sendPlayerUpdateLocked sends p's state; Lavalink skips these while the
// session is paused.
func (s *session) sendPlayerUpdateLocked(p *player) {
	if s.gone || s.conn == nil {
		return
	}
	s.conn.enqueue(mustJSON(playerUpdateJSON{Op: "playerUpdate", GuildID: p.guild.String(), State: p.stateLocked(s.n.now())}))
}

// sortedPlayers returns the session's players by guild id.
func (s *session) sortedPlayers() []*player {
	ps := make([]*player, 0, len(s.players))
	for _, p := range s.players {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].guild < ps[j].guild })
	return ps
}

// openLocked starts a new session on c: ready, then stats at once and on
// the interval.
func (l *life) openLocked(c *wsConn, userID snowflake.ID, clientName string) *session {
	s := &session{
		n:          l.n,
		l:          l,
		id:         l.newSessionIDLocked(),
		userID:     userID,
		clientName: clientName,
		timeout:    DefaultResumeTimeout,
		conn:       c,
		players:    map[snowflake.ID]*player{},
	}
	c.session = s
	l.sessions[s.id] = s
	c.enqueue(mustJSON(readyJSON{Op: "ready", Resumed: false, SessionID: s.id}))
	s.sendStatsLocked()
	s.scheduleStatsLocked()
	return s
}

// resumeLocked attaches c to a paused session: ready, the kept frames in
// order, then one playerUpdate per player.
func (l *life) resumeLocked(s *session, c *wsConn) {
	s.conn = c
	c.session = s
	l.sessions[s.id] = s
	c.enqueue(mustJSON(readyJSON{Op: "ready", Resumed: true, SessionID: s.id}))
	for _, f := range s.queue {
		c.enqueue(f)
	}
	s.queue = nil
	for _, p := range s.sortedPlayers() {
		s.sendPlayerUpdateLocked(p)
	}
}

// pauseLocked keeps a session whose client went away for its timeout.
func (l *life) pauseLocked(s *session, unsent [][]byte) {
	delete(l.sessions, s.id)
	s.conn = nil
	s.queue = append(unsent, s.queue...)
	l.paused[s.id] = s
	l.n.cfg.logger.Debug("lavalinktest: session paused", "session", s.id, "timeout", s.timeout, "kept", len(s.queue))
	s.resumeDue = l.n.afterLocked(s.timeout, func() {
		if l.paused[s.id] == s {
			delete(l.paused, s.id)
			l.n.cfg.logger.Debug("lavalinktest: resume timeout", "session", s.id)
			s.destroyLocked()
		}
	})
}

// connEndedLocked handles the end of c's connection.
func (l *life) connEndedLocked(c *wsConn) {
	delete(l.conns, c)
	s := c.session
	if s == nil || s.gone || s.conn != c || l.dead {
		return
	}
	unsent := c.unsent()
	if s.resuming {
		l.pauseLocked(s, unsent)
		return
	}
	delete(l.sessions, s.id)
	l.n.cfg.logger.Debug("lavalinktest: session closed", "session", s.id)
	s.destroyLocked()
}

// destroyLocked shuts the session down with all its players.
func (s *session) destroyLocked() {
	if s.gone {
		return
	}
	s.gone = true
	s.statsTimer.stopLocked()
	s.resumeDue.stopLocked()
	for _, p := range s.players {
		p.destroyLocked()
	}
	s.players = map[snowflake.ID]*player{}
	s.queue = nil
}

func (s *session) scheduleStatsLocked() {
	s.statsTimer = s.n.afterLocked(s.n.cfg.statsInterval, func() {
		if s.gone {
			return
		}
		s.sendStatsLocked()
		s.scheduleStatsLocked()
	})
}

func (s *session) sendStatsLocked() {
	now := s.n.now()
	s.sendLocked(mustJSON(statsOpJSON{Op: "stats", statsJSON: s.l.statsLocked(now), FrameStats: s.frameStatsLocked(now)}))
}
