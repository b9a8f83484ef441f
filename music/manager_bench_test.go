package music

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// BenchmarkPlay is Play end to end in a new guild each time, against an
// in-process fake node: parse, load (REST), join (the fake gateway
// answers at once), start (REST) and the events.
func BenchmarkPlay(b *testing.B) {
	h := newHarness(b, harnessConfig{eventsBuf: 1})
	h.addTracks("one")
	ctx := context.Background()
	var g uint64
	b.ReportAllocs()
	for b.Loop() {
		g++
		guild := snowflake.ID(820000000000000000 + g)
		if _, err := h.m.Play(ctx, guild, listener, "one", PlaceEnd); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSkip skips in a guild whose queue loops, so every skip starts
// a track on the node (one REST call).
func BenchmarkSkip(b *testing.B) {
	h := newHarness(b, harnessConfig{eventsBuf: 1})
	h.addTracks("one", "two", "three")
	ctx := context.Background()
	if err := h.m.SetLoop(ctx, guildID, listener, LoopQueue); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{"one", "two", "three"} {
		h.play(guildID, listener, q)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.m.Skip(ctx, guildID, listener, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIdleSessionMemory reports the heap the Manager holds for
// 10,000 idle sessions, per session and in all: players whose track was
// stopped (one track in the history, an empty queue), their voice state
// with one listener, and their pending saves. Lavalink's side of a
// player lives on the node and is not counted.
func BenchmarkIdleSessionMemory(b *testing.B) {
	const n = 10_000
	h := newHarness(b, harnessConfig{eventsBuf: 1})
	tr := fromLavalink(h.addTracks("one")[0])
	m := h.m
	var per float64
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		players := make([]*player, n)
		for i := range n {
			guild := snowflake.ID(830000000000000000 + uint64(i))
			now := m.clock.Now()
			p := m.players.getOrCreate(m, guild)
			p.mu.Lock()
			m.newSession(p, DefaultSettings(), now)
			p.sess.SetVoiceChannel(voiceID)
			p.sess.SetTextChannel(textID)
			t := tr
			t.Requester, t.AddedAt = userID, now
			p.sess.Start(t, now)
			_ = p.sess.Stop(now)
			p.mu.Unlock()
			m.voice.with(guild, func(g *guildVoice) {
				g.bot = botVoice{channel: voiceID, sessionID: "voice-session-id", token: "fake-voice-token-0123456789", endpoint: "voice.example.test:443"}
				g.users = map[snowflake.ID]snowflake.ID{userID: voiceID}
			})
			m.saver.dirty(guild, false)
			players[i] = p
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		per = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
		for _, p := range players { // leave the Manager as it was for the next round
			p.mu.Lock()
			m.endSessionLocked(p)
			p.mu.Unlock()
		}
		b.StartTimer()
	}
	b.ReportMetric(per, "B/session")
	b.ReportMetric(per*n/(1<<20), "MiB/10k-sessions")
}

// BenchmarkCommandsParallel runs commands across 1,000 guilds from
// GOMAXPROCS goroutines: views (NowPlaying, which never waits for the
// network) and controls (SetVolume, one REST call to the node).
func BenchmarkCommandsParallel(b *testing.B) {
	const guilds = 1000
	h := newHarness(b, harnessConfig{eventsBuf: 1})
	h.addTracks("one")
	ctx := context.Background()
	actors := make([]Actor, guilds)
	ids := make([]snowflake.ID, guilds)
	for i := range guilds {
		ids[i] = snowflake.ID(840000000000000000 + uint64(i))
		actors[i] = Actor{UserID: snowflake.ID(940000000000000000 + uint64(i)), VoiceChannelID: voiceID}
		h.listen(ids[i], actors[i].UserID, voiceID)
		if _, err := h.m.Play(ctx, ids[i], actors[i], "one", PlaceEnd); err != nil {
			b.Fatal(err)
		}
	}
	for _, kind := range []string{"view", "control"} {
		b.Run(kind, func(b *testing.B) {
			var next atomic.Uint64
			b.ReportAllocs()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1) % guilds
					var err error
					if kind == "view" {
						_, err = h.m.NowPlaying(ctx, ids[i], actors[i])
					} else {
						err = h.m.SetVolume(ctx, ids[i], actors[i], 50+int(i%50))
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "commands/s")
		})
	}
}
