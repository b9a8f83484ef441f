package lavalinktest_test

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

func load(t *testing.T, n *lavalinktest.Node, identifier string) frame {
	t.Helper()
	r := call(t, n, http.MethodGet, "/v4/loadtracks?identifier="+url.QueryEscape(identifier), nil)
	if r.status != http.StatusOK {
		t.Fatalf("load %q = %d %s, want 200", identifier, r.status, r.body)
	}
	return r.json(t)
}

// titles returns the titles of a playlist's or search result's tracks.
func titles(data any) []string {
	var tracks []any
	switch d := data.(type) {
	case []any:
		tracks = d
	case map[string]any:
		tracks, _ = d["tracks"].([]any)
	}
	out := []string{}
	for _, tr := range tracks {
		out = append(out, frame(tr.(map[string]any)).str("info", "title"))
	}
	return out
}

func spotifySong(id, title string) lavalink.TrackInfo {
	return lavalink.TrackInfo{Identifier: id, Title: title, Author: "Spotify Artist", Length: lavalink.Duration(3 * time.Minute / time.Millisecond)}
}

func TestRecommendations(t *testing.T) {
	n, _ := newNode(t, lavalinktest.WithLavaSrcPlugin())
	mix := lavalinktest.Must(n.AddRecommendations("mix:track:seed1", spotifySong("r1", "Radio One"), spotifySong("r2", "Radio Two")))
	lavalinktest.Must(n.AddRecommendations("sprec:seed_tracks=seed1", spotifySong("r3", "Recommended Three")))
	lavalinktest.Must(n.AddRecommendations("mix:track:lonely"))
	n.FailLoad("sprec:mix:track:broken", lavalink.Exception{Message: "Spotify is down", Severity: lavalink.SeveritySuspicious})

	if mix.Info.Name != "Spotify Recommendations:" || mix.Info.SelectedTrack != -1 || len(mix.Tracks) != 2 ||
		mix.Tracks[0].Info.SourceName != "spotify" || mix.Tracks[1].Info.Title != "Radio Two" || mix.Tracks[0].Encoded == "" {
		t.Errorf("AddRecommendations = %+v", mix)
	}
	tests := []struct {
		identifier string
		loadType   string
		titles     []string
		pluginInfo map[string]any
	}{
		{"sprec:mix:track:seed1", "playlist", []string{"Radio One", "Radio Two"},
			map[string]any{"type": "playlist", "url": nil, "artworkUrl": nil, "author": nil, "totalTracks": 2.0}},
		{"sprec:seed_tracks=seed1", "playlist", []string{"Recommended Three"},
			map[string]any{"type": "recommendations", "url": nil, "artworkUrl": nil, "author": nil, "totalTracks": nil}},
		{"sprec: seed_tracks=seed1 ", "playlist", []string{"Recommended Three"}, nil},
		{"sprec:mix:track:lonely", "empty", nil, nil},
		{"sprec:mix:track:unknown", "empty", nil, nil},
		{"sprec:mix:track:broken", "error", nil, nil},
		{"spsearch:radio", "search", []string{"Radio One", "Radio Two"}, nil},
		{"r3", "track", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.identifier, func(t *testing.T) {
			res := load(t, n, tt.identifier)
			if res.str("loadType") != tt.loadType {
				t.Fatalf("load %q = %v, want loadType %s", tt.identifier, res, tt.loadType)
			}
			if tt.titles != nil {
				if got := titles(res.get("data")); !reflect.DeepEqual(got, tt.titles) {
					t.Errorf("load %q titles = %v, want %v", tt.identifier, got, tt.titles)
				}
			}
			if tt.loadType == "playlist" {
				if res.str("data", "info", "name") != "Spotify Recommendations:" || res.num("data", "info", "selectedTrack") != -1 {
					t.Errorf("load %q info = %v", tt.identifier, res.get("data", "info"))
				}
			}
			if tt.pluginInfo != nil {
				if got := res.get("data", "pluginInfo"); !reflect.DeepEqual(got, tt.pluginInfo) {
					t.Errorf("load %q pluginInfo = %v, want %v", tt.identifier, got, tt.pluginInfo)
				}
			}
		})
	}

	// A recommended track plays like any other.
	c := connect(t, n)
	r := call(t, n, http.MethodPatch, playerPath(c.sessionID, guild), map[string]any{"track": map[string]any{"encoded": mix.Tracks[1].Encoded}})
	if r.status != http.StatusOK || r.json(t).str("track", "info", "identifier") != "r2" {
		t.Errorf("PATCH with a recommended track = %d %s, want 200 playing r2", r.status, r.body)
	}
	c.expectSeq("TrackStartEvent", "playerUpdate", "playerUpdate")
}

func TestRecommendationsNeedLavaSrc(t *testing.T) {
	n, _ := newNode(t)
	lavalinktest.Must(n.AddRecommendations("mix:track:seed1", spotifySong("r1", "Radio One")))
	if res := load(t, n, "sprec:mix:track:seed1"); res.str("loadType") != "empty" {
		t.Errorf("sprec: without LavaSrc = %v, want empty", res)
	}
	if got := infoPlugins(t, n); len(got) != 0 {
		t.Errorf("info.plugins = %v, want none", got)
	}
	// The tracks are in the catalogue all the same.
	if res := load(t, n, "r1"); res.str("loadType") != "track" {
		t.Errorf("load r1 = %v, want the track", res)
	}
}

func TestAddRecommendationsValidation(t *testing.T) {
	n, _ := newNode(t, lavalinktest.WithLavaSrcPlugin())
	if _, err := n.AddRecommendations("mix:track:x", spotifySong("ok", "Fine"), lavalink.TrackInfo{Title: "No id"}); err == nil {
		t.Error("AddRecommendations with a track without identifier succeeded")
	}
	long := lavalink.TrackInfo{Identifier: "long", Title: strings.Repeat("a", 1<<16)}
	if _, err := n.AddRecommendations("mix:track:x", long); !errors.Is(err, lavalinktest.ErrInvalidTrack) {
		t.Errorf("AddRecommendations with a title too long to encode = %v, want ErrInvalidTrack", err)
	}
	if res := load(t, n, "ok"); res.str("loadType") != "empty" {
		t.Errorf("a failed AddRecommendations stored a track: %v", res)
	}
}
