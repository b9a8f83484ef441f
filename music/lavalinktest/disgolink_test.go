package lavalinktest_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/disgolink"
	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

// poison is a frame disgolink v3.0.0 cannot parse: its read loop then
// returns without closing or reconnecting.
const poison = "lavalinktest: end of test"

// watcher is a disgolink plugin that reports node opens and the poison
// frame.
type watcher struct {
	opened   chan disgolink.Node
	poisoned chan struct{}
}

func (w *watcher) Name() string                     { return "lavalinktest-watcher" }
func (w *watcher) Version() string                  { return "1" }
func (w *watcher) OnNodeOpen(n disgolink.Node)      { w.opened <- n }
func (w *watcher) OnNodeClose(disgolink.Node)       {}
func (w *watcher) OnNewPlayer(disgolink.Player)     {}
func (w *watcher) OnDestroyPlayer(disgolink.Player) {}
func (w *watcher) OnNodeMessageIn(_ disgolink.Node, data []byte) {
	if string(data) == poison {
		w.poisoned <- struct{}{}
	}
}

// dl is a real disgolink client of fake nodes.
type dl struct {
	t      *testing.T
	client disgolink.Client
	hc     *http.Client
	w      *watcher
	events chan lavalink.Message
	nodes  map[string]*lavalinktest.Node
	done   bool
}

func newDL(t *testing.T) *dl {
	t.Helper()
	d := &dl{
		t:      t,
		hc:     &http.Client{Timeout: ioTimeout, Transport: &http.Transport{}},
		w:      &watcher{opened: make(chan disgolink.Node, 8), poisoned: make(chan struct{}, 8)},
		events: make(chan lavalink.Message, 256),
		nodes:  map[string]*lavalinktest.Node{},
	}
	d.client = disgolink.New(snowflake.MustParse(botID),
		disgolink.WithLogger(slog.New(slog.DiscardHandler)),
		disgolink.WithHTTPClient(d.hc),
		disgolink.WithPlugins(d.w),
		disgolink.WithListenerFunc(func(_ disgolink.Player, e lavalink.Message) { d.events <- e }),
	)
	t.Cleanup(d.close)
	return d
}

// add connects the client to fake and waits for its first stats.
func (d *dl) add(name string, fake *lavalinktest.Node, sessionID string) disgolink.Node {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	cfg := fake.NodeConfig(name)
	cfg.SessionID = sessionID
	node, err := d.client.AddNode(ctx, cfg)
	if err != nil {
		d.t.Fatalf("AddNode: %v", err)
	}
	<-d.w.opened
	d.nodes[name] = fake
	return node
}

// next waits for the next message the client's listener got.
func (d *dl) next() lavalink.Message {
	d.t.Helper()
	select {
	case m := <-d.events:
		return m
	case <-time.After(ioTimeout):
		d.t.Fatal("no message from disgolink")
		return nil
	}
}

// expect reads messages and checks their Go types in order.
func (d *dl) expect(kinds ...any) []lavalink.Message {
	d.t.Helper()
	out := make([]lavalink.Message, len(kinds))
	for i, k := range kinds {
		m := d.next()
		if fmt.Sprintf("%T", m) != fmt.Sprintf("%T", k) {
			d.t.Fatalf("message %d = %#v, want %T", i, m, k)
		}
		out[i] = m
	}
	return out
}

// detach ends the client's read loops without closing its connections, so
// that the fake can drop them without disgolink reconnecting.
//
// disgolink v3.0.0 cannot be shut down cleanly under the race detector:
// Node.Close writes the connection field its read loop reads after the
// read fails, and a connection dropped by the server makes it reconnect
// forever on context.Background. A frame it cannot parse ends the read
// loop quietly, so the loop is stopped first.
func (d *dl) detach() {
	d.t.Helper()
	d.client.ForNodes(func(n disgolink.Node) {
		fake := d.nodes[n.Config().Name]
		if fake == nil || fake.SendRaw(n.SessionID(), []byte(poison)) != nil {
			return
		}
		select {
		case <-d.w.poisoned:
		case <-time.After(ioTimeout):
			d.t.Error("disgolink did not read the final frame")
		}
	})
}

func (d *dl) close() {
	if d.done {
		return
	}
	d.done = true
	d.detach()
	d.client.Close()
	d.hc.CloseIdleConnections()
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	t.Cleanup(cancel)
	return ctx
}

func TestDisgolinkREST(t *testing.T) {
	fake, _ := newNode(t)
	tr := lavalinktest.Must(fake.AddTrack(song("dQw4w9WgXcQ", "Never Gonna Give You Up", 212*time.Second)))
	lavalinktest.Must(fake.AddPlaylist("pl", lavalink.PlaylistInfo{Name: "Mix", SelectedTrack: -1}, song("p1", "One", time.Minute)))
	fake.FailLoad("private", lavalink.Exception{Message: "This video is private", Severity: lavalink.SeverityCommon})
	d := newDL(t)
	node := d.add("main", fake, "")
	stats := d.expect(lavalink.StatsMessage{})[0].(lavalink.StatsMessage)
	if stats.CPU.Cores != 4 || stats.FrameStats != nil || node.Stats().Memory.Reservable == 0 {
		t.Errorf("first stats = %+v", stats)
	}
	ctx := ctxT(t)

	if v, err := node.Version(ctx); err != nil || v != lavalinktest.DefaultVersion {
		t.Errorf("Version = %q, %v", v, err)
	}
	info, err := node.Info(ctx)
	if err != nil || info.Version.Major != 4 || info.Version.Minor != 2 || len(info.SourceManagers) == 0 || len(info.Filters) != 10 {
		t.Errorf("Info = %+v, %v", info, err)
	}
	if st, err := node.Rest().Stats(ctx); err != nil || st.FrameStats != nil || st.CPU.Cores != 4 {
		t.Errorf("Rest().Stats = %+v, %v", st, err)
	}

	loads := []struct {
		identifier string
		check      func(lavalink.LoadResultData) bool
	}{
		{"dQw4w9WgXcQ", func(d lavalink.LoadResultData) bool {
			t, ok := d.(lavalink.Track)
			return ok && t.Encoded == tr.Encoded
		}},
		{"pl", func(d lavalink.LoadResultData) bool {
			p, ok := d.(lavalink.Playlist)
			return ok && p.Info.Name == "Mix" && len(p.Tracks) == 1
		}},
		{lavalink.SearchTypeYouTube.Apply("never gonna"), func(d lavalink.LoadResultData) bool { s, ok := d.(lavalink.Search); return ok && len(s) == 1 }},
		{lavalink.SearchTypeSoundCloud.Apply("never gonna"), func(d lavalink.LoadResultData) bool { _, ok := d.(lavalink.Empty); return ok }},
		{"private", func(d lavalink.LoadResultData) bool {
			e, ok := d.(lavalink.Exception)
			return ok && e.Message == "This video is private" && e.Severity == lavalink.SeverityCommon
		}},
	}
	for _, l := range loads {
		res, err := node.LoadTracks(ctx, l.identifier)
		if err != nil || !l.check(res.Data) {
			t.Errorf("LoadTracks(%q) = %+v, %v", l.identifier, res, err)
		}
	}
	var loaded lavalink.Track
	node.LoadTracksHandler(ctx, "dQw4w9WgXcQ", disgolink.NewResultHandler(
		func(t lavalink.Track) { loaded = t }, nil, nil, nil, func(err error) { t.Errorf("LoadFailed: %v", err) }))
	if loaded.Info.Title != "Never Gonna Give You Up" || loaded.Info.URI == nil || loaded.Info.Length != 212000 {
		t.Errorf("loaded track = %+v", loaded)
	}

	dec, err := node.DecodeTrack(ctx, tr.Encoded)
	if err != nil || dec.Info.Identifier != "dQw4w9WgXcQ" || dec.Encoded != tr.Encoded {
		t.Errorf("DecodeTrack = %+v, %v", dec, err)
	}
	decs, err := node.DecodeTracks(ctx, []string{tr.Encoded, tr.Encoded})
	if err != nil || len(decs) != 2 {
		t.Errorf("DecodeTracks = %+v, %v", decs, err)
	}
	if _, err := node.DecodeTrack(ctx, "garbage"); err == nil {
		t.Error("DecodeTrack(garbage) succeeded")
	}

	if err := node.Update(ctx, lavalink.SessionUpdate{Resuming: ptr(true), Timeout: ptr(30)}); err != nil {
		t.Fatal(err)
	}
	if s := fake.Sessions(); len(s) != 1 || !s[0].Resuming || s[0].Timeout != 30*time.Second || s[0].ClientName == "" {
		t.Errorf("Sessions() after Update = %+v", s)
	}
	if ps, err := node.Rest().Players(ctx, node.SessionID()); err != nil || len(ps) != 0 {
		t.Errorf("Players = %v, %v", ps, err)
	}
	var lerr lavalink.Error
	if _, err := node.Rest().Player(ctx, node.SessionID(), 1); !errors.As(err, &lerr) || lerr.Message != "Player not found" || lerr.Status != 404 {
		t.Errorf("Player(unknown) error = %v", err)
	}
	if _, err := node.Rest().Players(ctx, "nope"); err == nil || err.Error() != "Session not found" {
		t.Errorf("Players(unknown session) error = %v, want Session not found", err)
	}
	fake.FailRequests(1, http.StatusServiceUnavailable)
	if _, err := node.Info(ctx); !errors.As(err, &lerr) || lerr.Status != 503 {
		t.Errorf("Info with an injected 503 = %v", err)
	}
}

func TestDisgolinkPlayback(t *testing.T) {
	fake, clock := newNode(t)
	tr := lavalinktest.Must(fake.AddTrack(song("a", "Song A", 12*time.Second)))
	d := newDL(t)
	node := d.add("main", fake, "")
	d.expect(lavalink.StatsMessage{})
	ctx := ctxT(t)
	g := snowflake.ID(300000000000000001)
	player := d.client.Player(g)
	sid := node.SessionID()

	// disgolink v3.0.0 sends voice without channelId, which 4.2 refuses;
	// the voice update goes raw, as a 4.2-ready client sends it.
	update := lavalink.PlayerUpdate{Voice: &lavalink.VoiceState{Token: "t", Endpoint: "e", SessionID: "s"}}
	if _, err := node.Rest().UpdatePlayer(ctx, sid, g, update); err == nil || err.Error()[:28] != "Partial Lavalink voice state" {
		t.Fatalf("disgolink voice update on 4.2 = %v, want Partial Lavalink voice state", err)
	}
	if r := call(t, fake, http.MethodPatch, playerPath(sid, g.String()), map[string]any{"voice": voice}); r.status != 200 {
		t.Fatalf("voice: %d %s", r.status, r.body)
	}
	if pu := d.expect(lavalink.PlayerUpdateMessage{})[0].(lavalink.PlayerUpdateMessage); !pu.State.Connected || pu.GuildID != g {
		t.Errorf("playerUpdate after voice = %+v", pu)
	}

	// Plays go through the REST client: Player.Update would race with the
	// read loop over the playerUpdates a play sends (disgolink v3.0.0
	// writes player state from both goroutines without a lock).
	play := lavalink.DefaultPlayerUpdate()
	play.Apply([]lavalink.PlayerUpdateOpt{lavalink.WithTrack(tr), lavalink.WithVolume(80)})
	got, err := node.Rest().UpdatePlayer(ctx, sid, g, *play)
	if err != nil || got.Track == nil || got.Track.Encoded != tr.Encoded || got.Volume != 80 || !got.State.Connected {
		t.Fatalf("UpdatePlayer(play) = %+v, %v", got, err)
	}
	start := d.expect(lavalink.TrackStartEvent{}, lavalink.PlayerUpdateMessage{}, lavalink.PlayerUpdateMessage{})
	if e := start[0].(lavalink.TrackStartEvent); e.Track.Encoded != tr.Encoded || e.GuildID() != g {
		t.Errorf("TrackStartEvent = %+v", e)
	}
	clock.Advance(5 * time.Second)
	if pu := d.expect(lavalink.PlayerUpdateMessage{})[0].(lavalink.PlayerUpdateMessage); pu.State.Position != 5000 {
		t.Errorf("playerUpdate at 5 s = %+v", pu)
	}
	if player.State().Position != 5000 {
		t.Errorf("disgolink player state = %+v", player.State())
	}
	clock.Advance(7 * time.Second)
	msgs := d.expect(lavalink.PlayerUpdateMessage{}, lavalink.TrackEndEvent{})
	end := msgs[1].(lavalink.TrackEndEvent)
	if end.Reason != lavalink.TrackEndReasonFinished || !end.Reason.MayStartNext() || end.Track.Info.Position != 12000 {
		t.Errorf("TrackEndEvent = %+v", end)
	}
	if player.Track() != nil {
		t.Errorf("disgolink player kept track %+v after finished", player.Track())
	}

	// Player.Update is fine where the node sends nothing back.
	if err := player.Update(ctx, lavalink.WithVolume(40)); err != nil {
		t.Fatal(err)
	}
	if p, _ := fake.Player(g); p.Volume != 40 || player.Volume() != 40 {
		t.Errorf("volume: fake %d, disgolink %d, want 40", p.Volume, player.Volume())
	}

	filters := lavalink.Filters{Timescale: &lavalink.Timescale{Speed: 1.5, Pitch: 1, Rate: 1}, Rotation: &lavalink.Rotation{RotationHz: 2}, Equalizer: &lavalink.Equalizer{0: 0.25}}
	got, err = node.Rest().UpdatePlayer(ctx, sid, g, lavalink.PlayerUpdate{Filters: &filters})
	if err != nil || got.Filters.Rotation == nil || got.Filters.Rotation.RotationHz != 2 || got.Filters.Timescale.Speed != 1.5 || got.Filters.Equalizer[0] != 0.25 {
		t.Errorf("filters through disgolink = %+v, %v", got, err)
	}
	d.expect(lavalink.PlayerUpdateMessage{})

	// A hand-built track carries userData null, which 4.2 refuses.
	bare := lavalink.DefaultPlayerUpdate()
	bare.Apply([]lavalink.PlayerUpdateOpt{lavalink.WithTrack(lavalink.Track{Encoded: tr.Encoded})})
	if _, err := node.Rest().UpdatePlayer(ctx, sid, g, *bare); err == nil {
		t.Error("userData null accepted by a 4.2 node")
	}

	if _, err := node.Rest().UpdatePlayer(ctx, sid, g, *play); err != nil {
		t.Fatal(err)
	}
	d.expect(lavalink.TrackStartEvent{}, lavalink.PlayerUpdateMessage{}, lavalink.PlayerUpdateMessage{})
	cause := "java.lang.RuntimeException: boom"
	if err := fake.StickTrack(g, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	stuck := d.expect(lavalink.TrackStuckEvent{}, lavalink.PlayerUpdateMessage{})[0].(lavalink.TrackStuckEvent)
	if stuck.Threshold != 10000 {
		t.Errorf("TrackStuckEvent = %+v", stuck)
	}
	if err := fake.CloseVoice(g, 4006, "Session is no longer valid.", true); err != nil {
		t.Fatal(err)
	}
	closed := d.expect(lavalink.WebSocketClosedEvent{}, lavalink.PlayerUpdateMessage{})[0].(lavalink.WebSocketClosedEvent)
	if closed.Code != 4006 || !closed.ByRemote || closed.Reason != "Session is no longer valid." {
		t.Errorf("WebSocketClosedEvent = %+v", closed)
	}
	if err := fake.FailTrack(g, lavalink.Exception{Message: "boom", Severity: lavalink.SeverityFault, Cause: &cause}); err != nil {
		t.Fatal(err)
	}
	ev := d.expect(lavalink.TrackExceptionEvent{}, lavalink.TrackEndEvent{})
	if ex := ev[0].(lavalink.TrackExceptionEvent).Exception; ex.Message != "boom" || ex.Severity != lavalink.SeverityFault || ex.Cause == nil || *ex.Cause != cause {
		t.Errorf("TrackExceptionEvent = %+v", ex)
	}
	if r := ev[1].(lavalink.TrackEndEvent).Reason; r != lavalink.TrackEndReasonLoadFailed {
		t.Errorf("end after an exception before audio = %s, want loadFailed", r)
	}

	stop := lavalink.DefaultPlayerUpdate()
	stop.Apply([]lavalink.PlayerUpdateOpt{lavalink.WithNullTrack()})
	if _, err := node.Rest().UpdatePlayer(ctx, sid, g, *play); err != nil {
		t.Fatal(err)
	}
	d.expect(lavalink.TrackStartEvent{}, lavalink.PlayerUpdateMessage{}, lavalink.PlayerUpdateMessage{})
	if _, err := node.Rest().UpdatePlayer(ctx, sid, g, *stop); err != nil {
		t.Fatal(err)
	}
	if e := d.expect(lavalink.TrackEndEvent{})[0].(lavalink.TrackEndEvent); e.Reason != lavalink.TrackEndReasonStopped || e.Reason.MayStartNext() {
		t.Errorf("stop = %+v", e)
	}
	if _, err := node.Rest().UpdatePlayer(ctx, sid, g, *play); err != nil {
		t.Fatal(err)
	}
	d.expect(lavalink.TrackStartEvent{}, lavalink.PlayerUpdateMessage{}, lavalink.PlayerUpdateMessage{})
	if err := player.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	if d.client.ExistingPlayer(g) != nil || len(fake.Players()) != 0 {
		t.Error("player survived Destroy")
	}
}

func TestDisgolinkVoiceOn41(t *testing.T) {
	fake, _ := newNode(t, lavalinktest.WithVersion("4.1.0"))
	tr := lavalinktest.Must(fake.AddTrack(song("a", "Song A", time.Minute)))
	d := newDL(t)
	node := d.add("main", fake, "")
	d.expect(lavalink.StatsMessage{})
	ctx := ctxT(t)
	g := snowflake.ID(300000000000000001)
	channel := snowflake.ID(200000000000000001)
	d.client.OnVoiceStateUpdate(ctx, g, &channel, "voice-session")
	d.client.OnVoiceServerUpdate(ctx, g, "token", "eu.discord.media")
	if pu := d.expect(lavalink.PlayerUpdateMessage{})[0].(lavalink.PlayerUpdateMessage); !pu.State.Connected {
		t.Errorf("playerUpdate after voice = %+v", pu)
	}
	p, ok := fake.Player(g)
	if !ok || !p.Connected || p.Voice != (lavalinktest.Voice{Token: "token", Endpoint: "eu.discord.media", SessionID: "voice-session"}) {
		t.Errorf("fake player = %+v", p)
	}
	bare := lavalink.DefaultPlayerUpdate()
	bare.Apply([]lavalink.PlayerUpdateOpt{lavalink.WithTrack(lavalink.Track{Encoded: tr.Encoded})})
	if _, err := node.Rest().UpdatePlayer(ctx, node.SessionID(), g, *bare); err != nil {
		t.Errorf("userData null on 4.1: %v", err)
	}
	d.expect(lavalink.TrackStartEvent{}, lavalink.PlayerUpdateMessage{}, lavalink.PlayerUpdateMessage{})
	// Leaving voice destroys the player; the TrackEnd(stopped) the node
	// sends meanwhile may reach disgolink before or after it forgets the
	// player, so only the outcome is checked.
	d.client.OnVoiceStateUpdate(ctx, g, nil, "")
	if len(fake.Players()) != 0 || d.client.ExistingPlayer(g) != nil {
		t.Errorf("players after leaving voice: fake %v", fake.Players())
	}
}

func TestDisgolinkResumesAfterBotRestart(t *testing.T) {
	fake, clock := newNode(t)
	tr := lavalinktest.Must(fake.AddTrack(song("a", "Song A", 20*time.Second)))
	g := snowflake.ID(300000000000000001)
	ctx := ctxT(t)

	first := newDL(t)
	node := first.add("main", fake, "")
	first.expect(lavalink.StatsMessage{})
	if err := node.Update(ctx, lavalink.SessionUpdate{Resuming: ptr(true), Timeout: ptr(60)}); err != nil {
		t.Fatal(err)
	}
	sid := node.SessionID()
	first.client.Player(g)
	call(t, fake, http.MethodPatch, playerPath(sid, g.String()), map[string]any{"voice": voice})
	first.expect(lavalink.PlayerUpdateMessage{})
	play := lavalink.DefaultPlayerUpdate()
	play.Apply([]lavalink.PlayerUpdateOpt{lavalink.WithTrack(tr)})
	if _, err := node.Rest().UpdatePlayer(ctx, sid, g, *play); err != nil {
		t.Fatal(err)
	}
	first.expect(lavalink.TrackStartEvent{}, lavalink.PlayerUpdateMessage{}, lavalink.PlayerUpdateMessage{})

	// The bot dies: its read loop is gone and the node drops the socket.
	first.detach()
	if err := fake.Disconnect(0, ""); err != nil {
		t.Fatal(err)
	}
	first.close()
	if s := fake.Sessions(); len(s) != 1 || s[0].Connected {
		t.Fatalf("Sessions() after the bot died = %+v", s)
	}
	clock.Advance(20 * time.Second)

	second := newDL(t)
	resumed := second.add("main", fake, sid)
	if resumed.SessionID() != sid {
		t.Errorf("resumed session id = %q, want %q", resumed.SessionID(), sid)
	}
	end := second.expect(lavalink.TrackEndEvent{}, lavalink.PlayerUpdateMessage{})[0].(lavalink.TrackEndEvent)
	if end.Reason != lavalink.TrackEndReasonFinished || end.GuildID() != g {
		t.Errorf("replayed end = %+v", end)
	}
	if p := second.client.ExistingPlayer(g); p == nil || p.Track() != nil {
		t.Errorf("restored player = %v", p)
	}
	if s := fake.Sessions(); len(s) != 1 || !s[0].Connected || s[0].ID != sid {
		t.Errorf("Sessions() after resume = %+v", s)
	}
}

func TestDisgolinkReconnectsAndResumes(t *testing.T) {
	fake, _ := newNode(t)
	g := snowflake.ID(300000000000000001)
	ctx := ctxT(t)
	d := newDL(t)
	node := d.add("main", fake, "")
	d.expect(lavalink.StatsMessage{})
	if err := node.Update(ctx, lavalink.SessionUpdate{Resuming: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	sid := node.SessionID()
	d.client.Player(g)
	call(t, fake, http.MethodPatch, playerPath(sid, g.String()), map[string]any{"voice": voice})
	d.expect(lavalink.PlayerUpdateMessage{})
	// Node.Update stored the session id without a lock; taking the plugin
	// lock publishes it to the read loop, which takes that lock before it
	// reconnects.
	d.client.ForPlugins(func(disgolink.Plugin) {})
	if err := fake.Disconnect(4000, "proxy restart"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-d.w.opened:
	case <-time.After(ioTimeout):
		t.Fatal("disgolink did not reconnect")
	}
	d.expect(lavalink.PlayerUpdateMessage{})
	if node.SessionID() != sid {
		t.Errorf("session after reconnect = %q, want %q", node.SessionID(), sid)
	}
	var hs []lavalinktest.Request
	for _, r := range fake.Requests() {
		if r.Path == "/v4/websocket" {
			hs = append(hs, r)
		}
	}
	if len(hs) != 2 || hs[1].Header.Get("Session-Id") != sid {
		t.Errorf("handshakes = %+v, want a second one with Session-Id %s", hs, sid)
	}
}

func TestDisgolinkSeesLoad(t *testing.T) {
	busy, _ := newNode(t)
	idle, _ := newNode(t)
	busy.SetLoad(lavalinktest.Load{SystemLoad: 0.9, PlayingPlayers: 40, FrameStats: &lavalink.FrameStats{Sent: 2500, Nulled: 100, Deficit: 400}})
	idle.SetLoad(lavalinktest.Load{SystemLoad: 0.1})
	d := newDL(t)
	nb := d.add("busy", busy, "")
	d.expect(lavalink.StatsMessage{})
	ni := d.add("idle", idle, "")
	d.expect(lavalink.StatsMessage{})
	busy.SendStats()
	d.expect(lavalink.StatsMessage{})
	idle.SendStats()
	d.expect(lavalink.StatsMessage{})
	sb, si := nb.Stats(), ni.Stats()
	if sb.CPU.SystemLoad != 0.9 || sb.PlayingPlayers != 40 || sb.FrameStats == nil || sb.FrameStats.Deficit != 400 {
		t.Errorf("busy stats = %+v", sb)
	}
	if si.CPU.SystemLoad != 0.1 || si.PlayingPlayers != 0 || si.FrameStats != nil {
		t.Errorf("idle stats = %+v", si)
	}
}
