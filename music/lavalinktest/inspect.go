package lavalinktest

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

// ErrNoSession is returned when a session id names no connected session.
var ErrNoSession = errors.New("lavalinktest: no such session")

// Player is a snapshot of one player on the node.
type Player struct {
	SessionID string
	GuildID   snowflake.ID
	// Track is the player's track with its live position in
	// Track.Info.Position, or nil.
	Track *lavalink.Track
	// Position is the track's position (0 without a track).
	Position time.Duration
	// EndTime is the track's end marker, 0 for none.
	EndTime time.Duration
	Volume  int
	Paused  bool
	// Connected is whether the player reports its voice connection open;
	// a player silenced with [ReportDisconnected] reports false.
	Connected bool
	// Silent is whether the player is silent (see [Node.Silence]).
	Silent bool
	Voice  Voice
	// Filters is the filters object as the node reports it.
	Filters json.RawMessage
}

// Voice is a player's voice state.
type Voice struct {
	Token     string
	Endpoint  string
	SessionID string
	// ChannelID is "" when the client did not send one.
	ChannelID string
}

// Session is a snapshot of one client session.
type Session struct {
	ID         string
	UserID     snowflake.ID
	ClientName string
	Resuming   bool
	Timeout    time.Duration
	// Connected is false while the session waits to be resumed.
	Connected bool
	Players   int
}

// Requests returns every request the node has received, in order of
// answer, across restarts.
func (n *Node) Requests() []Request {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]Request, len(n.requests))
	copy(out, n.requests)
	return out
}

// ResetRequests forgets the requests recorded so far.
func (n *Node) ResetRequests() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.requests = nil
}

// Players returns every player on the node, in connected and paused
// sessions, ordered by session id and guild id.
func (n *Node) Players() []Player {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.life == nil {
		return nil
	}
	now := n.now()
	var out []Player
	for _, s := range n.life.allSessionsLocked() {
		for _, p := range s.sortedPlayers() {
			out = append(out, p.snapshotLocked(now))
		}
	}
	return out
}

// Player returns the player of guild; with several sessions holding one,
// the first by session id.
func (n *Node) Player(guild snowflake.ID) (Player, bool) {
	for _, p := range n.Players() {
		if p.GuildID == guild {
			return p, true
		}
	}
	return Player{}, false
}

// Sessions returns the node's sessions, connected and paused, by id.
func (n *Node) Sessions() []Session {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.life == nil {
		return nil
	}
	var out []Session
	for _, s := range n.life.allSessionsLocked() {
		out = append(out, Session{
			ID:         s.id,
			UserID:     s.userID,
			ClientName: s.clientName,
			Resuming:   s.resuming,
			Timeout:    s.timeout,
			Connected:  s.conn != nil,
			Players:    len(s.players),
		})
	}
	return out
}

func (l *life) allSessionsLocked() []*session {
	all := make([]*session, 0, len(l.sessions)+len(l.paused))
	for _, s := range l.sessions {
		all = append(all, s)
	}
	for _, s := range l.paused {
		all = append(all, s)
	}
	slices.SortFunc(all, func(a, b *session) int { return strings.Compare(a.id, b.id) })
	return all
}

func (p *player) snapshotLocked(now time.Time) Player {
	out := Player{
		SessionID: p.s.id,
		GuildID:   p.guild,
		Volume:    p.volume,
		Paused:    p.paused,
		Connected: p.reportsConnected(),
		Silent:    p.silent != nil,
		Voice:     Voice{Token: p.voice.token, Endpoint: p.voice.endpoint, SessionID: p.voice.sessionID},
		Filters:   mustJSON(p.filters),
	}
	if p.voice.channelID != nil {
		out.Voice.ChannelID = *p.voice.channelID
	}
	if p.track != nil {
		t := p.trackJSONLocked(now).lavalinkTrack()
		out.Track = &t
		out.Position = p.positionLocked(now)
		out.EndTime = p.track.endTime
	}
	return out
}

// Must returns v, panicking if err is not nil; it suits test set-up such
// as Must(node.AddTrack(info)).
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
