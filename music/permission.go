package music

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/disgoorg/snowflake/v2"
)

var (
	// ErrNotInVoice is matched by a denial because the actor is not in the
	// bot's voice channel (or, when the bot is in none, in any).
	ErrNotInVoice = errors.New("music: you must be in the bot's voice channel")
	// ErrNoPermission is matched by a denial because the action needs the
	// DJ role.
	ErrNoPermission = errors.New("music: you need the DJ role for this")
)

// Actor is who asks for an action: a Discord member as the frontend sees
// them at the time of the request.
type Actor struct {
	UserID  snowflake.ID
	RoleIDs []snowflake.ID
	// Admin is true for members who may manage the guild (the frontend
	// decides: Administrator or Manage Server, say).
	Admin bool
	// VoiceChannelID is the voice channel the member is in; 0 when none.
	VoiceChannelID snowflake.ID
}

// HasRole reports whether the actor has the role.
func (a Actor) HasRole(id snowflake.ID) bool { return slices.Contains(a.RoleIDs, id) }

// Action is something an [Actor] asks the player to do.
type Action uint8

// Actions. ActionPlay (adding to the queue) and ActionView (now playing,
// the queue, the settings) are open to listeners; the others are controls.
const (
	ActionView Action = iota
	ActionPlay
	ActionPause
	ActionResume
	ActionSkip
	ActionPrevious
	ActionStop
	ActionSeek
	ActionVolume
	ActionLoop
	ActionAutoplay
	ActionShuffle
	ActionClear
	ActionMove
	ActionRemove
	ActionLeave
	ActionSettings
	ActionFilter
	numActions
)

var actionNames = [...]string{
	ActionView: "view", ActionPlay: "play", ActionPause: "pause", ActionResume: "resume",
	ActionSkip: "skip", ActionPrevious: "previous", ActionStop: "stop", ActionSeek: "seek",
	ActionVolume: "volume", ActionLoop: "loop", ActionAutoplay: "autoplay", ActionShuffle: "shuffle",
	ActionClear: "clear", ActionMove: "move", ActionRemove: "remove", ActionLeave: "leave",
	ActionSettings: "settings", ActionFilter: "filter",
}

// String returns the action's lower-case name, such as "skip".
func (a Action) String() string {
	if a < numActions {
		return actionNames[a]
	}
	return fmt.Sprintf("Action(%d)", uint8(a))
}

// Control reports whether the action controls playback (or the settings),
// and so may need the DJ role.
func (a Action) Control() bool { return a != ActionView && a != ActionPlay }

// Facts are what [Authorize] needs to know about the guild besides the
// actor. The player fills them in from its session and settings.
type Facts struct {
	// BotVoiceChannelID is the voice channel the bot is in; 0 when none.
	BotVoiceChannelID snowflake.ID
	// Listeners is how many members other than bots are in the bot's
	// voice channel, the actor included if they are there.
	Listeners int
	// DJRoleID is the guild's DJ role ([Settings.DJRoleID]); 0 when none.
	DJRoleID snowflake.ID
	// Requester is who queued the track the action targets: the current
	// track for skip, the removed one for remove; 0 otherwise.
	Requester snowflake.ID
}

// PermissionError is a denial from [Authorize]. It matches (with
// [errors.Is]) its Reason, [ErrNotInVoice] or [ErrNoPermission].
type PermissionError struct {
	Action Action
	Reason error        // ErrNotInVoice or ErrNoPermission
	Role   snowflake.ID // the DJ role that would allow it; 0 for ErrNotInVoice
}

// Error implements the error interface.
func (e *PermissionError) Error() string {
	return "music: " + e.Action.String() + " denied: " + strings.TrimPrefix(e.Reason.Error(), "music: ")
}

// Unwrap returns the reason.
func (e *PermissionError) Unwrap() error { return e.Reason }

// Authorize decides whether actor may do action, returning nil when they
// may and a [*PermissionError] saying why not when they may not.
//
// The rules:
//   - Viewing is open to everyone.
//   - Playing (queueing) needs the actor in the bot's voice channel, or in
//     any voice channel when the bot is in none (it will join theirs).
//   - Controls (pause, resume, skip, previous, stop, seek, volume, loop,
//     autoplay, shuffle, clear, move, remove, leave, filter) need the actor in the
//     bot's voice channel, and, when the guild has a DJ role, one of: the
//     role, Admin, being the only listener with the bot, or (for skip and
//     remove) having requested the track.
//   - Changing settings needs the DJ role when there is one (or Admin, or
//     being the only listener), but not being in a voice channel.
func Authorize(actor Actor, action Action, f Facts) error {
	if action == ActionView {
		return nil
	}
	if action != ActionSettings && !inBotChannel(actor, f) {
		return &PermissionError{Action: action, Reason: ErrNotInVoice}
	}
	if action == ActionPlay || f.DJRoleID == 0 || actor.Admin || actor.HasRole(f.DJRoleID) {
		return nil
	}
	if f.BotVoiceChannelID != 0 && actor.VoiceChannelID == f.BotVoiceChannelID && f.Listeners == 1 {
		return nil // alone with the bot
	}
	if (action == ActionSkip || action == ActionRemove) && f.Requester != 0 && f.Requester == actor.UserID {
		return nil
	}
	return &PermissionError{Action: action, Reason: ErrNoPermission, Role: f.DJRoleID}
}

func inBotChannel(a Actor, f Facts) bool {
	if a.VoiceChannelID == 0 {
		return false
	}
	return f.BotVoiceChannelID == 0 || a.VoiceChannelID == f.BotVoiceChannelID
}
