package music_test

import (
	"bytes"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/boltstore"
	"github.com/tunekit/tunekit/music/redisstore"
	"github.com/tunekit/tunekit/music/storetest"
)

// TestQueueSettingsRoundTripStores proves the fair queue, track length,
// user share and vote settings survive music/redisstore (a real Redis)
// and music/boltstore, with which values the guild chose, and that an
// autoplayed track keeps its attribution in a stored session.
func TestQueueSettingsRoundTripStores(t *testing.T) {
	want := music.Settings{}.WithFairQueue(true)
	want, _ = want.WithMaxTrackLength(7*time.Minute + 30*time.Second)
	want, _ = want.WithMaxUserShare(15)
	want, _ = want.WithVoteSkipShare(66)
	onlyVote, _ := music.Settings{}.WithVoteSkipShare(100)
	off := music.Settings{}.WithFairQueue(false)

	bolt, err := boltstore.Open(filepath.Join(t.TempDir(), "tunekit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bolt.Close() })
	rs, err := redisstore.New(redistest.Start(t).Client())
	if err != nil {
		t.Fatal(err)
	}
	stores := map[string]interface {
		music.SettingsStore
		music.SessionStore
	}{"redisstore": rs, "boltstore": bolt}
	guild := snowflake.ID(820000000000000001)
	for name, s := range stores {
		for _, st := range []music.Settings{want, onlyVote, off} {
			if err := s.Put(t.Context(), guild, st); err != nil {
				t.Fatalf("%s: Put: %v", name, err)
			}
			got, err := s.Get(t.Context(), guild)
			if err != nil || got != st {
				t.Errorf("%s: Get after Put(%v) = %v, %v", name, st, got, err)
			}
		}
		snap := storetest.Snapshot(guild, 1, 2, 1)
		cur := *snap.Current
		cur.Requester, cur.Autoplay = 0, true
		snap.Current = &cur
		if err := s.Save(t.Context(), snap); err != nil {
			t.Fatalf("%s: Save: %v", name, err)
		}
		got, err := s.Load(t.Context(), guild)
		if err != nil || got.Current == nil || !got.Current.Autoplay || !got.Equal(snap) {
			t.Errorf("%s: an autoplayed current track did not round-trip: %v", name, err)
		}
	}
}

func TestQueueEventsJSONRoundTrip(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tr := storetest.Track(2)
	events := []music.Event{
		music.SkipVoteUpdated{GuildID: 1, Track: tr, Voter: 5, Votes: 1, Needed: 2, Expires: at.Add(30 * time.Second), At: at},
		music.SkipVoteEnded{GuildID: 2, Track: tr, Reason: music.VoteExpired, Votes: 1, Needed: 3, At: at},
		music.TracksRemoved{GuildID: 3, UserID: 9, Count: 4, Reason: music.RemovedLeft, At: at},
	}
	for _, e := range events {
		data, err := music.MarshalEvent(e)
		if err != nil {
			t.Fatalf("MarshalEvent(%T): %v", e, err)
		}
		got, err := music.UnmarshalEvent(data)
		if err != nil {
			t.Fatalf("UnmarshalEvent(%s): %v", data, err)
		}
		if reflect.TypeOf(got) != reflect.TypeOf(e) || got.Guild() != e.Guild() {
			t.Errorf("UnmarshalEvent(%s) = %T, want %T", data, got, e)
		}
		if again, _ := music.MarshalEvent(got); !bytes.Equal(again, data) {
			t.Errorf("%T changed in a round trip:\n got %s\nwant %s", e, again, data)
		}
	}
	for _, s := range []interface{ String() string }{music.VotePassed, music.RemovedByCommand} {
		if s.String() == "" {
			t.Errorf("%T has no name", s)
		}
	}
}
