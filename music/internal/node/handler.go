package node

import (
	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

// Handler receives what a [Node] hears from its server. A node calls it
// from its one connection goroutine, in the order the frames arrived, and
// never while holding its own locks, so a Handler may call any method of
// the node except [Node.Close] (which waits for that goroutine). A slow
// Handler delays the frames behind it; hand long work to another
// goroutine.
//
// Every OnReady is followed by exactly one OnDisconnect, before the next
// OnReady.
type Handler interface {
	// OnReady is called once a connection is ready for use: the ready op
	// has arrived, resuming has been requested and the node's info has
	// been read. resumed reports that the session (and so its players)
	// survived from the previous connection; after resumed == false the
	// node holds none of this client's earlier players.
	OnReady(n *Node, sessionID string, resumed bool)
	// OnDisconnect is called when a ready connection ends, with the
	// reason; after [Node.Close] the reason matches [ErrClosed].
	OnDisconnect(n *Node, err error)
	// OnStats is called for each stats op.
	OnStats(n *Node, stats lavalink.Stats)
	// OnPlayerUpdate is called for each playerUpdate op.
	OnPlayerUpdate(n *Node, guild snowflake.ID, state lavalink.PlayerState)
	// OnEvent is called for each of the five Lavalink events, as a
	// [lavalink.TrackStartEvent], [TrackEndEvent],
	// [lavalink.TrackExceptionEvent], [lavalink.TrackStuckEvent] or
	// [lavalink.WebSocketClosedEvent] value.
	OnEvent(n *Node, event lavalink.Event)
}

// HandlerFuncs is a [Handler] made of optional functions; a nil field
// ignores its calls.
type HandlerFuncs struct {
	Ready        func(n *Node, sessionID string, resumed bool)
	Disconnect   func(n *Node, err error)
	Stats        func(n *Node, stats lavalink.Stats)
	PlayerUpdate func(n *Node, guild snowflake.ID, state lavalink.PlayerState)
	Event        func(n *Node, event lavalink.Event)
}

var _ Handler = HandlerFuncs{}

// OnReady calls h.Ready if set.
func (h HandlerFuncs) OnReady(n *Node, sessionID string, resumed bool) {
	if h.Ready != nil {
		h.Ready(n, sessionID, resumed)
	}
}

// OnDisconnect calls h.Disconnect if set.
func (h HandlerFuncs) OnDisconnect(n *Node, err error) {
	if h.Disconnect != nil {
		h.Disconnect(n, err)
	}
}

// OnStats calls h.Stats if set.
func (h HandlerFuncs) OnStats(n *Node, stats lavalink.Stats) {
	if h.Stats != nil {
		h.Stats(n, stats)
	}
}

// OnPlayerUpdate calls h.PlayerUpdate if set.
func (h HandlerFuncs) OnPlayerUpdate(n *Node, guild snowflake.ID, state lavalink.PlayerState) {
	if h.PlayerUpdate != nil {
		h.PlayerUpdate(n, guild, state)
	}
}

// OnEvent calls h.Event if set.
func (h HandlerFuncs) OnEvent(n *Node, event lavalink.Event) {
	if h.Event != nil {
		h.Event(n, event)
	}
}
