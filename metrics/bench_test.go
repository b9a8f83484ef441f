package metrics_test

import (
	"context"
	"testing"
	"time"

	"github.com/tunekit/tunekit/metrics"
)

func BenchmarkObserveCommand(b *testing.B) {
	ctx := context.Background()
	sampled, _ := sampledContext(b, true)
	cases := []struct {
		name   string
		ctx    context.Context
		cmd    string
		native bool
	}{
		{"known", ctx, "play", false},
		{"unknown", ctx, "guild-817327181659111454", false},
		{"native", ctx, "play", true},
		{"sampled span", sampled, "play", false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			bus, _ := newBusiness(b, metrics.WithNativeHistograms(c.native))
			b.ReportAllocs()
			for b.Loop() {
				bus.ObserveCommand(c.ctx, c.cmd, metrics.StatusOK, 42*time.Millisecond)
			}
		})
	}
}

func BenchmarkObserveCommandParallel(b *testing.B) {
	bus, _ := newBusiness(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			bus.ObserveCommand(ctx, "play", metrics.StatusOK, 42*time.Millisecond)
		}
	})
}

func BenchmarkTrackSongPlayed(b *testing.B) {
	bus, _ := newBusiness(b)
	b.ReportAllocs()
	for b.Loop() {
		bus.TrackSongPlayed(metrics.SourceYouTube)
	}
}

func BenchmarkTrackRateLimited(b *testing.B) {
	bus, _ := newBusiness(b)
	b.ReportAllocs()
	for b.Loop() {
		bus.TrackRateLimited("play", metrics.BackendRedis)
	}
}

func TestObserveCommandDoesNotAllocate(t *testing.T) {
	bus, _ := newBusiness(t, metrics.WithNativeHistograms(true))
	ctx := context.Background()
	unsampled, _ := sampledContext(t, false)
	bus.ObserveCommand(ctx, "play", metrics.StatusOK, 42*time.Millisecond) // create the native bucket
	for _, c := range []context.Context{ctx, unsampled} {
		allocs := testing.AllocsPerRun(1000, func() {
			bus.ObserveCommand(c, "play", metrics.StatusOK, 42*time.Millisecond)
			bus.ObserveCommand(c, "/unknown", "weird", 42*time.Millisecond)
		})
		if allocs != 0 {
			t.Errorf("ObserveCommand allocates %v times per call without a sampled span, want 0", allocs)
		}
	}
}

// TestRecordingDoesNotAllocate pins the fixed-label methods, known
// values or not, at zero allocations: a label set lookup and an atomic
// add.
func TestRecordingDoesNotAllocate(t *testing.T) {
	bus, _ := newBusiness(t)
	allocs := testing.AllocsPerRun(1000, func() {
		bus.TrackAutoplayProvider("youtube-mix", metrics.ProviderOK)
		bus.TrackAutoplayProvider("a bot's provider", "odd")
		bus.TrackSkipVote(metrics.VoteStarted)
		bus.TrackSkipVote("trackChanged")
		bus.TrackTracksRemoved(metrics.RemovedLeft, 3)
		bus.TrackPlayRejected(metrics.RejectedOverShare)
		bus.TrackHeal(metrics.HealStepMove, metrics.HealError)
	})
	if allocs != 0 {
		t.Errorf("recording allocates %v times per round, want 0", allocs)
	}
}

func BenchmarkTrackAutoplayProvider(b *testing.B) {
	bus, _ := newBusiness(b)
	b.ReportAllocs()
	for b.Loop() {
		bus.TrackAutoplayProvider("youtube-mix", metrics.ProviderOK)
	}
}
