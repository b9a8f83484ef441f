package music_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/storetest"
)

const benchQueue = 10_000

func fullQueue(b *testing.B) *music.Queue {
	b.Helper()
	q := music.NewQueue(music.WithMaxLength(music.QueueLengthLimit), music.WithShuffleSource(rand.NewPCG(1, 2)))
	if _, err := q.AddMany(storetest.Tracks(0, benchQueue), music.PlaceEnd); err != nil {
		b.Fatal(err)
	}
	return q
}

// BenchmarkQueue measures the queue operations on a 10,000-track queue,
// each leaving the queue as long as it found it.
func BenchmarkQueue(b *testing.B) {
	tr := storetest.Track(benchQueue)
	b.Run("AddNext", func(b *testing.B) { // append + take the next: the playback path
		q := fullQueue(b)
		b.ReportAllocs()
		for b.Loop() {
			_ = q.Add(tr)
			q.Next()
		}
	})
	b.Run("AddFront", func(b *testing.B) {
		q := fullQueue(b)
		b.ReportAllocs()
		for b.Loop() {
			_ = q.AddNext(tr)
			_, _ = q.Remove(q.Len())
		}
	})
	b.Run("RemoveMiddle", func(b *testing.B) {
		q := fullQueue(b)
		b.ReportAllocs()
		for b.Loop() {
			t, _ := q.Remove(benchQueue / 2)
			_ = q.Add(t)
		}
	})
	b.Run("MoveEnds", func(b *testing.B) { // the worst case: every track shifts
		q := fullQueue(b)
		b.ReportAllocs()
		for b.Loop() {
			_ = q.Move(1, benchQueue)
		}
	})
	b.Run("Shuffle", func(b *testing.B) {
		q := fullQueue(b)
		b.ReportAllocs()
		for b.Loop() {
			q.Shuffle()
		}
	})
	b.Run("Page", func(b *testing.B) { // a page of 10 from the middle
		q := fullQueue(b)
		b.ReportAllocs()
		for b.Loop() {
			if p := q.Page(500, 10); len(p.Tracks) != 10 {
				b.Fatal(len(p.Tracks))
			}
		}
	})
	b.Run("At", func(b *testing.B) {
		q := fullQueue(b)
		b.ReportAllocs()
		for b.Loop() {
			_, _ = q.At(7_777)
		}
	})
	b.Run("Dedupe", func(b *testing.B) { // scans all, removes none
		q := fullQueue(b)
		b.ReportAllocs()
		for b.Loop() {
			q.Dedupe()
		}
	})
	b.Run("AddMany1000", func(b *testing.B) { // a playlist into an empty queue
		q := music.NewQueue()
		playlist := storetest.Tracks(0, 1000)
		b.ReportAllocs()
		for b.Loop() {
			_, _ = q.AddMany(playlist, music.PlaceEnd)
			q.Clear()
		}
	})
	b.Run("Tracks", func(b *testing.B) { // the copy a snapshot takes
		q := fullQueue(b)
		b.ReportAllocs()
		for b.Loop() {
			_ = q.Tracks()
		}
	})
}

func BenchmarkSnapshotJSON(b *testing.B) {
	snap := storetest.Snapshot(1, 1, 1000, 50)
	data, err := snap.MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Marshal/1000", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := snap.MarshalJSON(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Unmarshal/1000", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var s music.Snapshot
			if err := s.UnmarshalJSON(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkAuthorize(b *testing.B) {
	actor := music.Actor{UserID: 1, VoiceChannelID: 2, RoleIDs: []snowflake.ID{3, 4, 5}}
	facts := music.Facts{BotVoiceChannelID: 2, Listeners: 4, DJRoleID: 5}
	b.ReportAllocs()
	for b.Loop() {
		if err := music.Authorize(actor, music.ActionSkip, facts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBusPublish(b *testing.B) {
	bus := music.NewBus(music.WithBusBuffer(1 << 16))
	for range 4 {
		bus.Subscribe(func(music.Event) {})
	}
	ctx := context.Background()
	e := music.QueueEnded{GuildID: 1}
	b.ReportAllocs()
	for b.Loop() {
		_ = bus.Publish(ctx, e)
	}
	b.StopTimer()
	_ = bus.Close(ctx)
}
