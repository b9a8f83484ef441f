package music

import (
	"cmp"
	"slices"

	"github.com/disgoorg/snowflake/v2"
)

// maxServed bounds how many requesters a queue remembers the last turn
// of; past it, those with nothing queued are forgotten.
const maxServed = 256

// fairness is a queue's fair mode: whether it is on, and when each
// requester's track last started, as a sequence number (0: never).
type fairness struct {
	on     bool
	seq    uint64
	served map[snowflake.ID]uint64
}

// WithFair makes a new queue fair (or not) from the start; see
// [Queue.SetFair]. Tracks restored into it keep their order.
func WithFair(on bool) QueueOption {
	return func(q *Queue) { q.fair.on = on }
}

// Fair reports whether the queue is in fair mode.
func (q *Queue) Fair() bool { return q.fair.on }

// SetFair turns fair mode on or off.
//
// A fair queue plays in turns by requester, so that one user cannot
// bury everyone else's picks: the next track always comes from the
// requester who has waited longest, among those with tracks queued,
// since their last track started (a requester none of whose tracks has
// started waits longest of all; among several, the first to queue goes
// first). Each requester's own tracks keep the order they were queued
// in. So with A, B and C queueing a1 a2 a3, then b1 b2, then c1 while
// nothing of theirs has played, the queue is a1 b1 c1 a2 b2 a3; and when
// A's track is playing and B, who has never been served, queues b1, it
// goes before A's next one.
//
// Add, AddMany and AddNext put tracks in their requester's turn: a
// requester with c tracks queued gets the new one in round c+1, where
// everyone with at least c+1 tracks has one, placed among the others of
// that round by how long they have waited. AddNext (and AddMany with
// [PlaceNext]) makes the tracks the requester's next ones rather than
// the queue's. [Queue.Insert], [Queue.Move], [Queue.Swap] and
// [Queue.Remove] work on positions as in a plain queue and may leave the
// turns uneven; adds after them follow the rule above from the queue as
// it is. [Queue.Shuffle] keeps the turns and shuffles each requester's
// tracks among their places. Taking the next track is O(1); an add scans
// the queue once, O(n).
//
// Turning fair mode on interleaves the queued tracks at once by that
// rule, requesters never served taking turns in the order they first
// appear in the queue; turning it off leaves the tracks where they are. When each requester
// was last served is kept in memory only (for the last 256 requesters,
// and those with tracks queued): a queue restored after a restart keeps
// its order, and ranks requesters by their place in it until tracks
// start again.
func (q *Queue) SetFair(on bool) {
	if on && !q.fair.on {
		q.fair.on = true
		q.interleave()
		return
	}
	q.fair.on = on
}

// started records that a track of requester u started playing.
func (q *Queue) started(u snowflake.ID) {
	f := &q.fair
	f.seq++
	if f.served == nil {
		f.served = make(map[snowflake.ID]uint64)
	}
	f.served[u] = f.seq
	if len(f.served) > maxServed {
		keep := make(map[snowflake.ID]struct{}, q.tracks.len())
		for i := range q.tracks.len() {
			keep[q.tracks.ptr(i).Requester] = struct{}{}
		}
		for id := range f.served {
			if _, ok := keep[id]; !ok && id != u {
				delete(f.served, id)
			}
		}
	}
}

// servedBefore reports whether requester v, who has tracks queued, has
// waited longer than u, who has none: v's last track started before
// u's, or neither ever had one start (v queued first).
func (q *Queue) servedBefore(v, u snowflake.ID) bool {
	return q.fair.served[v] <= q.fair.served[u]
}

// Requested counts the queued tracks user requested. It is O(n).
func (q *Queue) Requested(user snowflake.ID) int {
	n := 0
	for i := range q.tracks.len() {
		if q.tracks.ptr(i).Requester == user {
			n++
		}
	}
	return n
}

// Swap exchanges the tracks at positions a and b.
func (q *Queue) Swap(a, b int) error {
	if err := q.check(a); err != nil {
		return err
	}
	if err := q.check(b); err != nil {
		return err
	}
	pa, pb := q.tracks.ptr(a-1), q.tracks.ptr(b-1)
	*pa, *pb = *pb, *pa
	return nil
}

// addFair adds tracks, which fit, in their requesters' turns and returns
// the position of the first.
func (q *Queue) addFair(tracks []Track, at Placement) (first int) {
	for i := range tracks {
		q.count(&tracks[i], 1)
	}
	head := tracks[0]
	runs := 0
	for len(tracks) > 0 {
		n := 1
		for n < len(tracks) && tracks[n].Requester == tracks[0].Requester {
			n++
		}
		first = q.insertTurns(tracks[:n], at) + 1
		tracks = tracks[n:]
		runs++
	}
	if runs > 1 {
		// Later runs moved the first track; equal tracks are
		// interchangeable, so the first equal one is where it is.
		for j := range q.tracks.len() {
			if q.tracks.ptr(j).Equal(head) {
				return j + 1
			}
		}
	}
	return first
}

// fairSlot is a queued track's place in the turns: its ordinal among
// its requester's tracks and its requester's index in users.
type fairSlot struct{ ord, user int32 }

type fairUser struct {
	id    snowflake.ID
	count int32
}

// insertTurns inserts tracks, all of one requester, in their turns and
// returns the index the first went to. With at == PlaceNext they become
// the requester's first tracks.
func (q *Queue) insertTurns(tracks []Track, at Placement) int {
	u := tracks[0].Requester
	n, k := q.tracks.len(), len(tracks)
	// One scan: each track's ordinal and requester; requesters are
	// numbered in order of first appearance, which is their rank.
	slots := make([]fairSlot, n)
	index := make(map[snowflake.ID]int32)
	var users []fairUser
	for j := range n {
		id := q.tracks.ptr(j).Requester
		x, ok := index[id]
		if !ok {
			x = int32(len(users))
			index[id] = x
			users = append(users, fairUser{id: id})
		}
		slots[j] = fairSlot{ord: users[x].count, user: x}
		users[x].count++
	}
	c, rankU := int32(0), int32(-1)
	if x, ok := index[u]; ok {
		c, rankU = users[x].count, x
	}
	ahead := func(x int32) bool { // v's turn comes before u's in a round
		if rankU >= 0 {
			return x < rankU
		}
		return q.servedBefore(users[x].id, u)
	}
	// New track i has ordinal c+i. Existing track j precedes it when its
	// ordinal is lower, or equal with its requester ahead; j precedes
	// every new track from i_j on. bounds[i] is one past the last track
	// preceding new track i.
	bounds := make([]int, k)
	for j, s := range slots {
		var i int32
		if s.ord >= c {
			i = s.ord - c
			if !ahead(s.user) {
				i++
			}
		}
		if int(i) < k {
			bounds[i] = max(bounds[i], j+1)
		}
	}
	for i := 1; i < k; i++ {
		bounds[i] = max(bounds[i], bounds[i-1])
	}
	switch {
	case bounds[0] == n:
		for i := range tracks {
			q.tracks.pushBack(tracks[i])
		}
	case k == 1:
		q.tracks.insert(bounds[0], tracks[0])
	default:
		// Grow by k and merge from the back, in place: only the tracks
		// after the first insertion move, each once.
		q.tracks.reserve(k)
		for range k {
			q.tracks.pushBack(Track{})
		}
		w, r := n+k-1, n-1
		for i := k - 1; i >= 0; i-- {
			for ; r >= bounds[i]; r, w = r-1, w-1 {
				*q.tracks.ptr(w) = *q.tracks.ptr(r)
			}
			*q.tracks.ptr(w) = tracks[i]
			w--
		}
	}
	if at == PlaceNext && c > 0 {
		return q.rotateToFront(u, k)
	}
	return bounds[0]
}

// rotateToFront moves u's last k tracks (the ones just added) ahead of
// u's others, keeping the places u's tracks hold, and returns the first
// place.
func (q *Queue) rotateToFront(u snowflake.ID, k int) int {
	var places []int
	var mine []Track
	for j := range q.tracks.len() {
		if t := q.tracks.ptr(j); t.Requester == u {
			places = append(places, j)
			mine = append(mine, *t)
		}
	}
	mine = append(mine[len(mine)-k:], mine[:len(mine)-k]...)
	for i, j := range places {
		*q.tracks.ptr(j) = mine[i]
	}
	return places[0]
}

// groupByRequester numbers the requesters of s in order of first
// appearance and returns, for each, the indexes of its tracks in order:
// the indexes of requester x are places[starts[x]:starts[x+1]].
func groupByRequester(s []Track) (ids []snowflake.ID, starts, places []int32) {
	index := make(map[snowflake.ID]int32)
	of := make([]int32, len(s))
	var counts []int32
	for i := range s {
		id := s[i].Requester
		x, ok := index[id]
		if !ok {
			x = int32(len(ids))
			index[id] = x
			ids = append(ids, id)
			counts = append(counts, 0)
		}
		of[i] = x
		counts[x]++
	}
	starts = make([]int32, len(ids)+1)
	for x, c := range counts {
		starts[x+1] = starts[x] + c
	}
	next := slices.Clone(starts[:len(ids)])
	places = make([]int32, len(s))
	for i, x := range of {
		places[next[x]] = int32(i)
		next[x]++
	}
	return ids, starts, places
}

// shuffleFair shuffles each requester's tracks among that requester's
// places (Fisher–Yates within each).
func (q *Queue) shuffleFair(s []Track, intN func(int) int) {
	ids, starts, places := groupByRequester(s)
	for x := range ids {
		p := places[starts[x]:starts[x+1]]
		for i := len(p) - 1; i > 0; i-- {
			j := intN(i + 1)
			s[p[i]], s[p[j]] = s[p[j]], s[p[i]]
		}
	}
}

// interleave puts the queued tracks in fair order: in rounds, each
// requester with tracks left giving their next one, requesters ordered by
// how long they have waited (those never served first, in order of
// first appearance).
func (q *Queue) interleave() {
	n := q.tracks.len()
	if n < 2 {
		return
	}
	s := q.tracks.linear()
	ids, starts, places := groupByRequester(s)
	order := make([]int32, len(ids))
	for x := range order {
		order[x] = int32(x)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		return cmp.Compare(q.fair.served[ids[a]], q.fair.served[ids[b]])
	})
	// from[i] is the index of the track that goes to i.
	from := make([]int32, 0, n)
	for round := int32(0); len(order) > 0; round++ {
		kept := order[:0]
		for _, x := range order {
			if starts[x]+round < starts[x+1] {
				from = append(from, places[starts[x]+round])
				if starts[x]+round+1 < starts[x+1] {
					kept = append(kept, x)
				}
			}
		}
		order = kept
	}
	// Apply the permutation in place, one cycle at a time.
	done := make([]bool, n)
	for i := range from {
		if done[i] {
			continue
		}
		tmp := s[i]
		j := i
		for {
			done[j] = true
			k := int(from[j])
			if k == i {
				s[j] = tmp
				break
			}
			s[j] = s[k]
			j = k
		}
	}
}
