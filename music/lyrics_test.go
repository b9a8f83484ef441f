package music

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"

	"github.com/tunekit/tunekit/music/internal/node"
	"github.com/tunekit/tunekit/music/lavalinktest"
	"github.com/tunekit/tunekit/resilience"
)

func TestLyricsLineAt(t *testing.T) {
	l := Lyrics{Lines: []LyricsLine{
		{At: 0, Text: "intro"},
		{At: 2 * time.Second, Duration: time.Second, Text: "one"},
		{At: 5 * time.Second, Text: "two"},
	}}
	for _, tc := range []struct {
		pos  time.Duration
		want int
	}{
		{-time.Second, -1}, {0, 0}, {1999 * time.Millisecond, 0}, {2 * time.Second, 1},
		{4 * time.Second, 1}, // past its duration, before the next line
		{5 * time.Second, 2}, {time.Hour, 2},
	} {
		if got := l.LineAt(tc.pos); got != tc.want {
			t.Errorf("LineAt(%v) = %d, want %d", tc.pos, got, tc.want)
		}
	}
	if (Lyrics{Text: "plain"}).LineAt(time.Second) != -1 || (Lyrics{Text: "plain"}).Synced() {
		t.Error("plain lyrics have a current line, or are synced")
	}
	if !l.Synced() {
		t.Error("Synced() = false for lyrics with lines")
	}
	if allocs := testing.AllocsPerRun(100, func() { _ = l.LineAt(3 * time.Second) }); allocs != 0 {
		t.Errorf("LineAt allocates %v times", allocs)
	}
}

func TestLyricsFromNode(t *testing.T) {
	d := lavalink.Duration(1500)
	got := lyricsFromNode(Track{}, node.Lyrics{
		SourceName: "deezer", Provider: "LyricFind",
		Lines: []node.LyricsLine{
			{Timestamp: 4000, Line: "second"},
			{Timestamp: 1000, Duration: &d, Line: "first"},
			{Timestamp: -5, Line: "before"},
		},
	})
	want := []LyricsLine{{At: 0, Text: "before"}, {At: time.Second, Duration: 1500 * time.Millisecond, Text: "first"}, {At: 4 * time.Second, Text: "second"}}
	if !slices.Equal(got.Lines, want) || got.Text != "before\nfirst\nsecond" || got.Source != "deezer" || got.Provider != "LyricFind" {
		t.Errorf("lyricsFromNode = %+v", got)
	}
	text := "la la"
	if got := lyricsFromNode(Track{}, node.Lyrics{SourceName: "x", Text: &text}); got.Text != "la la" || got.Lines != nil {
		t.Errorf("plain lyrics = %+v", got)
	}
}

func FuzzLyricsFromNode(f *testing.F) {
	f.Add([]byte(`{"sourceName":"deezer","provider":"p","text":null,"lines":[{"timestamp":3000,"duration":null,"line":"b","plugin":{}},{"timestamp":1000,"duration":500,"line":"a","plugin":{}}],"plugin":{}}`))
	f.Add([]byte(`{"sourceName":"x","text":"t","lines":[]}`))
	f.Add([]byte(`{"lines":[{"timestamp":-9223372036854775808},{"timestamp":9223372036854775807}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var nl node.Lyrics
		if json.Unmarshal(data, &nl) != nil {
			return
		}
		l := lyricsFromNode(Track{}, nl)
		if len(l.Lines) != len(nl.Lines) {
			t.Fatalf("%d lines from %d", len(l.Lines), len(nl.Lines))
		}
		for i, line := range l.Lines {
			if line.At < 0 || line.Duration < 0 || i > 0 && line.At < l.Lines[i-1].At {
				t.Fatalf("line %d = %+v out of order or negative", i, line)
			}
			if got := l.LineAt(line.At); got < i || l.Lines[got].At != line.At {
				t.Fatalf("LineAt(%v) = %d for line %d", line.At, got, i)
			}
		}
	})
}

// lyricsNodes makes two fake nodes on one clock; the options of each are
// given apart.
func lyricsNodes(t *testing.T, clock *fakeClock, first, second []lavalinktest.Option) []*lavalinktest.Node {
	var out []*lavalinktest.Node
	for _, opts := range [][]lavalinktest.Option{first, second} {
		out = append(out, lavalinktest.NewNodeT(t, append([]lavalinktest.Option{lavalinktest.WithClock(clock.ll)}, opts...)...))
	}
	return out
}

// lyricsRequests counts the lyrics requests a fake node received.
func lyricsRequests(n *lavalinktest.Node) int {
	c := 0
	for _, r := range n.Requests() {
		if r.Path == "/v4/lyrics" || len(r.Path) > 13 && r.Path[len(r.Path)-13:] == "/track/lyrics" {
			c++
		}
	}
	return c
}

func TestLyrics(t *testing.T) {
	business, reg := newMetrics(t)
	h := newHarness(t, harnessConfig{nodeOpts: []lavalinktest.Option{lavalinktest.WithLyricsPlugin()},
		cfg: func(c *Config) { c.Metrics = business }})
	h.addTracks("one", "two")
	if err := h.nodes[0].AddLyrics("id-one", lavalinktest.Lyrics{
		SourceName: "youtube", Provider: "Musixmatch",
		Lines: []lavalinktest.LyricsLine{
			{Timestamp: time.Second, Duration: 2 * time.Second, Line: "never gonna"},
			{Timestamp: 3 * time.Second, Line: "give you up"},
		},
	}); err != nil {
		t.Fatal(err)
	}
	h.listen(guildID, userID, voiceID)
	ctx := h.ctx()
	if _, err := h.m.Lyrics(ctx, guildID, listener); !errors.Is(err, ErrNothingPlaying) {
		t.Errorf("Lyrics with nothing playing = %v, want ErrNothingPlaying", err)
	}
	h.play(guildID, listener, "one")
	h.play(guildID, listener, "two")

	l, err := h.m.Lyrics(ctx, guildID, Actor{UserID: otherID}) // anyone may look
	if err != nil {
		t.Fatalf("Lyrics: %v", err)
	}
	if !l.Synced() || len(l.Lines) != 2 || l.Source != "youtube" || l.Provider != "Musixmatch" ||
		l.Text != "never gonna\ngive you up" || l.Track.Info.Title != "one" {
		t.Fatalf("Lyrics = %+v", l)
	}
	h.clock.Advance(3500 * time.Millisecond)
	np, err := h.m.NowPlaying(ctx, guildID, listener)
	if err != nil {
		t.Fatal(err)
	}
	if i := l.LineAt(np.Position); i != 1 || l.Lines[i].Text != "give you up" {
		t.Errorf("line at %v = %d", np.Position, i)
	}
	// Asked again: served from the cache.
	before := lyricsRequests(h.nodes[0])
	if again, err := h.m.Lyrics(ctx, guildID, listener); err != nil || len(again.Lines) != 2 {
		t.Errorf("Lyrics again = %+v, %v", again, err)
	}
	if after := lyricsRequests(h.nodes[0]); after != before {
		t.Errorf("lyrics requests = %d after a cached answer, want %d", after, before)
	}

	// The next track has none.
	if _, err := h.m.Skip(ctx, guildID, listener, 1); err != nil {
		t.Fatal(err)
	}
	_, err = h.m.Lyrics(ctx, guildID, listener)
	if !errors.Is(err, ErrNoLyrics) || UserMessage(err) != "I couldn't find lyrics for this track." {
		t.Errorf("Lyrics without lyrics = %v (%q), want ErrNoLyrics", err, UserMessage(err))
	}
	before = lyricsRequests(h.nodes[0])
	if _, err := h.m.Lyrics(ctx, guildID, listener); !errors.Is(err, ErrNoLyrics) || lyricsRequests(h.nodes[0]) != before {
		t.Errorf("Lyrics again = %v after %d requests, want a cached ErrNoLyrics", err, lyricsRequests(h.nodes[0])-before)
	}
	if got := metricValue(t, reg, "tunekit_lavalink_request_duration_seconds", map[string]string{"operation": "lyrics"}); got != 2 {
		t.Errorf("lyrics requests measured = %v, want 2", got)
	}
	if got := metricValue(t, reg, "tunekit_errors_total", map[string]string{"component": "command", "kind": "not_found"}); got != 3 {
		t.Errorf("not_found command errors = %v, want 3", got)
	}
}

func TestLyricsUnavailable(t *testing.T) {
	breaker := resilience.Lavalink()
	breaker.MinimumRequests = 1
	h := newHarness(t, harnessConfig{nodeOpts: []lavalinktest.Option{lavalinktest.WithLyricsPlugin()},
		cfg: func(c *Config) { c.Breaker = &breaker }})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	ctx := h.ctx()
	// The plugin has no lyrics source: 500 every time, which must not
	// open the node's breaker.
	for i := range 10 {
		_, err := h.m.Lyrics(ctx, guildID, listener)
		if !errors.Is(err, ErrLyricsUnavailable) {
			t.Fatalf("Lyrics #%d with no lyrics source = %v, want ErrLyricsUnavailable", i+1, err)
		}
		if msg := UserMessage(err); msg != "Lyrics aren't available on this bot." {
			t.Fatalf("UserMessage = %q", msg)
		}
	}
	if st := h.m.byName["node-1"].breaker.State(); st != resilience.StateClosed {
		t.Errorf("breaker after lyrics failures = %v, want closed", st)
	}
	if err := h.m.Pause(ctx, guildID, listener); err != nil {
		t.Errorf("Pause after lyrics failures = %v", err)
	}
}

func TestLyricsWithoutPlugin(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	if _, err := h.m.Lyrics(h.ctx(), guildID, listener); !errors.Is(err, ErrLyricsUnavailable) {
		t.Errorf("Lyrics with no plugin anywhere = %v, want ErrLyricsUnavailable", err)
	}
	if n := lyricsRequests(h.nodes[0]); n != 0 {
		t.Errorf("lyrics requests to a node without the plugin = %d, want 0", n)
	}
}

func TestLyricsFromAnotherNode(t *testing.T) {
	clock := newFakeClock()
	// node-1 (chosen on a tie) lacks the plugin; node-2 has it.
	nodes := lyricsNodes(t, clock, nil, []lavalinktest.Option{lavalinktest.WithLyricsPlugin()})
	h := newHarness(t, harnessConfig{clock: clock, llNodes: nodes, noStart: true})
	startBalanced(h)
	h.addTracks("one")
	if err := nodes[1].AddLyrics("id-one", lavalinktest.Lyrics{SourceName: "youtube", Text: "words"}); err != nil {
		t.Fatal(err)
	}
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	if e := h.waitEvent(isStarted("one")).(TrackStarted); e.Node != "node-1" {
		t.Fatalf("played on %s, want node-1", e.Node)
	}
	l, err := h.m.Lyrics(h.ctx(), guildID, listener)
	if err != nil || l.Text != "words" || l.Synced() {
		t.Fatalf("Lyrics = %+v, %v", l, err)
	}
	var byTrack bool
	for _, r := range nodes[1].Requests() {
		byTrack = byTrack || r.Path == "/v4/lyrics"
	}
	if !byTrack || lyricsRequests(nodes[0]) != 0 {
		t.Errorf("lyrics asked by track on node-2: %v; requests to node-1: %d", byTrack, lyricsRequests(nodes[0]))
	}
}

func TestLyricsNodeFailures(t *testing.T) {
	// The info lists the plugin, but its routes are not there.
	h := newHarness(t, harnessConfig{nodeOpts: []lavalinktest.Option{lavalinktest.WithPlugin(node.LyricsPluginName, "1.0.0")}})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	ctx := h.ctx()
	if _, err := h.m.Lyrics(ctx, guildID, listener); !errors.Is(err, ErrLyricsUnavailable) {
		t.Errorf("Lyrics from a missing route = %v, want ErrLyricsUnavailable", err)
	}
	h.nodes[0].FailRequests(1, 503)
	if _, err := h.m.Lyrics(ctx, guildID, listener); !errors.Is(err, ErrServiceUnavailable) {
		t.Errorf("Lyrics from a failing node = %v, want ErrServiceUnavailable", err)
	}
}
