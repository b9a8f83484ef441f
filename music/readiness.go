package music

import (
	"time"

	"github.com/tunekit/tunekit/music/internal/node"
	"github.com/tunekit/tunekit/resilience"
)

// The Manager's phases, as [Manager.Ready] and [Manager.Nodes] read them.
const (
	phaseNew uint32 = iota
	phaseStarted
	phaseClosed
)

// UnavailablePenalty is the [NodeStatus.Penalty] of a node that is not
// connected or has sent no stats yet: the largest float64, above every
// other penalty, and still a number JSON can carry.
const UnavailablePenalty = node.UnavailablePenalty

// NodeStatus is one Lavalink node as the Manager sees it, for readiness
// probes, dashboards and logs.
type NodeStatus struct {
	// Name is the node's name from [NodeConfig].
	Name string
	// Connected reports a ready websocket connection.
	Connected bool
	// Healthy reports that the node can serve: it is connected and its
	// breaker is not open.
	Healthy bool
	// Draining reports that [Manager.DrainNode] is emptying the node:
	// new players do not go to it, whether or not it is healthy.
	Draining bool
	// Breaker is the state of the breaker around the node's REST API.
	Breaker resilience.State
	// Players counts the guilds whose player the Manager has on the node.
	Players int
	// Penalty is the node's load penalty, by which new players are placed
	// (lower is better): the node's playing players, CPU load and frame
	// deficit. It is [UnavailablePenalty] while the node is not connected
	// or has sent no stats.
	Penalty float64
	// Version is the Lavalink version the node reported when it last
	// connected, such as "4.0.8"; "" before that.
	Version string
	// Since is when Connected last changed (when the Manager started, for
	// a node that never connected); zero before Start.
	Since time.Time
}

// Nodes reports every configured node, in the order of Config.Nodes. It
// is cheap enough for a readiness probe or a dashboard polled every
// second: a few atomic loads and short locks per node, no I/O, and
// nothing that grows with the number of guilds. Before Start every node
// is reported disconnected.
func (m *Manager) Nodes() []NodeStatus {
	out := make([]NodeStatus, len(m.cfg.Nodes))
	if m.phase.Load() == phaseNew {
		// Start may be rebuilding the node clients: report the config.
		for i, nc := range m.cfg.Nodes {
			out[i] = NodeStatus{Name: nc.Name, Breaker: resilience.StateClosed, Penalty: UnavailablePenalty}
		}
		return out
	}
	for i, ln := range m.nodes {
		st := ln.client.Status()
		breaker := ln.breaker.State()
		out[i] = NodeStatus{
			Name:      ln.name,
			Connected: st.Connected,
			Healthy:   st.Connected && breaker != resilience.StateOpen,
			Draining:  ln.draining.Load(),
			Breaker:   breaker,
			Players:   int(ln.players.Load()),
			Penalty:   ln.client.Penalty(),
			Since:     st.Since,
		}
		if v := ln.version.Load(); v != nil {
			out[i].Version = *v
		}
	}
	return out
}

// Ready reports whether the Manager can serve: started, not closed, and
// at least one node connected (as [Manager.WaitReady] waits for). It is
// meant for a readiness probe such as /readyz: it reads an atomic and
// each node's connection state, and never waits for I/O or commands.
func (m *Manager) Ready() bool {
	if m.phase.Load() != phaseStarted {
		return false
	}
	for _, ln := range m.nodes {
		if ln.client.Connected() {
			return true
		}
	}
	return false
}
