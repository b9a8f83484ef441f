package music

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/internal/node"
)

// Errors of [Manager.Lyrics].
var (
	// ErrNoLyrics is returned when no lyrics source has lyrics for the
	// track.
	ErrNoLyrics = errors.New("music: no lyrics for the track")
	// ErrLyricsUnavailable is matched when lyrics cannot be looked up at
	// all: no connected node has the LavaLyrics plugin, or the plugin has
	// no lyrics source (Lavalink's 500 "No lyrics managers registered").
	ErrLyricsUnavailable = errors.New("music: lyrics are not available")
)

// lyricsCacheTTL is how long found lyrics (and their absence) are kept
// per track, so that several users asking, or a now-playing message that
// follows the synced lines, cost one lookup per track.
const (
	lyricsCacheTTL  = 10 * time.Minute
	lyricsCacheSize = 1024
)

// Lyrics are a track's lyrics as the LavaLyrics plugin found them.
type Lyrics struct {
	// Track is the track they belong to: the one playing when they were
	// asked for.
	Track Track
	// Source is the lyrics source that found them, such as "spotify",
	// "deezer" or "youtube".
	Source string
	// Provider is who provided them on that source, such as
	// "MusixMatch"; "" when the source does not say.
	Provider string
	// Text is the plain text. For lyrics the source has only as synced
	// lines, it is the lines joined by newlines.
	Text string
	// Lines are the synced lines in time order; nil for plain lyrics.
	Lines []LyricsLine
}

// LyricsLine is one synced line of [Lyrics].
type LyricsLine struct {
	// At is where the line starts in the track.
	At time.Duration
	// Duration is how long the line lasts; 0 when the source does not
	// say (the line then lasts until the next one).
	Duration time.Duration
	Text     string
}

// Synced reports whether the lyrics have synced lines.
func (l Lyrics) Synced() bool { return len(l.Lines) > 0 }

// LineAt returns the index in Lines of the line being sung at position
// in the track: the last line that starts at or before it. It returns -1
// before the first line and for lyrics without synced lines. A frontend
// showing the current line on a now-playing message calls it with
// [NowPlaying.Position]; a line whose Duration has passed is still
// returned until the next starts, so instrumental gaps keep the last
// words on screen. It is a binary search: O(log n), no allocation.
func (l Lyrics) LineAt(position time.Duration) int {
	return sort.Search(len(l.Lines), func(i int) bool { return l.Lines[i].At > position }) - 1
}

// lyricsFromNode converts the plugin's lyrics, putting the lines in time
// order (the search in LineAt needs it) and filling Text from them when
// the source gave none.
func lyricsFromNode(t Track, nl node.Lyrics) Lyrics {
	l := Lyrics{Track: t, Source: nl.SourceName, Provider: nl.Provider}
	if len(nl.Lines) > 0 {
		l.Lines = make([]LyricsLine, 0, len(nl.Lines))
		for _, nl := range nl.Lines {
			line := LyricsLine{At: millis(int64(nl.Timestamp)), Text: nl.Line}
			if nl.Duration != nil {
				line.Duration = millis(int64(*nl.Duration))
			}
			l.Lines = append(l.Lines, line)
		}
		slices.SortStableFunc(l.Lines, func(a, b LyricsLine) int {
			switch {
			case a.At < b.At:
				return -1
			case a.At > b.At:
				return 1
			}
			return 0
		})
	}
	switch {
	case nl.Text != nil && *nl.Text != "":
		l.Text = *nl.Text
	case len(l.Lines) > 0:
		var b strings.Builder
		for i, line := range l.Lines {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(line.Text)
		}
		l.Text = b.String()
	}
	return l
}

// millis converts a plugin's milliseconds to a Duration, negative ones
// to 0 and ones past what a Duration holds to the largest.
func millis(ms int64) time.Duration {
	switch {
	case ms <= 0:
		return 0
	case ms > math.MaxInt64/int64(time.Millisecond):
		return math.MaxInt64
	}
	return time.Duration(ms) * time.Millisecond
}

// lyricsEntry is a cached lookup: lyrics, or none found.
type lyricsEntry struct {
	lyrics Lyrics
	none   bool
}

// Lyrics returns the lyrics of the track playing in the guild, with
// synced lines when the source has them (see [Lyrics.LineAt]). It asks
// the guild's node when that node has the LavaLyrics plugin, otherwise
// any healthy node that has it, and keeps the answer for each track for
// ten minutes. It returns [ErrNothingPlaying] without a track,
// [ErrNoLyrics] when no source has lyrics for it, an error matching
// [ErrLyricsUnavailable] when no node can look lyrics up, and one
// matching [ErrServiceUnavailable] when the node fails. Anyone may ask
// (command name "lyrics").
//
// Lyrics requests do not count for or against a node's breaker: a
// lyrics provider that fails says nothing about the node's players.
func (m *Manager) Lyrics(ctx context.Context, guild snowflake.ID, actor Actor) (Lyrics, error) {
	var res Lyrics
	err := m.run(ctx, "lyrics", guild, actor, ActionView, nil, func(ctx context.Context) error {
		var err error
		res, err = m.lyrics(ctx, guild)
		return err
	})
	return res, err
}

func (m *Manager) lyrics(ctx context.Context, guild snowflake.ID) (Lyrics, error) {
	p := m.players.get(guild)
	if p == nil {
		return Lyrics{}, ErrNothingPlaying
	}
	p.mu.Lock()
	var (
		cur     Track
		playing bool
		own     *lavaNode
	)
	if p.sess != nil {
		cur, playing = p.sess.Current()
		if !p.needSync {
			own = p.node
		}
	}
	p.mu.Unlock()
	if !playing {
		return Lyrics{}, ErrNothingPlaying
	}
	if e, ok := m.lyricsCache.Get(cur.Encoded); ok {
		if e.none {
			return Lyrics{}, ErrNoLyrics
		}
		e.lyrics.Track = cur
		return e.lyrics, nil
	}
	var (
		nl  node.Lyrics
		err error
	)
	switch ln := m.lyricsNode(own); {
	case ln == nil:
		return Lyrics{}, fmt.Errorf("%w: no connected node has the LavaLyrics plugin", ErrLyricsUnavailable)
	case ln == own:
		nl, err = ln.client.PlayerLyrics(ctx, guild, false)
	default:
		nl, err = ln.client.TrackLyrics(ctx, cur.Encoded, false)
	}
	switch {
	case err == nil:
		l := lyricsFromNode(cur, nl)
		m.lyricsCache.Set(cur.Encoded, lyricsEntry{lyrics: l})
		return l, nil
	case errors.Is(err, node.ErrNoLyrics):
		m.lyricsCache.Set(cur.Encoded, lyricsEntry{none: true})
		return Lyrics{}, ErrNoLyrics
	case errors.Is(err, node.ErrNoLyricsSource):
		return Lyrics{}, fmt.Errorf("%w: the LavaLyrics plugin has no lyrics source", ErrLyricsUnavailable)
	case errors.Is(err, node.ErrNoTrack):
		return Lyrics{}, ErrNothingPlaying
	}
	var ne *node.Error
	if errors.As(err, &ne) && ne.Status == 404 {
		// The route is missing: the plugin went away since the info.
		return Lyrics{}, fmt.Errorf("%w: %w", ErrLyricsUnavailable, err)
	}
	return Lyrics{}, nodeErr(err)
}

// lyricsNode returns the node to ask for lyrics: own when it is healthy
// and has the plugin, otherwise the healthy node with the plugin and the
// lowest penalty; nil when none has it.
func (m *Manager) lyricsNode(own *lavaNode) *lavaNode {
	if own != nil && own.healthy() && own.client.HasPlugin(node.LyricsPluginName) {
		return own
	}
	var best *lavaNode
	bestPenalty := 0.0
	for _, ln := range m.nodes {
		if !ln.healthy() || !ln.client.HasPlugin(node.LyricsPluginName) {
			continue
		}
		if pen := ln.client.Penalty(); best == nil || pen < bestPenalty {
			best, bestPenalty = ln, pen
		}
	}
	return best
}

// lyricsBypass sends the LavaLyrics plugin's requests around the node's
// breaker: the plugin answers 500 when it has no lyrics source or a
// provider fails, which must not make the node count as down.
type lyricsBypass struct {
	guarded http.RoundTripper // through the breaker
	plain   http.RoundTripper
}

func (t lyricsBypass) RoundTrip(req *http.Request) (*http.Response, error) {
	if p := req.URL.Path; p == "/v4/lyrics" || strings.HasSuffix(p, "/track/lyrics") {
		return t.plain.RoundTrip(req)
	}
	return t.guarded.RoundTrip(req)
}
