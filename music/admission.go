package music

import (
	"errors"
	"fmt"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/metrics"
)

var (
	// ErrTrackTooLong is matched by a [*TrackTooLongError]: the track is
	// longer than the guild's [Settings.MaxTrackLength].
	ErrTrackTooLong = errors.New("music: track too long")
	// ErrShareExceeded is matched by a [*ShareError]: the user already has
	// their share of the queue ([Settings.MaxUserTracks]).
	ErrShareExceeded = errors.New("music: queue share exceeded")
)

// TrackTooLongError is returned by [Manager.Play] when the track, or
// every track of a playlist, is longer than the guild allows. It matches
// [ErrTrackTooLong].
type TrackTooLongError struct {
	// Length is the track's length; [math.MaxInt64] for a live stream.
	Length time.Duration
	// Max is the guild's [Settings.MaxTrackLength].
	Max time.Duration
	// Stream reports a live stream, whose length is unknown.
	Stream bool
}

// Error implements the error interface.
func (e *TrackTooLongError) Error() string {
	if e.Stream {
		return fmt.Sprintf("music: live streams are longer than the limit of %v", e.Max)
	}
	return fmt.Sprintf("music: track is %v long, over the limit of %v", e.Length, e.Max)
}

// Is reports whether target is [ErrTrackTooLong].
func (e *TrackTooLongError) Is(target error) bool { return target == ErrTrackTooLong }

// ShareError is returned by [Manager.Play] when the user already has as
// many tracks queued as their share of the queue allows. It matches
// [ErrShareExceeded].
type ShareError struct {
	// Queued is how many tracks the user has queued.
	Queued int
	// Max is how many they may have: [Settings.MaxUserTracks].
	Max int
}

// Error implements the error interface.
func (e *ShareError) Error() string {
	return fmt.Sprintf("music: user has %d tracks queued; the limit is %d", e.Queued, e.Max)
}

// Is reports whether target is [ErrShareExceeded].
func (e *ShareError) Is(target error) bool { return target == ErrShareExceeded }

// countRejected records the tracks a play request could not queue, one
// each, by reason.
func (m *Manager) countRejected(tooLongN, overShare int) {
	for range tooLongN {
		m.cfg.Metrics.TrackPlayRejected(metrics.RejectedTooLong)
	}
	for range overShare {
		m.cfg.Metrics.TrackPlayRejected(metrics.RejectedOverShare)
	}
}

// tooLong reports whether t is over limit (0: none). A live stream is.
func tooLong(t *Track, limit time.Duration) bool {
	return limit > 0 && (t.Info.IsStream || t.Info.Length > limit)
}

// admit applies the guild's limits to tracks user is adding to q: it
// drops those over the maximum track length and those past the user's
// share of the queue, given that the first track, when direct, plays at
// once without taking room. It returns what is left and how many were
// dropped for each reason, or an error when nothing is left.
func admit(st Settings, tracks []Track, q *Queue, user snowflake.ID, direct bool) (kept []Track, tooLongN, overShare int, err error) {
	if limit := st.MaxTrackLength(); limit > 0 {
		kept = tracks[:0:0]
		for i := range tracks {
			if !tooLong(&tracks[i], limit) {
				kept = append(kept, tracks[i])
			}
		}
		tooLongN = len(tracks) - len(kept)
		if len(kept) == 0 {
			t := tracks[0].Info
			return nil, tooLongN, 0, &TrackTooLongError{Length: t.Length, Max: limit, Stream: t.IsStream}
		}
	} else {
		kept = tracks
	}
	if most := st.MaxUserTracks(); most > 0 {
		queued := q.Requested(user)
		room := most - queued
		if direct {
			room++ // the first track plays at once
		}
		if room <= 0 {
			return nil, tooLongN, len(kept), &ShareError{Queued: queued, Max: most}
		}
		if len(kept) > room {
			overShare = len(kept) - room
			kept = kept[:room]
		}
	}
	return kept, tooLongN, overShare, nil
}
