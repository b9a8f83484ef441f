package music

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// Defaults and limits of [Settings].
const (
	DefaultVolume         = 50
	MinVolume             = 0
	MaxVolume             = 200
	DefaultMaxQueueLength = 1000
	// QueueLengthLimit is the largest MaxQueueLength a guild may choose.
	QueueLengthLimit = 100_000
	// DefaultVoteSkipShare is the percentage of the listeners whose votes
	// skip a track unless a guild chooses another.
	DefaultVoteSkipShare = 50
	// MaxTrackLengthLimit is the longest MaxTrackLength a guild may
	// choose.
	MaxTrackLengthLimit = 24 * time.Hour
)

var (
	// ErrInvalidSetting is matched by the errors of Settings' With methods
	// and decoder when a value is out of range or unknown.
	ErrInvalidSetting = errors.New("music: invalid setting")
	// ErrConflictingSettings is matched by the error returned when loop and
	// autoplay would both be on. They exclude each other: loop decides what
	// plays after the last track, and so does autoplay.
	ErrConflictingSettings = errors.New("music: conflicting settings")
)

// RangeError is returned for a numeric setting outside its range. It
// matches [ErrInvalidSetting].
type RangeError struct {
	Setting  string // "volume", "max queue length"
	Value    int
	Min, Max int
}

// Error implements the error interface.
func (e *RangeError) Error() string {
	return fmt.Sprintf("music: %s must be between %d and %d, not %d", e.Setting, e.Min, e.Max, e.Value)
}

// Is reports whether target is [ErrInvalidSetting].
func (e *RangeError) Is(target error) bool { return target == ErrInvalidSetting }

// ConflictError is returned when a setting cannot be turned on because a
// setting that excludes it is on. It matches [ErrConflictingSettings].
type ConflictError struct {
	Enabling string // the setting being turned on: "loop" or "autoplay"
	Active   string // the setting in the way
}

// Error implements the error interface.
func (e *ConflictError) Error() string {
	return "music: cannot enable " + e.Enabling + " while " + e.Active + " is active; turn " + e.Active + " off first"
}

// Is reports whether target is [ErrConflictingSettings].
func (e *ConflictError) Is(target error) bool { return target == ErrConflictingSettings }

// LoopMode says what plays when a track ends.
type LoopMode uint8

// Loop modes.
const (
	LoopOff   LoopMode = iota // play the next track in the queue
	LoopTrack                 // play the same track again
	LoopQueue                 // put the finished track at the end of the queue
)

var loopNames = [...]string{LoopOff: "off", LoopTrack: "track", LoopQueue: "queue"}

// String returns "off", "track" or "queue".
func (m LoopMode) String() string {
	if int(m) < len(loopNames) {
		return loopNames[m]
	}
	return fmt.Sprintf("LoopMode(%d)", uint8(m))
}

func (m LoopMode) valid() bool { return m <= LoopQueue }

// ParseLoopMode parses the String form of a loop mode, ignoring case and
// surrounding space. Unknown text is an error matching [ErrInvalidSetting].
func ParseLoopMode(s string) (LoopMode, error) {
	t := strings.TrimSpace(s)
	for m, name := range loopNames {
		if strings.EqualFold(t, name) {
			return LoopMode(m), nil
		}
	}
	if len(t) > 32 {
		t = t[:32]
	}
	return 0, fmt.Errorf("music: loop mode %q is not off, track or queue: %w", t, ErrInvalidSetting)
}

// MarshalText encodes m as its String form.
func (m LoopMode) MarshalText() ([]byte, error) {
	if !m.valid() {
		return nil, fmt.Errorf("music: marshal %v: %w", m, ErrInvalidSetting)
	}
	return []byte(m.String()), nil
}

// UnmarshalText decodes the String form, as [ParseLoopMode] does.
func (m *LoopMode) UnmarshalText(b []byte) error {
	v, err := ParseLoopMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// settingField records which settings a guild has chosen.
type settingField uint16

const (
	setVolume settingField = 1 << iota
	setLoop
	setAutoplay
	setDJRole
	setAnnounce
	setStay
	setMaxQueue
	setFair
	setMaxTrack
	setUserShare
	setVoteShare
)

// Settings is one guild's preferences. It is a small comparable value:
// With methods return a changed copy and leave the receiver alone, and
// those that can fail validate their input, so a Settings built through
// them is always valid.
//
// The zero Settings is the default one: volume [DefaultVolume], loop off,
// autoplay off, no DJ role, no announce channel, leave when idle, queue
// capped at [DefaultMaxQueueLength], fair queue off, no limit on track
// length or on a user's share of the queue, and votes of
// [DefaultVoteSkipShare] percent of the listeners to skip. A Settings remembers which values the
// guild chose, so [Settings.WithDefaults] can apply a bot's own defaults
// to the rest, and stores keep only the choices.
type Settings struct {
	set               settingField // the values the guild chose
	has               settingField // the values held: chosen, or a bot's defaults
	volume            uint8
	loop              LoopMode
	autoplay          bool
	stayConnected     bool
	fairQueue         bool
	maxUserShare      uint8 // percent; 0: no limit
	voteSkipShare     uint8 // percent; held when has&setVoteShare
	djRoleID          snowflake.ID
	announceChannelID snowflake.ID
	maxQueueLength    int32
	maxTrackSeconds   int32 // 0: no limit
}

// DefaultSettings returns the settings of a guild that has chosen nothing:
// the zero Settings.
func DefaultSettings() Settings { return Settings{} }

// Volume is the playback volume in percent, 0 to 200.
func (s Settings) Volume() int {
	if s.has&setVolume == 0 {
		return DefaultVolume
	}
	return int(s.volume)
}

// WithVolume sets the volume in percent. Outside [MinVolume, MaxVolume] it
// returns a [*RangeError].
func (s Settings) WithVolume(percent int) (Settings, error) {
	if percent < MinVolume || percent > MaxVolume {
		return s, &RangeError{Setting: "volume", Value: percent, Min: MinVolume, Max: MaxVolume}
	}
	s.volume = uint8(percent)
	s.chose(setVolume)
	return s, nil
}

// Loop is the loop mode.
func (s Settings) Loop() LoopMode { return s.loop }

// WithLoop sets the loop mode. Turning loop on while autoplay is on returns
// a [*ConflictError]; an unknown mode returns an error matching
// [ErrInvalidSetting].
func (s Settings) WithLoop(m LoopMode) (Settings, error) {
	if !m.valid() {
		return s, fmt.Errorf("music: loop mode %d: %w", uint8(m), ErrInvalidSetting)
	}
	if m != LoopOff && s.autoplay {
		return s, &ConflictError{Enabling: "loop", Active: "autoplay"}
	}
	s.loop = m
	s.chose(setLoop)
	return s, nil
}

// Autoplay reports whether related tracks are queued when the queue runs
// out.
func (s Settings) Autoplay() bool { return s.autoplay }

// WithAutoplay turns autoplay on or off. Turning it on while loop is on
// returns a [*ConflictError].
func (s Settings) WithAutoplay(on bool) (Settings, error) {
	if on && s.loop != LoopOff {
		return s, &ConflictError{Enabling: "autoplay", Active: "loop"}
	}
	s.autoplay = on
	s.chose(setAutoplay)
	return s, nil
}

// DJRoleID is the role that may control playback; 0 when none is set, in
// which case everyone listening may.
func (s Settings) DJRoleID() snowflake.ID { return s.djRoleID }

// WithDJRoleID sets the DJ role; 0 removes it.
func (s Settings) WithDJRoleID(id snowflake.ID) Settings {
	s.djRoleID = id
	s.chose(setDJRole)
	return s
}

// AnnounceChannelID is the text channel where "now playing" messages go;
// 0 means the channel the command came from.
func (s Settings) AnnounceChannelID() snowflake.ID { return s.announceChannelID }

// WithAnnounceChannelID sets the announce channel; 0 removes it.
func (s Settings) WithAnnounceChannelID(id snowflake.ID) Settings {
	s.announceChannelID = id
	s.chose(setAnnounce)
	return s
}

// StayConnected reports whether the bot stays in the voice channel when
// idle or alone ("24/7" mode).
func (s Settings) StayConnected() bool { return s.stayConnected }

// WithStayConnected turns 24/7 mode on or off.
func (s Settings) WithStayConnected(on bool) Settings {
	s.stayConnected = on
	s.chose(setStay)
	return s
}

// MaxQueueLength is the most tracks the queue may hold.
func (s Settings) MaxQueueLength() int {
	if s.has&setMaxQueue == 0 {
		return DefaultMaxQueueLength
	}
	return int(s.maxQueueLength)
}

// WithMaxQueueLength sets the queue cap. Outside 1 to [QueueLengthLimit] it
// returns a [*RangeError].
func (s Settings) WithMaxQueueLength(n int) (Settings, error) {
	if n < 1 || n > QueueLengthLimit {
		return s, &RangeError{Setting: "max queue length", Value: n, Min: 1, Max: QueueLengthLimit}
	}
	s.maxQueueLength = int32(n)
	s.chose(setMaxQueue)
	return s, nil
}

// FairQueue reports whether the queue is fair: tracks play round-robin
// by requester, so that no one can bury everyone else's picks (see
// [Queue.SetFair]).
func (s Settings) FairQueue() bool { return s.fairQueue }

// WithFairQueue turns the fair queue on or off.
func (s Settings) WithFairQueue(on bool) Settings {
	s.fairQueue = on
	s.chose(setFair)
	return s
}

// MaxTrackLength is the longest track Play accepts; 0 means no limit.
// A live stream, whose length is unknown, is longer than any limit.
func (s Settings) MaxTrackLength() time.Duration {
	return time.Duration(s.maxTrackSeconds) * time.Second
}

// WithMaxTrackLength sets the longest track Play accepts, kept to the
// second (rounded down); 0 removes the limit. Outside 0 to
// [MaxTrackLengthLimit] it returns a [*RangeError] in seconds.
func (s Settings) WithMaxTrackLength(d time.Duration) (Settings, error) {
	if d < 0 || d > MaxTrackLengthLimit {
		return s, &RangeError{Setting: "max track length", Value: int(max(min(d/time.Second, 1<<31), -1<<31)), Min: 0, Max: int(MaxTrackLengthLimit / time.Second)}
	}
	s.maxTrackSeconds = int32(d / time.Second)
	s.chose(setMaxTrack)
	return s, nil
}

// MaxUserShare is the largest share of the queue one user's tracks may
// take, in percent of [Settings.MaxQueueLength]; 0 means no limit. See
// [Settings.MaxUserTracks] for the count it allows.
func (s Settings) MaxUserShare() int { return int(s.maxUserShare) }

// WithMaxUserShare sets the largest share of the queue one user's tracks
// may take, in percent of the queue cap; 0 removes the limit. Outside 0
// to 100 it returns a [*RangeError].
func (s Settings) WithMaxUserShare(percent int) (Settings, error) {
	if percent < 0 || percent > 100 {
		return s, &RangeError{Setting: "max user share", Value: percent, Min: 0, Max: 100}
	}
	s.maxUserShare = uint8(percent)
	s.chose(setUserShare)
	return s, nil
}

// MaxUserTracks is how many queued tracks one user may have: the
// [Settings.MaxUserShare] of [Settings.MaxQueueLength], rounded down but
// at least 1; 0 when there is no limit. The track playing does not count.
func (s Settings) MaxUserTracks() int {
	if s.maxUserShare == 0 {
		return 0
	}
	return max(1, s.MaxQueueLength()*int(s.maxUserShare)/100)
}

// VoteSkipShare is the percentage of the listeners in the bot's voice
// channel (bots excluded) whose votes skip a track, rounded up: with the
// default 50, two of three listeners, or two of four.
func (s Settings) VoteSkipShare() int {
	if s.has&setVoteShare == 0 {
		return DefaultVoteSkipShare
	}
	return int(s.voteSkipShare)
}

// WithVoteSkipShare sets the percentage of listeners needed to skip by
// vote. Outside 1 to 100 it returns a [*RangeError].
func (s Settings) WithVoteSkipShare(percent int) (Settings, error) {
	if percent < 1 || percent > 100 {
		return s, &RangeError{Setting: "vote skip share", Value: percent, Min: 1, Max: 100}
	}
	s.voteSkipShare = uint8(percent)
	s.chose(setVoteShare)
	return s, nil
}

// chose records that the guild chose the value f.
func (s *Settings) chose(f settingField) {
	s.set |= f
	s.has |= f
}

// WithDefaults returns s with every value the guild has not chosen taken
// from defaults. This is how a bot sets its own defaults (a volume of 30,
// say) without storing them for every guild. Should the result have loop
// and autoplay both on, the one the guild chose wins and the other is
// turned off.
//
// The result reads as the effective settings but still records only the
// guild's own choices: it encodes (and stores) as s does, and a later
// WithDefaults with other defaults replaces every value the guild did not
// choose. So a bot that changes its defaults changes them for every guild
// that never chose otherwise.
func (s Settings) WithDefaults(defaults Settings) Settings {
	out := defaults
	if s.set&setVolume != 0 {
		out.volume = s.volume
	}
	if s.set&setLoop != 0 {
		out.loop = s.loop
	}
	if s.set&setAutoplay != 0 {
		out.autoplay = s.autoplay
	}
	if s.set&setDJRole != 0 {
		out.djRoleID = s.djRoleID
	}
	if s.set&setAnnounce != 0 {
		out.announceChannelID = s.announceChannelID
	}
	if s.set&setStay != 0 {
		out.stayConnected = s.stayConnected
	}
	if s.set&setMaxQueue != 0 {
		out.maxQueueLength = s.maxQueueLength
	}
	if s.set&setFair != 0 {
		out.fairQueue = s.fairQueue
	}
	if s.set&setMaxTrack != 0 {
		out.maxTrackSeconds = s.maxTrackSeconds
	}
	if s.set&setUserShare != 0 {
		out.maxUserShare = s.maxUserShare
	}
	if s.set&setVoteShare != 0 {
		out.voteSkipShare = s.voteSkipShare
	}
	out.set = s.set
	out.has = defaults.has | s.set
	if out.loop != LoopOff && out.autoplay {
		if s.set&setLoop != 0 {
			out.autoplay = false
		} else {
			out.loop = LoopOff
		}
	}
	return out
}

// choices returns s holding only the values the guild chose; the others
// are tunekit's defaults again.
func (s Settings) choices() Settings { return s.WithDefaults(Settings{}) }

// String describes the effective settings, for logs.
func (s Settings) String() string {
	return fmt.Sprintf("volume=%d loop=%v autoplay=%t dj_role=%v announce_channel=%v stay_connected=%t max_queue_length=%d"+
		" fair_queue=%t max_track_length=%v max_user_share=%d vote_skip_share=%d",
		s.Volume(), s.Loop(), s.Autoplay(), s.DJRoleID(), s.AnnounceChannelID(), s.StayConnected(), s.MaxQueueLength(),
		s.FairQueue(), s.MaxTrackLength(), s.MaxUserShare(), s.VoteSkipShare())
}
