package lavalinktest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

// lyricsOf is the lyrics object as a client decodes it.
type lyricsOf struct {
	SourceName string          `json:"sourceName"`
	Provider   string          `json:"provider"`
	Text       *string         `json:"text"`
	Lines      []lyricsLine    `json:"lines"`
	Plugin     json.RawMessage `json:"plugin"`
}

type lyricsLine struct {
	Timestamp int64           `json:"timestamp"`
	Duration  *int64          `json:"duration"`
	Line      string          `json:"line"`
	Plugin    json.RawMessage `json:"plugin"`
}

func lyricsPath(encoded string, query ...string) string {
	return "/v4/lyrics?track=" + url.QueryEscape(encoded) + strings.Join(query, "")
}

func TestLyricsRoutesNeedThePlugin(t *testing.T) {
	f := newFixture(t)
	a := f.track("a", time.Minute)
	if err := f.n.AddLyrics("a", lavalinktest.Lyrics{SourceName: "youtube", Text: "la la"}); err != nil {
		t.Fatal(err)
	}
	f.play(a.Encoded)
	expectError(t, call(t, f.n, http.MethodGet, lyricsPath(a.Encoded), nil), http.StatusNotFound, "No static resource v4/lyrics.")
	expectError(t, call(t, f.n, http.MethodGet, playerPath(f.c.sessionID, guild)+"/track/lyrics", nil), http.StatusNotFound, "No static resource")
}

func TestTrackLyricsBody(t *testing.T) {
	n, _ := newNode(t, lavalinktest.WithLyricsPlugin())
	a := lavalinktest.Must(n.AddTrack(song("a", "Song a", 3*time.Minute)))
	err := n.AddLyrics("a", lavalinktest.Lyrics{
		SourceName: "youtube",
		Provider:   "YouTube Music",
		Lines: []lavalinktest.LyricsLine{
			{Timestamp: time.Second, Duration: 2500 * time.Millisecond, Line: "first"},
			{Timestamp: 3500 * time.Millisecond, Line: "second", Plugin: json.RawMessage(`{ "k": 1 }`)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := call(t, n, http.MethodGet, lyricsPath(a.Encoded), nil)
	want := `{"sourceName":"youtube","provider":"YouTube Music","text":null,"lines":[` +
		`{"timestamp":1000,"duration":2500,"line":"first","plugin":{}},` +
		`{"timestamp":3500,"duration":null,"line":"second","plugin":{"k":1}}],"plugin":{}}`
	if r.status != http.StatusOK || string(r.body) != want || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("GET /v4/lyrics = %d %s (%s), want 200 %s", r.status, r.body, r.header.Get("Content-Type"), want)
	}

	b := lavalinktest.Must(n.AddTrack(song("b", "Song b", 3*time.Minute)))
	if err := n.AddLyrics("b", lavalinktest.Lyrics{SourceName: "genius", Text: "plain\ntext", Plugin: json.RawMessage(`{"url":"https://genius.example/b"}`)}); err != nil {
		t.Fatal(err)
	}
	r = call(t, n, http.MethodGet, lyricsPath(b.Encoded, "&skipTrackSource=false"), nil)
	want = `{"sourceName":"genius","provider":"","text":"plain\ntext","lines":[],"plugin":{"url":"https://genius.example/b"}}`
	if r.status != http.StatusOK || string(r.body) != want {
		t.Errorf("GET /v4/lyrics of plain lyrics = %d %s, want 200 %s", r.status, r.body, want)
	}
}

func TestTrackLyricsLookup(t *testing.T) {
	n, _ := newNode(t, lavalinktest.WithLyricsPlugin())
	sp := lavalinktest.Must(n.AddTrack(lavalink.TrackInfo{Identifier: "sp1", Title: "Spotify song", Length: 1000, SourceName: "spotify"}))
	own := lavalinktest.Must(n.AddTrack(lavalink.TrackInfo{Identifier: "sp2", Title: "Only own", Length: 1000, SourceName: "spotify"}))
	none := lavalinktest.Must(n.AddTrack(song("none", "No lyrics", time.Minute)))
	// Priority order of the sources: deezer, youtube, spotify (the order
	// lyrics of each first arrive).
	for _, add := range []struct {
		id, source, text string
	}{
		{"sp1", "deezer", "from deezer"},
		{"sp1", "youtube", "from youtube"},
		{"sp1", "spotify", "from spotify"},
		{"sp2", "spotify", "own only, soon replaced"},
		{"sp2", "spotify", "own only"},
	} {
		if err := n.AddLyrics(add.id, lavalinktest.Lyrics{SourceName: add.source, Text: add.text}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		path     string
		wantText string // "" for 204
	}{
		{"own source first", lyricsPath(sp.Encoded), "from spotify"},
		{"own source first, explicit", lyricsPath(sp.Encoded, "&skipTrackSource=false"), "from spotify"},
		{"skip own source: first by priority", lyricsPath(sp.Encoded, "&skipTrackSource=true"), "from deezer"},
		{"only own source, skipped", lyricsPath(own.Encoded, "&skipTrackSource=1"), ""},
		{"only own source", lyricsPath(own.Encoded), "own only"},
		{"no lyrics", lyricsPath(none.Encoded), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, n, http.MethodGet, tt.path, nil)
			if tt.wantText == "" {
				if r.status != http.StatusNoContent || len(r.body) != 0 {
					t.Errorf("GET %s = %d %q, want 204 with an empty body", tt.path, r.status, r.body)
				}
				return
			}
			var got lyricsOf
			if r.status != http.StatusOK || json.Unmarshal(r.body, &got) != nil || got.Text == nil || *got.Text != tt.wantText {
				t.Errorf("GET %s = %d %s, want 200 with text %q", tt.path, r.status, r.body, tt.wantText)
			}
		})
	}
	r := call(t, n, http.MethodGet, lyricsPath(sp.Encoded, "&skipTrackSource=true"), nil)
	if got := r.json(t); got.str("sourceName") != "deezer" {
		t.Errorf("sourceName = %q, want deezer", got.str("sourceName"))
	}
}

func TestTrackLyricsErrors(t *testing.T) {
	n, _ := newNode(t, lavalinktest.WithLyricsPlugin())
	a := lavalinktest.Must(n.AddTrack(song("a", "Song a", time.Minute)))
	expectError(t, call(t, n, http.MethodGet, lyricsPath(a.Encoded), nil), http.StatusInternalServerError, "No lyrics managers registered")
	if err := n.AddLyrics("other", lavalinktest.Lyrics{SourceName: "youtube", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	foreign, err := lavalinktest.EncodeTrack(lavalink.TrackInfo{Identifier: "x", SourceName: "tidal"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		method  string
		path    string
		status  int
		message string
	}{
		{"no track parameter", http.MethodGet, "/v4/lyrics", http.StatusBadRequest, "Required request parameter 'track'"},
		{"bad skipTrackSource", http.MethodGet, lyricsPath(a.Encoded, "&skipTrackSource=maybe"), http.StatusBadRequest, "Invalid boolean value [maybe]"},
		{"not a track", http.MethodGet, lyricsPath("garbage"), http.StatusInternalServerError, "Failed to decode track"},
		{"unknown source", http.MethodGet, lyricsPath(foreign), http.StatusInternalServerError, "missing source manager: tidal"},
		{"wrong method", http.MethodPost, lyricsPath(a.Encoded), http.StatusMethodNotAllowed, "Request method 'POST' is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectError(t, call(t, n, tt.method, tt.path, nil), tt.status, tt.message)
		})
	}
}

func TestPlayerLyrics(t *testing.T) {
	f := newFixture(t, lavalinktest.WithLyricsPlugin())
	a := f.track("a", 3*time.Minute)
	if err := f.n.AddLyrics("a", lavalinktest.Lyrics{SourceName: "youtube", Provider: "YouTube Music", Lines: []lavalinktest.LyricsLine{{Timestamp: 0, Line: "♪"}}}); err != nil {
		t.Fatal(err)
	}
	path := playerPath(f.c.sessionID, guild) + "/track/lyrics"
	expectError(t, call(t, f.n, http.MethodGet, path, nil), http.StatusNotFound, "Player not found")
	f.connectVoice()
	expectError(t, call(t, f.n, http.MethodGet, path, nil), http.StatusNotFound, "No track playing")
	f.play(a.Encoded)

	r := call(t, f.n, http.MethodGet, path, nil)
	var got lyricsOf
	if r.status != http.StatusOK || json.Unmarshal(r.body, &got) != nil || got.Provider != "YouTube Music" || len(got.Lines) != 1 || got.Lines[0].Line != "♪" {
		t.Errorf("GET %s = %d %s, want the track's lyrics", path, r.status, r.body)
	}
	if r := call(t, f.n, http.MethodGet, path+"?skipTrackSource=true", nil); r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Errorf("GET %s?skipTrackSource=true = %d %q, want 204 (the only lyrics come from the track's source)", path, r.status, r.body)
	}
	tests := []struct {
		name    string
		method  string
		path    string
		status  int
		message string
	}{
		{"unknown session", http.MethodGet, playerPath("nosuchsession", guild) + "/track/lyrics", http.StatusNotFound, "Session not found"},
		{"bad guild", http.MethodGet, playerPath(f.c.sessionID, "abc") + "/track/lyrics", http.StatusBadRequest, "For input string: \"abc\""},
		{"bad skipTrackSource", http.MethodGet, path + "?skipTrackSource=nope", http.StatusBadRequest, "Invalid boolean value [nope]"},
		{"wrong method", http.MethodDelete, path, http.StatusMethodNotAllowed, "Request method 'DELETE' is not supported"},
		{"not a plugin route", http.MethodGet, playerPath(f.c.sessionID, guild) + "/track/lyricz", http.StatusNotFound, "No static resource"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectError(t, call(t, f.n, tt.method, tt.path, nil), tt.status, tt.message)
		})
	}
}

func TestAddLyricsValidation(t *testing.T) {
	n, _ := newNode(t, lavalinktest.WithLyricsPlugin())
	tests := []struct {
		name       string
		identifier string
		lyrics     lavalinktest.Lyrics
	}{
		{"no identifier", "", lavalinktest.Lyrics{SourceName: "youtube"}},
		{"no source", "a", lavalinktest.Lyrics{Text: "x"}},
		{"plugin not an object", "a", lavalinktest.Lyrics{SourceName: "youtube", Plugin: json.RawMessage(`[1]`)}},
		{"plugin null", "a", lavalinktest.Lyrics{SourceName: "youtube", Plugin: json.RawMessage(`null`)}},
		{"plugin not JSON", "a", lavalinktest.Lyrics{SourceName: "youtube", Plugin: json.RawMessage(`{`)}},
		{"negative timestamp", "a", lavalinktest.Lyrics{SourceName: "youtube", Lines: []lavalinktest.LyricsLine{{Timestamp: -time.Second}}}},
		{"negative duration", "a", lavalinktest.Lyrics{SourceName: "youtube", Lines: []lavalinktest.LyricsLine{{Duration: -time.Second}}}},
		{"line plugin not an object", "a", lavalinktest.Lyrics{SourceName: "youtube", Lines: []lavalinktest.LyricsLine{{Plugin: json.RawMessage(`"x"`)}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := n.AddLyrics(tt.identifier, tt.lyrics); err == nil {
				t.Errorf("AddLyrics(%q, %+v) = nil, want an error", tt.identifier, tt.lyrics)
			}
		})
	}
	// Nothing was stored: the node still has no lyrics source.
	a := lavalinktest.Must(n.AddTrack(song("a", "Song a", time.Minute)))
	expectError(t, call(t, n, http.MethodGet, lyricsPath(a.Encoded), nil), http.StatusInternalServerError, "No lyrics managers registered")
}
