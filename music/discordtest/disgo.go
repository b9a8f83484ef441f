package discordtest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/events"
	"github.com/disgoorg/disgo/gateway"
)

// CloseClient shuts down a disgo client connected to s so that neither the
// race detector nor a goroutine-leak check finds anything of disgo's left
// behind. It is the last thing a test does with the client; see "Using
// with disgo" in the package documentation for the recipe and the reasons.
//
// For every gateway of the client (client.Gateway, or each shard of
// client.ShardManager) that is ready, CloseClient sends a heartbeat from
// the calling goroutine and waits until the client has handled its ACK.
// The server answers after every event it dispatched before, and disgo
// handles gateway messages in order, so at that point the client has
// handled every event (and, unless events are asynchronous, every event
// listener and interaction handler has returned). It then closes the
// voice manager, the gateways and shards, and only then the REST client,
// which disgo v0.19.6 cannot close while a request is in flight. Gateways
// that are not ready (never opened, or between connections) are closed
// without the handshake. Last, it waits for the server to see each
// connection close and checks that disgo sent a single heartbeat of its
// own on it.
//
// CloseClient closes the client in every case and returns what went
// wrong, joined: an error matching [ErrNoReadyAfterHeartbeat] when a
// gateway is connected but s was started without
// [WithReadyAfterHeartbeat]; one matching [ErrLateClose] when disgo
// heartbeated more than once on a connection; the server's or ctx's error
// when waiting failed. ctx bounds the whole shutdown: when it ends,
// CloseClient stops waiting and closes the client at once.
//
// Call it once the test has stopped changing the world and making
// requests: events dispatched or REST calls started while it runs defeat
// its ordering. If an event listener of the client never returns,
// CloseClient gives up when ctx ends; the client's goroutines then stay
// blocked in that listener. Calling CloseClient again for the same client
// returns the first call's result; the client must not have been closed
// otherwise (disgo's REST client blocks forever when closed twice).
func CloseClient(ctx context.Context, s *Server, client *bot.Client) error {
	s.mu.Lock()
	cc := s.clients[client]
	if cc == nil {
		cc = &clientClose{}
		s.clients[client] = cc
	}
	s.mu.Unlock()
	cc.once.Do(func() { cc.err = s.closeClient(ctx, client) })
	return cc.err
}

// clientClose is the outcome of closing one client.
type clientClose struct {
	once sync.Once
	err  error
}

func (s *Server) closeClient(ctx context.Context, client *bot.Client) error {
	var gateways, ready []gateway.Gateway
	if client.Gateway != nil {
		gateways = append(gateways, client.Gateway)
	}
	if client.ShardManager != nil {
		for g := range client.ShardManager.Shards() {
			gateways = append(gateways, g)
		}
	}
	for _, g := range gateways {
		if g.Status() == gateway.StatusReady {
			ready = append(ready, g)
		}
	}

	var errs []error
	var sessions []string
	if len(ready) > 0 {
		if s.cfg.readyAfterHeartbeat {
			var err error
			sessions, err = s.drain(ctx, client, ready)
			errs = append(errs, err)
		} else {
			errs = append(errs, ErrNoReadyAfterHeartbeat)
		}
	}

	if client.VoiceManager != nil {
		client.VoiceManager.Close(ctx)
	}
	if client.Gateway != nil {
		client.Gateway.Close(ctx)
	}
	if client.ShardManager != nil {
		client.ShardManager.Close(ctx)
	}
	for _, id := range sessions {
		errs = append(errs, s.checkClosed(ctx, id))
	}
	if client.Rest != nil {
		client.Rest.Close(ctx)
	}
	if client.HTTPServer != nil {
		client.HTTPServer.Close(ctx)
	}
	return errors.Join(errs...)
}

// drain sends a heartbeat through every ready gateway and waits until the
// client has handled each ACK. It returns the IDs of the server sessions
// it drained.
func (s *Server) drain(ctx context.Context, client *bot.Client, ready []gateway.Gateway) ([]string, error) {
	// disgo holds its listener lock while a listener runs, so adding one
	// waits for a listener that is still busy; ctx bounds that wait. The
	// listener stays: the client is about to close.
	acks := newAckWatch()
	added := make(chan struct{})
	go func() {
		defer close(added)
		client.AddEventListeners(acks)
	}()
	select {
	case <-added:
	case <-ctx.Done():
		return nil, fmt.Errorf("discordtest: waiting for the client's event listeners to return: %w", ctx.Err())
	}

	var (
		errs     []error
		sessions []string
		shards   []int
	)
	for _, g := range ready {
		// Status Ready was stored after the session ID, under the lock
		// Status takes, so this read is ordered after that write.
		id := g.SessionID()
		if id == nil {
			continue
		}
		sess, ok := s.session(*id)
		if !ok || !sess.Connected {
			errs = append(errs, fmt.Errorf("discordtest: shard %d: session %s is not connected to this server", g.ShardID(), *id))
			continue
		}
		// Sent from this goroutine, the heartbeat takes the gateway's
		// connection lock, which disgo's heartbeat goroutine released after
		// its first heartbeat, so the closing goroutine is ordered after
		// everything that goroutine did, including storing its cancel func.
		if err := g.Send(ctx, gateway.OpcodeHeartbeat, gateway.MessageDataHeartbeat(sess.Seq)); err != nil {
			errs = append(errs, fmt.Errorf("discordtest: shard %d: send heartbeat: %w", g.ShardID(), err))
			continue
		}
		sessions = append(sessions, *id)
		shards = append(shards, g.ShardID())
	}
	if err := acks.wait(ctx, s, shards); err != nil {
		errs = append(errs, err)
	}
	return sessions, errors.Join(errs...)
}

// session returns the session with the ID.
func (s *Server) session(id string) (Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sess := range s.sessions {
		if sess.info.ID == id {
			return sess.info, true
		}
	}
	return Session{}, false
}

// checkClosed waits until the session's connection is gone and reports
// [ErrLateClose] if it carried more than disgo's first heartbeat and the
// one [CloseClient] sent.
func (s *Server) checkClosed(ctx context.Context, id string) error {
	sess, err := s.WaitSession(ctx, func(x Session) bool { return x.ID == id && !x.Connected })
	if err != nil {
		return fmt.Errorf("discordtest: session %s: waiting for the connection to close: %w", id, err)
	}
	if sess.ConnHeartbeats > 2 {
		return fmt.Errorf("discordtest: shard %d sent %d heartbeats on its connection, want 1 before CloseClient's: %w",
			sess.Shard, sess.ConnHeartbeats-1, ErrLateClose)
	}
	return nil
}

// ackWatch is an event listener noting on which shards a heartbeat ACK
// was handled.
type ackWatch struct {
	mu      sync.Mutex
	shards  map[int]bool
	changed chan struct{} // closed and replaced when shards changes
}

func newAckWatch() *ackWatch {
	return &ackWatch{shards: map[int]bool{}, changed: make(chan struct{})}
}

// OnEvent implements bot.EventListener.
func (w *ackWatch) OnEvent(e bot.Event) {
	ack, ok := e.(*events.HeartbeatAck)
	if !ok {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.shards[ack.ShardID()] = true
	close(w.changed)
	w.changed = make(chan struct{})
}

// wait blocks until an ACK was handled on every shard, ctx ends or the
// server closes.
func (w *ackWatch) wait(ctx context.Context, s *Server, shards []int) error {
	for {
		w.mu.Lock()
		missing := -1
		for _, sh := range shards {
			if !w.shards[sh] {
				missing = sh
				break
			}
		}
		changed := w.changed
		w.mu.Unlock()
		if missing < 0 {
			return nil
		}
		s.mu.Lock()
		closed, serverChanged := s.closed, s.changed
		s.mu.Unlock()
		if closed {
			return fmt.Errorf("discordtest: shard %d: waiting for the heartbeat ACK: %w", missing, ErrClosed)
		}
		select {
		case <-changed:
		case <-serverChanged:
		case <-ctx.Done():
			return fmt.Errorf("discordtest: shard %d: waiting for the heartbeat ACK: %w", missing, ctx.Err())
		}
	}
}
