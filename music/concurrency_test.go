package music

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/disgoorg/snowflake/v2"
)

// TestThousandGuildsConcurrent runs 1,000 guilds, each with ten commands
// at once after its first track started, and checks every result.
func TestThousandGuildsConcurrent(t *testing.T) {
	const guilds, adds = 1000, 7
	if testing.Short() {
		t.Skip("1,000 guilds in -short mode")
	}
	h := newHarness(t, harnessConfig{eventsBuf: 1})
	titles := make([]string, adds+1)
	for i := range titles {
		titles[i] = fmt.Sprintf("song-%d", i)
	}
	h.addTracks(titles...)

	errs := make(chan error, guilds*10)
	sem := make(chan struct{}, 100) // the race detector allows 8,128 goroutines
	var wg sync.WaitGroup
	for g := range guilds {
		guild := snowflake.ID(810000000000000000 + uint64(g))
		user := snowflake.ID(910000000000000000 + uint64(g))
		actor := Actor{UserID: user, VoiceChannelID: voiceID}
		h.listen(guild, user, voiceID)
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ctx := h.ctx()
			res, err := h.m.Play(ctx, guild, actor, titles[0], PlaceEnd)
			if err != nil || !res.Started {
				errs <- fmt.Errorf("guild %d: first Play = %+v, %v", guild, res, err)
				return
			}
			var (
				inner     sync.WaitGroup
				mu        sync.Mutex
				positions []int
			)
			fail := func(format string, args ...any) {
				errs <- fmt.Errorf("guild %d: "+format, append([]any{guild}, args...)...)
			}
			for i := 1; i <= adds; i++ {
				inner.Go(func() {
					res, err := h.m.Play(ctx, guild, actor, titles[i], PlaceEnd)
					if err != nil || res.Started || res.Added != 1 || res.Track.Info.Title != titles[i] {
						fail("Play(%s) = %+v, %v", titles[i], res, err)
						return
					}
					mu.Lock()
					positions = append(positions, res.Position)
					mu.Unlock()
				})
			}
			inner.Go(func() {
				np, err := h.m.NowPlaying(ctx, guild, actor)
				if err != nil || np.Track.Info.Title != titles[0] || np.VoiceChannelID != voiceID {
					fail("NowPlaying = %+v, %v", np, err)
				}
			})
			inner.Go(func() {
				if err := h.m.SetVolume(ctx, guild, actor, 64); err != nil {
					fail("SetVolume = %v", err)
				}
			})
			inner.Go(func() {
				q, err := h.m.Queue(ctx, guild, actor, 1)
				if err != nil || q.Current == nil || q.Current.Info.Title != titles[0] || q.Total > adds {
					fail("Queue = %+v, %v", q, err)
				}
			})
			inner.Wait()
			slices.Sort(positions)
			for i, p := range positions {
				if p != i+1 {
					fail("queue positions %v, want 1..%d", positions, adds)
					break
				}
			}
			q, err := h.m.Queue(ctx, guild, actor, 1)
			if err != nil || q.Total != adds {
				fail("final queue = %d tracks, %v; want %d", q.Total, err, adds)
			}
			np, err := h.m.NowPlaying(ctx, guild, actor)
			if err != nil || np.Volume != 64 {
				fail("final NowPlaying = %+v, %v", np, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	n := 0
	for err := range errs {
		if n++; n <= 10 {
			t.Error(err)
		}
	}
	if n > 10 {
		t.Errorf("... and %d more errors", n-10)
	}
	if got := len(h.nodes[0].Players()); got != guilds {
		t.Errorf("node players = %d, want %d", got, guilds)
	}
	if got := h.m.sessions.Load(); got != guilds {
		t.Errorf("sessions = %d, want %d", got, guilds)
	}
}
