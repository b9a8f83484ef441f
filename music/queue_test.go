package music_test

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/storetest"
)

// ids returns the identifiers of tracks, for compact comparisons.
func ids(ts []music.Track) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Info.Identifier
	}
	return out
}

func named(names ...string) []music.Track {
	ts := make([]music.Track, len(names))
	for i, n := range names {
		ts[i] = music.Track{Encoded: "enc-" + n, Info: music.TrackInfo{Identifier: n, SourceName: "youtube", Length: time.Minute, IsSeekable: true}}
	}
	return ts
}

func queueOf(t *testing.T, names ...string) *music.Queue {
	t.Helper()
	q := music.NewQueue()
	if _, err := q.AddMany(named(names...), music.PlaceEnd); err != nil {
		t.Fatal(err)
	}
	return q
}

func TestQueueAddAndNext(t *testing.T) {
	q := music.NewQueue()
	if _, ok := q.Next(); ok {
		t.Fatal("Next on an empty queue reported a track")
	}
	for _, tr := range named("a", "b") {
		if err := q.Add(tr); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.AddNext(named("z")[0]); err != nil {
		t.Fatal(err)
	}
	if got := ids(q.Tracks()); !slices.Equal(got, []string{"z", "a", "b"}) {
		t.Errorf("after Add a, Add b, AddNext z: %v", got)
	}
	var got []string
	for q.Len() > 0 {
		tr, ok := q.Next()
		if !ok {
			t.Fatal("Next reported no track with Len > 0")
		}
		got = append(got, tr.Info.Identifier)
	}
	if !slices.Equal(got, []string{"z", "a", "b"}) {
		t.Errorf("Next order = %v, want z a b", got)
	}
}

func TestQueueAddMany(t *testing.T) {
	q := queueOf(t, "x", "y")
	n, err := q.AddMany(named("a", "b", "c"), music.PlaceNext)
	if err != nil || n != 3 {
		t.Fatalf("AddMany(next) = %d, %v", n, err)
	}
	if got := ids(q.Tracks()); !slices.Equal(got, []string{"a", "b", "c", "x", "y"}) {
		t.Errorf("AddMany(next) order = %v, want a b c x y", got)
	}
	if q.Tracks() == nil || music.NewQueue().Tracks() != nil {
		t.Error("Tracks() should be nil exactly when empty")
	}
}

func TestQueueFull(t *testing.T) {
	q := music.NewQueue(music.WithMaxLength(3))
	if q.MaxLength() != 3 {
		t.Fatalf("MaxLength() = %d, want 3", q.MaxLength())
	}
	n, err := q.AddMany(named("a", "b", "c", "d", "e"), music.PlaceEnd)
	var qf *music.QueueFullError
	if n != 3 || !errors.As(err, &qf) || qf.Max != 3 || qf.Dropped != 2 {
		t.Fatalf("AddMany(5 into cap 3) = %d, %v; want 3 and a QueueFullError{3, 2}", n, err)
	}
	if want := "music: queue is full (3 tracks); 2 tracks were not added"; err.Error() != want {
		t.Errorf("error text %q, want %q", err.Error(), want)
	}
	if got := ids(q.Tracks()); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("after a partial AddMany: %v, want the first three", got)
	}
	for name, add := range map[string]func(music.Track) error{"Add": q.Add, "AddNext": q.AddNext} {
		err := add(named("f")[0])
		if !errors.Is(err, music.ErrQueueFull) || err.Error() != "music: queue is full (3 tracks)" {
			t.Errorf("%s on a full queue = %v, want ErrQueueFull", name, err)
		}
	}
	if n, err := q.AddMany(named("f"), music.PlaceNext); n != 0 || !errors.Is(err, music.ErrQueueFull) {
		t.Errorf("AddMany on a full queue = %d, %v", n, err)
	}
	if q.Len() != 3 {
		t.Errorf("Len() = %d after refused adds, want 3", q.Len())
	}
	// Lowering the cap keeps what is queued.
	q.SetMaxLength(1)
	if q.Len() != 3 || q.MaxLength() != 1 {
		t.Errorf("after SetMaxLength(1): Len %d, MaxLength %d; want 3, 1", q.Len(), q.MaxLength())
	}
}

func TestQueueOptionsClamp(t *testing.T) {
	cases := []struct {
		opt             music.QueueOption
		wantMax, wantHs int
	}{
		{music.WithMaxLength(0), 1000, 50},
		{music.WithMaxLength(-1), 1000, 50},
		{music.WithMaxLength(1_000_000), 100_000, 50},
		{music.WithHistorySize(-1), 1000, 50},
		{music.WithHistorySize(0), 1000, 0},
		{music.WithHistorySize(3), 1000, 3},
		{music.WithShuffleSource(nil), 1000, 50},
	}
	for i, c := range cases {
		q := music.NewQueue(c.opt)
		if q.MaxLength() != c.wantMax || q.HistorySize() != c.wantHs {
			t.Errorf("case %d: MaxLength %d, HistorySize %d; want %d, %d", i, q.MaxLength(), q.HistorySize(), c.wantMax, c.wantHs)
		}
	}
}

func TestQueuePositions(t *testing.T) {
	q := queueOf(t, "a", "b", "c", "d", "e")
	if tr, err := q.At(1); err != nil || tr.Info.Identifier != "a" {
		t.Errorf("At(1) = %v, %v; want a (positions are 1-based)", tr.Info.Identifier, err)
	}
	if tr, err := q.Remove(3); err != nil || tr.Info.Identifier != "c" {
		t.Errorf("Remove(3) = %v, %v; want c", tr.Info.Identifier, err)
	}
	if err := q.Move(4, 1); err != nil {
		t.Fatal(err)
	}
	if got := ids(q.Tracks()); !slices.Equal(got, []string{"e", "a", "b", "d"}) {
		t.Errorf("after Remove(3), Move(4,1): %v, want e a b d", got)
	}
	if err := q.Move(1, 3); err != nil {
		t.Fatal(err)
	}
	if got := ids(q.Tracks()); !slices.Equal(got, []string{"a", "b", "e", "d"}) {
		t.Errorf("after Move(1,3): %v, want a b e d", got)
	}
	if err := q.Move(2, 2); err != nil {
		t.Errorf("Move(2,2) = %v, want nil", err)
	}
	for _, pos := range []int{0, -1, 5, 100} {
		_, err := q.At(pos)
		var pe *music.PositionError
		if !errors.As(err, &pe) || pe.Position != pos || pe.Len != 4 || !errors.Is(err, music.ErrInvalidPosition) {
			t.Errorf("At(%d) error = %v; want a *PositionError{%d, 4}", pos, err, pos)
		}
		if _, err := q.Remove(pos); !errors.Is(err, music.ErrInvalidPosition) {
			t.Errorf("Remove(%d) = %v", pos, err)
		}
		if err := q.Move(pos, 1); !errors.Is(err, music.ErrInvalidPosition) {
			t.Errorf("Move(%d, 1) = %v", pos, err)
		}
		if err := q.Move(1, pos); !errors.Is(err, music.ErrInvalidPosition) {
			t.Errorf("Move(1, %d) = %v", pos, err)
		}
	}
	if got := ids(q.Tracks()); !slices.Equal(got, []string{"a", "b", "e", "d"}) {
		t.Errorf("failed operations changed the queue: %v", got)
	}
	_, err := music.NewQueue().Remove(1)
	if err == nil || err.Error() != "music: no track at position 1: the queue is empty" {
		t.Errorf("Remove(1) on an empty queue = %v", err)
	}
	if _, err := q.At(9); err.Error() != "music: no track at position 9: positions go from 1 to 4" {
		t.Errorf("At(9) text = %q", err)
	}
}

func TestQueueInsert(t *testing.T) {
	q := queueOf(t, "a", "b", "c")
	for _, c := range []struct {
		pos  int
		name string
	}{{2, "x"}, {1, "y"}, {6, "z"}, {4, "w"}} {
		if err := q.Insert(c.pos, named(c.name)[0]); err != nil {
			t.Fatalf("Insert(%d) = %v", c.pos, err)
		}
	}
	if got := ids(q.Tracks()); !slices.Equal(got, []string{"y", "a", "x", "w", "b", "c", "z"}) {
		t.Errorf("after inserts: %v", got)
	}
	for _, pos := range []int{0, 9} {
		if err := q.Insert(pos, named("v")[0]); !errors.Is(err, music.ErrInvalidPosition) {
			t.Errorf("Insert(%d) = %v, want ErrInvalidPosition", pos, err)
		}
	}
	full := music.NewQueue(music.WithMaxLength(1))
	_ = full.Add(named("a")[0])
	if err := full.Insert(1, named("b")[0]); !errors.Is(err, music.ErrQueueFull) {
		t.Errorf("Insert into a full queue = %v", err)
	}
	if total, _ := q.Duration(); total != 7*time.Minute {
		t.Errorf("Duration after inserts = %v", total)
	}
}

func TestQueueShuffle(t *testing.T) {
	const n = 200
	q := music.NewQueue(music.WithShuffleSource(rand.NewPCG(1, 2)))
	if _, err := q.AddMany(storetest.Tracks(0, n), music.PlaceEnd); err != nil {
		t.Fatal(err)
	}
	before := ids(q.Tracks())
	q.Shuffle()
	after := ids(q.Tracks())
	if slices.Equal(before, after) {
		t.Error("Shuffle left 200 tracks in order")
	}
	if !slices.Equal(slices.Sorted(slices.Values(before)), slices.Sorted(slices.Values(after))) {
		t.Error("Shuffle lost or duplicated tracks")
	}
	// The same seed gives the same order.
	q2 := music.NewQueue(music.WithShuffleSource(rand.NewPCG(1, 2)))
	_, _ = q2.AddMany(storetest.Tracks(0, n), music.PlaceEnd)
	q2.Shuffle()
	if !slices.Equal(after, ids(q2.Tracks())) {
		t.Error("Shuffle with the same source gave a different order")
	}
	// The default source works too, on a wrapped ring.
	q3 := queueOf(t, "a", "b", "c", "d", "e", "f")
	q3.Next()
	q3.Next()
	_ = q3.Add(named("g")[0])
	_ = q3.Add(named("h")[0])
	q3.Shuffle()
	if got := slices.Sorted(slices.Values(ids(q3.Tracks()))); !slices.Equal(got, []string{"c", "d", "e", "f", "g", "h"}) {
		t.Errorf("Shuffle of a wrapped ring = %v", got)
	}
	music.NewQueue().Shuffle() // empty: no panic
}

// TestQueueShuffleUniform checks Fisher–Yates is unbiased: over 60,000
// shuffles of 3 tracks each of the 6 orders appears about 10,000 times
// (chi-square, 5 degrees of freedom, p < 0.001 threshold 20.5).
func TestQueueShuffleUniform(t *testing.T) {
	q := music.NewQueue(music.WithShuffleSource(rand.NewPCG(7, 7)))
	_, _ = q.AddMany(named("a", "b", "c"), music.PlaceEnd)
	counts := map[string]int{}
	const runs = 60_000
	for range runs {
		q.Shuffle()
		o := ""
		for _, tr := range q.All() {
			o += tr.Info.Identifier
		}
		counts[o]++
	}
	if len(counts) != 6 {
		t.Fatalf("saw %d orders, want 6: %v", len(counts), counts)
	}
	chi := 0.0
	for _, c := range counts {
		d := float64(c) - runs/6
		chi += d * d / (runs / 6)
	}
	if chi > 20.5 {
		t.Errorf("chi-square = %.1f over %v; the shuffle is biased", chi, counts)
	}
}

func TestQueueClearDedupeRemoveFunc(t *testing.T) {
	q := queueOf(t, "a", "b", "a", "c", "b", "a")
	if n := q.Dedupe(); n != 3 {
		t.Errorf("Dedupe() = %d, want 3", n)
	}
	if got := ids(q.Tracks()); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("after Dedupe: %v, want a b c (first occurrences)", got)
	}
	if total, _ := q.Duration(); total != 3*time.Minute {
		t.Errorf("Duration after Dedupe = %v, want 3m", total)
	}
	if n := q.RemoveFunc(func(tr music.Track) bool { return tr.Info.Identifier == "b" }); n != 1 {
		t.Errorf("RemoveFunc = %d, want 1", n)
	}
	if got := ids(q.Tracks()); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("after RemoveFunc: %v", got)
	}
	q.PushHistory(named("h")[0])
	if n := q.Clear(); n != 2 || q.Len() != 0 {
		t.Errorf("Clear() = %d, Len %d; want 2, 0", n, q.Len())
	}
	if total, streams := q.Duration(); total != 0 || streams != 0 {
		t.Errorf("Duration after Clear = %v, %d", total, streams)
	}
	if q.HistoryLen() != 1 {
		t.Errorf("Clear dropped the history")
	}
	q.ClearHistory()
	if q.HistoryLen() != 0 || q.History() != nil {
		t.Errorf("ClearHistory left %d tracks", q.HistoryLen())
	}
	// Same identifier from another source is another song.
	q = music.NewQueue()
	a := named("x")[0]
	b := a
	b.Info.SourceName = "soundcloud"
	_ = q.Add(a)
	_ = q.Add(b)
	if n := q.Dedupe(); n != 0 {
		t.Errorf("Dedupe removed a track of another source")
	}
}

func TestQueueDuration(t *testing.T) {
	q := music.NewQueue()
	_, _ = q.AddMany(storetest.Tracks(0, 6), music.PlaceEnd) // tracks 2 and 5 are streams
	total, streams := q.Duration()
	want := time.Duration(60+61+63+64) * time.Second
	if total != want || streams != 2 {
		t.Errorf("Duration() = %v, %d; want %v, 2", total, streams, want)
	}
	_, _ = q.Remove(3) // the stream
	_, _ = q.Remove(1)
	total, streams = q.Duration()
	if want -= 60 * time.Second; total != want || streams != 1 {
		t.Errorf("after removing a stream and a track: %v, %d; want %v, 1", total, streams, want)
	}
}

func TestQueuePage(t *testing.T) {
	q := music.NewQueue()
	_, _ = q.AddMany(storetest.Tracks(1, 25), music.PlaceEnd)
	cases := []struct {
		n, size                     int
		number, pages, first, size2 int
	}{
		{1, 10, 1, 3, 1, 10},
		{3, 10, 3, 3, 21, 5},
		{4, 10, 3, 3, 21, 5}, // past the end: the last page
		{0, 10, 1, 3, 1, 10}, // before the start: the first
		{-9, 0, 1, 3, 1, 10}, // default size
		{2, 25, 1, 1, 1, 25},
		{5, 5, 5, 5, 21, 5},
	}
	for _, c := range cases {
		p := q.Page(c.n, c.size)
		if p.Number != c.number || p.Pages != c.pages || p.First != c.first || len(p.Tracks) != c.size2 || p.Total != 25 {
			t.Errorf("Page(%d, %d) = {Number %d, Pages %d, First %d, %d tracks, Total %d}; want {%d, %d, %d, %d, 25}",
				c.n, c.size, p.Number, p.Pages, p.First, len(p.Tracks), p.Total, c.number, c.pages, c.first, c.size2)
			continue
		}
		if want, _ := q.At(p.First); p.Tracks[0].Info.Identifier != want.Info.Identifier {
			t.Errorf("Page(%d, %d).Tracks[0] = %s, want the track at position %d", c.n, c.size, p.Tracks[0].Info.Identifier, p.First)
		}
	}
	empty := music.NewQueue().Page(1, 10)
	if empty.Number != 1 || empty.Pages != 1 || empty.Total != 0 || empty.Tracks != nil {
		t.Errorf("Page of an empty queue = %+v", empty)
	}
}

func TestQueueAll(t *testing.T) {
	q := queueOf(t, "a", "b", "c")
	var got []string
	for pos, tr := range q.All() {
		got = append(got, tr.Info.Identifier)
		if pos == 2 {
			break
		}
	}
	if !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("All() with break at 2 = %v, want a b", got)
	}
}

func TestQueueHistory(t *testing.T) {
	q := music.NewQueue(music.WithHistorySize(3))
	for _, tr := range named("a", "b", "c", "d", "e") {
		q.PushHistory(tr)
	}
	if got := ids(q.History()); !slices.Equal(got, []string{"e", "d", "c"}) {
		t.Errorf("History() = %v, want e d c (newest first, bounded at 3)", got)
	}
	if tr, ok := q.PopHistory(); !ok || tr.Info.Identifier != "e" {
		t.Errorf("PopHistory = %v, %t; want e", tr.Info.Identifier, ok)
	}
	none := music.NewQueue(music.WithHistorySize(0))
	none.PushHistory(named("a")[0])
	if none.HistoryLen() != 0 {
		t.Error("history of size 0 kept a track")
	}
	if _, ok := none.PopHistory(); ok {
		t.Error("PopHistory of an empty history reported a track")
	}
}

// TestQueueMatchesModel runs random operations on a Queue and on a plain
// slice and checks they agree after each step, exercising the ring
// buffer's wrap-around, growth and shrinking.
func TestQueueMatchesModel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	q := music.NewQueue(music.WithMaxLength(300))
	var model []music.Track
	next := 0
	newTrack := func() music.Track { next++; return storetest.Track(next) }
	for step := range 20_000 {
		switch op := r.IntN(10); {
		case op < 3:
			tr := newTrack()
			err := q.Add(tr)
			if len(model) < 300 {
				model = append(model, tr)
			} else if err == nil {
				t.Fatalf("step %d: Add to a full queue succeeded", step)
			}
		case op < 4:
			tr := newTrack()
			if q.AddNext(tr) == nil {
				model = slices.Insert(model, 0, tr)
			}
		case op < 5:
			tr := newTrack()
			pos := 1 + r.IntN(len(model)+1)
			err := q.Insert(pos, tr)
			if len(model) < 300 {
				if err != nil {
					t.Fatalf("step %d: Insert(%d) into %d tracks: %v", step, pos, len(model), err)
				}
				model = slices.Insert(model, pos-1, tr)
			} else if !errors.Is(err, music.ErrQueueFull) {
				t.Fatalf("step %d: Insert into a full queue = %v", step, err)
			}
		case op < 6 && r.IntN(2) == 0:
			tr, ok := q.Next()
			if ok != (len(model) > 0) || (ok && !tr.Equal(model[0])) {
				t.Fatalf("step %d: Next = %v, %t; model front differs", step, tr.Info.Identifier, ok)
			}
			if ok {
				model = model[1:]
			}
		case op < 7 && len(model) > 0:
			pos := 1 + r.IntN(len(model))
			tr, err := q.Remove(pos)
			if err != nil || !tr.Equal(model[pos-1]) {
				t.Fatalf("step %d: Remove(%d) = %v, %v", step, pos, tr.Info.Identifier, err)
			}
			model = slices.Delete(model, pos-1, pos)
		case op < 8 && len(model) > 0:
			from, to := 1+r.IntN(len(model)), 1+r.IntN(len(model))
			if err := q.Move(from, to); err != nil {
				t.Fatal(err)
			}
			tr := model[from-1]
			model = slices.Insert(slices.Delete(model, from-1, from), to-1, tr)
		case op < 9:
			k := r.IntN(20)
			at := music.Placement(r.IntN(2))
			batch := storetest.Tracks(next+1, k)
			next += k
			n, err := q.AddMany(batch, at)
			if want := min(k, 300-len(model)); n != want || (n < k) != (err != nil) {
				t.Fatalf("step %d: AddMany(%d tracks, %v) into %d = %d, %v; want %d", step, k, at, len(model), n, err, want)
			}
			if at == music.PlaceNext {
				model = append(slices.Clone(batch[:n]), model...)
			} else {
				model = append(model, batch[:n]...)
			}
		default:
			if r.IntN(50) == 0 {
				q.Clear()
				model = nil
			}
		}
		if got := q.Tracks(); len(got) != len(model) || !slices.EqualFunc(got, model, music.Track.Equal) {
			t.Fatalf("step %d: queue %v differs from model %v", step, ids(got), ids(model))
		}
	}
}

func TestPlacementString(t *testing.T) {
	for p, want := range map[music.Placement]string{music.PlaceEnd: "end", music.PlaceNext: "next", 5: "Placement(5)"} {
		if got := p.String(); got != want {
			t.Errorf("Placement(%d).String() = %q, want %q", p, got, want)
		}
	}
}
