package discordtest_test

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgo/gateway"
	"github.com/gorilla/websocket"
	"github.com/klauspost/compress/zstd"

	"github.com/tunekit/tunekit/music/discordtest"
)

// rawConn is a minimal gateway client for protocol tests, speaking the
// wire format directly so every frame can be checked.
type rawConn struct {
	t        testing.TB
	ws       *websocket.Conn
	compress string
	in       feed
	inflate  io.Reader
	hello    frame
}

type frame struct {
	Op int             `json:"op"`
	S  int             `json:"s"`
	T  string          `json:"t"`
	D  json.RawMessage `json:"d"`
}

// feed hands the decompressor each message and reports "no data yet"
// rather than EOF between messages, as a stream decompressor needs.
type feed struct{ buf bytes.Buffer }

func (f *feed) Read(p []byte) (int, error) {
	n, err := f.buf.Read(p)
	if errors.Is(err, io.EOF) {
		return n, nil
	}
	return n, err
}

// dialRaw connects with the query (default "v=10&encoding=json") and, when
// the server is expected to greet, reads HELLO.
func dialRaw(t testing.TB, srv *discordtest.Server, query string) *rawConn {
	t.Helper()
	if query == "" {
		query = "v=10&encoding=json"
	}
	ws, _, err := websocket.DefaultDialer.Dial(srv.GatewayURL()+"/?"+query, nil)
	if err != nil {
		t.Fatalf("dial gateway: %v", err)
	}
	c := &rawConn{t: t, ws: ws}
	for _, kv := range strings.Split(query, "&") {
		if v, ok := strings.CutPrefix(kv, "compress="); ok {
			c.compress = v
		}
	}
	t.Cleanup(func() { _ = ws.Close() })
	return c
}

// greet reads HELLO.
func (c *rawConn) greet() *rawConn {
	c.t.Helper()
	c.hello = c.expectOp(10)
	return c
}

func (c *rawConn) read() (frame, error) {
	_ = c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	mt, data, err := c.ws.ReadMessage()
	if err != nil {
		return frame{}, err
	}
	var r io.Reader = bytes.NewReader(data)
	if c.compress != "" {
		if mt != websocket.BinaryMessage {
			c.t.Fatalf("compressed connection got message type %d", mt)
		}
		c.in.buf.Write(data)
		if c.inflate == nil {
			switch c.compress {
			case "zlib-stream":
				if !bytes.HasSuffix(data, []byte{0, 0, 0xff, 0xff}) {
					c.t.Fatalf("zlib-stream message does not end in a sync flush")
				}
				c.inflate, err = zlib.NewReader(&c.in)
			case "zstd-stream":
				c.inflate, err = zstd.NewReader(&c.in, zstd.WithDecoderConcurrency(1))
			}
			if err != nil {
				c.t.Fatalf("decompressor: %v", err)
			}
		}
		r = c.inflate
	}
	var f frame
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		c.t.Fatalf("decode frame: %v", err)
	}
	c.in.buf.Reset()
	return f, nil
}

func (c *rawConn) must() frame {
	c.t.Helper()
	f, err := c.read()
	if err != nil {
		c.t.Fatalf("read frame: %v", err)
	}
	return f
}

func (c *rawConn) expectOp(op int) frame {
	c.t.Helper()
	f := c.must()
	if f.Op != op {
		c.t.Fatalf("got op %d (%s %s), want op %d", f.Op, f.T, f.D, op)
	}
	return f
}

// dispatch reads the next frame, which must be the dispatch t.
func (c *rawConn) dispatch(t string) frame {
	c.t.Helper()
	f := c.must()
	if f.Op != 0 || f.T != t {
		c.t.Fatalf("got op %d %q (%s), want dispatch %s", f.Op, f.T, f.D, t)
	}
	return f
}

func (c *rawConn) send(op int, d any) {
	c.t.Helper()
	b, err := json.Marshal(map[string]any{"op": op, "d": d})
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(b)
}

func (c *rawConn) sendRaw(b []byte) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func identifyPayload(token string, intents gateway.Intents, shard [2]int) map[string]any {
	return map[string]any{
		"token":      token,
		"intents":    intents,
		"shard":      shard,
		"properties": map[string]string{"os": "linux", "browser": "raw", "device": "raw"},
	}
}

// identify sends IDENTIFY and reads READY.
func (c *rawConn) identify(srv *discordtest.Server, intents gateway.Intents, shard [2]int) readyData {
	c.t.Helper()
	c.send(2, identifyPayload(srv.Token(), intents, shard))
	var r readyData
	if err := json.Unmarshal(c.dispatch("READY").D, &r); err != nil {
		c.t.Fatal(err)
	}
	return r
}

type readyData struct {
	V    int `json:"v"`
	User struct {
		ID  string `json:"id"`
		Bot bool   `json:"bot"`
	} `json:"user"`
	Guilds []struct {
		ID          string `json:"id"`
		Unavailable bool   `json:"unavailable"`
	} `json:"guilds"`
	SessionID        string `json:"session_id"`
	ResumeGatewayURL string `json:"resume_gateway_url"`
	Shard            [2]int `json:"shard"`
	Application      struct {
		ID string `json:"id"`
	} `json:"application"`
}

// closeCode reads until the server closes and returns the close code (0 if
// the connection dropped without a close frame).
func (c *rawConn) closeCode() int {
	c.t.Helper()
	for {
		_, err := c.read()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		return 0
	}
}
