package music

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// Requesters of the fair queue tests: A, B, C, D... are users 1, 2, 3...
func userN(i int) snowflake.ID { return snowflake.ID(i + 1) }

// ft is a track titled title (such as "a1"), requested by the user its
// letter names.
func ft(title string) Track {
	return Track{
		Encoded:   "enc-" + title,
		Info:      TrackInfo{Identifier: title, Title: title, Length: time.Minute, SourceName: "youtube"},
		Requester: userN(int(title[0] - 'a')),
	}
}

func fts(titles string) []Track {
	var out []Track
	for _, t := range strings.Fields(titles) {
		out = append(out, ft(t))
	}
	return out
}

func fairTitles(ts []Track) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.Info.Title)
	}
	return b.String()
}

// TestFairQueueOrder pins the fair order with three and four users.
func TestFairQueueOrder(t *testing.T) {
	type step struct {
		add   string // tracks one user adds with AddMany; "" for none
		next  bool   // PlaceNext
		start int    // tracks to take and start before the add
		want  string // the queue after the step
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"three users, nothing played", []step{
			{add: "a1 a2 a3", want: "a1 a2 a3"},
			{add: "b1 b2", want: "a1 b1 a2 b2 a3"},
			{add: "c1", want: "a1 b1 c1 a2 b2 a3"},
			{add: "b3", want: "a1 b1 c1 a2 b2 a3 b3"},
			{add: "c2 c3 c4", want: "a1 b1 c1 a2 b2 c2 a3 b3 c3 c4"},
		}},
		{"the one served waits", []step{
			{add: "a1 a2 a3", want: "a1 a2 a3"},
			{start: 1, add: "b1", want: "b1 a2 a3"},
			{add: "c1", want: "b1 c1 a2 a3"},
			{add: "b2", want: "b1 c1 a2 b2 a3"},
			{start: 1, want: "c1 a2 b2 a3"},     // b1 plays; B now waits least
			{add: "d1", want: "c1 d1 a2 b2 a3"}, // C queued first
			{add: "b3", want: "c1 d1 a2 b2 a3 b3"},
			{start: 2, add: "c2", want: "a2 b2 c2 a3 b3"},
		}},
		{"served long ago beats served just now", []step{
			{add: "a1 b1 c1", want: "a1 b1 c1"}, // one user adding all three: a single run each
			{start: 3, want: ""},
			{add: "c2", want: "c2"},
			{add: "a2", want: "a2 c2"},
			{add: "b2", want: "a2 b2 c2"},
		}},
		{"next among your own", []step{
			{add: "a1 a2", want: "a1 a2"},
			{add: "b1", want: "a1 b1 a2"},
			{add: "a0", next: true, want: "a0 b1 a1 a2"},
			{add: "b0", next: true, want: "a0 b0 a1 b1 a2"},
			{add: "c1 c2", next: true, want: "a0 b0 c1 a1 b1 c2 a2"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := NewSession(1, epoch, WithFair(true))
			q := s.Queue()
			for i, st := range tt.steps {
				for range st.start {
					next, ok := q.Next()
					if !ok {
						t.Fatalf("step %d: queue empty", i)
					}
					s.Start(next, epoch)
				}
				if st.add != "" {
					at := PlaceEnd
					if st.next {
						at = PlaceNext
					}
					for _, run := range groupRuns(fts(st.add)) {
						if _, err := q.AddMany(run, at); err != nil {
							t.Fatal(err)
						}
					}
				}
				if got := fairTitles(q.Tracks()); got != st.want {
					t.Fatalf("step %d (start %d, add %q): queue = %q, want %q", i, st.start, st.add, got, st.want)
				}
			}
		})
	}
}

// groupRuns splits tracks into runs by requester, as users add them.
func groupRuns(ts []Track) [][]Track {
	var out [][]Track
	for len(ts) > 0 {
		n := 1
		for n < len(ts) && ts[n].Requester == ts[0].Requester {
			n++
		}
		out = append(out, ts[:n])
		ts = ts[n:]
	}
	return out
}

func TestFairQueueAddPositions(t *testing.T) {
	q := NewQueue(WithFair(true))
	for _, c := range []struct {
		add  string
		at   Placement
		want int
	}{
		{"a1 a2", PlaceEnd, 1},
		{"b1", PlaceEnd, 2},
		{"a3", PlaceNext, 1},
		{"c1 c2", PlaceEnd, 3},
	} {
		first, added, err := q.addMany(fts(c.add), c.at)
		if err != nil || added != len(fts(c.add)) || first != c.want {
			t.Errorf("addMany(%q) = %d, %d, %v; want first %d (queue %q)", c.add, first, added, err, c.want, fairTitles(q.Tracks()))
		}
		if got, _ := q.At(first); got.Info.Title != fts(c.add)[0].Info.Title {
			t.Errorf("At(%d) = %q, want the first added", first, got.Info.Title)
		}
	}
	// Mixed requesters in one call: the first track's final position.
	q2 := NewQueue(WithFair(true))
	_, _ = q2.AddMany(fts("a1 a2 a3"), PlaceEnd)
	first, _, _ := q2.addMany(fts("a4 b1"), PlaceEnd)
	if got := fairTitles(q2.Tracks()); got != "a1 b1 a2 a3 a4" || first != 5 {
		t.Errorf("mixed add = %q, first %d; want a1 b1 a2 a3 a4, first 5", got, first)
	}
	// A full fair queue adds what fits.
	q3 := NewQueue(WithFair(true), WithMaxLength(3))
	added, err := q3.AddMany(fts("a1 a2 a3 a4"), PlaceEnd)
	var qf *QueueFullError
	if added != 3 || !errors.As(err, &qf) || qf.Dropped != 1 {
		t.Errorf("AddMany past the cap = %d, %v; want 3 and 1 dropped", added, err)
	}
	if err := q3.Add(ft("b1")); !errors.Is(err, ErrQueueFull) {
		t.Errorf("Add to a full fair queue = %v", err)
	}
	if err := q3.AddNext(ft("b1")); !errors.Is(err, ErrQueueFull) {
		t.Errorf("AddNext to a full fair queue = %v", err)
	}
	q4 := NewQueue(WithFair(true))
	for _, tr := range fts("a1 a2 b1") {
		if err := q4.Add(tr); err != nil {
			t.Fatal(err)
		}
	}
	if err := q4.AddNext(ft("b0")); err != nil {
		t.Fatal(err)
	}
	if got := fairTitles(q4.Tracks()); got != "a1 b0 a2 b1" {
		t.Errorf("Add, AddNext in fair mode = %q, want a1 b0 a2 b1", got)
	}
	if total, _ := q4.Duration(); total != 4*time.Minute {
		t.Errorf("Duration = %v, want 4m", total)
	}
}

// TestFairQueueMatchesDefinition drives random adds and plays and checks
// every track that plays against the definition: the oldest queued track
// of the requester who has waited longest since their last track started
// (never: longest of all, the first to queue first).
func TestFairQueueMatchesDefinition(t *testing.T) {
	for seed := range uint64(50) {
		rnd := rand.New(rand.NewPCG(seed, 7))
		s, _ := NewSession(1, epoch, WithFair(true), WithMaxLength(QueueLengthLimit))
		q := s.Queue()
		type queued struct {
			t   Track
			seq int
		}
		own := map[snowflake.ID][]queued{} // the model: each user's tracks in their order
		served := map[snowflake.ID]int{}
		seq, starts := 0, 0
		for step := range 300 {
			if rnd.IntN(3) > 0 {
				u := rnd.IntN(5)
				n := 1 + rnd.IntN(3)
				at := PlaceEnd
				if rnd.IntN(5) == 0 {
					at = PlaceNext
				}
				var run []Track
				var model []queued
				for range n {
					seq++
					tr := Track{Encoded: fmt.Sprint(seq), Info: TrackInfo{Title: fmt.Sprintf("%c%d", 'a'+u, seq)}, Requester: userN(u)}
					run = append(run, tr)
					model = append(model, queued{tr, seq})
				}
				if _, err := q.AddMany(run, at); err != nil {
					t.Fatal(err)
				}
				id := userN(u)
				if at == PlaceNext {
					own[id] = append(model, own[id]...)
				} else {
					own[id] = append(own[id], model...)
				}
				continue
			}
			next, ok := q.Next()
			if !ok {
				continue
			}
			// Who should play: least recently served, never served first by
			// the age of their oldest queued track.
			var want snowflake.ID
			best := [2]int{1 << 62, 1 << 62}
			for id, ts := range own {
				if len(ts) == 0 {
					continue
				}
				key := [2]int{served[id], 0}
				if served[id] == 0 {
					key[1] = slices.MinFunc(ts, func(a, b queued) int { return a.seq - b.seq }).seq
				}
				if key[0] < best[0] || key[0] == best[0] && key[1] < best[1] {
					best, want = key, id
				}
			}
			if next.Requester != want || next.Encoded != own[want][0].t.Encoded {
				t.Fatalf("seed %d step %d: played %s, want %s's %s; queue was %s", seed, step, next.Info.Title, want, own[want][0].t.Info.Title, fairTitles(append([]Track{next}, q.Tracks()...)))
			}
			own[want] = own[want][1:]
			starts++
			served[want] = starts
			s.Start(next, epoch)
		}
	}
}

func TestFairQueueShuffleKeepsTurns(t *testing.T) {
	q := NewQueue(WithFair(true), WithShuffleSource(rand.NewPCG(3, 4)))
	for _, run := range groupRuns(fts("a1 a2 a3 a4 a5 b1 b2 b3 c1 c2 d1")) {
		_, _ = q.AddMany(run, PlaceEnd)
	}
	before := q.Tracks()
	requesters := func(ts []Track) []snowflake.ID {
		out := make([]snowflake.ID, len(ts))
		for i, tr := range ts {
			out[i] = tr.Requester
		}
		return out
	}
	changed := false
	for range 20 {
		q.Shuffle()
		after := q.Tracks()
		if !slices.Equal(requesters(before), requesters(after)) {
			t.Fatalf("fair Shuffle changed the turns: %q became %q", fairTitles(before), fairTitles(after))
		}
		if !slices.EqualFunc(before, after, Track.Equal) {
			changed = true
		}
		sorted := func(ts []Track) []string {
			s := strings.Fields(fairTitles(ts))
			slices.Sort(s)
			return s
		}
		if !slices.Equal(sorted(before), sorted(after)) {
			t.Fatalf("fair Shuffle lost or added tracks: %q became %q", fairTitles(before), fairTitles(after))
		}
	}
	if !changed {
		t.Error("20 fair shuffles never changed the order")
	}
}

func TestFairQueueSetFair(t *testing.T) {
	s, _ := NewSession(1, epoch)
	q := s.Queue()
	_, _ = q.AddMany(fts("a1 a2 a3 b1 b2 c1"), PlaceEnd)
	s.Start(ft("b0"), epoch) // B was served
	q.SetFair(true)
	if got := fairTitles(q.Tracks()); got != "a1 c1 b1 a2 b2 a3" {
		t.Errorf("SetFair(true) = %q, want a1 c1 b1 a2 b2 a3", got)
	}
	if !q.Fair() {
		t.Error("Fair() = false after SetFair(true)")
	}
	q.SetFair(true) // already on: nothing moves
	_ = q.Move(6, 1)
	q.SetFair(true)
	if got := fairTitles(q.Tracks()); got != "a3 a1 c1 b1 a2 b2" {
		t.Errorf("SetFair(true) when on = %q, want the queue as it was", got)
	}
	q.SetFair(false)
	_ = q.Add(ft("c2"))
	if got := fairTitles(q.Tracks()); got != "a3 a1 c1 b1 a2 b2 c2" || q.Fair() {
		t.Errorf("after SetFair(false), Add = %q, want c2 at the end", got)
	}
	// Settings drive the mode.
	s.ApplySettings(Settings{}.WithFairQueue(true))
	if !q.Fair() {
		t.Error("ApplySettings(fair) left the queue unfair")
	}
}

func TestQueueSwapAndRequested(t *testing.T) {
	q := NewQueue()
	_, _ = q.AddMany(fts("a1 b1 a2 c1"), PlaceEnd)
	if err := q.Swap(1, 4); err != nil {
		t.Fatal(err)
	}
	if got := fairTitles(q.Tracks()); got != "c1 b1 a2 a1" {
		t.Errorf("Swap(1, 4) = %q", got)
	}
	if err := q.Swap(2, 2); err != nil || fairTitles(q.Tracks()) != "c1 b1 a2 a1" {
		t.Errorf("Swap(2, 2) = %v, %q", err, fairTitles(q.Tracks()))
	}
	for _, c := range [][2]int{{0, 1}, {1, 5}, {5, 1}, {-1, 2}} {
		if err := q.Swap(c[0], c[1]); !errors.Is(err, ErrInvalidPosition) {
			t.Errorf("Swap(%d, %d) = %v, want ErrInvalidPosition", c[0], c[1], err)
		}
	}
	if n := q.Requested(userN(0)); n != 2 {
		t.Errorf("Requested(A) = %d, want 2", n)
	}
	if n := q.Requested(userN(7)); n != 0 {
		t.Errorf("Requested(nobody) = %d, want 0", n)
	}
}

func TestFairQueueForgetsOldRequesters(t *testing.T) {
	s, _ := NewSession(1, epoch, WithFair(true))
	q := s.Queue()
	_ = q.Add(ft("a1"))
	for i := range maxServed + 10 {
		s.Start(Track{Requester: snowflake.ID(1000 + i)}, epoch)
	}
	if len(q.fair.served) > maxServed {
		t.Errorf("served holds %d requesters, want at most %d", len(q.fair.served), maxServed)
	}
	s.Start(Track{Requester: userN(0)}, epoch)
	for i := range maxServed + 1 {
		s.Start(Track{Requester: snowflake.ID(5000 + i)}, epoch)
	}
	if _, ok := q.fair.served[userN(0)]; !ok {
		t.Error("a requester with tracks queued was forgotten")
	}
}

func TestSessionSkipTo(t *testing.T) {
	for _, loop := range []LoopMode{LoopOff, LoopQueue} {
		s, _ := NewSession(1, epoch)
		st, _ := Settings{}.WithLoop(loop)
		s.ApplySettings(st)
		if _, err := s.SkipTo(1, epoch); !errors.Is(err, ErrNothingPlaying) {
			t.Errorf("SkipTo while idle = %v, want ErrNothingPlaying", err)
		}
		_, _ = s.Queue().AddMany(fts("a1 a2 a3"), PlaceEnd)
		s.Start(ft("a0"), epoch)
		if _, err := s.SkipTo(4, epoch); !errors.Is(err, ErrInvalidPosition) {
			t.Errorf("SkipTo(4) = %v, want ErrInvalidPosition", err)
		}
		got, err := s.SkipTo(3, epoch)
		if err != nil || got.Info.Title != "a3" {
			t.Fatalf("SkipTo(3) = %v, %v", got.Info.Title, err)
		}
		want := "a1 a2"
		if loop == LoopQueue {
			want = "a1 a2 a0"
		}
		if cur, _ := s.Current(); cur.Info.Title != "a3" || fairTitles(s.Queue().Tracks()) != want {
			t.Errorf("loop %v: after SkipTo(3) current %q, queue %q; want a3 and %q", loop, cur.Info.Title, fairTitles(s.Queue().Tracks()), want)
		}
		if h := s.Queue().History(); len(h) != 1 || h[0].Info.Title != "a0" {
			t.Errorf("history = %q, want a0", fairTitles(h))
		}
	}
}

func TestPauseResumeErrors(t *testing.T) {
	s, _ := NewSession(1, epoch)
	s.Start(ft("a1"), epoch)
	err := s.Resume(epoch)
	if !errors.Is(err, ErrNotPaused) || !errors.Is(err, ErrInvalidTransition) || errors.Is(err, ErrAlreadyPaused) || errors.Is(err, ErrNothingPlaying) {
		t.Errorf("Resume while playing = %v; want ErrNotPaused", err)
	}
	_ = s.Pause(epoch)
	err = s.Pause(epoch)
	if !errors.Is(err, ErrAlreadyPaused) || errors.Is(err, ErrNotPaused) {
		t.Errorf("Pause while paused = %v; want ErrAlreadyPaused", err)
	}
	idle, _ := NewSession(1, epoch)
	err = idle.Pause(epoch)
	if errors.Is(err, ErrAlreadyPaused) || !errors.Is(err, ErrNothingPlaying) {
		t.Errorf("Pause while idle = %v; want ErrNothingPlaying only", err)
	}
}

func TestAdmissionErrors(t *testing.T) {
	cases := []struct {
		err  error
		text string
		msg  string
	}{
		{&TrackTooLongError{Length: 12 * time.Minute, Max: 10 * time.Minute}, "music: track is 12m0s long, over the limit of 10m0s",
			"That track is 12:00 long; tracks may be at most 10:00 here."},
		{&TrackTooLongError{Stream: true, Max: time.Hour}, "music: live streams are longer than the limit of 1h0m0s",
			"Live streams can't be queued here: tracks may be at most 1:00:00 long."},
		{&ShareError{Queued: 3, Max: 3}, "music: user has 3 tracks queued; the limit is 3",
			"You already have 3 tracks queued, your share of the queue (3). Let some play first."},
		{&RangeError{Setting: "max track length", Value: 90000, Min: 0, Max: 86400}, "music: max track length must be between 0 and 86400, not 90000",
			"The max track length must be at most 24:00:00 (0 for no limit)."},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.text {
			t.Errorf("Error() = %q, want %q", got, c.text)
		}
		if got := UserMessage(c.err); got != c.msg {
			t.Errorf("UserMessage(%v) = %q, want %q", c.err, got, c.msg)
		}
	}
	if !errors.Is(&TrackTooLongError{}, ErrTrackTooLong) || !errors.Is(&ShareError{}, ErrShareExceeded) {
		t.Error("typed errors do not match their sentinels")
	}
}
