package music_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/storetest"
)

func TestSnapshotJSON(t *testing.T) {
	for _, snap := range []music.Snapshot{
		storetest.Snapshot(1, 1, 30, 5),
		storetest.Snapshot(2, 2, 0, 0), // a stream as the current track
		{GuildID: 3},
	} {
		data, err := json.Marshal(snap)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte(`{"version":1,`)) {
			t.Errorf("JSON does not start with the version: %.40s", data)
		}
		var got music.Snapshot
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatalf("Unmarshal: %v", err)
		}
		if !got.Equal(snap) {
			t.Errorf("snapshot of guild %v changed in a JSON round trip", snap.GuildID)
		}
	}
}

func TestSnapshotVersionOf(t *testing.T) {
	cases := []struct {
		in   string
		want int
		err  error
	}{
		{`{"version":1,"guildId":"1"}`, 1, nil},
		{`{"version":12}`, 12, nil},
		{`{ "guildId":"1", "version": 3 }`, 3, nil},
		{`{"version":0}`, 0, music.ErrInvalidSnapshot},
		{`{"version":-2}`, 0, music.ErrInvalidSnapshot},
		{`{"guildId":"1"}`, 0, music.ErrInvalidSnapshot},
		{`{"version":"1"}`, 0, music.ErrInvalidSnapshot},
		{`{"version":99999999999999999999}`, 0, music.ErrInvalidSnapshot},
		{`not json`, 0, music.ErrInvalidSnapshot},
		{`{"version":2,"queue":{"a new":"shape"}}`, 2, nil},
	}
	for _, c := range cases {
		got, err := music.SnapshotVersionOf([]byte(c.in))
		if got != c.want || !errors.Is(err, c.err) || (c.err == nil && err != nil) {
			t.Errorf("SnapshotVersionOf(%s) = %d, %v; want %d, %v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestSnapshotUnmarshalNewer(t *testing.T) {
	// A newer schema may change any field's shape; the version check comes
	// first, so the error is the version, not a decoding failure.
	in := `{"version":2,"guildId":{"shard":1,"id":"5"},"queue":"moved"}`
	s := storetest.Snapshot(1, 1, 1, 1)
	err := json.Unmarshal([]byte(in), &s)
	var ve *music.SnapshotVersionError
	if !errors.As(err, &ve) || ve.Version != 2 || ve.Supported != music.SnapshotVersion {
		t.Fatalf("Unmarshal(v2) = %v; want a SnapshotVersionError{2, 1}", err)
	}
	if !strings.Contains(err.Error(), "upgrade tunekit") {
		t.Errorf("error text %q does not say what to do", err)
	}
	if !s.Equal(storetest.Snapshot(1, 1, 1, 1)) {
		t.Error("a failed Unmarshal changed the snapshot")
	}
	if err := json.Unmarshal([]byte(`{"version":1,"state":"dancing"}`), &s); !errors.Is(err, music.ErrInvalidSnapshot) {
		t.Errorf("unknown state: %v, want ErrInvalidSnapshot", err)
	}
	if err := json.Unmarshal([]byte(`{"version":1,"queue":[{"info":{"length":"x"}}]}`), &s); !errors.Is(err, music.ErrInvalidSnapshot) {
		t.Errorf("bad track: %v, want ErrInvalidSnapshot", err)
	}
}

func TestSnapshotMarshalErrors(t *testing.T) {
	cases := map[string]func(*music.Snapshot){
		"filters":      func(s *music.Snapshot) { s.Filters = json.RawMessage(`{`) },
		"queue track":  func(s *music.Snapshot) { s.Queue[0].UserData = json.RawMessage(`{`) },
		"current":      func(s *music.Snapshot) { s.Current.PluginInfo = json.RawMessage(`x`) },
		"positionAt":   func(s *music.Snapshot) { s.PositionAt = s.PositionAt.AddDate(9000, 0, 0) },
		"lastActivity": func(s *music.Snapshot) { s.LastActivity = s.LastActivity.AddDate(-3000, 0, 0) },
		"state":        func(s *music.Snapshot) { s.State = 9 },
	}
	for name, change := range cases {
		s := storetest.Snapshot(1, 1, 2, 2)
		change(&s)
		if _, err := json.Marshal(s); err == nil {
			t.Errorf("Marshal with a bad %s succeeded", name)
		}
	}
	s := storetest.Snapshot(1, 1, 0, 0)
	s.State = 9
	if _, err := s.MarshalJSON(); !errors.Is(err, music.ErrInvalidSnapshot) {
		t.Errorf("MarshalJSON with state 9 = %v; want an error matching ErrInvalidSnapshot", err)
	}
}

func TestSnapshotEqualAndClone(t *testing.T) {
	a := storetest.Snapshot(1, 1, 3, 3)
	b := a.Clone()
	b.Queue[0].UserData[0] = '['
	if !a.Queue[0].Equal(storetest.Snapshot(1, 1, 3, 3).Queue[0]) {
		t.Fatal("Clone shares track bytes")
	}
	changes := map[string]func(*music.Snapshot){
		"current nil":   func(s *music.Snapshot) { s.Current = nil },
		"current title": func(s *music.Snapshot) { s.Current.Info.Title = "x" },
		"queue":         func(s *music.Snapshot) { s.Queue = s.Queue[1:] },
		"history track": func(s *music.Snapshot) { s.History[1].Requester = 1 },
		"node":          func(s *music.Snapshot) { s.Node = "x" },
		"version":       func(s *music.Snapshot) { s.Version = 2 },
	}
	for name, change := range changes {
		c := a.Clone()
		change(&c)
		if c.Equal(a) {
			t.Errorf("Equal ignores a change of %s", name)
		}
	}
	v0 := a.Clone()
	v0.Version = 0
	empty := music.Snapshot{GuildID: 1, Queue: []music.Track{}}
	if !v0.Equal(a) || !empty.Equal(music.Snapshot{GuildID: 1}) {
		t.Error("Equal should treat version 0 as current and empty slices as nil")
	}
	if (music.Snapshot{}).Clone().Current != nil {
		t.Error("Clone of an empty snapshot invented a track")
	}
}

// FuzzSnapshotJSON checks that decoding arbitrary input never panics, that
// every failure has a typed cause, and that what decodes re-encodes to
// itself.
func FuzzSnapshotJSON(f *testing.F) {
	for _, s := range []music.Snapshot{storetest.Snapshot(1, 1, 2, 1), {GuildID: 5}} {
		data, _ := json.Marshal(s)
		f.Add(data)
	}
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`{"version":1,"state":"paused","current":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s music.Snapshot
		err := s.UnmarshalJSON(data)
		if err != nil {
			if !errors.Is(err, music.ErrInvalidSnapshot) && !errors.Is(err, music.ErrSnapshotVersion) {
				t.Fatalf("UnmarshalJSON(%q) = %v; want ErrInvalidSnapshot or ErrSnapshotVersion", data, err)
			}
			return
		}
		out, err := s.MarshalJSON()
		if err != nil {
			return // e.g. invalid raw JSON cannot be, but a year past 9999 can
		}
		var again music.Snapshot
		if err := again.UnmarshalJSON(out); err != nil || !again.Equal(s) {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		// Restoring validates instead of panicking.
		_, _ = music.RestoreSession(s)
	})
}
