package node

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
	"github.com/gorilla/websocket"

	"github.com/tunekit/tunekit/secureheaders"
)

const (
	trackJSON      = `{"encoded":"QAAAjQIAJVJpY2s=","info":{"identifier":"dQw4w9WgXcQ","isSeekable":true,"author":"Rick","length":212000,"isStream":false,"position":0,"title":"Never","uri":"https://youtu.be/x","artworkUrl":null,"isrc":null,"sourceName":"youtube"},"pluginInfo":{},"userData":{}}`
	readyFrame     = `{"op":"ready","resumed":true,"sessionId":"la3kfsdf5eafe848"}`
	updateFrame    = `{"op":"playerUpdate","guildId":"270000000000000002","state":{"time":1500467109,"position":60000,"connected":true,"ping":50}}`
	startFrame     = `{"op":"event","type":"TrackStartEvent","guildId":"270000000000000002","track":` + trackJSON + `}`
	endFrame       = `{"op":"event","type":"TrackEndEvent","guildId":"270000000000000002","track":` + trackJSON + `,"reason":"replaced"}`
	exceptionFrame = `{"op":"event","type":"TrackExceptionEvent","guildId":"270000000000000002","track":` + trackJSON + `,"exception":{"message":null,"severity":"suspicious","cause":"boom","causeStackTrace":"at x"}}`
	stuckFrame     = `{"op":"event","type":"TrackStuckEvent","guildId":"270000000000000002","track":` + trackJSON + `,"thresholdMs":10000}`
	closedFrame    = `{"op":"event","type":"WebSocketClosedEvent","guildId":"270000000000000002","code":4006,"reason":"gone","byRemote":true}`
	fullStatsFrame = `{"op":"stats","players":3,"playingPlayers":2,"uptime":123456,"memory":{"free":1,"used":2,"allocated":3,"reservable":4},"cpu":{"cores":8,"systemLoad":0.51,"lavalinkLoad":0.02},"frameStats":{"sent":2900,"nulled":10,"deficit":90}}`
)

func TestDecodeFrame(t *testing.T) {
	g := snowflake.ID(270000000000000002)
	for _, tc := range []struct {
		name  string
		frame string
		check func(any) bool
	}{
		{"ready", readyFrame, func(v any) bool {
			return v == lavalink.ReadyMessage{Resumed: true, SessionID: "la3kfsdf5eafe848"}
		}},
		{"stats", fullStatsFrame, func(v any) bool {
			s := v.(lavalink.Stats)
			return s.PlayingPlayers == 2 && s.CPU.SystemLoad == 0.51 && s.FrameStats != nil && s.FrameStats.Deficit == 90 && s.Uptime == 123456
		}},
		{"stats null frames", statsFrame, func(v any) bool { return v.(lavalink.Stats).FrameStats == nil }},
		{"playerUpdate", updateFrame, func(v any) bool {
			m := v.(lavalink.PlayerUpdateMessage)
			return m.GuildID == g && m.State.Position == 60000 && m.State.Ping == 50 && m.State.Connected
		}},
		{"start", startFrame, func(v any) bool {
			e := v.(lavalink.TrackStartEvent)
			return e.GuildID() == g && e.Track.Info.Title == "Never" && e.Track.Info.Length == 212000
		}},
		{"end", endFrame, func(v any) bool {
			e := v.(TrackEndEvent)
			return e.GuildID() == g && e.Reason == lavalink.TrackEndReasonReplaced && !e.MayStartNext() && e.Type() == lavalink.EventTypeTrackEnd && e.Op() == lavalink.OpEvent
		}},
		{"exception", exceptionFrame, func(v any) bool {
			e := v.(lavalink.TrackExceptionEvent)
			return e.Exception.Severity == lavalink.SeveritySuspicious && e.Exception.Cause != nil && *e.Exception.Cause == "boom"
		}},
		{"stuck", stuckFrame, func(v any) bool { return v.(lavalink.TrackStuckEvent).Threshold == 10000 }},
		{"closed", closedFrame, func(v any) bool {
			e := v.(lavalink.WebSocketClosedEvent)
			return e.Code == 4006 && e.ByRemote && e.GuildID() == g
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := decodeFrame([]byte(tc.frame))
			if err != nil || !tc.check(v) {
				t.Errorf("decodeFrame(%s) = %#v, %v", tc.name, v, err)
			}
		})
	}
}

func TestDecodeFrameRejects(t *testing.T) {
	for _, tc := range []struct {
		frame string
		want  error // nil: any error
		text  string
	}{
		{`garbage`, nil, "invalid character"},
		{``, nil, ""},
		{`[]`, nil, ""},
		{`null`, errUnknownOp, `op ""`},
		{`{}`, errUnknownOp, `op ""`},
		{`{"op":"nope"}`, errUnknownOp, `op "nope"`},
		{`{"op":42}`, nil, ""},
		{`{"op":"event","type":"PlayerPauseEvent","guildId":"1"}`, errUnknownEvent, `type "PlayerPauseEvent"`},
		{`{"op":"event","guildId":"1"}`, errUnknownEvent, ""},
		{`{"op":"ready","sessionId":""}`, errBadSession, ""},
		{`{"op":"ready","sessionId":"a/b"}`, errBadSession, ""},
		{`{"op":"ready","sessionId":"a\r\nX-Evil: 1"}`, errBadSession, ""},
		{`{"op":"ready","sessionId":7}`, nil, ""},
		{`{"op":"playerUpdate","guildId":1,"state":{}}`, nil, "snowflake"},
		{`{"op":"playerUpdate","guildId":"1","state":{"time":1,"position":1.5}}`, nil, ""},
		{`{"op":"playerUpdate","state":{"time":1,"position":1}}`, errNoGuild, ""},
		{`{"op":"playerUpdate","guildId":"0","state":{}}`, errNoGuild, ""},
		{`{"op":"stats","uptime":1.5}`, nil, ""},
		{`{"op":"stats","players":"x"}`, nil, ""},
		{`{"op":"event","type":"TrackStartEvent","track":{}}`, errNoGuild, ""},
		{`{"op":"event","type":"TrackEndEvent","guildId":"x"}`, nil, ""},
		{`{"op":"event","type":"TrackExceptionEvent","guildId":"1","exception":[]}`, nil, ""},
		{`{"op":"event","type":"TrackStuckEvent","guildId":"1","thresholdMs":"10"}`, nil, ""},
		{`{"op":"event","type":"WebSocketClosedEvent","guildId":"1","code":"x"}`, nil, ""},
		{`{"op":"event","type":"WebSocketClosedEvent","code":4000}`, errNoGuild, ""},
		{`{"op":"` + strings.Repeat("x", 100) + `"}`, errUnknownOp, "…"},
	} {
		v, err := decodeFrame([]byte(tc.frame))
		var fe *frameError
		if err == nil || v != nil || !errors.As(err, &fe) || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("decodeFrame(%q) = %#v, %v; want a frame error (%v, %q)", tc.frame, v, err, tc.want, tc.text)
		}
	}
}

func TestScriptedBadFramesSkipped(t *testing.T) {
	s := newScripted(t)
	h, c := connectScripted(t, s, nil)
	bad := []string{
		`garbage`,
		`{"op":"nope"}`,
		`{"op":"event","type":"Nope","guildId":"1"}`,
		`{"op":"playerUpdate","guildId":1,"state":{}}`,
		`{"op":"playerUpdate","guildId":"1","state":{"time":1.5,"position":1}}`,
		`{"op":"stats","uptime":1.5}`,
		readyFrame,
		`{"op":"event","type":"TrackEndEvent","track":{}}`,
	}
	for _, f := range bad {
		c.send(t, f)
	}
	if err := c.ws.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{fullStatsFrame, updateFrame, startFrame, endFrame, exceptionFrame, stuckFrame, closedFrame} {
		c.send(t, f)
	}
	if st := h.rec.next(t); st.kind != "stats" || st.stats.FrameStats == nil || st.stats.FrameStats.Deficit != 90 {
		t.Fatalf("first call after the bad frames = %v %+v, want the stats", st, st.stats)
	}
	if u := h.rec.next(t); u.kind != "playerUpdate" || u.guild != testGuild || u.state.Position != 60000 {
		t.Errorf("second call = %v %+v, want playerUpdate", u, u.state)
	}
	var types []lavalink.EventType
	for range 5 {
		c := h.rec.next(t)
		if c.kind != "event" || !c.connected {
			t.Fatalf("call = %v, want an event", c)
		}
		types = append(types, c.event.Type())
	}
	want := []lavalink.EventType{lavalink.EventTypeTrackStart, lavalink.EventTypeTrackEnd, lavalink.EventTypeTrackException, lavalink.EventTypeTrackStuck, lavalink.EventTypeWebSocketClosed}
	if !equalTypes(types, want) {
		t.Errorf("events = %v, want %v", types, want)
	}
	if got := strings.Count(h.logs.String(), "lavalink frame skipped"); got != len(bad)+1 {
		t.Errorf("skipped-frame warnings = %d, want %d\n%s", got, len(bad)+1, h.logs.String())
	}
	if strings.Count(h.logs.String(), "level=WARN msg=\"lavalink frame skipped\"") != len(bad)+1 {
		t.Errorf("skipped frames are not logged at warn:\n%s", h.logs.String())
	}
	h.rec.none(t)
	if !h.n.Connected() {
		t.Error("bad frames ended the connection")
	}
	// The stats op is kept for Penalty and Stats.
	if got, ok := h.n.Stats(); !ok || got.CPU.Cores != 8 {
		t.Errorf("Stats() = %+v, %v", got, ok)
	}
}

func equalTypes(a, b []lavalink.EventType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWrongFirstFrame(t *testing.T) {
	for _, tc := range []struct {
		name  string
		first func(t *testing.T, c *scriptConn)
		text  string
	}{
		{"stats first", func(t *testing.T, c *scriptConn) { c.send(t, statsFrame) }, `got op "stats"`},
		{"event first", func(t *testing.T, c *scriptConn) { c.send(t, startFrame) }, `got event "TrackStartEvent"`},
		{"garbage first", func(t *testing.T, c *scriptConn) { c.send(t, "{") }, "unexpected end"},
		{"empty session", func(t *testing.T, c *scriptConn) { c.send(t, `{"op":"ready","sessionId":""}`) }, "sessionId"},
		{"binary first", func(t *testing.T, c *scriptConn) {
			if err := c.ws.WriteMessage(websocket.BinaryMessage, []byte(readyFrame)); err != nil {
				t.Fatal(err)
			}
		}, "binary"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScripted(t)
			h := newHarness(t, s.addr(), scriptPassword, nil)
			h.start(t)
			c := s.accept(t)
			tc.first(t, c)
			c.waitClosed(t)
			h.timers.next(t).fire <- testEpoch
			st := h.n.Status()
			if st.Connected || !errors.Is(st.Err, ErrNoReady) || !strings.Contains(st.Err.Error(), tc.text) || st.Attempts != 1 {
				t.Errorf("Status() = %+v, want a failed attempt matching ErrNoReady with %q", st, tc.text)
			}
			c2 := s.accept(t)
			c2.ready(t, "second", false)
			if r := h.rec.waitFor(t, "ready"); r.sid != "second" {
				t.Errorf("ready after retry = %q", r.sid)
			}
		})
	}
}

func TestHandshakeRefused(t *testing.T) {
	s := newScripted(t)
	refusals := 0
	s.handshake = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("Authorization") == scriptPassword && refusals > 0 {
			return false
		}
		refusals++
		w.WriteHeader(http.StatusUnauthorized)
		return true
	}
	h := newHarness(t, s.addr(), "wrong-password", nil)
	h.start(t)
	h.timers.next(t)
	st := h.n.Status()
	var e *Error
	if !errors.As(st.Err, &e) || !errors.Is(st.Err, ErrUnauthorized) || e.Path != "/v4/websocket" || e.Status != 401 {
		t.Fatalf("Status().Err = %#v, want a 401 *Error", st.Err)
	}
	if strings.Contains(st.Err.Error(), "wrong-password") || strings.Contains(h.logs.String(), "wrong-password") {
		t.Error("the password leaked into an error or the log")
	}
	if !strings.Contains(h.logs.String(), "level=ERROR") {
		t.Errorf("a refused password is not logged at error:\n%s", h.logs.String())
	}
}

func TestReadyTimeout(t *testing.T) {
	s := newScripted(t)
	h := newHarness(t, s.addr(), scriptPassword, func(c *Config) { c.HandshakeTimeout = 20 * time.Millisecond })
	h.start(t)
	c := s.accept(t) // never sends ready
	c.waitClosed(t)
	h.timers.next(t)
	if st := h.n.Status(); st.Err == nil || !strings.Contains(st.Err.Error(), "waiting for ready") {
		t.Errorf("Status().Err = %v, want a ready timeout", st.Err)
	}
}

func TestReadTimeout(t *testing.T) {
	s := newScripted(t)
	h, c := connectScripted(t, s, func(c *Config) { c.ReadTimeout = 20 * time.Millisecond })
	c.waitClosed(t) // silent for longer than ReadTimeout
	d := h.rec.waitFor(t, "disconnect")
	if d.err == nil || errors.Is(d.err, ErrClosed) {
		t.Errorf("disconnect = %v, want a read timeout", d.err)
	}
	h.timers.fireNext(t)
	s.accept(t).ready(t, "sess1", true)
	if r := h.rec.waitFor(t, "ready"); !r.resumed {
		t.Error("reconnect after a read timeout did not resume")
	}
}

func TestCloseDuringReadyWait(t *testing.T) {
	s := newScripted(t)
	h := newHarness(t, s.addr(), scriptPassword, nil)
	h.start(t)
	c := s.accept(t) // the node waits for ready (10 s by default)
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := h.n.Close(ctx); err != nil {
		t.Fatalf("Close while waiting for ready = %v", err)
	}
	c.waitClosed(t)
	h.rec.none(t)
}

func TestCloseDuringHandshake(t *testing.T) {
	s := newScripted(t)
	entered := make(chan struct{})
	release := make(chan struct{})
	s.handshake = func(w http.ResponseWriter, r *http.Request) bool {
		close(entered)
		<-release // never answers while the node waits
		return true
	}
	defer close(release)
	h := newHarness(t, s.addr(), scriptPassword, nil)
	h.start(t)
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := h.n.Close(ctx); err != nil {
		t.Fatalf("Close during the handshake = %v", err)
	}
}

func TestServerCloseFrameReconnects(t *testing.T) {
	s := newScripted(t)
	h, c := connectScripted(t, s, nil)
	msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "shutdown")
	if err := c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(patience)); err != nil {
		t.Fatal(err)
	}
	d := h.rec.waitFor(t, "disconnect")
	var ce *websocket.CloseError
	if !errors.As(d.err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Errorf("disconnect = %v, want close 1001", d.err)
	}
	h.timers.fireNext(t)
	c2 := s.accept(t)
	if got := c2.header.Get("Session-Id"); got != "sess1" {
		t.Errorf("reconnect Session-Id = %q, want sess1", got)
	}
	c2.ready(t, "sess1", true)
	h.rec.waitFor(t, "ready")
}

func TestSetupFailuresKeepConnection(t *testing.T) {
	s := newScripted(t)
	s.answer("PATCH /v4/sessions/sess1", 500, `{"status":500,"message":"no"}`)
	s.answer("GET /v4/info", 200, `not json`)
	h, c := connectScripted(t, s, nil)
	if _, ok := h.n.Info(); ok {
		t.Error("Info() ok after a failed read")
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "resuming not enabled") || !strings.Contains(logs, "info not read") {
		t.Errorf("setup failures not logged:\n%s", logs)
	}
	c.send(t, statsFrame)
	h.rec.waitFor(t, "stats")
	if !h.n.Connected() {
		t.Error("setup failures ended the connection")
	}
}

// FuzzDecodeFrame checks that no frame panics the decoder or the
// dispatcher, that every accepted frame is one of the documented types
// with its ids, and that the password never reaches the log.
func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{readyFrame, statsFrame, fullStatsFrame, updateFrame, startFrame, endFrame, exceptionFrame, stuckFrame, closedFrame,
		`{"op":"event","type":"TrackEndEvent","guildId":"` + fuzzSecret + `"}`,
		`{"op":"` + fuzzSecret + `"}`,
		`{"op":"playerUpdate","guildId":"1","state":{"time":"` + fuzzSecret + `"}}`,
		`{"op":"ready","sessionId":"` + fuzzSecret + `"}`,
		`garbage`, `null`, `{}`, `[]`, `{"op":"event","type":"TrackEndEvent","guildId":"1","track":{"info":{"length":1e400}}}`,
	} {
		f.Add([]byte(s))
	}
	logs := &logBuffer{}
	n, err := New(Config{
		Name: "fuzz", Address: "127.0.0.1:1", Password: secureheaders.NewSecret(fuzzSecret),
		UserID: testUser, Logger: logs.logger(),
	}, HandlerFuncs{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = n.Close(context.Background()) })
	f.Fuzz(func(t *testing.T, data []byte) {
		logs.Reset()
		v, err := decodeFrame(data)
		if (v == nil) == (err == nil) {
			t.Fatalf("decodeFrame(%q) = %#v, %v; want exactly one", data, v, err)
		}
		switch m := v.(type) {
		case nil:
		case lavalink.ReadyMessage:
			if !validSessionID(m.SessionID) {
				t.Errorf("ready with session %q accepted", m.SessionID)
			}
		case lavalink.Stats:
		case lavalink.PlayerUpdateMessage:
			if m.GuildID == 0 {
				t.Error("playerUpdate without guild accepted")
			}
		case lavalink.Event:
			if m.GuildID() == 0 {
				t.Error("event without guild accepted")
			}
		default:
			t.Errorf("decodeFrame returned %T", v)
		}
		n.dispatch(data)
		if strings.Contains(logs.String(), fuzzSecret) {
			t.Fatalf("the password reached the log for frame %q", data)
		}
	})
}

const fuzzSecret = "fake-node-secret"
