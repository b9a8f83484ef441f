package music

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/metrics"
	"github.com/tunekit/tunekit/music/internal/node"
	"github.com/tunekit/tunekit/resilience"
)

// lavaNode is one configured Lavalink node: the client and the breaker
// guarding its REST API.
type lavaNode struct {
	m       *Manager
	name    string
	client  *node.Node
	breaker *resilience.Breaker
	players atomic.Int64 // players whose node this is; see player.setNode
	version atomic.Pointer[string]

	// draining is set by DrainNode: no new player goes to the node and
	// its players move away.
	draining atomic.Bool
	// silent and statsAt are the watchdog's evidence from the last stats
	// op: its session's playing players sent no frame, and when (by the
	// Manager's clock, in Unix nanoseconds) it arrived.
	silent  atomic.Bool
	statsAt atomic.Int64

	countMu sync.Mutex    // orders changes of players with their metric
	empty   chan struct{} // closed when players drops to 0; nil when none waits
}

// addPlayers changes the node's player count by d and publishes it.
func (ln *lavaNode) addPlayers(d int64) {
	ln.countMu.Lock()
	defer ln.countMu.Unlock()
	n := ln.players.Add(d)
	ln.m.cfg.Metrics.SetLavalinkPlayers(ln.name, int(n))
	if n == 0 && ln.empty != nil {
		close(ln.empty)
		ln.empty = nil
	}
}

// emptied returns a channel closed once the node has no player.
func (ln *lavaNode) emptied() <-chan struct{} {
	ln.countMu.Lock()
	defer ln.countMu.Unlock()
	if ln.players.Load() == 0 {
		return closedChan
	}
	if ln.empty == nil {
		ln.empty = make(chan struct{})
	}
	return ln.empty
}

var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// placeable reports whether new players may go to the node: healthy and
// not draining.
func (ln *lavaNode) placeable() bool { return !ln.draining.Load() && ln.healthy() }

// healthy reports whether new work may go to the node: connected, with a
// breaker that is not open.
func (ln *lavaNode) healthy() bool {
	return ln.client.Connected() && ln.breaker.State() != resilience.StateOpen
}

// info returns the node's info when it has been read.
func (ln *lavaNode) info() (lavalink.Info, bool) { return ln.client.Info() }

// hasSource reports whether the node offers the source manager; a node
// whose info is unknown is assumed to.
func (ln *lavaNode) hasSource(name string) bool {
	if name == "" {
		return true
	}
	info, ok := ln.info()
	return !ok || slices.Contains(info.SourceManagers, name)
}

// hasFilters reports whether the node offers every filter named.
func (ln *lavaNode) hasFilters(names []string) (missing string, ok bool) {
	info, known := ln.info()
	if !known {
		return "", true
	}
	for _, n := range names {
		if !slices.Contains(info.Filters, n) {
			return n, false
		}
	}
	return "", true
}

// buildNodes makes the node clients; sids are Lavalink sessions to resume
// by node name. It is called by NewManager (validating the config) and
// again by Start when stored sessions name node sessions to resume.
func (m *Manager) buildNodes(sids map[string]string) error {
	var base http.RoundTripper
	if m.opt.httpClient != nil {
		base = m.opt.httpClient.Transport
		if base == nil {
			base = http.DefaultTransport
		}
	} else {
		if m.transport == nil {
			if t, ok := http.DefaultTransport.(*http.Transport); ok {
				m.transport = t.Clone()
			} else {
				m.transport = &http.Transport{Proxy: http.ProxyFromEnvironment}
			}
			// Every request goes to a few hosts: keep enough connections
			// to them for a busy bot instead of net/http's 2.
			m.transport.MaxIdleConnsPerHost = 64
		}
		base = m.transport
	}
	nodes := make([]*lavaNode, 0, len(m.cfg.Nodes))
	byName := make(map[string]*lavaNode, len(m.cfg.Nodes))
	for i, nc := range m.cfg.Nodes {
		ln := &lavaNode{m: m, name: nc.Name}
		bs := resilience.Lavalink()
		if m.cfg.Breaker != nil {
			bs = *m.cfg.Breaker
		}
		if bs.Now == nil {
			bs.Now = m.clock.Now
		}
		userHook := bs.OnStateChange
		observe := m.cfg.Metrics.BreakerObserver()
		bs.OnStateChange = func(name string, from, to resilience.State) {
			observe(name, from.String(), to.String())
			m.sup.breakerChanged(ln, to)
			if userHook != nil {
				userHook(name, from, to)
			}
		}
		ln.breaker = resilience.New("lavalink:"+nc.Name, bs)
		m.cfg.Metrics.SetBreakerState("lavalink:"+nc.Name, metrics.BreakerClosed)
		m.cfg.Metrics.SetLavalinkPlayers(nc.Name, 0)
		var rt http.RoundTripper = resilience.Transport(ln.breaker, base)
		rt = lyricsBypass{guarded: rt, plain: base}
		rt = metricsTransport{next: rt, metrics: m.cfg.Metrics}
		rt = m.cfg.Tracer.Transport(rt)
		timeout := DefaultRequestTimeout
		if bs.Timeout > 0 {
			timeout = bs.Timeout + time.Second // the breaker's timeout fires first
		}
		client := &http.Client{Transport: rt, Timeout: timeout}
		if m.opt.httpClient != nil {
			client.CheckRedirect, client.Jar = m.opt.httpClient.CheckRedirect, m.opt.httpClient.Jar
		}
		n, err := node.New(node.Config{
			Name:          nc.Name,
			Address:       nc.Address,
			Password:      nc.Password,
			Secure:        nc.Secure,
			UserID:        m.cfg.UserID,
			SessionID:     sids[nc.Name],
			ResumeTimeout: m.opt.resumeTimeout,
			HTTPClient:    client,
			Backoff:       node.Backoff{Initial: m.opt.backoffMin, Max: m.opt.backoffMax},
			Logger:        m.log,
			Now:           m.clock.Now,
			After:         m.after,
		}, nodeHandler{ln})
		if err != nil {
			return &ConfigError{Field: fmt.Sprintf("Nodes[%d]", i), Reason: strings.TrimPrefix(err.Error(), "node: ")}
		}
		ln.client = n
		nodes = append(nodes, ln)
		byName[nc.Name] = ln
	}
	m.nodes, m.byName = nodes, byName
	return nil
}

// after is time.After on the Manager's clock, for node reconnects.
func (m *Manager) after(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	m.clock.AfterFunc(d, func() { ch <- m.clock.Now() })
	return ch
}

// pickNode returns the healthy node with the lowest penalty that offers
// source (any node when source is ""), draining nodes left out. It
// returns an error matching ErrServiceUnavailable when no node is healthy
// and an *UnsupportedError when none of the healthy ones offers the
// source.
func (m *Manager) pickNode(source string, exclude *lavaNode) (*lavaNode, error) {
	var best *lavaNode
	bestPenalty := 0.0
	anyHealthy := false
	for _, ln := range m.nodes {
		if ln == exclude || !ln.placeable() {
			continue
		}
		anyHealthy = true
		if !ln.hasSource(source) {
			continue
		}
		if p := ln.client.Penalty(); best == nil || p < bestPenalty {
			best, bestPenalty = ln, p
		}
	}
	switch {
	case best != nil:
		return best, nil
	case anyHealthy:
		return nil, &UnsupportedError{Kind: "source", Name: source}
	}
	return nil, unavailable(errors.New("no Lavalink node is connected"))
}

// updateNodeMetrics sets lavalink_nodes.
func (m *Manager) updateNodeMetrics() {
	up := 0
	for _, ln := range m.nodes {
		if ln.client.Connected() {
			up++
		}
	}
	m.cfg.Metrics.SetLavalinkNodes(up, len(m.nodes)-up)
}

// nodeErr turns a node client error into the Manager's: anything that
// says the node cannot serve (not ready, closed, breaker open, network,
// timeout, 5xx) matches ErrServiceUnavailable; a refusal by the node
// (4xx) is returned as is.
func nodeErr(err error) error {
	if err == nil {
		return nil
	}
	var ne *node.Error
	if errors.As(err, &ne) && ne.Status < 500 {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return unavailable(err)
}

// nodeHandler receives a node's frames.
type nodeHandler struct{ ln *lavaNode }

func (h nodeHandler) OnReady(_ *node.Node, _ string, resumed bool) {
	if info, ok := h.ln.info(); ok { // read before the node is ready
		h.ln.version.Store(&info.Version.Semver)
	}
	h.ln.m.sup.nodeUp(h.ln, resumed)
}

func (h nodeHandler) OnDisconnect(_ *node.Node, err error) {
	h.ln.m.sup.nodeDown(h.ln, err)
}

func (h nodeHandler) OnStats(_ *node.Node, stats lavalink.Stats) {
	// Frames sent are averaged over the session's playing players: none
	// sent means every one of them is silent.
	fs := stats.FrameStats
	h.ln.silent.Store(fs != nil && fs.Sent <= 0 && fs.Deficit > 0)
	h.ln.statsAt.Store(h.ln.m.clock.Now().UnixNano())
	if observe := h.ln.m.observeStats; observe != nil {
		observe(h.ln)
	}
}

func (h nodeHandler) OnPlayerUpdate(_ *node.Node, guild snowflake.ID, state lavalink.PlayerState) {
	m := h.ln.m
	p := m.players.get(guild)
	if p == nil {
		return
	}
	at := state.Time.Time
	if now := m.clock.Now(); at.IsZero() || at.After(now) {
		at = now
	}
	pos := time.Duration(state.Position) * time.Millisecond
	p.mu.Lock()
	if p.node == h.ln && p.sess != nil && !p.needSync {
		p.sess.Observe(pos, at)
		p.wd.observe(pos, at, state.Connected, m.clock.Now())
	}
	p.mu.Unlock()
	if observe := m.hooks.update; observe != nil {
		observe(guild, state)
	}
}

func (h nodeHandler) OnEvent(_ *node.Node, ev lavalink.Event) {
	m := h.ln.m
	guild := eventGuild(ev)
	p := m.players.get(guild)
	if p == nil {
		return // a player the Manager does not know: ignored
	}
	ln := h.ln
	p.post(func(ctx context.Context) { m.handleEvent(ctx, p, ln, ev) })
}

func eventGuild(ev lavalink.Event) snowflake.ID {
	switch e := ev.(type) {
	case lavalink.TrackStartEvent:
		return e.GuildID()
	case node.TrackEndEvent:
		return e.GuildID()
	case lavalink.TrackExceptionEvent:
		return e.GuildID()
	case lavalink.TrackStuckEvent:
		return e.GuildID()
	case lavalink.WebSocketClosedEvent:
		return e.GuildID()
	}
	return 0
}

// metricsTransport records lavalink_request_duration_seconds.
type metricsTransport struct {
	next    http.RoundTripper
	metrics *metrics.Business
}

func (t metricsTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.metrics == nil {
		return t.next.RoundTrip(req)
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	status := metrics.StatusOK
	var ne net.Error
	switch {
	case err != nil && errors.Is(err, resilience.ErrOpen):
		status = metrics.StatusUnavailable
	case err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()):
		status = metrics.StatusTimeout
	case err != nil, resp.StatusCode >= 500:
		status = metrics.StatusError
	}
	t.metrics.ObserveLavalinkRequest(metrics.LavalinkOperation(req.Method, req.URL.Path), status, time.Since(start))
	return resp, err
}
