package node

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

func TestRESTAgainstFake(t *testing.T) {
	ctx := context.Background()
	fake, _ := fakeNode(t)
	h, sid := connectFake(t, fake, nil)
	n := h.n
	tr := lavalinktest.Must(fake.AddTrack(lavalink.TrackInfo{Identifier: "abc", Title: "Alpha Song", Author: "Band", Length: 200000}))
	tr2 := lavalinktest.Must(fake.AddTrack(lavalink.TrackInfo{Identifier: "def", Title: "Beta Song", Author: "Band", Length: 100000}))
	lavalinktest.Must(fake.AddPlaylist("https://example.com/list", lavalink.PlaylistInfo{Name: "Mix", SelectedTrack: -1},
		lavalink.TrackInfo{Identifier: "p1", Title: "One", Author: "X", Length: 1000},
		lavalink.TrackInfo{Identifier: "p2", Title: "Two", Author: "X", Length: 1000}))
	fake.FailLoad("broken", lavalink.Exception{Message: "blocked", Severity: lavalink.SeverityCommon})

	t.Run("Version", func(t *testing.T) {
		if v, err := n.Version(ctx); err != nil || v != lavalinktest.DefaultVersion {
			t.Errorf("Version() = %q, %v; want %q", v, err, lavalinktest.DefaultVersion)
		}
	})
	t.Run("FetchInfo", func(t *testing.T) {
		info, err := n.FetchInfo(ctx)
		if err != nil || info.Version.Major != 4 || len(info.SourceManagers) == 0 {
			t.Errorf("FetchInfo() = %+v, %v", info, err)
		}
	})
	t.Run("FetchStats", func(t *testing.T) {
		st, err := n.FetchStats(ctx)
		if err != nil || st.CPU.Cores == 0 || st.FrameStats != nil {
			t.Errorf("FetchStats() = %+v, %v", st, err)
		}
	})
	t.Run("LoadTracks", func(t *testing.T) {
		for _, tc := range []struct {
			identifier string
			want       lavalink.LoadType
			check      func(lavalink.LoadResultData) bool
		}{
			{"abc", lavalink.LoadTypeTrack, func(d lavalink.LoadResultData) bool { return d.(lavalink.Track).Encoded == tr.Encoded }},
			{"https://example.com/list", lavalink.LoadTypePlaylist, func(d lavalink.LoadResultData) bool {
				p := d.(lavalink.Playlist)
				return p.Info.Name == "Mix" && len(p.Tracks) == 2
			}},
			{"ytsearch:song", lavalink.LoadTypeSearch, func(d lavalink.LoadResultData) bool { return len(d.(lavalink.Search)) == 2 }},
			{"ytsearch:nothing like it", lavalink.LoadTypeEmpty, func(d lavalink.LoadResultData) bool { return d == lavalink.Empty{} }},
			{"broken", lavalink.LoadTypeError, func(d lavalink.LoadResultData) bool { return d.(lavalink.Exception).Message == "blocked" }},
		} {
			r, err := n.LoadTracks(ctx, tc.identifier)
			if err != nil || r.LoadType != tc.want || !tc.check(r.Data) {
				t.Errorf("LoadTracks(%q) = %s %+v, %v; want %s", tc.identifier, r.LoadType, r.Data, err, tc.want)
			}
		}
	})
	t.Run("DecodeTrack", func(t *testing.T) {
		got, err := n.DecodeTrack(ctx, tr.Encoded)
		if err != nil || got.Info.Title != "Alpha Song" {
			t.Errorf("DecodeTrack() = %+v, %v", got.Info, err)
		}
		if _, err := n.DecodeTrack(ctx, "not a track"); err == nil {
			t.Error("DecodeTrack(garbage) succeeded")
		}
		many, err := n.DecodeTracks(ctx, []string{tr2.Encoded, tr.Encoded})
		if err != nil || len(many) != 2 || many[0].Info.Title != "Beta Song" || many[1].Info.Title != "Alpha Song" {
			t.Errorf("DecodeTracks() = %+v, %v", many, err)
		}
		before := len(fake.Requests())
		if none, err := n.DecodeTracks(ctx, nil); err != nil || none == nil || len(none) != 0 {
			t.Errorf("DecodeTracks(nil) = %v, %v; want empty", none, err)
		}
		if len(fake.Requests()) != before {
			t.Error("DecodeTracks(nil) sent a request")
		}
	})
	t.Run("Players", func(t *testing.T) {
		if _, err := n.Player(ctx, testGuild); !errors.Is(err, ErrPlayerNotFound) || errors.Is(err, ErrSessionNotFound) {
			t.Errorf("Player(unknown) = %v, want ErrPlayerNotFound", err)
		}
		vol := 50
		p, err := n.UpdatePlayer(ctx, testGuild, PlayerUpdate{
			Voice:  &completeVoice,
			Track:  &TrackUpdate{Encoded: tr.Encoded, UserData: json.RawMessage(`{"requester":"42"}`)},
			Volume: &vol,
		}, false)
		if err != nil || p.Track == nil || p.Track.Encoded != tr.Encoded || p.Volume != 50 || p.GuildID != testGuild {
			t.Fatalf("UpdatePlayer(play) = %+v, %v", p, err)
		}
		if string(p.Track.UserData) != `{"requester":"42"}` {
			t.Errorf("userData = %s", p.Track.UserData)
		}
		h.rec.waitEvent(t)
		// noReplace keeps the playing track.
		p, err = n.UpdatePlayer(ctx, testGuild, PlayerUpdate{Track: &TrackUpdate{Encoded: tr2.Encoded}}, true)
		if err != nil || p.Track == nil || p.Track.Encoded != tr.Encoded {
			t.Errorf("UpdatePlayer(noReplace) track = %v, %v; want the first track kept", p.Track, err)
		}
		last := fake.Requests()[len(fake.Requests())-1]
		if last.Query.Get("noReplace") != "true" || last.Path != "/v4/sessions/"+sid+"/players/"+testGuild.String() {
			t.Errorf("PATCH sent %s?%s", last.Path, last.Query.Encode())
		}
		got, err := n.Player(ctx, testGuild)
		if err != nil || got.Track == nil || got.Voice != completeVoice {
			t.Errorf("Player() = %+v, %v", got, err)
		}
		all, err := n.Players(ctx)
		if err != nil || len(all) != 1 || all[0].GuildID != testGuild {
			t.Errorf("Players() = %+v, %v", all, err)
		}
		if got := n.localPlaying(); got != 1 {
			t.Errorf("players seen playing = %d, want 1", got)
		}
		// Stop.
		p, err = n.UpdatePlayer(ctx, testGuild, PlayerUpdate{Stop: true}, false)
		if err != nil || p.Track != nil {
			t.Errorf("UpdatePlayer(stop) = %+v, %v", p, err)
		}
		if e, ok := h.rec.waitEvent(t).(TrackEndEvent); !ok || e.Reason != lavalink.TrackEndReasonStopped || e.MayStartNext() {
			t.Errorf("event after stop = %#v, want TrackEnd stopped", e)
		}
		if got := n.localPlaying(); got != 0 {
			t.Errorf("players seen playing after stop = %d, want 0", got)
		}
		if err := n.DestroyPlayer(ctx, testGuild); err != nil {
			t.Errorf("DestroyPlayer() = %v", err)
		}
		if _, ok := fake.Player(testGuild); ok {
			t.Error("player still on the fake after DestroyPlayer")
		}
		if err := n.DestroyPlayer(ctx, testGuild); err != nil {
			t.Errorf("DestroyPlayer(missing) = %v, want nil", err)
		}
		if all, err := n.Players(ctx); err != nil || len(all) != 0 {
			t.Errorf("Players() after destroy = %+v, %v", all, err)
		}
	})
	t.Run("UpdateSession", func(t *testing.T) {
		off, timeout := false, 5
		s, err := n.UpdateSession(ctx, lavalink.SessionUpdate{Resuming: &off, Timeout: &timeout})
		if err != nil || s.Resuming || s.Timeout != 5 {
			t.Errorf("UpdateSession() = %+v, %v", s, err)
		}
		if fs := fake.Sessions(); fs[0].Resuming || fs[0].Timeout != 5*time.Second {
			t.Errorf("fake session = %+v", fs[0])
		}
	})
	t.Run("InjectedFailure", func(t *testing.T) {
		fake.FailRequests(1, http.StatusInternalServerError)
		_, err := n.FetchInfo(ctx)
		var e *Error
		if !errors.As(err, &e) || e.Status != 500 || e.Node != "test" || e.Method != "GET" || e.Path != "/v4/info" || e.Message == "" {
			t.Errorf("FetchInfo with an injected 500 = %#v", err)
		}
	})
	t.Run("InvalidGuild", func(t *testing.T) {
		if _, err := n.Player(ctx, 0); !errors.Is(err, ErrInvalidGuild) {
			t.Errorf("Player(0) = %v", err)
		}
		if _, err := n.UpdatePlayer(ctx, 0, PlayerUpdate{}, false); !errors.Is(err, ErrInvalidGuild) {
			t.Errorf("UpdatePlayer(0) = %v", err)
		}
		if err := n.DestroyPlayer(ctx, 0); !errors.Is(err, ErrInvalidGuild) {
			t.Errorf("DestroyPlayer(0) = %v", err)
		}
	})
}

func TestSessionCallsBeforeReady(t *testing.T) {
	ctx := context.Background()
	fake, _ := fakeNode(t)
	h := newHarness(t, fake.Addr(), fake.Password(), func(c *Config) { c.SessionID = "stalesession0000" })
	if got := h.n.SessionID(); got != "stalesession0000" {
		t.Errorf("SessionID() before Start = %q", got)
	}
	if _, err := h.n.Players(ctx); !errors.Is(err, ErrNotReady) {
		t.Errorf("Players() = %v, want ErrNotReady", err)
	}
	if _, err := h.n.Player(ctx, testGuild); !errors.Is(err, ErrNotReady) {
		t.Errorf("Player() = %v, want ErrNotReady", err)
	}
	if _, err := h.n.UpdatePlayer(ctx, testGuild, PlayerUpdate{}, false); !errors.Is(err, ErrNotReady) {
		t.Errorf("UpdatePlayer() = %v, want ErrNotReady", err)
	}
	if err := h.n.DestroyPlayer(ctx, testGuild); !errors.Is(err, ErrNotReady) {
		t.Errorf("DestroyPlayer() = %v, want ErrNotReady", err)
	}
	if _, err := h.n.UpdateSession(ctx, lavalink.SessionUpdate{}); !errors.Is(err, ErrNotReady) {
		t.Errorf("UpdateSession() = %v, want ErrNotReady", err)
	}
	if p := h.n.Penalty(); p != UnavailablePenalty {
		t.Errorf("Penalty() before Start = %v", p)
	}
	// Calls without a session work before Start.
	if v, err := h.n.Version(ctx); err != nil || v == "" {
		t.Errorf("Version() before Start = %q, %v", v, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := h.n.Start(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Start(cancelled ctx) = %v, want context.Canceled", err)
	}
	// The stale session is not resumable: a new one is opened.
	h.start(t)
	if err := h.n.Start(ctx); !errors.Is(err, ErrStarted) {
		t.Errorf("second Start = %v, want ErrStarted", err)
	}
	if err := h.n.WaitReady(ctx); err != nil {
		t.Fatalf("WaitReady() = %v", err)
	}
	if r := h.rec.waitFor(t, "ready"); r.resumed || r.sid == "stalesession0000" {
		t.Errorf("ready = %q resumed %v, want a new session", r.sid, r.resumed)
	}
}

func TestErrorMapping(t *testing.T) {
	ctx := context.Background()
	s := newScripted(t)
	h, _ := connectScripted(t, s, nil)
	n := h.n
	playerKey := "GET /v4/sessions/sess1/players/" + testGuild.String()
	lavalinkErr := func(status int, reason, msg string) string {
		b, _ := json.Marshal(map[string]any{"timestamp": 1700000000000, "status": status, "error": reason, "message": msg, "path": "/x"})
		return string(b)
	}
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		is      []error
		isNot   []error
		message string
		reason  string
	}{
		{"401 empty", 401, "", []error{ErrUnauthorized}, []error{ErrBadRequest}, "", "Unauthorized"},
		{"403 empty", 403, "", []error{ErrUnauthorized}, nil, "", "Forbidden"},
		{"400", 400, lavalinkErr(400, "Bad Request", "Partial Lavalink voice state: channelId missing"), []error{ErrBadRequest}, []error{ErrUnauthorized}, "Partial Lavalink voice state: channelId missing", "Bad Request"},
		{"session 404", 404, lavalinkErr(404, "Not Found", "Session not found"), []error{ErrSessionNotFound}, []error{ErrPlayerNotFound}, "Session not found", "Not Found"},
		{"player 404", 404, lavalinkErr(404, "Not Found", "Player not found"), []error{ErrPlayerNotFound}, []error{ErrSessionNotFound}, "Player not found", "Not Found"},
		{"500 html", 500, "<html>proxy</html>", nil, []error{ErrBadRequest, ErrInvalidResponse}, "", "Internal Server Error"},
		{"503 control chars", 503, lavalinkErr(503, "Service Unavailable", "line1\nline2"), nil, nil, "line1 line2", "Service Unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.answer(playerKey, tc.status, tc.body)
			_, err := n.Player(ctx, testGuild)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Player() = %v, want *Error", err)
			}
			if e.Status != tc.status || e.Message != tc.message || e.Reason != tc.reason || e.Method != "GET" || e.Path != "/v4/sessions/sess1/players/"+testGuild.String() {
				t.Errorf("Player() = %#v, want status %d reason %q message %q", e, tc.status, tc.reason, tc.message)
			}
			for _, target := range tc.is {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = false", err, target)
				}
			}
			for _, target := range tc.isNot {
				if errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = true", err, target)
				}
			}
			if strings.Contains(err.Error(), scriptPassword) {
				t.Errorf("error text %q holds the password", err)
			}
		})
	}
	if e := (&Error{Node: "a", Method: "GET", Path: "/p", Status: 404, Reason: "Not Found", Message: "m", Timestamp: time.UnixMilli(1)}); e.Error() != "node a: GET /p: 404 Not Found: m" {
		t.Errorf("Error() = %q", e.Error())
	}
	var e *Error
	s.answer(playerKey, 400, lavalinkErr(400, "Bad Request", "x"))
	if _, err := n.Player(ctx, testGuild); !errors.As(err, &e) || !e.Timestamp.Equal(time.UnixMilli(1700000000000)) {
		t.Errorf("Timestamp = %v", e.Timestamp)
	}

	// Bodies that do not decode.
	for _, tc := range []struct {
		name, key string
		status    int
		body      string
		call      func() error
	}{
		{"player not json", playerKey, 200, "nope", func() error { _, err := n.Player(ctx, testGuild); return err }},
		{"player 204", playerKey, 204, "", func() error { _, err := n.Player(ctx, testGuild); return err }},
		{"unknown load type", "GET /v4/loadtracks", 200, `{"loadType":"maybe","data":{}}`, func() error { _, err := n.LoadTracks(ctx, "x"); return err }},
		{"stats wrong type", "GET /v4/stats", 200, `{"players":"many"}`, func() error { _, err := n.FetchStats(ctx); return err }},
		{"voice channel not a snowflake", playerKey, 200, `{"guildId":"1","voice":{"channelId":"general"}}`, func() error { _, err := n.Player(ctx, testGuild); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.answer(tc.key, tc.status, tc.body)
			if err := tc.call(); !errors.Is(err, ErrInvalidResponse) {
				t.Errorf("call = %v, want ErrInvalidResponse", err)
			}
		})
	}

	for _, r := range s.recorded() {
		if r.Header.Get("Authorization") != scriptPassword {
			t.Errorf("%s %s sent Authorization %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
		}
	}

	t.Run("transport", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := n.Version(cctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Version(cancelled ctx) = %v, want context.Canceled", err)
		}
	})
}

func TestPlayerDecodesLavalinkOutput(t *testing.T) {
	ctx := context.Background()
	s := newScripted(t)
	h, _ := connectScripted(t, s, nil)
	const body = `{"guildId":"270000000000000002","track":null,"volume":100,"paused":true,
		"state":{"time":1700000000000,"position":0,"connected":true,"ping":12},
		"voice":{"token":"t","endpoint":"e","sessionId":"s","channelId":"42"},
		"filters":{"volume":1.5,"rotation":{"rotationHz":0.2},"equalizer":[{"band":3,"gain":0.25}],
		"timescale":{"speed":1.1,"pitch":1.0,"rate":1.0},"pluginFilters":{"echo":{"delay":0.5}}}}`
	s.answer("GET /v4/sessions/sess1/players/"+testGuild.String(), 200, body)
	p, err := h.n.Player(ctx, testGuild)
	if err != nil {
		t.Fatalf("Player() = %v", err)
	}
	f := p.Filters
	if f.Rotation == nil || f.Rotation.RotationHz != 0.2 || len(f.Equalizer) != 1 || f.Equalizer[0] != (lavalink.EqBand{Band: 3, Gain: 0.25}) ||
		f.Volume == nil || *f.Volume != 1.5 || f.Timescale == nil || f.Timescale.Speed != 1.1 || string(f.PluginFilters["echo"]) != `{"delay":0.5}` {
		t.Errorf("filters = %+v", f)
	}
	if p.Voice != (Voice{Token: "t", Endpoint: "e", SessionID: "s", ChannelID: 42}) || !p.Paused || p.State.Ping != 12 || !p.State.Connected {
		t.Errorf("player = %+v", p)
	}
	// disgolink's own type cannot read the same body.
	var dl lavalink.Player
	if err := json.Unmarshal([]byte(body), &dl); err == nil {
		t.Error("lavalink.Player decoded a float rotationHz; the replacement may be unnecessary")
	}
}

func TestVoiceJSON(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want snowflake.ID
		ok   bool
	}{
		{`{"token":"t","endpoint":"e","sessionId":"s"}`, 0, true},
		{`{"token":"t","endpoint":"e","sessionId":"s","channelId":null}`, 0, true},
		{`{"token":"t","endpoint":"e","sessionId":"s","channelId":""}`, 0, true},
		{`{"token":"t","endpoint":"e","sessionId":"s","channelId":"99"}`, 99, true},
		{`{"channelId":"x"}`, 0, false},
		{`{"channelId":5}`, 0, false},
		{`[]`, 0, false},
	} {
		var v Voice
		err := json.Unmarshal([]byte(tc.in), &v)
		if (err == nil) != tc.ok || v.ChannelID != tc.want {
			t.Errorf("Unmarshal(%s) = %+v, %v; want channel %v ok %v", tc.in, v, err, tc.want, tc.ok)
		}
	}
	for _, tc := range []struct {
		v    Voice
		want string
	}{
		{completeVoice, `{"token":"tok","endpoint":"voice.example:443","sessionId":"vsess","channelId":"370000000000000003"}`},
		{Voice{Token: "t"}, `{"token":"t","endpoint":"","sessionId":"","channelId":null}`},
	} {
		if b, err := json.Marshal(tc.v); err != nil || string(b) != tc.want {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", tc.v, b, err, tc.want)
		}
	}
	if !completeVoice.Complete() || (Voice{Token: "t"}).Complete() {
		t.Error("Complete() wrong")
	}
}
