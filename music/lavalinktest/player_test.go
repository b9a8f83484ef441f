package lavalinktest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

// fixture is a node with one connected raw client.
type fixture struct {
	t     *testing.T
	n     *lavalinktest.Node
	clock *lavalinktest.Clock
	c     *wsClient
}

func newFixture(t *testing.T, opts ...lavalinktest.Option) *fixture {
	t.Helper()
	n, clock := newNode(t, opts...)
	return &fixture{t: t, n: n, clock: clock, c: connect(t, n)}
}

// patch sends a player update and returns the answer.
func (f *fixture) patch(body any, query ...string) response {
	f.t.Helper()
	path := playerPath(f.c.sessionID, guild)
	if len(query) > 0 {
		path += "?" + strings.Join(query, "&")
	}
	return call(f.t, f.n, http.MethodPatch, path, body)
}

// ok sends a player update that must succeed.
func (f *fixture) ok(body any, query ...string) frame {
	f.t.Helper()
	r := f.patch(body, query...)
	if r.status != http.StatusOK {
		f.t.Fatalf("PATCH %v = %d %s, want 200", body, r.status, r.body)
	}
	return r.json(f.t)
}

// connectVoice connects the player's voice and consumes the playerUpdate.
func (f *fixture) connectVoice() {
	f.t.Helper()
	f.ok(map[string]any{"voice": voice})
	if u := f.c.expect("playerUpdate"); u.get("state", "connected") != true || u.num("state", "ping") < 0 {
		f.t.Fatalf("playerUpdate after voice = %v, want connected", u)
	}
}

// play starts a track and consumes TrackStart and the two playerUpdates.
func (f *fixture) play(encoded string, extra ...map[string]any) frame {
	f.t.Helper()
	body := map[string]any{"track": map[string]any{"encoded": encoded}}
	for _, e := range extra {
		for k, v := range e {
			body[k] = v
		}
	}
	p := f.ok(body)
	f.c.expectSeq("TrackStartEvent", "playerUpdate", "playerUpdate")
	return p
}

func (f *fixture) track(id string, length time.Duration) lavalink.Track {
	return lavalinktest.Must(f.n.AddTrack(song(id, "Song "+id, length)))
}

func (f *fixture) position() time.Duration {
	p, ok := f.n.Player(mustGuild())
	if !ok {
		f.t.Fatal("no player")
	}
	return p.Position
}

func mustGuild() snowflake.ID { return snowflake.ID(300000000000000001) }

func TestPlaybackLifecycle(t *testing.T) {
	f := newFixture(t)
	tr := f.track("a", 12*time.Second)
	f.connectVoice()
	p := f.ok(map[string]any{"track": map[string]any{"encoded": tr.Encoded, "userData": map[string]any{"requester": "u1"}}, "volume": 50})
	if p.str("track", "encoded") != tr.Encoded || p.num("volume") != 50 || p.get("paused") != false || p.get("track", "userData", "requester") != "u1" {
		t.Errorf("PATCH answer = %v", p)
	}
	start := f.c.expectSeq("TrackStartEvent", "playerUpdate", "playerUpdate")
	if start[0].str("track", "encoded") != tr.Encoded || start[0].str("guildId") != guild {
		t.Errorf("TrackStartEvent = %v", start[0])
	}
	f.clock.Advance(5 * time.Second)
	if u := f.c.expect("playerUpdate"); u.num("state", "position") != 5000 || u.num("state", "time") != float64(epoch.Add(5*time.Second).UnixMilli()) {
		t.Errorf("playerUpdate at 5 s = %v", u)
	}
	if got := f.position(); got != 5*time.Second {
		t.Errorf("Player().Position = %v, want 5s", got)
	}
	f.clock.Advance(5 * time.Second)
	f.c.expect("playerUpdate")
	f.clock.Advance(2 * time.Second)
	end := f.c.expect("TrackEndEvent")
	if end.str("reason") != "finished" || end.num("track", "info", "position") != 12000 {
		t.Errorf("TrackEndEvent = %v, want finished at 12000", end)
	}
	if !lavalink.TrackEndReason(end.str("reason")).MayStartNext() {
		t.Error("finished does not allow the next track")
	}
	f.clock.Advance(time.Minute - 12*time.Second)
	f.c.expect("stats")
	f.c.expectNothing(f.n)
	if p, _ := f.n.Player(mustGuild()); p.Track != nil || p.Volume != 50 {
		t.Errorf("Player() after the end = %+v, want no track and volume 50", p)
	}
}

func TestReplaceAndStop(t *testing.T) {
	f := newFixture(t)
	a, b := f.track("a", time.Minute), f.track("b", time.Minute)
	f.connectVoice()
	f.play(a.Encoded)
	f.clock.Advance(3 * time.Second)
	f.ok(map[string]any{"track": map[string]any{"encoded": b.Encoded}})
	frames := f.c.expectSeq("TrackEndEvent", "TrackStartEvent", "playerUpdate", "playerUpdate")
	if frames[0].str("reason") != "replaced" || frames[0].str("track", "encoded") != a.Encoded || frames[0].num("track", "info", "position") != 3000 {
		t.Errorf("end of the replaced track = %v", frames[0])
	}
	if frames[1].str("track", "encoded") != b.Encoded {
		t.Errorf("start = %v, want track b", frames[1])
	}
	f.clock.Advance(5 * time.Second)
	f.c.expect("playerUpdate")

	p := f.ok(map[string]any{"track": map[string]any{"encoded": nil}})
	if p.get("track") != nil {
		t.Errorf("player after stop = %v, want no track", p)
	}
	stop := f.c.expect("TrackEndEvent")
	if stop.str("reason") != "stopped" || lavalink.TrackEndReason("stopped").MayStartNext() {
		t.Errorf("stop = %v, want reason stopped", stop)
	}
	f.clock.Advance(10 * time.Second)
	f.c.expectNothing(f.n)
	f.ok(map[string]any{"track": map[string]any{"encoded": nil}})
	f.c.expectNothing(f.n)
}

func TestNoReplaceAndPause(t *testing.T) {
	f := newFixture(t)
	a, b := f.track("a", time.Minute), f.track("b", time.Minute)
	f.connectVoice()
	f.play(a.Encoded)
	p := f.ok(map[string]any{"track": map[string]any{"encoded": b.Encoded}, "volume": 70, "paused": true}, "noReplace=true")
	if p.str("track", "encoded") != a.Encoded || p.num("volume") != 70 || p.get("paused") != false {
		t.Errorf("noReplace answer = %v, want track a kept, volume applied, pause ignored", p)
	}
	f.c.expectNothing(f.n)

	f.ok(map[string]any{"paused": true})
	f.clock.Advance(5 * time.Second)
	if u := f.c.expect("playerUpdate"); u.num("state", "position") != 0 {
		t.Errorf("playerUpdate while paused = %v, want position 0", u)
	}
	if got := f.position(); got != 0 {
		t.Errorf("position after 5 s paused = %v, want 0", got)
	}
	f.n.SendStats()
	if st := f.c.expect("stats"); st.num("players") != 1 || st.num("playingPlayers") != 0 {
		t.Errorf("stats with a paused player = %v, want 1 player, 0 playing", st)
	}
	f.ok(map[string]any{"track": map[string]any{"encoded": b.Encoded}})
	f.c.expectSeq("TrackEndEvent", "TrackStartEvent", "playerUpdate", "playerUpdate")
	p = f.ok(map[string]any{})
	if p.get("paused") != false {
		t.Errorf("a new track left the player paused: %v", p)
	}
	f.ok(map[string]any{"track": map[string]any{"encoded": a.Encoded}, "paused": true})
	f.c.expectSeq("TrackEndEvent", "TrackStartEvent", "playerUpdate", "playerUpdate")
	f.clock.Advance(3 * time.Second)
	if got := f.position(); got != 0 {
		t.Errorf("position of a track started paused = %v, want 0", got)
	}
	f.ok(map[string]any{"paused": false})
	f.clock.Advance(time.Second)
	if got := f.position(); got != time.Second {
		t.Errorf("position 1 s after unpausing = %v, want 1s", got)
	}
	if r := f.patch(map[string]any{}, "noReplace=maybe"); r.status != http.StatusBadRequest {
		t.Errorf("noReplace=maybe = %d, want 400", r.status)
	}
}

func TestSeekAndEndTime(t *testing.T) {
	f := newFixture(t)
	a := f.track("a", time.Minute)
	f.connectVoice()
	f.play(a.Encoded, map[string]any{"position": 10000, "endTime": 15000})
	if got := f.position(); got != 10*time.Second {
		t.Errorf("start position = %v, want 10s", got)
	}
	f.clock.Advance(5 * time.Second)
	if end := f.c.expect("TrackEndEvent"); end.str("reason") != "finished" || end.num("track", "info", "position") != 15000 {
		t.Errorf("end at endTime = %v, want finished at 15000", end)
	}

	f.play(a.Encoded)
	f.ok(map[string]any{"position": 30000})
	if u := f.c.expect("playerUpdate"); u.num("state", "position") != 30000 {
		t.Errorf("playerUpdate after seek = %v, want position 30000", u)
	}
	f.ok(map[string]any{"endTime": 40000})
	f.clock.Advance(5 * time.Second)
	f.c.expect("playerUpdate")
	f.ok(map[string]any{"endTime": nil})
	f.clock.Advance(10 * time.Second)
	f.c.expectSeq("playerUpdate", "playerUpdate")
	if got := f.position(); got != 45*time.Second {
		t.Errorf("position with endTime cleared = %v, want 45s", got)
	}
	f.ok(map[string]any{"position": 90000})
	f.c.expectSeq("playerUpdate", "TrackEndEvent")
	expectError(t, f.patch(map[string]any{"endTime": 0}), http.StatusBadRequest, "End time must be greater than 0")

	f.ok(map[string]any{"position": 5000})
	f.c.expectNothing(f.n)
}

func TestStreamsNeverEnd(t *testing.T) {
	f := newFixture(t)
	live := lavalinktest.Must(f.n.AddTrack(lavalink.TrackInfo{Identifier: "live", Title: "Radio", IsStream: true, SourceName: "twitch"}))
	f.connectVoice()
	f.play(live.Encoded)
	f.ok(map[string]any{"position": 5000})
	f.c.expect("playerUpdate")
	if got := f.position(); got != 0 {
		t.Errorf("position after seeking a stream = %v, want 0", got)
	}
	f.clock.Advance(time.Hour)
	for _, fr := range f.c.drain(f.n) {
		if fr.kind() != "playerUpdate" && fr.kind() != "stats" {
			t.Errorf("stream after an hour sent %v", fr)
		}
	}
	if got := f.position(); got != time.Hour {
		t.Errorf("stream position = %v, want 1h", got)
	}
}

func TestVolumeClamp(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct{ in, want float64 }{{2000, 1000}, {-5, 0}, {150, 150}} {
		if p := f.ok(map[string]any{"volume": tt.in}); p.num("volume") != tt.want {
			t.Errorf("volume %v answered %v, want %v", tt.in, p.num("volume"), tt.want)
		}
	}
	expectError(t, f.patch(`{"volume":1.5}`), http.StatusBadRequest, "volume")
	expectError(t, f.patch(`{"volume":3000000000}`), http.StatusBadRequest, "volume")
}

func TestFilters(t *testing.T) {
	f := newFixture(t, lavalinktest.WithDisabledFilters("karaoke"))
	body := `{"filters":{"volume":1.0,"timescale":{"speed":1.5},"rotation":{"rotationHz":0.2},` +
		`"equalizer":[{"band":0,"gain":0.2},{"band":20,"gain":1}],"lowPass":{},"pluginFilters":{"echo":{"delay": 1}}}}`
	r := f.patch(body)
	if r.status != http.StatusOK {
		t.Fatalf("PATCH filters = %d %s", r.status, r.body)
	}
	want := `"filters":{"volume":1,"equalizer":[{"band":0,"gain":0.2}],"timescale":{"speed":1.5,"pitch":1,"rate":1},` +
		`"rotation":{"rotationHz":0.2},"lowPass":{"smoothing":20},"pluginFilters":{"echo":{"delay":1}}}`
	if !strings.Contains(string(r.body), want) {
		t.Errorf("filters echo = %s, want %s", r.body, want)
	}
	f.c.expect("playerUpdate")
	p, _ := f.n.Player(mustGuild())
	if !strings.HasPrefix(string(p.Filters), `{"volume":1,`) {
		t.Errorf("Player().Filters = %s", p.Filters)
	}
	r = f.patch(`{"filters":{"karaoke":{"level":1},"tremolo":{},"vibrato":{"depth":0.9},"distortion":{},"channelMix":{}}}`)
	expectError(t, r, http.StatusBadRequest, "Following filters are disabled in the config: karaoke")
	r = f.patch(`{"filters":{"tremolo":{},"vibrato":{"depth":0.9},"distortion":{"scale":2},"channelMix":{"leftToRight":0.5}}}`)
	want = `"filters":{"tremolo":{"frequency":2,"depth":0.5},"vibrato":{"frequency":2,"depth":0.9},` +
		`"distortion":{"sinOffset":0,"sinScale":1,"cosOffset":0,"cosScale":1,"tanOffset":0,"tanScale":1,"offset":0,"scale":2},` +
		`"channelMix":{"leftToLeft":1,"leftToRight":0.5,"rightToLeft":0,"rightToRight":1}}`
	if !strings.Contains(string(r.body), want) {
		t.Errorf("filters echo = %s, want %s", r.body, want)
	}
	f.c.expect("playerUpdate")
	for _, bad := range []string{
		`{"filters":[]}`, `{"filters":{"volume":"loud"}}`, `{"filters":{"timescale":1}}`,
		`{"filters":{"equalizer":{}}}`, `{"filters":{"equalizer":[{"gain":1}]}}`, `{"filters":{"equalizer":[1]}}`,
		`{"filters":{"timescale":{"speed":null}}}`, `{"filters":{"pluginFilters":[]}}`,
	} {
		expectError(t, f.patch(bad), http.StatusBadRequest, "Failed to read request")
	}
	if r := f.ok(map[string]any{"filters": map[string]any{}}); len(r.get("filters").(map[string]any)) != 0 {
		t.Errorf("empty filters = %v, want {}", r.get("filters"))
	}
}

func TestPatchValidation(t *testing.T) {
	f := newFixture(t)
	a := f.track("a", time.Minute)
	f.n.FailLoad("broken", lavalink.Exception{Message: "Video unavailable"})
	lavalinktest.Must(f.n.AddPlaylist("pl", lavalink.PlaylistInfo{Name: "P", SelectedTrack: -1}, song("p1", "P1", time.Second)))
	tests := []struct {
		name    string
		body    any
		status  int
		message string
	}{
		{"not json", `{`, 400, "Failed to read request"},
		{"not an object", `[1]`, 400, "Failed to read request"},
		{"track and encodedTrack", map[string]any{"track": map[string]any{"encoded": a.Encoded}, "encodedTrack": a.Encoded}, 400, "Cannot specify both track and encodedTrack/identifier"},
		{"encoded and identifier", map[string]any{"track": map[string]any{"encoded": a.Encoded, "identifier": "a"}}, 400, "Cannot specify both encodedTrack and identifier"},
		{"null userData", map[string]any{"track": map[string]any{"encoded": a.Encoded, "userData": nil}}, 400, "null"},
		{"userData not an object", map[string]any{"track": map[string]any{"encoded": a.Encoded, "userData": "x"}}, 400, "userData"},
		{"null track", `{"track":null}`, 400, "null"},
		{"null paused", `{"paused":null}`, 400, "null"},
		{"position as string", `{"position":"5"}`, 400, "position"},
		{"paused as string", `{"paused":"yes"}`, 400, "paused"},
		{"encoded as number", `{"track":{"encoded":5}}`, 400, "encoded"},
		{"identifier null", `{"track":{"identifier":null}}`, 400, "null"},
		{"endTime as string", `{"endTime":"1"}`, 400, "endTime"},
		{"undecodable track", map[string]any{"track": map[string]any{"encoded": "QUJD"}}, 500, "Failed to decode track"},
		{"playlist identifier", map[string]any{"track": map[string]any{"identifier": "pl"}}, 400, "Cannot play a playlist or search result"},
		{"search identifier", map[string]any{"track": map[string]any{"identifier": "ytsearch:P1"}}, 400, "Cannot play a playlist or search result"},
		{"no match", map[string]any{"track": map[string]any{"identifier": "missing"}}, 400, "No matches found for identifier"},
		{"load failure", map[string]any{"track": map[string]any{"identifier": "broken"}}, 500, "Video unavailable"},
		{"voice without channelId", map[string]any{"voice": map[string]any{"token": "t", "endpoint": "e", "sessionId": "s"}}, 400, "Partial Lavalink voice state: channelId missing"},
		{"voice with empty token", map[string]any{"voice": map[string]any{"token": "", "endpoint": "e", "sessionId": "s", "channelId": "1"}}, 400, "Partial Lavalink voice state: token missing"},
		{"voice without token key", map[string]any{"voice": map[string]any{"endpoint": "e", "sessionId": "s", "channelId": "1"}}, 400, "Failed to read request"},
		{"voice channelId null", `{"voice":{"token":"t","endpoint":"e","sessionId":"s","channelId":null}}`, 400, "channelId missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectError(t, f.patch(tt.body), tt.status, tt.message)
		})
	}
	expectError(t, call(t, f.n, http.MethodPatch, playerPath(f.c.sessionID, "x1"), map[string]any{}), 400, "x1")
	h := http.Header{"Authorization": {f.n.Password()}}
	expectError(t, callWith(t, f.n, http.MethodPatch, playerPath(f.c.sessionID, guild), h, nil), 415, "application/octet-stream")
	f.c.expectNothing(f.n)
}

func TestPlayByIdentifierAndDeprecatedKeys(t *testing.T) {
	f := newFixture(t)
	a := f.track("a", time.Minute)
	b := f.track("b", time.Minute)
	f.ok(map[string]any{"track": map[string]any{"identifier": "https://www.youtube.com/watch?v=a", "userData": map[string]any{"k": 1}}})
	start := f.c.expect("TrackStartEvent")
	if start.str("track", "encoded") != a.Encoded || start.num("track", "userData", "k") != 1 {
		t.Errorf("start by identifier = %v", start)
	}
	f.c.expectSeq("playerUpdate", "playerUpdate")
	f.ok(map[string]any{"encodedTrack": b.Encoded})
	if end := f.c.expect("TrackEndEvent"); end.str("reason") != "replaced" {
		t.Errorf("deprecated encodedTrack did not replace: %v", end)
	}
	f.c.expectSeq("TrackStartEvent", "playerUpdate", "playerUpdate")
	f.ok(map[string]any{"identifier": "a"})
	f.c.expectSeq("TrackEndEvent", "TrackStartEvent", "playerUpdate", "playerUpdate")
	f.ok(map[string]any{"encodedTrack": nil})
	if end := f.c.expect("TrackEndEvent"); end.str("reason") != "stopped" {
		t.Errorf("deprecated encodedTrack null did not stop: %v", end)
	}
	f.play(a.Encoded)
	p := f.ok(map[string]any{"track": map[string]any{"userData": map[string]any{"k": 2}}})
	if p.num("track", "userData", "k") != 2 {
		t.Errorf("userData update = %v", p)
	}
	f.c.expectNothing(f.n)
	decoded, err := lavalinktest.DecodeTrack(a.Encoded)
	if err != nil || decoded.Identifier != "a" {
		t.Fatalf("DecodeTrack(catalogue track) = %+v, %v", decoded, err)
	}
	decoded.Position = 20000
	atTwenty, err := lavalinktest.EncodeTrack(decoded)
	if err != nil {
		t.Fatal(err)
	}
	f.ok(map[string]any{"track": map[string]any{"encoded": atTwenty}})
	f.c.expectSeq("TrackEndEvent", "TrackStartEvent", "playerUpdate", "playerUpdate")
	if got := f.position(); got != 20*time.Second {
		t.Errorf("start of a track encoded at 20 s = %v, want 20s", got)
	}
}

func TestVoice(t *testing.T) {
	f := newFixture(t)
	p := f.ok(map[string]any{"volume": 100})
	if v := p.get("voice").(map[string]any); v["token"] != "" || v["channelId"] != nil || len(v) != 4 || p.get("state", "connected") != false || p.num("state", "ping") != -1 {
		t.Errorf("voice before any update = %v, state %v", v, p.get("state"))
	}
	f.connectVoice()
	f.ok(map[string]any{"voice": voice})
	f.c.expectNothing(f.n)
	other := map[string]any{"token": "tok2", "endpoint": "us.discord.media", "sessionId": "vs2", "channelId": "200000000000000002"}
	p = f.ok(map[string]any{"voice": other})
	f.c.expect("playerUpdate")
	if p.str("voice", "token") != "tok2" || p.str("voice", "channelId") != "200000000000000002" || p.get("state", "connected") != true {
		t.Errorf("voice after a change = %v", p.get("voice"))
	}
	snap, _ := f.n.Player(mustGuild())
	if !snap.Connected || snap.Voice != (lavalinktest.Voice{Token: "tok2", Endpoint: "us.discord.media", SessionID: "vs2", ChannelID: "200000000000000002"}) {
		t.Errorf("Player() = %+v", snap)
	}

	old, _ := newNode(t, lavalinktest.WithVersion("4.1.0"))
	oc := connect(t, old)
	r := call(t, old, http.MethodPatch, playerPath(oc.sessionID, guild), `{"voice":{"token":"t","endpoint":"e","sessionId":"s"},"track":{"encoded":"x","userData":null},"encodedTrack":null,"paused":null}`)
	expectError(t, r, http.StatusBadRequest, "Cannot specify both")
	r = call(t, old, http.MethodPatch, playerPath(oc.sessionID, guild), `{"voice":{"token":"t","endpoint":"e","sessionId":"s"},"paused":null,"track":{"userData":null}}`)
	if r.status != http.StatusOK {
		t.Fatalf("4.1 voice without channelId = %d %s, want 200", r.status, r.body)
	}
	pl := r.json(t)
	if v := pl.get("voice").(map[string]any); len(v) != 3 || pl.get("state", "connected") != true {
		t.Errorf("4.1 voice = %v, state %v, want no channelId key and connected", v, pl.get("state"))
	}
	expectError(t, call(t, old, http.MethodPatch, playerPath(oc.sessionID, guild), `{"voice":{"token":"","endpoint":"e","sessionId":"s"}}`), 400, "Partial Lavalink voice state")
}

func TestTrackWithoutVoiceIsCleanedUp(t *testing.T) {
	f := newFixture(t)
	a := f.track("a", 10*time.Second)
	f.play(a.Encoded)
	f.clock.Advance(59 * time.Second)
	for _, fr := range f.c.drain(f.n) {
		if fr.kind() != "playerUpdate" || fr.num("state", "position") != 0 || fr.get("state", "connected") != false {
			t.Errorf("silent player sent %v, want playerUpdates at position 0", fr)
		}
	}
	f.clock.Advance(time.Second)
	end := f.c.expectSeq("stats", "TrackEndEvent")[1]
	if end.str("reason") != "cleanup" || lavalink.TrackEndReason("cleanup").MayStartNext() {
		t.Errorf("end of a silent player = %v, want cleanup", end)
	}
	f.c.expectNothing(f.n)

	f.connectVoice()
	f.play(a.Encoded)
	f.ok(map[string]any{"paused": true})
	f.clock.Advance(2 * time.Minute)
	for _, fr := range f.c.drain(f.n) {
		if fr.op() == "event" {
			t.Errorf("paused but connected player got %v, want no cleanup", fr)
		}
	}
}

func TestPlaybackSpeed(t *testing.T) {
	f := newFixture(t, lavalinktest.WithPlaybackSpeed(60), lavalinktest.WithPlayerUpdateInterval(time.Second))
	a := f.track("a", 3*time.Minute)
	f.connectVoice()
	f.play(a.Encoded)
	f.clock.Advance(time.Second)
	if u := f.c.expect("playerUpdate"); u.num("state", "position") != 60000 {
		t.Errorf("position after 1 s at speed 60 = %v, want 60000", u.num("state", "position"))
	}
	f.n.Advance(2 * time.Second)
	f.c.expectSeq("playerUpdate", "TrackEndEvent")
}

func TestDeletePlayer(t *testing.T) {
	f := newFixture(t)
	a := f.track("a", time.Minute)
	f.connectVoice()
	f.play(a.Encoded)
	if r := call(t, f.n, http.MethodDelete, playerPath(f.c.sessionID, guild), nil); r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("DELETE = %d %s, want 204", r.status, r.body)
	}
	if end := f.c.expect("TrackEndEvent"); end.str("reason") != "stopped" {
		t.Errorf("destroying a playing player sent %v, want TrackEnd stopped", end)
	}
	expectError(t, call(t, f.n, http.MethodGet, playerPath(f.c.sessionID, guild), nil), 404, "Player not found")
	f.clock.Advance(time.Minute)
	f.c.expect("stats")
	f.c.expectNothing(f.n)
	if len(f.n.Players()) != 0 {
		t.Errorf("Players() = %v, want none", f.n.Players())
	}
}

func TestGetPlayers(t *testing.T) {
	f := newFixture(t)
	a := f.track("a", time.Minute)
	f.connectVoice()
	f.play(a.Encoded)
	call(t, f.n, http.MethodPatch, playerPath(f.c.sessionID, "100"), map[string]any{"volume": 5})
	f.clock.Advance(1500 * time.Millisecond)
	r := call(t, f.n, http.MethodGet, "/v4/sessions/"+f.c.sessionID+"/players", nil)
	if r.status != http.StatusOK || !strings.HasPrefix(string(r.body), `[{"guildId":"100"`) {
		t.Fatalf("GET players = %d %s", r.status, r.body)
	}
	one := call(t, f.n, http.MethodGet, playerPath(f.c.sessionID, guild), nil).json(t)
	if one.num("track", "info", "position") != 1500 || one.num("state", "position") != 1500 {
		t.Errorf("GET player = %v, want the live position 1500", one)
	}
	ps := f.n.Players()
	if len(ps) != 2 || ps[0].GuildID != 100 || ps[1].Track == nil || ps[1].Track.Encoded != a.Encoded || ps[1].SessionID != f.c.sessionID ||
		ps[1].Position != 1500*time.Millisecond || ps[1].Track.Info.Position != 1500 {
		t.Errorf("Players() = %+v", ps)
	}
}
