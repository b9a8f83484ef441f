package disgobot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tunekit/tunekit/music/discordtest"
	"github.com/tunekit/tunekit/music/disgobot"
	"github.com/tunekit/tunekit/music/lavalinktest"
)

// TestLyrics: /lyrics shows the lyrics, split to Discord's limits over
// follow-ups and credited to their source and provider; the now-playing
// message shows the synced line being sung; a track without lyrics is
// a short private answer.
func TestLyrics(t *testing.T) {
	w := newWorld(t, worldConfig{nodeOpts: []lavalinktest.Option{lavalinktest.WithLyricsPlugin()}})
	must(t, w.node.AddLyrics("song01", lavalinktest.Lyrics{SourceName: "youtube", Provider: "LRCLib", Lines: []lavalinktest.LyricsLine{
		{Timestamp: 0, Line: "First line"},
		{Timestamp: 5 * time.Second, Line: "Second line"},
		{Timestamp: 10 * time.Second, Line: "Third *line*"},
		{Timestamp: 15 * time.Second, Line: ""},
	}}))
	var long strings.Builder
	for i := range 300 {
		fmt.Fprintf(&long, "Line %d of a long song, la la la\n", i+1)
	}
	must(t, w.node.AddLyrics("song02", lavalinktest.Lyrics{SourceName: "deezer", Text: long.String()}))

	w.play(w.alice, "Song 1")
	w.play(w.alice, "Song 2")
	w.play(w.alice, "Song 3")
	np := w.nowPlaying("Song 1")
	w.settle() // the lyrics are fetched and the first line shown
	line := func() string {
		m, _ := w.srv.Message(np.ID)
		_, l, _ := strings.Cut(m.EmbedText(), "\n")
		return l
	}
	if got := line(); got != "🎤 First line" {
		t.Errorf("line at 0:00 = %q, want the first", got)
	}
	w.clock.Advance(10 * time.Second)
	w.settle()
	if got := line(); got != `🎤 Third \*line\*` {
		t.Errorf("line at 0:10 = %q, want the third, escaped", got)
	}
	w.clock.Advance(disgobot.DefaultProgressInterval)
	w.settle()
	if got := line(); got != "🎤 ♪" {
		t.Errorf("line at 0:20 = %q, want a note for the empty line", got)
	}
	if got := w.original(w.command(w.bob, "nowplaying")); !strings.HasSuffix(got.EmbedText(), "🎤 ♪") {
		t.Errorf("/nowplaying = %q, want the line too", got.EmbedText())
	}

	got := w.original(w.command(w.bob, "lyrics"))
	if got.Ephemeral() || got.EmbedAuthor() != "Lyrics" || !strings.HasPrefix(got.EmbedTitle(), "Song 1") ||
		got.EmbedText() != "First line\nSecond line\nThird \\*line\\*" || footer(got) != "Lyrics from youtube, provided by LRCLib" {
		t.Errorf("/lyrics = %s / %q", discordtest.Describe([]discordtest.Message{got}), footer(got))
	}

	// Long lyrics come in several messages, each within the limit.
	w.original(w.command(w.alice, "skip"))
	w.nowPlaying("Song 2")
	ix := w.command(w.bob, "lyrics")
	first := w.original(ix)
	pages := []discordtest.Message{first, w.followup(ix, 0), w.followup(ix, 1)}
	var text []string
	for i, p := range pages {
		if n := utf8.RuneCountInString(p.EmbedText()); n > 4096 || n == 0 {
			t.Errorf("page %d has %d characters", i+1, n)
		}
		if want := fmt.Sprintf("%d/3 · Lyrics from deezer", i+1); footer(p) != want {
			t.Errorf("page %d footer = %q, want %q", i+1, footer(p), want)
		}
		text = append(text, p.EmbedText())
	}
	if got := strings.Join(text, "\n"); got != strings.TrimSuffix(long.String(), "\n") {
		t.Errorf("the pages do not add up to the lyrics: %d characters, want %d", len(got), long.Len()-1)
	}
	if len(ix.Followups()) != 2 {
		t.Errorf("%d follow-ups, want 2", len(ix.Followups()))
	}

	w.original(w.command(w.alice, "skip"))
	w.nowPlaying("Song 3")
	if got := w.original(w.command(w.bob, "lyrics")); !got.Ephemeral() || got.EmbedText() != "I couldn't find lyrics for this track." {
		t.Errorf("/lyrics without lyrics = %s", discordtest.Describe([]discordtest.Message{got}))
	}
}

// TestLyricsUnavailable: without the lyrics plugin /lyrics says so and
// the now-playing message has no line.
func TestLyricsUnavailable(t *testing.T) {
	w := newWorld(t, worldConfig{})
	w.play(w.alice, "Song 1")
	np := w.nowPlaying("Song 1")
	if got := w.original(w.command(w.bob, "lyrics")); !got.Ephemeral() || got.EmbedText() != "Lyrics aren't available on this bot." {
		t.Errorf("/lyrics = %s", discordtest.Describe([]discordtest.Message{got}))
	}
	w.settle()
	if m, _ := w.srv.Message(np.ID); strings.Contains(m.EmbedText(), "🎤") || m.Edits != 0 {
		t.Errorf("now-playing message = %q after %d edits, want no lyrics line", m.EmbedText(), m.Edits)
	}
}

// TestSyncedLyricsOff: WithSyncedLyrics(false) asks for no lyrics.
func TestSyncedLyricsOff(t *testing.T) {
	w := newWorld(t, worldConfig{
		nodeOpts: []lavalinktest.Option{lavalinktest.WithLyricsPlugin()},
		botOpts:  []disgobot.Option{disgobot.WithSyncedLyrics(false)},
	})
	must(t, w.node.AddLyrics("song01", lavalinktest.Lyrics{SourceName: "youtube", Lines: []lavalinktest.LyricsLine{{Line: "First line"}}}))
	w.play(w.alice, "Song 1")
	np := w.nowPlaying("Song 1")
	w.settle()
	for _, r := range w.node.Requests() {
		if strings.Contains(r.Path, "lyrics") {
			t.Errorf("lyrics requested: %s", r.Path)
		}
	}
	if m, _ := w.srv.Message(np.ID); strings.Contains(m.EmbedText(), "🎤") {
		t.Errorf("now-playing message = %q, want no line", m.EmbedText())
	}
}
