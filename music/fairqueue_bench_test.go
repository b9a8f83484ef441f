package music

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// fairBenchQueue is a fair session whose queue holds n tracks of users
// requesters, in turns.
func fairBenchQueue(b *testing.B, n, users int) (*Session, []Track) {
	b.Helper()
	s, _ := NewSession(1, epoch, WithFair(true), WithMaxLength(QueueLengthLimit), WithShuffleSource(rand.NewPCG(1, 2)))
	tracks := make([]Track, n)
	for i := range tracks {
		tracks[i] = Track{
			Encoded:   fmt.Sprintf("enc-%d", i),
			Info:      TrackInfo{Identifier: fmt.Sprint(i), Title: fmt.Sprint(i), Length: 3 * time.Minute, SourceName: "youtube"},
			Requester: snowflake.ID(1 + i%users),
		}
	}
	q := s.Queue()
	for i := range users { // one run per requester, as users add them
		var run []Track
		for j := i; j < n; j += users {
			run = append(run, tracks[j])
		}
		if _, err := q.AddMany(run, PlaceEnd); err != nil {
			b.Fatal(err)
		}
	}
	return s, tracks
}

// BenchmarkFairQueue measures the fair queue on 10,000 tracks of 50
// requesters.
func BenchmarkFairQueue(b *testing.B) {
	const n, users = 10_000, 50
	b.Run("Next", func(b *testing.B) { // take and start the next track
		s, tracks := fairBenchQueue(b, n, users)
		q := s.Queue()
		b.ReportAllocs()
		for b.Loop() {
			t, ok := q.Next()
			if !ok {
				b.StopTimer()
				q.tracks.reserve(len(tracks))
				for _, t := range tracks {
					q.pushBackForce(t)
				}
				b.StartTimer()
				t, _ = q.Next()
			}
			s.Start(t, epoch)
		}
	})
	b.Run("AddNext", func(b *testing.B) { // add a track in its turn, then play one
		s, tracks := fairBenchQueue(b, n, users)
		q := s.Queue()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			_ = q.Add(tracks[i%len(tracks)])
			t, _ := q.Next()
			s.Start(t, epoch)
			i++
		}
	})
	b.Run("AddPlaylist100", func(b *testing.B) { // one user's 100 tracks into the turns
		s, tracks := fairBenchQueue(b, n, users)
		q := s.Queue()
		const newcomer = snowflake.ID(users + 1)
		playlist := make([]Track, 100)
		for i := range playlist {
			playlist[i] = tracks[i]
			playlist[i].Requester = newcomer
		}
		b.ReportAllocs()
		for b.Loop() {
			_, _ = q.AddMany(playlist, PlaceEnd)
			if q.RemoveFunc(func(t Track) bool { return t.Requester == newcomer }) != len(playlist) {
				b.Fatal("playlist not removed")
			}
		}
	})
	b.Run("Shuffle", func(b *testing.B) {
		s, _ := fairBenchQueue(b, n, users)
		q := s.Queue()
		b.ReportAllocs()
		for b.Loop() {
			q.Shuffle()
		}
	})
	b.Run("Interleave", func(b *testing.B) { // turning the fair mode on
		s, _ := fairBenchQueue(b, n, users)
		q := s.Queue()
		b.ReportAllocs()
		for b.Loop() {
			q.SetFair(false)
			q.SetFair(true)
		}
	})
}
