package lavalinktest

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/disgoorg/disgolink/v3/lavalink"
)

// docsTrack is the example of Lavalink's REST documentation, a version 2
// message.
const docsTrack = "QAAAjQIAJVJpY2sgQXN0bGV5IC0gTmV2ZXIgR29ubmEgR2l2ZSBZb3UgVXAADlJpY2tBc3RsZXlWRVZPAAAAAAADPCAAC2RRdzR3OVdnWGNRAAEAK2h0dHBzOi8vd3d3LnlvdXR1YmUuY29tL3dhdGNoP3Y9ZFF3NHc5V2dYY1EAB3lvdXR1YmUAAAAAAAAAAA=="

func strp(s string) *string { return &s }

func TestDecodeTrackDocsExample(t *testing.T) {
	got, err := DecodeTrack(docsTrack)
	if err != nil {
		t.Fatalf("DecodeTrack(docs example) error = %v", err)
	}
	want := lavalink.TrackInfo{
		Identifier: "dQw4w9WgXcQ",
		Author:     "RickAstleyVEVO",
		Length:     212000,
		Title:      "Rick Astley - Never Gonna Give You Up",
		URI:        strp("https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
		SourceName: "youtube",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeTrack(docs example) = %+v, want %+v", got, want)
	}
}

func TestEncodeTrackRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		info lavalink.TrackInfo
	}{
		{"plain", lavalink.TrackInfo{Identifier: "abc", Title: "Song", Author: "Band", Length: 180000, SourceName: "youtube"}},
		{"all optional fields", lavalink.TrackInfo{Identifier: "x", Title: "T", Author: "A", Length: 1, SourceName: "soundcloud",
			URI: strp("https://soundcloud.com/x"), ArtworkURL: strp("https://i/x.jpg"), ISRC: strp("USUM71703861"), Position: 42000}},
		{"empty optional strings", lavalink.TrackInfo{Identifier: "e", SourceName: "youtube", URI: strp(""), ArtworkURL: strp(""), ISRC: strp("")}},
		{"emoji and NUL", lavalink.TrackInfo{Identifier: "id\x00", Title: "Party 🎉🎶", Author: "Ünïcødé \x00 ✓", SourceName: "youtube"}},
		{"stream", lavalink.TrackInfo{Identifier: "live", Title: "Radio", IsStream: true, Length: 1<<63 - 1, SourceName: "twitch"}},
		{"http has a probe", lavalink.TrackInfo{Identifier: "https://x/a.mp3", Title: "a.mp3", Length: 5000, SourceName: "http", Position: 1200}},
		{"unknown plugin source", lavalink.TrackInfo{Identifier: "sp1", Title: "Plugin", Length: 9000, SourceName: "spotify", Position: 77}},
		{"CJK", lavalink.TrackInfo{Identifier: "jp", Title: "夜に駆ける", Author: "YOASOBI", SourceName: "youtube"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := EncodeTrack(tt.info)
			if err != nil {
				t.Fatalf("EncodeTrack(%+v) error = %v", tt.info, err)
			}
			if !strings.HasPrefix(enc, "QAAA") {
				t.Errorf("EncodeTrack(%+v) = %q, want the versioned header QAAA…", tt.info, enc)
			}
			got, err := DecodeTrack(enc)
			if err != nil {
				t.Fatalf("DecodeTrack(%q) error = %v", enc, err)
			}
			if !reflect.DeepEqual(got, tt.info) {
				t.Errorf("DecodeTrack(EncodeTrack(%+v)) = %+v", tt.info, got)
			}
		})
	}
}

// body returns the message body of an encoded track.
func body(t *testing.T, enc string) []byte {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		t.Fatal(err)
	}
	header := binary.BigEndian.Uint32(raw)
	if header>>30 != 1 || int(header&maxBody) != len(raw)-4 {
		t.Fatalf("header %08x does not describe a versioned body of %d bytes", header, len(raw)-4)
	}
	return raw[4:]
}

func TestEncodeTrackModifiedUTF8(t *testing.T) {
	tests := []struct {
		title string
		want  []byte
	}{
		{"A", []byte{0, 1, 'A'}},
		{"\x00", []byte{0, 2, 0xC0, 0x80}},
		{"é", []byte{0, 2, 0xC3, 0xA9}},
		{"€", []byte{0, 3, 0xE2, 0x82, 0xAC}},
		{"😀", []byte{0, 6, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80}},
		{"\xff", []byte{0, 3, 0xEF, 0xBF, 0xBD}},
	}
	for _, tt := range tests {
		enc, err := EncodeTrack(lavalink.TrackInfo{Title: tt.title, SourceName: "youtube"})
		if err != nil {
			t.Fatalf("EncodeTrack(title %q) error = %v", tt.title, err)
		}
		b := body(t, enc)
		if b[0] != 3 {
			t.Errorf("version byte = %d, want 3", b[0])
		}
		if got := b[1 : 1+len(tt.want)]; !bytes.Equal(got, tt.want) {
			t.Errorf("EncodeTrack(title %q) title bytes = % x, want % x", tt.title, got, tt.want)
		}
	}
}

func TestEncodeTrackLayout(t *testing.T) {
	info := lavalink.TrackInfo{Title: "t", Author: "a", Length: 0x0102, Identifier: "i", IsStream: true,
		URI: strp("u"), SourceName: "http", Position: 0x0304}
	enc, err := EncodeTrack(info)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{3, 0, 1, 't', 0, 1, 'a', 0, 0, 0, 0, 0, 0, 1, 2, 0, 1, 'i', 1,
		1, 0, 1, 'u', 0, 0, 0, 4, 'h', 't', 't', 'p', 0, 3, 'm', 'p', '3', 0, 0, 0, 0, 0, 0, 3, 4}
	if got := body(t, enc); !bytes.Equal(got, want) {
		t.Errorf("EncodeTrack(%+v) body = % x, want % x", info, got, want)
	}
}

func TestEncodeTrackTooLong(t *testing.T) {
	long := strings.Repeat("é", maxUTF/2+1)
	_, err := EncodeTrack(lavalink.TrackInfo{Title: long, SourceName: "youtube"})
	if !errors.Is(err, ErrInvalidTrack) {
		t.Errorf("EncodeTrack(title of %d bytes) error = %v, want ErrInvalidTrack", utfLen(long), err)
	}
	if _, err := EncodeTrack(lavalink.TrackInfo{Title: strings.Repeat("a", maxUTF), SourceName: "youtube"}); err != nil {
		t.Errorf("EncodeTrack(title of %d bytes) error = %v, want nil", maxUTF, err)
	}
}

// message builds a track message by hand.
func message(flags uint32, parts ...[]byte) string {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	out := binary.BigEndian.AppendUint32(nil, flags<<30|uint32(len(b)))
	return base64.StdEncoding.EncodeToString(append(out, b...))
}

func utf(s string) []byte {
	b, err := appendUTF(nil, s)
	if err != nil {
		panic(err)
	}
	return b
}

func long(v int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(v)) }

func TestDecodeTrackVersions(t *testing.T) {
	v1 := message(0, utf("T"), utf("A"), long(10), utf("id"), []byte{0}, utf("soundcloud"), long(5))
	v2 := message(1, []byte{2}, utf("T"), utf("A"), long(10), utf("id"), []byte{1}, []byte{1}, utf("u"), utf("youtube"), long(5))
	local := message(1, []byte{3}, utf("T"), utf("A"), long(10), utf("/m.flac"), []byte{0}, []byte{0, 0, 0}, utf("local"), utf("flac|x"), long(7))
	plugin := message(1, []byte{3}, utf("T"), utf("A"), long(10), utf("id"), []byte{0}, []byte{0, 0, 0}, utf("deezer"), utf("album"), []byte{1, 2, 3}, long(9))
	trailing := message(1, []byte{3}, utf("T"), utf("A"), long(10), utf("id"), []byte{0}, []byte{0, 0, 0}, utf("youtube"), long(9), []byte{0xFF, 0xFF})
	tests := []struct {
		name string
		enc  string
		want lavalink.TrackInfo
	}{
		{"version 1 unversioned", v1, lavalink.TrackInfo{Title: "T", Author: "A", Length: 10, Identifier: "id", SourceName: "soundcloud", Position: 5}},
		{"version 2", v2, lavalink.TrackInfo{Title: "T", Author: "A", Length: 10, Identifier: "id", IsStream: true, URI: strp("u"), SourceName: "youtube", Position: 5}},
		{"local probe skipped", local, lavalink.TrackInfo{Title: "T", Author: "A", Length: 10, Identifier: "/m.flac", SourceName: "local", Position: 7}},
		{"plugin details skipped", plugin, lavalink.TrackInfo{Title: "T", Author: "A", Length: 10, Identifier: "id", SourceName: "deezer", Position: 9}},
		{"bytes after the position ignored", trailing, lavalink.TrackInfo{Title: "T", Author: "A", Length: 10, Identifier: "id", SourceName: "youtube", Position: 9}},
		{"unpadded base64", strings.TrimRight(v1, "="), lavalink.TrackInfo{Title: "T", Author: "A", Length: 10, Identifier: "id", SourceName: "soundcloud", Position: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeTrack(tt.enc)
			if err != nil {
				t.Fatalf("DecodeTrack(%q) error = %v", tt.enc, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DecodeTrack(%q) = %+v, want %+v", tt.enc, got, tt.want)
			}
		})
	}
}

func TestDecodeTrackErrors(t *testing.T) {
	good := message(1, []byte{3}, utf("T"), utf("A"), long(10), utf("id"), []byte{0}, []byte{0, 0, 0}, utf("youtube"), long(9))
	raw, _ := base64.StdEncoding.DecodeString(good)
	tests := []struct {
		name string
		enc  string
	}{
		{"not base64", "!!!"},
		{"empty", ""},
		{"short header", base64.StdEncoding.EncodeToString([]byte{0x40, 0})},
		{"header longer than data", base64.StdEncoding.EncodeToString(raw[:len(raw)-1])},
		{"truncated body", message(1, []byte{3}, utf("T"), utf("A"))},
		{"version 4", message(1, []byte{4}, utf("T"), utf("A"), long(10), utf("id"), []byte{0}, []byte{0, 0, 0}, utf("youtube"), long(9))},
		{"version 0", message(1, []byte{0}, utf("T"))},
		{"lone continuation byte", message(1, []byte{3, 0, 1, 0x80})},
		{"four-byte UTF-8", message(1, []byte{3, 0, 4, 0xF0, 0x9F, 0x98, 0x80})},
		{"partial two-byte character", message(1, []byte{3, 0, 1, 0xC3})},
		{"bad continuation", message(1, []byte{3, 0, 2, 0xC3, 0x41})},
		{"partial three-byte character", message(1, []byte{3, 0, 2, 0xE2, 0x82})},
		{"plugin source without position", message(1, []byte{3}, utf("T"), utf("A"), long(10), utf("id"), []byte{0}, []byte{0, 0, 0}, utf("deezer"), []byte{1})},
		{"missing probe", message(1, []byte{3}, utf("T"), utf("A"), long(10), utf("id"), []byte{0}, []byte{0, 0, 0}, utf("http"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := DecodeTrack(tt.enc); !errors.Is(err, ErrInvalidTrack) {
				t.Errorf("DecodeTrack(%q) = %+v, %v, want ErrInvalidTrack", tt.enc, got, err)
			}
		})
	}
}

func TestDecodeModifiedUTF8JavaQuirks(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"ascii", []byte("abc"), "abc"},
		{"raw zero byte", []byte{'a', 0, 'b'}, "a\x00b"},
		{"encoded zero", []byte{0xC0, 0x80}, "\x00"},
		{"overlong two-byte A", []byte{0xC1, 0x81}, "A"},
		{"surrogate pair", []byte{0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80}, "😀"},
		{"lone high surrogate", []byte{0xED, 0xA0, 0xBD, 'x'}, "\uFFFDx"},
		{"lone low surrogate", []byte{0xED, 0xB8, 0x80}, "\uFFFD"},
		{"high at end", []byte{'x', 0xED, 0xA0, 0xBD}, "x\uFFFD"},
		{"two highs", []byte{0xED, 0xA0, 0xBD, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80}, "\uFFFD😀"},
	}
	for _, tt := range tests {
		got, err := decodeModifiedUTF8(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("decodeModifiedUTF8(% x) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
}

// javaUTF is a straightforward reference encoder: UTF-16 units, each in
// the shortest of the 1/2/3-byte forms, with U+0000 in two bytes.
func javaUTF(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		switch {
		case u >= 1 && u <= 0x7F:
			out = append(out, byte(u))
		case u <= 0x7FF:
			out = append(out, 0xC0|byte(u>>6), 0x80|byte(u&0x3F))
		default:
			out = append(out, 0xE0|byte(u>>12), 0x80|byte(u>>6&0x3F), 0x80|byte(u&0x3F))
		}
	}
	return out
}

func FuzzModifiedUTF8(f *testing.F) {
	for _, s := range []string{"", "abc", "\x00", "é€😀", "\xff\xfe", "夜に駆ける", "\xed\xa0\xbd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if utfLen(s) > maxUTF {
			t.Skip()
		}
		b, err := appendUTF(nil, s)
		if err != nil {
			t.Fatalf("appendUTF(%q) error = %v", s, err)
		}
		if want := javaUTF(s); !bytes.Equal(b[2:], want) {
			t.Fatalf("appendUTF(%q) = % x, want % x", s, b[2:], want)
		}
		if int(binary.BigEndian.Uint16(b)) != len(b)-2 {
			t.Fatalf("appendUTF(%q) length prefix %d, body %d", s, binary.BigEndian.Uint16(b), len(b)-2)
		}
		got, err := decodeModifiedUTF8(b[2:])
		if err != nil {
			t.Fatalf("decodeModifiedUTF8(appendUTF(%q)) error = %v", s, err)
		}
		if want := string([]rune(s)); got != want {
			t.Fatalf("decodeModifiedUTF8(appendUTF(%q)) = %q, want %q", s, got, want)
		}
	})
}

func FuzzTrackRoundTrip(f *testing.F) {
	f.Add("Song", "Band", "abc", "https://x", "youtube", int64(180000), int64(0), false, true)
	f.Add("🎉\x00", "", "", "", "http", int64(-1), int64(1<<62), true, false)
	f.Add("\xff", "é", "id", "", "spotify", int64(5), int64(7), false, true)
	f.Fuzz(func(t *testing.T, title, author, id, uri, source string, length, position int64, stream, hasURI bool) {
		info := lavalink.TrackInfo{Title: title, Author: author, Identifier: id, SourceName: source,
			Length: lavalink.Duration(length), Position: lavalink.Duration(position), IsStream: stream}
		if hasURI {
			info.URI = &uri
			info.ISRC = &author
		}
		enc, err := EncodeTrack(info)
		if err != nil {
			if !errors.Is(err, ErrInvalidTrack) {
				t.Fatalf("EncodeTrack error = %v, want ErrInvalidTrack", err)
			}
			return
		}
		got, err := DecodeTrack(enc)
		if err != nil {
			t.Fatalf("DecodeTrack(EncodeTrack(%+v)) error = %v", info, err)
		}
		want := info
		valid := func(s string) string { return string([]rune(s)) }
		want.Title, want.Author, want.Identifier, want.SourceName = valid(title), valid(author), valid(id), valid(source)
		if hasURI {
			u, a := valid(uri), valid(author)
			want.URI, want.ISRC = &u, &a
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeTrack(EncodeTrack(%+v)) = %+v, want %+v", info, got, want)
		}
	})
}

func FuzzDecodeTrack(f *testing.F) {
	f.Add(docsTrack)
	f.Add(message(0, utf("T"), utf("A"), long(10), utf("id"), []byte{0}, utf("soundcloud"), long(5)))
	f.Add(message(1, []byte{3}, utf("T"), utf("A"), long(10), utf("/m"), []byte{0}, []byte{1, 0, 0}, utf("local"), utf("flac"), long(7)))
	f.Add(message(1, []byte{3}, utf("T"), utf("A"), long(10), utf("id"), []byte{0}, []byte{0, 0, 0}, utf("deezer"), utf("x"), long(9)))
	f.Add("QAAA")
	f.Fuzz(func(t *testing.T, enc string) {
		info, err := DecodeTrack(enc)
		if err != nil {
			if !errors.Is(err, ErrInvalidTrack) {
				t.Fatalf("DecodeTrack(%q) error = %v, want ErrInvalidTrack", enc, err)
			}
			return
		}
		for _, s := range []string{info.Title, info.Author, info.Identifier, info.SourceName} {
			if !utf8.ValidString(s) {
				t.Fatalf("DecodeTrack(%q) gave invalid UTF-8 %q", enc, s)
			}
		}
		again, err := EncodeTrack(info)
		if err != nil {
			t.Fatalf("EncodeTrack(DecodeTrack(%q)) error = %v", enc, err)
		}
		back, err := DecodeTrack(again)
		if err != nil || !reflect.DeepEqual(back, info) {
			t.Fatalf("DecodeTrack(EncodeTrack(%+v)) = %+v, %v", info, back, err)
		}
	})
}

var benchInfo = lavalink.TrackInfo{
	Identifier: "dQw4w9WgXcQ", Title: "Rick Astley - Never Gonna Give You Up (Official Music Video) 🎵", Author: "Rick Astley",
	Length: 212000, URI: strp("https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
	ArtworkURL: strp("https://i.ytimg.com/vi/dQw4w9WgXcQ/maxresdefault.jpg"), SourceName: "youtube",
}

func BenchmarkEncodeTrack(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeTrack(benchInfo); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeTrack(b *testing.B) {
	enc, err := EncodeTrack(benchInfo)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeTrack(enc); err != nil {
			b.Fatal(err)
		}
	}
}
