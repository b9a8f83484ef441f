package music_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/storetest"
)

var updateWire = flag.Bool("update", false, "rewrite testdata/wire with the current encoding")

// TestWireFormat pins, byte for byte, the JSON that stores keep (from
// MarshalJSON, without the HTML escaping json.Marshal adds around it), so
// that a change to it, which would strand existing data, fails here. It
// also checks that the pinned JSON decodes to the value it came from.
func TestWireFormat(t *testing.T) {
	odd := music.Track{
		Encoded: "QAAA==",
		Info: music.TrackInfo{
			Identifier: "odd", Title: "nul \x00 bell \x07 bad \xff\xfe", Author: "<&>\u2028",
			Length: math.MaxInt64, IsStream: true, Position: math.MinInt64, SourceName: "http",
		},
		PluginInfo: json.RawMessage("{ \"a\" : [1, 2,\n {\"b\": null}] }"),
		UserData:   json.RawMessage(`"s"`),
		Requester:  math.MaxUint64,
		AddedAt:    time.Date(2025, 2, 3, 4, 5, 6, 789, time.FixedZone("", -5*3600)),
	}
	header := storetest.Snapshot(2, 4, 0, 0) // as redisstore keeps it
	header.Version = 0
	cases := []struct {
		name  string
		value json.Marshaler
		lossy bool // invalid UTF-8 comes back as U+FFFD
	}{
		{"track", storetest.Track(5), false},
		{"track-odd", odd, true},
		{"track-zero", music.Track{}, false},
		{"snapshot", storetest.Snapshot(1, 5, 7, 3), false}, // every title of the family
		{"snapshot-header", header, false},
		{"snapshot-zero", music.Snapshot{GuildID: 3}, false},
		{"settings", storetest.Settings(1), false},
		{"settings-zero", music.Settings{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.value.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join("testdata", "wire", c.name+".json")
			if *updateWire {
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("MarshalJSON() =\n%s\nwant\n%s", got, want)
			}
			if c.lossy {
				return
			}
			if eq, err := decodesTo(want, c.value); err != nil || !eq {
				t.Errorf("UnmarshalJSON(%s) = %v; want the value it came from", want, err)
			}
		})
	}
}

// decodesTo decodes data into a new value of v's type and compares.
func decodesTo(data []byte, v json.Marshaler) (bool, error) {
	switch v := v.(type) {
	case music.Track:
		var got music.Track
		err := got.UnmarshalJSON(data)
		return got.Equal(v), err
	case music.Snapshot:
		var got music.Snapshot
		err := got.UnmarshalJSON(data)
		return got.Equal(v), err
	case music.Settings:
		var got music.Settings
		err := got.UnmarshalJSON(data)
		return got == v, err
	}
	panic("no decoder for the fixture")
}
