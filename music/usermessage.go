package music

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// UserMessage returns a short sentence to show the user for an error a
// [Manager] command returned: what went wrong and, where there is one,
// what to do. It never contains the error's text, so no internal detail,
// node name, path or secret reaches users; an error it does not know
// gives a generic apology. UserMessage(nil) is "".
func UserMessage(err error) string {
	if err == nil {
		return ""
	}
	var (
		rl  *RateLimitedError
		qe  *QueryError
		pe  *PermissionError
		qf  *QueueFullError
		se  *SeekError
		ue  *UnsupportedError
		pos *PositionError
		re  *RangeError
		tl  *TrackTooLongError
		sh  *ShareError
		fe  *FilterError
	)
	switch {
	case errors.As(err, &rl):
		return "Slow down! Try again in " + roundUp(rl.RetryAfter) + "."
	case errors.As(err, &pe) && errors.Is(err, ErrNoPermission):
		return "You need the DJ role to do that."
	case errors.Is(err, ErrNotInVoice):
		return "Join my voice channel first."
	case errors.As(err, &qe):
		switch qe.Reason {
		case QueryEmpty:
			return "Tell me what to play: a song name or a link."
		case QueryTooLong:
			return fmt.Sprintf("That is too long; keep it under %d characters.", MaxQueryLength)
		case QueryHost:
			return "I can't play links from that site."
		case QueryScheme, QueryPath:
			return "I can only play web links and searches."
		}
		return "That doesn't look like a song name or a link I can play."
	case errors.Is(err, ErrTrackNotFound):
		return "I couldn't find anything to play for that."
	case errors.As(err, &qf) && qf.Max > 0:
		return fmt.Sprintf("The queue is full (%d tracks).", qf.Max)
	case errors.Is(err, ErrQueueFull):
		return "The queue is full."
	case errors.Is(err, ErrNotSeekable):
		return "This track can't be seeked."
	case errors.As(err, &se):
		return "That position is outside the track (" + FormatDuration(se.Length) + " long)."
	case errors.Is(err, ErrInvalidSeek):
		return "Give a time like 83, 1:23, 01:02:03 or 1h2m3s."
	case errors.Is(err, ErrHistoryEmpty):
		return "There is no previous track."
	case errors.Is(err, ErrNothingPlaying):
		return "Nothing is playing."
	case errors.Is(err, ErrAlreadyPaused):
		return "It's already paused."
	case errors.Is(err, ErrNotPaused):
		return "It's already playing."
	case errors.As(err, &tl):
		if tl.Stream {
			return "Live streams can't be queued here: tracks may be at most " + FormatDuration(tl.Max) + " long."
		}
		return "That track is " + FormatDuration(tl.Length) + " long; tracks may be at most " + FormatDuration(tl.Max) + " here."
	case errors.As(err, &sh):
		return fmt.Sprintf("You already have %d tracks queued, your share of the queue (%d). Let some play first.", sh.Queued, sh.Max)
	case errors.As(err, &pos):
		if pos.Len == 0 {
			return "The queue is empty."
		}
		return fmt.Sprintf("Pick a position from 1 to %d.", pos.Len)
	case errors.Is(err, ErrConflictingSettings):
		return "Loop and autoplay can't both be on; turn one off first."
	case errors.As(err, &re) && re.Setting == "max track length":
		return "The max track length must be at most " + FormatDuration(time.Duration(re.Max)*time.Second) + " (0 for no limit)."
	case errors.As(err, &re):
		return fmt.Sprintf("The %s must be between %d and %d.", re.Setting, re.Min, re.Max)
	case errors.As(err, &ue):
		if ue.Kind == "filter" {
			return "That effect isn't available right now."
		}
		return "That music source isn't available right now."
	case errors.Is(err, ErrUnknownPreset):
		return "I don't know that filter; pick one of the listed presets."
	case errors.As(err, &fe):
		return "Those " + fe.Filter + " settings are out of range."
	case errors.Is(err, ErrNoLyrics):
		return "I couldn't find lyrics for this track."
	case errors.Is(err, ErrLyricsUnavailable):
		return "Lyrics aren't available on this bot."
	case errors.Is(err, ErrVoiceTimeout):
		return "I couldn't join your voice channel. Check my permissions and try again."
	case errors.Is(err, ErrNotServed):
		return "Another instance of the bot is playing here. Please try again in a moment."
	case errors.Is(err, ErrVersionConflict):
		return "The queue just changed. Look at it again and retry."
	case errors.Is(err, ErrServiceUnavailable):
		return "The audio service is unavailable right now. Please try again in a moment."
	case errors.Is(err, ErrManagerClosed), errors.Is(err, ErrNotStarted):
		return "The music player is restarting. Please try again in a moment."
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "That took too long. Please try again."
	}
	return "Something went wrong. Please try again."
}

// roundUp formats d in whole seconds, at least one.
func roundUp(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	if s == 1 {
		return "1 second"
	}
	return fmt.Sprintf("%d seconds", s)
}

// FormatDuration writes d as m:ss, or h:mm:ss from an hour, rounded down
// to the second; a negative d is 0:00. It is how the package's messages
// show lengths and positions, and how music/disgobot shows them.
func FormatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	h, m, sec := s/3600, s/60%60, s%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, sec)
	}
	return fmt.Sprintf("%d:%02d", m, sec)
}

// LeaveMessage returns a short sentence telling users why the bot left,
// for a [SessionEnded] event: LeaveFailed, for one, is the message of a
// player stopped because its playback kept failing.
func LeaveMessage(r LeaveReason) string {
	switch r {
	case LeaveCommand:
		return "Left the voice channel. See you next time!"
	case LeaveIdle:
		return "Nothing was playing for a while, so I left the voice channel."
	case LeaveAlone:
		return "Everyone left, so I left the voice channel too."
	case LeaveDisconnected:
		return "I was disconnected from the voice channel."
	case LeaveFailed:
		return "Playback kept failing, so I stopped. Please try again later."
	case LeaveHandedOver:
		return "Another instance of the bot took over here; the music goes on."
	}
	return "Left the voice channel."
}
