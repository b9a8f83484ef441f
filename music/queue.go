package music

import (
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"time"
)

// DefaultHistorySize is how many played tracks a [Queue] remembers for
// "previous" unless [WithHistorySize] says otherwise.
const DefaultHistorySize = 50

// DefaultPageSize is the page size [Queue.Page] uses when given none.
const DefaultPageSize = 10

var (
	// ErrQueueFull is matched by the error of an add that would take the
	// queue past its cap.
	ErrQueueFull = errors.New("music: queue is full")
	// ErrInvalidPosition is matched by the error of an operation given a
	// queue position that does not exist.
	ErrInvalidPosition = errors.New("music: no such position in the queue")
	// ErrHistoryEmpty is returned by [Session.Previous] when there is no
	// earlier track.
	ErrHistoryEmpty = errors.New("music: no previous track")
)

// QueueFullError is returned when tracks did not fit in the queue. It
// matches [ErrQueueFull].
type QueueFullError struct {
	Max     int // the cap
	Dropped int // tracks that were not added
}

// Error implements the error interface.
func (e *QueueFullError) Error() string {
	if e.Dropped == 1 {
		return fmt.Sprintf("music: queue is full (%d tracks)", e.Max)
	}
	return fmt.Sprintf("music: queue is full (%d tracks); %d tracks were not added", e.Max, e.Dropped)
}

// Is reports whether target is [ErrQueueFull].
func (e *QueueFullError) Is(target error) bool { return target == ErrQueueFull }

// PositionError is returned for a queue position that does not exist. It
// matches [ErrInvalidPosition].
type PositionError struct {
	Position int // the 1-based position asked for
	Len      int // the queue length at the time
}

// Error implements the error interface.
func (e *PositionError) Error() string {
	if e.Len == 0 {
		return fmt.Sprintf("music: no track at position %d: the queue is empty", e.Position)
	}
	return fmt.Sprintf("music: no track at position %d: positions go from 1 to %d", e.Position, e.Len)
}

// Is reports whether target is [ErrInvalidPosition].
func (e *PositionError) Is(target error) bool { return target == ErrInvalidPosition }

// Placement says where added tracks go.
type Placement uint8

// Placements.
const (
	PlaceEnd  Placement = iota // after the last track
	PlaceNext                  // before the first track, in the order given
)

// String returns "end" or "next".
func (p Placement) String() string {
	if p == PlaceNext {
		return "next"
	}
	if p == PlaceEnd {
		return "end"
	}
	return fmt.Sprintf("Placement(%d)", uint8(p))
}

// QueueOption configures a [Queue].
type QueueOption func(*Queue)

// WithMaxLength caps the queue at n tracks. n ≤ 0 selects
// [DefaultMaxQueueLength]; n above [QueueLengthLimit] is lowered to it.
func WithMaxLength(n int) QueueOption {
	return func(q *Queue) { q.max = clampMax(n) }
}

// WithHistorySize sets how many played tracks are kept for "previous".
// 0 keeps none; n < 0 selects [DefaultHistorySize].
func WithHistorySize(n int) QueueOption {
	return func(q *Queue) {
		if n < 0 {
			n = DefaultHistorySize
		}
		q.histMax = n
	}
}

// WithShuffleSource makes [Queue.Shuffle] draw from src, so tests can
// predict it. Default: the goroutine-safe, randomly seeded generator of
// math/rand/v2.
func WithShuffleSource(src rand.Source) QueueOption {
	return func(q *Queue) {
		if src != nil {
			q.rnd = rand.New(src)
		}
	}
}

func clampMax(n int) int {
	if n <= 0 {
		return DefaultMaxQueueLength
	}
	return min(n, QueueLengthLimit)
}

// Queue is a guild's list of upcoming tracks and the history of played
// ones.
//
// Positions in every method are 1-based, as users see them: position 1
// plays next. Adding at either end and taking the next track are amortized
// O(1) (the queue is a ring buffer); removing or moving shifts only the
// tracks between the two positions, from whichever end is nearer.
//
// A Queue is not safe for concurrent use; a guild's session owns its queue
// and serializes access.
type Queue struct {
	tracks  deque[Track]
	history deque[Track] // front is the most recent
	max     int
	histMax int
	total   time.Duration // sum of the lengths of non-stream tracks
	streams int           // tracks whose length is unknown
	rnd     *rand.Rand    // nil: math/rand/v2's global generator
	fair    fairness      // the fair mode; see fairqueue.go
}

// NewQueue returns an empty queue capped at [DefaultMaxQueueLength] tracks
// with a history of [DefaultHistorySize], as changed by opts.
func NewQueue(opts ...QueueOption) *Queue {
	q := &Queue{max: DefaultMaxQueueLength, histMax: DefaultHistorySize}
	for _, o := range opts {
		o(q)
	}
	return q
}

// Len is the number of queued tracks.
func (q *Queue) Len() int { return q.tracks.len() }

// MaxLength is the cap.
func (q *Queue) MaxLength() int { return q.max }

// SetMaxLength changes the cap, as [WithMaxLength] does. Tracks already
// queued stay even when there are more than n.
func (q *Queue) SetMaxLength(n int) { q.max = clampMax(n) }

// Duration is the total length of the queued tracks, streams excluded,
// and how many streams there are.
func (q *Queue) Duration() (total time.Duration, streams int) { return q.total, q.streams }

func (q *Queue) count(t *Track, sign int) {
	if t.Info.IsStream {
		q.streams += sign
		return
	}
	q.total += time.Duration(sign) * t.Info.Length
}

// Add puts t at the end, or in a fair queue at its requester's turn (see
// [Queue.SetFair]). When the queue is full it returns a
// [*QueueFullError] and changes nothing.
func (q *Queue) Add(t Track) error {
	if q.tracks.len() >= q.max {
		return &QueueFullError{Max: q.max, Dropped: 1}
	}
	if q.fair.on {
		q.addFair([]Track{t}, PlaceEnd)
		return nil
	}
	q.count(&t, 1)
	q.tracks.pushBack(t)
	return nil
}

// AddNext puts t at position 1, or in a fair queue ahead of its
// requester's other tracks (see [Queue.SetFair]). When the queue is full
// it returns a [*QueueFullError] and changes nothing.
func (q *Queue) AddNext(t Track) error {
	if q.tracks.len() >= q.max {
		return &QueueFullError{Max: q.max, Dropped: 1}
	}
	if q.fair.on {
		q.addFair([]Track{t}, PlaceNext)
		return nil
	}
	q.count(&t, 1)
	q.tracks.pushFront(t)
	return nil
}

// Insert puts t at pos, from 1 to Len()+1 (the end), shifting the tracks
// from pos on by one. It returns a [*PositionError] for a position outside
// that range and a [*QueueFullError] when the queue is full.
func (q *Queue) Insert(pos int, t Track) error {
	if pos < 1 || pos > q.tracks.len()+1 {
		return &PositionError{Position: pos, Len: q.tracks.len()}
	}
	if q.tracks.len() >= q.max {
		return &QueueFullError{Max: q.max, Dropped: 1}
	}
	q.count(&t, 1)
	q.tracks.insert(pos-1, t)
	return nil
}

// AddMany adds tracks (a playlist, say) at the end or at the front,
// keeping their order, and returns how many it added; a fair queue puts
// each at its requester's turn instead (see [Queue.SetFair]). When not
// all fit it adds as many as do, from the first, and also returns a
// [*QueueFullError] saying how many were dropped.
func (q *Queue) AddMany(tracks []Track, at Placement) (added int, err error) {
	_, added, err = q.addMany(tracks, at)
	return added, err
}

// addMany is AddMany that also returns the position of the first track
// added (0 when none was).
func (q *Queue) addMany(tracks []Track, at Placement) (first, added int, err error) {
	room := q.max - q.tracks.len()
	added = max(0, min(room, len(tracks)))
	switch {
	case added == 0:
	case q.fair.on:
		first = q.addFair(tracks[:added], at)
	case at == PlaceNext:
		first = 1
	default:
		first = q.tracks.len() + 1
	}
	if q.fair.on {
		if added < len(tracks) {
			return first, added, &QueueFullError{Max: q.max, Dropped: len(tracks) - added}
		}
		return first, added, nil
	}
	q.tracks.reserve(added)
	if at == PlaceNext {
		for i := added - 1; i >= 0; i-- {
			q.count(&tracks[i], 1)
			q.tracks.pushFront(tracks[i])
		}
	} else {
		for i := range added {
			q.count(&tracks[i], 1)
			q.tracks.pushBack(tracks[i])
		}
	}
	if added < len(tracks) {
		return first, added, &QueueFullError{Max: q.max, Dropped: len(tracks) - added}
	}
	return first, added, nil
}

// Next removes and returns the track at position 1, or reports false when
// the queue is empty. It does not touch the history.
func (q *Queue) Next() (Track, bool) {
	t, ok := q.tracks.popFront()
	if ok {
		q.count(&t, -1)
	}
	return t, ok
}

// At returns the track at pos.
func (q *Queue) At(pos int) (Track, error) {
	if err := q.check(pos); err != nil {
		return Track{}, err
	}
	return q.tracks.at(pos - 1), nil
}

func (q *Queue) check(pos int) error {
	if pos < 1 || pos > q.tracks.len() {
		return &PositionError{Position: pos, Len: q.tracks.len()}
	}
	return nil
}

// Remove takes out the track at pos and returns it.
func (q *Queue) Remove(pos int) (Track, error) {
	if err := q.check(pos); err != nil {
		return Track{}, err
	}
	t := q.tracks.remove(pos - 1)
	q.count(&t, -1)
	return t, nil
}

// Move takes the track at from and puts it at to; the tracks between
// shift by one.
func (q *Queue) Move(from, to int) error {
	if err := q.check(from); err != nil {
		return err
	}
	if err := q.check(to); err != nil {
		return err
	}
	q.tracks.move(from-1, to-1)
	return nil
}

// Shuffle puts the queue in random order (Fisher–Yates, every order
// equally likely) using the source from [WithShuffleSource]. A fair
// queue shuffles fairly: each requester's tracks are shuffled among that
// requester's places, so the turns stay as they were.
func (q *Queue) Shuffle() {
	s := q.tracks.linear()
	intN := rand.IntN
	if q.rnd != nil {
		intN = q.rnd.IntN
	}
	if q.fair.on {
		q.shuffleFair(s, intN)
		return
	}
	for i := len(s) - 1; i > 0; i-- {
		j := intN(i + 1)
		s[i], s[j] = s[j], s[i]
	}
}

// Clear removes every queued track and returns how many there were. The
// history stays.
func (q *Queue) Clear() int {
	n := q.tracks.len()
	q.tracks.reset()
	q.total, q.streams = 0, 0
	return n
}

// Dedupe removes every track that repeats an earlier one (the same
// identifier from the same source) and returns how many it removed.
func (q *Queue) Dedupe() int {
	seen := make(map[trackKey]struct{}, q.tracks.len())
	return q.tracks.filter(func(t *Track) bool {
		k := t.key()
		if _, dup := seen[k]; dup {
			q.count(t, -1)
			return false
		}
		seen[k] = struct{}{}
		return true
	})
}

// RemoveFunc removes every track for which drop returns true and returns
// how many it removed. A bot uses it to drop the tracks of a user who left.
func (q *Queue) RemoveFunc(drop func(Track) bool) int {
	return q.tracks.filter(func(t *Track) bool {
		if drop(*t) {
			q.count(t, -1)
			return false
		}
		return true
	})
}

// All yields the queued tracks with their 1-based positions, in order. The
// queue must not change during the iteration.
func (q *Queue) All() iter.Seq2[int, Track] {
	return func(yield func(int, Track) bool) {
		for i := range q.tracks.len() {
			if !yield(i+1, q.tracks.at(i)) {
				return
			}
		}
	}
}

// Tracks returns a copy of the queued tracks in order.
func (q *Queue) Tracks() []Track {
	if q.tracks.len() == 0 {
		return nil
	}
	return q.tracks.appendTo(make([]Track, 0, q.tracks.len()), 0, q.tracks.len())
}

// Page is one page of a queue listing.
type Page struct {
	Tracks []Track // the tracks on the page
	Number int     // the page shown, from 1
	Pages  int     // how many pages there are; at least 1
	First  int     // the queue position of Tracks[0]
	Total  int     // the queue length
}

// Page returns page number n (from 1) of size tracks per page. size ≤ 0
// selects [DefaultPageSize]; n below 1 shows the first page and n past the
// end the last, so a user's page number never fails. It copies only the
// tracks on the page.
func (q *Queue) Page(n, size int) Page {
	if size <= 0 {
		size = DefaultPageSize
	}
	total := q.tracks.len()
	pages := max(1, (total+size-1)/size)
	n = min(max(n, 1), pages)
	from := (n - 1) * size
	to := min(from+size, total)
	p := Page{Number: n, Pages: pages, First: from + 1, Total: total}
	if from < to {
		p.Tracks = q.tracks.appendTo(make([]Track, 0, to-from), from, to)
	}
	return p
}

// HistorySize is the most played tracks the queue remembers.
func (q *Queue) HistorySize() int { return q.histMax }

// HistoryLen is the number of tracks in the history.
func (q *Queue) HistoryLen() int { return q.history.len() }

// History returns a copy of the played tracks, most recent first.
func (q *Queue) History() []Track {
	if q.history.len() == 0 {
		return nil
	}
	return q.history.appendTo(make([]Track, 0, q.history.len()), 0, q.history.len())
}

// PushHistory records t as the most recently played track, forgetting the
// oldest when the history is full.
func (q *Queue) PushHistory(t Track) {
	if q.histMax == 0 {
		return
	}
	for q.history.len() >= q.histMax {
		q.history.popBack()
	}
	q.history.pushFront(t)
}

// PopHistory removes and returns the most recently played track.
func (q *Queue) PopHistory() (Track, bool) { return q.history.popFront() }

// ClearHistory forgets the played tracks.
func (q *Queue) ClearHistory() { q.history.reset() }

// pushBackForce appends t ignoring the cap; the session uses it when a
// track that was already counted (the current one) returns to the queue.
func (q *Queue) pushBackForce(t Track) {
	q.count(&t, 1)
	q.tracks.pushBack(t)
}

func (q *Queue) pushFrontForce(t Track) {
	q.count(&t, 1)
	q.tracks.pushFront(t)
}
