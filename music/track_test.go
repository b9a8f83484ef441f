package music_test

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/disgoorg/disgolink/v3/lavalink"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/storetest"
)

func ptr(s string) *string { return &s }

func lavalinkTrack() lavalink.Track {
	return lavalink.Track{
		Encoded: "QAAAjQIAJVJpY2sgQXN0bGV5IC0gTmV2ZXIgR29ubmEgR2l2ZSBZb3UgVXAADlJpY2tBc3RsZXlWRVZPAAAAAAADPCAAC2RRdzR3OVdnWGNRAAEAK2h0dHBzOi8vd3d3LnlvdXR1YmUuY29tL3dhdGNoP3Y9ZFF3NHc5V2dYY1EBADRodHRwczovL2kueXRpbWcuY29tL3ZpL2RRdzR3OVdnWGNRL21heHJlc2RlZmF1bHQuanBnAQAMR0JBUkw5MzAwMTM1AAd5b3V0dWJlAAAAAAAAAAA=",
		Info: lavalink.TrackInfo{
			Identifier: "dQw4w9WgXcQ",
			Author:     "RickAstleyVEVO",
			Length:     212000,
			Title:      "Rick Astley - Never Gonna Give You Up",
			URI:        ptr("https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
			SourceName: "youtube",
			Position:   5000,
			ArtworkURL: ptr("https://i.ytimg.com/vi/dQw4w9WgXcQ/maxresdefault.jpg"),
			ISRC:       ptr("GBARL9300135"),
		},
		PluginInfo: lavalink.RawData(`{"albumName":"Whenever You Need Somebody"}`),
		UserData:   lavalink.RawData(`{"requester":"1"}`),
	}
}

func TestTrackFromLavalinkRoundTrip(t *testing.T) {
	stream := lavalinkTrack()
	stream.Info.IsStream = true
	stream.Info.Length = math.MaxInt64 // what Lavalink sends for a stream
	stream.Info.URI, stream.Info.ArtworkURL, stream.Info.ISRC = nil, nil, nil
	stream.PluginInfo, stream.UserData = nil, nil
	for name, in := range map[string]lavalink.Track{"video": lavalinkTrack(), "stream": stream} {
		tr := music.TrackFromLavalink(in)
		if got := tr.Lavalink(); !reflect.DeepEqual(got, in) {
			t.Errorf("%s: TrackFromLavalink(x).Lavalink() = %+v, want x = %+v", name, got, in)
		}
		if tr.Info.IsSeekable == in.Info.IsStream {
			t.Errorf("%s: IsSeekable = %t for IsStream = %t; want !IsStream", name, tr.Info.IsSeekable, in.Info.IsStream)
		}
	}
	tr := music.TrackFromLavalink(lavalinkTrack())
	want := music.TrackInfo{
		Identifier: "dQw4w9WgXcQ", Title: "Rick Astley - Never Gonna Give You Up", Author: "RickAstleyVEVO",
		Length: 212 * time.Second, IsSeekable: true,
		URI: "https://www.youtube.com/watch?v=dQw4w9WgXcQ", ArtworkURL: "https://i.ytimg.com/vi/dQw4w9WgXcQ/maxresdefault.jpg",
		ISRC: "GBARL9300135", SourceName: "youtube", Position: 5 * time.Second,
	}
	if tr.Info != want {
		t.Errorf("TrackFromLavalink(x).Info = %+v, want %+v", tr.Info, want)
	}
	streamTrack := music.TrackFromLavalink(stream)
	if streamTrack.Info.Length != math.MaxInt64 {
		t.Errorf("stream Length = %v, want the largest Duration", streamTrack.Info.Length)
	}
}

func TestTrackConversionDoesNotAlias(t *testing.T) {
	in := lavalinkTrack()
	tr := music.TrackFromLavalink(in)
	tr.UserData[0] = '['
	if in.UserData[0] != '{' {
		t.Error("TrackFromLavalink shares UserData bytes with its input")
	}
	out := tr.Lavalink()
	out.PluginInfo[0] = '['
	if tr.PluginInfo[0] != '{' {
		t.Error("Lavalink() shares PluginInfo bytes with the track")
	}
	c := tr.Clone()
	c.PluginInfo[0] = '['
	if tr.PluginInfo[0] != '{' {
		t.Error("Clone shares PluginInfo bytes")
	}
}

func TestTrackDurationsSaturate(t *testing.T) {
	in := lavalinkTrack()
	in.Info.Length = math.MaxInt64 / 2 // more than a Duration holds, not the stream marker
	in.Info.Position = math.MinInt64
	tr := music.TrackFromLavalink(in)
	if tr.Info.Length != math.MaxInt64 || tr.Info.Position != math.MinInt64 {
		t.Errorf("saturated Length, Position = %v, %v; want the Duration limits", tr.Info.Length, tr.Info.Position)
	}
	if got := tr.Lavalink().Info.Position; got != math.MinInt64 {
		t.Errorf("Lavalink().Info.Position = %v, want MinInt64 back", got)
	}
}

func TestTrackJSON(t *testing.T) {
	for i := range 15 {
		want := storetest.Track(i)
		data, err := json.Marshal(want)
		if err != nil {
			t.Fatalf("Marshal(Track(%d)): %v", i, err)
		}
		if strings.ContainsRune(string(data), '\n') {
			t.Errorf("Track(%d) JSON holds a raw newline: %s", i, data)
		}
		var got music.Track
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatalf("Unmarshal(%s): %v", data, err)
		}
		if !got.Equal(want) {
			t.Errorf("Track(%d) after a JSON round trip = %+v, want %+v", i, got, want)
		}
	}
}

// TestTrackJSONIsLavalinkJSON checks that the encoding is a Lavalink track
// object disgolink decodes, and that Lavalink's own JSON, with nulls,
// decodes as a Track.
func TestTrackJSONIsLavalinkJSON(t *testing.T) {
	tr := music.TrackFromLavalink(lavalinkTrack())
	data, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var ll lavalink.Track
	if err := json.Unmarshal(data, &ll); err != nil {
		t.Fatalf("disgolink cannot decode %s: %v", data, err)
	}
	if !reflect.DeepEqual(ll, lavalinkTrack()) {
		t.Errorf("disgolink decodes %s as %+v, want %+v", data, ll, lavalinkTrack())
	}

	fromLavalink := `{"encoded":"QAAA","info":{"identifier":"x","isSeekable":false,"author":"a","length":9223372036854775807,
		"isStream":true,"position":0,"title":"Radio","uri":null,"artworkUrl":null,"isrc":null,"sourceName":"http"},
		"pluginInfo":{},"userData":{}}`
	var got music.Track
	if err := json.Unmarshal([]byte(fromLavalink), &got); err != nil {
		t.Fatal(err)
	}
	want := music.Track{
		Encoded:    "QAAA",
		Info:       music.TrackInfo{Identifier: "x", Author: "a", Length: math.MaxInt64, IsStream: true, Title: "Radio", SourceName: "http"},
		PluginInfo: json.RawMessage(`{}`),
		UserData:   json.RawMessage(`{}`),
	}
	if !got.Equal(want) {
		t.Errorf("Unmarshal(Lavalink JSON) = %+v, want %+v", got, want)
	}
}

func TestTrackJSONErrors(t *testing.T) {
	bad := []music.Track{
		{PluginInfo: json.RawMessage(`{"a":`)},
		{UserData: json.RawMessage(`{"a": tru}`)},
		{AddedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tr := range bad {
		if _, err := tr.MarshalJSON(); err == nil {
			t.Errorf("MarshalJSON(%+v) succeeded; want an error", tr)
		}
	}
	var tr music.Track
	if err := tr.UnmarshalJSON([]byte(`{"info":{"length":"long"}}`)); err == nil {
		t.Error("UnmarshalJSON(string length) succeeded; want an error")
	}
}

func TestTrackJSONCompactsRaw(t *testing.T) {
	tr := music.Track{UserData: json.RawMessage("{\n  \"a\": [1, 2]\n}")}
	data, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"userData":{"a":[1,2]}`) {
		t.Errorf("MarshalJSON = %s; want userData compacted", data)
	}
}

func TestTrackEqual(t *testing.T) {
	a := storetest.Track(1)
	cases := map[string]func(*music.Track){
		"title":          func(t *music.Track) { t.Info.Title += "!" },
		"requester":      func(t *music.Track) { t.Requester++ },
		"autoplay":       func(t *music.Track) { t.Autoplay = !t.Autoplay },
		"addedAt":        func(t *music.Track) { t.AddedAt = t.AddedAt.Add(time.Nanosecond) },
		"userData":       func(t *music.Track) { t.UserData = json.RawMessage(`{"n":2}`) },
		"pluginInfo nil": func(t *music.Track) { t.PluginInfo = nil },
		"encoded":        func(t *music.Track) { t.Encoded = "x" },
	}
	for name, change := range cases {
		b := a.Clone()
		change(&b)
		if a.Equal(b) {
			t.Errorf("Equal ignores a change of %s", name)
		}
	}
	b := a.Clone()
	b.AddedAt = b.AddedAt.In(time.FixedZone("X", 3600))
	b.UserData = json.RawMessage(` { "n" : 1 , "tags" : [ "a" , "b" ] } `)
	if !a.Equal(b) {
		t.Error("Equal distinguishes time zones or JSON spacing; want equal")
	}
	b.UserData = json.RawMessage(`{"n": oops}`)
	if a.Equal(b) {
		t.Error("Equal accepts invalid JSON as equal")
	}
}

// FuzzTrackJSON checks that decoding never panics and that any track that
// decodes re-encodes, on one line, to JSON that decodes to an equal track
// and re-encodes to the same bytes; and that the encoder's strings are
// valid UTF-8 JSON whatever the input bytes.
func FuzzTrackJSON(f *testing.F) {
	for i := range 8 {
		data, _ := storetest.Track(i).MarshalJSON()
		f.Add(data, "t\x00\xff\u2028")
	}
	f.Add([]byte(`{"info":{"title":"\ud83c"}}`), "")
	f.Fuzz(func(t *testing.T, data []byte, title string) {
		var tr music.Track
		if err := json.Unmarshal(data, &tr); err == nil {
			out, err := tr.MarshalJSON()
			if err != nil {
				return // e.g. a year past 9999
			}
			if bytes.ContainsRune(out, '\n') {
				t.Fatalf("re-encoding %s gives %s, which holds a raw newline", data, out)
			}
			var again music.Track
			if err := json.Unmarshal(out, &again); err != nil || !again.Equal(tr) {
				t.Fatalf("re-encoding %s gives %s, which decodes to %+v, %v", data, out, again, err)
			}
			if out2, err := again.MarshalJSON(); err != nil || !bytes.Equal(out2, out) {
				t.Fatalf("encoding %s again gives %s, %v", out, out2, err)
			}
		}
		tr = music.Track{Info: music.TrackInfo{Title: title}}
		out, err := tr.MarshalJSON()
		if err != nil || !json.Valid(out) {
			t.Fatalf("MarshalJSON(title %q) = %s, %v; want valid JSON", title, out, err)
		}
		var back music.Track
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatal(err)
		}
		if utf8.ValidString(title) && back.Info.Title != title {
			t.Fatalf("title %q came back as %q", title, back.Info.Title)
		}
		if want, _ := json.Marshal(title); utf8.ValidString(title) && !strings.Contains(string(out), `"title":`+string(want)) && !strings.ContainsAny(title, "<>&") {
			t.Fatalf("title %q encoded as %s; encoding/json writes %s", title, out, want)
		}
	})
}
