package node

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
	"github.com/gorilla/websocket"

	"github.com/tunekit/tunekit/secureheaders"
)

// patience bounds every wait in these tests. It is a safety net that
// turns a hang into a failure; no test waits for it to pass.
const patience = 10 * time.Second

const testUser = snowflake.ID(170000000000000001)

// call is one Handler call.
type call struct {
	kind    string // ready, disconnect, stats, playerUpdate, event
	sid     string
	resumed bool
	err     error
	stats   lavalink.Stats
	guild   snowflake.ID
	state   lavalink.PlayerState
	event   lavalink.Event
	// connected is n.Connected() as seen from inside the call.
	connected bool
}

func (c call) String() string {
	if c.kind == "event" {
		return "event " + string(c.event.Type())
	}
	return c.kind
}

// recorder is a Handler that queues its calls for the test.
type recorder struct{ calls chan call }

func newRecorder() *recorder { return &recorder{calls: make(chan call, 4096)} }

func (r *recorder) OnReady(n *Node, sid string, resumed bool) {
	r.calls <- call{kind: "ready", sid: sid, resumed: resumed, connected: n.Connected()}
}

func (r *recorder) OnDisconnect(n *Node, err error) {
	r.calls <- call{kind: "disconnect", err: err, connected: n.Connected()}
}

func (r *recorder) OnStats(n *Node, s lavalink.Stats) {
	r.calls <- call{kind: "stats", stats: s, connected: n.Connected()}
}

func (r *recorder) OnPlayerUpdate(n *Node, g snowflake.ID, s lavalink.PlayerState) {
	r.calls <- call{kind: "playerUpdate", guild: g, state: s, connected: n.Connected()}
}

func (r *recorder) OnEvent(n *Node, e lavalink.Event) {
	r.calls <- call{kind: "event", event: e, guild: e.GuildID(), connected: n.Connected()}
}

// next returns the next call.
func (r *recorder) next(t *testing.T) call {
	t.Helper()
	select {
	case c := <-r.calls:
		return c
	case <-time.After(patience):
		t.Fatal("no Handler call")
		return call{}
	}
}

// waitFor returns the next call of kind, skipping stats and
// playerUpdate calls; any other call in between fails the test.
func (r *recorder) waitFor(t *testing.T, kind string) call {
	t.Helper()
	for {
		c := r.next(t)
		if c.kind == kind {
			return c
		}
		if c.kind != "stats" && c.kind != "playerUpdate" {
			t.Fatalf("Handler got %v while waiting for %s", c, kind)
		}
	}
}

// waitEvent returns the next event call, skipping stats and playerUpdate.
func (r *recorder) waitEvent(t *testing.T) lavalink.Event {
	t.Helper()
	return r.waitFor(t, "event").event
}

// none fails if a call other than stats or playerUpdate is queued now.
func (r *recorder) none(t *testing.T) {
	t.Helper()
	for {
		select {
		case c := <-r.calls:
			if c.kind != "stats" && c.kind != "playerUpdate" {
				t.Fatalf("unexpected Handler call %v", c)
			}
		default:
			return
		}
	}
}

// timers is a fake Config.After: each wait is handed to the test, which
// fires it or not.
type timers struct{ reqs chan timer }

type timer struct {
	d    time.Duration
	fire chan time.Time
}

func newTimers() *timers { return &timers{reqs: make(chan timer, 64)} }

func (tm *timers) After(d time.Duration) <-chan time.Time {
	c := make(chan time.Time, 1)
	tm.reqs <- timer{d: d, fire: c}
	return c
}

// next returns the next wait the node starts.
func (tm *timers) next(t *testing.T) timer {
	t.Helper()
	select {
	case r := <-tm.reqs:
		return r
	case <-time.After(patience):
		t.Fatal("node did not start a reconnect wait")
		return timer{}
	}
}

// fireNext fires the next wait.
func (tm *timers) fireNext(t *testing.T) {
	t.Helper()
	tm.next(t).fire <- time.Time{}
}

// logBuffer collects log output safely.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Reset()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// fixedNow is a Config.Now that always reads the same time.
var testEpoch = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func fixedNow() time.Time { return testEpoch }

// harness is a Node with a recorder, fake timers and a log buffer.
type harness struct {
	n      *Node
	rec    *recorder
	timers *timers
	logs   *logBuffer
}

// newHarness makes a node for addr and password; edit adjusts the config.
// The node is closed when the test ends.
func newHarness(t *testing.T, addr, password string, edit func(*Config)) *harness {
	t.Helper()
	h := &harness{rec: newRecorder(), timers: newTimers(), logs: &logBuffer{}}
	cfg := Config{
		Name:     "test",
		Address:  addr,
		Password: secureheaders.NewSecret(password),
		UserID:   testUser,
		Logger:   h.logs.logger(),
		Now:      fixedNow,
		After:    h.timers.After,
	}
	if edit != nil {
		edit(&cfg)
	}
	n, err := New(cfg, h.rec)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.n = n
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		if err := n.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h
}

func (h *harness) start(t *testing.T) {
	t.Helper()
	if err := h.n.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
}

// scripted is a loopback server whose websocket connections the test
// drives frame by frame and whose REST answers it chooses.
type scripted struct {
	srv   *httptest.Server
	conns chan *scriptConn
	// handshake, if set, answers a websocket handshake instead of
	// upgrading it.
	mu        sync.Mutex
	handshake func(w http.ResponseWriter, r *http.Request) bool
	routes    map[string]http.HandlerFunc
	requests  []*http.Request
}

type scriptConn struct {
	ws     *websocket.Conn
	header http.Header
	closed chan struct{}
}

const scriptPassword = "fake-node-password"

func newScripted(t *testing.T) *scripted {
	t.Helper()
	s := &scripted{conns: make(chan *scriptConn, 16), routes: map[string]http.HandlerFunc{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *scripted) addr() string { return strings.TrimPrefix(s.srv.URL, "http://") }

func (s *scripted) route(key string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes[key] = h
}

// answer makes route key answer status with body.
func (s *scripted) answer(key string, status int, body string) {
	s.route(key, func(w http.ResponseWriter, r *http.Request) {
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	})
}

func (s *scripted) recorded() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.requests...)
}

var upgrader = websocket.Upgrader{}

func (s *scripted) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Clone(context.Background()))
	hs := s.handshake
	h := s.routes[r.Method+" "+r.URL.Path]
	s.mu.Unlock()
	if r.URL.Path == "/v4/websocket" {
		if hs != nil && hs(w, r) {
			return
		}
		ws, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c := &scriptConn{ws: ws, header: r.Header.Clone(), closed: make(chan struct{})}
		s.conns <- c
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				break
			}
		}
		_ = ws.Close()
		close(c.closed)
		return
	}
	switch {
	case h != nil:
		h(w, r)
	case r.Method == http.MethodPatch && strings.Count(r.URL.Path, "/") == 3:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"resuming":true,"timeout":60}`))
	case r.URL.Path == "/v4/info":
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"version":{"semver":"4.2.2","major":4,"minor":2,"patch":2,"preRelease":null,"build":null},"buildTime":1,"git":{"branch":"main","commit":"abc","commitTime":1},"jvm":"21","lavaplayer":"2","sourceManagers":["youtube"],"filters":["volume"],"plugins":[]}`))
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"timestamp":1,"status":404,"error":"Not Found","message":"No static resource","path":"` + r.URL.Path + `"}`))
	}
}

// accept returns the next websocket connection the node opened.
func (s *scripted) accept(t *testing.T) *scriptConn {
	t.Helper()
	select {
	case c := <-s.conns:
		return c
	case <-time.After(patience):
		t.Fatal("node did not connect")
		return nil
	}
}

func (c *scriptConn) send(t *testing.T, frame string) {
	t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		t.Fatalf("write frame: %v", err)
	}
}

func (c *scriptConn) ready(t *testing.T, sid string, resumed bool) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"op": "ready", "sessionId": sid, "resumed": resumed})
	c.send(t, string(b))
}

// waitClosed waits until the node has closed the connection.
func (c *scriptConn) waitClosed(t *testing.T) {
	t.Helper()
	select {
	case <-c.closed:
	case <-time.After(patience):
		t.Fatal("node kept the connection open")
	}
}

const statsFrame = `{"op":"stats","players":2,"playingPlayers":1,"uptime":1000,"memory":{"free":1,"used":2,"allocated":3,"reservable":4},"cpu":{"cores":4,"systemLoad":0.25,"lavalinkLoad":0.125},"frameStats":null}`

// connectScripted starts a harness against s and brings it to ready.
func connectScripted(t *testing.T, s *scripted, edit func(*Config)) (*harness, *scriptConn) {
	t.Helper()
	h := newHarness(t, s.addr(), scriptPassword, edit)
	h.start(t)
	c := s.accept(t)
	c.ready(t, "sess1", false)
	if got := h.rec.waitFor(t, "ready"); got.sid != "sess1" {
		t.Fatalf("ready session = %q, want sess1", got.sid)
	}
	return h, c
}
