package storetest_test

import (
	"encoding/json"
	"testing"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/storetest"
)

func TestMemoryStorePasses(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores {
		s := music.NewMemoryStore()
		return storetest.Stores{Settings: s, Sessions: s}
	})
}

func TestNilStoresSkip(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores { return storetest.Stores{} })
}

func TestFixtures(t *testing.T) {
	seen := map[string]bool{}
	streams := 0
	for i, tr := range storetest.Tracks(0, 30) {
		if !tr.Equal(storetest.Track(i)) {
			t.Fatalf("Tracks(0, 30)[%d] differs from Track(%d)", i, i)
		}
		if seen[tr.Info.Identifier] {
			t.Errorf("Track(%d) repeats an identifier", i)
		}
		seen[tr.Info.Identifier] = true
		if tr.Info.IsStream {
			streams++
		}
		data, err := tr.MarshalJSON()
		if err != nil || !json.Valid(data) {
			t.Errorf("Track(%d) does not encode: %v", i, err)
		}
	}
	if streams != 10 {
		t.Errorf("%d streams among 30 tracks, want 10", streams)
	}
	s := storetest.Snapshot(7, 3, 4, 2)
	if s.GuildID != 7 || len(s.Queue) != 4 || len(s.History) != 2 || s.Current == nil {
		t.Errorf("Snapshot(7, 3, 4, 2) = %+v", s)
	}
	if _, err := music.RestoreSession(s); err != nil {
		t.Errorf("Snapshot fixture does not restore: %v", err)
	}
	for i := range 6 {
		st := storetest.Settings(i)
		if st.Loop() != music.LoopOff && st.Autoplay() {
			t.Errorf("Settings(%d) has loop and autoplay on", i)
		}
		if st == storetest.Settings(i+1) {
			t.Errorf("Settings(%d) equals Settings(%d)", i, i+1)
		}
	}
}
