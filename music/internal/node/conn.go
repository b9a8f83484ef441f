package node

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/gorilla/websocket"
)

const (
	// maxFrame is the largest websocket message read; a larger one ends
	// the connection (Lavalink's largest, an event with a track, is a few
	// KiB).
	maxFrame = 4 << 20
	// maxKeptBuffer is the largest read buffer kept between frames.
	maxKeptBuffer = 64 << 10
)

// run is the connection goroutine: connect, serve, back off, repeat,
// until Close cancels n.ctx.
func (n *Node) run() {
	defer close(n.done)
	for {
		established, err := n.connect()
		if n.ctx.Err() != nil {
			return
		}
		n.mu.Lock()
		if !established {
			n.attempts++
			n.lastErr = err
		}
		attempt := n.attempts
		n.mu.Unlock()
		delay := n.cfg.Backoff.delay(attempt, n.jitter)
		if !established {
			level := slog.LevelWarn
			if errors.Is(err, ErrUnauthorized) {
				level = slog.LevelError
			}
			n.log.Log(n.ctx, level, "lavalink connect failed", "error", err, "attempt", attempt, "retry_in", delay)
		}
		select {
		case <-n.ctx.Done():
			return
		case <-n.cfg.After(delay):
		}
	}
}

// connect makes one connection and serves it until it ends. established
// reports that it got as far as ready (so the Handler saw OnReady).
func (n *Node) connect() (established bool, err error) {
	asked := n.SessionID()
	ws, err := n.dial(asked)
	if err != nil {
		return false, err
	}
	defer n.dropConn(ws)
	buf := new(bytes.Buffer)
	ready, err := n.awaitReady(ws, buf)
	if err != nil {
		return false, err
	}
	n.setup(ready.SessionID)
	if !n.markConnected(ready) {
		return false, ErrClosed
	}
	if asked != "" && !ready.Resumed {
		n.log.Warn("lavalink session not resumed; its players are gone", "old_session", asked, "session", ready.SessionID)
	} else {
		n.log.Info("lavalink connected", "session", ready.SessionID, "resumed", ready.Resumed)
	}
	n.handler.OnReady(n, ready.SessionID, ready.Resumed)

	err = n.readLoop(ws, buf)
	if n.ctx.Err() != nil {
		err = ErrClosed
	} else {
		n.log.Warn("lavalink connection lost", "error", err)
	}
	n.markDisconnected(err)
	n.handler.OnDisconnect(n, err)
	return true, err
}

// dial opens the websocket, asking to resume session sid if it is not
// empty. The password is revealed into the handshake header here and
// nowhere else.
func (n *Node) dial(sid string) (*websocket.Conn, error) {
	h := http.Header{}
	h.Set("Authorization", n.cfg.Password.Reveal())
	h.Set("User-Id", n.cfg.UserID.String())
	h.Set("Client-Name", n.cfg.ClientName)
	if sid != "" {
		h.Set("Session-Id", sid)
	}
	d := websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: n.cfg.HandshakeTimeout,
		NetDialContext:   n.dialNet,
	}
	ws, resp, err := d.DialContext(n.ctx, n.wsURL, h)
	if err != nil {
		n.mu.Lock()
		n.netConn = nil
		n.mu.Unlock()
		if resp != nil && errors.Is(err, websocket.ErrBadHandshake) {
			return nil, n.responseError(http.MethodGet, "/v4/websocket", resp)
		}
		return nil, fmt.Errorf("node %s: dial %s: %w", n.cfg.Name, n.wsURL, err)
	}
	n.mu.Lock()
	closed := n.closed
	if !closed {
		n.ws = ws
	}
	n.mu.Unlock()
	if closed {
		_ = ws.Close()
		return nil, ErrClosed
	}
	ws.SetReadLimit(maxFrame)
	return ws, nil
}

// dialNet dials the TCP connection and records it, so that Close can
// abort a handshake in progress.
func (n *Node) dialNet(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		_ = c.Close()
		return nil, ErrClosed
	}
	n.netConn = c
	return c, nil
}

// dropConn closes the connection and forgets it.
func (n *Node) dropConn(ws *websocket.Conn) {
	n.mu.Lock()
	n.ws, n.netConn = nil, nil
	n.mu.Unlock()
	_ = ws.Close()
}

// awaitReady reads the first frame, which must be a valid ready op.
func (n *Node) awaitReady(ws *websocket.Conn, buf *bytes.Buffer) (lavalink.ReadyMessage, error) {
	if err := ws.SetReadDeadline(time.Now().Add(n.cfg.HandshakeTimeout)); err != nil {
		return lavalink.ReadyMessage{}, err
	}
	text, data, err := readFrame(ws, buf)
	if err != nil {
		return lavalink.ReadyMessage{}, fmt.Errorf("node %s: waiting for ready: %w", n.cfg.Name, err)
	}
	if !text {
		return lavalink.ReadyMessage{}, fmt.Errorf("node %s: %w: got a binary frame", n.cfg.Name, ErrNoReady)
	}
	f, err := decodeFrame(data)
	if err != nil {
		return lavalink.ReadyMessage{}, fmt.Errorf("node %s: %w: %v", n.cfg.Name, ErrNoReady, err)
	}
	ready, ok := f.(lavalink.ReadyMessage)
	if !ok {
		return lavalink.ReadyMessage{}, fmt.Errorf("node %s: %w: got %s", n.cfg.Name, ErrNoReady, describe(f))
	}
	return ready, nil
}

// describe names a decoded frame for messages.
func describe(f any) string {
	switch m := f.(type) {
	case lavalink.Stats:
		return "op \"stats\""
	case lavalink.PlayerUpdateMessage:
		return "op \"playerUpdate\""
	case lavalink.Event:
		return "event " + shortQuote(string(m.Type()))
	}
	return "op \"ready\""
}

// setup prepares a new connection before it is announced: it enables
// resuming and reads the node's info. Neither failure ends the connection,
// which works without them; they are logged and tried again at the next
// connect.
func (n *Node) setup(sessionID string) {
	resuming, timeout := true, n.cfg.resumeSeconds()
	update := lavalink.SessionUpdate{Resuming: &resuming, Timeout: &timeout}
	if _, err := n.updateSession(n.ctx, sessionID, update); err != nil && n.ctx.Err() == nil {
		n.log.Warn("lavalink session resuming not enabled", "error", err)
	}
	info, err := n.FetchInfo(n.ctx)
	if err != nil {
		if n.ctx.Err() == nil {
			n.log.Warn("lavalink info not read", "error", err)
		}
		return
	}
	n.mu.Lock()
	n.info, n.hasInfo = info, true
	n.mu.Unlock()
}

func (n *Node) markConnected(ready lavalink.ReadyMessage) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return false
	}
	n.sessionID = ready.SessionID
	n.connected = true
	n.resumed = ready.Resumed
	n.since = n.cfg.Now()
	n.lastErr = nil
	n.attempts = 0
	if !ready.Resumed {
		clear(n.playing)
	}
	close(n.ready)
	return true
}

func (n *Node) markDisconnected(err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.connected = false
	n.resumed = false
	n.hasStats = false
	n.stats = lavalink.Stats{}
	n.since = n.cfg.Now()
	n.lastErr = err
	n.ready = make(chan struct{})
}

// readLoop reads frames until the connection fails.
func (n *Node) readLoop(ws *websocket.Conn, buf *bytes.Buffer) error {
	for {
		if err := ws.SetReadDeadline(time.Now().Add(n.cfg.ReadTimeout)); err != nil {
			return fmt.Errorf("node %s: connection lost: %w", n.cfg.Name, err)
		}
		text, data, err := readFrame(ws, buf)
		if err != nil {
			return fmt.Errorf("node %s: connection lost: %w", n.cfg.Name, err)
		}
		if text {
			n.dispatch(data)
		} else {
			n.log.Warn("lavalink frame skipped", "error", "binary frame", "bytes", len(data))
		}
		if buf.Cap() > maxKeptBuffer {
			*buf = bytes.Buffer{}
		}
	}
}

// readFrame reads one message into buf, returning a view of buf.
func readFrame(ws *websocket.Conn, buf *bytes.Buffer) (text bool, data []byte, err error) {
	typ, r, err := ws.NextReader()
	if err != nil {
		return false, nil, err
	}
	buf.Reset()
	if _, err := buf.ReadFrom(r); err != nil {
		return false, nil, err
	}
	return typ == websocket.TextMessage, buf.Bytes(), nil
}

// dispatch decodes a frame and hands it to the Handler; a frame that does
// not decode is logged and skipped.
func (n *Node) dispatch(data []byte) {
	f, err := decodeFrame(data)
	if err != nil {
		n.log.Warn("lavalink frame skipped", "error", err, "bytes", len(data))
		return
	}
	switch m := f.(type) {
	case lavalink.ReadyMessage:
		n.log.Warn("lavalink frame skipped", "error", "ready on a ready connection", "bytes", len(data))
	case lavalink.Stats:
		kept := m
		if m.FrameStats != nil {
			fs := *m.FrameStats
			kept.FrameStats = &fs
		}
		n.mu.Lock()
		n.stats, n.hasStats = kept, true
		n.mu.Unlock()
		n.handler.OnStats(n, m)
	case lavalink.PlayerUpdateMessage:
		n.handler.OnPlayerUpdate(n, m.GuildID, m.State)
	case lavalink.Event:
		n.notePlaying(m)
		n.handler.OnEvent(n, m)
	}
}

// responseError builds the *Error for a response with an error status,
// reading Lavalink's error body when there is one.
func (n *Node) responseError(method, path string, resp *http.Response) *Error {
	e := &Error{
		Node:   n.cfg.Name,
		Method: method,
		Path:   path,
		Status: resp.StatusCode,
		Reason: http.StatusText(resp.StatusCode),
	}
	if resp.Body == nil {
		return e
	}
	var body struct {
		Timestamp int64  `json:"timestamp"`
		Error     string `json:"error"`
		Message   string `json:"message"`
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if json.Unmarshal(data, &body) == nil {
		if body.Error != "" {
			e.Reason = clip(body.Error)
		}
		e.Message = clip(body.Message)
		if body.Timestamp > 0 {
			e.Timestamp = time.UnixMilli(body.Timestamp)
		}
	}
	return e
}

// clip keeps server-provided text for errors short and on one line.
func clip(s string) string {
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
