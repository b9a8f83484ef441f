package music

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Errors of the [Manager]'s commands. Each has a short message for users
// from [UserMessage]; the typed errors below match them with errors.Is.
// [ErrNotInVoice], [ErrNoPermission], [ErrQueueFull], [ErrNothingPlaying]
// and [ErrConflictingSettings] come from the domain.
var (
	// ErrRateLimited is matched by a [*RateLimitedError]: the user ran
	// the command too often.
	ErrRateLimited = errors.New("music: rate limited")
	// ErrInvalidQuery is matched by a [*QueryError]: the query is not a
	// link or search the Manager will hand to Lavalink.
	ErrInvalidQuery = errors.New("music: invalid query")
	// ErrTrackNotFound is returned when a query finds nothing, or what it
	// found cannot be loaded ([*LoadError]).
	ErrTrackNotFound = errors.New("music: no track found")
	// ErrServiceUnavailable is matched when no Lavalink node can serve
	// the guild: all are down, or the guild's node is lost and not yet
	// replaced, or its breaker is open.
	ErrServiceUnavailable = errors.New("music: audio service unavailable")
	// ErrVoiceTimeout is returned when Discord did not confirm a voice
	// join in time.
	ErrVoiceTimeout = errors.New("music: timed out joining the voice channel")
	// ErrUnsupported is matched by an [*UnsupportedError]: no connected
	// node offers what the command needs (a source or a filter).
	ErrUnsupported = errors.New("music: not supported by the audio nodes")
	// ErrInvalidSeek is matched by a [*SeekParseError]: a seek position
	// that is not a time.
	ErrInvalidSeek = errors.New("music: invalid seek position")
	// ErrManagerClosed is returned by every command after
	// [Manager.Close].
	ErrManagerClosed = errors.New("music: manager closed")
	// ErrNotStarted is returned by commands before [Manager.Start].
	ErrNotStarted = errors.New("music: manager not started")
)

// RateLimitedError is returned when the rate limiter refused a command.
// It matches [ErrRateLimited].
type RateLimitedError struct {
	Command string
	// RetryAfter is how long until the command would be allowed.
	RetryAfter time.Duration
}

// Error implements the error interface.
func (e *RateLimitedError) Error() string {
	return "music: " + e.Command + " rate limited; retry after " + e.RetryAfter.String()
}

// Is reports whether target is [ErrRateLimited].
func (e *RateLimitedError) Is(target error) bool { return target == ErrRateLimited }

// Query rejection reasons, the values of [QueryError.Reason].
const (
	QueryEmpty        = "empty"
	QueryTooLong      = "too long"
	QueryControlChars = "control characters"
	QueryBadEncoding  = "invalid UTF-8"
	QueryScheme       = "scheme not allowed"
	QueryHost         = "host not allowed"
	QueryPath         = "file path"
	QueryBadURL       = "malformed link"
)

// QueryError is returned for a query Play refuses. It matches
// [ErrInvalidQuery]. It does not repeat the query, which is the user's
// text.
type QueryError struct {
	// Reason is one of the Query constants, such as [QueryScheme].
	Reason string
}

// Error implements the error interface.
func (e *QueryError) Error() string { return "music: invalid query: " + e.Reason }

// Is reports whether target is [ErrInvalidQuery].
func (e *QueryError) Is(target error) bool { return target == ErrInvalidQuery }

// LoadError is returned when Lavalink failed to load what a query found
// (loadType "error"). It matches [ErrTrackNotFound].
type LoadError struct {
	// Message is Lavalink's message, for logs; it may name the source.
	Message string
	// Severity is Lavalink's: "common", "suspicious" or "fault".
	Severity string
}

// Error implements the error interface.
func (e *LoadError) Error() string {
	return "music: load failed (" + e.Severity + "): " + e.Message
}

// Is reports whether target is [ErrTrackNotFound].
func (e *LoadError) Is(target error) bool { return target == ErrTrackNotFound }

// UnsupportedError is returned when no connected node offers what a
// command needs. It matches [ErrUnsupported].
type UnsupportedError struct {
	// Kind is "source" or "filter".
	Kind string
	// Name is the source manager (such as "spotify") or filter (such as
	// "karaoke").
	Name string
}

// Error implements the error interface.
func (e *UnsupportedError) Error() string {
	return "music: no connected node offers the " + e.Kind + " " + strconv.Quote(e.Name)
}

// Is reports whether target is [ErrUnsupported].
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

// SeekParseError is returned by [ParseSeek] for text that is not a
// position. It matches [ErrInvalidSeek].
type SeekParseError struct {
	// Input is the text, cut to 32 bytes.
	Input string
}

// Error implements the error interface.
func (e *SeekParseError) Error() string {
	return fmt.Sprintf("music: invalid seek position %q: use 83, 1:23, 01:02:03 or 1h2m3s", e.Input)
}

// Is reports whether target is [ErrInvalidSeek].
func (e *SeekParseError) Is(target error) bool { return target == ErrInvalidSeek }

// unavailable wraps the cause of an unusable node so that the error
// matches ErrServiceUnavailable and keeps the cause for logs.
func unavailable(cause error) error {
	if cause == nil || errors.Is(cause, ErrServiceUnavailable) {
		if cause == nil {
			return ErrServiceUnavailable
		}
		return cause
	}
	return fmt.Errorf("%w: %w", ErrServiceUnavailable, cause)
}
