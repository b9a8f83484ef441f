package music

import (
	"context"
	"errors"
	"fmt"
)

// ErrUnknownNode is matched by the error of [Manager.DrainNode] and
// [Manager.UndrainNode] for a name no configured node has.
var ErrUnknownNode = errors.New("music: no Lavalink node of that name")

// DrainNode empties the named node for maintenance, such as a rolling
// Lavalink upgrade: no new player goes to it, and every player on it
// moves to the other healthy nodes with its voice state, track,
// position, paused state, volume and filters, as in a failover but
// while it plays on, at the migration limits ([WithMigrationLimits]).
// Each move publishes [PlayerMoved]. A player no other node can take
// (none is healthy, or none offers its track's source or filters) stays
// and plays on until one can, and moves then.
//
// DrainNode returns once the node holds none of the Manager's players,
// or when ctx ends (ctx.Err(); the drain goes on). [Manager.Nodes]
// reports the node as Draining until [Manager.UndrainNode]. Draining is
// not stored: a restarted Manager places players on every node again.
// A name no node has is an error matching [ErrUnknownNode].
func (m *Manager) DrainNode(ctx context.Context, name string) error {
	ln, err := m.nodeNamed("drain", name)
	if err != nil {
		return err
	}
	if !ln.draining.Swap(true) {
		m.log.Info("draining lavalink node", "node", name, "players", ln.players.Load())
	}
	m.sup.send(supMsg{kind: msgDrain, ln: ln})
	select {
	case <-ln.emptied():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-m.ctx.Done():
		return ErrManagerClosed
	}
}

// UndrainNode lets new players go to the named node again; moves of its
// players that have not started are called off. A name no node has is an
// error matching [ErrUnknownNode].
func (m *Manager) UndrainNode(name string) error {
	ln, err := m.nodeNamed("undrain", name)
	if err != nil {
		return err
	}
	if ln.draining.Swap(false) {
		m.log.Info("lavalink node no longer draining", "node", name)
	}
	return nil
}

// nodeNamed returns the node called name for an operator command, which
// works only while the Manager runs.
func (m *Manager) nodeNamed(op, name string) (*lavaNode, error) {
	m.life.RLock()
	closed, started := m.closed, m.started
	m.life.RUnlock()
	switch {
	case closed:
		return nil, ErrManagerClosed
	case !started:
		return nil, ErrNotStarted
	}
	ln := m.byName[name]
	if ln == nil {
		return nil, fmt.Errorf("music: %s node %q: %w", op, clip(name, 64), ErrUnknownNode)
	}
	return ln, nil
}

// relocateFrom marks the players on draining nodes to move, and queues
// them; the supervisor calls it when a drain starts and when a node comes
// up (a player that found no node to go to may find one now).
func (s *supervisor) relocateFrom() {
	for _, p := range s.m.players.all() {
		p.mu.Lock()
		on := p.node != nil && p.node.draining.Load() && p.sess != nil && !p.gone
		if on {
			p.relocate = true
		}
		p.mu.Unlock()
		if on {
			s.enqueue(p.guild)
		}
	}
}
