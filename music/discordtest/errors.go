package discordtest

import (
	"errors"
	"fmt"
)

// Sentinel errors returned by the [Server] and its handles. Typed errors below
// match them with [errors.Is].
var (
	// ErrClosed is returned by every method once [Server.Close] has run.
	ErrClosed = errors.New("discordtest: server closed")

	// ErrNoSession means no gateway session covers the guild (the bot is not
	// connected, or no shard owns the guild), so an event could not be
	// delivered.
	ErrNoSession = errors.New("discordtest: no gateway session for the guild")

	// ErrUnknownGuild means a test named a guild the server does not have.
	ErrUnknownGuild = errors.New("discordtest: unknown guild")

	// ErrUnknownChannel means a test named a channel the guild does not have.
	ErrUnknownChannel = errors.New("discordtest: unknown channel")

	// ErrUnknownUser means a test named a user who is not a member of the
	// guild.
	ErrUnknownUser = errors.New("discordtest: unknown user")

	// ErrUnknownMessage means a [Button] is on a message the server does not
	// have, or that was deleted.
	ErrUnknownMessage = errors.New("discordtest: unknown message")

	// ErrUnknownCommand means a [Command] or [Autocomplete] names a command
	// the bot has not registered, globally or in the guild.
	ErrUnknownCommand = errors.New("discordtest: command not registered")

	// ErrUnknownComponent means a [Button] names a custom ID that is not an
	// enabled button on the message, which a Discord client cannot click.
	ErrUnknownComponent = errors.New("discordtest: no such enabled button on the message")

	// ErrInvalidOption means the options of a [Command] or [Autocomplete] do
	// not fit the registered command, which a Discord client would not send.
	// The concrete error is an [*OptionError].
	ErrInvalidOption = errors.New("discordtest: invalid command option")

	// ErrMissingPermissions means the user lacks the command's
	// default_member_permissions, so Discord would not offer the command.
	ErrMissingPermissions = errors.New("discordtest: user lacks the command's default member permissions")

	// ErrNotVoiceChannel is returned when a user is moved into a channel that
	// is not a voice or stage channel.
	ErrNotVoiceChannel = errors.New("discordtest: not a voice channel")

	// ErrInteractionExpired is returned by [Interaction.Response] when the bot
	// did not answer within the interaction deadline (3 s by default), after
	// which Discord shows "The application did not respond".
	ErrInteractionExpired = errors.New("discordtest: interaction expired without a response")

	// ErrNoReadyAfterHeartbeat is returned by [CloseClient] when the client
	// has a connected gateway but the server was started without
	// [WithReadyAfterHeartbeat], so disgo's first heartbeat may come after
	// its first dispatch and its heartbeat goroutine races with its read
	// loop. CloseClient still closes the client.
	ErrNoReadyAfterHeartbeat = errors.New("discordtest: CloseClient needs a server started WithReadyAfterHeartbeat")

	// ErrLateClose is returned by [CloseClient] when disgo sent more than
	// one heartbeat of its own on a connection: the client stayed connected
	// longer than one heartbeat interval after READY, and from its second
	// heartbeat on, disgo's heartbeat goroutine reads what its read loop
	// writes without synchronization. Lengthen [WithHeartbeatInterval] or
	// close the client sooner.
	ErrLateClose = errors.New("discordtest: disgo heartbeated more than once before CloseClient")
)

// OptionError describes why the options of a [Command] or [Autocomplete] do
// not fit the registered command. It matches [ErrInvalidOption].
type OptionError struct {
	Command string // the command name
	Option  string // the option path, e.g. "settings dj-role role"; empty for the command itself
	Reason  string
}

// Error implements error.
func (e *OptionError) Error() string {
	if e.Option == "" {
		return fmt.Sprintf("discordtest: /%s: %s", e.Command, e.Reason)
	}
	return fmt.Sprintf("discordtest: /%s option %q: %s", e.Command, e.Option, e.Reason)
}

// Is reports whether target is [ErrInvalidOption].
func (e *OptionError) Is(target error) bool { return target == ErrInvalidOption }
