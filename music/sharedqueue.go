package music

import (
	"context"
	"errors"
	"maps"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// A shared queue: when the session store is a [QueueEditor] (and a
// [FencedStore]), the store holds each guild's queue and the Manager's
// queue is a copy kept in step. Every change is sent to the store first,
// as [QueueEdit]s carrying the lease's token and the version the copy
// is at; what the store accepts is applied to the copy by the same rule
// ([QueueEdit.Apply]). A version conflict (a dashboard or another
// process edited meanwhile) reloads the copy and plans the change again,
// once. Session saves keep the stored queue ([SaveOptions].KeepQueue).
// While the store cannot be reached the copy changes alone and is marked
// so (qlocal), and the next save writes it whole.

// A command's change that meets a version conflict is planned again on
// the reloaded queue once (maxConflicts); a change made in the
// background (a track that ended) up to maxBackgroundConflicts times,
// and then goes on alone.
const (
	maxConflicts           = 1
	maxBackgroundConflicts = 3
)

// replace makes tracks the queue's content, keeping its cap, history and
// turns.
func (q *Queue) replace(tracks []Track) {
	q.tracks.reset()
	q.total, q.streams = 0, 0
	q.tracks.reserve(len(tracks))
	for _, t := range tracks {
		q.pushBackForce(t)
	}
}

// apply applies e to q exactly as [QueueEdit.Apply] does to a slice, on
// the ring buffer: what the store did to its queue, done to the copy.
func (q *Queue) apply(e QueueEdit) (QueueEditResult, error) {
	var r QueueEditResult
	if err := e.Validate(); err != nil {
		return r, err
	}
	n := q.Len()
	switch e.Op {
	case QueueAdd, QueueInsert:
		at := n + 1
		if e.Op == QueueInsert {
			if e.Position < 1 || e.Position > n+1 {
				return r, &PositionError{Position: e.Position, Len: n}
			}
			at = e.Position
		}
		room := e.maxLength() - n
		if room <= 0 {
			return r, &QueueFullError{Max: e.maxLength(), Dropped: len(e.Tracks)}
		}
		r.Added = min(room, len(e.Tracks))
		r.Dropped, r.Position = len(e.Tracks)-r.Added, at
		q.tracks.reserve(r.Added)
		for i, t := range e.Tracks[:r.Added] {
			q.count(&t, 1)
			q.tracks.insert(at-1+i, t)
		}
	case QueueRemove:
		t, err := q.Remove(e.Position)
		if err != nil {
			return r, err
		}
		r.Track, r.Removed = t, 1
	case QueueMove:
		t, err := q.At(e.Position)
		if err != nil {
			return r, err
		}
		if err := q.Move(e.Position, e.To); err != nil {
			return r, err
		}
		r.Track = t
	case QueueSwap:
		if err := q.Swap(e.Position, e.To); err != nil {
			return r, err
		}
	case QueueShuffle:
		shuffleBySeed(q.tracks.linear(), e.Seed)
	case QueueClear:
		r.Removed = q.Clear()
	case QueueRemoveRequester:
		r.Removed = q.RemoveFunc(func(t Track) bool { return t.Requester == e.Requester })
	case QueueSkipTo:
		if err := q.check(e.Position); err != nil {
			return r, err
		}
		for range e.Position - 1 {
			q.Next()
		}
		r.Track, _ = q.Next()
		r.Removed = e.Position
	}
	r.Len = q.Len()
	return r, nil
}

// queuePlan computes, from the guild's queue as it is, the edits of a
// change; none means nothing changes. It runs under the player's mu.
type queuePlan func(q *Queue) ([]QueueEdit, error)

// editQueue makes the change plan describes to p's queue, with the
// turn, and returns each edit's result. With a shared queue each edit
// goes to the store first; a conflict reloads the queue and plans the
// change again (an edit after the first, which adds at the end, is
// simply sent again); a fenced edit hands the guild over and returns a
// [*NotServedError]; a store that fails leaves the change to the local
// queue, written whole at the next save. A change made in the background
// goes on locally after too many conflicts; a command returns the
// conflict. Without a shared queue the edits apply locally.
func (m *Manager) editQueue(ctx context.Context, p *player, background bool, plan queuePlan) ([]QueueEditResult, error) {
	lease := m.own.ref(p.guild)
	var edits []QueueEdit
	var out []QueueEditResult
	conflicts, limit := 0, maxConflicts
	if background {
		limit = maxBackgroundConflicts
	}
	for {
		p.mu.Lock()
		if p.sess == nil {
			p.mu.Unlock()
			return out, ErrNothingPlaying
		}
		q := p.sess.Queue()
		if edits == nil {
			var err error
			if edits, err = plan(q); err != nil || len(edits) == 0 {
				p.mu.Unlock()
				return nil, err
			}
		}
		i := len(out)
		if i == len(edits) {
			p.mu.Unlock()
			return out, nil
		}
		e := edits[i]
		if err := e.precheck(q.Len()); err != nil {
			p.mu.Unlock()
			return out, err
		}
		if m.queues == nil || p.qlocal {
			res, err := q.apply(e)
			if m.queues != nil && err == nil {
				p.qgen++
			}
			p.mu.Unlock()
			if err != nil {
				return out, err
			}
			out = append(out, res)
			continue
		}
		e.Token, e.ExpectVersion = lease.token, p.qver
		p.mu.Unlock()

		res, err := m.queues.EditQueue(ctx, p.guild, e)
		var pe *PositionError
		var qf *QueueFullError
		switch {
		case err == nil:
			p.mu.Lock()
			_, lerr := q.apply(e)
			p.qver = res.Version
			p.mu.Unlock()
			if lerr != nil {
				// The copy was not the stored queue after all.
				m.log.ErrorContext(ctx, "shared queue out of step", "guild", p.guild, "op", e.Op, "error", lerr)
				m.reloadQueue(ctx, p)
			}
			out = append(out, res)
		case errors.Is(err, ErrFenced):
			m.leaseLost(p.guild, lease, err)
			return out, &NotServedError{Guild: p.guild, Err: err}
		case errors.Is(err, ErrVersionConflict), errors.As(err, &pe), errors.As(err, &qf):
			// Another editor was first: take their queue and try again.
			if conflicts++; conflicts > limit {
				if !background {
					return out, err
				}
				m.goLocal(p)
				continue
			}
			if !m.reloadQueue(ctx, p) {
				if !background {
					return out, err
				}
				m.goLocal(p)
				continue
			}
			if i == 0 {
				edits = nil // plan again on the queue as it is now
			}
		case ctx.Err() != nil:
			// Maybe applied: a later reload or conflict brings it in.
			return out, ctx.Err()
		default:
			m.storeFailed(ctx, "edit queue", p.guild, err)
			m.goLocal(p)
		}
	}
}

// goLocal makes p's queue change locally until a save writes it whole.
func (m *Manager) goLocal(p *player) {
	p.mu.Lock()
	if !p.qlocal {
		p.qlocal = true
		p.qgen++
	}
	p.mu.Unlock()
	m.saver.dirty(p.guild, false)
}

// replaceQueue puts p's queue in the order order returns (a fair
// shuffle, fair mode turned on, an add taken back), with the turn: with
// a shared queue as one compare-and-swap, a save of the session that
// expects the version the copy is at ([SaveOptions].ExpectVersion), so
// that no concurrent edit is overwritten; a conflict reloads and orders
// again, once. Failures are dealt with as in editQueue.
func (m *Manager) replaceQueue(ctx context.Context, p *player, background bool, order func(q *Queue) []Track) error {
	lease, limit := m.own.ref(p.guild), maxConflicts
	if background {
		limit = maxBackgroundConflicts
	}
	for conflicts := 0; ; {
		p.mu.Lock()
		if p.sess == nil {
			p.mu.Unlock()
			return ErrNothingPlaying
		}
		q := p.sess.Queue()
		tracks := order(q)
		if m.queues == nil || p.qlocal {
			q.replace(tracks)
			if m.queues != nil {
				p.qgen++
			}
			p.mu.Unlock()
			return nil
		}
		snap := p.sess.Snapshot()
		snap.Queue = tracks
		ver := p.qver
		p.mu.Unlock()
		v, err := m.fenced.SaveFenced(ctx, snap, SaveOptions{Token: lease.token, ExpectVersion: ver})
		switch {
		case err == nil:
			p.mu.Lock()
			q.replace(tracks)
			p.qver = v
			p.mu.Unlock()
			return nil
		case errors.Is(err, ErrFenced):
			m.leaseLost(p.guild, lease, err)
			return &NotServedError{Guild: p.guild, Err: err}
		case errors.Is(err, ErrVersionConflict):
			if conflicts++; conflicts > limit || !m.reloadQueue(ctx, p) {
				if !background {
					return err
				}
				m.goLocal(p)
			}
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			m.storeFailed(ctx, "save queue", p.guild, err)
			m.goLocal(p)
		}
	}
}

// reloadQueue replaces p's queue with the stored one and reports
// whether it could. It runs with the turn.
func (m *Manager) reloadQueue(ctx context.Context, p *player) bool {
	qs, err := m.queues.LoadQueue(ctx, p.guild)
	if err != nil {
		if ctx.Err() == nil {
			m.storeFailed(ctx, "load queue", p.guild, err)
		}
		return false
	}
	p.mu.Lock()
	ok := p.sess != nil && !p.qlocal
	if ok {
		p.sess.Queue().replace(qs.Tracks)
		p.qver = qs.Version
	}
	p.mu.Unlock()
	if ok && m.hooks.reloaded != nil {
		m.hooks.reloaded(p.guild, qs.Version)
	}
	return ok
}

// queueChanged hears of a change to a stored queue (from the
// [QueueWatcher]); when the guild's copy is behind, a reload is queued
// for the guild's turn.
func (m *Manager) queueChanged(c QueueChange) {
	p := m.players.get(c.GuildID)
	if p == nil {
		return
	}
	p.mu.Lock()
	behind := p.sess != nil && !p.qlocal && c.Version > p.qver
	p.mu.Unlock()
	if !behind {
		return
	}
	p.post(func(ctx context.Context) {
		p.mu.Lock()
		behind := p.sess != nil && !p.qlocal && c.Version > p.qver
		p.mu.Unlock()
		if behind {
			m.reloadQueue(ctx, p)
		}
	})
}

// shuffleSeed is the seed of a shared queue's shuffle.
func shuffleSeed() int64 { return rand.Int64() }

// precheck returns the error e gets from any queue of n tracks: an
// invalid edit, a position outside the queue, or no room at all.
func (e QueueEdit) precheck(n int) error {
	if err := e.Validate(); err != nil {
		return err
	}
	bad := func(p int) error {
		if p < 1 || p > n {
			return &PositionError{Position: p, Len: n}
		}
		return nil
	}
	switch e.Op {
	case QueueAdd, QueueInsert:
		if e.Op == QueueInsert && (e.Position < 1 || e.Position > n+1) {
			return &PositionError{Position: e.Position, Len: n}
		}
		if n >= e.maxLength() {
			return &QueueFullError{Max: e.maxLength(), Dropped: len(e.Tracks)}
		}
	case QueueRemove, QueueSkipTo:
		return bad(e.Position)
	case QueueMove, QueueSwap:
		if err := bad(e.Position); err != nil {
			return err
		}
		return bad(e.To)
	}
	return nil
}

// fairCopy returns a copy of a fair queue's tracks and turns, to plan
// on.
func (q *Queue) fairCopy() *Queue {
	c := &Queue{max: q.max, fair: fairness{on: q.fair.on, seq: q.fair.seq, served: maps.Clone(q.fair.served)}}
	c.tracks.reserve(q.tracks.len())
	for i := range q.tracks.len() {
		c.tracks.pushBack(q.tracks.at(i))
	}
	return c
}

// placeMark marks the tracks a fair add places on a copy.
const placeMark = "\x00tunekit-place:"

// errReorders is addPlan's answer for a fair add that also moves
// queued tracks, which inserts cannot express.
var errReorders = errors.New("music: the add reorders the queue")

// addPlan plans Play's add of tracks at at. A plain queue takes them in
// one Add (or one Insert at 1). A fair queue places each in its
// requester's turn, which puts them at different places: the places are
// worked out on a copy (fair placement depends only on the requesters)
// and each track is inserted at its place, in order of place, which
// gives the same queue; head receives the place of the first track.
// When the add also moves queued tracks (PlaceNext ahead of the
// requester's own), addPlan returns errReorders and the caller saves
// fairOrder's queue whole instead.
func addPlan(q *Queue, tracks []Track, at Placement, head *int) ([]QueueEdit, error) {
	max := q.MaxLength()
	if !q.Fair() {
		*head = q.Len() + 1
		if at == PlaceNext {
			*head = 1
			return []QueueEdit{{Op: QueueInsert, Position: 1, Tracks: tracks, MaxLength: max}}, nil
		}
		return []QueueEdit{{Op: QueueAdd, Tracks: tracks, MaxLength: max}}, nil
	}
	order, places, err := fairPlace(q, tracks, at)
	if len(places) == 0 {
		return nil, err
	}
	*head = places[0]
	edits := make([]QueueEdit, 0, len(places))
	added := make([]bool, len(order))
	for _, j := range places {
		added[j-1] = true
	}
	kept := 0 // queued tracks met so far, in order
	for j, t := range order {
		if !added[j] {
			if !t.Equal(q.tracks.at(kept)) {
				return nil, errReorders
			}
			kept++
			continue
		}
		edits = append(edits, QueueEdit{Op: QueueInsert, Position: j + 1, Tracks: order[j : j+1], MaxLength: max})
	}
	return edits, nil
}

// fairPlace adds tracks to a copy of the fair queue q and returns the
// copy's tracks and the places the added ones went to, in the order of
// tracks; those that did not fit have none, and an error says so.
func fairPlace(q *Queue, tracks []Track, at Placement) (order []Track, places []int, err error) {
	c := q.fairCopy()
	marks := make([]Track, len(tracks))
	for i, t := range tracks {
		marks[i] = Track{Requester: t.Requester, Encoded: placeMark + strconv.Itoa(i)}
	}
	_, added, err := c.addMany(marks, at)
	order = c.Tracks()
	places = make([]int, added)
	for j, t := range order {
		if !strings.HasPrefix(t.Encoded, placeMark) {
			continue
		}
		i, _ := strconv.Atoi(t.Encoded[len(placeMark):])
		order[j], places[i] = tracks[i], j+1
	}
	return order, places, err
}

// interleaved returns q's tracks in the order turning fair mode on
// gives them.
func interleaved(q *Queue) []Track {
	c := q.fairCopy()
	c.fair.on = false
	c.SetFair(true)
	return c.Tracks()
}

// fairShuffled returns q's tracks shuffled as [Queue.Shuffle] shuffles a
// fair queue: each requester's among their places.
func fairShuffled(q *Queue) []Track {
	c := q.fairCopy()
	c.Shuffle()
	return c.Tracks()
}

// skipQueue ends the current track and makes the one n positions ahead
// current, as [Session.Skip] does; with a shared queue the queue changes
// through edits: skip to n, and with loop queue the ended and skipped
// tracks added back at the end. It runs with the turn.
func (m *Manager) skipQueue(ctx context.Context, p *player, sess *Session, n int, now time.Time) (Track, bool, error) {
	if m.queues == nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		return sess.Skip(n, now)
	}
	p.mu.Lock()
	ended, _ := sess.Current()
	loop := sess.Loop()
	p.mu.Unlock()
	ended.Info.Position = 0
	res, err := m.editQueue(ctx, p, false, func(q *Queue) ([]QueueEdit, error) {
		if n < 1 || (n > 1 && n > q.Len()) {
			return nil, &PositionError{Position: n, Len: q.Len()}
		}
		if q.Len() == 0 {
			return nil, nil
		}
		edits := []QueueEdit{{Op: QueueSkipTo, Position: n}}
		if loop == LoopQueue {
			back := []Track{ended}
			for i := range n - 1 {
				back = append(back, q.tracks.at(i))
			}
			edits = append(edits, QueueEdit{Op: QueueAdd, Tracks: back})
		}
		return edits, nil
	})
	return m.finishShared(ctx, p, sess, res, err, now, func() (Track, bool, error) { return sess.Skip(n, now) })
}

// endQueue is [Session.End] for a track that ended on the node, with a
// shared queue changed through edits: the first track taken, and with
// loop queue the ended one added back at the end. It reports whether a
// track is current now. It runs with the turn.
func (m *Manager) endQueue(ctx context.Context, p *player, reason TrackEndReason, now time.Time) bool {
	p.mu.Lock()
	sess := p.sess
	if sess == nil {
		p.mu.Unlock()
		return false
	}
	ended, _ := sess.Current()
	loop := sess.Loop()
	if m.queues == nil || !reason.MayStartNext() || reason == EndFinished && loop == LoopTrack || sess.Queue().Len() == 0 {
		_, ok := sess.End(reason, now)
		p.mu.Unlock()
		return ok
	}
	p.mu.Unlock()
	ended.Info.Position = 0
	res, err := m.editQueue(ctx, p, true, func(q *Queue) ([]QueueEdit, error) {
		if q.Len() == 0 {
			return nil, nil
		}
		edits := []QueueEdit{{Op: QueueSkipTo, Position: 1}}
		if reason == EndFinished && loop == LoopQueue {
			edits = append(edits, QueueEdit{Op: QueueAdd, Tracks: []Track{ended}})
		}
		return edits, nil
	})
	_, ok, _ := m.finishShared(ctx, p, sess, res, err, now, func() (Track, bool, error) {
		next, ok := sess.End(reason, now)
		return next, ok, nil
	})
	return ok
}

// skipToQueue is [Session.SkipTo] with a shared queue changed through
// edits: the track at n taken out, and with loop queue the current one
// added back at the end. It runs with the turn.
func (m *Manager) skipToQueue(ctx context.Context, p *player, sess *Session, n int, now time.Time) (Track, error) {
	if m.queues == nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		return sess.SkipTo(n, now)
	}
	p.mu.Lock()
	ended, _ := sess.Current()
	loop := sess.Loop()
	p.mu.Unlock()
	ended.Info.Position = 0
	res, err := m.editQueue(ctx, p, false, func(q *Queue) ([]QueueEdit, error) {
		edits := []QueueEdit{{Op: QueueRemove, Position: n}}
		if loop == LoopQueue {
			edits = append(edits, QueueEdit{Op: QueueAdd, Tracks: []Track{ended}})
		}
		return edits, nil
	})
	next, _, err := m.finishShared(ctx, p, sess, res, err, now, nil)
	return next, err
}

// finishShared makes the track the first edit took current once the
// queue changed: when the store took that edit, the track plays even if
// a later one (adding tracks back for loop queue) failed. With no edit
// made (nothing was queued) it runs alone, the session's own transition
// on its empty queue.
func (m *Manager) finishShared(ctx context.Context, p *player, sess *Session, res []QueueEditResult, err error, now time.Time, alone func() (Track, bool, error)) (Track, bool, error) {
	if len(res) == 0 {
		if err != nil || alone == nil {
			return Track{}, false, err
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		return alone()
	}
	if err != nil {
		m.log.WarnContext(ctx, "loop queue: track not added back", "guild", p.guild, "error", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	next := res[0].Track
	sess.finish(next, now)
	return next, true, nil
}

// clearPlan plans emptying the queue; an empty queue needs no edit.
func clearPlan(q *Queue) ([]QueueEdit, error) {
	if q.Len() == 0 {
		return nil, nil
	}
	return []QueueEdit{{Op: QueueClear}}, nil
}

// shuffle shuffles p's queue, with the turn: a plain shared queue by a
// seeded shuffle edit, a fair one (whose turns a plain shuffle would
// break) by putting it in a fair shuffled order.
func (m *Manager) shuffle(ctx context.Context, p *player) error {
	p.mu.Lock()
	q := p.sess.Queue()
	if m.queues == nil || q.Len() < 2 {
		q.Shuffle()
		p.mu.Unlock()
		return nil
	}
	fair := q.Fair()
	p.mu.Unlock()
	if fair {
		return m.replaceQueue(ctx, p, false, fairShuffled)
	}
	_, err := m.editQueue(ctx, p, false, func(*Queue) ([]QueueEdit, error) {
		return []QueueEdit{{Op: QueueShuffle, Seed: shuffleSeed()}}, nil
	})
	return err
}

// previous plays the last played track again, as [Session.Previous]
// does; with a shared queue the current track goes back to the front of
// the queue through an insert. It runs with the turn.
func (m *Manager) previous(ctx context.Context, p *player, sess *Session, now time.Time) (Track, error) {
	p.mu.Lock()
	cur, playing := sess.Current()
	empty := sess.Queue().HistoryLen() == 0
	p.mu.Unlock()
	if m.queues == nil || !playing || empty {
		p.mu.Lock()
		defer p.mu.Unlock()
		return sess.Previous(now)
	}
	cur.Info.Position = 0
	if _, err := m.editQueue(ctx, p, false, func(*Queue) ([]QueueEdit, error) {
		return []QueueEdit{{Op: QueueInsert, Position: 1, Tracks: []Track{cur}}}, nil
	}); err != nil {
		return Track{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return sess.previous(now, false)
}
