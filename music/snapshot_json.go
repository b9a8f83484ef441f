package music

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// snapshotJSON is a Snapshot on the wire. "version" is written first, so
// a reader can check it before decoding anything else; the scalars come
// before the tracks. The field order is the key order of stored data.
type snapshotJSON struct {
	Version        int             `json:"version"`
	GuildID        snowflake.ID    `json:"guildId"`
	State          SessionState    `json:"state"`
	Position       int64           `json:"position"`
	Volume         int             `json:"volume"`
	VoiceChannelID snowflake.ID    `json:"voiceChannelId,omitzero"`
	TextChannelID  snowflake.ID    `json:"textChannelId,omitzero"`
	Node           string          `json:"node,omitempty"`
	NodeSessionID  string          `json:"nodeSessionId,omitempty"`
	Current        *trackJSON      `json:"current,omitempty"`
	PositionAt     time.Time       `json:"positionAt,omitzero"`
	LastActivity   time.Time       `json:"lastActivity,omitzero"`
	Filters        json.RawMessage `json:"filters,omitempty"`
	Queue          []trackJSON     `json:"queue,omitempty"`
	History        []trackJSON     `json:"history,omitempty"`
}

// MarshalJSON encodes s as a JSON object whose first key is "version"
// (0 is written as [SnapshotVersion]). Tracks are encoded as
// [Track.MarshalJSON] does; durations are integer milliseconds and times
// RFC 3339. An unknown State is an error matching [ErrInvalidSnapshot].
func (s Snapshot) MarshalJSON() ([]byte, error) {
	w := snapshotJSON{
		Version:        s.version(),
		GuildID:        s.GuildID,
		State:          s.State,
		Position:       toMillis(s.Position),
		Volume:         s.Volume,
		VoiceChannelID: s.VoiceChannelID,
		TextChannelID:  s.TextChannelID,
		Node:           s.Node,
		NodeSessionID:  s.NodeSessionID,
		PositionAt:     s.PositionAt,
		LastActivity:   s.LastActivity,
		Filters:        s.Filters,
		Queue:          tracksToJSON(s.Queue),
		History:        tracksToJSON(s.History),
	}
	if s.Current != nil {
		cur := s.Current.wire()
		w.Current = &cur
	}
	b, err := marshal(w)
	if err != nil {
		return nil, fmt.Errorf("music: encode snapshot of guild %v: %w", s.GuildID, err)
	}
	return b, nil
}

// UnmarshalJSON decodes what MarshalJSON writes. It reads the version
// first: a newer one returns a [*SnapshotVersionError] without looking at
// the rest, which a newer schema may have changed. A missing or malformed
// version, and any other decoding failure, returns an error matching
// [ErrInvalidSnapshot]. On error s is unchanged.
func (s *Snapshot) UnmarshalJSON(data []byte) error {
	v, err := SnapshotVersionOf(data)
	if err != nil {
		return err
	}
	if v > SnapshotVersion {
		return &SnapshotVersionError{Version: v, Supported: SnapshotVersion}
	}
	var w snapshotJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("music: decode snapshot: %v: %w", err, ErrInvalidSnapshot)
	}
	*s = w.snapshot()
	return nil
}

func (w *snapshotJSON) snapshot() Snapshot {
	var cur *Track
	if w.Current != nil {
		t := w.Current.track()
		cur = &t
	}
	return Snapshot{
		Version:        w.Version,
		GuildID:        w.GuildID,
		State:          w.State,
		Current:        cur,
		Position:       fromMillis(w.Position),
		PositionAt:     w.PositionAt,
		Volume:         w.Volume,
		Filters:        w.Filters,
		VoiceChannelID: w.VoiceChannelID,
		TextChannelID:  w.TextChannelID,
		Node:           w.Node,
		NodeSessionID:  w.NodeSessionID,
		LastActivity:   w.LastActivity,
		Queue:          tracksFromJSON(w.Queue),
		History:        tracksFromJSON(w.History),
	}
}

var versionPrefix = []byte(`{"version":`)

// SnapshotVersionOf reads the schema version of an encoded snapshot
// without decoding the rest when, as [Snapshot.MarshalJSON] writes it,
// "version" is the first key. It returns an error matching
// [ErrInvalidSnapshot] when the version is missing or not a positive
// integer.
func SnapshotVersionOf(data []byte) (int, error) {
	if rest, ok := bytes.CutPrefix(data, versionPrefix); ok {
		end := 0
		for end < len(rest) && end < 10 && rest[end] >= '0' && rest[end] <= '9' {
			end++
		}
		if end > 0 && end < len(rest) && (rest[end] == ',' || rest[end] == '}') {
			v, err := strconv.Atoi(string(rest[:end]))
			if err == nil && v > 0 {
				return v, nil
			}
		}
	}
	var probe struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return 0, fmt.Errorf("music: decode snapshot: %v: %w", err, ErrInvalidSnapshot)
	}
	if probe.Version == nil || *probe.Version <= 0 {
		return 0, fmt.Errorf("music: decode snapshot: no positive version: %w", ErrInvalidSnapshot)
	}
	return *probe.Version, nil
}

func tracksToJSON(ts []Track) []trackJSON {
	if len(ts) == 0 {
		return nil
	}
	out := make([]trackJSON, len(ts))
	for i := range ts {
		out[i] = ts[i].wire()
	}
	return out
}

func tracksFromJSON(ws []trackJSON) []Track {
	if len(ws) == 0 {
		return nil
	}
	out := make([]Track, len(ws))
	for i := range ws {
		out[i] = ws[i].track()
	}
	return out
}
