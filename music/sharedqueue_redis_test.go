package music_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/redisstore"
)

// dashboard is a second client of the shared queue, as a web dashboard
// or another process is: it edits with no lease and no expected version.
func dashboard(t *testing.T, srv *redistest.Server) *redisstore.Store {
	t.Helper()
	rdb := srv.NewClient()
	t.Cleanup(func() { _ = rdb.Close() })
	s, err := redisstore.New(rdb)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// song adds a track to r's node's catalogue and returns it requested by
// user.
func (r *ownRig) song(title string, user snowflake.ID) music.Track {
	r.t.Helper()
	lt, err := r.node.AddTrack(lavalink.TrackInfo{Identifier: "id-" + title, Title: title, Author: "Band", Length: 180 * lavalink.Second})
	if err != nil {
		r.t.Fatal(err)
	}
	t := music.TrackFromLavalink(lt)
	t.Requester = user
	return t
}

func TestSharedQueueFollowsOtherEditors(t *testing.T) {
	srv := redistest.Start(t)
	a := newOwnRig(t, srv, "owner-a", ownOpts{ttl: time.Minute, guilds: []snowflake.ID{rGuild}, titles: []string{"one", "two"}})
	dash := dashboard(t, srv)
	ctx := a.ctx()
	for _, q := range []string{"one", "two"} {
		if _, err := a.m.Play(ctx, rGuild, rActor, q, music.PlaceEnd); err != nil {
			t.Fatalf("Play(%q) = %v", q, err)
		}
	}
	a.waitStarted(rGuild, "one")

	edits := []struct {
		name string
		e    music.QueueEdit
		want []string
	}{
		{"dashboard adds", music.QueueEdit{Op: music.QueueAdd, Tracks: []music.Track{a.song("three", rUser)}}, []string{"two", "three"}},
		{"dashboard moves", music.QueueEdit{Op: music.QueueMove, Position: 2, To: 1}, []string{"three", "two"}},
		{"dashboard inserts", music.QueueEdit{Op: music.QueueInsert, Position: 2, Tracks: []music.Track{a.song("four", rUser)}}, []string{"three", "four", "two"}},
	}
	for _, c := range edits {
		res, err := dash.EditQueue(ctx, rGuild, c.e)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		stored := a.waitSynced(rGuild)
		if stored.Version < res.Version {
			t.Fatalf("%s: synced at version %d, before the edit's %d", c.name, stored.Version, res.Version)
		}
		view, err := a.m.Queue(ctx, rGuild, rActor, 1)
		if err != nil || fmt.Sprint(titles(view.Tracks)) != fmt.Sprint(c.want) {
			t.Fatalf("%s: the Manager's queue = %v, %v; want %v", c.name, titles(view.Tracks), err, c.want)
		}
	}

	// The Manager's own changes go to the store, on top of the
	// dashboard's: skip takes the dashboard's first track.
	if res, err := a.m.Skip(ctx, rGuild, rActor, 1); err != nil || res.Next.Info.Title != "three" {
		t.Fatalf("Skip = %+v, %v; want three next", res, err)
	}
	a.waitStarted(rGuild, "three")
	if _, err := a.m.Remove(ctx, rGuild, rActor, 2); err != nil {
		t.Fatal(err)
	}
	stored := a.waitSynced(rGuild)
	if got := titles(stored.Tracks); fmt.Sprint(got) != "[four]" || !sameTitles(stored.Tracks, music.QueueTracks(a.m, rGuild)) {
		t.Fatalf("stored queue = %v, Manager's %v; want [four] in both", got, titles(music.QueueTracks(a.m, rGuild)))
	}
	// A save of the session keeps the stored queue.
	if err := a.m.SetVolume(ctx, rGuild, rActor, 80); err != nil {
		t.Fatal(err)
	}
	a.clock.Advance(music.DefaultSaveInterval)
	for err := range a.saves {
		if err != nil {
			t.Fatalf("save = %v", err)
		}
		if snap, _ := a.store.Load(ctx, rGuild); snap.Volume == 80 {
			if len(snap.Queue) != 1 || snap.Queue[0].Info.Title != "four" {
				t.Fatalf("stored after a save = %v, want [four]", titles(snap.Queue))
			}
			break
		}
	}
}

func TestSharedQueueConcurrentEditors(t *testing.T) {
	srv := redistest.Start(t)
	const each = 25
	var names []string
	for i := range each {
		names = append(names, fmt.Sprintf("a%02d", i))
	}
	a := newOwnRig(t, srv, "owner-a", ownOpts{ttl: time.Minute, guilds: []snowflake.ID{rGuild}, titles: append([]string{"first"}, names...)})
	ctx := a.ctx()
	if _, err := a.m.Play(ctx, rGuild, rActor, "first", music.PlaceEnd); err != nil {
		t.Fatal(err)
	}
	a.waitStarted(rGuild, "first")
	dashes := []*redisstore.Store{dashboard(t, srv), dashboard(t, srv)}
	var dashTracks [2][]music.Track
	for d := range dashes {
		for i := range each {
			dashTracks[d] = append(dashTracks[d], a.song(fmt.Sprintf("d%d-%02d", d, i), snowflake.ID(100+d)))
		}
	}

	// The Manager adds, moves and swaps while two dashboards add.
	var wg sync.WaitGroup
	var added []string
	var conflicts int
	wg.Go(func() {
		for i, name := range names {
			_, err := a.m.Play(ctx, rGuild, rActor, name, music.PlaceEnd)
			switch {
			case err == nil:
				added = append(added, name)
			case errors.Is(err, music.ErrVersionConflict):
				conflicts++ // the user is told to try again
			default:
				t.Errorf("Play(%q) = %v", name, err)
				return
			}
			if i%5 == 4 {
				if _, err := a.m.Move(ctx, rGuild, rActor, 1, 2); err != nil && !errors.Is(err, music.ErrVersionConflict) {
					t.Errorf("Move = %v", err)
				}
				if _, _, err := a.m.Swap(ctx, rGuild, rActor, 1, 3); err != nil && !errors.Is(err, music.ErrVersionConflict) {
					t.Errorf("Swap = %v", err)
				}
			}
		}
	})
	for d, dash := range dashes {
		wg.Go(func() {
			for _, tr := range dashTracks[d] {
				if _, err := dash.EditQueue(ctx, rGuild, music.QueueEdit{Op: music.QueueAdd, Tracks: []music.Track{tr}}); err != nil {
					t.Errorf("dashboard %d: %v", d, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	stored := a.waitSynced(rGuild)
	local := music.QueueTracks(a.m, rGuild)
	if !sameTitles(stored.Tracks, local) {
		t.Fatalf("stored queue %v\nManager's copy %v", titles(stored.Tracks), titles(local))
	}
	want := slices.Clone(added)
	for d := range dashes {
		want = append(want, titles(dashTracks[d])...)
	}
	got := titles(stored.Tracks)
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("queue holds %d tracks, want %d: every add that succeeded, once\ngot  %v\nwant %v", len(got), len(want), got, want)
	}
	t.Logf("%d of %d Manager adds refused by conflicts", conflicts, each)
}

func TestSharedFairQueue(t *testing.T) {
	srv := redistest.Start(t)
	a := newOwnRig(t, srv, "owner-a", ownOpts{ttl: time.Minute, guilds: []snowflake.ID{rGuild}, titles: []string{"a0", "a1", "a2", "a3", "b1", "b2"}})
	ctx := a.ctx()
	other := music.Actor{UserID: rUser + 1, VoiceChannelID: rVoice}
	a.m.OnVoiceStateUpdate(music.VoiceStateUpdate{GuildID: rGuild, UserID: other.UserID, ChannelID: rVoice})
	for _, q := range []string{"a0", "a1", "a2"} {
		if _, err := a.m.Play(ctx, rGuild, rActor, q, music.PlaceEnd); err != nil {
			t.Fatal(err)
		}
	}
	a.waitStarted(rGuild, "a0")
	// Turning fair mode on interleaves the stored queue too; with one
	// requester it stays as it is.
	if _, err := a.m.UpdateSettings(ctx, rGuild, rActor, func(s music.Settings) (music.Settings, error) { return s.WithFairQueue(true), nil }); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		who   music.Actor
		query string
		at    music.Placement
		pos   int
		want  string
	}{
		// b1's requester has waited longest (never served): first.
		{other, "b1", music.PlaceEnd, 1, "[b1 a1 a2]"},
		{other, "b2", music.PlaceEnd, 3, "[b1 a1 b2 a2]"},
		{rActor, "a3", music.PlaceNext, 2, "[b1 a3 b2 a1 a2]"},
	}
	for _, s := range steps {
		res, err := a.m.Play(ctx, rGuild, s.who, s.query, s.at)
		if err != nil || res.Position != s.pos {
			t.Fatalf("Play(%q) = %+v, %v; want position %d", s.query, res, err, s.pos)
		}
		stored := a.waitSynced(rGuild)
		if got := fmt.Sprint(titles(stored.Tracks)); got != s.want || !sameTitles(stored.Tracks, music.QueueTracks(a.m, rGuild)) {
			t.Fatalf("after %s: stored %v, copy %v; want %s", s.query, got, titles(music.QueueTracks(a.m, rGuild)), s.want)
		}
	}
	// A fair shuffle keeps each requester's places, in the store too.
	places := func(ts []music.Track) string {
		var b []byte
		for _, t := range ts {
			b = append(b, byte('0'+t.Requester%10))
		}
		return string(b)
	}
	before := places(music.QueueTracks(a.m, rGuild))
	if _, err := a.m.Shuffle(ctx, rGuild, rActor); err != nil {
		t.Fatal(err)
	}
	stored := a.waitSynced(rGuild)
	if places(stored.Tracks) != before || !sameTitles(stored.Tracks, music.QueueTracks(a.m, rGuild)) {
		t.Fatalf("after a fair shuffle: stored %v, copy %v; requesters' places %s, want %s",
			titles(stored.Tracks), titles(music.QueueTracks(a.m, rGuild)), places(stored.Tracks), before)
	}
}

func TestSharedQueueCommands(t *testing.T) {
	srv := redistest.Start(t)
	a := newOwnRig(t, srv, "owner-a", ownOpts{ttl: time.Minute, guilds: []snowflake.ID{rGuild}, titles: []string{"s1", "s2", "s3", "s4", "s5"}})
	ctx := a.ctx()
	for _, q := range []string{"s1", "s2", "s3", "s4", "s5"} {
		if _, err := a.m.Play(ctx, rGuild, rActor, q, music.PlaceEnd); err != nil {
			t.Fatal(err)
		}
	}
	a.waitStarted(rGuild, "s1")
	check := func(what, want string) {
		t.Helper()
		stored := a.waitSynced(rGuild)
		if got := fmt.Sprint(titles(stored.Tracks)); got != want || !sameTitles(stored.Tracks, music.QueueTracks(a.m, rGuild)) {
			t.Fatalf("after %s: stored %v, copy %v; want %s", what, got, titles(music.QueueTracks(a.m, rGuild)), want)
		}
	}
	check("play", "[s2 s3 s4 s5]")
	if err := a.m.SetLoop(ctx, rGuild, rActor, music.LoopQueue); err != nil {
		t.Fatal(err)
	}
	if _, err := a.m.Skip(ctx, rGuild, rActor, 2); err != nil { // s1 and s2 go to the back
		t.Fatal(err)
	}
	a.waitStarted(rGuild, "s3")
	check("skip 2 with loop queue", "[s4 s5 s1 s2]")
	a.clock.Advance(3 * time.Minute) // s3 ends: back of the queue
	a.waitStarted(rGuild, "s4")
	check("a track ending with loop queue", "[s5 s1 s2 s3]")
	if _, err := a.m.SkipTo(ctx, rGuild, rActor, 3); err != nil {
		t.Fatal(err)
	}
	a.waitStarted(rGuild, "s2")
	check("skip to 3 with loop queue", "[s5 s1 s3 s4]")
	if _, err := a.m.Previous(ctx, rGuild, rActor); err != nil {
		t.Fatal(err)
	}
	a.waitStarted(rGuild, "s4")
	check("previous", "[s2 s5 s1 s3 s4]")
	if n, err := a.m.Shuffle(ctx, rGuild, rActor); err != nil || n != 5 {
		t.Fatalf("Shuffle = %d, %v", n, err)
	}
	stored := a.waitSynced(rGuild)
	if !sameTitles(stored.Tracks, music.QueueTracks(a.m, rGuild)) {
		t.Fatalf("after a shuffle: stored %v, copy %v", titles(stored.Tracks), titles(music.QueueTracks(a.m, rGuild)))
	}
	if err := a.m.SetLoop(ctx, rGuild, rActor, music.LoopOff); err != nil {
		t.Fatal(err)
	}
	if n, err := a.m.RemoveUser(ctx, rGuild, rActor, rUser); err != nil || n != 5 {
		t.Fatalf("RemoveUser = %d, %v; want 5", n, err)
	}
	check("remove user", "[]")
	for _, q := range []string{"s1", "s2"} {
		if _, err := a.m.Play(ctx, rGuild, rActor, q, music.PlaceNext); err != nil {
			t.Fatal(err)
		}
	}
	check("play next", "[s2 s1]")
	if n, err := a.m.Clear(ctx, rGuild, rActor); err != nil || n != 2 {
		t.Fatalf("Clear = %d, %v", n, err)
	}
	check("clear", "[]")
	if _, err := a.m.Play(ctx, rGuild, rActor, "s3", music.PlaceEnd); err != nil {
		t.Fatal(err)
	}
	if err := a.m.Stop(ctx, rGuild, rActor); err != nil {
		t.Fatal(err)
	}
	check("stop", "[]")
	// Leave deletes the stored session and queue and gives the lease
	// back, so another owner can take the guild at once.
	if err := a.m.Leave(ctx, rGuild, rActor); err != nil {
		t.Fatal(err)
	}
	select {
	case g := <-a.freed:
		if g != rGuild {
			t.Fatalf("released guild %d", g)
		}
	case <-time.After(patience):
		t.Fatal("lease never given back after Leave")
	}
	if _, err := a.store.Load(ctx, rGuild); !errors.Is(err, music.ErrSnapshotNotFound) {
		t.Errorf("Load after Leave = %v, want ErrSnapshotNotFound", err)
	}
	if l, err := dashboard(t, srv).Acquire(ctx, rGuild, "owner-b", time.Minute); err != nil || l.Token <= 0 {
		t.Errorf("Acquire after Leave = %+v, %v", l, err)
	}
}
