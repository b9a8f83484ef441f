package disgobot

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tunekit/tunekit/music"
)

// BenchmarkParseCustomID is the cost of validating a button click.
func BenchmarkParseCustomID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseCustomID("/tk1/queue/next/42"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLiveUpdate is the cost of one progress update before the
// REST call: rendering the message and encoding it to compare with the
// last one.
func BenchmarkLiveUpdate(b *testing.B) {
	bot := &Bot{render: renderer{theme: DefaultTheme()}}
	tr := track("Never Gonna Give You Up", "Rick Astley", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", 212*time.Second)
	tr.Info.ArtworkURL = "https://i.ytimg.com/vi/dQw4w9WgXcQ/hq.jpg"
	tr.Requester = 123456789012345678
	np := music.NowPlaying{Track: tr, Position: 83 * time.Second, Volume: 50, QueueLength: 12, QueueDuration: 40 * time.Minute}
	b.ReportAllocs()
	for b.Loop() {
		_, body := bot.liveUpdate(np, "")
		if len(body) == 0 {
			b.Fatal("empty")
		}
	}
}

// BenchmarkQueuePage renders a full page of /queue.
func BenchmarkQueuePage(b *testing.B) {
	r := renderer{theme: DefaultTheme()}
	page := make([]music.Track, music.DefaultPageSize)
	for i := range page {
		page[i] = track(fmt.Sprintf("Song number %d", i), "Some Band", fmt.Sprintf("https://www.youtube.com/watch?v=%011d", i), 200*time.Second)
		page[i].Requester = 123456789012345678
	}
	v := music.QueueView{Page: music.Page{Tracks: page, Number: 2, Pages: 5, First: 11, Total: 48}, Current: &page[0], Duration: 3 * time.Hour}
	b.ReportAllocs()
	for b.Loop() {
		_ = r.queue(v)
		_ = r.queueButtons(v)
	}
}

// BenchmarkSuggestionKey normalises an autocomplete keystroke.
func BenchmarkSuggestionKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if suggestionKey("  Never Gonna  Give You Up ") == "" {
			b.Fatal("empty")
		}
	}
}

// BenchmarkSplitLyrics splits typical lyrics (60 lines, about 2,500
// characters) for /lyrics.
func BenchmarkSplitLyrics(b *testing.B) {
	var text string
	for i := range 60 {
		text += fmt.Sprintf("This is line %d of the song, with some words (and a *star*)\n", i)
	}
	b.ReportAllocs()
	for b.Loop() {
		if len(splitLyrics(text, maxDescription, maxLyricsPages)) != 1 {
			b.Fatal("want one chunk")
		}
	}
}

// BenchmarkPacerCoalesce is an edit asked for while the channel's budget
// is spent: it replaces the message's pending edit.
func BenchmarkPacerCoalesce(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := NewFakeClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	work := newSerializer(ctx, 8)
	defer work.wait()
	defer work.close()
	p := newPacer(clock, 1, time.Second, work)
	defer p.close()
	do := func(context.Context) bool { return true }
	p.submit(1, 10, editRef{message: 1}, do)
	if err := work.waitIdle(ctx); err != nil {
		b.Fatal(err)
	}
	p.submit(1, 10, editRef{message: 1}, do) // pending: no token
	b.ReportAllocs()
	for b.Loop() {
		p.submit(1, 10, editRef{message: 1}, do)
	}
}
