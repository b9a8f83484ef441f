package music

import (
	"context"
	"errors"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// autoplayTimeout bounds one recommendation.
const autoplayTimeout = 10 * time.Second

// Recommender picks what autoplay plays when a guild's queue runs out.
// It returns candidates in order of preference; the Manager plays the
// first that is neither the seed nor in the guild's history, so a
// Recommender need not filter. An implementation must be safe for
// concurrent use.
type Recommender interface {
	Recommend(ctx context.Context, req RecommendRequest) ([]Track, error)
}

// RecommendRequest is what a [Recommender] gets.
type RecommendRequest struct {
	GuildID snowflake.ID
	// Seed is the track that just ended.
	Seed Track
	// History is the guild's played tracks, most recent first.
	History []Track
	// Load resolves a Lavalink identifier (a link or a prefixed search)
	// on the guild's node: a playlist's or search's tracks, or the one
	// track, or none.
	Load func(ctx context.Context, identifier string) ([]Track, error)
	// Plugins and SourceManagers are what the node Load uses offers, from
	// its info: plugin names (such as "lavasrc-plugin") and source
	// managers (such as "youtube", "spotify"). Empty when unknown.
	Plugins        []string
	SourceManagers []string
}

// DefaultRecommender asks [DefaultProviders] with SearchPrefix in turn
// and returns the first tracks one recommends: for a YouTube track,
// YouTube's mix of it; for a Spotify track (or one with an ISRC) on a
// node with LavaSrc, LavaSrc's mix; otherwise, or when those have
// nothing, a YouTube Music search and then a search with SearchPrefix
// ([DefaultSearchPrefix] when empty) for the track's author (its title
// when it has no author). It keeps no state: no provider health and no
// memory of what played. The Manager's default recommender is a
// [RecommenderChain] of the same providers, which has both.
type DefaultRecommender struct {
	SearchPrefix string
}

// Recommend implements [Recommender].
func (r DefaultRecommender) Recommend(ctx context.Context, req RecommendRequest) ([]Track, error) {
	var errs []error
	for _, p := range DefaultProviders(r.SearchPrefix) {
		tracks, err := p.Recommend(ctx, req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			errs = append(errs, err)
			continue
		}
		for _, t := range tracks {
			if !sameTrack(t, req.Seed) {
				return tracks, nil
			}
		}
	}
	return nil, errors.Join(errs...)
}

// sameTrack reports whether two tracks are the same recording.
func sameTrack(a, b Track) bool {
	if a.Info.Identifier != "" || b.Info.Identifier != "" {
		return a.Info.Identifier == b.Info.Identifier && a.Info.SourceName == b.Info.SourceName
	}
	return a.Encoded == b.Encoded
}

// autoplay picks a track after seed when the guild has autoplay on and
// is not in its cooldown, and makes it current. It runs with the turn.
func (m *Manager) autoplay(ctx context.Context, p *player, seed Track) (Track, bool) {
	p.mu.Lock()
	if p.sess == nil || !p.sess.Autoplay() || seed.Encoded == "" {
		p.mu.Unlock()
		return Track{}, false
	}
	history := p.sess.Queue().History()
	ln := p.node
	p.mu.Unlock()
	if _, cooling := m.cooldown.Get(p.guild); cooling {
		return Track{}, false
	}
	m.cooldown.Set(p.guild, struct{}{})
	if ln == nil || !ln.healthy() {
		var err error
		if ln, err = m.pickNode(seed.Info.SourceName, nil); err != nil {
			return Track{}, false
		}
	}
	ctx, cancel := context.WithTimeout(ctx, autoplayTimeout)
	defer cancel()
	req := RecommendRequest{
		GuildID: p.guild,
		Seed:    seed,
		History: history,
		Load: func(ctx context.Context, ident string) ([]Track, error) {
			tracks, _, err := m.loadFrom(ctx, ln, p.guild, ident)
			var le *LoadError
			if errors.Is(err, ErrTrackNotFound) && !errors.As(err, &le) {
				return nil, nil // nothing found is no failure
			}
			return tracks, err
		},
	}
	if info, ok := ln.info(); ok {
		req.SourceManagers = info.SourceManagers
		for _, pl := range info.Plugins {
			req.Plugins = append(req.Plugins, pl.Name)
		}
	}
	cands, err := m.rec.Recommend(ctx, req)
	if err != nil {
		m.log.WarnContext(ctx, "autoplay recommendation failed", "guild", p.guild, "error", err)
		return Track{}, false
	}
	now := m.clock.Now()
next:
	for _, c := range cands {
		if sameTrack(c, seed) {
			continue
		}
		for _, h := range history {
			if sameTrack(c, h) {
				continue next
			}
		}
		c.Requester, c.AddedAt, c.Info.Position, c.Autoplay = 0, now, 0, true
		p.mu.Lock()
		if p.sess == nil {
			p.mu.Unlock()
			return Track{}, false
		}
		p.sess.Start(c, now)
		p.askedAt = time.Time{}
		p.mu.Unlock()
		return c, true
	}
	return Track{}, false
}
