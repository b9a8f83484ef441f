package music

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/metrics"
	"github.com/tunekit/tunekit/music/internal/node"
	"github.com/tunekit/tunekit/resilience"
)

// errMoveFailed marks a failed relocation: the player plays on where it
// is and the move is tried again later.
var errMoveFailed = errors.New("music: moving the player failed")

// A failed sync of a player is tried again after syncRetry, doubling up
// to syncRetryMax, at most syncAttempts times (about three minutes in
// all, enough for a frontend that connects to Discord after the Manager
// started); then the session ends with LeaveFailed.
const (
	syncRetry    = time.Second
	syncRetryMax = 30 * time.Second
	syncAttempts = 10
)

// supervisor watches the nodes from one goroutine and brings players back
// in step with a node: after the bot restarted, after a node restarted
// without its session, and when a node was lost for longer than the
// grace period (failover). Such a sync runs with the guild's turn, in a
// goroutine of its own, at most maxMigrations at once and maxPerNode onto
// any one node; the rest wait their turn, and players with no node to go
// to wait for one to return.
type supervisor struct {
	m      *Manager
	signal chan struct{}

	mu    sync.Mutex
	inbox []supMsg

	// Owned by run.
	lost     map[*lavaNode]*lostNode
	pending  []snowflake.ID
	queued   map[snowflake.ID]bool
	inflight int
	perNode  map[*lavaNode]int
	failures map[snowflake.ID]int // failed syncs in a row, by guild
	epoch    int

	// observe, set by tests before Start, sees each message once it and
	// the syncs it allows have been dealt with.
	observe func(supMsg)
}

type lostNode struct {
	since     time.Time
	epoch     int
	graceOver bool
}

type supKind uint8

const (
	msgUp supKind = iota
	msgDown
	msgGrace
	msgSync
	msgDone
	msgBreaker
	msgReconciled // for tests: a reconcile finished
	msgDrain      // a node started draining
)

type supMsg struct {
	kind    supKind
	ln      *lavaNode
	resumed bool
	epoch   int
	guild   snowflake.ID
	err     error
	state   resilience.State
}

func newSupervisor(m *Manager) *supervisor {
	return &supervisor{
		m:        m,
		signal:   make(chan struct{}, 1),
		lost:     make(map[*lavaNode]*lostNode),
		queued:   make(map[snowflake.ID]bool),
		perNode:  make(map[*lavaNode]int),
		failures: make(map[snowflake.ID]int),
	}
}

func (s *supervisor) send(msg supMsg) {
	s.mu.Lock()
	s.inbox = append(s.inbox, msg)
	s.mu.Unlock()
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

func (s *supervisor) nodeUp(ln *lavaNode, resumed bool) {
	s.send(supMsg{kind: msgUp, ln: ln, resumed: resumed})
}
func (s *supervisor) nodeDown(ln *lavaNode, err error) {
	s.send(supMsg{kind: msgDown, ln: ln, err: err})
}
func (s *supervisor) needSync(guild snowflake.ID) { s.send(supMsg{kind: msgSync, guild: guild}) }
func (s *supervisor) breakerChanged(ln *lavaNode, to resilience.State) {
	s.send(supMsg{kind: msgBreaker, ln: ln, state: to})
}

func (s *supervisor) run() {
	ctx := s.m.ctx
	// Until a node says ready it counts as lost since now, so that
	// restored players wait the grace period for the node that played
	// them before moving elsewhere.
	for _, ln := range s.m.nodes {
		if !ln.client.Connected() {
			s.markLost(ln)
		}
	}
	for {
		s.mu.Lock()
		msgs := s.inbox
		s.inbox = nil
		s.mu.Unlock()
		for _, msg := range msgs {
			s.handle(msg)
		}
		s.pump()
		if s.observe != nil {
			for _, msg := range msgs {
				s.observe(msg)
			}
		}
		select {
		case <-s.signal:
		case <-ctx.Done():
			return // pending timers only queue messages nobody reads
		}
	}
}

func (s *supervisor) handle(msg supMsg) {
	m := s.m
	switch msg.kind {
	case msgUp:
		delete(s.lost, msg.ln)
		m.updateNodeMetrics()
		for _, p := range m.players.all() {
			p.mu.Lock()
			on := p.node == msg.ln && p.sess != nil
			if on && !msg.resumed {
				p.needSync = true // the node lost its players: play again
			}
			need := p.needSync && p.sess != nil
			p.mu.Unlock()
			if need {
				s.enqueue(p.guild)
			}
		}
		if msg.resumed {
			s.reconcile(msg.ln)
		}
		s.relocateFrom()
	case msgDrain:
		s.relocateFrom()
	case msgDown:
		m.updateNodeMetrics()
		if s.lost[msg.ln] == nil {
			m.log.Warn("lavalink node lost", "node", msg.ln.name, "error", msg.err, "grace", m.opt.grace)
			m.cfg.Metrics.TrackError(metrics.ComponentLavalink, metrics.KindUnavailable, metrics.SeverityHigh)
			s.markLost(msg.ln)
		}
	case msgBreaker:
		switch {
		case msg.state == resilience.StateOpen && s.lost[msg.ln] == nil:
			m.log.Warn("lavalink node breaker open", "node", msg.ln.name)
			s.markLost(msg.ln)
		case msg.state == resilience.StateClosed && s.lost[msg.ln] != nil && msg.ln.client.Connected():
			delete(s.lost, msg.ln)
			s.reconcile(msg.ln)
		}
	case msgGrace:
		l := s.lost[msg.ln]
		if l == nil || l.epoch != msg.epoch {
			return
		}
		l.graceOver = true
		for _, p := range m.players.all() {
			p.mu.Lock()
			on := p.node == msg.ln && p.sess != nil
			if on {
				p.needSync = true
			}
			p.mu.Unlock()
			if on {
				s.enqueue(p.guild)
			}
		}
	case msgSync:
		s.enqueue(msg.guild)
	case msgDone:
		s.inflight--
		if s.perNode[msg.ln]--; s.perNode[msg.ln] <= 0 {
			delete(s.perNode, msg.ln)
		}
		if msg.err == nil {
			delete(s.failures, msg.guild)
			return
		}
		n := s.failures[msg.guild] + 1
		s.failures[msg.guild] = n
		p := m.players.get(msg.guild)
		if p == nil {
			delete(s.failures, msg.guild)
			return
		}
		m.log.Warn("player sync failed", "guild", msg.guild, "node", msg.ln.name, "attempt", n, "error", msg.err)
		if errors.Is(msg.err, errMoveFailed) {
			// The player plays on where it is: try again later, for as
			// long as it is to move.
			guild := msg.guild
			m.clock.AfterFunc(min(syncRetry<<min(n-1, 5), syncRetryMax), func() { s.needSync(guild) })
			return
		}
		if n >= syncAttempts {
			delete(s.failures, msg.guild)
			m.wg.Go(func() {
				if p, err := m.acquire(m.ctx, msg.guild, false); err == nil && p != nil {
					m.leave(m.ctx, p, LeaveFailed, true)
					p.release()
				}
			})
			return
		}
		delay := syncRetry
		for i := 1; i < n && delay < syncRetryMax; i++ {
			delay *= 2
		}
		guild := msg.guild
		m.clock.AfterFunc(min(delay, syncRetryMax), func() { s.needSync(guild) })
	}
}

// markLost records ln as lost since now and starts its grace period.
func (s *supervisor) markLost(ln *lavaNode) {
	s.epoch++
	epoch := s.epoch
	s.lost[ln] = &lostNode{since: s.m.clock.Now(), epoch: epoch}
	s.m.clock.AfterFunc(s.m.opt.grace, func() {
		s.send(supMsg{kind: msgGrace, ln: ln, epoch: epoch})
	})
}

func (s *supervisor) enqueue(guild snowflake.ID) {
	if !s.queued[guild] {
		s.queued[guild] = true
		s.pending = append(s.pending, guild)
	}
}

// pump starts the syncs that may start now.
func (s *supervisor) pump() {
	m := s.m
	kept := s.pending[:0]
	for _, guild := range s.pending {
		if s.inflight >= m.opt.maxMigrations {
			kept = append(kept, guild)
			continue
		}
		p := m.players.get(guild)
		if p == nil {
			delete(s.queued, guild)
			continue
		}
		target, wait, drop := s.target(p)
		switch {
		case drop:
			delete(s.queued, guild)
		case wait:
			kept = append(kept, guild)
		default:
			delete(s.queued, guild)
			s.inflight++
			s.perNode[target]++
			m.wg.Go(func() {
				err := m.syncPlayer(m.ctx, guild, target)
				s.send(supMsg{kind: msgDone, guild: guild, ln: target, err: err})
			})
		}
	}
	clear(s.pending[len(kept):])
	s.pending = kept
}

// target chooses where p goes. A player to sync stays on its own node
// while that is healthy; once its node is past the grace period it goes
// to the healthy node with the lowest penalty that offers the track's
// source and filters and has room for another migration. A player to
// relocate (its node drains, or the watchdog moves it) goes to such a
// node other than its own and the draining ones. wait reports that p
// must wait (for its node's grace period, for room, or for any node to
// come back); drop that it needs no sync (a relocation with nowhere to
// go is dropped, and tried again when a node comes up).
func (s *supervisor) target(p *player) (target *lavaNode, wait, drop bool) {
	p.mu.Lock()
	cur, avoid := p.node, p.avoid
	sync := p.needSync
	need := (sync || p.relocate) && p.sess != nil && !p.gone
	var source string
	var filters []string
	if need {
		if t, ok := p.sess.Current(); ok {
			source = t.Info.SourceName
		}
		_, filters = filtersOf(p.sess.Filters())
	}
	p.mu.Unlock()
	if !need {
		return nil, false, true
	}
	max := s.m.opt.maxPerNode
	leaving := cur != nil && (cur.draining.Load() || cur == avoid)
	if cur != nil {
		switch {
		case cur.healthy() && !leaving && sync:
			return cur, s.perNode[cur] >= max, false
		case cur.healthy() && !leaving:
			s.stay(p) // a relocation called off (the node was undrained)
			return nil, false, true
		case !cur.healthy():
			if l := s.lost[cur]; l == nil || !l.graceOver {
				return nil, true, false
			}
		}
	}
	var best *lavaNode
	bestPenalty, candidates := 0.0, 0
	for _, ln := range s.m.nodes {
		if ln == cur || !ln.placeable() || !ln.hasSource(source) {
			continue
		}
		if _, ok := ln.hasFilters(filters); !ok {
			continue
		}
		candidates++
		if s.perNode[ln] >= max {
			continue
		}
		if pen := ln.client.Penalty(); best == nil || pen < bestPenalty {
			best, bestPenalty = ln, pen
		}
	}
	switch {
	case best != nil:
		return best, false, false
	case candidates > 0 || cur == nil || !cur.healthy():
		return nil, true, false
	case sync:
		return cur, s.perNode[cur] >= max, false // nowhere else to go
	}
	s.stay(p)
	return nil, false, true
}

// stay drops p's relocation.
func (s *supervisor) stay(p *player) {
	p.mu.Lock()
	p.relocate, p.avoid = false, nil
	p.mu.Unlock()
}

// reconcile destroys, on a node that came back with its session, the
// players of guilds that moved away meanwhile (each with the guild's
// turn, so that a move in progress is not undone).
func (s *supervisor) reconcile(ln *lavaNode) {
	m := s.m
	m.wg.Go(func() {
		defer s.send(supMsg{kind: msgReconciled, ln: ln})
		ctx, cancel := context.WithTimeout(m.ctx, storeTimeout)
		defer cancel()
		players, err := ln.client.Players(ctx)
		if err != nil {
			m.log.Warn("list players to reconcile", "node", ln.name, "error", err)
			return
		}
		for _, np := range players {
			p, err := m.acquire(ctx, np.GuildID, false)
			if err != nil {
				return
			}
			stray := p == nil
			if p != nil {
				p.mu.Lock()
				stray = p.node != ln
				p.mu.Unlock()
			}
			if stray {
				if err := ln.client.DestroyPlayer(ctx, np.GuildID); err != nil {
					m.log.Warn("destroy stray player", "node", ln.name, "guild", np.GuildID, "error", err)
				}
			}
			if p != nil {
				p.release()
			}
		}
	})
}

// syncPlayer gives target the guild's whole state: it joins voice if the
// bot is not connected (after a restart), then creates or updates the
// node's player with the voice state, the current track at its position
// (the saved one after a restart, advanced by the time played otherwise),
// paused, volume and filters. A player still playing it (a resumed
// session) is adopted as it is. It runs with the guild's turn.
func (m *Manager) syncPlayer(ctx context.Context, guild snowflake.ID, target *lavaNode) error {
	p, err := m.acquire(ctx, guild, false)
	if err != nil || p == nil {
		return err
	}
	defer p.release()
	now := m.clock.Now()
	p.mu.Lock()
	if !(p.needSync || p.relocate) || p.sess == nil || (!p.needSync && target == p.node) {
		p.relocate, p.avoid = false, nil
		p.mu.Unlock()
		return nil
	}
	// A relocation moves a player that plays on: nothing is lost if it
	// fails, and it is tried again.
	relocating := !p.needSync
	sess := p.sess
	from, restored := p.node, p.restored
	voiceCh := sess.VoiceChannelID()
	cur, has := sess.Current()
	paused := sess.Paused()
	pos := sess.Position(now)
	if restored {
		pos, _ = sess.LastPosition()
	}
	vol := lavalinkVolume(sess.Volume())
	filters, _ := filtersOf(sess.Filters())
	p.mu.Unlock()

	if voiceCh == 0 {
		if relocating && from != nil && from.healthy() {
			if err := from.client.DestroyPlayer(ctx, guild); err != nil {
				return fmt.Errorf("%w: %w", errMoveFailed, nodeErr(err))
			}
		}
		p.mu.Lock()
		if relocating {
			p.relocate, p.avoid = false, nil
			p.setNode(nil)
		} else {
			p.needSync, p.restored = false, false
			m.armIdle(p)
		}
		p.mu.Unlock()
		return nil
	}
	bot := m.voice.bot(guild)
	voice := bot.lavalink()
	if !bot.complete() || bot.channel != voiceCh {
		if voice, err = m.join(ctx, guild, voiceCh); err != nil {
			if relocating {
				return fmt.Errorf("%w: %w", errMoveFailed, err)
			}
			return err
		}
	}
	playID := m.newPlayID()
	upd := node.PlayerUpdate{Voice: &voice, Volume: &vol, Filters: filters}
	if filters == nil {
		upd.Filters = &node.Filters{}
	}
	adopted := false
	if has && target == from {
		if np, err := target.client.Player(ctx, guild); err == nil && np.Track != nil && np.Track.Encoded == cur.Encoded {
			adopted = true
			pos, paused = time.Duration(np.Track.Info.Position)*time.Millisecond, np.Paused
			if id := playIDOf(*np.Track); id != "" {
				playID = id
			}
		}
	}
	if has && !adopted {
		upd.Track = &node.TrackUpdate{Encoded: cur.Encoded, UserData: userData(playID)}
		upd.Position, upd.Paused = ptr(msDuration(pos)), &paused
	}
	if _, err := target.client.UpdatePlayer(ctx, guild, upd, false); err != nil {
		if relocating {
			return fmt.Errorf("%w: %w", errMoveFailed, nodeErr(err))
		}
		return nodeErr(err)
	}
	// A player that leaves a node that still runs keeps counting there
	// until its DELETE returns, so that a drain ends only once the node
	// holds none.
	leaving := from != nil && from != target && from.healthy()
	if leaving {
		from.addPlayers(1)
	}
	p.mu.Lock()
	p.setNode(target)
	p.sentVoice, p.needSync, p.restored = voice, false, false
	p.relocate, p.avoid = false, nil
	sess.SetNode(target.name, target.client.SessionID())
	if has {
		p.playID = playID
		sess.Observe(pos, now)
	} else if !relocating || !p.idle.armed() {
		m.armIdle(p)
	}
	p.mu.Unlock()
	m.saver.dirty(guild, true)
	if leaving {
		// The player left a node that still runs: stop it there, so
		// that only one plays.
		if err := from.client.DestroyPlayer(ctx, guild); err != nil {
			m.log.WarnContext(ctx, "destroy player on the node left", "guild", guild, "node", from.name, "error", err)
		}
		from.addPlayers(-1)
	}
	if from != nil && from != target {
		m.log.Info("player moved", "guild", guild, "from", from.name, "to", target.name, "position", pos)
		m.publish(PlayerMoved{GuildID: guild, From: from.name, To: target.name, Position: pos, At: now})
	}
	if restored && has {
		m.publish(TrackStarted{GuildID: guild, Track: cur, Node: target.name, At: now})
	}
	return nil
}
