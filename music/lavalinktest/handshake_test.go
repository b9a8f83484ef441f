package lavalinktest_test

import (
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tunekit/tunekit/internal/logtest"
	"github.com/tunekit/tunekit/music/lavalinktest"
)

func TestHandshakeRejects(t *testing.T) {
	n, _ := newNode(t)
	tests := []struct {
		name   string
		header func(http.Header)
		status int
	}{
		{"no password", func(h http.Header) { h.Del("Authorization") }, http.StatusUnauthorized},
		{"wrong password", func(h http.Header) { h.Set("Authorization", "nope") }, http.StatusUnauthorized},
		{"bearer password", func(h http.Header) { h.Set("Authorization", "Bearer "+n.Password()) }, http.StatusUnauthorized},
		{"no user id", func(h http.Header) { h.Del("User-Id") }, http.StatusBadRequest},
		{"empty user id", func(h http.Header) { h.Set("User-Id", "") }, http.StatusBadRequest},
		{"zero user id", func(h http.Header) { h.Set("User-Id", "0") }, http.StatusBadRequest},
		{"non-numeric user id", func(h http.Header) { h.Set("User-Id", "bot") }, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := headers(n)
			tt.header(h)
			_, resp, err := dial(t, n, h)
			if err == nil {
				t.Fatal("dial succeeded, want the handshake refused")
			}
			if resp == nil || resp.StatusCode != tt.status {
				t.Fatalf("handshake status = %v, want %d", resp, tt.status)
			}
		})
	}
	if got := len(n.Sessions()); got != 0 {
		t.Errorf("Sessions() has %d sessions after refused handshakes, want 0", got)
	}
}

func TestHandshakeReadyThenStats(t *testing.T) {
	n, clock := newNode(t, lavalinktest.WithStatsInterval(10*time.Second))
	c := open(t, n, headers(n))
	if got := c.resp.Header.Get("Session-Resumed"); got != "false" {
		t.Errorf("Session-Resumed = %q, want false", got)
	}
	ready := c.expect("ready")
	if !regexp.MustCompile(`^[a-z0-9]{16}$`).MatchString(ready.str("sessionId")) || ready.get("resumed") != false {
		t.Errorf("ready = %s, want a 16-character [a-z0-9] session id and resumed false", c.raw[0])
	}
	stats := c.expect("stats")
	for _, key := range []string{"players", "playingPlayers", "uptime", "memory", "cpu", "frameStats"} {
		if _, ok := stats[key]; !ok {
			t.Errorf("stats %s lacks %q", c.raw[1], key)
		}
	}
	if stats["frameStats"] != nil {
		t.Errorf("frameStats = %v, want null without playing players", stats["frameStats"])
	}
	c.sessionID = ready.str("sessionId")
	clock.Advance(9 * time.Second)
	c.expectNothing(n)
	clock.Advance(time.Second)
	if got := c.expect("stats"); got.num("uptime") != 10000 {
		t.Errorf("stats uptime = %v, want 10000", got.num("uptime"))
	}
	clock.Advance(20 * time.Second)
	c.expectSeq("stats", "stats")

	sessions := n.Sessions()
	if len(sessions) != 1 || sessions[0].ID != c.sessionID || sessions[0].ClientName != "tunekit-test/1.0" ||
		sessions[0].UserID.String() != botID || !sessions[0].Connected || sessions[0].Resuming || sessions[0].Timeout != time.Minute {
		t.Errorf("Sessions() = %+v", sessions)
	}
	var hs []lavalinktest.Request
	for _, r := range n.Requests() {
		if r.Path == "/v4/websocket" {
			hs = append(hs, r)
		}
	}
	if len(hs) != 1 || hs[0].Status != http.StatusSwitchingProtocols || hs[0].Header.Get("User-Id") != botID || !hs[0].Time.Equal(epoch) {
		t.Errorf("handshake requests = %+v, want one 101 with the User-Id header at the epoch", hs)
	}
}

func TestHandshakeIgnoresClientMessages(t *testing.T) {
	n, _ := newNode(t)
	c := connect(t, n)
	if err := c.conn.WriteMessage(websocket.TextMessage, []byte(`{"op":"play"}`)); err != nil {
		t.Fatal(err)
	}
	c.expectNothing(n)
	if r := call(t, n, http.MethodGet, "/v4/sessions/"+c.sessionID+"/players", nil); r.status != http.StatusOK {
		t.Errorf("session after a client message: status %d", r.status)
	}
}

func TestHandshakeWithoutUpgrade(t *testing.T) {
	n, _ := newNode(t)
	h := headers(n)
	r := callWith(t, n, http.MethodGet, "/v4/websocket", h, nil)
	expectError(t, r, http.StatusBadRequest, "WebSocket")
}

func TestWebSocketFramesUseIntegersAndStrings(t *testing.T) {
	n, clock := newNode(t)
	tr := lavalinktest.Must(n.AddTrack(song("int", "Numbers", time.Minute)))
	c := connect(t, n)
	call(t, n, http.MethodPatch, playerPath(c.sessionID, guild), map[string]any{"voice": voice, "track": map[string]any{"encoded": tr.Encoded}})
	clock.Advance(1234 * time.Millisecond)
	n.SendStats()
	c.drain(n)
	number := regexp.MustCompile(`"(time|position|length|uptime|players|playingPlayers|ping)":(-?[0-9.eE+]+)`)
	for _, raw := range c.raw {
		for _, m := range number.FindAllStringSubmatch(raw, -1) {
			if strings.ContainsAny(m[2], ".eE") {
				t.Errorf("%s = %s in %s, want an integer", m[1], m[2], raw)
			}
		}
		if strings.Contains(raw, `"guildId":`) && !strings.Contains(raw, `"guildId":"`+guild+`"`) {
			t.Errorf("guildId is not the quoted snowflake in %s", raw)
		}
	}
}

func TestLogger(t *testing.T) {
	var buf logtest.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	n, _ := newNode(t, lavalinktest.WithLogger(logger))
	c := connect(t, n)
	if err := n.Disconnect(websocket.CloseNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"websocket open", "session=" + c.sessionID, "session closed"} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q lacks %q", out, want)
		}
	}
	if strings.Contains(out, n.Password()) {
		t.Errorf("log %q shows the password", out)
	}
}
