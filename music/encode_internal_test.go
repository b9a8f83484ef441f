package music

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"
)

// encodingJSON is what encoding/json writes for v with HTML escaping off,
// without the trailing newline.
func encodingJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func wire(tr *Track) trackJSON {
	return trackJSON{
		Encoded: tr.Encoded,
		Info: trackInfoJSON{
			Identifier: tr.Info.Identifier, IsSeekable: tr.Info.IsSeekable, Author: tr.Info.Author,
			Length: toMillis(tr.Info.Length), IsStream: tr.Info.IsStream, Position: toMillis(tr.Info.Position),
			Title: tr.Info.Title, URI: tr.Info.URI, ArtworkURL: tr.Info.ArtworkURL, ISRC: tr.Info.ISRC,
			SourceName: tr.Info.SourceName,
		},
		PluginInfo: tr.PluginInfo, UserData: tr.UserData, Requester: tr.Requester, AddedAt: tr.AddedAt,
	}
}

// TestAppendJSONMatchesEncodingJSON holds the hand-written track encoder
// to encoding/json's output for the same wire struct, byte for byte.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	tracks := []Track{
		{},
		{
			Encoded: "QAAA==",
			Info: TrackInfo{
				Identifier: "id", Title: "Quote \" backslash \\ tab \t nl \n cr \r nul \x00 bell \x07 <&> \u2028\u2029 é 🎵 bad \xff\xfe",
				Author: "a", Length: 212 * time.Second, IsSeekable: true, URI: "https://x/?a=1&b=2",
				ArtworkURL: "https://y", ISRC: "GB", SourceName: "youtube", Position: 1500 * time.Millisecond,
			},
			PluginInfo: json.RawMessage(`{"a":[1,2,{"b":null}]}`),
			UserData:   json.RawMessage(`"s"`),
			Requester:  18446744073709551615,
			AddedAt:    time.Date(2025, 2, 3, 4, 5, 6, 789, time.FixedZone("", -5*3600)),
		},
		{Info: TrackInfo{IsStream: true, Length: math.MaxInt64, Position: math.MinInt64}},
	}
	for i := range tracks {
		got, err := tracks[i].AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := encodingJSON(t, wire(&tracks[i])); !bytes.Equal(got, want) {
			t.Errorf("track %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func TestAppendTimeMatchesEncodingJSON(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", 14*3600)),
		time.Unix(1700000000, 0).In(time.FixedZone("", 5*3600+1800)),
	} {
		got, err := appendTime(nil, tm)
		if want := encodingJSON(t, tm); err != nil || !bytes.Equal(got, want) {
			t.Errorf("appendTime(%v) = %s, %v; want %s", tm, got, err, want)
		}
	}
}

// FuzzAppendString holds the string escaper to encoding/json's.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "\"\\\n\r\t\x00\x1f", "\u2028\u2029", "\xff", "é🎵", "\xed\xa0\x80", "<>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendString(nil, s)
		if want := encodingJSON(t, s); !bytes.Equal(got, want) {
			t.Fatalf("appendString(%q) = %s, encoding/json writes %s", s, got, want)
		}
	})
}
