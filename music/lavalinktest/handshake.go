package lavalinktest

import (
	"net/http"
	"strconv"

	"github.com/disgoorg/snowflake/v2"
	"github.com/gorilla/websocket"
)

var upgrader = websocket.Upgrader{
	CheckOrigin: func(*http.Request) bool { return true },
}

// serveWebSocket runs the handshake of GET /v4/websocket and then the
// connection, on the handler goroutine, until it ends.
func (l *life) serveWebSocket(x *exchange) {
	n := l.n
	r := x.r
	if r.Header.Get("Authorization") != n.cfg.password {
		x.respond(http.StatusUnauthorized, "", nil)
		return
	}
	userID, err := snowflake.Parse(r.Header.Get("User-Id"))
	if err != nil || userID == 0 {
		x.respond(http.StatusBadRequest, "", nil)
		return
	}
	// The handshake holds the node lock until the session is registered,
	// so that a client that got its 101 sees the session in Sessions().
	n.mu.Lock()
	if l.dead {
		n.mu.Unlock()
		x.record(0)
		dropConn(x.w)
		return
	}
	if injected := takeFailure(&n.failWS); injected != 0 {
		n.mu.Unlock()
		if injected >= 400 {
			x.fail(injected, "lavalinktest: injected failure")
		} else {
			x.respond(injected, "", nil)
		}
		return
	}
	if !websocket.IsWebSocketUpgrade(r) {
		n.mu.Unlock()
		x.fail(http.StatusBadRequest, "Can \"Upgrade\" only to \"WebSocket\".")
		return
	}
	resumed := l.paused[r.Header.Get("Session-Id")]
	header := http.Header{"Session-Resumed": {strconv.FormatBool(resumed != nil)}}
	n.requests = append(n.requests, x.request(http.StatusSwitchingProtocols))
	ws, err := upgrader.Upgrade(x.w, r, header)
	if err != nil {
		n.mu.Unlock()
		return
	}
	ws.SetReadLimit(1 << 20)
	c := newWSConn(ws, n.frozen)
	l.conns[c] = struct{}{}
	sid := ""
	if resumed != nil {
		delete(l.paused, resumed.id)
		resumed.resumeDue.stopLocked()
		l.resumeLocked(resumed, c)
		sid = resumed.id
	} else {
		sid = l.openLocked(c, userID, r.Header.Get("Client-Name")).id
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		c.writeLoop()
	}()
	n.mu.Unlock()
	n.cfg.logger.Debug("lavalinktest: websocket open", "session", sid, "resumed", resumed != nil, "client", r.Header.Get("Client-Name"))

	// Lavalink v4 ignores what clients send; read only to see the end.
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			break
		}
	}
	_ = ws.NetConn().Close()
	c.stopWriter()
	n.mu.Lock()
	l.connEndedLocked(c)
	n.mu.Unlock()
	close(c.ended)
}
