package lavalinktest

import "github.com/disgoorg/snowflake/v2"

// silence is a silent-player fault on one player.
type silence struct {
	disconnected bool
	healOnVoice  bool
	healOnPlay   bool
}

// SilenceOption shapes the fault [Node.Silence] injects.
type SilenceOption func(*silence)

// ReportDisconnected makes a silent player also report its voice
// connection as closed (connected false, ping -1) in playerUpdate and the
// player routes, while its track plays on and without a
// WebSocketClosedEvent. A voice update then reconnects it even when it
// repeats the current voice state.
func ReportDisconnected() SilenceOption {
	return func(s *silence) { s.disconnected = true }
}

// HealOnVoice ends the fault when a voice update reconnects the player:
// one with a voice state other than the current one or, with
// [ReportDisconnected], any voice update. This is how a test lets
// re-sending the voice state cure a silent player.
func HealOnVoice() SilenceOption {
	return func(s *silence) { s.healOnVoice = true }
}

// HealOnPlay ends the fault when a track starts in the player, as a
// replay at the current position does.
func HealOnPlay() SilenceOption {
	return func(s *silence) { s.healOnPlay = true }
}

// Silence makes the guild's player silent, the failure a silent-player
// watchdog must catch: its track keeps playing and its position keeps
// advancing, playerUpdate keeps reporting connected true (see
// [ReportDisconnected]), and no event tells the client, but the node sends
// no audio. From the next stats op on (push one with [Node.SendStats]),
// the frameStats of the player's session count it as playing with no
// frame sent, at once rather than after a minute of data, so a session
// whose playing players are all silent reports sent 0 and deficit 3000.
//
// The fault lasts until [Node.Unsilence], the player's destruction (which
// moving the player to another node implies), or what the options heal it
// on. Silencing a silent player replaces its options. The player need not
// hold a track; one it starts later is silent too. Silence returns
// [ErrNoPlayer] if the guild has no player.
func (n *Node) Silence(guild snowflake.ID, opts ...SilenceOption) error {
	s := silence{}
	for _, opt := range opts {
		opt(&s)
	}
	return n.withPlayers(guild, func(p *player) {
		state := s
		p.silent = &state
	})
}

// Unsilence ends a [Node.Silence] fault on the guild's player; a player
// that is not silent stays as it is. The next stats op reports its frames
// as if the fault had never been. It returns [ErrNoPlayer] if the guild
// has no player.
func (n *Node) Unsilence(guild snowflake.ID) error {
	return n.withPlayers(guild, func(p *player) { p.silent = nil })
}

// withPlayers runs f on every player of guild, or returns ErrNoPlayer.
func (n *Node) withPlayers(guild snowflake.ID, f func(p *player)) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return ErrClosed
	}
	ps := n.playersLocked(guild)
	if len(ps) == 0 {
		return ErrNoPlayer
	}
	for _, p := range ps {
		f(p)
	}
	return nil
}

// reportsConnected reports whether the player says its voice connection
// is open.
func (p *player) reportsConnected() bool {
	return p.connected && (p.silent == nil || !p.silent.disconnected)
}
