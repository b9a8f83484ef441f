package disgobot

import (
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
		_, body := bot.liveUpdate(np)
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
