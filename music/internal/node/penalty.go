package node

import (
	"math"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

// UnavailablePenalty is the penalty of a node that is not connected or has
// sent no stats on its current connection. Every other penalty is lower.
const UnavailablePenalty = math.MaxFloat64

// Penalty returns the node's load penalty; lower is better. It is the sum
// Lavalink clients have long used (the reference load balancer of
// Lavalink-Client and its ports):
//
//   - players: the node's playing players, or the players this client has
//     seen start on it since, whichever is more (stats arrive only once a
//     minute, so a burst of new players would otherwise all land on one
//     node);
//   - CPU: 1.05^(100·systemLoad)·10 − 10, from 0 at idle to about 1305 at
//     full load;
//   - when the stats carry frameStats (per playing player, per minute):
//     1.03^(500·deficit/3000)·600 − 600 for frames not sent, negative for
//     a surplus, plus 2·(1.03^(500·nulled/3000)·300 − 300) for frames sent
//     empty.
//
// Inputs are clamped to what Lavalink can report (systemLoad to 0–1,
// deficit to ±3000, nulled to 0–3000), so a connected node's penalty is
// always finite. A node that is not connected or has no stats yet has
// [UnavailablePenalty].
func (n *Node) Penalty() float64 {
	n.mu.Lock()
	if !n.connected || !n.hasStats {
		n.mu.Unlock()
		return UnavailablePenalty
	}
	stats, local := n.stats, len(n.playing)
	var fs lavalink.FrameStats
	hasFrames := stats.FrameStats != nil
	if hasFrames {
		fs = *stats.FrameStats
	}
	n.mu.Unlock()
	if !hasFrames {
		return penalty(stats.PlayingPlayers, local, stats.CPU.SystemLoad, nil)
	}
	return penalty(stats.PlayingPlayers, local, stats.CPU.SystemLoad, &fs)
}

func penalty(playing, local int, systemLoad float64, fs *lavalink.FrameStats) float64 {
	p := float64(max(playing, local, 0))
	load := systemLoad
	if !(load >= 0) { // negative or NaN
		load = 0
	}
	load = min(load, 1)
	p += math.Pow(1.05, 100*load)*10 - 10
	if fs != nil && fs.Deficit != -1 {
		deficit := min(max(float64(fs.Deficit), -3000), 3000)
		nulled := min(max(float64(fs.Nulled), 0), 3000)
		p += math.Pow(1.03, 500*deficit/3000)*600 - 600
		p += (math.Pow(1.03, 500*nulled/3000)*300 - 300) * 2
	}
	return p
}

// Best returns the connected node with the lowest [Node.Penalty], the
// first such in nodes on a tie; ok is false when no node is connected.
// Nil entries are skipped.
func Best(nodes []*Node) (best *Node, ok bool) {
	bestPenalty := math.Inf(1)
	for _, n := range nodes {
		if n == nil || !n.Connected() {
			continue
		}
		if p := n.Penalty(); best == nil || p < bestPenalty {
			best, bestPenalty = n, p
		}
	}
	return best, best != nil
}

// notePlaying follows track starts and ends for the players term of the
// penalty.
func (n *Node) notePlaying(e lavalink.Event) {
	var playing bool
	switch e.(type) {
	case lavalink.TrackStartEvent:
		playing = true
	case TrackEndEvent:
	default:
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if playing {
		n.playing[e.GuildID()] = struct{}{}
	} else {
		delete(n.playing, e.GuildID())
	}
}

// notePlayer records what a REST answer says about one player (nil: it
// was destroyed), if the session is still the one asked.
func (n *Node) notePlayer(sid string, guild snowflake.ID, p *Player) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.sessionID != sid || !n.connected {
		return
	}
	if p != nil && p.Track != nil && !p.Paused {
		n.playing[guild] = struct{}{}
	} else {
		delete(n.playing, guild)
	}
}

// syncPlaying replaces the playing set with a full player list.
func (n *Node) syncPlaying(sid string, players []Player) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.sessionID != sid || !n.connected {
		return
	}
	clear(n.playing)
	for _, p := range players {
		if p.Track != nil && !p.Paused && p.GuildID != 0 {
			n.playing[p.GuildID] = struct{}{}
		}
	}
}
