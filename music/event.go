package music

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// Event is something that happened to a guild's playback. The set of
// events is closed: it is one of [TrackQueued], [TrackStarted],
// [TrackEnded], [QueueEnded], [SettingsUpdated], [PlayerMoved],
// [SessionEnded], [HealAttempted], [SkipVoteUpdated], [SkipVoteEnded]
// and [TracksRemoved], which subscribers tell apart with a type switch.
// Every event encodes to JSON with a type tag ([MarshalEvent]), so it
// can cross processes.
type Event interface {
	// Guild is the guild the event happened in.
	Guild() snowflake.ID
	// Type names the event; it is the tag in the JSON form.
	Type() EventType
	sealed()
}

// EventType names an event type in JSON.
type EventType string

// Event types.
const (
	TypeTrackQueued     EventType = "trackQueued"
	TypeTrackStarted    EventType = "trackStarted"
	TypeTrackEnded      EventType = "trackEnded"
	TypeQueueEnded      EventType = "queueEnded"
	TypeSettingsUpdated EventType = "settingsUpdated"
	TypePlayerMoved     EventType = "playerMoved"
	TypeSessionEnded    EventType = "sessionEnded"
	TypeHealAttempted   EventType = "healAttempted"
)

// String returns the type name.
func (t EventType) String() string { return string(t) }

// TrackEndReason is why a track ended, with Lavalink's names, so a
// Lavalink reason converts with TrackEndReason(reason).
type TrackEndReason string

// Track end reasons.
const (
	EndFinished   TrackEndReason = "finished"   // played to the end
	EndLoadFailed TrackEndReason = "loadFailed" // could not be played
	EndStopped    TrackEndReason = "stopped"    // stopped by a command
	EndReplaced   TrackEndReason = "replaced"   // another track started
	EndCleanup    TrackEndReason = "cleanup"    // the player was destroyed
)

// MayStartNext reports whether the next track should start, which is so
// only when the track finished or failed to load; for the other reasons
// whoever ended the track already decided what comes next.
func (r TrackEndReason) MayStartNext() bool { return r == EndFinished || r == EndLoadFailed }

// String returns the reason name.
func (r TrackEndReason) String() string { return string(r) }

// LeaveReason is why a session ended.
type LeaveReason string

// Leave reasons.
const (
	LeaveCommand      LeaveReason = "command"      // someone told the bot to leave
	LeaveIdle         LeaveReason = "idle"         // nothing played for the idle timeout
	LeaveAlone        LeaveReason = "alone"        // everyone left the voice channel
	LeaveDisconnected LeaveReason = "disconnected" // Discord disconnected the bot
	LeaveFailed       LeaveReason = "failed"       // playback failed and could not recover
	// LeaveHandedOver: another instance of the bot took the guild over
	// (this one lost the guild's lease); the bot plays on from there.
	LeaveHandedOver LeaveReason = "handedOver"
)

// String returns the reason name.
func (r LeaveReason) String() string { return string(r) }

// TrackQueued says tracks were added to the queue.
type TrackQueued struct {
	GuildID snowflake.ID `json:"guildId"`
	// Track is the first track added.
	Track Track `json:"track"`
	// Count is how many tracks were added: 1, or a playlist's length.
	Count int `json:"count"`
	// Position is the queue position of Track.
	Position int       `json:"position"`
	At       time.Time `json:"at,omitzero"`
}

// TrackStarted says a track started playing.
type TrackStarted struct {
	GuildID snowflake.ID `json:"guildId"`
	Track   Track        `json:"track"`
	// Node is the Lavalink node playing it.
	Node string    `json:"node,omitempty"`
	At   time.Time `json:"at,omitzero"`
}

// TrackEnded says a track stopped playing.
type TrackEnded struct {
	GuildID snowflake.ID   `json:"guildId"`
	Track   Track          `json:"track"`
	Reason  TrackEndReason `json:"reason"`
	At      time.Time      `json:"at,omitzero"`
}

// QueueEnded says the last queued track ended and nothing follows.
type QueueEnded struct {
	GuildID snowflake.ID `json:"guildId"`
	At      time.Time    `json:"at,omitzero"`
}

// SettingsUpdated says a guild's settings changed.
type SettingsUpdated struct {
	GuildID  snowflake.ID `json:"guildId"`
	Settings Settings     `json:"settings"`
	At       time.Time    `json:"at,omitzero"`
}

// PlayerMoved says a guild's player moved to another Lavalink node, for
// example because its node was lost.
type PlayerMoved struct {
	GuildID snowflake.ID
	From    string // the node it left; "" when that node is gone
	To      string
	// Position is where the track resumed.
	Position time.Duration
	At       time.Time
}

// SessionEnded says the bot left a guild's voice channel and its session
// is over.
type SessionEnded struct {
	GuildID snowflake.ID `json:"guildId"`
	Reason  LeaveReason  `json:"reason"`
	At      time.Time    `json:"at,omitzero"`
}

// Guild implements [Event].
func (e TrackQueued) Guild() snowflake.ID { return e.GuildID }

// Guild implements [Event].
func (e TrackStarted) Guild() snowflake.ID { return e.GuildID }

// Guild implements [Event].
func (e TrackEnded) Guild() snowflake.ID { return e.GuildID }

// Guild implements [Event].
func (e QueueEnded) Guild() snowflake.ID { return e.GuildID }

// Guild implements [Event].
func (e SettingsUpdated) Guild() snowflake.ID { return e.GuildID }

// Guild implements [Event].
func (e PlayerMoved) Guild() snowflake.ID { return e.GuildID }

// Guild implements [Event].
func (e SessionEnded) Guild() snowflake.ID { return e.GuildID }

// Type implements [Event].
func (TrackQueued) Type() EventType { return TypeTrackQueued }

// Type implements [Event].
func (TrackStarted) Type() EventType { return TypeTrackStarted }

// Type implements [Event].
func (TrackEnded) Type() EventType { return TypeTrackEnded }

// Type implements [Event].
func (QueueEnded) Type() EventType { return TypeQueueEnded }

// Type implements [Event].
func (SettingsUpdated) Type() EventType { return TypeSettingsUpdated }

// Type implements [Event].
func (PlayerMoved) Type() EventType { return TypePlayerMoved }

// Type implements [Event].
func (SessionEnded) Type() EventType { return TypeSessionEnded }

func (TrackQueued) sealed()     {}
func (TrackStarted) sealed()    {}
func (TrackEnded) sealed()      {}
func (QueueEnded) sealed()      {}
func (SettingsUpdated) sealed() {}
func (PlayerMoved) sealed()     {}
func (SessionEnded) sealed()    {}

type playerMovedJSON struct {
	GuildID  snowflake.ID `json:"guildId"`
	From     string       `json:"from,omitempty"`
	To       string       `json:"to"`
	Position int64        `json:"position"`
	At       time.Time    `json:"at,omitzero"`
}

// MarshalJSON writes the position in milliseconds, like the other
// durations tunekit encodes.
func (e PlayerMoved) MarshalJSON() ([]byte, error) {
	return json.Marshal(playerMovedJSON{e.GuildID, e.From, e.To, toMillis(e.Position), e.At})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (e *PlayerMoved) UnmarshalJSON(data []byte) error {
	var w playerMovedJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*e = PlayerMoved{w.GuildID, w.From, w.To, fromMillis(w.Position), w.At}
	return nil
}

// ErrUnknownEvent is matched by [UnmarshalEvent]'s error for a type tag
// this package does not know, such as one a newer version publishes.
var ErrUnknownEvent = errors.New("music: unknown event type")

// ErrInvalidEvent is matched by [UnmarshalEvent]'s error for input that is
// not an encoded event.
var ErrInvalidEvent = errors.New("music: invalid event")

type eventEnvelope struct {
	Type  EventType       `json:"type"`
	Event json.RawMessage `json:"event"`
}

// MarshalEvent encodes e as {"type": e.Type(), "event": {...}}.
func MarshalEvent(e Event) ([]byte, error) {
	if e == nil {
		return nil, fmt.Errorf("music: marshal nil event: %w", ErrInvalidEvent)
	}
	body, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("music: marshal %s event: %w", e.Type(), err)
	}
	return json.Marshal(eventEnvelope{Type: e.Type(), Event: body})
}

// UnmarshalEvent decodes what [MarshalEvent] writes. An unknown type tag
// returns an error matching [ErrUnknownEvent], so a subscriber can skip
// events from a newer publisher; anything else that does not decode
// returns an error matching [ErrInvalidEvent].
func UnmarshalEvent(data []byte) (Event, error) {
	var env eventEnvelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("music: decode event: %v: %w", err, ErrInvalidEvent)
	}
	var (
		e   Event
		err error
	)
	switch env.Type {
	case TypeTrackQueued:
		e, err = decodeEvent[TrackQueued](env.Event)
	case TypeTrackStarted:
		e, err = decodeEvent[TrackStarted](env.Event)
	case TypeTrackEnded:
		e, err = decodeEvent[TrackEnded](env.Event)
	case TypeQueueEnded:
		e, err = decodeEvent[QueueEnded](env.Event)
	case TypeSettingsUpdated:
		e, err = decodeEvent[SettingsUpdated](env.Event)
	case TypePlayerMoved:
		e, err = decodeEvent[PlayerMoved](env.Event)
	case TypeSessionEnded:
		e, err = decodeEvent[SessionEnded](env.Event)
	case TypeHealAttempted:
		e, err = decodeEvent[HealAttempted](env.Event)
	case TypeSkipVoteUpdated:
		e, err = decodeEvent[SkipVoteUpdated](env.Event)
	case TypeSkipVoteEnded:
		e, err = decodeEvent[SkipVoteEnded](env.Event)
	case TypeTracksRemoved:
		e, err = decodeEvent[TracksRemoved](env.Event)
	default:
		t := string(env.Type)
		if len(t) > 32 {
			t = t[:32]
		}
		return nil, fmt.Errorf("music: decode event of type %q: %w", t, ErrUnknownEvent)
	}
	if err != nil {
		return nil, fmt.Errorf("music: decode %s event: %v: %w", env.Type, err, ErrInvalidEvent)
	}
	return e, nil
}

func decodeEvent[E Event](raw json.RawMessage) (Event, error) {
	var e E
	if len(raw) == 0 {
		return nil, errors.New("no event body")
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, err
	}
	return e, nil
}
