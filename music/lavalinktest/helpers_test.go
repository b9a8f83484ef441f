package lavalinktest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/gorilla/websocket"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

// ioTimeout bounds every read from the fake so that a broken test fails
// instead of hanging; no test waits for it on purpose.
const ioTimeout = 10 * time.Second

var epoch = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

const botID = "170000000000000001"

// newNode starts a node on a fresh manual clock.
func newNode(t *testing.T, opts ...lavalinktest.Option) (*lavalinktest.Node, *lavalinktest.Clock) {
	t.Helper()
	clock := lavalinktest.NewClock(epoch)
	n := lavalinktest.NewNodeT(t, append([]lavalinktest.Option{lavalinktest.WithClock(clock)}, opts...)...)
	return n, clock
}

// frame is one decoded websocket frame.
type frame map[string]any

func (f frame) op() string { s, _ := f["op"].(string); return s }

// kind returns the op, or the event type for events.
func (f frame) kind() string {
	if f.op() == "event" {
		s, _ := f["type"].(string)
		return s
	}
	return f.op()
}

func (f frame) str(path ...string) string {
	v, _ := f.get(path...).(string)
	return v
}

func (f frame) num(path ...string) float64 {
	v, _ := f.get(path...).(float64)
	return v
}

func (f frame) get(path ...string) any {
	var v any = map[string]any(f)
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// wsClient is a plain websocket client of the fake.
type wsClient struct {
	t         *testing.T
	conn      *websocket.Conn
	resp      *http.Response
	sessionID string
	raw       []string
}

func headers(n *lavalinktest.Node) http.Header {
	return http.Header{
		"Authorization": {n.Password()},
		"User-Id":       {botID},
		"Client-Name":   {"tunekit-test/1.0"},
	}
}

// dial opens a websocket with h; it returns the handshake response on
// failure.
func dial(t *testing.T, n *lavalinktest.Node, h http.Header) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	c, resp, err := websocket.DefaultDialer.DialContext(ctx, n.WebSocketURL(), h)
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, resp, err
}

// connect opens a session and consumes ready and the first stats.
func connect(t *testing.T, n *lavalinktest.Node) *wsClient {
	t.Helper()
	c := open(t, n, headers(n))
	ready := c.expect("ready")
	if ready.get("resumed") != false {
		t.Fatalf("ready = %v, want resumed false", ready)
	}
	c.sessionID = ready.str("sessionId")
	c.expect("stats")
	return c
}

func open(t *testing.T, n *lavalinktest.Node, h http.Header) *wsClient {
	t.Helper()
	conn, resp, err := dial(t, n, h)
	if err != nil {
		t.Fatalf("dial: %v (response %v)", err, resp)
	}
	return &wsClient{t: t, conn: conn, resp: resp}
}

// next reads one frame.
func (c *wsClient) next() frame {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(ioTimeout))
	_, data, err := c.conn.ReadMessage()
	if err != nil {
		c.t.Fatalf("read frame: %v", err)
	}
	c.raw = append(c.raw, string(data))
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		c.t.Fatalf("frame %s: %v", data, err)
	}
	return f
}

// expect reads one frame and checks its op or event type.
func (c *wsClient) expect(kind string) frame {
	c.t.Helper()
	f := c.next()
	if f.kind() != kind {
		c.t.Fatalf("frame = %s, want %s", c.raw[len(c.raw)-1], kind)
	}
	return f
}

// expectSeq reads frames and checks their kinds in order.
func (c *wsClient) expectSeq(kinds ...string) []frame {
	c.t.Helper()
	out := make([]frame, len(kinds))
	for i, k := range kinds {
		out[i] = c.expect(k)
	}
	return out
}

// expectClosed reads until the connection ends and returns the error.
func (c *wsClient) expectClosed() error {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(ioTimeout))
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			return err
		}
		c.t.Fatalf("frame %s, want the connection closed", data)
	}
}

// mark sends a raw marker frame through the node and reads up to it,
// returning the frames before it: a way to prove that nothing else was
// sent.
func (c *wsClient) drain(n *lavalinktest.Node) []frame {
	c.t.Helper()
	if err := n.SendRaw(c.sessionID, []byte(`{"op":"marker"}`)); err != nil {
		c.t.Fatalf("SendRaw: %v", err)
	}
	var out []frame
	for {
		f := c.next()
		if f.op() == "marker" {
			return out
		}
		out = append(out, f)
	}
}

// expectNothing checks that no frame is pending.
func (c *wsClient) expectNothing(n *lavalinktest.Node) {
	c.t.Helper()
	if got := c.drain(n); len(got) != 0 {
		c.t.Fatalf("unexpected frames: %v", got)
	}
}

// response is one REST answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) frame {
	t.Helper()
	var f frame
	if err := json.Unmarshal(r.body, &f); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
	return f
}

var httpClient = &http.Client{Timeout: ioTimeout, Transport: &http.Transport{}}

// call performs a REST request with the node's password; body is sent as
// JSON when not nil.
func call(t *testing.T, n *lavalinktest.Node, method, path string, body any) response {
	t.Helper()
	h := http.Header{"Authorization": {n.Password()}}
	return callWith(t, n, method, path, h, body)
}

func callWith(t *testing.T, n *lavalinktest.Node, method, path string, h http.Header, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", "application/json")
		}
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
		h.Set("Content-Type", "application/json")
	}
	req, err := http.NewRequest(method, n.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// expectError checks a Lavalink error answer.
func expectError(t *testing.T, r response, status int, message string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d (%s), want %d", r.status, r.body, status)
	}
	f := r.json(t)
	if int(f.num("status")) != status || f.str("error") != http.StatusText(status) || f.str("path") == "" || f.num("timestamp") == 0 {
		t.Errorf("error body = %s, want status %d with error, path and timestamp", r.body, status)
	}
	if message != "" && !strings.Contains(f.str("message"), message) {
		t.Errorf("message = %q, want it to contain %q", f.str("message"), message)
	}
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// song returns catalogue info for a track of the given length.
func song(id, title string, length time.Duration) lavalink.TrackInfo {
	return lavalink.TrackInfo{
		Identifier: id,
		Title:      title,
		Author:     "Tester",
		Length:     lavalink.Duration(length.Milliseconds()),
		URI:        ptr("https://www.youtube.com/watch?v=" + id),
		SourceName: "youtube",
	}
}

func playerPath(sid, guild string) string { return "/v4/sessions/" + sid + "/players/" + guild }

// voice is a complete 4.2 voice state.
var voice = map[string]any{"token": "tok", "endpoint": "eu.discord.media", "sessionId": "vs1", "channelId": "200000000000000001"}

const guild = "300000000000000001"
