package music

import (
	"context"
	"errors"
	"net/url"
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
}

// DefaultRecommender is the autoplay of tunekit's bot: for a YouTube
// track, YouTube's mix of that track (the "RD" playlist); for any other,
// a search for the track's author (its title when it has no author) with
// SearchPrefix ([DefaultSearchPrefix] when empty).
type DefaultRecommender struct {
	SearchPrefix string
}

// Recommend implements [Recommender].
func (r DefaultRecommender) Recommend(ctx context.Context, req RecommendRequest) ([]Track, error) {
	seed := req.Seed.Info
	if seed.SourceName == "youtube" && seed.Identifier != "" {
		id := url.QueryEscape(seed.Identifier)
		return req.Load(ctx, "https://www.youtube.com/watch?v="+id+"&list=RD"+id)
	}
	term := seed.Author
	if term == "" {
		term = seed.Title
	}
	if term == "" {
		return nil, nil
	}
	prefix := r.SearchPrefix
	if prefix == "" {
		prefix = DefaultSearchPrefix
	}
	return req.Load(ctx, prefix+term)
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
	cands, err := m.rec.Recommend(ctx, RecommendRequest{
		GuildID: p.guild,
		Seed:    seed,
		History: history,
		Load: func(ctx context.Context, ident string) ([]Track, error) {
			tracks, _, err := m.loadFrom(ctx, ln, p.guild, ident)
			if errors.Is(err, ErrTrackNotFound) {
				return nil, nil
			}
			return tracks, err
		},
	})
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
		c.Requester, c.AddedAt, c.Info.Position = 0, now, 0
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
