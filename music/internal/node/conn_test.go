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

	"github.com/tunekit/tunekit/music/lavalinktest"
)

const testGuild = snowflake.ID(270000000000000002)

var completeVoice = Voice{Token: "tok", Endpoint: "voice.example:443", SessionID: "vsess", ChannelID: 370000000000000003}

// fakeNode starts a fake Lavalink node on a manual clock.
func fakeNode(t *testing.T, opts ...lavalinktest.Option) (*lavalinktest.Node, *lavalinktest.Clock) {
	t.Helper()
	clock := lavalinktest.NewClock(testEpoch)
	fake := lavalinktest.NewNodeT(t, append([]lavalinktest.Option{lavalinktest.WithClock(clock)}, opts...)...)
	return fake, clock
}

// connectFake starts a harness against fake and waits for ready.
func connectFake(t *testing.T, fake *lavalinktest.Node, edit func(*Config)) (*harness, string) {
	t.Helper()
	h := newHarness(t, fake.Addr(), fake.Password(), edit)
	h.start(t)
	c := h.rec.waitFor(t, "ready")
	if c.resumed {
		t.Fatalf("first ready resumed = true")
	}
	return h, c.sid
}

// websocketRequests returns the handshakes the fake received.
func websocketRequests(fake *lavalinktest.Node) []lavalinktest.Request {
	var out []lavalinktest.Request
	for _, r := range fake.Requests() {
		if r.Path == "/v4/websocket" {
			out = append(out, r)
		}
	}
	return out
}

// play starts a track of length d on testGuild with a complete voice state.
func play(t *testing.T, h *harness, fake *lavalinktest.Node, id string, d time.Duration) lavalink.Track {
	t.Helper()
	tr, err := fake.AddTrack(lavalink.TrackInfo{Identifier: id, Title: "Song " + id, Author: "Band", Length: lavalink.Duration(d.Milliseconds())})
	if err != nil {
		t.Fatalf("AddTrack: %v", err)
	}
	_, err = h.n.UpdatePlayer(context.Background(), testGuild, PlayerUpdate{Voice: &completeVoice, Track: &TrackUpdate{Encoded: tr.Encoded}}, false)
	if err != nil {
		t.Fatalf("UpdatePlayer: %v", err)
	}
	if e, ok := h.rec.waitEvent(t).(lavalink.TrackStartEvent); !ok || e.Track.Encoded != tr.Encoded {
		t.Fatalf("event after play = %#v, want TrackStartEvent", e)
	}
	return tr
}

func TestConnectReadyStats(t *testing.T) {
	fake, _ := fakeNode(t)
	h, sid := connectFake(t, fake, func(c *Config) {
		c.ResumeTimeout = 90 * time.Second
		c.ClientName = "testbot/1.2"
	})
	n := h.n

	st := h.rec.next(t)
	if st.kind != "stats" || !st.connected {
		t.Fatalf("call after ready = %v (connected %v), want stats while connected", st, st.connected)
	}
	if got, ok := n.Stats(); !ok || got.CPU.Cores != st.stats.CPU.Cores || got.Uptime != st.stats.Uptime {
		t.Errorf("Stats() = %+v, %v; want %+v, true", got, ok, st.stats)
	}
	if got := n.SessionID(); got != sid {
		t.Errorf("SessionID() = %q, want %q", got, sid)
	}
	if !n.Connected() {
		t.Error("Connected() = false after ready")
	}
	want := Status{Connected: true, SessionID: sid, Since: testEpoch}
	if got := n.Status(); got != want {
		t.Errorf("Status() = %+v, want %+v", got, want)
	}
	info, ok := n.Info()
	if !ok || info.Version.Semver != lavalinktest.DefaultVersion {
		t.Errorf("Info() = %+v, %v; want version %s", info.Version, ok, lavalinktest.DefaultVersion)
	}
	if p := n.Penalty(); p >= UnavailablePenalty || p < 0 {
		t.Errorf("Penalty() = %v, want a finite load penalty", p)
	}

	sessions := fake.Sessions()
	if len(sessions) != 1 || sessions[0].ID != sid || !sessions[0].Resuming || sessions[0].Timeout != 90*time.Second {
		t.Errorf("fake sessions = %+v, want %s resuming for 90s", sessions, sid)
	}
	if sessions[0].UserID != testUser || sessions[0].ClientName != "testbot/1.2" {
		t.Errorf("session user %v client %q, want %v testbot/1.2", sessions[0].UserID, sessions[0].ClientName, testUser)
	}
	ws := websocketRequests(fake)
	if len(ws) != 1 {
		t.Fatalf("handshakes = %d, want 1", len(ws))
	}
	hd := ws[0].Header
	if hd.Get("Authorization") != fake.Password() || hd.Get("User-Id") != testUser.String() || hd.Get("Session-Id") != "" {
		t.Errorf("handshake headers Authorization=%q User-Id=%q Session-Id=%q", hd.Get("Authorization"), hd.Get("User-Id"), hd.Get("Session-Id"))
	}
	for _, r := range fake.Requests() {
		if r.Header.Get("Authorization") != fake.Password() {
			t.Errorf("%s %s sent Authorization %q", r.Method, r.Path, r.Header.Get("Authorization"))
		}
	}
}

func TestResumeReplaysEvents(t *testing.T) {
	fake, clock := fakeNode(t)
	h, sid := connectFake(t, fake, nil)
	tr := play(t, h, fake, "resume-a", 30*time.Second)
	if got := h.n.localPlaying(); got != 1 {
		t.Errorf("players seen playing = %d, want 1", got)
	}

	if err := fake.Disconnect(0, ""); err != nil {
		t.Fatal(err)
	}
	d := h.rec.waitFor(t, "disconnect")
	if d.err == nil || errors.Is(d.err, ErrClosed) || d.connected {
		t.Errorf("disconnect err = %v (connected %v), want a lost connection", d.err, d.connected)
	}
	if h.n.Connected() || h.n.Penalty() != UnavailablePenalty {
		t.Error("node still connected and rated after disconnect")
	}
	if _, err := h.n.Players(context.Background()); !errors.Is(err, ErrNotReady) {
		t.Errorf("Players while disconnected = %v, want ErrNotReady", err)
	}
	wait := h.timers.next(t)
	if wait.d < DefaultBackoffInitial/2 || wait.d > DefaultBackoffInitial {
		t.Errorf("first reconnect delay = %v, want within [%v, %v]", wait.d, DefaultBackoffInitial/2, DefaultBackoffInitial)
	}

	// While the client is away the track ends; Lavalink queues the event.
	clock.Advance(31 * time.Second)
	wait.fire <- time.Time{}

	r := h.rec.waitFor(t, "ready")
	if r.sid != sid || !r.resumed || !r.connected {
		t.Fatalf("ready after reconnect = %q resumed %v connected %v, want %q resumed", r.sid, r.resumed, r.connected, sid)
	}
	e, ok := h.rec.waitEvent(t).(TrackEndEvent)
	if !ok || e.Reason != lavalink.TrackEndReasonFinished || e.Track.Encoded != tr.Encoded || e.GuildID() != testGuild {
		t.Fatalf("replayed event = %#v, want TrackEndEvent finished", e)
	}
	if e.Type() != lavalink.EventTypeTrackEnd || !e.MayStartNext() {
		t.Errorf("TrackEndEvent Type() = %v MayStartNext() = %v", e.Type(), e.MayStartNext())
	}
	if got := h.n.localPlaying(); got != 0 {
		t.Errorf("players seen playing after end = %d, want 0", got)
	}
	ws := websocketRequests(fake)
	if len(ws) != 2 || ws[1].Header.Get("Session-Id") != sid {
		t.Errorf("second handshake Session-Id = %q, want %q", ws[len(ws)-1].Header.Get("Session-Id"), sid)
	}
	if st := h.n.Status(); !st.Connected || !st.Resumed || st.Err != nil {
		t.Errorf("Status() = %+v, want connected and resumed", st)
	}
}

func TestReconnectWithoutResume(t *testing.T) {
	fake, _ := fakeNode(t)
	h, sid := connectFake(t, fake, nil)
	play(t, h, fake, "lost", time.Minute)

	fake.Kill()
	h.rec.waitFor(t, "disconnect")
	h.timers.fireNext(t) // the dial is refused

	second := h.timers.next(t)
	st := h.n.Status()
	if st.Connected || st.Attempts != 1 || st.Err == nil || st.SessionID != sid {
		t.Errorf("Status() after a refused dial = %+v, want 1 failed attempt keeping session %q", st, sid)
	}
	if second.d < DefaultBackoffInitial || second.d > 2*DefaultBackoffInitial {
		t.Errorf("delay after one failure = %v, want within [%v, %v]", second.d, DefaultBackoffInitial, 2*DefaultBackoffInitial)
	}
	if err := fake.Restart(); err != nil {
		t.Fatal(err)
	}
	second.fire <- time.Time{}

	r := h.rec.waitFor(t, "ready")
	if r.resumed || r.sid == sid || r.sid == "" {
		t.Fatalf("ready after restart = %q resumed %v, want a new session", r.sid, r.resumed)
	}
	if got := h.n.localPlaying(); got != 0 {
		t.Errorf("players seen playing after a lost session = %d, want 0", got)
	}
	if !strings.Contains(h.logs.String(), "session not resumed") {
		t.Errorf("a lost session is not logged:\n%s", h.logs.String())
	}
	ws := websocketRequests(fake)
	if last := ws[len(ws)-1]; last.Status != http.StatusSwitchingProtocols || last.Header.Get("Session-Id") != sid {
		t.Errorf("last handshake status %d Session-Id %q, want 101 with %q", last.Status, last.Header.Get("Session-Id"), sid)
	}
}

func TestResumeConfiguredSession(t *testing.T) {
	fake, _ := fakeNode(t)
	first, sid := connectFake(t, fake, nil)
	play(t, first, fake, "survivor", time.Minute)
	ctx := context.Background()
	if err := first.n.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if d := first.rec.waitFor(t, "disconnect"); !errors.Is(d.err, ErrClosed) {
		t.Errorf("disconnect on Close = %v, want ErrClosed", d.err)
	}
	// Close has sent its close frame; Disconnect returns once the fake has
	// handled every connection, so the session is paused by then.
	if err := fake.Disconnect(0, ""); err != nil {
		t.Fatal(err)
	}
	if s := fake.Sessions(); len(s) != 1 || s[0].Connected || s[0].ID != sid {
		t.Fatalf("fake sessions after Close = %+v, want %s paused", s, sid)
	}

	// A new process resumes the saved session.
	second, got := connectFakeResumed(t, fake, sid)
	if got != sid {
		t.Fatalf("resumed session = %q, want %q", got, sid)
	}
	players, err := second.n.Players(ctx)
	if err != nil || len(players) != 1 || players[0].GuildID != testGuild || players[0].Track == nil {
		t.Fatalf("Players() after resume = %+v, %v; want the playing guild", players, err)
	}
	if players[0].Voice != completeVoice {
		t.Errorf("voice after resume = %+v, want %+v", players[0].Voice, completeVoice)
	}
	if got := second.n.localPlaying(); got != 1 {
		t.Errorf("players seen playing = %d, want 1", got)
	}
}

func connectFakeResumed(t *testing.T, fake *lavalinktest.Node, sid string) (*harness, string) {
	t.Helper()
	h := newHarness(t, fake.Addr(), fake.Password(), func(c *Config) { c.SessionID = sid })
	h.start(t)
	r := h.rec.waitFor(t, "ready")
	if !r.resumed {
		t.Fatalf("ready with Config.SessionID resumed = false")
	}
	return h, r.sid
}

func TestVoiceStrict(t *testing.T) {
	ctx := context.Background()
	for _, version := range []string{"4.2.2", "4.1.0"} {
		t.Run(version, func(t *testing.T) {
			fake, _ := fakeNode(t, lavalinktest.WithVersion(version))
			h, _ := connectFake(t, fake, nil)
			p, err := h.n.UpdatePlayer(ctx, testGuild, PlayerUpdate{Voice: &completeVoice}, false)
			if err != nil {
				t.Fatalf("UpdatePlayer(complete voice): %v", err)
			}
			fp, ok := fake.Player(testGuild)
			if !ok || fp.Voice.ChannelID != completeVoice.ChannelID.String() || fp.Voice.Token != "tok" || !fp.Connected {
				t.Errorf("fake player voice = %+v connected %v, want the complete state", fp.Voice, fp.Connected)
			}
			if version >= "4.2" && p.Voice != completeVoice {
				t.Errorf("returned voice = %+v, want %+v", p.Voice, completeVoice)
			}

			before := len(fake.Requests())
			for _, v := range []Voice{
				{Token: "t", Endpoint: "e", SessionID: "s"},
				{Token: "t", Endpoint: "e", ChannelID: 1},
				{Endpoint: "e", SessionID: "s", ChannelID: 1},
				{},
			} {
				_, err := h.n.UpdatePlayer(ctx, testGuild, PlayerUpdate{Voice: &v}, false)
				var ue *UpdateError
				if !errors.Is(err, ErrPartialVoice) || !errors.Is(err, ErrInvalidUpdate) || !errors.As(err, &ue) || ue.Field != "voice" {
					t.Errorf("UpdatePlayer(voice %+v) = %v, want an UpdateError matching ErrPartialVoice", v, err)
				}
			}
			if after := len(fake.Requests()); after != before {
				t.Errorf("partial voice states sent %d requests, want none", after-before)
			}
		})
	}
}

func TestCloseDuringBackoff(t *testing.T) {
	fake, _ := fakeNode(t)
	addr := fake.Addr()
	fake.Kill()
	h := newHarness(t, addr, fake.Password(), nil)
	h.start(t)
	wait := h.timers.next(t) // the first dial was refused; the node waits
	if err := h.n.WaitReady(canceledAfter(t, h)); err == nil || !errors.Is(err, context.Canceled) {
		t.Errorf("WaitReady while refused = %v, want context.Canceled", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := h.n.Close(ctx); err != nil {
		t.Fatalf("Close during backoff = %v, want nil without the wait firing", err)
	}
	select {
	case wait.fire <- time.Time{}:
	default:
	}
	if err := h.n.Close(ctx); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := h.n.Start(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close = %v, want ErrClosed", err)
	}
	if err := h.n.WaitReady(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("WaitReady after Close = %v, want ErrClosed", err)
	}
	if _, err := h.n.Version(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Version after Close = %v, want ErrClosed", err)
	}
	if _, err := h.n.Players(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Players after Close = %v, want ErrClosed", err)
	}
	h.rec.none(t)
}

// canceledAfter returns a context that is cancelled once the node has
// recorded a failed attempt.
func canceledAfter(t *testing.T, h *harness) context.Context {
	t.Helper()
	if st := h.n.Status(); st.Err == nil || st.Attempts != 1 {
		t.Fatalf("Status() = %+v, want one failed attempt", st)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func TestCloseWaitsAndHonoursContext(t *testing.T) {
	fake, _ := fakeNode(t)
	block := make(chan struct{})
	entered := make(chan struct{})
	h := newHarness(t, fake.Addr(), fake.Password(), nil)
	h.n.handler = HandlerFuncs{Ready: func(*Node, string, bool) {
		close(entered)
		<-block
	}}
	h.start(t)
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.n.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Close with a blocked Handler and a cancelled ctx = %v, want context.Canceled", err)
	}
	close(block)
	if err := h.n.Close(context.Background()); err != nil {
		t.Errorf("Close after the Handler returned = %v", err)
	}
}

func TestBestPicksLeastLoaded(t *testing.T) {
	clock := lavalinktest.NewClock(testEpoch)
	busy := lavalinktest.NewNodeT(t, lavalinktest.WithClock(clock))
	idle := lavalinktest.NewNodeT(t, lavalinktest.WithClock(clock))
	busy.SetLoad(lavalinktest.Load{PlayingPlayers: 40, SystemLoad: 0.6})
	idle.SetLoad(lavalinktest.Load{PlayingPlayers: 3, SystemLoad: 0.1})
	hb, _ := connectFake(t, busy, func(c *Config) { c.Name = "busy" })
	hi, _ := connectFake(t, idle, func(c *Config) { c.Name = "idle" })
	// The first stats of a Lavalink process carry no CPU load; push the
	// configured ones.
	for _, x := range []struct {
		f *lavalinktest.Node
		h *harness
	}{{busy, hb}, {idle, hi}} {
		if err := x.f.SendStats(); err != nil {
			t.Fatal(err)
		}
		for {
			if c := x.h.rec.waitFor(t, "stats"); c.stats.CPU.SystemLoad > 0 {
				break
			}
		}
	}
	nodes := []*Node{nil, hb.n, hi.n}
	if pb, pi := hb.n.Penalty(), hi.n.Penalty(); !(pi < pb) {
		t.Fatalf("penalties busy %v idle %v, want idle lower", pb, pi)
	}
	if got, ok := Best(nodes); !ok || got != hi.n {
		t.Errorf("Best() = %v, want idle", name(got))
	}
	idle.Kill()
	hi.rec.waitFor(t, "disconnect")
	if got, ok := Best(nodes); !ok || got != hb.n {
		t.Errorf("Best() with idle down = %v, want busy", name(got))
	}
	if got, ok := Best([]*Node{hi.n}); ok || got != nil {
		t.Errorf("Best(only a disconnected node) = %v, %v; want nil, false", name(got), ok)
	}
}

func name(n *Node) string {
	if n == nil {
		return "<nil>"
	}
	return n.Name()
}

func TestFakeBadFrameSkipped(t *testing.T) {
	fake, _ := fakeNode(t)
	h, sid := connectFake(t, fake, nil)
	h.rec.waitFor(t, "stats")
	for _, f := range []string{`garbage`, `{"op":"playerUpdate","guildId":1,"state":{}}`, `{"op":"future"}`} {
		if err := fake.SendRaw(sid, []byte(f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := fake.SendStats(); err != nil {
		t.Fatal(err)
	}
	if c := h.rec.next(t); c.kind != "stats" {
		t.Fatalf("call after bad frames = %v, want stats", c)
	}
	if got := strings.Count(h.logs.String(), "lavalink frame skipped"); got != 3 {
		t.Errorf("skipped-frame warnings = %d, want 3\n%s", got, h.logs.String())
	}
	if !h.n.Connected() {
		t.Error("bad frames ended the connection")
	}
}

// localPlaying returns the size of the players-seen-playing set.
func (n *Node) localPlaying() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.playing)
}

func TestHandlerMayCallNode(t *testing.T) {
	fake, _ := fakeNode(t)
	tr := lavalinktest.Must(fake.AddTrack(lavalink.TrackInfo{Identifier: "h", Title: "H", Author: "A", Length: 60000}))
	type result struct {
		players int
		err     error
	}
	results := make(chan result, 4)
	h := newHarness(t, fake.Addr(), fake.Password(), nil)
	ctx := context.Background()
	h.n.handler = HandlerFuncs{
		Ready: func(n *Node, _ string, _ bool) {
			ps, err := n.Players(ctx)
			results <- result{len(ps), err}
		},
		Event: func(n *Node, e lavalink.Event) {
			p, err := n.Player(ctx, e.GuildID())
			results <- result{btoi(p.Track != nil), err}
		},
	}
	h.start(t)
	if r := <-results; r.err != nil || r.players != 0 {
		t.Fatalf("Players() from OnReady = %d, %v", r.players, r.err)
	}
	if _, err := h.n.UpdatePlayer(ctx, testGuild, PlayerUpdate{Voice: &completeVoice, Track: &TrackUpdate{Encoded: tr.Encoded}}, false); err != nil {
		t.Fatal(err)
	}
	if r := <-results; r.err != nil || r.players != 1 {
		t.Errorf("Player() from OnEvent = track %d, %v", r.players, r.err)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestOversizedFrameReconnects(t *testing.T) {
	s := newScripted(t)
	h, c := connectScripted(t, s, nil)
	big := `{"op":"stats","pad":"` + strings.Repeat("x", maxFrame) + `"}`
	// The node may drop the connection before the write completes.
	_ = c.ws.WriteMessage(1, []byte(big))
	if d := h.rec.waitFor(t, "disconnect"); d.err == nil {
		t.Error("a frame over the limit did not end the connection")
	}
	h.timers.fireNext(t)
	s.accept(t).ready(t, "sess1", true)
	h.rec.waitFor(t, "ready")
}
