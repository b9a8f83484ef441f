package lavalinktest

import (
	"slices"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
)

const (
	// framesPerMinute is what a playing player sends: one frame per 20 ms.
	framesPerMinute = 3000
	// defaultCores is the cpu.cores a node reports unless Load sets it.
	defaultCores = 4
)

// Load is what a node reports about its load in stats, so that tests can
// drive load balancing apart. Set it with [Node.SetLoad]; the zero value
// reports the node's real players, no CPU load and computed frame stats.
type Load struct {
	// Players and PlayingPlayers are added to the node's real counts.
	Players        int
	PlayingPlayers int
	// Cores is cpu.cores; 0 means 4.
	Cores int
	// SystemLoad and LavalinkLoad are cpu.systemLoad and cpu.lavalinkLoad,
	// from 0 to 1. As in Lavalink, the first stats a node process reports
	// show 0 for both, since it has no CPU baseline yet.
	SystemLoad   float64
	LavalinkLoad float64
	// FrameStats, when set, is reported in every stats op instead of the
	// computed figures. Left nil, a session with a player that has been
	// playing for a full minute gets the real average: 3000 frames sent
	// per minute while connected, none without voice, deficit the
	// difference; a silent player (see [Node.Silence]) counts at once
	// with none sent; otherwise frameStats is null.
	FrameStats *lavalink.FrameStats
}

// SetLoad sets what the node reports in stats from the next report on.
// Push one at once with [Node.SendStats].
func (n *Node) SetLoad(l Load) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if l.FrameStats != nil {
		fs := *l.FrameStats
		l.FrameStats = &fs
	}
	n.load = l
}

// SendStats sends a stats op to every connected session now, as the stats
// task would, without moving its schedule.
func (n *Node) SendStats() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return ErrClosed
	}
	if n.life == nil {
		return nil
	}
	for _, s := range n.life.sortedSessions() {
		s.sendStatsLocked()
	}
	return nil
}

// statsLocked computes the node-wide figures, as /v4/stats and the stats
// op report them.
func (l *life) statsLocked(now time.Time) statsJSON {
	load := l.n.load
	players, playing := load.Players, load.PlayingPlayers
	for _, s := range l.sessions {
		players += len(s.players)
		for _, p := range s.players {
			if p.playingLocked() {
				playing++
			}
		}
	}
	cpu := cpuJSON{Cores: load.Cores, SystemLoad: load.SystemLoad, LavalinkLoad: load.LavalinkLoad}
	if cpu.Cores <= 0 {
		cpu.Cores = defaultCores
	}
	if !l.statsBaseline {
		l.statsBaseline = true
		cpu.SystemLoad, cpu.LavalinkLoad = 0, 0
	}
	const mib = 1 << 20
	return statsJSON{
		Players:        players,
		PlayingPlayers: playing,
		Uptime:         now.Sub(l.started).Milliseconds(),
		Memory:         memoryJSON{Free: 180 * mib, Used: 332 * mib, Allocated: 512 * mib, Reservable: 2048 * mib},
		CPU:            cpu,
	}
}

// frameStatsLocked computes a session's frame stats as Lavalink does: an
// average over its playing players with a full minute of data. Silent
// players count at once, having sent nothing.
func (s *session) frameStatsLocked(now time.Time) *frameStatsJSON {
	if fs := s.n.load.FrameStats; fs != nil {
		return &frameStatsJSON{Sent: fs.Sent, Nulled: fs.Nulled, Deficit: fs.Deficit}
	}
	count, sent := 0, 0
	for _, p := range s.players {
		switch {
		case !p.playingLocked():
		case p.silent != nil:
			// A silent player counts at once, with nothing sent.
			count++
		case now.Sub(p.track.startedAt) >= time.Minute:
			count++
			sent += p.framesLastMinuteLocked(now)
		}
	}
	if count == 0 {
		return nil
	}
	return &frameStatsJSON{Sent: sent / count, Nulled: 0, Deficit: (count*framesPerMinute - sent) / count}
}

// sortedSessions returns the connected sessions by id.
func (l *life) sortedSessions() []*session {
	ids := make([]string, 0, len(l.sessions))
	for id := range l.sessions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]*session, len(ids))
	for i, id := range ids {
		out[i] = l.sessions[id]
	}
	return out
}
