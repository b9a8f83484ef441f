package node

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors. Errors returned by a [Node] wrap or match one of these,
// so callers test them with [errors.Is].
var (
	// ErrInvalidConfig is matched by the error [New] returns for a bad
	// [Config].
	ErrInvalidConfig = errors.New("node: invalid config")
	// ErrClosed is returned by every method of a Node after [Node.Close].
	ErrClosed = errors.New("node: closed")
	// ErrStarted is returned by a second [Node.Start].
	ErrStarted = errors.New("node: already started")
	// ErrNotReady is returned by session-scoped calls (players, session)
	// while the node has no connected session: before the first ready,
	// and between a lost connection and the next ready.
	ErrNotReady = errors.New("node: not ready")
	// ErrNoReady describes a connection whose first frame was not a valid
	// ready op. The node drops such a connection and tries again.
	ErrNoReady = errors.New("node: first frame was not ready")
	// ErrInvalidGuild is returned for a zero guild ID.
	ErrInvalidGuild = errors.New("node: invalid guild id")
	// ErrInvalidUpdate is matched by every [*UpdateError]: a
	// [PlayerUpdate] that Lavalink would refuse, caught before sending.
	ErrInvalidUpdate = errors.New("node: invalid player update")
	// ErrPartialVoice is matched by an [*UpdateError] for a voice state
	// missing one of token, endpoint, sessionId and channelId.
	ErrPartialVoice = errors.New("node: partial voice state")
	// ErrInvalidResponse is matched when a response cannot be decoded or
	// has the wrong shape.
	ErrInvalidResponse = errors.New("node: invalid response")
	// ErrUnauthorized is matched by an [*Error] with status 401 or 403:
	// a missing or wrong password.
	ErrUnauthorized = errors.New("node: unauthorized")
	// ErrBadRequest is matched by an [*Error] with status 400.
	ErrBadRequest = errors.New("node: bad request")
	// ErrSessionNotFound is matched by Lavalink's 404 "Session not found":
	// the session id is unknown, expired, or paused awaiting a resume.
	ErrSessionNotFound = errors.New("node: session not found")
	// ErrPlayerNotFound is matched by Lavalink's 404 "Player not found".
	ErrPlayerNotFound = errors.New("node: player not found")
)

// Error is an HTTP error status from a Lavalink node, carrying the fields
// of Lavalink's error body when it sent one (401 and 403 come with an
// empty body). It matches [ErrUnauthorized], [ErrBadRequest],
// [ErrSessionNotFound] and [ErrPlayerNotFound] as its status and message
// say. Its text names the node, the request and Lavalink's message, never
// a credential.
type Error struct {
	// Node is the name of the node that answered.
	Node string
	// Method and Path are the request's, Path without the query.
	Method string
	Path   string
	// Status is the HTTP status code.
	Status int
	// Reason is the body's "error" field (the HTTP reason phrase), or
	// the standard phrase for Status when the body had none.
	Reason string
	// Message is the body's "message" field; empty without a body.
	Message string
	// Timestamp is the body's "timestamp"; zero without one.
	Timestamp time.Time
}

// Error returns "node NAME: METHOD PATH: STATUS REASON: MESSAGE".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("node ")
	b.WriteString(e.Node)
	b.WriteString(": ")
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(e.Path)
	b.WriteString(": ")
	b.WriteString(strconv.Itoa(e.Status))
	if e.Reason != "" {
		b.WriteByte(' ')
		b.WriteString(e.Reason)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is reports whether e matches target: [ErrUnauthorized] for 401 and 403,
// [ErrBadRequest] for 400, [ErrSessionNotFound], [ErrPlayerNotFound] or
// [ErrNoTrack] for a 404 whose message says so, and [ErrNoLyricsSource]
// for a 500 whose message says so.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
	case ErrBadRequest:
		return e.Status == http.StatusBadRequest
	case ErrSessionNotFound:
		return e.Status == http.StatusNotFound && containsFold(e.Message, "session not found")
	case ErrPlayerNotFound:
		return e.Status == http.StatusNotFound && containsFold(e.Message, "player not found")
	case ErrNoTrack:
		return e.Status == http.StatusNotFound && containsFold(e.Message, "no track playing")
	case ErrNoLyricsSource:
		return e.Status == http.StatusInternalServerError && containsFold(e.Message, "no lyrics managers registered")
	}
	return false
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), sub)
}

// UpdateError reports a [PlayerUpdate] that Lavalink would refuse. It is
// returned before anything is sent, matches [ErrInvalidUpdate], and also
// [ErrPartialVoice] when Field is "voice".
type UpdateError struct {
	// Field is the JSON key at fault: "track", "position", "endTime",
	// "volume", "filters" or "voice".
	Field string
	// Reason says what is wrong.
	Reason string
}

// Error returns "node: invalid player update: FIELD: REASON".
func (e *UpdateError) Error() string {
	return "node: invalid player update: " + e.Field + ": " + e.Reason
}

// Is reports whether target is [ErrInvalidUpdate], or [ErrPartialVoice]
// for a voice error.
func (e *UpdateError) Is(target error) bool {
	return target == ErrInvalidUpdate || (target == ErrPartialVoice && e.Field == "voice")
}
