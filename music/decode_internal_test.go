package music

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func sameTime(a, b time.Time) bool {
	_, oa := a.Zone()
	_, ob := b.Zone()
	return a.Equal(b) && oa == ob
}

func sameRaw(a, b json.RawMessage) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

func sameTrackWire(a, b *trackJSON) bool {
	return a.Encoded == b.Encoded && a.Info == b.Info && sameRaw(a.PluginInfo, b.PluginInfo) &&
		sameRaw(a.UserData, b.UserData) && a.Requester == b.Requester && sameTime(a.AddedAt, b.AddedAt)
}

func sameTracksWire(a, b []trackJSON) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameTrackWire(&a[i], &b[i]) {
			return false
		}
	}
	return true
}

func sameSnapshotWire(a, b *snapshotJSON) bool {
	if (a.Current == nil) != (b.Current == nil) || (a.Current != nil && !sameTrackWire(a.Current, b.Current)) {
		return false
	}
	return a.Version == b.Version && a.GuildID == b.GuildID && a.State == b.State && a.Position == b.Position &&
		sameTime(a.PositionAt, b.PositionAt) && a.Volume == b.Volume && sameRaw(a.Filters, b.Filters) &&
		a.VoiceChannelID == b.VoiceChannelID && a.TextChannelID == b.TextChannelID && a.Node == b.Node &&
		a.NodeSessionID == b.NodeSessionID && sameTime(a.LastActivity, b.LastActivity) &&
		sameTracksWire(a.Queue, b.Queue) && sameTracksWire(a.History, b.History)
}

var decodeSeeds = []string{
	`{"encoded":"QAAA","info":{"identifier":"x","isSeekable":true,"author":"a","length":1000,"isStream":false,"position":5,"title":"T","uri":null,"sourceName":"youtube"},"pluginInfo":{},"userData":{"a":[1,2]},"requester":"5","addedAt":"2025-01-02T03:04:05.678+01:00"}`,
	`{"ENCODED":"case","Info":{"TITLE":"fold","ſourceName":"long s"}}`,
	`{"encoded":"a","encoded":"b","info":{"title":"x"},"info":{"author":"y"}}`,
	`{"encoded":"\u00e9\ud83c\udfb5\ud800x\\\"\/\b\f\n\r\t","info":null,"pluginInfo":null}`,
	"{\"encoded\":\"bad \xff utf8\"}",
	`{"info":{"length":1.5}}`,
	`{"info":{"length":"1"}}`,
	`{"info":{"isStream":"true"}}`,
	`{"requester":5}`,
	`{"requester":"x"}`,
	`{"addedAt":"yesterday"}`,
	`{"unknown":[{"deep":[1,2,{"x":null}]}],"encoded":"ok"} `,
	`{"encoded":"x"} trailing`,
	`[]`, `null`, `"str"`, `{`, `{"a":}`, `{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":1e}`, `{"a":tru}`,
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	`{"x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
	`{"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
	`{"version":1,"guildId":"7","state":"paused","current":{"encoded":"c"},"current":{"info":{"title":"merged"}},"position":9,"volume":50,"filters":{"volume":1.5},"queue":[{"encoded":"q1"},{"encoded":"q2"},{"encoded":"q3"}],"queue":[{"info":{"title":"over"}}],"queue":[{},{},{}],"history":null}`,
	`{"version":1,"queue":[{"encoded":"a"}],"queue":[],"history":[{"encoded":"h"}],"history":null,"current":{"encoded":"x"},"current":null}`,
	`{"version":1,"state":"dancing"}`,
	`{"version":1,"state":3}`,
	`{"version":1,"positionAt":null,"lastActivity":"2025-01-01T00:00:00Z","node":"n","nodeSessionId":"s","voiceChannelId":"1","textChannelId":null}`,
}

// FuzzDecodeTrackMatchesEncodingJSON holds the hand-written track decoder
// to encoding/json: on any input both succeed or both fail, and on success
// they produce the same value.
func FuzzDecodeTrackMatchesEncodingJSON(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want trackJSON
		wantErr := json.Unmarshal(data, &want)
		d := decoder{data: data}
		var got trackJSON
		gotErr := d.track(&got, 0)
		if gotErr == nil {
			gotErr = d.end()
		}
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("input %q: encoding/json error %v, decoder error %v", data, wantErr, gotErr)
		}
		if wantErr == nil && !sameTrackWire(&want, &got) {
			t.Fatalf("input %q:\nencoding/json %+v\ndecoder       %+v", data, want, got)
		}
	})
}

// FuzzDecodeSnapshotMatchesEncodingJSON does the same for snapshots,
// including repeated keys, which encoding/json merges into what the
// earlier key decoded.
func FuzzDecodeSnapshotMatchesEncodingJSON(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want snapshotJSON
		wantErr := json.Unmarshal(data, &want)
		got, gotErr := decodeSnapshot(data)
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("input %q: encoding/json error %v, decoder error %v", data, wantErr, gotErr)
		}
		if wantErr == nil && !sameSnapshotWire(&want, &got) {
			t.Fatalf("input %q:\nencoding/json %+v\ndecoder       %+v", data, want, got)
		}
	})
}

// BenchmarkDecode compares the decoder with encoding/json on the JSON of a
// snapshot with 1,000 queued and 50 played tracks.
func BenchmarkDecode(b *testing.B) {
	tracks := make([]Track, 1050)
	for i := range tracks {
		tracks[i] = Track{
			Encoded: "QAAAjQIAJVJpY2sgQXN0bGV5IC0gTmV2ZXIgR29ubmEgR2l2ZSBZb3UgVXAA==",
			Info: TrackInfo{Identifier: "dQw4w9WgXcQ", Title: "Rick Astley - Never Gonna Give You Up", Author: "Rick Astley",
				Length: 212 * time.Second, IsSeekable: true, URI: "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
				ArtworkURL: "https://i.ytimg.com/vi/dQw4w9WgXcQ/maxresdefault.jpg", ISRC: "GBARL9300135", SourceName: "youtube"},
			PluginInfo: json.RawMessage(`{}`), UserData: json.RawMessage(`{"n":1}`),
			Requester: 110373943822540800, AddedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		}
	}
	snap := Snapshot{GuildID: 1, Volume: 50, Queue: tracks[:1000], History: tracks[1000:]}
	data, err := snap.MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("tunekit", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeSnapshot(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var w snapshotJSON
			if err := json.Unmarshal(data, &w); err != nil {
				b.Fatal(err)
			}
		}
	})
}
