package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

// Player is a Lavalink player as the REST API reports it. It replaces
// disgolink's [lavalink.Player], whose voice state has no channelId and
// whose filters fail on the float rotationHz Lavalink prints.
type Player struct {
	GuildID snowflake.ID `json:"guildId"`
	// Track is the loaded track, with its live position in
	// Track.Info.Position, or nil.
	Track   *lavalink.Track      `json:"track"`
	Volume  int                  `json:"volume"`
	Paused  bool                 `json:"paused"`
	State   lavalink.PlayerState `json:"state"`
	Voice   Voice                `json:"voice"`
	Filters Filters              `json:"filters"`
}

// Voice is a player's Discord voice state. Lavalink 4.2 and later require
// all four fields; an update carries a complete Voice or none.
type Voice struct {
	Token     string
	Endpoint  string
	SessionID string
	ChannelID snowflake.ID
}

// Complete reports whether every field is set.
func (v Voice) Complete() bool { return len(v.missing()) == 0 }

// missing names the fields that are not set, by their JSON keys.
func (v Voice) missing() []string {
	var m []string
	if v.Token == "" {
		m = append(m, "token")
	}
	if v.Endpoint == "" {
		m = append(m, "endpoint")
	}
	if v.SessionID == "" {
		m = append(m, "sessionId")
	}
	if v.ChannelID == 0 {
		m = append(m, "channelId")
	}
	return m
}

type voiceWire struct {
	Token     string  `json:"token"`
	Endpoint  string  `json:"endpoint"`
	SessionID string  `json:"sessionId"`
	ChannelID *string `json:"channelId"`
}

// MarshalJSON writes Lavalink's voice object; a zero ChannelID is null.
func (v Voice) MarshalJSON() ([]byte, error) {
	w := voiceWire{Token: v.Token, Endpoint: v.Endpoint, SessionID: v.SessionID}
	if v.ChannelID != 0 {
		s := v.ChannelID.String()
		w.ChannelID = &s
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads Lavalink's voice object. A channelId that is
// absent (Lavalink before 4.2), null or "" leaves ChannelID zero.
func (v *Voice) UnmarshalJSON(data []byte) error {
	var w voiceWire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	var id snowflake.ID
	if w.ChannelID != nil && *w.ChannelID != "" {
		u, err := strconv.ParseUint(*w.ChannelID, 10, 64)
		if err != nil {
			return errors.New("voice channelId " + shortQuote(*w.ChannelID) + " is not a snowflake")
		}
		id = snowflake.ID(u)
	}
	*v = Voice{Token: w.Token, Endpoint: w.Endpoint, SessionID: w.SessionID, ChannelID: id}
	return nil
}

// Filters is Lavalink's filters object. It reuses disgolink's filter
// types except for two: [lavalink.Equalizer], which panics on a band
// number above 14 and loses band 0 when fewer than 15 bands arrive, is
// replaced by a list of [lavalink.EqBand], and [lavalink.Rotation], whose
// rotationHz is an int, by [Rotation]. A nil field is an unset filter.
// Sent in a [PlayerUpdate], Filters replaces all of the player's filters.
type Filters struct {
	Volume        *lavalink.Volume           `json:"volume,omitempty"`
	Equalizer     []lavalink.EqBand          `json:"equalizer,omitempty"`
	Karaoke       *lavalink.Karaoke          `json:"karaoke,omitempty"`
	Timescale     *lavalink.Timescale        `json:"timescale,omitempty"`
	Tremolo       *lavalink.Tremolo          `json:"tremolo,omitempty"`
	Vibrato       *lavalink.Vibrato          `json:"vibrato,omitempty"`
	Rotation      *Rotation                  `json:"rotation,omitempty"`
	Distortion    *lavalink.Distortion       `json:"distortion,omitempty"`
	ChannelMix    *lavalink.ChannelMix       `json:"channelMix,omitempty"`
	LowPass       *lavalink.LowPass          `json:"lowPass,omitempty"`
	PluginFilters map[string]json.RawMessage `json:"pluginFilters,omitempty"`
}

// Rotation is the rotation filter; Lavalink's rotationHz is a float.
type Rotation struct {
	RotationHz float64 `json:"rotationHz"`
}

// PlayerUpdate is the body of a player update (PATCH
// /v4/sessions/{session}/players/{guild}). Nil fields are left out, so
// they leave the player unchanged. It replaces disgolink's
// [lavalink.PlayerUpdate], which sends voice without channelId and
// "userData": null for a track without user data.
type PlayerUpdate struct {
	// Track, when set, starts a track (with noReplace, only if none is
	// playing), or with neither Encoded nor Identifier set, changes the
	// user data of the current track.
	Track *TrackUpdate
	// Stop stops the current track (sends "track": {"encoded": null}).
	// It cannot be combined with Track.
	Stop bool
	// Position seeks, or is the start of a new track; at least 0.
	Position *lavalink.Duration
	// EndTime is where the track is to end; above 0.
	EndTime *lavalink.Duration
	// Volume is 0 to 1000; 100 is unchanged volume.
	Volume *int
	// Paused pauses or resumes. A new track un-pauses unless Paused is
	// sent with it.
	Paused *bool
	// Filters replaces all filters.
	Filters *Filters
	// Voice connects the player; it must be complete.
	Voice *Voice
}

// TrackUpdate names the track a [PlayerUpdate] starts: Encoded (a track
// string from Lavalink) or Identifier (resolved by the node as loadtracks
// would, which must give exactly one track), never both. UserData, when
// set, is a JSON object attached to the track.
type TrackUpdate struct {
	Encoded    string
	Identifier string
	UserData   json.RawMessage
}

type trackUpdateWire struct {
	Encoded    json.RawMessage `json:"encoded,omitempty"`
	Identifier string          `json:"identifier,omitempty"`
	UserData   json.RawMessage `json:"userData,omitempty"`
}

type playerUpdateWire struct {
	Track    *trackUpdateWire   `json:"track,omitempty"`
	Position *lavalink.Duration `json:"position,omitempty"`
	EndTime  *lavalink.Duration `json:"endTime,omitempty"`
	Volume   *int               `json:"volume,omitempty"`
	Paused   *bool              `json:"paused,omitempty"`
	Filters  *Filters           `json:"filters,omitempty"`
	Voice    *voiceWire         `json:"voice,omitempty"`
}

// Validate reports, as an [*UpdateError], what Lavalink would refuse in
// u: a partial voice state, both or neither of a track's encoded string
// and identifier (without user data), user data that is not a JSON object,
// Stop with Track, a negative position, an end time at or below 0, a
// volume outside 0–1000, or an equalizer band outside 0–14.
func (u PlayerUpdate) Validate() error {
	if u.Stop && u.Track != nil {
		return &UpdateError{Field: "track", Reason: "Stop and Track are both set"}
	}
	if t := u.Track; t != nil {
		if t.Encoded != "" && t.Identifier != "" {
			return &UpdateError{Field: "track", Reason: "both encoded and identifier are set"}
		}
		if t.Encoded == "" && t.Identifier == "" && len(t.UserData) == 0 {
			return &UpdateError{Field: "track", Reason: "no encoded track, identifier or user data"}
		}
		if len(t.UserData) > 0 && !isObject(t.UserData) {
			return &UpdateError{Field: "track", Reason: "userData is not a JSON object"}
		}
	}
	if u.Position != nil && *u.Position < 0 {
		return &UpdateError{Field: "position", Reason: "negative"}
	}
	if u.EndTime != nil && *u.EndTime <= 0 {
		return &UpdateError{Field: "endTime", Reason: "not above 0"}
	}
	if u.Volume != nil && (*u.Volume < 0 || *u.Volume > 1000) {
		return &UpdateError{Field: "volume", Reason: strconv.Itoa(*u.Volume) + " is outside 0-1000"}
	}
	if u.Filters != nil {
		for _, b := range u.Filters.Equalizer {
			if b.Band < 0 || b.Band > 14 {
				return &UpdateError{Field: "filters", Reason: "equalizer band " + strconv.Itoa(b.Band) + " is outside 0-14"}
			}
		}
	}
	if u.Voice != nil {
		if m := u.Voice.missing(); len(m) > 0 {
			return &UpdateError{Field: "voice", Reason: "missing " + strings.Join(m, ", ")}
		}
	}
	return nil
}

// MarshalJSON validates u (see [PlayerUpdate.Validate]) and writes the
// request body.
func (u PlayerUpdate) MarshalJSON() ([]byte, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	w := playerUpdateWire{
		Position: u.Position,
		EndTime:  u.EndTime,
		Volume:   u.Volume,
		Paused:   u.Paused,
		Filters:  u.Filters,
	}
	switch {
	case u.Stop:
		w.Track = &trackUpdateWire{Encoded: json.RawMessage("null")}
	case u.Track != nil:
		w.Track = &trackUpdateWire{Identifier: u.Track.Identifier, UserData: u.Track.UserData}
		if u.Track.Encoded != "" {
			enc, err := json.Marshal(u.Track.Encoded)
			if err != nil {
				return nil, err
			}
			w.Track.Encoded = enc
		}
	}
	if v := u.Voice; v != nil {
		cid := v.ChannelID.String()
		w.Voice = &voiceWire{Token: v.Token, Endpoint: v.Endpoint, SessionID: v.SessionID, ChannelID: &cid}
	}
	return json.Marshal(w)
}

// isObject reports whether data is one valid JSON object.
func isObject(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && t[0] == '{' && json.Valid(data)
}
