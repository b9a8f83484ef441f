package lavalinktest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/disgolink"
)

// ErrClosed is returned by the methods of a [Node] that has been closed.
var ErrClosed = errors.New("lavalinktest: node closed")

// ErrNoPlayer is returned by the fault methods of a [Node] when no player
// (or no player with a track, where one is needed) exists for the guild.
var ErrNoPlayer = errors.New("lavalinktest: no such player")

// Node is a fake Lavalink v4 node: an HTTP and websocket server on a
// loopback port that speaks the protocol as Lavalink does, holds sessions
// and players, plays tracks on its [Clock], and lets a test inject faults
// and inspect what happened.
//
// A Node is safe for concurrent use.
type Node struct {
	cfg   config
	clock *Clock
	addr  string

	mu        sync.Mutex
	closed    bool
	life      *life
	catalogue catalogue
	requests  []Request
	failRest  []injected
	failWS    []injected
	latency   time.Duration
	frozen    bool
	load      Load
	timers    map[*timer]struct{}

	wg sync.WaitGroup // writer goroutines and servers
}

// injected is one batch of injected failures.
type injected struct {
	n      int
	status int
}

// NewNode starts a node on 127.0.0.1 at a free port. Close it with
// [Node.Close].
func NewNode(opts ...Option) (*Node, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	n := &Node{
		cfg:       cfg,
		clock:     cfg.clock,
		catalogue: newCatalogue(&cfg),
		timers:    map[*timer]struct{}{},
	}
	if n.clock == nil {
		n.clock = newRealClock()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lavalinktest: listen: %w", err)
	}
	n.addr = ln.Addr().String()
	n.mu.Lock()
	n.startLocked(ln)
	n.mu.Unlock()
	return n, nil
}

// NewNodeT starts a node like [NewNode], fails tb if that fails, and closes
// the node when tb's test ends.
func NewNodeT(tb testing.TB, opts ...Option) *Node {
	tb.Helper()
	n, err := NewNode(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(n.Close)
	return n
}

// Addr returns the node's host:port, as disgolink's NodeConfig.Address
// wants it. It stays the same across [Node.Kill] and [Node.Restart].
func (n *Node) Addr() string { return n.addr }

// URL returns the node's base URL, http://host:port.
func (n *Node) URL() string { return "http://" + n.addr }

// WebSocketURL returns the URL of the node's websocket,
// ws://host:port/v4/websocket.
func (n *Node) WebSocketURL() string { return "ws://" + n.addr + "/v4/websocket" }

// Password returns the password clients must send.
func (n *Node) Password() string { return n.cfg.password }

// Version returns the Lavalink version the node speaks.
func (n *Node) Version() string { return n.cfg.version.semver }

// Clock returns the node's clock.
func (n *Node) Clock() *Clock { return n.clock }

// Advance moves the node's clock forward; see [Clock.Advance]. With a
// shared clock every node on it moves.
func (n *Node) Advance(d time.Duration) { n.clock.Advance(d) }

// NodeConfig returns a disgolink node configuration for this node.
func (n *Node) NodeConfig(name string) disgolink.NodeConfig {
	return disgolink.NodeConfig{Name: name, Address: n.addr, Password: n.cfg.password}
}

// Close shuts the node down: every websocket is closed with code 1001 (as
// a Lavalink shutdown does), the server stops, every timer is cancelled
// and every goroutine the node started has returned when Close returns.
// Close is idempotent.
func (n *Node) Close() {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.closed = true
	l := n.life
	n.life = nil
	n.mu.Unlock()
	if l != nil {
		l.shutdown(websocketGoingAway)
	}
	n.mu.Lock()
	for t := range n.timers {
		t.stopLocked()
	}
	n.mu.Unlock()
	if n.cfg.clock == nil {
		n.clock.close()
	}
	n.wg.Wait()
}

// Kill makes the node vanish as a crashed process does: websockets are
// dropped without a close frame (clients see 1006), new connections are
// refused, and all sessions and players are lost. It stays down until
// [Node.Restart]. Kill on a node that is down or closed does nothing.
func (n *Node) Kill() {
	n.mu.Lock()
	l := n.life
	n.life = nil
	n.mu.Unlock()
	if l != nil {
		l.shutdown(0)
	}
}

// Restart starts a fresh node process on the same address: a running node
// is first shut down as Lavalink shuts down (close code 1001), a killed one
// comes back. The new process has no sessions or players and its uptime
// starts again, so a client that reconnects with its old Session-Id gets a
// new session (resumed false) and must recreate its players. The
// catalogue, options and injected faults are kept.
func (n *Node) Restart() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return ErrClosed
	}
	l := n.life
	n.life = nil
	n.mu.Unlock()
	if l != nil {
		l.shutdown(websocketGoingAway)
	}
	ln, err := net.Listen("tcp", n.addr)
	if err != nil {
		return fmt.Errorf("lavalinktest: restart: %w", err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		ln.Close()
		return ErrClosed
	}
	n.startLocked(ln)
	return nil
}

// Disconnect closes every websocket the node holds, as a network failure
// or a proxy restart would, while the node itself keeps running. With code
// 0 the connections are dropped without a close frame (clients see 1006);
// otherwise a close frame with code and reason is sent first. Sessions
// with resuming enabled wait for their client as [Node.Sessions] shows;
// the others are shut down. Disconnect returns once the node has handled
// every closed connection.
func (n *Node) Disconnect(code int, reason string) error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return ErrClosed
	}
	l := n.life
	var conns []*wsConn
	if l != nil {
		for c := range l.conns {
			conns = append(conns, c)
		}
	}
	n.mu.Unlock()
	for _, c := range conns {
		// End the session's use of the connection before the client can
		// see the close, so that a client reconnecting at once finds its
		// session paused.
		c.stopWriter()
		n.mu.Lock()
		l.connEndedLocked(c)
		n.mu.Unlock()
		c.close(code, reason)
	}
	for _, c := range conns {
		<-c.ended
	}
	return nil
}

// startLocked starts a new life serving ln.
func (n *Node) startLocked(ln net.Listener) {
	ctx, cancel := context.WithCancel(context.Background())
	l := &life{
		n:        n,
		ln:       ln,
		ctx:      ctx,
		cancel:   cancel,
		started:  n.clock.Now(),
		sessions: map[string]*session{},
		paused:   map[string]*session{},
		conns:    map[*wsConn]struct{}{},
	}
	l.srv = &http.Server{
		Handler:           l,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(n.cfg.logger.Handler(), slog.LevelDebug),
	}
	n.life = l
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		_ = l.srv.Serve(ln)
	}()
}

// life is one run of the node's process, from start (or restart) to
// kill, restart or close.
type life struct {
	n       *Node
	srv     *http.Server
	ln      net.Listener
	ctx     context.Context
	cancel  context.CancelFunc
	started time.Time

	// Guarded by n.mu.
	dead          bool
	sessions      map[string]*session // connected
	paused        map[string]*session // waiting to be resumed
	conns         map[*wsConn]struct{}
	statsBaseline bool

	handlers sync.WaitGroup
}

// shutdown ends the life. Code 0 drops websockets, any other code closes
// them with it.
func (l *life) shutdown(code int) {
	n := l.n
	n.mu.Lock()
	l.dead = true
	var conns []*wsConn
	for c := range l.conns {
		conns = append(conns, c)
	}
	n.mu.Unlock()
	l.cancel()
	_ = l.srv.Close()
	for _, c := range conns {
		c.close(code, "")
	}
	for _, c := range conns {
		<-c.ended
	}
	l.handlers.Wait()
	n.mu.Lock()
	for _, s := range l.sessions {
		s.destroyLocked()
	}
	for _, s := range l.paused {
		s.destroyLocked()
	}
	l.sessions = map[string]*session{}
	l.paused = map[string]*session{}
	n.mu.Unlock()
}

// enter registers a request handler with the life; it reports false when
// the life has ended.
func (l *life) enter() bool {
	l.n.mu.Lock()
	defer l.n.mu.Unlock()
	if l.dead {
		return false
	}
	l.handlers.Add(1)
	return true
}

// timer is a node-owned timer whose callback runs under n.mu.
type timer struct {
	n    *Node
	ct   *clockTimer
	live bool
}

// afterLocked schedules f to run under n.mu after d on the node's clock.
func (n *Node) afterLocked(d time.Duration, f func()) *timer {
	t := &timer{n: n, live: true}
	n.timers[t] = struct{}{}
	t.ct = n.clock.afterFunc(d, func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		if !t.live || n.closed {
			return
		}
		t.live = false
		delete(n.timers, t)
		f()
	})
	return t
}

// stopLocked cancels t; nil and fired timers are fine.
func (t *timer) stopLocked() {
	if t == nil || !t.live {
		return
	}
	t.live = false
	delete(t.n.timers, t)
	t.n.clock.stop(t.ct)
}

// now is the node's clock reading.
func (n *Node) now() time.Time { return n.clock.Now() }
