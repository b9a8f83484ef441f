package music

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/lavalinktest"
	"github.com/tunekit/tunekit/resilience"
)

// The Manager is what music/disgobot suggests from unless told otherwise:
// it must satisfy disgobot's Searcher, declared here as it is there.
var _ interface {
	Search(ctx context.Context, guild snowflake.ID, query string) ([]Track, error)
} = (*Manager)(nil)

// addNumbered adds n tracks titled "<title> 01" and so on to every node.
func (h *harness) addNumbered(title string, n int) []lavalink.TrackInfo {
	h.t.Helper()
	var infos []lavalink.TrackInfo
	for i := range n {
		name := fmt.Sprintf("%s %02d", title, i+1)
		info := lavalink.TrackInfo{Identifier: "id-" + name, Title: name, Author: "Band", Length: 180 * lavalink.Second,
			URI: ptr("https://www.youtube.com/watch?v=id-" + name)}
		for _, node := range h.nodes {
			if _, err := node.AddTrack(info); err != nil {
				h.t.Fatal(err)
			}
		}
		infos = append(infos, info)
	}
	return infos
}

func titles(tracks []Track) []string {
	out := make([]string, len(tracks))
	for i, t := range tracks {
		out[i] = t.Info.Title
	}
	return out
}

func TestSearch(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	songs := h.addNumbered("song", MaxSearchResults+5)
	if _, err := h.nodes[0].AddPlaylist("https://www.youtube.com/playlist?list=mix", lavalink.PlaylistInfo{Name: "Mix", SelectedTrack: -1}, songs...); err != nil {
		t.Fatal(err)
	}
	h.nodes[0].FailLoad("ytsearch:broken", lavalink.Exception{Message: "blocked", Severity: lavalink.SeverityCommon})

	tests := []struct {
		query     string
		wantFirst string
		wantLen   int
		wantErr   error
	}{
		{"song", "song 01", MaxSearchResults, nil},
		{"ytsearch:song 2", "song 20", 10, nil},                    // 20 to 29
		{"https://www.youtube.com/watch?v=id-song-07", "", 0, nil}, // no such track
		{"https://www.youtube.com/playlist?list=mix", "song 01", MaxSearchResults, nil},
		{"nothing like it", "", 0, nil},
		{"broken", "", 0, ErrTrackNotFound},
		{"", "", 0, ErrInvalidQuery},
		{"file:///etc/passwd", "", 0, ErrInvalidQuery},
		{"http://127.0.0.1:2333/v4/info", "", 0, ErrInvalidQuery},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got, err := h.m.Search(h.ctx(), guildID, tt.query)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Search(%q) error = %v, want %v", tt.query, err, tt.wantErr)
			}
			if len(got) != tt.wantLen || (tt.wantLen > 0 && got[0].Info.Title != tt.wantFirst) {
				t.Fatalf("Search(%q) = %q, want %d tracks from %q", tt.query, titles(got), tt.wantLen, tt.wantFirst)
			}
			if err == nil && got == nil {
				t.Errorf("Search(%q) = nil slice, want an empty one", tt.query)
			}
			for _, tr := range got {
				if tr.Requester != 0 || !tr.AddedAt.IsZero() {
					t.Errorf("Search(%q) track %q has requester %v, added %v; want none", tt.query, tr.Info.Title, tr.Requester, tr.AddedAt)
				}
			}
		})
	}
	var le *LoadError
	if _, err := h.m.Search(h.ctx(), guildID, "broken"); !errors.As(err, &le) || le.Message != "blocked" {
		t.Errorf("Search of a failing load = %v, want a *LoadError", err)
	}
	var qe *QueryError
	if _, err := h.m.Search(h.ctx(), guildID, "file:///etc/passwd"); !errors.As(err, &qe) {
		t.Errorf("Search of a file path = %v, want a *QueryError", err)
	}
	if _, err := h.m.Search(h.ctx(), 0, "song"); !errors.Is(err, ErrInvalidID) {
		t.Errorf("Search in guild 0 = %v, want ErrInvalidID", err)
	}
	// A link straight to a track gives that track.
	if _, err := h.nodes[0].AddTrack(lavalink.TrackInfo{Identifier: "abc", Title: "Linked", Length: songs[0].Length, URI: ptr("https://youtu.be/abc")}); err != nil {
		t.Fatal(err)
	}
	got, err := h.m.Search(h.ctx(), guildID, "https://youtu.be/abc")
	if err != nil || len(got) != 1 || got[0].Info.Identifier != "abc" {
		t.Errorf("Search of a track link = %q, %v; want that one track", titles(got), err)
	}
	// Nothing was queued or played.
	if _, err := h.m.NowPlaying(h.ctx(), guildID, listener); !errors.Is(err, ErrNothingPlaying) {
		t.Errorf("NowPlaying after searches = %v, want ErrNothingPlaying", err)
	}
}

func TestSearchUsesConfiguredQueryRules(t *testing.T) {
	h := newHarness(t, harnessConfig{cfg: func(c *Config) {
		c.SearchPrefix = "scsearch:"
		c.AllowedHosts = []string{"soundcloud.com"}
	}})
	for _, info := range []lavalink.TrackInfo{
		{Identifier: "yt-wave", Title: "Wave", SourceName: "youtube", Length: 60 * lavalink.Second},
		{Identifier: "sc-wave", Title: "Wave", SourceName: "soundcloud", Length: 60 * lavalink.Second},
	} {
		if _, err := h.nodes[0].AddTrack(info); err != nil {
			t.Fatal(err)
		}
	}
	got, err := h.m.Search(h.ctx(), guildID, "wave")
	if err != nil || len(got) != 1 || got[0].Info.SourceName != "soundcloud" {
		t.Errorf("Search(wave) with prefix scsearch: = %+v, %v; want the SoundCloud track", got, err)
	}
	if _, err := h.m.Search(h.ctx(), guildID, "https://www.youtube.com/watch?v=yt-wave"); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("Search of a link outside the allowed hosts = %v, want ErrInvalidQuery", err)
	}
}

func TestSearchLifecycle(t *testing.T) {
	h := newHarness(t, harnessConfig{noStart: true})
	if _, err := h.m.Search(h.ctx(), guildID, "song"); !errors.Is(err, ErrNotStarted) {
		t.Errorf("Search before Start = %v, want ErrNotStarted", err)
	}
	h.start()
	if err := h.m.Close(h.ctx()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.m.Search(h.ctx(), guildID, "song"); !errors.Is(err, ErrManagerClosed) {
		t.Errorf("Search after Close = %v, want ErrManagerClosed", err)
	}
}

// loadRequests counts the /v4/loadtracks requests a node has answered.
func loadRequests(n *lavalinktest.Node) int {
	count := 0
	for _, r := range n.Requests() {
		if r.Path == "/v4/loadtracks" {
			count++
		}
	}
	return count
}

// loadedNodes returns a harness on two nodes, not started, that reports
// every stats op the Manager takes in.
func loadedNodes(t *testing.T) (*harness, chan *lavaNode) {
	h := newHarness(t, harnessConfig{nodes: 2, noStart: true})
	stats := make(chan *lavaNode, 64)
	h.m.observeStats = func(ln *lavaNode) {
		select {
		case stats <- ln:
		default: // the reader has wake-ups enough
		}
	}
	return h, stats
}

// setLoads makes each node report playing[i] playing players and waits
// until the Manager has taken in those reports.
func (h *harness) setLoads(stats chan *lavaNode, playing []int) {
	h.t.Helper()
	for i, n := range h.nodes {
		n.SetLoad(lavalinktest.Load{PlayingPlayers: playing[i]})
		if err := n.SendStats(); err != nil {
			h.t.Fatal(err)
		}
	}
	taken := func() bool {
		for i, ln := range h.m.nodes {
			if st, ok := ln.client.Stats(); !ok || st.PlayingPlayers != playing[i] {
				return false
			}
		}
		return true
	}
	timeout := time.After(patience)
	for !taken() {
		select {
		case <-stats:
		case <-timeout:
			h.t.Fatal("stats never arrived")
		}
	}
}

func TestSearchUsesTheLeastLoadedNode(t *testing.T) {
	h, stats := loadedNodes(t)
	h.start()
	h.addNumbered("song", 3)
	for loaded := range 2 {
		idle := 1 - loaded
		playing := []int{0, 0}
		playing[loaded] = 40
		h.setLoads(stats, playing)
		before := []int{loadRequests(h.nodes[0]), loadRequests(h.nodes[1])}
		if got, err := h.m.Search(h.ctx(), guildID, "song"); err != nil || len(got) != 3 {
			t.Fatalf("Search = %q, %v", titles(got), err)
		}
		if d := loadRequests(h.nodes[idle]) - before[idle]; d != 1 {
			t.Errorf("node-%d (idle) served %d loads, want 1", idle+1, d)
		}
		if d := loadRequests(h.nodes[loaded]) - before[loaded]; d != 0 {
			t.Errorf("node-%d (loaded) served %d loads, want 0", loaded+1, d)
		}
	}
}

func TestSearchThroughTheBreaker(t *testing.T) {
	breaker := resilience.Lavalink()
	breaker.MinimumRequests = 1
	h := newHarness(t, harnessConfig{cfg: func(c *Config) { c.Breaker = &breaker }})
	h.addNumbered("song", 1)
	h.nodes[0].FailRequests(100, 503)
	for i := 0; h.m.nodes[0].breaker.State() != resilience.StateOpen; i++ {
		if _, err := h.m.Search(h.ctx(), guildID, "song"); !errors.Is(err, ErrServiceUnavailable) || i == 100 {
			t.Fatalf("Search #%d on a failing node = %v, want ErrServiceUnavailable", i+1, err)
		}
	}
	before := loadRequests(h.nodes[0])
	if _, err := h.m.Search(h.ctx(), guildID, "song"); !errors.Is(err, ErrServiceUnavailable) {
		t.Errorf("Search with the breaker open = %v, want ErrServiceUnavailable", err)
	}
	if d := loadRequests(h.nodes[0]) - before; d != 0 {
		t.Errorf("Search with the breaker open reached the node %d times, want 0", d)
	}
}
