package music

import (
	"context"
	"sync"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/internal/node"
)

// player is one guild's playback: its Session and what the Manager
// knows about its Lavalink player.
//
// Two things guard it. mu guards the fields and is never held across
// I/O, so views (NowPlaying, Queue) never wait for the network. turn is
// a one-slot channel holding the right to change the player: a command,
// a node event or a timer takes it for the whole of its work, Lavalink
// requests included, so a guild's changes happen one at a time and in
// order, while other guilds proceed. Taking the turn honours the
// caller's context.
type player struct {
	m     *Manager
	guild snowflake.ID
	turn  chan struct{}

	mu        sync.Mutex
	gone      bool // removed from the Manager; take a new player
	sess      *Session
	settings  Settings
	node      *lavaNode  // set through setNode only, which counts players per node
	playID    string     // user data of the track the node plays
	sentVoice node.Voice // the voice state last sent to the node
	needSync  bool       // the node must be told the whole state again
	restored  bool       // restored at Start: continue at the saved position
	leaving   bool
	inbox     []func(context.Context)
	draining  bool
	idle      timerSlot
	empty     timerSlot
	autoPause bool // paused because everyone left
	errs      []time.Time
	joinedAt  time.Time
	askedAt   time.Time                   // when the current track was asked for
	vote      *skipVote                   // the open skip vote; see vote.go
	leavers   map[snowflake.ID]*timerSlot // tracks to drop of requesters who left; see queuecontrol.go
	wd        watch                       // the silent-player watchdog's view
	relocate  bool                        // move to another node while playing on (drain, healing)
	avoid     *lavaNode                   // the node a relocation must leave even if it is not draining
	shown     shownFilters                // the session's filters, decoded for views

	// The shared queue (sharedqueue.go).
	qver   uint64 // the stored queue's version the local queue matches
	qlocal bool   // changed here only: the next save writes the queue whole
	qgen   uint64 // counts changes made here only
}

// setNode makes ln (nil: none) the player's node, keeping the count of
// players per node that [Manager.Nodes] reports. It needs p.mu.
func (p *player) setNode(ln *lavaNode) {
	if p.node == ln {
		return
	}
	if p.node != nil {
		p.node.addPlayers(-1)
	}
	if ln != nil {
		ln.addPlayers(1)
	}
	p.node = ln
	p.wd.nodeChanged(p.m.clock.Now())
}

// timerSlot is a Clock timer with a generation, so that a callback that
// lost the race with Stop recognises itself as stale.
type timerSlot struct {
	t   Timer
	gen uint64
}

// arm replaces the timer with one calling f(gen) after d; stop cancels
// it. Both need p.mu.
func (s *timerSlot) arm(c Clock, d time.Duration, f func(gen uint64)) {
	s.stop()
	gen := s.gen
	s.t = c.AfterFunc(d, func() { f(gen) })
}

func (s *timerSlot) stop() {
	if s.t != nil {
		s.t.Stop()
		s.t = nil
	}
	s.gen++
}

func (s *timerSlot) armed() bool { return s.t != nil }

// post queues task to run with the player's turn, after the tasks queued
// before it. It never blocks: a goroutine owned by the Manager runs the
// queue while it is not empty. Tasks posted after Close, or to a removed
// player, are dropped.
func (p *player) post(task func(ctx context.Context)) {
	m := p.m
	m.life.RLock()
	defer m.life.RUnlock()
	if m.closed {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gone {
		return
	}
	p.inbox = append(p.inbox, task)
	if !p.draining {
		p.draining = true
		m.wg.Go(p.drain)
	}
}

func (p *player) drain() {
	ctx := p.m.ctx
	for {
		p.mu.Lock()
		if len(p.inbox) == 0 || p.gone || ctx.Err() != nil {
			p.inbox, p.draining = nil, false
			p.mu.Unlock()
			return
		}
		task := p.inbox[0]
		p.inbox[0] = nil
		p.inbox = p.inbox[1:]
		p.mu.Unlock()
		select {
		case p.turn <- struct{}{}:
		case <-ctx.Done():
			continue
		}
		if !p.isGone() {
			task(ctx)
		}
		<-p.turn
	}
}

func (p *player) isGone() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gone
}

// playerMap holds the players, in shards.
type playerMap struct {
	shards [shardCount]struct {
		mu      sync.Mutex
		players map[snowflake.ID]*player
	}
}

func (pm *playerMap) init() {
	for i := range pm.shards {
		pm.shards[i].players = make(map[snowflake.ID]*player)
	}
}

func (pm *playerMap) get(guild snowflake.ID) *player {
	s := &pm.shards[uint64(guild)%shardCount]
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.players[guild]
}

func (pm *playerMap) getOrCreate(m *Manager, guild snowflake.ID) *player {
	s := &pm.shards[uint64(guild)%shardCount]
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.players[guild]
	if p == nil {
		p = &player{m: m, guild: guild, turn: make(chan struct{}, 1)}
		s.players[guild] = p
	}
	return p
}

// remove deletes p, if it is still the guild's player.
func (pm *playerMap) remove(p *player) {
	s := &pm.shards[uint64(p.guild)%shardCount]
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.players[p.guild] == p {
		delete(s.players, p.guild)
	}
}

// all returns every player.
func (pm *playerMap) all() []*player {
	var out []*player
	for i := range pm.shards {
		s := &pm.shards[i]
		s.mu.Lock()
		for _, p := range s.players {
			out = append(out, p)
		}
		s.mu.Unlock()
	}
	return out
}

// acquire takes the turn of the guild's player, creating the player when
// create is set; without create it returns nil when the guild has none.
func (m *Manager) acquire(ctx context.Context, guild snowflake.ID, create bool) (*player, error) {
	for {
		var p *player
		if create {
			p = m.players.getOrCreate(m, guild)
		} else if p = m.players.get(guild); p == nil {
			return nil, nil
		}
		select {
		case p.turn <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-m.ctx.Done():
			return nil, ErrManagerClosed
		}
		if !p.isGone() {
			return p, nil
		}
		<-p.turn
	}
}

func (p *player) release() { <-p.turn }

// discardIfEmpty removes a player that holds no session, under its
// turn, and gives back the guild's lease unless a write of the guild's
// session waits.
func (m *Manager) discardIfEmpty(p *player) {
	p.mu.Lock()
	empty := p.sess == nil
	if empty {
		p.gone = true
		p.idle.stop()
		p.empty.stop()
		p.stopQueueTimers()
	}
	p.mu.Unlock()
	if empty {
		m.releaseIfIdle(m.ctx, p)
		m.players.remove(p)
	}
}

// stopTimers stops every player's timers, at Close.
func (m *Manager) stopTimers() {
	for _, p := range m.players.all() {
		p.mu.Lock()
		p.idle.stop()
		p.empty.stop()
		p.stopQueueTimers()
		p.mu.Unlock()
	}
}
