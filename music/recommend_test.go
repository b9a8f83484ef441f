package music

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

// stubProvider answers with tracks or fails, and counts its calls.
type stubProvider struct {
	name   string
	mu     sync.Mutex
	calls  int
	fail   bool
	tracks []Track
}

func (p *stubProvider) Name() string { return p.name }

func (p *stubProvider) Recommend(context.Context, RecommendRequest) ([]Track, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.fail {
		return nil, errors.New(p.name + " is down")
	}
	return p.tracks, nil
}

func (p *stubProvider) set(fail bool, tracks ...Track) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail, p.tracks = fail, tracks
}

func (p *stubProvider) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

func rec(id string) Track {
	return Track{Encoded: "enc-" + id, Info: TrackInfo{Identifier: id, Title: id, SourceName: "youtube"}}
}

type outcomeLog struct {
	mu  sync.Mutex
	got []string
}

func (l *outcomeLog) observe(provider string, o ProviderOutcome, _ time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, provider+":"+string(o))
}

func (l *outcomeLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := strings.Join(l.got, " ")
	l.got = nil
	return s
}

// TestRecommenderChainFallbackAndHealth proves the fallback order and
// the health tracking: a provider failing three times in a row is
// skipped for the cooldown, tried once after it, and cleared by a
// success.
func TestRecommenderChainFallbackAndHealth(t *testing.T) {
	now := epoch
	clock := func() time.Time { return now }
	first := &stubProvider{name: "first"}
	second := &stubProvider{name: "second"}
	var log outcomeLog
	c := NewRecommenderChain([]Provider{first, nil, second},
		WithChainClock(clock), WithProviderCooldown(3, time.Minute), WithNoRepeat(0, 0), WithProviderObserver(log.observe))
	if got := c.Providers(); !slices.Equal(got, []string{"first", "second"}) {
		t.Errorf("Providers() = %q", got)
	}
	req := RecommendRequest{GuildID: guildID, Seed: rec("seed")}
	ctx := context.Background()

	first.set(false, rec("x"))
	second.set(false, rec("y"))
	if got, err := c.Recommend(ctx, req); err != nil || len(got) != 1 || got[0].Info.Identifier != "x" {
		t.Fatalf("Recommend = %v, %v; want first's x", got, err)
	}
	if got := log.take(); got != "first:ok" {
		t.Errorf("outcomes = %q", got)
	}
	first.set(true)
	for i := range 3 {
		if got, err := c.Recommend(ctx, req); err != nil || got[0].Info.Identifier != "y" {
			t.Fatalf("Recommend %d with first down = %v, %v; want second's y", i, got, err)
		}
	}
	if got := log.take(); got != "first:failed second:ok first:failed second:ok first:failed second:ok" {
		t.Errorf("outcomes = %q", got)
	}
	calls := first.count()
	if _, err := c.Recommend(ctx, req); err != nil || first.count() != calls {
		t.Errorf("first asked during its cooldown (calls %d, want %d), err %v", first.count(), calls, err)
	}
	if got := log.take(); got != "first:cooling second:ok" {
		t.Errorf("outcomes = %q", got)
	}
	now = now.Add(time.Minute)
	_, _ = c.Recommend(ctx, req) // one try after the cooldown: fails again
	if first.count() != calls+1 {
		t.Errorf("first after its cooldown asked %d times, want once", first.count()-calls)
	}
	_, _ = c.Recommend(ctx, req)
	if first.count() != calls+1 {
		t.Error("a failure after the cooldown did not start another")
	}
	now = now.Add(time.Minute)
	first.set(false, rec("x"))
	if got, _ := c.Recommend(ctx, req); got[0].Info.Identifier != "x" {
		t.Fatalf("first recovered = %v", got)
	}
	log.take()
	first.set(true)
	_, _ = c.Recommend(ctx, req)
	_, _ = c.Recommend(ctx, req)
	if got := log.take(); got != "first:failed second:ok first:failed second:ok" {
		t.Errorf("after a success two failures gave %q; want first still asked", got)
	}

	// Every provider failing: no tracks, both errors.
	second.set(true)
	got, err := c.Recommend(ctx, req)
	if len(got) != 0 || err == nil || !strings.Contains(err.Error(), "first is down") || !strings.Contains(err.Error(), "second is down") {
		t.Errorf("Recommend with all down = %v, %v; want both errors", got, err)
	}
	// Nothing, without failures: no error.
	first.set(false)
	second.set(false)
	if got, err := c.Recommend(ctx, req); len(got) != 0 || err != nil {
		t.Errorf("Recommend with nothing found = %v, %v; want nothing, no error", got, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	cc := NewRecommenderChain([]Provider{NewProvider("ctx", func(ctx context.Context, _ RecommendRequest) ([]Track, error) {
		return nil, ctx.Err()
	})})
	if _, err := cc.Recommend(cancelled, req); !errors.Is(err, context.Canceled) {
		t.Errorf("Recommend with a cancelled context = %v", err)
	}
	if got, err := NewRecommenderChain(nil).Recommend(ctx, req); got != nil || err != nil {
		t.Errorf("an empty chain = %v, %v", got, err)
	}
}

// TestRecommenderChainNoRepeat proves the no-repeat window: a track
// played among the last N or within M minutes is passed over, and a
// provider with nothing new lets the next one try.
func TestRecommenderChainNoRepeat(t *testing.T) {
	now := epoch
	first := &stubProvider{name: "first"}
	second := &stubProvider{name: "second"}
	c := NewRecommenderChain([]Provider{first, second}, WithChainClock(func() time.Time { return now }), WithNoRepeat(2, 10*time.Minute))
	ctx := context.Background()
	pick := func(seed string, history ...Track) string {
		t.Helper()
		got, err := c.Recommend(ctx, RecommendRequest{GuildID: guildID, Seed: rec(seed), History: history})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, g := range got {
			ids = append(ids, g.Info.Identifier)
		}
		return strings.Join(ids, " ")
	}
	first.set(false, rec("s1"), rec("x"), rec("y"), rec("h"))
	second.set(false, rec("z"))
	if got := pick("s1", rec("h")); got != "x y" {
		t.Fatalf("pick = %q, want x y (not the seed, not the history)", got)
	}
	if got := pick("x"); got != "y h" {
		t.Fatalf("pick after x = %q, want y h (x was played)", got)
	}
	now = now.Add(5 * time.Minute)
	first.set(false, rec("x"), rec("y"))
	if got := pick("y"); got != "z" {
		t.Fatalf("pick with only played tracks = %q, want the next provider's z", got)
	}
	// Past the window, only the last 2 remembered count (z and y as seed).
	now = now.Add(11 * time.Minute)
	if got := pick("q"); got != "x" {
		t.Errorf("pick after the window = %q, want x again (y is among the last 2)", got)
	}
	// Other guilds have their own memory.
	if got, _ := c.Recommend(ctx, RecommendRequest{GuildID: guildID + 1, Seed: rec("q")}); len(got) != 2 {
		t.Errorf("another guild's pick = %v, want x y", got)
	}
}

// TestAutoplayChainOnNodes proves the default chain against lavalinktest:
// a Spotify seed on a node with LavaSrc gets LavaSrc's mix, attributed
// to autoplay; a YouTube mix that fails to load falls back to a YouTube
// Music search; and LavaSrc is not asked on a node without it.
func TestAutoplayChainOnNodes(t *testing.T) {
	t.Run("lavasrc", func(t *testing.T) {
		h := newHarness(t, harnessConfig{nodeOpts: []lavalinktest.Option{lavalinktest.WithLavaSrcPlugin()}})
		seed, err := h.nodes[0].AddTrack(lavalink.TrackInfo{Identifier: "4uLU6hMCjMI75M1A2tKUQC", Title: "seed", Author: "Someone", Length: 180 * lavalink.Second, SourceName: "spotify"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.nodes[0].AddRecommendations("mix:track:4uLU6hMCjMI75M1A2tKUQC",
			lavalink.TrackInfo{Identifier: "4uLU6hMCjMI75M1A2tKUQC", Title: "seed", Author: "Someone", Length: 180 * lavalink.Second},
			lavalink.TrackInfo{Identifier: "rec1", Title: "recommended", Author: "Other", Length: 180 * lavalink.Second}); err != nil {
			t.Fatal(err)
		}
		h.listen(guildID, userID, voiceID)
		h.settle(func(s Settings) (Settings, error) { return s.WithAutoplay(true) })
		if _, err := h.m.Play(h.ctx(), guildID, listener, "spsearch:seed", PlaceEnd); err != nil {
			t.Fatal(err)
		}
		h.waitEvent(isStarted(seed.Info.Title))
		h.clock.Advance(180 * time.Second)
		started := h.waitEvent(isStarted("recommended")).(TrackStarted)
		if !started.Track.Autoplay || started.Track.Requester != 0 {
			t.Errorf("autoplayed track = requester %d, autoplay %t; want 0 and true", started.Track.Requester, started.Track.Autoplay)
		}
		if np, ok := h.m.Status(guildID); !ok || !np.Track.Autoplay {
			t.Errorf("Status = %+v; want the autoplay attribution", np.Track)
		}
		if !loaded(h.nodes[0], "sprec:mix:track:4uLU6hMCjMI75M1A2tKUQC") {
			t.Error("LavaSrc's mix was not loaded")
		}
	})
	t.Run("fallback", func(t *testing.T) {
		business, reg := newMetrics(t)
		h := newHarness(t, harnessConfig{cfg: func(c *Config) { c.Metrics = business }})
		h.addTracks("seed")
		if _, err := h.nodes[0].AddTrack(lavalink.TrackInfo{Identifier: "same-artist", Title: "another song", Author: "Artist seed", Length: 180 * lavalink.Second}); err != nil {
			t.Fatal(err)
		}
		h.nodes[0].FailLoad("https://www.youtube.com/watch?v=id-seed&list=RDid-seed", lavalink.Exception{Message: "blocked", Severity: lavalink.SeverityCommon})
		h.listen(guildID, userID, voiceID)
		h.settle(func(s Settings) (Settings, error) { return s.WithAutoplay(true) })
		h.play(guildID, listener, "seed")
		h.waitEvent(isStarted("seed"))
		h.clock.Advance(180 * time.Second)
		started := h.waitEvent(isStarted("another song")).(TrackStarted)
		if !started.Track.Autoplay {
			t.Error("fallback pick not attributed to autoplay")
		}
		if !loaded(h.nodes[0], "ytmsearch:Artist seed") {
			t.Error("the YouTube Music search was not tried after the mix failed")
		}
		const name = "tunekit_autoplay_provider_requests_total"
		if got := metricValue(t, reg, name, map[string]string{"provider": "youtube_mix", "outcome": "failed"}); got != 1 {
			t.Errorf("%s{provider=youtube_mix,outcome=failed} = %v, want 1", name, got)
		}
		if got := metricValue(t, reg, name, map[string]string{"outcome": "ok"}); got != 1 {
			t.Errorf("%s{outcome=ok} = %v, want 1 (the provider that picked)", name, got)
		}
		for _, r := range h.nodes[0].Requests() {
			if strings.HasPrefix(r.Query.Get("identifier"), "sprec:") {
				t.Errorf("LavaSrc asked on a node without it: %s", r.Query)
			}
		}
	})
}

// loaded reports whether the node was asked to load identifier.
func loaded(n *lavalinktest.Node, identifier string) bool {
	for _, r := range n.Requests() {
		if r.Path == "/v4/loadtracks" && r.Query.Get("identifier") == identifier {
			return true
		}
	}
	return false
}
