package lavalinktest_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

func TestRESTAuthentication(t *testing.T) {
	n, _ := newNode(t, lavalinktest.WithPassword("s3cret"))
	routes := []struct{ method, path string }{
		{http.MethodGet, "/version"},
		{http.MethodGet, "/v4/info"},
		{http.MethodGet, "/v4/stats"},
		{http.MethodGet, "/v4/loadtracks?identifier=x"},
		{http.MethodGet, "/v4/sessions/abc/players"},
		{http.MethodPatch, "/v4/sessions/abc/players/1"},
		{http.MethodGet, "/v4/nowhere"},
	}
	for _, rt := range routes {
		for _, tt := range []struct {
			name   string
			header http.Header
			status int
		}{
			{"missing", http.Header{}, http.StatusUnauthorized},
			{"wrong", http.Header{"Authorization": {"youshallnotpass"}}, http.StatusForbidden},
		} {
			r := callWith(t, n, rt.method, rt.path, tt.header, nil)
			if r.status != tt.status || len(r.body) != 0 {
				t.Errorf("%s %s with %s password = %d %q, want %d with an empty body", rt.method, rt.path, tt.name, r.status, r.body, tt.status)
			}
			if r.header.Get("Lavalink-Api-Version") != "4" {
				t.Errorf("%s %s: Lavalink-Api-Version = %q, want 4", rt.method, rt.path, r.header.Get("Lavalink-Api-Version"))
			}
		}
	}
}

func TestVersionAndInfo(t *testing.T) {
	n, _ := newNode(t, lavalinktest.WithVersion("4.1.0-rc.1+b7"), lavalinktest.WithDisabledFilters("karaoke", "lowPass"))
	r := call(t, n, http.MethodGet, "/version", nil)
	if r.status != http.StatusOK || string(r.body) != "4.1.0-rc.1+b7" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Errorf("GET /version = %d %q (%s), want 200 and the version as text", r.status, r.body, r.header.Get("Content-Type"))
	}
	info := call(t, n, http.MethodGet, "/v4/info", nil).json(t)
	v := info.get("version").(map[string]any)
	if v["semver"] != "4.1.0-rc.1+b7" || v["major"] != 4.0 || v["minor"] != 1.0 || v["patch"] != 0.0 || v["preRelease"] != "rc.1" || v["build"] != "b7" {
		t.Errorf("info.version = %v", v)
	}
	filters := info.get("filters").([]any)
	if len(filters) != 8 || strings.Contains(strings.Join(strs(filters), ","), "karaoke") {
		t.Errorf("info.filters = %v, want the ten filters but karaoke and lowPass", filters)
	}
	lavalinktest.Must(n.AddTrack(lavalink.TrackInfo{Identifier: "d1", SourceName: "deezer"}))
	info = call(t, n, http.MethodGet, "/v4/info", nil).json(t)
	sources := strs(info.get("sourceManagers").([]any))
	if !reflect.DeepEqual(sources, []string{"youtube", "soundcloud", "bandcamp", "twitch", "vimeo", "nico", "http", "local", "deezer"}) {
		t.Errorf("info.sourceManagers = %v", sources)
	}
	if info.num("buildTime") == 0 || info.str("git", "commit") == "" || info.get("plugins") == nil {
		t.Errorf("info = %v, want buildTime, git and plugins", info)
	}
	strict := lavalinktest.NewNodeT(t)
	if got := call(t, strict, http.MethodGet, "/v4/info", nil).json(t).get("version", "preRelease"); got != nil {
		t.Errorf("preRelease of %s = %v, want null", strict.Version(), got)
	}
}

func strs(v []any) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i], _ = x.(string)
	}
	return out
}

func TestUnknownRouteAndMethod(t *testing.T) {
	n, _ := newNode(t)
	expectError(t, call(t, n, http.MethodGet, "/v4/nothing", nil), http.StatusNotFound, "No static resource v4/nothing.")
	expectError(t, call(t, n, http.MethodGet, "/v4/sessions/x/y/z/w", nil), http.StatusNotFound, "")
	r := call(t, n, http.MethodPost, "/v4/info", nil)
	expectError(t, r, http.StatusMethodNotAllowed, "Request method 'POST' is not supported")
	if r.header.Get("Allow") != "GET" {
		t.Errorf("Allow = %q, want GET", r.header.Get("Allow"))
	}
	f := call(t, n, http.MethodGet, "/v4/nothing?trace=true", nil).json(t)
	if f.str("trace") == "" || f.str("path") != "/v4/nothing" {
		t.Errorf("error with ?trace=true = %v, want a trace and the path without query", f)
	}
	if f := call(t, n, http.MethodGet, "/v4/nothing", nil).json(t); f.get("trace") != nil {
		t.Errorf("error without ?trace = %v, want no trace", f)
	}
	for _, path := range []string{"/", "/v3/websocket"} {
		if r := call(t, n, http.MethodGet, path, nil); r.status != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, r.status)
		}
	}
}

func TestLoadTracks(t *testing.T) {
	n, _ := newNode(t)
	rick := lavalinktest.Must(n.AddTrack(song("dQw4w9WgXcQ", "Never Gonna Give You Up", 212*time.Second)))
	lavalinktest.Must(n.AddTrack(song("other", "Together Forever", 200*time.Second)))
	sc := lavalinktest.Must(n.AddTrack(lavalink.TrackInfo{Identifier: "sc1", Title: "Never Again", SourceName: "soundcloud", Length: 1000}))
	live := lavalinktest.Must(n.AddTrack(lavalink.TrackInfo{Identifier: "live", Title: "Radio", IsStream: true, SourceName: "twitch"}))
	list := lavalinktest.Must(n.AddPlaylist("https://youtube.com/playlist?list=PL1", lavalink.PlaylistInfo{Name: "Mix", SelectedTrack: 1},
		song("p1", "First", time.Minute), song("p2", "Second", time.Minute)))
	n.FailLoad("https://youtube.com/watch?v=private", lavalink.Exception{Message: "This video is private", Severity: lavalink.SeverityCommon})

	tests := []struct {
		identifier string
		loadType   string
		check      func(t *testing.T, data any)
	}{
		{"dQw4w9WgXcQ", "track", func(t *testing.T, d any) { expectTrack(t, d, rick.Encoded, "Never Gonna Give You Up") }},
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQ", "track", func(t *testing.T, d any) { expectTrack(t, d, rick.Encoded, "Never Gonna Give You Up") }},
		{"ytsearch:never gonna", "search", func(t *testing.T, d any) {
			if l := d.([]any); len(l) != 1 {
				t.Errorf("ytsearch hits = %d, want 1", len(l))
			} else {
				expectTrack(t, l[0], rick.Encoded, "Never Gonna Give You Up")
			}
		}},
		{"ytmsearch:TESTER", "search", func(t *testing.T, d any) {
			if l := d.([]any); len(l) != 4 {
				t.Errorf("ytmsearch by author hits = %d, want the 4 youtube tracks", len(l))
			}
		}},
		{"scsearch:never", "search", func(t *testing.T, d any) { expectTrack(t, d.([]any)[0], sc.Encoded, "Never Again") }},
		{"ytsearch:nothing like this", "empty", func(t *testing.T, d any) {
			if m, ok := d.(map[string]any); !ok || len(m) != 0 {
				t.Errorf("empty data = %v, want {}", d)
			}
		}},
		{"unknown", "empty", nil},
		{"foo:bar", "empty", nil},
		{"live", "track", func(t *testing.T, d any) {
			info := d.(map[string]any)["info"].(map[string]any)
			if info["isStream"] != true || info["isSeekable"] != false || info["length"].(float64) < 1e18 {
				t.Errorf("stream info = %v, want isStream, not seekable and the unknown length", info)
			}
			expectTrack(t, d, live.Encoded, "Radio")
		}},
		{"https://youtube.com/playlist?list=PL1", "playlist", func(t *testing.T, d any) {
			m := d.(map[string]any)
			info := m["info"].(map[string]any)
			if info["name"] != "Mix" || info["selectedTrack"] != 1.0 || len(m["tracks"].([]any)) != 2 || m["pluginInfo"] == nil {
				t.Errorf("playlist = %v", m)
			}
			expectTrack(t, m["tracks"].([]any)[1], list.Tracks[1].Encoded, "Second")
		}},
		{"https://youtube.com/watch?v=private", "error", func(t *testing.T, d any) {
			e := d.(map[string]any)
			if e["message"] != "This video is private" || e["severity"] != "common" || e["cause"] == "" || e["causeStackTrace"] == nil {
				t.Errorf("error data = %v", e)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.identifier, func(t *testing.T) {
			r := call(t, n, http.MethodGet, "/v4/loadtracks?identifier="+urlQuery(tt.identifier), nil)
			if r.status != http.StatusOK {
				t.Fatalf("status = %d, want 200", r.status)
			}
			f := r.json(t)
			if f.str("loadType") != tt.loadType {
				t.Fatalf("loadType = %q, want %q (%s)", f.str("loadType"), tt.loadType, r.body)
			}
			if tt.check != nil {
				tt.check(t, f.get("data"))
			}
		})
	}
	expectError(t, call(t, n, http.MethodGet, "/v4/loadtracks", nil), http.StatusBadRequest, "'identifier'")
	if f := call(t, n, http.MethodGet, "/v4/loadtracks?identifier=", nil).json(t); f.str("loadType") != "empty" {
		t.Errorf("empty identifier loadType = %q, want empty", f.str("loadType"))
	}
}

func expectTrack(t *testing.T, d any, encoded, title string) {
	t.Helper()
	m, ok := d.(map[string]any)
	if !ok {
		t.Fatalf("track = %v", d)
	}
	info, _ := m["info"].(map[string]any)
	if m["encoded"] != encoded || info["title"] != title {
		t.Errorf("track = %v, want %q %q", m, encoded, title)
	}
	for _, k := range []string{"pluginInfo", "userData"} {
		if o, ok := m[k].(map[string]any); !ok || len(o) != 0 {
			t.Errorf("track %s = %v, want {}", k, m[k])
		}
	}
	for _, k := range []string{"identifier", "isSeekable", "author", "length", "isStream", "position", "title", "uri", "artworkUrl", "isrc", "sourceName"} {
		if _, ok := info[k]; !ok {
			t.Errorf("track info lacks %q", k)
		}
	}
}

func TestAddTrackErrors(t *testing.T) {
	n, _ := newNode(t)
	if _, err := n.AddTrack(lavalink.TrackInfo{Title: "no id"}); err == nil {
		t.Error("AddTrack without identifier succeeded")
	}
	if _, err := n.AddTrack(lavalink.TrackInfo{Identifier: "x", Title: strings.Repeat("a", 70000)}); err == nil {
		t.Error("AddTrack with a 70000-byte title succeeded")
	}
	if _, err := n.AddPlaylist("", lavalink.PlaylistInfo{Name: "x", SelectedTrack: -1}); err == nil {
		t.Error("AddPlaylist without identifier succeeded")
	}
	if _, err := n.AddPlaylist("pl", lavalink.PlaylistInfo{Name: "x", SelectedTrack: 1}, song("a", "A", time.Second)); err == nil {
		t.Error("AddPlaylist selecting track 1 of 1 succeeded")
	}
	if _, err := n.AddPlaylist("pl", lavalink.PlaylistInfo{Name: "x", SelectedTrack: -1}, lavalink.TrackInfo{}); err == nil {
		t.Error("AddPlaylist with a track without identifier succeeded")
	}
	defer func() {
		if recover() == nil {
			t.Error("Must(error) did not panic")
		}
	}()
	lavalinktest.Must(n.AddTrack(lavalink.TrackInfo{}))
}

func TestAddTrackReplaces(t *testing.T) {
	n, _ := newNode(t)
	lavalinktest.Must(n.AddTrack(song("same", "Old Title", time.Second)))
	lavalinktest.Must(n.AddTrack(song("same", "New Title", time.Second)))
	f := call(t, n, http.MethodGet, "/v4/loadtracks?identifier=ytsearch:title", nil).json(t)
	if l, _ := f.get("data").([]any); len(l) != 1 {
		t.Fatalf("search after replacing = %v, want one track", f)
	}
	if got := f.get("data").([]any)[0].(map[string]any)["info"].(map[string]any)["title"]; got != "New Title" {
		t.Errorf("title = %v, want New Title", got)
	}
}

func TestDecodeTrackRoutes(t *testing.T) {
	n, _ := newNode(t)
	tr := lavalinktest.Must(n.AddTrack(song("abc", "Song", time.Minute)))
	unknown, err := lavalinktest.EncodeTrack(lavalink.TrackInfo{Identifier: "u", SourceName: "mixcloud"})
	if err != nil {
		t.Fatal(err)
	}
	for _, param := range []string{"encodedTrack", "track"} {
		r := call(t, n, http.MethodGet, "/v4/decodetrack?"+param+"="+urlQuery(tr.Encoded), nil)
		if r.status != http.StatusOK {
			t.Fatalf("decodetrack?%s = %d %s", param, r.status, r.body)
		}
		expectTrack(t, map[string]any(r.json(t)), tr.Encoded, "Song")
	}
	expectError(t, call(t, n, http.MethodGet, "/v4/decodetrack", nil), http.StatusBadRequest, "No track to decode provided")
	expectError(t, call(t, n, http.MethodGet, "/v4/decodetrack?track=garbage", nil), http.StatusInternalServerError, "")
	expectError(t, call(t, n, http.MethodGet, "/v4/decodetrack?track="+urlQuery(unknown), nil), http.StatusInternalServerError, "mixcloud")

	r := call(t, n, http.MethodPost, "/v4/decodetracks", []string{tr.Encoded, tr.Encoded})
	if r.status != http.StatusOK || strings.Count(string(r.body), tr.Encoded) != 2 || r.body[0] != '[' {
		t.Errorf("decodetracks = %d %s, want an array of two tracks", r.status, r.body)
	}
	expectError(t, call(t, n, http.MethodPost, "/v4/decodetracks", []string{}), http.StatusBadRequest, "No tracks to decode provided")
	expectError(t, call(t, n, http.MethodPost, "/v4/decodetracks", `{"tracks":[]}`), http.StatusBadRequest, "")
	expectError(t, call(t, n, http.MethodPost, "/v4/decodetracks", `[1]`), http.StatusBadRequest, "")
	expectError(t, call(t, n, http.MethodPost, "/v4/decodetracks", []string{tr.Encoded, "bad"}), http.StatusInternalServerError, "")
	h := http.Header{"Authorization": {n.Password()}, "Content-Type": {"text/plain"}}
	expectError(t, callWith(t, n, http.MethodPost, "/v4/decodetracks", h, `["x"]`), http.StatusUnsupportedMediaType, "text/plain")
}

func TestRoutePlanner(t *testing.T) {
	n, _ := newNode(t)
	if r := call(t, n, http.MethodGet, "/v4/routeplanner/status", nil); r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Errorf("routeplanner/status = %d %q, want 204", r.status, r.body)
	}
	for _, path := range []string{"/v4/routeplanner/free/address", "/v4/routeplanner/free/all"} {
		expectError(t, call(t, n, http.MethodPost, path, map[string]string{"address": "1.2.3.4"}), http.StatusInternalServerError, "disabled route planner")
	}
}

func TestSessionRoutes(t *testing.T) {
	n, _ := newNode(t)
	for _, rt := range []struct{ method, path string }{
		{http.MethodGet, "/v4/sessions/nope/players"},
		{http.MethodGet, "/v4/sessions/nope/players/1"},
		{http.MethodDelete, "/v4/sessions/nope/players/1"},
	} {
		expectError(t, call(t, n, rt.method, rt.path, nil), http.StatusNotFound, "Session not found")
	}
	expectError(t, call(t, n, http.MethodPatch, "/v4/sessions/nope/players/1", map[string]any{}), http.StatusNotFound, "Session not found")
	expectError(t, call(t, n, http.MethodPatch, "/v4/sessions/nope", map[string]any{}), http.StatusNotFound, "Session not found")

	c := connect(t, n)
	if r := call(t, n, http.MethodGet, "/v4/sessions/"+c.sessionID+"/players", nil); r.status != http.StatusOK || string(r.body) != "[]" {
		t.Errorf("players of a new session = %d %s, want []", r.status, r.body)
	}
	expectError(t, call(t, n, http.MethodGet, playerPath(c.sessionID, guild), nil), http.StatusNotFound, "Player not found")
	if r := call(t, n, http.MethodDelete, playerPath(c.sessionID, guild), nil); r.status != http.StatusNoContent {
		t.Errorf("DELETE unknown player = %d, want 204", r.status)
	}
	expectError(t, call(t, n, http.MethodGet, playerPath(c.sessionID, "abc"), nil), http.StatusBadRequest, "abc")

	r := call(t, n, http.MethodPatch, "/v4/sessions/"+c.sessionID, map[string]any{"resuming": true, "timeout": 30})
	if f := r.json(t); r.status != http.StatusOK || f.get("resuming") != true || f.num("timeout") != 30 {
		t.Errorf("PATCH session = %d %s, want resuming true, timeout 30", r.status, r.body)
	}
	r = call(t, n, http.MethodPatch, "/v4/sessions/"+c.sessionID, map[string]any{})
	if f := r.json(t); f.get("resuming") != true || f.num("timeout") != 30 {
		t.Errorf("PATCH session {} = %s, want the settings unchanged", r.body)
	}
	expectError(t, call(t, n, http.MethodPatch, "/v4/sessions/"+c.sessionID, `{"resuming":null}`), http.StatusBadRequest, "null")
	expectError(t, call(t, n, http.MethodPatch, "/v4/sessions/"+c.sessionID, `{"timeout":1.5}`), http.StatusBadRequest, "timeout")
	expectError(t, call(t, n, http.MethodPatch, "/v4/sessions/"+c.sessionID, `[]`), http.StatusBadRequest, "")
	s := n.Sessions()[0]
	if !s.Resuming || s.Timeout != 30*time.Second {
		t.Errorf("Sessions()[0] = %+v, want resuming with a 30 s timeout", s)
	}

	old, _ := newNode(t, lavalinktest.WithVersion("4.1.0"))
	oc := connect(t, old)
	r = call(t, old, http.MethodPatch, "/v4/sessions/"+oc.sessionID, `{"resuming":null,"timeout":5}`)
	if f := r.json(t); r.status != http.StatusOK || f.get("resuming") != false || f.num("timeout") != 5 {
		t.Errorf("4.1 PATCH session with null = %d %s, want null ignored", r.status, r.body)
	}
}

func urlQuery(s string) string {
	r := strings.NewReplacer("%", "%25", "+", "%2B", " ", "+", "&", "%26", "=", "%3D", "?", "%3F", "/", "%2F", ":", "%3A", "#", "%23")
	return r.Replace(s)
}
