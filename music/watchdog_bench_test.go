package music

import (
	"context"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// BenchmarkWatchdogLook is one look of the watchdog over 1,000 playing
// players, none of them silent: what it costs every five seconds.
func BenchmarkWatchdogLook(b *testing.B) {
	const n = 1000
	h := newHarness(b, harnessConfig{eventsBuf: 1})
	tr := fromLavalink(h.addTracks("one")[0])
	m := h.m
	ln := m.nodes[0]
	now := h.clock.Now()
	players := make([]*player, 0, n)
	for i := range n {
		p := m.players.getOrCreate(m, snowflake.ID(830000000000000000+uint64(i)))
		p.mu.Lock()
		m.newSession(p, Settings{}, now)
		p.sess.Start(tr, now)
		p.setNode(ln)
		p.wd.observe(time.Second, now, true, now)
		p.wd.observe(6*time.Second, now.Add(5*time.Second), true, now)
		p.mu.Unlock()
		players = append(players, p)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range players {
			if v := m.inspect(p, now); v.step != "" || v.judged != nil {
				b.Fatalf("verdict on a healthy player: %+v", v)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/player")
}

// BenchmarkLyricsLineAt picks the line of a 120-line song, as a
// now-playing message does on each update.
func BenchmarkLyricsLineAt(b *testing.B) {
	var l Lyrics
	for i := range 120 {
		l.Lines = append(l.Lines, LyricsLine{At: time.Duration(i) * 2 * time.Second, Text: "la"})
	}
	pos := 101 * time.Second
	b.ReportAllocs()
	for b.Loop() {
		if l.LineAt(pos) != 50 {
			b.Fatal("wrong line")
		}
	}
}

// BenchmarkNowPlayingWithFilters is NowPlaying of a player with a preset
// applied: the filters are decoded from the session on each call.
func BenchmarkNowPlayingWithFilters(b *testing.B) {
	h := newHarness(b, harnessConfig{eventsBuf: 1})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	ctx := context.Background()
	if _, err := h.m.SetFilterPreset(ctx, guildID, listener, PresetTrebleBass); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		np, err := h.m.NowPlaying(ctx, guildID, listener)
		if err != nil || len(np.Filters.Equalizer) == 0 {
			b.Fatal(np, err)
		}
	}
}
