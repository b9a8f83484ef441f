package music

import (
	"bytes"
	"encoding/json"
	"math"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

// Track is a playable track as Lavalink describes it, plus who queued it
// and when. Encoded is Lavalink's opaque track string and is what a node
// is asked to play; the rest is for people and for the queue.
//
// A Track converts to and from disgolink's [lavalink.Track] with
// [TrackFromLavalink] and [Track.Lavalink].
type Track struct {
	// Encoded is the base64 track string Lavalink issued.
	Encoded string
	// Info describes the track.
	Info TrackInfo
	// PluginInfo is the JSON object Lavalink plugins attach to the track,
	// kept as it came.
	PluginInfo json.RawMessage
	// UserData is the JSON object a client attached to the track when it
	// asked Lavalink to play it.
	UserData json.RawMessage
	// Requester is the user who queued the track; 0 for tracks tunekit
	// queued itself (autoplay).
	Requester snowflake.ID
	// AddedAt is when the track was queued.
	AddedAt time.Time
	// Autoplay marks a track autoplay picked (its Requester is 0); a
	// frontend shows [AutoplayRequester] as who asked for it.
	Autoplay bool
}

// AutoplayRequester is the name frontends show as the requester of a
// track autoplay picked ([Track.Autoplay]).
const AutoplayRequester = "autoplay"

// TrackInfo is the part of a [Track] people read: Lavalink's track info
// object. Durations have Lavalink's millisecond precision; a stream's
// Length is Lavalink's "unknown" value, which converts to the largest
// [time.Duration].
type TrackInfo struct {
	Identifier string
	Title      string
	Author     string
	Length     time.Duration
	IsStream   bool
	IsSeekable bool
	// URI, ArtworkURL and ISRC are empty when Lavalink sends null.
	URI        string
	ArtworkURL string
	ISRC       string
	// SourceName names the Lavalink source manager: "youtube",
	// "soundcloud", "http" and so on.
	SourceName string
	// Position is where playback starts (or, in a track Lavalink reports
	// as playing, where it is).
	Position time.Duration
}

// TrackFromLavalink converts a Lavalink track. The conversion keeps every
// field: [Track.Lavalink] gives back an equal lavalink.Track, except that
// a pointer to an empty URI, artwork URL or ISRC comes back nil. disgolink's
// track info has no isSeekable field, so IsSeekable is set to !IsStream,
// which is how Lavalink's own source managers decide it.
func TrackFromLavalink(t lavalink.Track) Track {
	return Track{
		Encoded: t.Encoded,
		Info: TrackInfo{
			Identifier: t.Info.Identifier,
			Title:      t.Info.Title,
			Author:     t.Info.Author,
			Length:     fromMillis(int64(t.Info.Length)),
			IsStream:   t.Info.IsStream,
			IsSeekable: !t.Info.IsStream,
			URI:        deref(t.Info.URI),
			ArtworkURL: deref(t.Info.ArtworkURL),
			ISRC:       deref(t.Info.ISRC),
			SourceName: t.Info.SourceName,
			Position:   fromMillis(int64(t.Info.Position)),
		},
		PluginInfo: cloneRaw(json.RawMessage(t.PluginInfo)),
		UserData:   cloneRaw(json.RawMessage(t.UserData)),
	}
}

// Lavalink converts t to disgolink's track type, for sending to a node.
// Requester, AddedAt and IsSeekable have no place there and are left out.
//
// A nil UserData is sent as JSON null, which Lavalink 4.2 and later reject
// in a play request; set it to {} for tracks built by hand.
func (t Track) Lavalink() lavalink.Track {
	return lavalink.Track{
		Encoded: t.Encoded,
		Info: lavalink.TrackInfo{
			Identifier: t.Info.Identifier,
			Author:     t.Info.Author,
			Length:     lavalink.Duration(toMillis(t.Info.Length)),
			IsStream:   t.Info.IsStream,
			Title:      t.Info.Title,
			URI:        ref(t.Info.URI),
			SourceName: t.Info.SourceName,
			Position:   lavalink.Duration(toMillis(t.Info.Position)),
			ArtworkURL: ref(t.Info.ArtworkURL),
			ISRC:       ref(t.Info.ISRC),
		},
		PluginInfo: lavalink.RawData(cloneRaw(t.PluginInfo)),
		UserData:   lavalink.RawData(cloneRaw(t.UserData)),
	}
}

// Clone returns a copy of t that shares no memory with it.
func (t Track) Clone() Track {
	t.PluginInfo = cloneRaw(t.PluginInfo)
	t.UserData = cloneRaw(t.UserData)
	return t
}

// Equal reports whether t and u describe the same track queued by the same
// user at the same instant. Raw JSON is compared byte for byte after
// removing insignificant space, and times with [time.Time.Equal].
func (t Track) Equal(u Track) bool {
	return t.Encoded == u.Encoded &&
		t.Info == u.Info &&
		t.Requester == u.Requester &&
		t.AddedAt.Equal(u.AddedAt) &&
		t.Autoplay == u.Autoplay &&
		rawEqual(t.PluginInfo, u.PluginInfo) &&
		rawEqual(t.UserData, u.UserData)
}

// trackKey identifies a song for deduplication: the same identifier from
// the same source is the same song, whatever its start position or user
// data.
type trackKey struct{ source, id string }

func (t *Track) key() trackKey { return trackKey{t.Info.SourceName, t.Info.Identifier} }

// maxMillis is the largest millisecond count a time.Duration holds.
const maxMillis = math.MaxInt64 / int64(time.Millisecond)

// fromMillis converts Lavalink milliseconds, saturating at the limits of
// time.Duration so that a stream's length (Long.MAX_VALUE) survives a
// round trip through toMillis.
func fromMillis(ms int64) time.Duration {
	switch {
	case ms > maxMillis:
		return math.MaxInt64
	case ms < -maxMillis:
		return math.MinInt64
	}
	return time.Duration(ms) * time.Millisecond
}

func toMillis(d time.Duration) int64 {
	switch d {
	case math.MaxInt64:
		return math.MaxInt64
	case math.MinInt64:
		return math.MinInt64
	}
	return d.Milliseconds()
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ref(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func cloneRaw(b json.RawMessage) json.RawMessage {
	if b == nil {
		return nil
	}
	return append(json.RawMessage{}, b...)
}

// rawEqual compares two JSON texts ignoring insignificant space. nil and
// empty are equal to each other only.
func rawEqual(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	if bytes.Equal(a, b) {
		return true
	}
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return false
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}
