package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

// The checks of stores shared by several processes: each runs when the
// Sessions store also implements the interfaces it needs, and is skipped
// otherwise.

func runShared(subtest func(name string, f func(tb)), newStores func(tb) Stores) {
	queue := []check[Stores]{
		{"EditsMatchModel", testEditsMatchModel},
		{"Versions", testQueueVersions},
		{"CompareAndSet", testCompareAndSet},
		{"Errors", testEditErrors},
		{"ConcurrentEdits", func(t tb, s Stores) { concurrentEdits(t, []music.QueueEditor{queueEditor(s)}, guildA, 8, 60) }},
		{"SessionAgrees", testQueueSession},
	}
	for _, c := range queue {
		subtest("Queue/"+c.name, func(t tb) {
			s := newStores(t)
			if queueEditor(s) == nil {
				t.Skip("Sessions is not a music.QueueEditor")
			}
			c.fn(t, s)
		})
	}
	lease := []check[music.Leaser]{
		{"Exclusive", testLeaseExclusive},
		{"RenewRelease", testLeaseRenewRelease},
		{"ExpiryTakeover", testLeaseExpiry},
		{"InvalidRequests", testLeaseInvalid},
	}
	for _, c := range lease {
		subtest("Lease/"+c.name, func(t tb) {
			l, ok := newStores(t).Sessions.(music.Leaser)
			if !ok {
				t.Skip("Sessions is not a music.Leaser")
			}
			c.fn(t, l)
		})
	}
	fence := []check[Stores]{
		{"StaleWritesRefused", testStaleWrites},
		{"NeverLeased", testNeverLeased},
	}
	for _, c := range fence {
		subtest("Fence/"+c.name, func(t tb) {
			s := newStores(t)
			_, leaser := s.Sessions.(music.Leaser)
			_, fenced := s.Sessions.(music.FencedStore)
			if !leaser || !fenced {
				t.Skip("Sessions is not a music.Leaser and music.FencedStore")
			}
			c.fn(t, s)
		})
	}
}

func queueEditor(s Stores) music.QueueEditor {
	q, _ := s.Sessions.(music.QueueEditor)
	return q
}

// queueTrack returns a track distinct for each (w, i, j) whose requester
// is one of five.
func queueTrack(w, i, j int) music.Track {
	t := Track(w*100_000 + i*4 + j)
	t.Requester = requester((w + i + j) % 5)
	return t
}

func requester(n int) snowflake.ID { return snowflake.ID(100_000_000_000_000_000 + uint64(n)) }

// randomEdit returns an edit for a queue believed to hold n tracks at
// version v: every operation, positions that sometimes do not exist, caps
// that are sometimes reached, and sometimes an expected version.
func randomEdit(rng *rand.Rand, w, i, n int, v uint64) music.QueueEdit {
	pos := func() int { return rng.IntN(n + 3) } // 0 and n+1, n+2 do not exist
	tracks := func() []music.Track {
		ts := make([]music.Track, 1+rng.IntN(3))
		for j := range ts {
			ts[j] = queueTrack(w, i, j)
		}
		return ts
	}
	var e music.QueueEdit
	switch k := rng.IntN(100); {
	case k < 30:
		e = music.QueueEdit{Op: music.QueueAdd, Tracks: tracks()}
		if rng.IntN(5) == 0 {
			e.MaxLength = 1 + rng.IntN(n+2)
		}
	case k < 42:
		e = music.QueueEdit{Op: music.QueueInsert, Position: pos(), Tracks: tracks()}
	case k < 55:
		e = music.QueueEdit{Op: music.QueueRemove, Position: pos()}
	case k < 65:
		e = music.QueueEdit{Op: music.QueueMove, Position: pos(), To: pos()}
	case k < 70:
		e = music.QueueEdit{Op: music.QueueSwap, Position: pos(), To: pos()}
	case k < 75:
		e = music.QueueEdit{Op: music.QueueShuffle, Seed: rng.Int64() - rng.Int64()}
	case k < 76:
		e = music.QueueEdit{Op: music.QueueClear}
	case k < 82:
		e = music.QueueEdit{Op: music.QueueRemoveRequester, Requester: requester(rng.IntN(6))}
	case k < 90:
		e = music.QueueEdit{Op: music.QueueSkipTo, Position: rng.IntN(min(n, 4) + 2)}
	default:
		e = music.QueueEdit{Op: music.QueueRemove, Position: 1} // a track ends
	}
	if rng.IntN(5) == 0 {
		e.ExpectVersion = v
	}
	return e
}

// sameResult compares what a store returned with what the model
// computed, Version aside.
func sameResult(got, want music.QueueEditResult) bool {
	return got.Len == want.Len && got.Position == want.Position && got.Added == want.Added &&
		got.Dropped == want.Dropped && got.Removed == want.Removed && got.Track.Equal(want.Track)
}

func fmtResult(r music.QueueEditResult) string {
	return fmt.Sprintf("{Version:%d Len:%d Track:%q Position:%d Added:%d Dropped:%d Removed:%d}",
		r.Version, r.Len, r.Track.Info.Identifier, r.Position, r.Added, r.Dropped, r.Removed)
}

func fmtEdit(e music.QueueEdit) string {
	return fmt.Sprintf("{%v Position:%d To:%d Tracks:%d MaxLength:%d Seed:%d Requester:%v ExpectVersion:%d Token:%d}",
		e.Op, e.Position, e.To, len(e.Tracks), e.MaxLength, e.Seed, e.Requester, e.ExpectVersion, e.Token)
}

func sameTracks(a, b []music.Track) bool {
	return slices.EqualFunc(a, b, func(x, y music.Track) bool { return x.Equal(y) })
}

// ids lists the tracks' identifiers, for messages.
func ids(ts []music.Track) []string {
	out := make([]string, len(ts))
	for i := range ts {
		out[i] = ts[i].Info.Identifier
	}
	return out
}

// loadQueue is LoadQueue, failing the check on an error.
func loadQueue(t tb, q music.QueueEditor, g snowflake.ID) music.QueueState {
	t.Helper()
	st, err := q.LoadQueue(t.Context(), g)
	if err != nil {
		t.Fatalf("LoadQueue: %v", err)
	}
	return st
}

// edit is EditQueue, failing the check on an error.
func edit(t tb, q music.QueueEditor, g snowflake.ID, e music.QueueEdit) music.QueueEditResult {
	t.Helper()
	r, err := q.EditQueue(t.Context(), g, e)
	if err != nil {
		t.Fatalf("EditQueue(%s): %v", fmtEdit(e), err)
	}
	return r
}

// expectEditError checks that err is like the model's error: the same
// type with the same fields.
func expectEditError(t tb, e music.QueueEdit, got, want error) {
	t.Helper()
	var gp, wp *music.PositionError
	var gf, wf *music.QueueFullError
	switch {
	case errors.As(want, &wp):
		if !errors.As(got, &gp) || *gp != *wp {
			t.Errorf("EditQueue(%s) error = %v, want a *PositionError %+v", fmtEdit(e), got, *wp)
		}
	case errors.As(want, &wf):
		if !errors.As(got, &gf) || *gf != *wf {
			t.Errorf("EditQueue(%s) error = %v, want a *QueueFullError %+v", fmtEdit(e), got, *wf)
		}
	default:
		if !errors.Is(got, music.ErrInvalidEdit) {
			t.Errorf("EditQueue(%s) error = %v, want one matching ErrInvalidEdit", fmtEdit(e), got)
		}
	}
}

// testEditsMatchModel makes a few hundred random edits one after
// another, each checked against [music.QueueEdit.Apply] on a model of the
// queue: the same result, the same error, the same queue after.
func testEditsMatchModel(t tb, s Stores) {
	q := queueEditor(s)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(1, 2))
	model := loadQueue(t, q, guildA)
	if len(model.Tracks) != 0 || model.Version != 0 {
		t.Fatalf("LoadQueue(fresh guild) = %d tracks at version %d; want none at version 0", len(model.Tracks), model.Version)
	}
	tracks := []music.Track{}
	version := uint64(0)
	for i := range 400 {
		e := randomEdit(rng, 0, i, len(tracks), version)
		e.ExpectVersion = 0
		next, want, wantErr := e.Apply(slices.Clone(tracks))
		got, err := q.EditQueue(ctx, guildA, e)
		switch {
		case wantErr != nil:
			expectEditError(t, e, err, wantErr)
		case err != nil:
			t.Fatalf("edit %d: EditQueue(%s) = %v; want %s", i, fmtEdit(e), err, fmtResult(want))
		case !sameResult(got, want):
			t.Fatalf("edit %d: EditQueue(%s) = %s; want %s", i, fmtEdit(e), fmtResult(got), fmtResult(want))
		case version != 0 && got.Version != version+1:
			t.Fatalf("edit %d: EditQueue(%s) version %d after %d; want one more", i, fmtEdit(e), got.Version, version)
		case got.Version == 0:
			t.Fatalf("edit %d: EditQueue(%s) returned version 0", i, fmtEdit(e))
		default:
			tracks, version = next, got.Version
		}
		if i%20 == 0 || wantErr != nil {
			st := loadQueue(t, q, guildA)
			if !sameTracks(st.Tracks, tracks) || st.Version != version {
				t.Fatalf("after edit %d (%s): LoadQueue = %v at version %d; want %v at version %d",
					i, fmtEdit(e), ids(st.Tracks), st.Version, ids(tracks), version)
			}
		}
	}
	if st := loadQueue(t, q, guildB); len(st.Tracks) != 0 || st.Version != 0 {
		t.Errorf("LoadQueue(other guild) = %d tracks at version %d; want none at 0", len(st.Tracks), st.Version)
	}
}

// testQueueVersions checks that versions only grow: by one per edit,
// not at all for a failed one, and for every save or delete of the queue.
func testQueueVersions(t tb, s Stores) {
	q := queueEditor(s)
	ctx := t.Context()
	r := edit(t, q, guildA, music.QueueEdit{Op: music.QueueAdd, Tracks: Tracks(0, 3)})
	v := r.Version
	if v == 0 || r.Len != 3 || r.Added != 3 || r.Position != 1 {
		t.Fatalf("first EditQueue(add 3) = %s; want version > 0, Len 3, Added 3, Position 1", fmtResult(r))
	}
	noops := []music.QueueEdit{
		{Op: music.QueueShuffle, Seed: 1},
		{Op: music.QueueMove, Position: 2, To: 2},
		{Op: music.QueueSwap, Position: 1, To: 1},
		{Op: music.QueueRemoveRequester, Requester: 1},
	}
	for _, e := range noops {
		if r := edit(t, q, guildA, e); r.Version != v+1 {
			t.Errorf("EditQueue(%s) version = %d after %d; want %d: every edit that succeeds counts", fmtEdit(e), r.Version, v, v+1)
		}
		v++
	}
	if _, err := q.EditQueue(ctx, guildA, music.QueueEdit{Op: music.QueueRemove, Position: 9}); err == nil {
		t.Fatal("EditQueue(remove 9 of 3) succeeded")
	}
	if st := loadQueue(t, q, guildA); st.Version != v {
		t.Errorf("version after a failed edit = %d; want %d (unchanged)", st.Version, v)
	}
	if r := edit(t, q, guildA, music.QueueEdit{Op: music.QueueClear}); r.Version != v+1 || r.Removed != 3 || r.Len != 0 {
		t.Errorf("EditQueue(clear) = %s; want version %d, Removed 3, Len 0", fmtResult(r), v+1)
	}
	v++
	if r := edit(t, q, guildA, music.QueueEdit{Op: music.QueueClear}); r.Version != v+1 || r.Removed != 0 {
		t.Errorf("EditQueue(clear empty) = %s; want version %d, Removed 0", fmtResult(r), v+1)
	}
	v++
	if err := s.Sessions.Save(ctx, Snapshot(guildA, 1, 4, 0)); err != nil {
		t.Fatal(err)
	}
	st := loadQueue(t, q, guildA)
	if st.Version <= v || !sameTracks(st.Tracks, Snapshot(guildA, 1, 4, 0).Queue) {
		t.Errorf("after Save: LoadQueue = %v at version %d; want the saved queue at a version above %d", ids(st.Tracks), st.Version, v)
	}
	v = st.Version
	if err := s.Sessions.Delete(ctx, guildA); err != nil {
		t.Fatal(err)
	}
	if st := loadQueue(t, q, guildA); st.Version <= v || len(st.Tracks) != 0 {
		t.Errorf("after Delete: LoadQueue = %d tracks at version %d; want none at a version above %d", len(st.Tracks), st.Version, v)
	}
}

func testCompareAndSet(t tb, s Stores) {
	q := queueEditor(s)
	ctx := t.Context()
	v := edit(t, q, guildA, music.QueueEdit{Op: music.QueueAdd, Tracks: Tracks(0, 5)}).Version
	r := edit(t, q, guildA, music.QueueEdit{Op: music.QueueRemove, Position: 1, ExpectVersion: v})
	if r.Version != v+1 {
		t.Fatalf("EditQueue with the current ExpectVersion = %s; want version %d", fmtResult(r), v+1)
	}
	before := loadQueue(t, q, guildA)
	// A second editor that read version v too comes late.
	for _, e := range []music.QueueEdit{
		{Op: music.QueueRemove, Position: 1, ExpectVersion: v},
		{Op: music.QueueAdd, Tracks: Tracks(9, 1), ExpectVersion: v},
		{Op: music.QueueClear, ExpectVersion: v + 2},
	} {
		_, err := q.EditQueue(ctx, guildA, e)
		var conflict *music.VersionConflictError
		if !errors.As(err, &conflict) || !errors.Is(err, music.ErrVersionConflict) {
			t.Errorf("EditQueue(%s) at version %d: error %v; want a *VersionConflictError", fmtEdit(e), v+1, err)
			continue
		}
		if conflict.Expected != e.ExpectVersion || conflict.Actual != v+1 {
			t.Errorf("VersionConflictError = %+v; want {Expected:%d Actual:%d}", *conflict, e.ExpectVersion, v+1)
		}
	}
	if after := loadQueue(t, q, guildA); after.Version != before.Version || !sameTracks(after.Tracks, before.Tracks) {
		t.Errorf("refused edits changed the queue: %v at %d, was %v at %d", ids(after.Tracks), after.Version, ids(before.Tracks), before.Version)
	}
	fs, ok := s.Sessions.(music.FencedStore)
	if !ok {
		return
	}
	snap := Snapshot(guildA, 1, 2, 0)
	if _, err := fs.SaveFenced(ctx, snap, music.SaveOptions{ExpectVersion: v}); !errors.Is(err, music.ErrVersionConflict) {
		t.Errorf("SaveFenced with a stale ExpectVersion: error %v; want ErrVersionConflict", err)
	}
	if _, err := s.Sessions.Load(ctx, guildA); !errors.Is(err, music.ErrSnapshotNotFound) {
		t.Errorf("Load after a refused SaveFenced: error %v; want ErrSnapshotNotFound (nothing saved)", err)
	}
	got, err := fs.SaveFenced(ctx, snap, music.SaveOptions{ExpectVersion: v + 1})
	if err != nil || got <= v+1 {
		t.Errorf("SaveFenced with the current ExpectVersion = %d, %v; want a version above %d", got, err, v+1)
	}
	if st := loadQueue(t, q, guildA); st.Version != got || !sameTracks(st.Tracks, snap.Queue) {
		t.Errorf("LoadQueue after SaveFenced = %v at %d; want the saved queue at %d", ids(st.Tracks), st.Version, got)
	}
}

func testEditErrors(t tb, s Stores) {
	q := queueEditor(s)
	ctx := t.Context()
	v := edit(t, q, guildA, music.QueueEdit{Op: music.QueueAdd, Tracks: Tracks(0, 4)}).Version
	cases := []struct {
		e    music.QueueEdit
		want error
	}{
		{music.QueueEdit{Op: music.QueueRemove, Position: 0}, &music.PositionError{Position: 0, Len: 4}},
		{music.QueueEdit{Op: music.QueueRemove, Position: 5}, &music.PositionError{Position: 5, Len: 4}},
		{music.QueueEdit{Op: music.QueueRemove, Position: -1}, &music.PositionError{Position: -1, Len: 4}},
		{music.QueueEdit{Op: music.QueueInsert, Position: 6, Tracks: Tracks(9, 1)}, &music.PositionError{Position: 6, Len: 4}},
		{music.QueueEdit{Op: music.QueueMove, Position: 1, To: 5}, &music.PositionError{Position: 5, Len: 4}},
		{music.QueueEdit{Op: music.QueueMove, Position: 7, To: 1}, &music.PositionError{Position: 7, Len: 4}},
		{music.QueueEdit{Op: music.QueueSwap, Position: 0, To: 1}, &music.PositionError{Position: 0, Len: 4}},
		{music.QueueEdit{Op: music.QueueSkipTo, Position: 5}, &music.PositionError{Position: 5, Len: 4}},
		{music.QueueEdit{Op: music.QueueAdd, Tracks: Tracks(9, 2), MaxLength: 4}, &music.QueueFullError{Max: 4, Dropped: 2}},
		{music.QueueEdit{Op: music.QueueInsert, Position: 1, Tracks: Tracks(9, 1), MaxLength: 3}, &music.QueueFullError{Max: 3, Dropped: 1}},
		{music.QueueEdit{Op: music.QueueAdd}, music.ErrInvalidEdit},
		{music.QueueEdit{Op: 0}, music.ErrInvalidEdit},
		{music.QueueEdit{Op: music.QueueSkipTo + 1, Position: 1}, music.ErrInvalidEdit},
		{music.QueueEdit{Op: music.QueueAdd, Tracks: Tracks(9, 1), MaxLength: -1}, music.ErrInvalidEdit},
		{music.QueueEdit{Op: music.QueueClear, Token: -1}, music.ErrInvalidEdit},
	}
	for _, c := range cases {
		_, err := q.EditQueue(ctx, guildA, c.e)
		expectEditError(t, c.e, err, c.want)
	}
	if st := loadQueue(t, q, guildA); st.Version != v || !sameTracks(st.Tracks, Tracks(0, 4)) {
		t.Errorf("refused edits changed the queue: %v at %d; want %v at %d", ids(st.Tracks), st.Version, ids(Tracks(0, 4)), v)
	}
	// A cap that leaves room for some adds those, from the first.
	r := edit(t, q, guildA, music.QueueEdit{Op: music.QueueInsert, Position: 2, Tracks: Tracks(10, 3), MaxLength: 5})
	if r.Added != 1 || r.Dropped != 2 || r.Len != 5 || r.Position != 2 {
		t.Errorf("EditQueue(insert 3 at 2 with room for 1) = %s; want Added 1, Dropped 2, Len 5, Position 2", fmtResult(r))
	}
	if st := loadQueue(t, q, guildA); len(st.Tracks) != 5 || !st.Tracks[1].Equal(Track(10)) {
		t.Errorf("queue after a partial insert = %v; want Track(10) second of 5", ids(st.Tracks))
	}
	if _, err := q.EditQueue(ctx, 0, music.QueueEdit{Op: music.QueueClear}); !errors.Is(err, music.ErrInvalidID) {
		t.Errorf("EditQueue(guild 0) error = %v; want ErrInvalidID", err)
	}
	if _, err := q.LoadQueue(ctx, 0); !errors.Is(err, music.ErrInvalidID) {
		t.Errorf("LoadQueue(guild 0) error = %v; want ErrInvalidID", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := q.EditQueue(cancelled, guildA, music.QueueEdit{Op: music.QueueClear}); err == nil {
		t.Error("EditQueue with a cancelled context succeeded")
	}
	if _, err := q.LoadQueue(cancelled, guildA); err == nil {
		t.Error("LoadQueue with a cancelled context succeeded")
	}
	if st := loadQueue(t, q, guildA); len(st.Tracks) != 5 {
		t.Errorf("queue after edits with a cancelled context holds %d tracks; want 5", len(st.Tracks))
	}
}

// testQueueSession checks that edits and sessions see one queue.
func testQueueSession(t tb, s Stores) {
	if s.Sessions == nil {
		t.Skip("no SessionStore")
	}
	q := queueEditor(s)
	ctx := t.Context()
	snap := Snapshot(guildA, 3, 6, 2)
	if err := s.Sessions.Save(ctx, snap); err != nil {
		t.Fatal(err)
	}
	if err := s.Sessions.Save(ctx, Snapshot(guildB, 4, 3, 0)); err != nil {
		t.Fatal(err)
	}
	if st := loadQueue(t, q, guildA); !sameTracks(st.Tracks, snap.Queue) {
		t.Fatalf("LoadQueue after Save = %v; want the saved queue %v", ids(st.Tracks), ids(snap.Queue))
	}
	r := edit(t, q, guildA, music.QueueEdit{Op: music.QueueMove, Position: 6, To: 1})
	if !r.Track.Equal(snap.Queue[5]) {
		t.Errorf("EditQueue(move 6 to 1) moved %q; want %q", r.Track.Info.Identifier, snap.Queue[5].Info.Identifier)
	}
	want, _, _ := music.QueueEdit{Op: music.QueueMove, Position: 6, To: 1}.Apply(slices.Clone(snap.Queue))
	got, err := s.Sessions.Load(ctx, guildA)
	if err != nil {
		t.Fatal(err)
	}
	snap.Queue = want
	if !got.Equal(snap) {
		t.Errorf("Load after EditQueue differs from the edited snapshot:\n%s", diff(snap, got))
	}
	if b, err := s.Sessions.Load(ctx, guildB); err != nil || !b.Equal(Snapshot(guildB, 4, 3, 0)) {
		t.Errorf("Load(other guild) after an edit = %v; want it untouched", err)
	}
	if fs, ok := s.Sessions.(music.FencedStore); ok {
		other := Snapshot(guildA, 9, 1, 1)
		v, err := fs.SaveFenced(ctx, other, music.SaveOptions{KeepQueue: true})
		if err != nil || v != r.Version {
			t.Errorf("SaveFenced(KeepQueue) = %d, %v; want the unchanged version %d", v, err, r.Version)
		}
		other.Queue = want
		if got, err := s.Sessions.Load(ctx, guildA); err != nil || !got.Equal(other) {
			t.Errorf("Load after SaveFenced(KeepQueue) = %v; want the new session with the edited queue:\n%s", err, diff(other, got))
		}
	}
	if err := s.Sessions.Delete(ctx, guildA); err != nil {
		t.Fatal(err)
	}
	if st := loadQueue(t, q, guildA); len(st.Tracks) != 0 {
		t.Errorf("LoadQueue after Delete = %v; want an empty queue", ids(st.Tracks))
	}
	if st := loadQueue(t, q, guildB); len(st.Tracks) != 3 {
		t.Errorf("LoadQueue(other guild) after Delete = %d tracks; want 3", len(st.Tracks))
	}
}

// CheckConcurrentEdits has writers goroutines each make edits random
// queue edits on guild through editors, in turn: handles on one store as
// separate processes would hold them (a store over separate connections,
// say). Every edit must either succeed or fail as the queue of the
// moment dictates ([*music.PositionError], [*music.QueueFullError],
// [*music.VersionConflictError]); then the acknowledged edits, sorted by
// version, must have consecutive versions, and replaying them with
// [music.QueueEdit.Apply] must give the results the store returned and
// the queue it holds at the end. So no edit is lost, applied twice or
// applied to a queue other than the one its version says. It returns how
// many edits were acknowledged and how many were refused for a version
// conflict, which shows how much the writers overlapped.
func CheckConcurrentEdits(t *testing.T, editors []music.QueueEditor, guild snowflake.ID, writers, edits int) (acknowledged, conflicts int) {
	t.Helper()
	return concurrentEdits(t, editors, guild, writers, edits)
}

type ack struct {
	edit   music.QueueEdit
	result music.QueueEditResult
}

func concurrentEdits(t tb, editors []music.QueueEditor, guild snowflake.ID, writers, edits int) (acknowledged, conflicts int) {
	t.Helper()
	ctx := t.Context()
	tracks := make([]music.Track, 30)
	for i := range tracks {
		tracks[i] = queueTrack(writers, i, 0)
	}
	edit(t, editors[0], guild, music.QueueEdit{Op: music.QueueAdd, Tracks: tracks})
	start := loadQueue(t, editors[0], guild)
	var (
		mu   sync.Mutex
		acks []ack
		wg   sync.WaitGroup
	)
	errs := make(chan error, writers)
	for w := range writers {
		q := editors[w%len(editors)]
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 11))
			n, v := len(start.Tracks), start.Version
			for i := range edits {
				e := randomEdit(rng, w, i, n, v)
				r, err := q.EditQueue(ctx, guild, e)
				var conflict *music.VersionConflictError
				switch {
				case err == nil:
					mu.Lock()
					acks = append(acks, ack{e, r})
					mu.Unlock()
					n, v = r.Len, r.Version
				case errors.As(err, &conflict):
					if conflict.Actual <= conflict.Expected {
						errs <- fmt.Errorf("writer %d: %v: the actual version should be newer", w, err)
						return
					}
					mu.Lock()
					conflicts++
					mu.Unlock()
					v = conflict.Actual
				case errors.Is(err, music.ErrInvalidPosition) || errors.Is(err, music.ErrQueueFull):
				default:
					errs <- fmt.Errorf("writer %d: EditQueue(%s): %w", w, fmtEdit(e), err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	slices.SortFunc(acks, func(a, b ack) int { return cmpUint(a.result.Version, b.result.Version) })
	model := slices.Clone(start.Tracks)
	for i, a := range acks {
		if want := start.Version + uint64(i) + 1; a.result.Version != want {
			t.Fatalf("acknowledged edit %d of %d has version %d; want %d: versions must be consecutive (an edit lost or counted twice)",
				i+1, len(acks), a.result.Version, want)
		}
		var want music.QueueEditResult
		var err error
		model, want, err = a.edit.Apply(model)
		if err != nil {
			t.Fatalf("version %d: the store acknowledged %s, which fails on the queue of the version before: %v", a.result.Version, fmtEdit(a.edit), err)
		}
		if !sameResult(a.result, want) {
			t.Fatalf("version %d: EditQueue(%s) returned %s; replaying it gives %s", a.result.Version, fmtEdit(a.edit), fmtResult(a.result), fmtResult(want))
		}
	}
	end := loadQueue(t, editors[len(editors)-1], guild)
	if end.Version != start.Version+uint64(len(acks)) || !sameTracks(end.Tracks, model) {
		t.Fatalf("final queue is %v at version %d; replaying the %d acknowledged edits gives %v at version %d",
			ids(end.Tracks), end.Version, len(acks), ids(model), start.Version+uint64(len(acks)))
	}
	if len(acks) == 0 {
		t.Errorf("no edit was acknowledged")
	}
	return len(acks), conflicts
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

const leaseTTL = 30 * time.Second

// expiryDeadline bounds how long the expiry check waits for a short
// lease to run out.
var expiryDeadline = 10 * time.Second

func testLeaseExclusive(t tb, l music.Leaser) {
	ctx := t.Context()
	const n = 16
	leases := make([]music.Lease, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { leases[i], errs[i] = l.Acquire(ctx, guildA, fmt.Sprintf("owner-%d", i), leaseTTL) })
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Fatalf("owners %d and %d both acquired the guild", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatalf("no owner acquired the guild: %v", errs[0])
	}
	w := leases[winner]
	if w.Guild != guildA || w.Owner != fmt.Sprintf("owner-%d", winner) || w.Token <= 0 || !w.Expires.After(time.Now().Add(leaseTTL/2)) {
		t.Errorf("Acquire = %+v; want guild %v, owner owner-%d, a token > 0, expiry in about %v", w, guildA, winner, leaseTTL)
	}
	for i, err := range errs {
		if i == winner {
			continue
		}
		var held *music.LeaseHeldError
		if !errors.As(err, &held) || !errors.Is(err, music.ErrLeaseHeld) {
			t.Errorf("owner %d: Acquire error = %v; want a *LeaseHeldError", i, err)
			continue
		}
		if held.Owner != w.Owner || held.ExpiresIn <= 0 || held.ExpiresIn > leaseTTL {
			t.Errorf("owner %d: LeaseHeldError = %+v; want Owner %q and ExpiresIn in (0, %v]", i, *held, w.Owner, leaseTTL)
		}
	}
	// Another guild is free.
	if _, err := l.Acquire(ctx, guildB, "owner-0", leaseTTL); err != nil {
		t.Errorf("Acquire(other guild) = %v; want nil", err)
	}
}

func testLeaseRenewRelease(t tb, l music.Leaser) {
	ctx := t.Context()
	a, err := l.Acquire(ctx, guildA, "a", leaseTTL)
	if err != nil {
		t.Fatal(err)
	}
	again, err := l.Acquire(ctx, guildA, "a", leaseTTL)
	if err != nil || again.Token != a.Token {
		t.Errorf("Acquire by the holder = %+v, %v; want the same token %d", again, err, a.Token)
	}
	renewed, err := l.Renew(ctx, a, 2*leaseTTL)
	if err != nil || renewed.Token != a.Token || !renewed.Expires.After(a.Expires) {
		t.Errorf("Renew(holder) = %+v, %v; want token %d and a later expiry than %v", renewed, err, a.Token, a.Expires)
	}
	for name, forged := range map[string]music.Lease{
		"another owner":     {Guild: guildA, Owner: "b", Token: a.Token},
		"another token":     {Guild: guildA, Owner: "a", Token: a.Token + 1},
		"an older token":    {Guild: guildA, Owner: "a", Token: a.Token - 1},
		"another guild":     {Guild: guildB, Owner: "a", Token: a.Token},
		"zero-value holder": {Guild: guildA, Owner: "b"},
	} {
		if _, err := l.Renew(ctx, forged, leaseTTL); !errors.Is(err, music.ErrLeaseLost) {
			t.Errorf("Renew by %s: error %v; want ErrLeaseLost", name, err)
		}
		if err := l.Release(ctx, forged); !errors.Is(err, music.ErrLeaseLost) {
			t.Errorf("Release by %s: error %v; want ErrLeaseLost", name, err)
		}
	}
	if _, err := l.Acquire(ctx, guildA, "b", leaseTTL); !errors.Is(err, music.ErrLeaseHeld) {
		t.Errorf("Acquire(b) after failed releases by others: error %v; want ErrLeaseHeld", err)
	}
	if err := l.Release(ctx, a); err != nil {
		t.Fatalf("Release(holder) = %v", err)
	}
	b, err := l.Acquire(ctx, guildA, "b", leaseTTL)
	if err != nil || b.Token <= a.Token {
		t.Fatalf("Acquire(b) after release = %+v, %v; want a token above %d", b, err, a.Token)
	}
	if _, err := l.Renew(ctx, a, leaseTTL); !errors.Is(err, music.ErrLeaseLost) {
		t.Errorf("Renew of a released lease another owner took: error %v; want ErrLeaseLost", err)
	}
	if err := l.Release(ctx, a); !errors.Is(err, music.ErrLeaseLost) {
		t.Errorf("Release of a lease another owner took: error %v; want ErrLeaseLost", err)
	}
	if _, err := l.Renew(ctx, b, leaseTTL); err != nil {
		t.Errorf("Renew(b) = %v; want nil", err)
	}
}

// testLeaseExpiry lets a short lease run out while another owner keeps
// asking for it.
func testLeaseExpiry(t tb, l music.Leaser) {
	ctx := t.Context()
	const ttl = 30 * time.Millisecond
	a, err := l.Acquire(ctx, guildA, "a", ttl)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(expiryDeadline)
	var b music.Lease
	for {
		if b, err = l.Acquire(ctx, guildA, "b", leaseTTL); err == nil {
			break
		}
		if !errors.Is(err, music.ErrLeaseHeld) {
			t.Fatalf("Acquire(b) while a's lease runs: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("a lease of %v was still held after %v", ttl, expiryDeadline)
		}
	}
	if b.Token <= a.Token {
		t.Errorf("token after expiry = %d; want above the expired lease's %d", b.Token, a.Token)
	}
	if _, err := l.Renew(ctx, a, ttl); !errors.Is(err, music.ErrLeaseLost) {
		t.Errorf("Renew of an expired lease another owner took: error %v; want ErrLeaseLost", err)
	}
	if err := l.Release(ctx, a); !errors.Is(err, music.ErrLeaseLost) {
		t.Errorf("Release of an expired lease another owner took: error %v; want ErrLeaseLost", err)
	}
}

func testLeaseInvalid(t tb, l music.Leaser) {
	ctx := t.Context()
	long := string(make([]byte, music.MaxOwnerLength+1))
	for name, c := range map[string]struct {
		owner string
		ttl   time.Duration
	}{"empty owner": {"", leaseTTL}, "long owner": {long, leaseTTL}, "zero ttl": {"a", 0}, "sub-millisecond ttl": {"a", time.Microsecond}} {
		if _, err := l.Acquire(ctx, guildA, c.owner, c.ttl); !errors.Is(err, music.ErrInvalidLease) {
			t.Errorf("Acquire with %s: error %v; want ErrInvalidLease", name, err)
		}
	}
	if _, err := l.Acquire(ctx, 0, "a", leaseTTL); !errors.Is(err, music.ErrInvalidID) {
		t.Errorf("Acquire(guild 0): error %v; want ErrInvalidID", err)
	}
	a, err := l.Acquire(ctx, guildA, "a", leaseTTL)
	if err != nil {
		t.Fatalf("Acquire after refused requests: %v", err)
	}
	if _, err := l.Renew(ctx, a, 0); !errors.Is(err, music.ErrInvalidLease) {
		t.Errorf("Renew with ttl 0: error %v; want ErrInvalidLease", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := l.Acquire(cancelled, guildB, "a", leaseTTL); err == nil {
		t.Error("Acquire with a cancelled context succeeded")
	}
	if _, err := l.Renew(cancelled, a, leaseTTL); err == nil {
		t.Error("Renew with a cancelled context succeeded")
	}
	if err := l.Release(cancelled, a); err == nil {
		t.Error("Release with a cancelled context succeeded")
	}
}

// testStaleWrites has owner a write, lose the guild to b, and write
// again with its old token: every such write must fail and change
// nothing.
func testStaleWrites(t tb, s Stores) {
	ctx := t.Context()
	l := s.Sessions.(music.Leaser)
	fs := s.Sessions.(music.FencedStore)
	q := queueEditor(s)
	a, err := l.Acquire(ctx, guildA, "a", leaseTTL)
	if err != nil {
		t.Fatal(err)
	}
	snap := Snapshot(guildA, 1, 3, 1)
	if _, err := fs.SaveFenced(ctx, snap, music.SaveOptions{Token: a.Token}); err != nil {
		t.Fatalf("SaveFenced with the holder's token: %v", err)
	}
	if err := fs.PutFenced(ctx, guildA, Settings(1), a.Token); err != nil {
		t.Fatalf("PutFenced with the holder's token: %v", err)
	}
	if q != nil {
		edit(t, q, guildA, music.QueueEdit{Op: music.QueueAdd, Tracks: Tracks(50, 1), Token: a.Token})
	}
	if err := l.Release(ctx, a); err != nil {
		t.Fatal(err)
	}
	b, err := l.Acquire(ctx, guildA, "b", leaseTTL)
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.Sessions.Load(ctx, guildA)
	if err != nil {
		t.Fatal(err)
	}
	fencedOff := func(what string, err error) {
		t.Helper()
		var f *music.FencedError
		if !errors.As(err, &f) || !errors.Is(err, music.ErrFenced) {
			t.Errorf("%s with a stale token: error %v; want a *FencedError", what, err)
			return
		}
		if f.Token != a.Token || f.Current != b.Token {
			t.Errorf("%s: FencedError = %+v; want {Token:%d Current:%d}", what, *f, a.Token, b.Token)
		}
	}
	_, err = fs.SaveFenced(ctx, Snapshot(guildA, 2, 5, 0), music.SaveOptions{Token: a.Token})
	fencedOff("SaveFenced", err)
	_, err = fs.SaveFenced(ctx, Snapshot(guildA, 2, 5, 0), music.SaveOptions{Token: a.Token, KeepQueue: true})
	fencedOff("SaveFenced(KeepQueue)", err)
	fencedOff("PutFenced", fs.PutFenced(ctx, guildA, Settings(2), a.Token))
	fencedOff("DeleteFenced", fs.DeleteFenced(ctx, guildA, a.Token))
	var version uint64
	if q != nil {
		version = loadQueue(t, q, guildA).Version
		_, err = q.EditQueue(ctx, guildA, music.QueueEdit{Op: music.QueueClear, Token: a.Token})
		fencedOff("EditQueue", err)
		if st := loadQueue(t, q, guildA); st.Version != version {
			t.Errorf("queue version after fenced-off writes = %d; want %d", st.Version, version)
		}
	}
	if got, err := s.Sessions.Load(ctx, guildA); err != nil || !got.Equal(before) {
		t.Errorf("Load after fenced-off writes = %v; want the session unchanged:\n%s", err, diff(before, got))
	}
	if s.Settings != nil {
		if got, err := s.Settings.Get(ctx, guildA); err != nil || got != Settings(1) {
			t.Errorf("Get after a fenced-off PutFenced = %v, %v; want %v", got, err, Settings(1))
		}
	}
	// The new holder's writes, and unfenced ones, go through.
	if err := fs.PutFenced(ctx, guildA, Settings(3), b.Token); err != nil {
		t.Errorf("PutFenced with the newest token: %v", err)
	}
	if _, err := fs.SaveFenced(ctx, Snapshot(guildA, 4, 2, 0), music.SaveOptions{Token: b.Token}); err != nil {
		t.Errorf("SaveFenced with the newest token: %v", err)
	}
	if q != nil {
		if _, err := q.EditQueue(ctx, guildA, music.QueueEdit{Op: music.QueueClear}); err != nil {
			t.Errorf("unfenced EditQueue: %v", err)
		}
	}
	if err := fs.DeleteFenced(ctx, guildA, b.Token); err != nil {
		t.Errorf("DeleteFenced with the newest token: %v", err)
	}
	if _, err := s.Sessions.Load(ctx, guildA); !errors.Is(err, music.ErrSnapshotNotFound) {
		t.Errorf("Load after DeleteFenced: error %v; want ErrSnapshotNotFound", err)
	}
}

// testNeverLeased checks a token is refused on a guild no one leased.
func testNeverLeased(t tb, s Stores) {
	ctx := t.Context()
	fs := s.Sessions.(music.FencedStore)
	_, err := fs.SaveFenced(ctx, Snapshot(guildC, 1, 1, 0), music.SaveOptions{Token: 42})
	var f *music.FencedError
	if !errors.As(err, &f) || *f != (music.FencedError{Token: 42}) {
		t.Errorf("SaveFenced(token 42) on a guild never leased: error %v; want a *FencedError{Token:42 Current:0}", err)
	}
	if _, err := s.Sessions.Load(ctx, guildC); !errors.Is(err, music.ErrSnapshotNotFound) {
		t.Errorf("Load after a refused SaveFenced: error %v; want ErrSnapshotNotFound", err)
	}
	if _, err := fs.SaveFenced(ctx, Snapshot(guildC, 1, 1, 0), music.SaveOptions{Token: -1}); !errors.Is(err, music.ErrFenced) {
		t.Errorf("SaveFenced(token -1): error %v; want ErrFenced", err)
	}
}

// runSharedBenchmarks measures each queue edit on a 1,000-track queue,
// LoadQueue, and a lease's renewal, for stores that implement them.
func runSharedBenchmarks(b *testing.B, newStores func(b *testing.B) Stores) {
	const n = 1000
	queue := func() []music.Track {
		ts := Tracks(0, n)
		for i := range ts {
			ts[i].Requester = requester(i % 10)
		}
		return ts
	}
	type bench struct {
		name    string
		e       music.QueueEdit
		restore func(r music.QueueEditResult) music.QueueEdit // nil: none needed
	}
	extra := Track(-1)
	benches := []bench{
		{"Add", music.QueueEdit{Op: music.QueueAdd, Tracks: []music.Track{extra}},
			func(music.QueueEditResult) music.QueueEdit {
				return music.QueueEdit{Op: music.QueueRemove, Position: n + 1}
			}},
		{"AddNext", music.QueueEdit{Op: music.QueueInsert, Position: 1, Tracks: []music.Track{extra}},
			func(music.QueueEditResult) music.QueueEdit {
				return music.QueueEdit{Op: music.QueueRemove, Position: 1}
			}},
		{"InsertMiddle", music.QueueEdit{Op: music.QueueInsert, Position: n / 2, Tracks: []music.Track{extra}},
			func(music.QueueEditResult) music.QueueEdit {
				return music.QueueEdit{Op: music.QueueRemove, Position: n / 2}
			}},
		{"RemoveMiddle", music.QueueEdit{Op: music.QueueRemove, Position: n / 2},
			func(r music.QueueEditResult) music.QueueEdit {
				return music.QueueEdit{Op: music.QueueInsert, Position: n / 2, Tracks: []music.Track{r.Track}}
			}},
		{"RemoveFirst", music.QueueEdit{Op: music.QueueRemove, Position: 1},
			func(r music.QueueEditResult) music.QueueEdit {
				return music.QueueEdit{Op: music.QueueInsert, Position: 1, Tracks: []music.Track{r.Track}}
			}},
		{"MoveLastToFirst", music.QueueEdit{Op: music.QueueMove, Position: n, To: 1}, nil},
		{"Swap", music.QueueEdit{Op: music.QueueSwap, Position: 1, To: n}, nil},
		{"Shuffle", music.QueueEdit{Op: music.QueueShuffle, Seed: 7}, nil},
		{"SkipTo10", music.QueueEdit{Op: music.QueueSkipTo, Position: 10}, nil},
		{"RemoveRequester", music.QueueEdit{Op: music.QueueRemoveRequester, Requester: requester(3)}, nil},
		{"Clear", music.QueueEdit{Op: music.QueueClear}, nil},
	}
	for _, bc := range benches {
		b.Run("Edit/"+bc.name+"/1000", func(b *testing.B) {
			s := newStores(b)
			q := queueEditor(s)
			if q == nil {
				b.Skip("Sessions is not a music.QueueEditor")
			}
			ctx := context.Background()
			fill := func() {
				if _, err := q.EditQueue(ctx, guildA, music.QueueEdit{Op: music.QueueClear}); err != nil {
					b.Fatal(err)
				}
				if _, err := q.EditQueue(ctx, guildA, music.QueueEdit{Op: music.QueueAdd, Tracks: queue()}); err != nil {
					b.Fatal(err)
				}
			}
			fill()
			b.ReportAllocs()
			for b.Loop() {
				r, err := q.EditQueue(ctx, guildA, bc.e)
				if err != nil {
					b.Fatal(err)
				}
				if bc.restore == nil && r.Len == n {
					continue
				}
				b.StopTimer()
				if bc.restore != nil {
					if _, err := q.EditQueue(ctx, guildA, bc.restore(r)); err != nil {
						b.Fatal(err)
					}
				} else {
					fill()
				}
				b.StartTimer()
			}
		})
	}
	b.Run("LoadQueue/1000", func(b *testing.B) {
		q := queueEditor(newStores(b))
		if q == nil {
			b.Skip("Sessions is not a music.QueueEditor")
		}
		ctx := context.Background()
		if _, err := q.EditQueue(ctx, guildA, music.QueueEdit{Op: music.QueueAdd, Tracks: queue()}); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if st, err := q.LoadQueue(ctx, guildA); err != nil || len(st.Tracks) != n {
				b.Fatalf("LoadQueue = %d tracks, %v", len(st.Tracks), err)
			}
		}
	})
	b.Run("Lease/Renew", func(b *testing.B) {
		l, ok := newStores(b).Sessions.(music.Leaser)
		if !ok {
			b.Skip("Sessions is not a music.Leaser")
		}
		ctx := context.Background()
		lease, err := l.Acquire(ctx, guildA, "bench", leaseTTL)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if lease, err = l.Renew(ctx, lease, leaseTTL); err != nil {
				b.Fatal(err)
			}
		}
	})
}
