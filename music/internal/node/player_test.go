package node

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/disgoorg/disgolink/v3/lavalink"
)

func TestPlayerUpdateJSON(t *testing.T) {
	pos, end := lavalink.Duration(83000), lavalink.Duration(90000)
	vol, paused := 250, true
	zero := 0
	for _, tc := range []struct {
		name string
		u    PlayerUpdate
		want string
	}{
		{"empty", PlayerUpdate{}, `{}`},
		{"stop", PlayerUpdate{Stop: true}, `{"track":{"encoded":null}}`},
		{"play", PlayerUpdate{Track: &TrackUpdate{Encoded: "QAAA"}}, `{"track":{"encoded":"QAAA"}}`},
		{"play with user data", PlayerUpdate{Track: &TrackUpdate{Encoded: "QAAA", UserData: json.RawMessage(`{"by":"1"}`)}}, `{"track":{"encoded":"QAAA","userData":{"by":"1"}}}`},
		{"identifier", PlayerUpdate{Track: &TrackUpdate{Identifier: "dQw4w9WgXcQ"}}, `{"track":{"identifier":"dQw4w9WgXcQ"}}`},
		{"user data only", PlayerUpdate{Track: &TrackUpdate{UserData: json.RawMessage(` {"a":1}`)}}, `{"track":{"userData":{"a":1}}}`},
		{"seek pause volume", PlayerUpdate{Position: &pos, EndTime: &end, Volume: &vol, Paused: &paused}, `{"position":83000,"endTime":90000,"volume":250,"paused":true}`},
		{"volume zero", PlayerUpdate{Volume: &zero}, `{"volume":0}`},
		{"voice", PlayerUpdate{Voice: &completeVoice}, `{"voice":{"token":"tok","endpoint":"voice.example:443","sessionId":"vsess","channelId":"370000000000000003"}}`},
		{"clear filters", PlayerUpdate{Filters: &Filters{}}, `{"filters":{}}`},
		{"filters", PlayerUpdate{Filters: &Filters{Rotation: &Rotation{RotationHz: 0.2}, Equalizer: []lavalink.EqBand{{Band: 14, Gain: -0.25}}}}, `{"filters":{"equalizer":[{"band":14,"gain":-0.25}],"rotation":{"rotationHz":0.2}}}`},
	} {
		got, err := json.Marshal(tc.u)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: Marshal = %s, %v; want %s", tc.name, got, err, tc.want)
		}
	}
}

func TestPlayerUpdateValidate(t *testing.T) {
	neg, zeroD := lavalink.Duration(-1), lavalink.Duration(0)
	over, under := 1001, -1
	for _, tc := range []struct {
		name  string
		u     PlayerUpdate
		field string
	}{
		{"stop and track", PlayerUpdate{Stop: true, Track: &TrackUpdate{Encoded: "x"}}, "track"},
		{"encoded and identifier", PlayerUpdate{Track: &TrackUpdate{Encoded: "x", Identifier: "y"}}, "track"},
		{"empty track", PlayerUpdate{Track: &TrackUpdate{}}, "track"},
		{"null user data", PlayerUpdate{Track: &TrackUpdate{Encoded: "x", UserData: json.RawMessage(`null`)}}, "track"},
		{"array user data", PlayerUpdate{Track: &TrackUpdate{Encoded: "x", UserData: json.RawMessage(`[1]`)}}, "track"},
		{"broken user data", PlayerUpdate{Track: &TrackUpdate{Encoded: "x", UserData: json.RawMessage(`{"a":`)}}, "track"},
		{"negative position", PlayerUpdate{Position: &neg}, "position"},
		{"zero end time", PlayerUpdate{EndTime: &zeroD}, "endTime"},
		{"volume over", PlayerUpdate{Volume: &over}, "volume"},
		{"volume under", PlayerUpdate{Volume: &under}, "volume"},
		{"band 15", PlayerUpdate{Filters: &Filters{Equalizer: []lavalink.EqBand{{Band: 15}}}}, "filters"},
		{"band -1", PlayerUpdate{Filters: &Filters{Equalizer: []lavalink.EqBand{{Band: -1}}}}, "filters"},
		{"partial voice", PlayerUpdate{Voice: &Voice{Token: "t", Endpoint: "e", SessionID: "s"}}, "voice"},
	} {
		err := tc.u.Validate()
		var ue *UpdateError
		if !errors.As(err, &ue) || ue.Field != tc.field || !errors.Is(err, ErrInvalidUpdate) || errors.Is(err, ErrPartialVoice) != (tc.field == "voice") {
			t.Errorf("%s: Validate() = %v, want an UpdateError on %s", tc.name, err, tc.field)
		}
		if _, err := json.Marshal(tc.u); !errors.Is(err, ErrInvalidUpdate) {
			t.Errorf("%s: Marshal = %v, want ErrInvalidUpdate", tc.name, err)
		}
	}
	if got := (&UpdateError{Field: "voice", Reason: "missing channelId"}).Error(); got != "node: invalid player update: voice: missing channelId" {
		t.Errorf("UpdateError.Error() = %q", got)
	}
}

// TestDisgolinkWireDefects pins the faults of disgolink v3.0.0's wire types
// that this package works around. If one of them stops failing, the
// replacement can go.
func TestDisgolinkWireDefects(t *testing.T) {
	t.Run("voice without channelId", func(t *testing.T) {
		b, _ := json.Marshal(lavalink.PlayerUpdate{Voice: &lavalink.VoiceState{Token: "t", Endpoint: "e", SessionID: "s"}})
		if string(b) != `{"voice":{"token":"t","endpoint":"e","sessionId":"s"}}` {
			t.Errorf("disgolink voice = %s", b)
		}
	})
	t.Run("userData null", func(t *testing.T) {
		u := lavalink.DefaultPlayerUpdate()
		lavalink.WithTrack(lavalink.Track{Encoded: "QAAA"})(u)
		b, _ := json.Marshal(u)
		if string(b) != `{"track":{"encoded":"QAAA","userData":null}}` {
			t.Errorf("disgolink track update = %s", b)
		}
	})
	t.Run("rotationHz float", func(t *testing.T) {
		var f lavalink.Filters
		if err := json.Unmarshal([]byte(`{"rotation":{"rotationHz":0.2}}`), &f); err == nil {
			t.Error("lavalink.Filters decoded a float rotationHz")
		}
	})
	t.Run("equalizer band 15 panics", func(t *testing.T) {
		panicked := func() (p bool) {
			defer func() { p = recover() != nil }()
			var e lavalink.Equalizer
			_ = json.Unmarshal([]byte(`[{"band":15,"gain":0.1}]`), &e)
			return false
		}()
		if !panicked {
			t.Error("lavalink.Equalizer no longer panics on band 15")
		}
	})
	t.Run("equalizer loses band 0", func(t *testing.T) {
		var e lavalink.Equalizer
		if err := json.Unmarshal([]byte(`[{"band":0,"gain":0.5}]`), &e); err != nil || e[0] != 0 {
			t.Errorf("lavalink.Equalizer band 0 = %v, %v; want it lost (0)", e[0], err)
		}
		var f Filters
		if err := json.Unmarshal([]byte(`{"equalizer":[{"band":0,"gain":0.5}]}`), &f); err != nil || len(f.Equalizer) != 1 || f.Equalizer[0].Gain != 0.5 {
			t.Errorf("Filters equalizer = %+v, %v", f.Equalizer, err)
		}
	})
	t.Run("TrackEndEvent type", func(t *testing.T) {
		if got := (lavalink.TrackEndEvent{}).Type(); got != lavalink.EventTypeTrackStart {
			t.Errorf("lavalink.TrackEndEvent.Type() = %v", got)
		}
		if got := (TrackEndEvent{}).Type(); got != lavalink.EventTypeTrackEnd {
			t.Errorf("TrackEndEvent.Type() = %v", got)
		}
	})
}

// FuzzPlayerJSON feeds REST player bodies to the decoder: no input may
// panic it (disgolink's equalizer would), and a decoded player encodes
// again.
func FuzzPlayerJSON(f *testing.F) {
	for _, s := range []string{
		`{"guildId":"1","track":null,"volume":100,"paused":false,"state":{"time":1,"position":0,"connected":false,"ping":-1},"voice":{"token":"","endpoint":"","sessionId":"","channelId":null},"filters":{}}`,
		`{"filters":{"equalizer":[{"band":99,"gain":1}],"rotation":{"rotationHz":0.2}}}`,
		`{"voice":{"channelId":"18446744073709551616"}}`,
		`{"filters":{"pluginFilters":{"x":[1,{"y":null}]}}}`,
		`[{"guildId":"1"}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Player
		if json.Unmarshal(data, &p) != nil {
			return
		}
		if _, err := json.Marshal(p); err != nil {
			t.Errorf("Marshal(decoded %q) = %v", data, err)
		}
		var ps []Player
		_ = json.Unmarshal(data, &ps)
	})
}
