package lavalinktest

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/disgoorg/disgolink/v3/lavalink"
)

// ErrInvalidTrack is matched (with [errors.Is]) by every error of
// [EncodeTrack] and [DecodeTrack].
var ErrInvalidTrack = errors.New("lavalinktest: invalid track")

const (
	// trackInfoVersion is the message version lavaplayer writes today.
	trackInfoVersion = 3
	// flagVersioned marks a message whose body starts with a version byte.
	flagVersioned = 1
	// maxUTF is the byte limit of one Java writeUTF string.
	maxUTF = 65535
	// maxBody is the largest body a 30-bit message header can describe.
	maxBody = 1<<30 - 1
	// defaultProbe is the container probe written for http and local
	// tracks, whose lavaplayer source managers expect one.
	defaultProbe = "mp3"
)

// EncodeTrack returns the base64 lavaplayer message for info, in the
// version 3 layout every Lavalink v4 node writes: title, author, length,
// identifier, isStream, uri, artworkUrl, isrc (each optional string with a
// presence flag), sourceName, the source's own details and the position.
// Strings use Java's modified UTF-8, so U+0000 is written as C0 80 and
// characters above U+FFFF as two 3-byte surrogates; invalid UTF-8 bytes in
// a Go string are written as U+FFFD. The "http" and "local" sources get the
// container probe name "mp3" as their detail, the others none.
//
// It fails with [ErrInvalidTrack] when a string needs more than 65535
// bytes.
func EncodeTrack(info lavalink.TrackInfo) (string, error) {
	b := make([]byte, 4, 64+len(info.Title)+len(info.Author)+len(info.Identifier))
	b = append(b, trackInfoVersion)
	var err error
	field := func(name, s string) {
		if err == nil {
			b, err = appendUTF(b, s)
			if err != nil {
				err = fmt.Errorf("lavalinktest: encode track: %s: %w", name, err)
			}
		}
	}
	optional := func(name string, s *string) {
		if err != nil {
			return
		}
		if s == nil {
			b = append(b, 0)
			return
		}
		b = append(b, 1)
		field(name, *s)
	}
	field("title", info.Title)
	field("author", info.Author)
	b = binary.BigEndian.AppendUint64(b, uint64(info.Length))
	field("identifier", info.Identifier)
	b = append(b, boolByte(info.IsStream))
	optional("uri", info.URI)
	optional("artworkUrl", info.ArtworkURL)
	optional("isrc", info.ISRC)
	field("sourceName", info.SourceName)
	if hasProbe(info.SourceName) {
		field("probe", defaultProbe)
	}
	if err != nil {
		return "", err
	}
	b = binary.BigEndian.AppendUint64(b, uint64(info.Position))
	body := len(b) - 4
	if body > maxBody {
		return "", fmt.Errorf("lavalinktest: encode track: message of %d bytes: %w", body, ErrInvalidTrack)
	}
	binary.BigEndian.PutUint32(b, uint32(body)|flagVersioned<<30)
	return base64.StdEncoding.EncodeToString(b), nil
}

// DecodeTrack reads a base64 lavaplayer message as Lavalink does: the
// header's versioned flag selects a version byte (1 without it), version 2
// adds uri and version 3 artworkUrl and isrc. The source's details are
// skipped: none for most sources, one string (the container probe) for
// "http" and "local", and for any other source everything up to the
// position, which is then read from the last eight bytes of the message.
// Bytes after the message are ignored, as lavaplayer ignores them. Padding
// may be omitted from the base64 text.
//
// It fails with [ErrInvalidTrack] on bad base64, a truncated or malformed
// message, malformed modified UTF-8 or a version above 3.
func DecodeTrack(encoded string) (lavalink.TrackInfo, error) {
	raw, err := decodeBase64(encoded)
	if err != nil {
		return lavalink.TrackInfo{}, fmt.Errorf("lavalinktest: decode track: base64: %w", ErrInvalidTrack)
	}
	if len(raw) < 4 {
		return lavalink.TrackInfo{}, fmt.Errorf("lavalinktest: decode track: no message header: %w", ErrInvalidTrack)
	}
	header := binary.BigEndian.Uint32(raw)
	flags, size := header>>30, int(header&maxBody)
	if len(raw)-4 < size {
		return lavalink.TrackInfo{}, fmt.Errorf("lavalinktest: decode track: header announces %d bytes, %d present: %w", size, len(raw)-4, ErrInvalidTrack)
	}
	r := &reader{b: raw[4 : 4+size]}
	version := 1
	if flags&flagVersioned != 0 {
		version = int(r.byte("version"))
	}
	if r.err == nil && (version < 1 || version > trackInfoVersion) {
		return lavalink.TrackInfo{}, fmt.Errorf("lavalinktest: decode track: unsupported version %d: %w", version, ErrInvalidTrack)
	}
	var info lavalink.TrackInfo
	info.Title = r.utf("title")
	info.Author = r.utf("author")
	info.Length = lavalink.Duration(r.int64("length"))
	info.Identifier = r.utf("identifier")
	info.IsStream = r.byte("isStream") != 0
	if version >= 2 {
		info.URI = r.optional("uri")
	}
	if version >= 3 {
		info.ArtworkURL = r.optional("artworkUrl")
		info.ISRC = r.optional("isrc")
	}
	info.SourceName = r.utf("sourceName")
	switch {
	case r.err != nil:
	case hasProbe(info.SourceName):
		r.utf("probe")
	case !knownPlainSource(info.SourceName):
		if len(r.b) < 8 {
			r.fail("position")
		} else {
			r.b = r.b[len(r.b)-8:]
		}
	}
	info.Position = lavalink.Duration(r.int64("position"))
	if r.err != nil {
		return lavalink.TrackInfo{}, r.err
	}
	return info, nil
}

func decodeBase64(s string) ([]byte, error) {
	if len(s)%4 == 0 {
		return base64.StdEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// hasProbe reports whether lavaplayer's source manager for name writes a
// container probe string as its track detail.
func hasProbe(name string) bool { return name == "http" || name == "local" }

// knownPlainSource reports whether the source manager for name is known to
// write no track detail at all.
func knownPlainSource(name string) bool {
	switch name {
	case "youtube", "soundcloud", "bandcamp", "vimeo", "twitch", "nico":
		return true
	}
	return false
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// utfLen returns the length of s in modified UTF-8.
func utfLen(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r == 0:
			n += 2
		case r < 0x80:
			n++
		case r < 0x800:
			n += 2
		case r < 0x10000:
			n += 3
		default:
			n += 6
		}
	}
	return n
}

// appendUTF appends s as Java's DataOutput.writeUTF does: a big-endian
// uint16 byte count and the string's UTF-16 units in modified UTF-8.
func appendUTF(b []byte, s string) ([]byte, error) {
	n := utfLen(s)
	if n > maxUTF {
		return b, fmt.Errorf("%d bytes in modified UTF-8, more than %d: %w", n, maxUTF, ErrInvalidTrack)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	for _, r := range s {
		switch {
		case r != 0 && r < 0x80:
			b = append(b, byte(r))
		case r < 0x800:
			b = append(b, 0xC0|byte(r>>6), 0x80|byte(r&0x3F))
		case r < 0x10000:
			b = appendUnit3(b, r)
		default:
			hi, lo := utf16.EncodeRune(r)
			b = appendUnit3(appendUnit3(b, hi), lo)
		}
	}
	return b, nil
}

func appendUnit3(b []byte, u rune) []byte {
	return append(b, 0xE0|byte(u>>12), 0x80|byte(u>>6&0x3F), 0x80|byte(u&0x3F))
}

// reader reads a message body, keeping the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(field string) {
	if r.err == nil {
		r.err = fmt.Errorf("lavalinktest: decode track: truncated at %s: %w", field, ErrInvalidTrack)
	}
}

func (r *reader) take(field string, n int) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.b) < n {
		r.fail(field)
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) byte(field string) byte {
	if v := r.take(field, 1); v != nil {
		return v[0]
	}
	return 0
}

func (r *reader) int64(field string) int64 {
	if v := r.take(field, 8); v != nil {
		return int64(binary.BigEndian.Uint64(v))
	}
	return 0
}

func (r *reader) utf(field string) string {
	size := r.take(field, 2)
	if size == nil {
		return ""
	}
	data := r.take(field, int(binary.BigEndian.Uint16(size)))
	if r.err != nil {
		return ""
	}
	s, err := decodeModifiedUTF8(data)
	if err != nil {
		r.err = fmt.Errorf("lavalinktest: decode track: %s: %w", field, err)
	}
	return s
}

func (r *reader) optional(field string) *string {
	if r.byte(field) == 0 || r.err != nil {
		return nil
	}
	s := r.utf(field)
	return &s
}

// decodeModifiedUTF8 decodes data as Java's DataInput.readUTF does (one,
// two and three byte forms, continuation bytes checked, overlong forms
// accepted) and returns it as UTF-8, pairing surrogates and replacing
// unpaired ones with U+FFFD.
func decodeModifiedUTF8(data []byte) (string, error) {
	ascii := true
	for _, c := range data {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(data), nil
	}
	out := make([]byte, 0, len(data))
	var high rune = -1 // pending high surrogate
	flush := func() {
		if high >= 0 {
			out = utf8.AppendRune(out, utf8.RuneError)
			high = -1
		}
	}
	for i := 0; i < len(data); {
		c := data[i]
		var u rune
		switch c >> 4 {
		case 0, 1, 2, 3, 4, 5, 6, 7:
			u = rune(c)
			i++
		case 12, 13:
			if i+1 >= len(data) || data[i+1]&0xC0 != 0x80 {
				return "", fmt.Errorf("malformed modified UTF-8 at byte %d: %w", i, ErrInvalidTrack)
			}
			u = rune(c&0x1F)<<6 | rune(data[i+1]&0x3F)
			i += 2
		case 14:
			if i+2 >= len(data) || data[i+1]&0xC0 != 0x80 || data[i+2]&0xC0 != 0x80 {
				return "", fmt.Errorf("malformed modified UTF-8 at byte %d: %w", i, ErrInvalidTrack)
			}
			u = rune(c&0x0F)<<12 | rune(data[i+1]&0x3F)<<6 | rune(data[i+2]&0x3F)
			i += 3
		default:
			return "", fmt.Errorf("malformed modified UTF-8 at byte %d: %w", i, ErrInvalidTrack)
		}
		switch {
		case utf16.IsSurrogate(u) && u < 0xDC00:
			flush()
			high = u
		case utf16.IsSurrogate(u):
			if high >= 0 {
				out = utf8.AppendRune(out, utf16.DecodeRune(high, u))
				high = -1
			} else {
				out = utf8.AppendRune(out, utf8.RuneError)
			}
		default:
			flush()
			out = utf8.AppendRune(out, u)
		}
	}
	flush()
	return string(out), nil
}
