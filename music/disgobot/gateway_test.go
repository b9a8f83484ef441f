package disgobot_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/gateway"
	"github.com/gorilla/websocket"
)

// testGateway is a small gateway.Gateway for tests: one shard, plain
// JSON, HELLO → IDENTIFY → READY, then every dispatch handed to disgo's
// event manager in order on one read goroutine, as disgo's own gateway
// does. The tests use it instead of disgo's because that one has a data
// race between its heartbeat goroutine and Close (see the discordtest
// package documentation), which would fail every -race run. The stand-in
// Discord does not need heartbeats, so this gateway sends none; it
// answers the server's heartbeat requests.
type testGateway struct {
	url     string
	token   string
	intents gateway.Intents
	handle  gateway.EventHandlerFunc // set once the client exists

	mu        sync.Mutex // guards conn writes, status and sessionID
	conn      *websocket.Conn
	status    gateway.Status
	sessionID string
	seq       int

	wg sync.WaitGroup
}

var _ gateway.Gateway = (*testGateway)(nil)

func (g *testGateway) ShardID() int    { return 0 }
func (g *testGateway) ShardCount() int { return 1 }

func (g *testGateway) SessionID() *string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.sessionID == "" {
		return nil
	}
	s := g.sessionID
	return &s
}

func (g *testGateway) LastSequenceReceived() *int {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.seq
	return &s
}

func (g *testGateway) ResumeURL() *string                           { return nil }
func (g *testGateway) Intents() gateway.Intents                     { return g.intents }
func (g *testGateway) Latency() time.Duration                       { return 0 }
func (g *testGateway) Presence() *gateway.MessageDataPresenceUpdate { return nil }

func (g *testGateway) Status() gateway.Status {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.status
}

// Open connects, identifies and returns once READY arrived; the read
// loop then runs until Close.
func (g *testGateway) Open(ctx context.Context) error {
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, g.url+"?v=10&encoding=json", nil)
	if err != nil {
		return err
	}
	var hello struct {
		Op int `json:"op"`
	}
	if err := conn.ReadJSON(&hello); err != nil || hello.Op != int(gateway.OpcodeHello) {
		conn.Close()
		return errors.New("testGateway: no HELLO")
	}
	identify := map[string]any{"op": gateway.OpcodeIdentify, "d": gateway.MessageDataIdentify{
		Token:      g.token,
		Intents:    g.intents,
		Properties: gateway.IdentifyCommandDataProperties{OS: "linux", Browser: "disgobot-test", Device: "disgobot-test"},
	}}
	if err := conn.WriteJSON(identify); err != nil {
		conn.Close()
		return err
	}
	g.mu.Lock()
	g.conn, g.status = conn, gateway.StatusWaitingForReady
	g.mu.Unlock()
	ready := make(chan struct{})
	g.wg.Add(1)
	go g.read(conn, ready)
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		g.Close(context.Background())
		return ctx.Err()
	}
}

func (g *testGateway) read(conn *websocket.Conn, ready chan struct{}) {
	defer g.wg.Done()
	readyOnce := sync.OnceFunc(func() { close(ready) })
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			g.mu.Lock()
			g.status = gateway.StatusDisconnected
			g.mu.Unlock()
			return
		}
		var msg gateway.Message
		if err := json.Unmarshal(data, &msg); err != nil {
			continue
		}
		switch msg.Op {
		case gateway.OpcodeHeartbeat:
			g.write(map[string]any{"op": gateway.OpcodeHeartbeat, "d": msg.S})
		case gateway.OpcodeDispatch:
			g.mu.Lock()
			g.seq = msg.S
			if r, ok := msg.D.(gateway.EventReady); ok {
				g.sessionID, g.status = r.SessionID, gateway.StatusReady
			}
			g.mu.Unlock()
			ev, ok := msg.D.(gateway.EventData)
			if _, unknown := msg.D.(gateway.EventUnknown); ok && !unknown {
				g.handle(g, msg.T, msg.S, ev)
			}
			if msg.T == gateway.EventTypeReady {
				readyOnce()
			}
		}
	}
}

func (g *testGateway) write(v any) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conn == nil {
		return discord.ErrShardNotConnected
	}
	return g.conn.WriteJSON(v)
}

func (g *testGateway) Close(ctx context.Context) {
	g.CloseWithCode(ctx, websocket.CloseNormalClosure, "bye")
}

func (g *testGateway) CloseWithCode(_ context.Context, code int, message string) {
	g.mu.Lock()
	conn := g.conn
	g.conn, g.status = nil, gateway.StatusDisconnected
	g.mu.Unlock()
	if conn != nil {
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, message), time.Now().Add(time.Second))
		_ = conn.Close()
	}
	g.wg.Wait()
}

func (g *testGateway) Send(_ context.Context, op gateway.Opcode, d gateway.MessageData) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.status != gateway.StatusReady || g.conn == nil {
		return discord.ErrShardNotReady
	}
	return g.conn.WriteJSON(map[string]any{"op": op, "d": d})
}

// closeClient closes a client whose gateway is a testGateway: the gateway
// first, which waits for its reader to stop dispatching, then the client.
// disgo v0.19.6's Client.Close closes the voice manager before the
// gateway, so an event dispatched meanwhile races with it.
func closeClient(ctx context.Context, client *bot.Client) {
	if client.Gateway != nil {
		client.Gateway.Close(ctx)
	}
	client.Close(ctx)
}
