package music

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/ttlcache"
)

// Defaults of a [RecommenderChain].
const (
	// DefaultProviderFailures is how many failures in a row put a
	// provider in its cooldown.
	DefaultProviderFailures = 3
	// DefaultProviderCooldown is how long a failing provider is skipped
	// before it is tried again.
	DefaultProviderCooldown = 5 * time.Minute
	// DefaultNoRepeatTracks and DefaultNoRepeatWindow: autoplay picks no
	// track among the guild's last DefaultNoRepeatTracks played, nor one
	// it played within DefaultNoRepeatWindow.
	DefaultNoRepeatTracks = 50
	DefaultNoRepeatWindow = time.Hour
)

// Names of the built-in providers.
const (
	ProviderYouTubeMix    = "youtube-mix"
	ProviderLavaSrcMix    = "lavasrc-mix"
	ProviderYouTubeMusic  = "youtube-music-search"
	ProviderArtistSearch  = "artist-search"
	lavaSrcPlugin         = "lavasrc-plugin"
	maxRememberedPerGuild = 100
	maxRememberedGuilds   = 10_000
)

// Provider is one source of recommendations in a [RecommenderChain]: a
// [Recommender] with a name for logs and metrics. A provider that has
// nothing for a seed (a YouTube mix for a SoundCloud track, say)
// returns no tracks and no error; an error counts as a failure.
type Provider interface {
	Recommender
	// Name is short and stable, such as "youtube-mix".
	Name() string
}

type providerFunc struct {
	name string
	f    func(ctx context.Context, req RecommendRequest) ([]Track, error)
}

func (p providerFunc) Name() string { return p.name }

func (p providerFunc) Recommend(ctx context.Context, req RecommendRequest) ([]Track, error) {
	return p.f(ctx, req)
}

// NewProvider makes a [Provider] of a function.
func NewProvider(name string, f func(ctx context.Context, req RecommendRequest) ([]Track, error)) Provider {
	return providerFunc{name: name, f: f}
}

// YouTubeMix recommends YouTube's mix of a YouTube seed (the "RD"
// playlist https://www.youtube.com/watch?v=<id>&list=RD<id>); it has
// nothing for other seeds.
func YouTubeMix() Provider {
	return NewProvider(ProviderYouTubeMix, func(ctx context.Context, req RecommendRequest) ([]Track, error) {
		seed := req.Seed.Info
		if seed.SourceName != "youtube" || seed.Identifier == "" {
			return nil, nil
		}
		id := url.QueryEscape(seed.Identifier)
		return req.Load(ctx, "https://www.youtube.com/watch?v="+id+"&list=RD"+id)
	})
}

// LavaSrcMix recommends LavaSrc's mix of the seed, when the node has the
// LavaSrc plugin (in its info's plugins, or a "spotify" source manager):
// sprec:mix:track:<id> for a Spotify seed, sprec:mix:isrc:<isrc> for
// another seed with an ISRC; it has nothing for other seeds.
func LavaSrcMix() Provider {
	return NewProvider(ProviderLavaSrcMix, func(ctx context.Context, req RecommendRequest) ([]Track, error) {
		if !slices.Contains(req.Plugins, lavaSrcPlugin) && !slices.Contains(req.SourceManagers, "spotify") {
			return nil, nil
		}
		seed := req.Seed.Info
		switch {
		case seed.SourceName == "spotify" && seed.Identifier != "":
			return req.Load(ctx, "sprec:mix:track:"+seed.Identifier)
		case seed.ISRC != "":
			return req.Load(ctx, "sprec:mix:isrc:"+seed.ISRC)
		}
		return nil, nil
	})
}

// YouTubeMusicSearch recommends what a YouTube Music search
// (ytmsearch:) for the seed's author finds, which is songs rather than
// any video.
func YouTubeMusicSearch() Provider {
	return NewProvider(ProviderYouTubeMusic, func(ctx context.Context, req RecommendRequest) ([]Track, error) {
		return searchFor(ctx, req, "ytmsearch:")
	})
}

// ArtistSearch recommends what a search with prefix (such as
// "ytsearch:"; [DefaultSearchPrefix] when empty) for the seed's author,
// or its title when it has no author, finds.
func ArtistSearch(prefix string) Provider {
	if prefix == "" {
		prefix = DefaultSearchPrefix
	}
	return NewProvider(ProviderArtistSearch, func(ctx context.Context, req RecommendRequest) ([]Track, error) {
		return searchFor(ctx, req, prefix)
	})
}

func searchFor(ctx context.Context, req RecommendRequest, prefix string) ([]Track, error) {
	term := strings.TrimSpace(req.Seed.Info.Author)
	if term == "" {
		term = strings.TrimSpace(req.Seed.Info.Title)
	}
	if term == "" {
		return nil, nil
	}
	return req.Load(ctx, prefix+term)
}

// DefaultProviders returns the providers of tunekit's autoplay, most
// specific first: [YouTubeMix], [LavaSrcMix], [YouTubeMusicSearch] and
// [ArtistSearch] with searchPrefix.
func DefaultProviders(searchPrefix string) []Provider {
	return []Provider{YouTubeMix(), LavaSrcMix(), YouTubeMusicSearch(), ArtistSearch(searchPrefix)}
}

// ProviderOutcome is what one provider's turn in a chain came to.
type ProviderOutcome string

// Provider outcomes.
const (
	ProviderOK      ProviderOutcome = "ok"      // it recommended new tracks
	ProviderEmpty   ProviderOutcome = "empty"   // nothing, or nothing new
	ProviderFailed  ProviderOutcome = "failed"  // it returned an error
	ProviderCooling ProviderOutcome = "cooling" // skipped: in its cooldown
)

// ChainOption configures a [RecommenderChain].
type ChainOption func(*chainConfig)

type chainConfig struct {
	failures int
	cooldown time.Duration
	tracks   int
	window   time.Duration
	now      func() time.Time
	observe  func(provider string, outcome ProviderOutcome, took time.Duration)
}

// WithProviderCooldown skips a provider for cooldown once it failed
// failures times in a row; after the cooldown it gets one try, and a
// success clears its record. Default: [DefaultProviderFailures] and
// [DefaultProviderCooldown]. failures below 1 is taken as 1.
func WithProviderCooldown(failures int, cooldown time.Duration) ChainOption {
	return func(c *chainConfig) { c.failures, c.cooldown = max(failures, 1), cooldown }
}

// WithNoRepeat keeps autoplay from repeating a track among the guild's
// last tracks played, or one autoplay played within window. Default:
// [DefaultNoRepeatTracks] and [DefaultNoRepeatWindow].
func WithNoRepeat(tracks int, window time.Duration) ChainOption {
	return func(c *chainConfig) { c.tracks, c.window = max(tracks, 0), max(window, 0) }
}

// WithChainClock makes the chain read time from now. Default: the
// system clock.
func WithChainClock(now func() time.Time) ChainOption {
	return func(c *chainConfig) {
		if now != nil {
			c.now = now
		}
	}
}

// WithProviderObserver calls f after each provider's turn with its
// outcome and how long it took, for metrics; f must be quick and safe
// for concurrent use.
func WithProviderObserver(f func(provider string, outcome ProviderOutcome, took time.Duration)) ChainOption {
	return func(c *chainConfig) { c.observe = f }
}

// RecommenderChain is a [Recommender] that asks its providers in order
// and returns the first new tracks one recommends, so autoplay goes on
// when a source breaks (YouTube blocking mixes, a plugin missing on a
// node). It keeps each provider's health: failures in a row past a
// limit skip the provider for a cooldown. It also keeps each guild from
// hearing a track again too soon: a candidate among the guild's last
// tracks played (the request's History and what the chain itself picked
// and was seeded with) or picked by autoplay within a window is passed
// over, and a provider with nothing new lets the next one try. The first
// track the chain returns counts as played.
//
// What a chain remembers of guilds is kept in memory only and bounded:
// 10,000 guilds, the larger of 100 tracks and the no-repeat count per
// guild, and a guild's memory is dropped after an hour (or twice the
// window) without a recommendation; the request's History still covers
// the guild's last tracks then. A RecommenderChain is safe for
// concurrent use; build one with [NewRecommenderChain].
type RecommenderChain struct {
	cfg       chainConfig
	providers []*providerHealth
	recent    *ttlcache.Cache[snowflake.ID, *played]
	mu        sync.Mutex // guards the providers' health and every played
}

type providerHealth struct {
	p     Provider
	fails int
	until time.Time // skipped before this
}

// played is the tracks a guild played that the chain knows of, oldest
// first.
type played struct {
	keys []trackKey
	at   []time.Time
}

// NewRecommenderChain returns a chain of providers, asked in the order
// given (nil ones are left out). With none it recommends nothing.
func NewRecommenderChain(providers []Provider, opts ...ChainOption) *RecommenderChain {
	cfg := chainConfig{
		failures: DefaultProviderFailures, cooldown: DefaultProviderCooldown,
		tracks: DefaultNoRepeatTracks, window: DefaultNoRepeatWindow, now: time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	c := &RecommenderChain{cfg: cfg}
	for _, p := range providers {
		if p != nil {
			c.providers = append(c.providers, &providerHealth{p: p})
		}
	}
	c.recent = ttlcache.New[snowflake.ID, *played](maxRememberedGuilds, ttlcache.WithClock(cfg.now))
	return c
}

// Providers returns the names of the chain's providers, in order.
func (c *RecommenderChain) Providers() []string {
	out := make([]string, len(c.providers))
	for i, h := range c.providers {
		out[i] = h.p.Name()
	}
	return out
}

// Recommend implements [Recommender]. It returns the first provider's
// new tracks; when none has any it returns no tracks, and the providers'
// errors joined if any failed.
func (c *RecommenderChain) Recommend(ctx context.Context, req RecommendRequest) ([]Track, error) {
	seen := c.seen(req)
	var errs []error
	for _, h := range c.providers {
		start := c.cfg.now()
		if !c.available(h, start) {
			c.observe(h, ProviderCooling, 0)
			continue
		}
		tracks, err := h.p.Recommend(ctx, req)
		took := c.cfg.now().Sub(start)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			c.failed(h, c.cfg.now())
			c.observe(h, ProviderFailed, took)
			errs = append(errs, errors.New(h.p.Name()+": "+err.Error()))
			continue
		}
		c.succeeded(h)
		fresh := tracks[:0:0]
		for _, t := range tracks {
			if _, dup := seen[t.key()]; (!dup || t.Info.Identifier == "") && !sameTrack(t, req.Seed) {
				fresh = append(fresh, t)
			}
		}
		if len(fresh) == 0 {
			c.observe(h, ProviderEmpty, took)
			continue
		}
		c.observe(h, ProviderOK, took)
		c.remember(req.GuildID, c.cfg.now(), req.Seed, fresh[0])
		return fresh, nil
	}
	c.remember(req.GuildID, c.cfg.now(), req.Seed)
	return nil, errors.Join(errs...)
}

func (c *RecommenderChain) observe(h *providerHealth, o ProviderOutcome, took time.Duration) {
	if c.cfg.observe != nil {
		c.cfg.observe(h.p.Name(), o, took)
	}
}

func (c *RecommenderChain) available(h *providerHealth, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return h.fails < c.cfg.failures || !now.Before(h.until)
}

func (c *RecommenderChain) failed(h *providerHealth, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h.fails++
	if h.fails >= c.cfg.failures {
		h.until = now.Add(c.cfg.cooldown)
	}
}

func (c *RecommenderChain) succeeded(h *providerHealth) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h.fails, h.until = 0, time.Time{}
}

// seen returns the tracks a candidate must not repeat: the seed, the
// guild's last tracks in History, and what the chain remembers of the
// guild within the window.
func (c *RecommenderChain) seen(req RecommendRequest) map[trackKey]struct{} {
	seen := make(map[trackKey]struct{}, c.cfg.tracks+8)
	for _, t := range append([]Track{req.Seed}, req.History[:min(len(req.History), c.cfg.tracks)]...) {
		if t.Info.Identifier != "" {
			seen[t.key()] = struct{}{}
		}
	}
	now := c.cfg.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if pl, ok := c.recent.Get(req.GuildID); ok {
		n := len(pl.keys)
		for i := n - 1; i >= 0; i-- {
			if n-i > c.cfg.tracks && now.Sub(pl.at[i]) >= c.cfg.window {
				break
			}
			seen[pl.keys[i]] = struct{}{}
		}
	}
	return seen
}

// remember records tracks the guild played (or is about to) at now.
func (c *RecommenderChain) remember(guild snowflake.ID, now time.Time, tracks ...Track) {
	c.mu.Lock()
	defer c.mu.Unlock()
	pl, ok := c.recent.Get(guild)
	if !ok {
		pl = &played{}
	}
	for _, t := range tracks {
		if t.Info.Identifier == "" {
			continue // nothing to know it again by
		}
		pl.keys = append(pl.keys, t.key())
		pl.at = append(pl.at, now)
	}
	// Keep the last tracks, and older ones while within the window, up
	// to a bound.
	drop, most := 0, max(c.cfg.tracks, maxRememberedPerGuild)
	for drop < len(pl.keys) && (len(pl.keys)-drop > most ||
		len(pl.keys)-drop > c.cfg.tracks && now.Sub(pl.at[drop]) >= c.cfg.window) {
		drop++
	}
	if drop > 0 {
		pl.keys = slices.Delete(pl.keys, 0, drop)
		pl.at = slices.Delete(pl.at, 0, drop)
	}
	c.recent.SetWithTTL(guild, pl, max(2*c.cfg.window, time.Hour))
}
