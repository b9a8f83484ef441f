// Package music is the core of tunekit: the guilds, settings, queues,
// sessions, permissions and events of a Discord music bot, written so any
// frontend (a Discord library, an HTTP API, a test) can drive it.
//
// This part of the package is the domain. It does no I/O, reads no clock
// (methods that need the time take a now argument) and imports no Discord
// library: IDs are [snowflake.ID]s and results are plain values and typed
// errors. It knows Lavalink only through disgolink's wire types
// ([lavalink.Track]).
//
// # IDs
//
// [ParseID] turns user or payload text into a snowflake and rejects empty,
// zero, non-decimal, signed, zero-padded and over-long input with an
// [*InvalidIDError] matching [ErrInvalidID]. It accepts every non-zero
// 64-bit value, since that is what Discord can issue.
//
// # Tracks
//
// A [Track] is Lavalink's track (encoded string and info) plus its
// Requester and AddedAt. [TrackFromLavalink] and [Track.Lavalink] convert
// to and from disgolink's type keeping every field. Durations are
// [time.Duration] at Lavalink's millisecond precision; a stream's length,
// which Lavalink sends as the largest Java long, becomes the largest
// Duration and converts back unchanged. A Track's JSON form is Lavalink's
// track object plus "requester" and "addedAt".
//
// # Settings
//
// [Settings] is a comparable value with validated With methods. Its zero
// value is the defaults: volume 50 %, loop off, autoplay off, no DJ role,
// no announce channel, 24/7 mode off, a queue of at most 1,000 tracks.
// Loop and autoplay exclude each other: turning one on while the other is
// on returns a [*ConflictError] matching [ErrConflictingSettings]. A
// Settings remembers which values the guild chose, so stores keep only the
// choices and [Settings.WithDefaults] lets a bot override tunekit's
// defaults for guilds that chose nothing.
//
// # Queue
//
// A [Queue] holds the upcoming tracks and a bounded history of played
// ones (50 by default). It is a ring buffer: adding at either end and
// taking the next track are amortized O(1), and removing or moving shifts
// only the tracks between the two positions from the nearer end. Positions
// are 1-based everywhere, as users count, and a position that does not
// exist is a [*PositionError]. An add past the cap (1,000 by default)
// returns a [*QueueFullError]; a playlist that does not fit adds what fits
// and says how many were dropped. The buffer shrinks as the queue drains,
// so an emptied queue holds no memory. [Queue.Shuffle] is
// Fisher–Yates with a source that tests can inject ([WithShuffleSource]),
// and [Queue.Page] copies only the tracks of the page asked for.
//
// # Sessions
//
// A [Session] is a guild's playback state: idle, connecting, playing or
// paused, the current track with its last known position and when that was
// observed, the voice and text channels, the Lavalink node and its session
// ID, volume, filters, the loop and autoplay modes from the settings, and
// the queue. Its methods are pure state transitions; one called in a state
// that does not allow it returns a [*TransitionError] (matching
// [ErrNothingPlaying] when no track is loaded) and changes nothing.
// [Session.End] applies the loop modes when a track ends, [Session.Skip]
// and [Session.Previous] move through the queue and its history.
//
// # Permissions
//
// [Authorize] decides whether an [Actor] may perform an [Action] given
// the [Facts] of the guild: anyone in the bot's voice channel may queue
// and view; controls need the DJ role when one is set, or Admin, or being
// the only listener with the bot, and a requester may always skip or
// remove their own track; users outside the bot's voice channel control
// nothing. A denial is a [*PermissionError] matching [ErrNotInVoice] or
// [ErrNoPermission].
//
// # Events
//
// Events ([TrackQueued], [TrackStarted], [TrackEnded], [QueueEnded],
// [SettingsUpdated], [PlayerMoved], [SessionEnded]) are plain values.
// [MarshalEvent] and [UnmarshalEvent] encode them as JSON with a type tag,
// so they cross processes; an unknown tag from a newer publisher is
// [ErrUnknownEvent], which a subscriber can skip. An [EventBus] carries
// them; [Bus] is the in-process one: each subscriber has a goroutine and a
// bounded buffer (256 events by default), so a slow subscriber never
// blocks a publisher, and what it cannot take is dropped and counted.
// music/redisstore has a Redis pub/sub bus for bots running as several
// processes.
//
// # Stores
//
// [SettingsStore] and [SessionStore] are the interfaces the player
// persists through. A guild with no stored settings gets the defaults, not
// an error. A session is stored as a [Snapshot], which carries a schema
// version: loading one written by a newer schema returns a
// [*SnapshotVersionError] and leaves it stored, so a rollback never
// silently loses data. [MemoryStore] keeps everything in memory;
// music/boltstore keeps it in one file (the default for one machine) and
// music/redisstore in Redis (for many shards or instances).
// music/storetest is the conformance suite every store passes, and that
// bot authors can run against their own.
//
// # Encoding
//
// Every type that is stored or sent has one JSON form, used by all the
// stores and buses in this module: a [Track] is Lavalink's track object
// plus "requester" and "addedAt"; [Settings] holds only the values the
// guild chose; a [Snapshot] starts with its "version", so
// [SnapshotVersionOf] can read it before anything else; events are
// {"type": …, "event": {…}}. IDs are strings (no precision lost in
// JavaScript or Lua), durations integer milliseconds and times RFC 3339.
// Encoding and decoding use encoding/json on unexported wire structs;
// tracks and snapshots are written without HTML escaping, so a title such
// as "Rock & Roll" is stored as it reads. Tests pin the stored forms byte
// for byte. A track's JSON never holds a raw newline, so stores may keep
// one track per line.
//
// # Concurrency
//
// [Settings], [Track], [Snapshot] and the events are values. [Queue] and
// [Session] are not safe for concurrent use: the player serializes the
// commands of a guild and owns its session. [Bus] and [MemoryStore] are
// safe for concurrent use.
package music
