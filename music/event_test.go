package music_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/storetest"
)

func sampleEvents() []music.Event {
	at := time.Date(2025, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	vol, _ := music.Settings{}.WithVolume(80)
	tr := storetest.Track(4)
	return []music.Event{
		music.TrackQueued{GuildID: 1, Track: tr, Count: 3, Position: 2, At: at},
		music.TrackStarted{GuildID: 2, Track: tr, Node: "n", At: at},
		music.TrackEnded{GuildID: 3, Track: tr, Reason: music.EndLoadFailed, At: at},
		music.QueueEnded{GuildID: 4, At: at},
		music.SettingsUpdated{GuildID: 5, Settings: vol, At: at},
		music.PlayerMoved{GuildID: 6, From: "a", To: "b", Position: 1500 * time.Millisecond, At: at},
		music.SessionEnded{GuildID: 7, Reason: music.LeaveAlone, At: at},
	}
}

func TestEventJSONRoundTrip(t *testing.T) {
	types := map[music.EventType]bool{}
	for i, e := range sampleEvents() {
		data, err := music.MarshalEvent(e)
		if err != nil {
			t.Fatalf("MarshalEvent(%T): %v", e, err)
		}
		var env struct {
			Type  string          `json:"type"`
			Event json.RawMessage `json:"event"`
		}
		if err := json.Unmarshal(data, &env); err != nil || env.Type != string(e.Type()) {
			t.Errorf("%T encodes as %s; want a type tag %q", e, data, e.Type())
		}
		got, err := music.UnmarshalEvent(data)
		if err != nil {
			t.Fatalf("UnmarshalEvent(%s): %v", data, err)
		}
		if reflect.TypeOf(got) != reflect.TypeOf(e) || got.Guild() != e.Guild() || uint64(got.Guild()) != uint64(i+1) {
			t.Errorf("UnmarshalEvent(%s) = %T for guild %v; want %T for guild %v", data, got, got.Guild(), e, e.Guild())
		}
		again, _ := music.MarshalEvent(got)
		if !bytes.Equal(again, data) {
			t.Errorf("%T changed in a round trip:\n got %s\nwant %s", e, again, data)
		}
		types[e.Type()] = true
	}
	if len(types) != 7 {
		t.Errorf("%d distinct event types, want 7", len(types))
	}
	moved, _ := music.UnmarshalEvent(mustMarshalEvent(t, sampleEvents()[5]))
	if p := moved.(music.PlayerMoved).Position; p != 1500*time.Millisecond {
		t.Errorf("PlayerMoved.Position after a round trip = %v", p)
	}
	ended, _ := music.UnmarshalEvent(mustMarshalEvent(t, sampleEvents()[2]))
	if tr := ended.(music.TrackEnded).Track; !tr.Equal(storetest.Track(4)) {
		t.Errorf("TrackEnded.Track changed in a round trip")
	}
}

func mustMarshalEvent(t *testing.T, e music.Event) []byte {
	t.Helper()
	data, err := music.MarshalEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestUnmarshalEventErrors(t *testing.T) {
	cases := map[string]error{
		`{"type":"trackTeleported","event":{}}`:                          music.ErrUnknownEvent,
		`{"event":{}}`:                                                   music.ErrUnknownEvent,
		`{"type":"queueEnded"}`:                                          music.ErrInvalidEvent,
		`{"type":"queueEnded","event":{"guildId":5}}`:                    music.ErrInvalidEvent,
		`{"type":"settingsUpdated","event":{"settings":{"volume":999}}}`: music.ErrInvalidEvent,
		`{"type":"playerMoved","event":{"position":"x"}}`:                music.ErrInvalidEvent,
		`[`: music.ErrInvalidEvent,
	}
	for in, want := range cases {
		if _, err := music.UnmarshalEvent([]byte(in)); !errors.Is(err, want) {
			t.Errorf("UnmarshalEvent(%s) = %v, want %v", in, err, want)
		}
	}
	if _, err := music.MarshalEvent(nil); !errors.Is(err, music.ErrInvalidEvent) {
		t.Errorf("MarshalEvent(nil) = %v", err)
	}
	bad := music.TrackStarted{Track: music.Track{UserData: json.RawMessage("{")}}
	if _, err := music.MarshalEvent(bad); err == nil {
		t.Error("MarshalEvent with invalid raw JSON succeeded")
	}
}

func TestTrackEndReason(t *testing.T) {
	for _, r := range []lavalink.TrackEndReason{
		lavalink.TrackEndReasonFinished, lavalink.TrackEndReasonLoadFailed, lavalink.TrackEndReasonStopped,
		lavalink.TrackEndReasonReplaced, lavalink.TrackEndReasonCleanup, "somethingNew",
	} {
		ours := music.TrackEndReason(r)
		if ours.MayStartNext() != r.MayStartNext() {
			t.Errorf("%q: MayStartNext = %t, Lavalink says %t", r, ours.MayStartNext(), r.MayStartNext())
		}
		if ours.String() != string(r) {
			t.Errorf("String() = %q, want %q", ours.String(), r)
		}
	}
	if music.LeaveIdle.String() != "idle" || music.TypeQueueEnded.String() != "queueEnded" {
		t.Error("String of LeaveReason or EventType")
	}
}

// FuzzUnmarshalEvent checks that decoding arbitrary input never panics,
// fails only with the two documented errors, and that what decodes
// re-encodes and decodes to the same encoding.
func FuzzUnmarshalEvent(f *testing.F) {
	for _, e := range sampleEvents() {
		data, _ := music.MarshalEvent(e)
		f.Add(data)
	}
	f.Add([]byte(`{"type":"x","event":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := music.UnmarshalEvent(data)
		if err != nil {
			if !errors.Is(err, music.ErrInvalidEvent) && !errors.Is(err, music.ErrUnknownEvent) {
				t.Fatalf("UnmarshalEvent(%q) = %v", data, err)
			}
			return
		}
		out, err := music.MarshalEvent(e)
		if err != nil {
			return // a time past year 9999 decodes but does not encode
		}
		e2, err := music.UnmarshalEvent(out)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if out2, _ := music.MarshalEvent(e2); !bytes.Equal(out, out2) {
			t.Fatalf("unstable encoding:\n%s\n%s", out, out2)
		}
	})
}
