package disgobot

import (
	"errors"

	"github.com/tunekit/tunekit/music"
)

// ErrInvalidConfig is matched by the error New returns for arguments or
// options it cannot use.
var ErrInvalidConfig = errors.New("disgobot: invalid configuration")

// ConfigError says what is wrong with the arguments or options of New.
// It matches [ErrInvalidConfig].
type ConfigError struct {
	Field  string // such as "Client" or "ProgressInterval"
	Reason string
}

// Error implements the error interface.
func (e *ConfigError) Error() string {
	return "disgobot: invalid configuration: " + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Errors of the adapter itself, answered to users like the Manager's.
var (
	errNotInGuild    = errors.New("disgobot: interaction outside a guild")
	errNotAdmin      = errors.New("disgobot: settings need the Manage Server permission")
	errStale         = errors.New("disgobot: button on an out-of-date message")
	errAlreadyPaused = errors.New("disgobot: already paused")
	errNotPaused     = errors.New("disgobot: not paused")
	errBadOption     = errors.New("disgobot: invalid command option")
	errUnknownRoute  = errors.New("disgobot: no handler for the interaction")
	errPanic         = errors.New("disgobot: handler panicked")
	errVoteOver      = errors.New("disgobot: vote button of a vote that is over")
	errEmptyLyrics   = errors.New("disgobot: lyrics without text")
)

// userMessage is the sentence a user sees for err: the adapter's own
// errors first, then [music.UserMessage].
func userMessage(err error) string {
	switch {
	case errors.Is(err, errNotInGuild):
		return msgNotInGuild
	case errors.Is(err, errNotAdmin):
		return msgNotAdmin
	case errors.Is(err, errStale):
		return msgStaleButton
	case errors.Is(err, errOldID):
		return msgOldButton
	case errors.Is(err, errInvalidID):
		return msgInvalidButton
	case errors.Is(err, errAlreadyPaused):
		return msgAlreadyPaused
	case errors.Is(err, errNotPaused):
		return msgNotPaused
	case errors.Is(err, errBadOption):
		return "That option is not valid."
	case errors.Is(err, errUnknownRoute):
		return msgUnknown
	case errors.Is(err, errVoteOver):
		return msgVoteOver
	case errors.Is(err, errEmptyLyrics):
		return msgNoLyricsText
	}
	return music.UserMessage(err)
}

// pauseError turns the Manager's "wrong state" answer to pause or resume
// into a sentence users understand; other errors pass through.
func pauseError(err error, pausing bool) error {
	if err == nil || errors.Is(err, music.ErrNothingPlaying) || !errors.Is(err, music.ErrInvalidTransition) {
		return err
	}
	if pausing {
		return errAlreadyPaused
	}
	return errNotPaused
}
