package lavalinktest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"runtime"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/gorilla/websocket"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

func TestKillAndRestart(t *testing.T) {
	f := newFixture(t)
	f.connectVoice()
	f.play(f.track("a", time.Minute).Encoded)
	f.n.Kill()
	var closeErr *websocket.CloseError
	if err := f.c.expectClosed(); !errors.As(err, &closeErr) || closeErr.Code != websocket.CloseAbnormalClosure {
		t.Errorf("client saw %v, want 1006", err)
	}
	if _, _, err := dial(t, f.n, headers(f.n)); err == nil {
		t.Error("dial to a killed node succeeded")
	}
	req, _ := http.NewRequest(http.MethodGet, f.n.URL()+"/version", nil)
	if resp, err := httpClient.Do(req); err == nil {
		resp.Body.Close()
		t.Error("REST on a killed node succeeded")
	}
	if len(f.n.Players()) != 0 || len(f.n.Sessions()) != 0 {
		t.Errorf("a killed node has players %v and sessions %v", f.n.Players(), f.n.Sessions())
	}
	f.n.Kill()
	if err := f.n.Restart(); err != nil {
		t.Fatal(err)
	}
	c := reopen(t, f.n, f.c.sessionID)
	if ready := c.expect("ready"); ready.get("resumed") != false || ready.str("sessionId") == f.c.sessionID {
		t.Errorf("ready after restart = %v, want a new session", ready)
	}
	if st := c.expect("stats"); st.num("uptime") != 0 || st.num("players") != 0 {
		t.Errorf("stats after restart = %v, want a fresh process", st)
	}
	if r := call(t, f.n, http.MethodGet, "/v4/loadtracks?identifier=a", nil).json(t); r.str("loadType") != "track" {
		t.Errorf("catalogue after restart: %v", r)
	}
}

func TestRestartRunningNodeSendsGoingAway(t *testing.T) {
	f := newFixture(t)
	if err := f.n.Restart(); err != nil {
		t.Fatal(err)
	}
	var closeErr *websocket.CloseError
	if err := f.c.expectClosed(); !errors.As(err, &closeErr) || closeErr.Code != websocket.CloseGoingAway {
		t.Errorf("client saw %v, want 1001", err)
	}
	connect(t, f.n)
}

func TestFailRequests(t *testing.T) {
	n, _ := newNode(t)
	n.FailRequests(2, http.StatusServiceUnavailable)
	n.FailRequests(1, http.StatusNoContent)
	expectError(t, call(t, n, http.MethodGet, "/v4/info", nil), 503, "injected")
	expectError(t, call(t, n, http.MethodGet, "/v4/stats", nil), 503, "injected")
	if r := call(t, n, http.MethodGet, "/v4/info", nil); r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Errorf("third request = %d %q, want an empty 204", r.status, r.body)
	}
	if r := call(t, n, http.MethodGet, "/v4/info", nil); r.status != http.StatusOK {
		t.Errorf("fourth request = %d, want 200", r.status)
	}
	n.FailRequests(1, 500)
	if r := callWith(t, n, http.MethodGet, "/v4/info", http.Header{}, nil); r.status != 401 {
		t.Errorf("unauthenticated request = %d, want 401 before injected failures", r.status)
	}
	c := connect(t, n)
	expectError(t, call(t, n, http.MethodPatch, playerPath(c.sessionID, guild), map[string]any{"volume": 1}), 500, "")
	if len(n.Players()) != 0 {
		t.Error("a failed request had an effect")
	}
	reqs := n.Requests()
	var statuses []int
	for _, r := range reqs {
		statuses = append(statuses, r.Status)
	}
	want := []int{503, 503, 204, 200, 401, 101, 500}
	if len(statuses) != len(want) {
		t.Fatalf("Requests() statuses = %v, want %v", statuses, want)
	}
	for i := range want {
		if statuses[i] != want[i] {
			t.Fatalf("Requests() statuses = %v, want %v", statuses, want)
		}
	}
	if string(reqs[6].Body) != `{"volume":1}` || reqs[6].Method != http.MethodPatch || reqs[6].Header.Get("Content-Type") != "application/json" {
		t.Errorf("recorded PATCH = %+v", reqs[6])
	}
	n.ResetRequests()
	if len(n.Requests()) != 0 {
		t.Error("ResetRequests kept requests")
	}
}

func TestFailHandshakes(t *testing.T) {
	n, _ := newNode(t)
	n.FailHandshakes(1, http.StatusServiceUnavailable)
	if _, resp, err := dial(t, n, headers(n)); err == nil || resp == nil || resp.StatusCode != 503 {
		t.Errorf("first handshake = %v, %v, want 503", resp, err)
	}
	connect(t, n)
}

func TestLatencyOnManualClock(t *testing.T) {
	n, clock := newNode(t)
	n.Latency(2 * time.Second)
	done := make(chan response, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, n.URL()+"/version", nil)
		req.Header.Set("Authorization", n.Password())
		resp, err := httpClient.Do(req)
		if err != nil {
			done <- response{}
			return
		}
		resp.Body.Close()
		done <- response{status: resp.StatusCode}
	}()
	var r response
	for r.status == 0 {
		select {
		case r = <-done:
			if r.status == 0 {
				t.Fatal("request failed")
			}
		default:
			clock.Advance(100 * time.Millisecond)
			runtime.Gosched()
		}
	}
	req := n.Requests()[0]
	if waited := clock.Now().Sub(req.Time); waited < 2*time.Second {
		t.Errorf("answer came %v after arrival on the node clock, want at least 2s", waited)
	}
	n.Latency(0)
	if r := call(t, n, http.MethodGet, "/version", nil); r.status != 200 {
		t.Errorf("status without latency = %d", r.status)
	}
}

func TestLatencyGivingUpClient(t *testing.T) {
	n, _ := newNode(t)
	n.Latency(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The client gives up as soon as its request is on the wire.
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { cancel() }})
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, n.URL()+"/version", nil)
	req.Header.Set("Authorization", n.Password())
	if resp, err := httpClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("request with an hour of latency answered")
	}
	// Close returns only once the delayed handler has let go; whether the
	// request reached the handler before the client left is up to the
	// scheduler, but if it did it was dropped unanswered.
	n.Close()
	if got := n.Requests(); len(got) > 1 || len(got) == 1 && (got[0].Status != 0 || got[0].Path != "/version") {
		t.Errorf("Requests() = %+v, want at most one dropped request", got)
	}
}

func TestCloseIsIdempotentAndFinal(t *testing.T) {
	n, _ := newNode(t)
	c := connect(t, n)
	n.Close()
	var closeErr *websocket.CloseError
	if err := c.expectClosed(); !errors.As(err, &closeErr) || closeErr.Code != websocket.CloseGoingAway {
		t.Errorf("client saw %v, want 1001", err)
	}
	n.Close()
	n.Kill()
	for name, err := range map[string]error{
		"Restart":    n.Restart(),
		"Disconnect": n.Disconnect(0, ""),
		"SendStats":  n.SendStats(),
		"SendRaw":    n.SendRaw("x", nil),
		"FailTrack":  n.FailTrack(1, lavalink.Exception{}),
		"CloseVoice": n.CloseVoice(1, 4006, "", true),
	} {
		if !errors.Is(err, lavalinktest.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
	if n.Players() != nil || n.Sessions() != nil {
		t.Error("a closed node reports players or sessions")
	}
}

func TestSendRawUnknownSession(t *testing.T) {
	n, _ := newNode(t)
	if err := n.SendRaw("nope", []byte("{}")); !errors.Is(err, lavalinktest.ErrNoSession) {
		t.Errorf("SendRaw(unknown) = %v, want ErrNoSession", err)
	}
}

func TestNewNodeOptions(t *testing.T) {
	bad := map[string]lavalinktest.Option{
		"version 3":           lavalinktest.WithVersion("3.7.12"),
		"version garbage":     lavalinktest.WithVersion("four"),
		"version two parts":   lavalinktest.WithVersion("4.2"),
		"negative version":    lavalinktest.WithVersion("4.-1.0"),
		"zero speed":          lavalinktest.WithPlaybackSpeed(0),
		"zero update":         lavalinktest.WithPlayerUpdateInterval(0),
		"zero stats":          lavalinktest.WithStatsInterval(0),
		"zero cleanup":        lavalinktest.WithCleanupThreshold(0),
		"negative cleanup ms": lavalinktest.WithCleanupThreshold(-time.Millisecond),
		"unknown filter":      lavalinktest.WithFilters("equalizer", "bassboost"),
		"unnamed plugin":      lavalinktest.WithPlugin("", "1.0.0"),
	}
	for name, opt := range bad {
		if n, err := lavalinktest.NewNode(opt); err == nil {
			n.Close()
			t.Errorf("NewNode(%s) succeeded", name)
		}
	}
	n, err := lavalinktest.NewNode(lavalinktest.WithLogger(nil), lavalinktest.WithPassword("pw"), lavalinktest.WithVersion("4.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if n.Password() != "pw" || n.Version() != "4.0.0" || n.Clock() == nil || n.NodeConfig("x").Address != n.Addr() {
		t.Errorf("accessors: %q %q %v %+v", n.Password(), n.Version(), n.Clock(), n.NodeConfig("x"))
	}
}
