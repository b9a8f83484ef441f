package node

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
	"github.com/gorilla/websocket"

	"github.com/tunekit/tunekit/secureheaders"
)

// Node is a client of one Lavalink v4 node: a websocket connection kept
// alive by one goroutine (started by [Node.Start], stopped by
// [Node.Close]) and the REST API.
//
// A Node is safe for concurrent use.
type Node struct {
	cfg     Config
	handler Handler
	log     *slog.Logger
	client  *http.Client
	ownHTTP bool
	restURL string
	wsURL   string
	jitter  func(k int64) int64

	// ctx is the node's lifecycle, cancelled by Close.
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when the connection goroutine returns

	mu        sync.Mutex
	started   bool
	closed    bool
	netConn   net.Conn        // the connection being dialled or in use
	ws        *websocket.Conn // the websocket, once the handshake is done
	sessionID string
	connected bool
	resumed   bool
	since     time.Time
	lastErr   error
	attempts  int
	stats     lavalink.Stats
	hasStats  bool
	info      lavalink.Info
	hasInfo   bool
	playing   map[snowflake.ID]struct{} // guilds with a playing track, as this client saw it
	ready     chan struct{}             // closed while connected
}

// Status is a snapshot of a node's connection.
type Status struct {
	// Connected reports a ready connection.
	Connected bool
	// SessionID is the current session, or the last one (which the next
	// connection tries to resume); empty before the first.
	SessionID string
	// Resumed reports that the current connection resumed the previous
	// session.
	Resumed bool
	// Since is when Connected last changed, by [Config.Now]; for a node
	// that has never connected, when it was started.
	Since time.Time
	// Err is why the last connection ended or the last attempt failed;
	// nil while connected.
	Err error
	// Attempts counts the failed connection attempts since the last
	// ready.
	Attempts int
}

// New returns a node client for cfg that reports to h (nil for none). It
// validates cfg and does no I/O; [Node.Start] connects. The REST methods
// that need no session work without Start.
func New(cfg Config, h Handler) (*Node, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if h == nil {
		h = HandlerFuncs{}
	}
	n := &Node{
		cfg:       cfg,
		handler:   h,
		log:       logger(cfg),
		client:    cfg.HTTPClient,
		sessionID: cfg.SessionID,
		jitter:    jitter,
		done:      make(chan struct{}),
		playing:   make(map[snowflake.ID]struct{}),
		ready:     make(chan struct{}),
	}
	if n.client == nil {
		transport := &http.Transport{Proxy: http.ProxyFromEnvironment}
		if t, ok := http.DefaultTransport.(*http.Transport); ok {
			transport = t.Clone()
		}
		n.client = &http.Client{Transport: transport, Timeout: DefaultRequestTimeout}
		n.ownHTTP = true
	}
	scheme, wsScheme := "http", "ws"
	if cfg.Secure {
		scheme, wsScheme = "https", "wss"
	}
	n.restURL = scheme + "://" + cfg.Address
	n.wsURL = wsScheme + "://" + cfg.Address + "/v4/websocket"
	n.ctx, n.cancel = context.WithCancel(context.Background())
	return n, nil
}

// logger derives the node's logger, masking the password wherever it
// would appear.
func logger(cfg Config) *slog.Logger {
	next := cfg.Logger.Handler()
	if next == nil { // a zero slog.Logger
		next = slog.Default().Handler()
	}
	h := secureheaders.NewRedactingHandler(next, cfg.Password)
	return slog.New(h).With("component", "lavalink", "node", cfg.Name)
}

// Name returns the node's name.
func (n *Node) Name() string { return n.cfg.Name }

// Start connects in a goroutine of the node's own and keeps the node
// connected until [Node.Close]: it dials /v4/websocket, requires ready as
// the first frame, enables resuming, reads the node's info, and after a
// lost connection dials again with jittered exponential backoff, resuming
// the session. Start does not wait for the connection (see
// [Node.WaitReady]) and does not keep ctx: cancelling it later does not
// stop the node, Close does. Start returns ctx.Err() if ctx is already
// done, [ErrStarted] if called twice and [ErrClosed] after Close.
func (n *Node) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case n.closed:
		return ErrClosed
	case n.started:
		return ErrStarted
	}
	n.started = true
	n.since = n.cfg.Now()
	go n.run()
	return nil
}

// Close stops the node: the connection goroutine ends (a ready connection
// is closed with a normal close frame, so Lavalink keeps the session for
// the resume timeout) and the idle connections of the node's own HTTP
// client are closed. It waits for the goroutine until ctx ends, returning
// ctx.Err() then. Close is idempotent; it must not be called from a
// [Handler].
func (n *Node) Close(ctx context.Context) error {
	n.mu.Lock()
	first := !n.closed
	n.closed = true
	started := n.started
	ws, conn := n.ws, n.netConn
	n.mu.Unlock()
	if first {
		n.cancel()
		if ws != nil {
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
			_ = ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		}
		if conn != nil {
			_ = conn.Close()
		}
	}
	if started {
		select {
		case <-n.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if n.ownHTTP {
		n.client.CloseIdleConnections()
	}
	return nil
}

// WaitReady blocks until the node has a ready connection, returning nil,
// or until ctx ends (ctx.Err(), wrapped with the last connection error) or
// the node is closed ([ErrClosed]).
func (n *Node) WaitReady(ctx context.Context) error {
	n.mu.Lock()
	ready, closed := n.ready, n.closed
	n.mu.Unlock()
	if closed {
		return ErrClosed
	}
	select {
	case <-ready:
		return nil
	case <-n.ctx.Done():
		return ErrClosed
	case <-ctx.Done():
		n.mu.Lock()
		lastErr := n.lastErr
		n.mu.Unlock()
		if lastErr != nil {
			return fmt.Errorf("node %s: not ready (last error: %v): %w", n.cfg.Name, lastErr, ctx.Err())
		}
		return ctx.Err()
	}
}

// SessionID returns the current session id, or the last one while
// disconnected (the one the next connection resumes); "" before the first
// ready unless [Config.SessionID] was set.
func (n *Node) SessionID() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.sessionID
}

// Connected reports whether the node has a ready connection.
func (n *Node) Connected() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.connected
}

// Status returns a snapshot of the connection.
func (n *Node) Status() Status {
	n.mu.Lock()
	defer n.mu.Unlock()
	return Status{
		Connected: n.connected,
		SessionID: n.sessionID,
		Resumed:   n.resumed,
		Since:     n.since,
		Err:       n.lastErr,
		Attempts:  n.attempts,
	}
}

// Stats returns the last stats op of the current connection; ok is false
// while disconnected and before the first stats op.
func (n *Node) Stats() (stats lavalink.Stats, ok bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	stats = n.stats
	if stats.FrameStats != nil {
		fs := *stats.FrameStats
		stats.FrameStats = &fs
	}
	return stats, n.hasStats
}

// Info returns the node's info as read at the last successful connect;
// ok is false if it has never been read.
func (n *Node) Info() (info lavalink.Info, ok bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	info = n.info
	info.SourceManagers = slices.Clone(info.SourceManagers)
	info.Filters = slices.Clone(info.Filters)
	info.Plugins = slices.Clone(info.Plugins)
	return info, n.hasInfo
}
