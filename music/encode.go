package music

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/disgoorg/snowflake/v2"
)

// The encoders in this file write the same JSON as encoding/json would for
// trackJSON and snapshotJSON (minus HTML escaping), appending to a buffer
// without reflection: saving a snapshot is on the player's hot path and
// encoding/json spends most of its time re-validating nested Marshaler
// output. Decoding stays with encoding/json on the same wire types, and
// tests hold the two to each other.

// AppendJSON appends t's JSON form, as MarshalJSON writes it, to dst. The
// output never contains a raw newline, so tracks can be stored one per
// line. It fails only when PluginInfo or UserData is not valid JSON or a
// time is outside the years 0 to 9999.
func (t *Track) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"encoded":`...)
	dst = appendString(dst, t.Encoded)
	dst = append(dst, `,"info":{"identifier":`...)
	dst = appendString(dst, t.Info.Identifier)
	dst = append(dst, `,"isSeekable":`...)
	dst = strconv.AppendBool(dst, t.Info.IsSeekable)
	dst = append(dst, `,"author":`...)
	dst = appendString(dst, t.Info.Author)
	dst = append(dst, `,"length":`...)
	dst = strconv.AppendInt(dst, toMillis(t.Info.Length), 10)
	dst = append(dst, `,"isStream":`...)
	dst = strconv.AppendBool(dst, t.Info.IsStream)
	dst = append(dst, `,"position":`...)
	dst = strconv.AppendInt(dst, toMillis(t.Info.Position), 10)
	dst = append(dst, `,"title":`...)
	dst = appendString(dst, t.Info.Title)
	if t.Info.URI != "" {
		dst = append(dst, `,"uri":`...)
		dst = appendString(dst, t.Info.URI)
	}
	if t.Info.ArtworkURL != "" {
		dst = append(dst, `,"artworkUrl":`...)
		dst = appendString(dst, t.Info.ArtworkURL)
	}
	if t.Info.ISRC != "" {
		dst = append(dst, `,"isrc":`...)
		dst = appendString(dst, t.Info.ISRC)
	}
	dst = append(dst, `,"sourceName":`...)
	dst = appendString(dst, t.Info.SourceName)
	dst = append(dst, '}')
	var err error
	if len(t.PluginInfo) > 0 {
		dst = append(dst, `,"pluginInfo":`...)
		if dst, err = appendRaw(dst, t.PluginInfo); err != nil {
			return dst, fmt.Errorf("music: track %q: pluginInfo: %w", t.Info.Identifier, err)
		}
	}
	if len(t.UserData) > 0 {
		dst = append(dst, `,"userData":`...)
		if dst, err = appendRaw(dst, t.UserData); err != nil {
			return dst, fmt.Errorf("music: track %q: userData: %w", t.Info.Identifier, err)
		}
	}
	if t.Requester != 0 {
		dst = append(dst, `,"requester":`...)
		dst = appendID(dst, t.Requester)
	}
	if !t.AddedAt.IsZero() {
		dst = append(dst, `,"addedAt":`...)
		if dst, err = appendTime(dst, t.AddedAt); err != nil {
			return dst, fmt.Errorf("music: track %q: addedAt: %w", t.Info.Identifier, err)
		}
	}
	return append(dst, '}'), nil
}

// MarshalJSON encodes t as a Lavalink track object with two more keys,
// "requester" and "addedAt" (RFC 3339), so the output is also accepted
// wherever Lavalink's track JSON is. Durations are integer milliseconds;
// empty strings among uri, artworkUrl and isrc, nil raw JSON and zero
// requester and addedAt are left out.
func (t Track) MarshalJSON() ([]byte, error) {
	return t.AppendJSON(make([]byte, 0, 512))
}

// AppendJSON appends s's JSON form, as MarshalJSON writes it, to dst.
func (s *Snapshot) AppendJSON(dst []byte) ([]byte, error) {
	dst = s.appendHeader(dst)
	var err error
	if s.Current != nil {
		dst = append(dst, `,"current":`...)
		if dst, err = s.Current.AppendJSON(dst); err != nil {
			return dst, err
		}
	}
	if dst, err = appendOptTime(dst, `,"positionAt":`, s.PositionAt); err != nil {
		return dst, err
	}
	if dst, err = appendOptTime(dst, `,"lastActivity":`, s.LastActivity); err != nil {
		return dst, err
	}
	if len(s.Filters) > 0 {
		dst = append(dst, `,"filters":`...)
		if dst, err = appendRaw(dst, s.Filters); err != nil {
			return dst, fmt.Errorf("music: snapshot filters: %w", err)
		}
	}
	if dst, err = appendTracks(dst, `,"queue":[`, s.Queue); err != nil {
		return dst, err
	}
	if dst, err = appendTracks(dst, `,"history":[`, s.History); err != nil {
		return dst, err
	}
	return append(dst, '}'), nil
}

// appendHeader writes the opening brace and the scalar fields, version
// first.
func (s *Snapshot) appendHeader(dst []byte) []byte {
	dst = append(dst, `{"version":`...)
	dst = strconv.AppendInt(dst, int64(s.version()), 10)
	dst = append(dst, `,"guildId":`...)
	dst = appendID(dst, s.GuildID)
	dst = append(dst, `,"state":`...)
	dst = appendString(dst, s.State.String())
	dst = append(dst, `,"position":`...)
	dst = strconv.AppendInt(dst, toMillis(s.Position), 10)
	dst = append(dst, `,"volume":`...)
	dst = strconv.AppendInt(dst, int64(s.Volume), 10)
	if s.VoiceChannelID != 0 {
		dst = append(dst, `,"voiceChannelId":`...)
		dst = appendID(dst, s.VoiceChannelID)
	}
	if s.TextChannelID != 0 {
		dst = append(dst, `,"textChannelId":`...)
		dst = appendID(dst, s.TextChannelID)
	}
	if s.Node != "" {
		dst = append(dst, `,"node":`...)
		dst = appendString(dst, s.Node)
	}
	if s.NodeSessionID != "" {
		dst = append(dst, `,"nodeSessionId":`...)
		dst = appendString(dst, s.NodeSessionID)
	}
	return dst
}

func appendTracks(dst []byte, key string, ts []Track) ([]byte, error) {
	if len(ts) == 0 {
		return dst, nil
	}
	dst = append(dst, key...)
	var err error
	for i := range ts {
		if i > 0 {
			dst = append(dst, ',')
		}
		if dst, err = ts[i].AppendJSON(dst); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}

func appendOptTime(dst []byte, key string, t time.Time) ([]byte, error) {
	if t.IsZero() {
		return dst, nil
	}
	dst = append(dst, key...)
	d, err := appendTime(dst, t)
	if err != nil {
		return dst, fmt.Errorf("music: snapshot %s %w", key[2:len(key)-2], err)
	}
	return d, nil
}

func appendID(dst []byte, id snowflake.ID) []byte {
	dst = append(dst, '"')
	dst = strconv.AppendUint(dst, uint64(id), 10)
	return append(dst, '"')
}

var errYear = errors.New("year outside [0,9999]")

// appendTime writes t as time.Time.MarshalJSON does.
func appendTime(dst []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); y < 0 || y > 9999 {
		return dst, errYear
	}
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"'), nil
}

// appendRaw appends raw JSON, compacted so it holds no newline, after
// checking it is valid.
func appendRaw(dst []byte, raw []byte) ([]byte, error) {
	if bytes.ContainsAny(raw, " \t\r\n") {
		buf := bytes.NewBuffer(dst)
		if err := json.Compact(buf, raw); err != nil {
			return dst, err
		}
		return buf.Bytes(), nil
	}
	if !json.Valid(raw) {
		return dst, errors.New("invalid JSON")
	}
	return append(dst, raw...), nil
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string the way encoding/json does with
// HTML escaping off: control characters, quote and backslash escaped,
// U+2028 and U+2029 escaped, invalid UTF-8 replaced by U+FFFD.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
