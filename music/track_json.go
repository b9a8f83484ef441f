package music

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// trackJSON is a Track on the wire: Lavalink's track object (so a stored
// track is also a valid Lavalink track) plus requester and addedAt.
type trackJSON struct {
	Encoded    string          `json:"encoded"`
	Info       trackInfoJSON   `json:"info"`
	PluginInfo json.RawMessage `json:"pluginInfo,omitempty"`
	UserData   json.RawMessage `json:"userData,omitempty"`
	Requester  snowflake.ID    `json:"requester,omitzero"`
	AddedAt    time.Time       `json:"addedAt,omitzero"`
	Autoplay   bool            `json:"autoplay,omitempty"`
}

type trackInfoJSON struct {
	Identifier string `json:"identifier"`
	IsSeekable bool   `json:"isSeekable"`
	Author     string `json:"author"`
	Length     int64  `json:"length"`
	IsStream   bool   `json:"isStream"`
	Position   int64  `json:"position"`
	Title      string `json:"title"`
	URI        string `json:"uri,omitempty"`
	ArtworkURL string `json:"artworkUrl,omitempty"`
	ISRC       string `json:"isrc,omitempty"`
	SourceName string `json:"sourceName"`
}

func (t *Track) wire() trackJSON {
	return trackJSON{
		Encoded: t.Encoded,
		Info: trackInfoJSON{
			Identifier: t.Info.Identifier,
			IsSeekable: t.Info.IsSeekable,
			Author:     t.Info.Author,
			Length:     toMillis(t.Info.Length),
			IsStream:   t.Info.IsStream,
			Position:   toMillis(t.Info.Position),
			Title:      t.Info.Title,
			URI:        t.Info.URI,
			ArtworkURL: t.Info.ArtworkURL,
			ISRC:       t.Info.ISRC,
			SourceName: t.Info.SourceName,
		},
		PluginInfo: t.PluginInfo,
		UserData:   t.UserData,
		Requester:  t.Requester,
		AddedAt:    t.AddedAt,
		Autoplay:   t.Autoplay,
	}
}

func (w *trackJSON) track() Track {
	return Track{
		Encoded: w.Encoded,
		Info: TrackInfo{
			Identifier: w.Info.Identifier,
			Title:      w.Info.Title,
			Author:     w.Info.Author,
			Length:     fromMillis(w.Info.Length),
			IsStream:   w.Info.IsStream,
			IsSeekable: w.Info.IsSeekable,
			URI:        w.Info.URI,
			ArtworkURL: w.Info.ArtworkURL,
			ISRC:       w.Info.ISRC,
			SourceName: w.Info.SourceName,
			Position:   fromMillis(w.Info.Position),
		},
		PluginInfo: w.PluginInfo,
		UserData:   w.UserData,
		Requester:  w.Requester,
		AddedAt:    w.AddedAt,
		Autoplay:   w.Autoplay,
	}
}

// MarshalJSON encodes t as a Lavalink track object with more keys,
// "requester", "addedAt" (RFC 3339) and "autoplay", so the output is
// also accepted wherever Lavalink's track JSON is. Durations are integer
// milliseconds; empty strings among uri, artworkUrl and isrc, nil raw
// JSON, a zero requester and addedAt, and a false autoplay are left out.
// The output never holds a raw newline, so tracks can be stored one per
// line. It fails only when
// PluginInfo or UserData is not valid JSON or AddedAt is outside the years
// 0 to 9999.
func (t Track) MarshalJSON() ([]byte, error) {
	b, err := marshal(t.wire())
	if err != nil {
		return nil, fmt.Errorf("music: encode track %q: %w", t.Info.Identifier, err)
	}
	return b, nil
}

// UnmarshalJSON decodes the form MarshalJSON writes, which includes a
// plain Lavalink track object. A null uri, artworkUrl or isrc becomes "".
// On error t is unchanged.
func (t *Track) UnmarshalJSON(data []byte) error {
	var w trackJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("music: decode track: %w", err)
	}
	*t = w.track()
	return nil
}

// marshal is json.Marshal without HTML escaping: a title such as
// "Rock & Roll" is stored as it reads. Raw JSON is compacted and newlines
// in strings escaped, so the output holds no raw newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}
