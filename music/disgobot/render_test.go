package disgobot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/disgoorg/disgo/discord"

	"github.com/tunekit/tunekit/music"
)

func track(title, author, uri string, length time.Duration) music.Track {
	return music.Track{Encoded: "enc-" + title, Info: music.TrackInfo{Title: title, Author: author, URI: uri, Length: length}}
}

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{0, "0:00"}, {-time.Second, "0:00"}, {999 * time.Millisecond, "0:00"}, {59 * time.Second, "0:59"},
		{61 * time.Second, "1:01"}, {time.Hour - time.Second, "59:59"}, {time.Hour, "1:00:00"},
		{100*time.Hour + 2*time.Minute + 3*time.Second, "100:02:03"},
	} {
		if got := music.FormatDuration(tc.in); got != tc.want {
			t.Errorf("music.FormatDuration(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 5, "hello"}, {"hello", 4, "hel…"}, {"héllo wörld", 6, "héllo…"}, {"hello", 1, "…"},
		{"hello", 0, ""}, {"", 3, ""}, {"a\xffb", 3, "a\uFFFDb"}, {"日本語のタイトル", 3, "日本…"},
	} {
		if got := truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestEscapeMarkdown(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain title", "plain title"},
		{"**bold** _it_ ~x~ `c` |s|", `\*\*bold\*\* \_it\_ \~x\~ \` + "`c\\`" + ` \|s\|`},
		{"[a](https://evil)", `\[a\]\(https\://evil\)`},
		{"<@123> @everyone # - >", `\<\@123\> \@everyone \# \- \>`},
		{`back\slash`, `back\\slash`},
	} {
		if got := escapeMarkdown(tc.in); got != tc.want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSafeURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://youtu.be/x", "https://youtu.be/x"},
		{"http://example.com/a(b)", "http://example.com/a%28b%29"},
		{"https://example.com/a b", "https://example.com/a%20b"},
		{"", ""}, {"ftp://example.com/x", ""}, {"javascript:alert(1)", ""}, {"/relative", ""},
		{"https://user:pw@example.com/", ""}, {"https://", ""}, {"https://example.com/" + strings.Repeat("a", maxURL), ""},
		{"https://exa mple.com", ""},
	} {
		if got := safeURL(tc.in); got != tc.want {
			t.Errorf("safeURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTrackTitleAndLink(t *testing.T) {
	for _, tc := range []struct {
		tr        music.Track
		title     string
		link      string
		length    string
		requester string
	}{
		{track("Song", "Band", "https://x.test/s", 3*time.Minute), "Song — Band", "[Song — Band](https://x.test/s)", "3:00", labelAutoplay},
		{track("Band - Song", "Band", "", time.Minute), "Band - Song", `Band \- Song`, "1:00", labelAutoplay},
		{track("", "", "not a url", 0), "Unknown title", "Unknown title", "0:00", labelAutoplay},
		{track("Line\nbreak\t", "", "", 0), "Line break", "Line break", "0:00", labelAutoplay},
	} {
		if got := trackTitle(tc.tr); got != tc.title {
			t.Errorf("trackTitle(%q) = %q, want %q", tc.tr.Info.Title, got, tc.title)
		}
		if got := trackLink(tc.tr, 60); got != tc.link {
			t.Errorf("trackLink(%q) = %q, want %q", tc.tr.Info.Title, got, tc.link)
		}
		if got := trackLength(tc.tr); got != tc.length {
			t.Errorf("trackLength(%q) = %q, want %q", tc.tr.Info.Title, got, tc.length)
		}
	}
	stream := track("Radio", "", "", 0)
	stream.Info.IsStream = true
	if got := trackLength(stream); got != labelLive {
		t.Errorf("trackLength(stream) = %q", got)
	}
	if got := mention(42); got != "<@42>" {
		t.Errorf("mention(42) = %q", got)
	}
}

func TestProgress(t *testing.T) {
	r := renderer{theme: Theme{BarWidth: 5}.withDefaults()}
	song := track("Song", "", "", 100*time.Second)
	for _, tc := range []struct {
		pos  time.Duration
		want string
	}{
		{0, "◉▱▱▱▱ `0:00 / 1:40`"},
		{-time.Second, "◉▱▱▱▱ `0:00 / 1:40`"},
		{50 * time.Second, "▰▰◉▱▱ `0:50 / 1:40`"},
		{100 * time.Second, "▰▰▰▰◉ `1:40 / 1:40`"},
		{time.Hour, "▰▰▰▰◉ `1:40 / 1:40`"},
	} {
		if got := r.progress(tc.pos, song); got != tc.want {
			t.Errorf("progress(%v) = %q, want %q", tc.pos, got, tc.want)
		}
	}
	stream := song
	stream.Info.IsStream = true
	if got := r.progress(time.Minute, stream); got != "▰▰▰▰◉ `LIVE`" {
		t.Errorf("progress(stream) = %q", got)
	}
}

func TestThemeDefaults(t *testing.T) {
	got := Theme{Color: 0x123456, BarWidth: 1000}.withDefaults()
	want := DefaultTheme()
	want.Color = 0x123456
	if got != want {
		t.Errorf("withDefaults() = %+v, want %+v", got, want)
	}
}

// embedSize is what Discord counts toward an embed's 6000 characters.
func embedSize(e discord.Embed) int {
	n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
	if e.Author != nil {
		n += utf8.RuneCountInString(e.Author.Name)
	}
	if e.Footer != nil {
		n += utf8.RuneCountInString(e.Footer.Text)
	}
	for _, f := range e.Fields {
		n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
	}
	return n
}

// TestEmbedsWithinLimits renders the longest inputs and checks Discord's
// limits, so no answer is ever refused for its size.
func TestEmbedsWithinLimits(t *testing.T) {
	r := renderer{theme: DefaultTheme()}
	long := track(strings.Repeat("Very long title ", 40), strings.Repeat("Author ", 40),
		"https://example.com/"+strings.Repeat("p", 400), 10*time.Hour)
	long.Requester = 1<<63 - 1
	page := make([]music.Track, 10)
	for i := range page {
		page[i] = long
	}
	v := music.QueueView{Page: music.Page{Tracks: page, Number: 9999, Pages: 10000, First: 99981, Total: 100000}, Current: &long, Duration: 1000 * time.Hour}
	np := music.NowPlaying{Track: long, QueueLength: 100000, QueueDuration: 1000 * time.Hour, Volume: 200, Loop: music.LoopQueue,
		FairQueue: true, Vote: &music.VoteTally{Votes: 99, Needed: 100, Expires: time.Unix(1<<40, 0)}, Filters: music.Filters{Rotation: &music.Rotation{RotationHz: 1}}}
	for name, e := range map[string]discord.Embed{
		"track":      r.trackEmbed(headQueued, long, 100000),
		"nowPlaying": r.nowPlaying(np, false, strings.Repeat("la ", 100)),
		"ended":      r.nowPlaying(np, true, ""),
		"queue":      r.queue(v),
		"played":     r.played(music.PlayResult{Track: long, Playlist: strings.Repeat("P", 500), Added: 1000, Dropped: 99000}, music.PlaceEnd),
		"skipped":    r.skipped(headSkipped, music.SkipResult{Skipped: long, Next: long, Started: true}),
		"settings":   r.settings(music.DefaultSettings()),
		"lyrics":     r.lyrics(music.Lyrics{Track: long, Source: strings.Repeat("s", 300), Provider: strings.Repeat("p", 300), Text: strings.Repeat("la la la la\n", 2000)})[0],
		"failure":    r.failure(music.UserMessage(music.ErrServiceUnavailable)),
	} {
		if e.Title != "" && utf8.RuneCountInString(e.Title) > maxTitle {
			t.Errorf("%s: title of %d characters", name, utf8.RuneCountInString(e.Title))
		}
		if n := utf8.RuneCountInString(e.Description); n > 4096 {
			t.Errorf("%s: description of %d characters", name, n)
		}
		if e.Author != nil && utf8.RuneCountInString(e.Author.Name) > 256 {
			t.Errorf("%s: author of %d characters", name, utf8.RuneCountInString(e.Author.Name))
		}
		for _, f := range e.Fields {
			if f.Name == "" || f.Value == "" || utf8.RuneCountInString(f.Value) > maxFieldValue {
				t.Errorf("%s: field %q = %q", name, f.Name, f.Value)
			}
		}
		if n := embedSize(e); n > 6000 {
			t.Errorf("%s: %d characters in all, over 6000", name, n)
		}
	}
	for _, comps := range [][]discord.LayoutComponent{r.nowPlayingButtons(np), r.queueButtons(v)} {
		b, _ := json.Marshal(comps)
		if !strings.Contains(string(b), "custom_id") {
			t.Errorf("buttons %s have no custom IDs", b)
		}
	}
	if got := r.queueButtons(music.QueueView{Page: music.Page{Pages: 1}}); got != nil {
		t.Errorf("one page has buttons: %v", got)
	}
}

func TestPlayedAndSkipped(t *testing.T) {
	r := renderer{theme: DefaultTheme()}
	song := track("Song", "", "", time.Minute)
	for _, tc := range []struct {
		res  music.PlayResult
		at   music.Placement
		head string
		pos  string
	}{
		{music.PlayResult{Track: song, Started: true, Added: 1}, music.PlaceEnd, headPlaying, ""},
		{music.PlayResult{Track: song, Position: 3, Added: 1}, music.PlaceEnd, headQueued, "3"},
		{music.PlayResult{Track: song, Position: 1, Added: 1}, music.PlaceNext, headQueuedNext, "1"},
	} {
		e := r.played(tc.res, tc.at)
		var pos string
		for _, f := range e.Fields {
			if f.Name == labelPosition {
				pos = f.Value
			}
		}
		if e.Author.Name != tc.head || pos != tc.pos {
			t.Errorf("played(%+v) = %q at %q, want %q at %q", tc.res, e.Author.Name, pos, tc.head, tc.pos)
		}
	}
	e := r.played(music.PlayResult{Track: song, Playlist: "Mix", Added: 3, Dropped: 2}, music.PlaceEnd)
	if e.Author.Name != headPlaylist+": Mix" || e.Description != "3 tracks added. 2 tracks did not fit in the queue." {
		t.Errorf("played(playlist) = %q / %q", e.Author.Name, e.Description)
	}
	e = r.skipped(headSkipped, music.SkipResult{Skipped: song})
	if v := e.Fields[len(e.Fields)-1].Value; v != msgQueueEmptySkip {
		t.Errorf("skipped(empty) = %q", v)
	}
	e = r.played(music.PlayResult{Track: song, Playlist: "Mix", Added: 3, TooLong: 1, OverShare: 2}, music.PlaceEnd)
	if want := "3 tracks added. 1 track was left out as too long for this server. 2 tracks were left out: you reached your share of the queue."; e.Description != want {
		t.Errorf("played(left out) = %q, want %q", e.Description, want)
	}
}

func TestRequester(t *testing.T) {
	user := track("Song", "", "", time.Minute)
	user.Requester = 42
	auto := user
	auto.Autoplay, auto.Requester = true, 0
	unknown := user
	unknown.Requester = 0
	for _, tc := range []struct {
		t    music.Track
		want string
	}{{user, "<@42>"}, {auto, "autoplay"}, {unknown, "autoplay"}} {
		if got := requester(tc.t); got != tc.want {
			t.Errorf("requester(%+v) = %q, want %q", tc.t.Requester, got, tc.want)
		}
	}
}

func TestNowPlayingFooter(t *testing.T) {
	nightcore, _ := music.LookupFilterPreset(music.PresetNightcore)
	custom := music.Filters{Rotation: &music.Rotation{RotationHz: 0.3}}
	for _, tc := range []struct {
		np   music.NowPlaying
		want string
	}{
		{music.NowPlaying{Volume: 50}, "Loop: off · Autoplay: off · Volume: 50%"},
		{music.NowPlaying{Volume: 80, FairQueue: true, Filters: nightcore.Filters}, "Loop: off · Autoplay: off · Volume: 80% · Fair queue · Filter: nightcore"},
		{music.NowPlaying{Loop: music.LoopTrack, Filters: custom}, "Loop: track · Autoplay: off · Volume: 0% · Filter: custom"},
	} {
		if got := npFooter(tc.np); got != tc.want {
			t.Errorf("npFooter = %q, want %q", got, tc.want)
		}
	}
	r := renderer{theme: DefaultTheme()}
	v := music.QueueView{FairQueue: true}
	if f := r.queue(v).Footer.Text; !strings.HasSuffix(f, "· Fair queue") {
		t.Errorf("queue footer = %q, want the fair queue", f)
	}
}

func TestPresetChoices(t *testing.T) {
	presets := music.AllFilterPresets()
	if got := presetChoices(presets, ""); len(got) != len(presets) {
		t.Errorf("presetChoices(all, \"\") = %d choices, want %d", len(got), len(presets))
	}
	got := presetChoices(presets, "  Vapor ")
	if len(got) != 1 || got[0].(discord.AutocompleteChoiceString).Value != music.PresetVaporwave {
		t.Errorf("presetChoices(vapor) = %+v", got)
	}
	many := make([]music.FilterPreset, 40)
	for i := range many {
		many[i] = music.FilterPreset{Name: "p" + strings.Repeat("x", 200)}
	}
	got = presetChoices(many, "")
	if len(got) != maxChoices || utf8.RuneCountInString(got[0].(discord.AutocompleteChoiceString).Name) > maxChoiceName {
		t.Errorf("presetChoices(40 long) = %d choices, first %q", len(got), got[0].(discord.AutocompleteChoiceString).Name)
	}
	if got := presetChoices(nil, "x"); got == nil || len(got) != 0 {
		t.Errorf("presetChoices(nil) = %#v, want an empty list", got)
	}
}

func TestParseLimit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  bool
	}{{"off", 0, false}, {" None ", 0, false}, {"0", 0, false}, {"10:00", 10 * time.Minute, false}, {"1h", time.Hour, false}, {"soon", 0, true}} {
		got, err := parseLimit(tc.in)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("parseLimit(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// FuzzTrackLink: any title and link give valid UTF-8 of bounded length
// in which the title cannot open or close a markdown link.
func FuzzTrackLink(f *testing.F) {
	f.Add("Song", "https://youtu.be/x")
	f.Add("[evil](https://x)", "https://a.test/(b)")
	f.Add("\xff\xfe", "javascript:alert(1)")
	f.Add(strings.Repeat("é", 100), "")
	f.Fuzz(func(t *testing.T, title, uri string) {
		link := trackLink(music.Track{Info: music.TrackInfo{Title: title, URI: uri}}, maxLineTitle)
		if !utf8.ValidString(link) {
			t.Fatalf("trackLink(%q, %q) = %q, not UTF-8", title, uri, link)
		}
		text, rest := link, ""
		if u := safeURL(uri); u != "" {
			if !strings.HasPrefix(link, "[") || !strings.HasSuffix(link, "("+u+")") {
				t.Fatalf("trackLink(%q, %q) = %q, not a link to %q", title, uri, link, u)
			}
			text, rest = link[1:len(link)-len(u)-3], link[len(link)-len(u)-3:]
			if rest[0] != ']' || strings.ContainsAny(u, "() ") {
				t.Fatalf("trackLink(%q, %q) = %q", title, uri, link)
			}
		}
		// Every markdown character of the title is escaped.
		for i := 0; i < len(text); i++ {
			if strings.IndexByte("[]()*_~`|<>@", text[i]) >= 0 && (i == 0 || text[i-1] != '\\') {
				t.Fatalf("trackLink(%q, %q): unescaped %q in %q", title, uri, text[i], text)
			}
			if text[i] == '\\' {
				i++ // skip the escaped character
			}
		}
		if n := utf8.RuneCountInString(text); n > 2*maxLineTitle+1 {
			t.Fatalf("trackLink(%q, %q): title of %d characters", title, uri, n)
		}
	})
}

func TestRenderVote(t *testing.T) {
	b := &Bot{render: renderer{theme: DefaultTheme()}}
	expires := time.Date(2025, 6, 1, 12, 0, 30, 0, time.UTC)
	vm := &voteMessage{n: 7, track: track("Song", "Band", "https://x.test/s", time.Minute), tally: music.VoteTally{Votes: 1, Needed: 3, Expires: expires}}
	for _, tc := range []struct {
		ended   music.VoteEndReason
		votes   int
		want    string
		buttons bool
	}{
		{"", 1, "🗳️ 1 of 3 votes · closes <t:1748779230:R>", true},
		{music.VotePassed, 3, "✅ Skipped by vote (3 of 3).", false},
		{music.VoteExpired, 2, "⌛ The vote closed with 2 of 3 votes.", false},
		{music.VoteTrackChanged, 2, "This vote is over.", false},
	} {
		vm.tally.Votes, vm.ended = tc.votes, tc.ended
		update, body := b.renderVote(vm)
		e := (*update.Embeds)[0]
		if e.Description != tc.want || e.Author.Name != headVote || e.Title != "Song — Band" {
			t.Errorf("renderVote(%q) = %q / %q", tc.ended, e.Author.Name, e.Description)
		}
		if has := len(*update.Components) > 0; has != tc.buttons || (has && !strings.Contains(string(body), `"custom_id":"/tk1/vote/7"`)) {
			t.Errorf("renderVote(%q) buttons = %s, want buttons %v", tc.ended, body, tc.buttons)
		}
	}
	if vm.set(music.VoteTally{Votes: 9}, "") {
		t.Error("set changed a vote that ended")
	}
}
