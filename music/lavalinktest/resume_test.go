package lavalinktest_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

// reopen dials again with the session id of c.
func reopen(t *testing.T, n *lavalinktest.Node, sessionID string) *wsClient {
	t.Helper()
	h := headers(n)
	h.Set("Session-Id", sessionID)
	return open(t, n, h)
}

func TestResumeReplaysInOrder(t *testing.T) {
	f := newFixture(t, lavalinktest.WithStatsInterval(20*time.Second))
	a := f.track("a", 25*time.Second)
	r := call(t, f.n, http.MethodPatch, "/v4/sessions/"+f.c.sessionID, map[string]any{"resuming": true, "timeout": 60})
	if r.status != http.StatusOK {
		t.Fatal(r.status)
	}
	f.connectVoice()
	f.play(a.Encoded)
	call(t, f.n, http.MethodPatch, playerPath(f.c.sessionID, "100"), map[string]any{"volume": 30})
	if err := f.n.Disconnect(0, ""); err != nil {
		t.Fatal(err)
	}
	var closeErr *websocket.CloseError
	if err := f.c.expectClosed(); !errors.As(err, &closeErr) || closeErr.Code != websocket.CloseAbnormalClosure {
		t.Errorf("client saw %v, want an abnormal closure (1006)", err)
	}
	s := f.n.Sessions()
	if len(s) != 1 || s[0].Connected || s[0].ID != f.c.sessionID || s[0].Players != 2 {
		t.Fatalf("Sessions() while paused = %+v", s)
	}
	expectError(t, call(t, f.n, http.MethodGet, "/v4/sessions/"+f.c.sessionID+"/players", nil), http.StatusNotFound, "Session not found")

	// Playback goes on; events and stats are kept, periodic updates skipped.
	f.clock.Advance(30 * time.Second)
	if err := f.n.CloseVoice(mustGuild(), 4006, "gone", true); err != nil {
		t.Fatal(err)
	}

	c := reopen(t, f.n, f.c.sessionID)
	if got := c.resp.Header.Get("Session-Resumed"); got != "true" {
		t.Errorf("Session-Resumed = %q, want true", got)
	}
	ready := c.expect("ready")
	if ready.get("resumed") != true || ready.str("sessionId") != f.c.sessionID {
		t.Errorf("ready = %v, want resumed with the same id", ready)
	}
	replay := c.expectSeq("stats", "TrackEndEvent", "WebSocketClosedEvent", "playerUpdate", "playerUpdate")
	if replay[0].num("uptime") != 20000 || replay[1].str("reason") != "finished" || replay[2].num("code") != 4006 {
		t.Errorf("replayed %v", replay[:3])
	}
	if replay[3].str("guildId") != "100" || replay[4].str("guildId") != guild {
		t.Errorf("playerUpdates after replay = %v, want one per player by guild id", replay[3:])
	}
	c.sessionID = f.c.sessionID
	c.expectNothing(f.n)
	if r := call(t, f.n, http.MethodGet, playerPath(c.sessionID, "100"), nil); r.status != http.StatusOK || r.json(t).num("volume") != 30 {
		t.Errorf("player after resume = %d %s", r.status, r.body)
	}
	f.clock.Advance(10 * time.Second)
	if got := c.expect("stats"); got.num("uptime") != 40000 {
		t.Errorf("stats after resume = %v, want the original schedule (40 s)", got)
	}
}

func TestResumeTimeout(t *testing.T) {
	f := newFixture(t)
	call(t, f.n, http.MethodPatch, "/v4/sessions/"+f.c.sessionID, map[string]any{"resuming": true, "timeout": 10})
	f.ok(map[string]any{"volume": 10})
	if err := f.n.Disconnect(websocket.CloseNormalClosure, "bye"); err != nil {
		t.Fatal(err)
	}
	var closeErr *websocket.CloseError
	if err := f.c.expectClosed(); !errors.As(err, &closeErr) || closeErr.Code != websocket.CloseNormalClosure || closeErr.Text != "bye" {
		t.Errorf("client saw %v, want close 1000 bye", err)
	}
	f.clock.Advance(10 * time.Second)
	if s := f.n.Sessions(); len(s) != 0 {
		t.Errorf("Sessions() after the resume timeout = %+v, want none", s)
	}
	c := reopen(t, f.n, f.c.sessionID)
	if c.resp.Header.Get("Session-Resumed") != "false" {
		t.Errorf("Session-Resumed = %q, want false", c.resp.Header.Get("Session-Resumed"))
	}
	ready := c.expect("ready")
	if ready.get("resumed") != false || ready.str("sessionId") == f.c.sessionID {
		t.Errorf("ready after expiry = %v, want a new session", ready)
	}
	c.expect("stats")
	if ps := f.n.Players(); len(ps) != 0 {
		t.Errorf("Players() after expiry = %v, want none", ps)
	}
}

func TestCloseWithoutResumingDestroysSession(t *testing.T) {
	f := newFixture(t)
	f.connectVoice()
	f.play(f.track("a", time.Minute).Encoded)
	if err := f.n.Disconnect(websocket.CloseGoingAway, ""); err != nil {
		t.Fatal(err)
	}
	if s := f.n.Sessions(); len(s) != 0 {
		t.Errorf("Sessions() after the close = %+v, want none", s)
	}
	c := reopen(t, f.n, f.c.sessionID)
	if ready := c.expect("ready"); ready.get("resumed") != false {
		t.Errorf("ready = %v, want resumed false", ready)
	}
	c.expect("stats")
	if ps := f.n.Players(); len(ps) != 0 {
		t.Errorf("Players() = %v, want the old session's players gone", ps)
	}
}

func TestPauseHoldsFramesAcrossResume(t *testing.T) {
	f := newFixture(t)
	call(t, f.n, http.MethodPatch, "/v4/sessions/"+f.c.sessionID, map[string]any{"resuming": true})
	a := f.track("a", time.Minute)
	f.connectVoice()
	f.n.Pause()
	f.ok(map[string]any{"track": map[string]any{"encoded": a.Encoded}})
	// Had the frames been written, the old socket would have them and the
	// resumed session would not replay them.
	if err := f.n.Disconnect(0, ""); err != nil {
		t.Fatal(err)
	}
	f.n.Unpause()
	c := reopen(t, f.n, f.c.sessionID)
	c.expectSeq("ready", "TrackStartEvent", "playerUpdate", "playerUpdate", "playerUpdate")
}

func TestPauseHoldsReady(t *testing.T) {
	n, _ := newNode(t)
	n.Pause()
	c := open(t, n, headers(n))
	if s := n.Sessions(); len(s) != 1 || !s[0].Connected {
		t.Fatalf("Sessions() while paused = %+v, want the new session", s)
	}
	n.Unpause()
	ready := c.expect("ready")
	if ready.str("sessionId") != n.Sessions()[0].ID {
		t.Errorf("held ready = %v", ready)
	}
	c.expect("stats")
}
