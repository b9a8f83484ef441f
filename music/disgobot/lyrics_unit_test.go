package disgobot

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tunekit/tunekit/music"
)

func TestSplitLyrics(t *testing.T) {
	for _, tc := range []struct {
		name        string
		text        string
		size, pages int
		want        []string
	}{
		{"empty", "", 10, 3, nil},
		{"blank", " \n\n\t\n", 10, 3, nil},
		{"one chunk", "a b\nc d", 10, 3, []string{"a b\nc d"}},
		{"blank runs collapse", "a\n\n\n\nb\n\n", 10, 3, []string{"a\n\nb"}},
		{"between lines", "aaaa\nbbbb\ncccc", 9, 3, []string{"aaaa\nbbbb", "cccc"}},
		{"long line cut", "abcdefghij", 4, 5, []string{"abcd", "efgh", "ij"}},
		{"escaped", "*hi*", 10, 3, []string{`\*hi\*`}},
		{"escape kept whole", "ab*", 3, 5, []string{"ab", `\*`}},
		{"pages bound", "aaa\nbbb\nccc\nddd", 3, 2, []string{"aaa", "bb…"}},
		{"controls", "a\x00b\r", 10, 1, []string{"a b"}},
		{"invalid UTF-8", "a\xffb", 10, 1, []string{"a\uFFFDb"}},
	} {
		got := splitLyrics(tc.text, tc.size, tc.pages)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("%s: splitLyrics(%q, %d, %d) = %q, want %q", tc.name, tc.text, tc.size, tc.pages, got, tc.want)
		}
	}
}

// FuzzSplitLyrics: any text splits into at most pages chunks of valid
// UTF-8, each non-empty and within size characters.
func FuzzSplitLyrics(f *testing.F) {
	f.Add("First line\nSecond line", 10, 2)
	f.Add("**bold**\n\n\n_it_", 3, 5)
	f.Add(strings.Repeat(`\`, 50), 1, 3)
	f.Add("\xff\xfe\n\x00", 2, 1)
	f.Fuzz(func(t *testing.T, text string, size, pages int) {
		if size < 2 || size > 5000 || pages < 1 || pages > 10 {
			return
		}
		chunks := splitLyrics(text, size, pages)
		if len(chunks) > pages {
			t.Fatalf("%d chunks, want at most %d", len(chunks), pages)
		}
		for i, c := range chunks {
			if c == "" || !utf8.ValidString(c) || utf8.RuneCountInString(c) > size {
				t.Fatalf("chunk %d = %q: empty, invalid or over %d characters", i, c, size)
			}
		}
	})
}

func TestLyricsCredit(t *testing.T) {
	for _, tc := range []struct {
		source, provider, want string
	}{
		{"", "", "Lyrics"},
		{"spotify", "", "Lyrics from spotify"},
		{"", "Musixmatch", "Lyrics provided by Musixmatch"},
		{"deezer", "LRCLib\n", "Lyrics from deezer, provided by LRCLib"},
	} {
		if got := lyricsCredit(music.Lyrics{Source: tc.source, Provider: tc.provider}); got != tc.want {
			t.Errorf("lyricsCredit(%q, %q) = %q, want %q", tc.source, tc.provider, got, tc.want)
		}
	}
}

func TestRenderLyrics(t *testing.T) {
	r := renderer{theme: DefaultTheme()}
	if got := r.lyrics(music.Lyrics{}); len(got) != 0 {
		t.Errorf("lyrics without text = %d embeds, want none", len(got))
	}
	// Synced lyrics without text show their lines.
	l := music.Lyrics{Track: track("Song", "Band", "https://x.test/s", time.Minute), Source: "youtube",
		Lines: []music.LyricsLine{{Text: "one"}, {At: time.Second, Text: "two"}}}
	got := r.lyrics(l)
	if len(got) != 1 || got[0].Description != "one\ntwo" || got[0].Title != "Song — Band" || got[0].Footer.Text != "Lyrics from youtube" {
		t.Errorf("lyrics(synced) = %+v", got)
	}
	var line liveMessage
	if s := line.line(0); s != "" {
		t.Errorf("line without lyrics = %q", s)
	}
	line.setLyrics(l)
	for pos, want := range map[time.Duration]string{-time.Second: "", 0: "one", 5 * time.Second: "two"} {
		if s := line.line(pos); s != want {
			t.Errorf("line(%v) = %q, want %q", pos, s, want)
		}
	}
}
