package node

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

func TestLyricsAgainstFake(t *testing.T) {
	ctx := context.Background()
	fake, _ := fakeNode(t, lavalinktest.WithLyricsPlugin())
	h, _ := connectFake(t, fake, nil)
	n := h.n
	if !n.HasPlugin(LyricsPluginName) {
		t.Fatalf("HasPlugin(%q) = false on a node with the plugin", LyricsPluginName)
	}

	// No lyrics source yet: the plugin's 500.
	tr := play(t, h, fake, "sing", 3*time.Minute)
	if _, err := n.PlayerLyrics(ctx, testGuild, false); !errors.Is(err, ErrNoLyricsSource) {
		t.Errorf("PlayerLyrics without a source = %v, want ErrNoLyricsSource", err)
	}

	if err := fake.AddLyrics("sing", lavalinktest.Lyrics{
		SourceName: "deezer", Provider: "LyricFind",
		Lines: []lavalinktest.LyricsLine{
			{Timestamp: 0, Duration: 2 * time.Second, Line: "first"},
			{Timestamp: 2 * time.Second, Line: "second"},
		},
	}); err != nil {
		t.Fatal(err)
	}
	if err := fake.AddLyrics("plain", lavalinktest.Lyrics{SourceName: "deezer", Text: "just text"}); err != nil {
		t.Fatal(err)
	}

	got, err := n.PlayerLyrics(ctx, testGuild, false)
	if err != nil {
		t.Fatalf("PlayerLyrics: %v", err)
	}
	if got.SourceName != "deezer" || got.Provider != "LyricFind" || got.Text != nil || len(got.Lines) != 2 {
		t.Fatalf("PlayerLyrics = %+v", got)
	}
	if l := got.Lines[0]; l.Line != "first" || l.Timestamp != 0 || l.Duration == nil || *l.Duration != 2000 {
		t.Errorf("line 0 = %+v, want first at 0 for 2000 ms", l)
	}
	if l := got.Lines[1]; l.Line != "second" || l.Timestamp != 2000 || l.Duration != nil {
		t.Errorf("line 1 = %+v, want second at 2000 ms, no duration", l)
	}

	byTrack, err := n.TrackLyrics(ctx, tr.Encoded, false)
	if err != nil || len(byTrack.Lines) != 2 {
		t.Errorf("TrackLyrics = %+v, %v", byTrack, err)
	}
	plain := lavalinktest.Must(fake.AddTrack(lavalink.TrackInfo{Identifier: "plain", Title: "Plain", Author: "Band", Length: 1000}))
	if l, err := n.TrackLyrics(ctx, plain.Encoded, false); err != nil || l.Text == nil || *l.Text != "just text" || len(l.Lines) != 0 {
		t.Errorf("TrackLyrics(plain) = %+v, %v", l, err)
	}
	// The track's source (youtube) has none; deezer is skipped only for
	// deezer tracks, so skipTrackSource still finds them.
	if _, err := n.TrackLyrics(ctx, tr.Encoded, true); err != nil {
		t.Errorf("TrackLyrics(skipTrackSource) = %v", err)
	}
	silent := lavalinktest.Must(fake.AddTrack(lavalink.TrackInfo{Identifier: "instrumental", Title: "No Words", Author: "Band", Length: 1000}))
	if _, err := n.TrackLyrics(ctx, silent.Encoded, false); !errors.Is(err, ErrNoLyrics) {
		t.Errorf("TrackLyrics without lyrics = %v, want ErrNoLyrics", err)
	}

	// A player without a track.
	if _, err := n.UpdatePlayer(ctx, testGuild, PlayerUpdate{Stop: true}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := n.PlayerLyrics(ctx, testGuild, false); !errors.Is(err, ErrNoTrack) {
		t.Errorf("PlayerLyrics with no track = %v, want ErrNoTrack", err)
	}
	if _, err := n.PlayerLyrics(ctx, 0, false); !errors.Is(err, ErrInvalidGuild) {
		t.Errorf("PlayerLyrics(guild 0) = %v, want ErrInvalidGuild", err)
	}
	// The query carries skipTrackSource.
	var seen bool
	for _, r := range fake.Requests() {
		if r.Path == "/v4/lyrics" && r.Query.Get("skipTrackSource") == "true" {
			seen = true
		}
	}
	if !seen {
		t.Error("no /v4/lyrics request with skipTrackSource=true")
	}
}

func TestLyricsWithoutPlugin(t *testing.T) {
	ctx := context.Background()
	fake, _ := fakeNode(t)
	h, _ := connectFake(t, fake, nil)
	if h.n.HasPlugin(LyricsPluginName) {
		t.Error("HasPlugin on a node without plugins = true")
	}
	play(t, h, fake, "sing", time.Minute)
	_, err := h.n.PlayerLyrics(ctx, testGuild, false)
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusNotFound || errors.Is(err, ErrNoTrack) {
		t.Errorf("PlayerLyrics without the plugin = %v, want a plain 404 *Error", err)
	}
}

func TestLyricsBeforeReady(t *testing.T) {
	h := newHarness(t, "127.0.0.1:1", "pw", nil)
	if h.n.HasPlugin(LyricsPluginName) {
		t.Error("HasPlugin before any connect = true")
	}
	if _, err := h.n.PlayerLyrics(context.Background(), testGuild, false); !errors.Is(err, ErrNotReady) {
		t.Errorf("PlayerLyrics before ready = %v, want ErrNotReady", err)
	}
}

func TestLyricsInvalidBody(t *testing.T) {
	s := newScripted(t)
	s.answer("GET /v4/lyrics", http.StatusOK, `{"sourceName":1}`)
	h, _ := connectScripted(t, s, nil)
	if _, err := h.n.TrackLyrics(context.Background(), "QAAA", false); !errors.Is(err, ErrInvalidResponse) {
		t.Errorf("TrackLyrics with a bad body = %v, want ErrInvalidResponse", err)
	}
}
