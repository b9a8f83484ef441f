package music

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// SnapshotVersion is the schema version of the [Snapshot] this package
// writes. It grows when a change would make an older tunekit misread a
// snapshot; such a snapshot then fails to load with a
// [*SnapshotVersionError] instead of losing data silently.
const SnapshotVersion = 1

var (
	// ErrSnapshotNotFound is returned by [SessionStore.Load] for a guild
	// with no saved session.
	ErrSnapshotNotFound = errors.New("music: no saved session for this guild")
	// ErrSnapshotVersion is matched by the error of loading a snapshot
	// written by a newer schema than [SnapshotVersion].
	ErrSnapshotVersion = errors.New("music: snapshot from a newer schema version")
	// ErrInvalidSnapshot is matched by the error of decoding or restoring a
	// snapshot that is malformed or inconsistent.
	ErrInvalidSnapshot = errors.New("music: invalid snapshot")
)

// SnapshotVersionError is returned when a snapshot's schema is newer than
// this package understands, typically because a newer version of the bot
// wrote it. The stored snapshot is left as it is. It matches
// [ErrSnapshotVersion].
type SnapshotVersionError struct {
	Version   int // the snapshot's schema version
	Supported int // the newest this package reads: SnapshotVersion
}

// Error implements the error interface.
func (e *SnapshotVersionError) Error() string {
	return fmt.Sprintf("music: snapshot schema version %d is newer than the supported %d; upgrade tunekit to read it", e.Version, e.Supported)
}

// Is reports whether target is [ErrSnapshotVersion].
func (e *SnapshotVersionError) Is(target error) bool { return target == ErrSnapshotVersion }

// Snapshot is a guild's session as stored: everything needed to resume
// playback after a restart or on another Lavalink node, and nothing that
// belongs to the guild's [Settings].
//
// Durations are kept to the millisecond (Lavalink's unit) by the stores in
// this module, and times to the nanosecond.
type Snapshot struct {
	// Version is the schema version; 0 means SnapshotVersion, which is
	// what stores write for it.
	Version int
	GuildID snowflake.ID
	State   SessionState
	// Current is the loaded track, nil when none is.
	Current *Track
	// Position is where Current was at PositionAt. While playing, the
	// position now is Position + (now − PositionAt).
	Position   time.Duration
	PositionAt time.Time
	// Volume is the player's volume in percent.
	Volume int
	// Filters is the player's Lavalink filters object; nil when none.
	Filters        json.RawMessage
	VoiceChannelID snowflake.ID
	TextChannelID  snowflake.ID
	// Node is the name of the Lavalink node that was playing, and
	// NodeSessionID that node's session, which can be resumed while the
	// node keeps it.
	Node          string
	NodeSessionID string
	LastActivity  time.Time
	// Queue holds the upcoming tracks in order, History the played ones,
	// most recent first.
	Queue   []Track
	History []Track
}

// Paused reports whether the snapshot's track is paused.
func (s Snapshot) Paused() bool { return s.State == StatePaused }

// Clone returns a deep copy of s.
func (s Snapshot) Clone() Snapshot {
	if s.Current != nil {
		c := s.Current.Clone()
		s.Current = &c
	}
	s.Filters = cloneRaw(s.Filters)
	s.Queue = cloneTracks(s.Queue)
	s.History = cloneTracks(s.History)
	return s
}

func cloneTracks(ts []Track) []Track {
	if ts == nil {
		return nil
	}
	out := make([]Track, len(ts))
	for i := range ts {
		out[i] = ts[i].Clone()
	}
	return out
}

// Equal reports whether s and o hold the same session: times compare with
// [time.Time.Equal], raw JSON ignoring insignificant space, tracks with
// [Track.Equal], an empty and a nil slice are equal, and Version 0 equals
// SnapshotVersion.
func (s Snapshot) Equal(o Snapshot) bool {
	if s.version() != o.version() || s.GuildID != o.GuildID || s.State != o.State ||
		s.Position != o.Position || !s.PositionAt.Equal(o.PositionAt) ||
		s.Volume != o.Volume || !rawEqual(s.Filters, o.Filters) ||
		s.VoiceChannelID != o.VoiceChannelID || s.TextChannelID != o.TextChannelID ||
		s.Node != o.Node || s.NodeSessionID != o.NodeSessionID ||
		!s.LastActivity.Equal(o.LastActivity) {
		return false
	}
	if (s.Current == nil) != (o.Current == nil) || (s.Current != nil && !s.Current.Equal(*o.Current)) {
		return false
	}
	eq := func(a, b Track) bool { return a.Equal(b) }
	return slices.EqualFunc(s.Queue, o.Queue, eq) && slices.EqualFunc(s.History, o.History, eq)
}

func (s *Snapshot) version() int {
	if s.Version == 0 {
		return SnapshotVersion
	}
	return s.Version
}

// CheckVersion returns a [*SnapshotVersionError] when s was written by a
// newer schema. Stores that keep snapshots as Go values call it in Load;
// those that decode JSON get the check from [Snapshot.UnmarshalJSON].
func (s *Snapshot) CheckVersion() error {
	if s.Version > SnapshotVersion {
		return &SnapshotVersionError{Version: s.Version, Supported: SnapshotVersion}
	}
	return nil
}

// Snapshot captures the session for a [SessionStore]. The tracks are
// copies, but share their raw JSON bytes with the session's.
func (s *Session) Snapshot() Snapshot {
	snap := Snapshot{
		Version:        SnapshotVersion,
		GuildID:        s.guildID,
		State:          s.state,
		Position:       s.position,
		PositionAt:     s.positionAt,
		Volume:         s.volume,
		Filters:        s.filters,
		VoiceChannelID: s.voiceID,
		TextChannelID:  s.textID,
		Node:           s.node,
		NodeSessionID:  s.nodeSID,
		LastActivity:   s.activity,
		Queue:          s.queue.Tracks(),
		History:        s.queue.History(),
	}
	if cur, ok := s.Current(); ok {
		snap.Current = &cur
	}
	return snap
}

// RestoreSession rebuilds a session from a snapshot, with a queue
// configured by opts (the loop mode, autoplay and cap come from the
// guild's settings: call [Session.ApplySettings] next). Every track in the
// snapshot is restored, even past the queue cap; the history keeps the
// most recent tracks that fit.
//
// A snapshot from a newer schema returns a [*SnapshotVersionError]; an
// inconsistent one (unknown state, a playing state with no track, a volume
// out of range, filters that are not an object, guild 0) an error matching
// [ErrInvalidSnapshot].
func RestoreSession(snap Snapshot, opts ...QueueOption) (*Session, error) {
	if err := snap.CheckVersion(); err != nil {
		return nil, err
	}
	if err := snap.validate(); err != nil {
		return nil, err
	}
	filters, _ := normalizeFilters(snap.Filters) // validated above
	s := &Session{
		guildID:    snap.GuildID,
		state:      snap.State,
		position:   snap.Position,
		positionAt: snap.PositionAt,
		voiceID:    snap.VoiceChannelID,
		textID:     snap.TextChannelID,
		node:       snap.Node,
		nodeSID:    snap.NodeSessionID,
		volume:     snap.Volume,
		filters:    filters,
		activity:   snap.LastActivity,
		queue:      NewQueue(opts...),
	}
	if snap.Current != nil && (snap.State == StatePlaying || snap.State == StatePaused) {
		s.current = *snap.Current
		s.queue.started(s.current.Requester)
	}
	s.queue.tracks.reserve(len(snap.Queue))
	for _, t := range snap.Queue {
		s.queue.pushBackForce(t)
	}
	for _, t := range snap.History[:min(len(snap.History), s.queue.histMax)] {
		s.queue.history.pushBack(t)
	}
	return s, nil
}

func (s *Snapshot) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("music: snapshot of guild %v: "+format+": %w", append(append([]any{s.GuildID}, args...), ErrInvalidSnapshot)...)
	}
	switch {
	case s.GuildID == 0:
		return bad("guild ID is 0")
	case s.Version < 0:
		return bad("negative version %d", s.Version)
	case !s.State.valid():
		return bad("unknown state %v", s.State)
	case (s.State == StatePlaying || s.State == StatePaused) && s.Current == nil:
		return bad("state %v without a current track", s.State)
	case s.Volume < MinVolume || s.Volume > MaxVolume:
		return bad("volume %d outside %d–%d", s.Volume, MinVolume, MaxVolume)
	}
	if _, err := normalizeFilters(s.Filters); err != nil {
		return bad("filters are not a JSON object")
	}
	return nil
}
