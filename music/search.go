package music

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/disgoorg/snowflake/v2"
)

// MaxSearchResults is the most tracks [Manager.Search] returns: 25, the
// most choices Discord shows in an autocomplete.
const MaxSearchResults = 25

// Search resolves query on a node, as [Manager.Play] does, without
// playing anything: it is the source of a frontend's suggestions, such
// as those of Discord's autocomplete (music/disgobot uses it when the
// Manager is passed as its Searcher). The query is checked by
// [ParseQuery] with the configured search prefix and allowed hosts, and
// loaded on the healthy node with the lowest penalty that offers its
// source, through that node's breaker.
//
// It returns at most [MaxSearchResults] tracks: a search's first
// matches, a playlist's first tracks or the one track a link names, in
// the node's order, with no Requester. A query that matches nothing
// returns no tracks and a nil error, so that a caller can cache "no
// suggestions" like any other answer. Errors are Play's: a
// [*QueryError] (ErrInvalidQuery) for a query Play would refuse,
// [ErrServiceUnavailable] when no node can serve, an [*UnsupportedError]
// when no connected node offers the source, a [*LoadError]
// (ErrTrackNotFound) when the node fails the load, ErrInvalidID for
// guild 0, ErrNotStarted and ErrManagerClosed; ctx ends the wait.
//
// Search checks no permission and has no rate limit: autocomplete
// queries arrive with every keystroke, so the caller limits them (as
// music/disgobot does, per user) and caches the answers. It is traced
// like Play's load and counted in lavalink_request_duration_seconds,
// but not in command_duration_seconds.
func (m *Manager) Search(ctx context.Context, guild snowflake.ID, query string) ([]Track, error) {
	if err := m.begin(); err != nil {
		return nil, err
	}
	defer m.end()
	if guild == 0 {
		return nil, fmt.Errorf("music: search in guild 0: %w", ErrInvalidID)
	}
	ident, err := ParseQuery(query, m.cfg.SearchPrefix, m.cfg.AllowedHosts)
	if err != nil {
		return nil, err
	}
	ln, err := m.pickNode(sourceOf(ident), nil)
	if err != nil {
		return nil, err
	}
	tracks, _, err := m.loadFrom(ctx, ln, guild, ident)
	switch {
	case errors.Is(err, ErrTrackNotFound) && !errors.As(err, new(*LoadError)):
		return []Track{}, nil // loadType "empty"
	case err != nil:
		return nil, err
	case len(tracks) > MaxSearchResults:
		// A copy, so that a long playlist is not kept alive.
		return slices.Clone(tracks[:MaxSearchResults]), nil
	}
	return tracks, nil
}
