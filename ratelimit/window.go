package ratelimit

import "time"

// window is the in-memory sliding-window log of one key: the times of the
// events admitted in the last period, oldest first, in a ring that grows
// up to the limit's Rate+Burst.
type window struct {
	ts    []int64 // event times in nanoseconds; a ring starting at head
	head  int
	count int
}

// at returns the i-th oldest event time.
func (w *window) at(i int) int64 {
	i += w.head
	if i >= len(w.ts) {
		i -= len(w.ts)
	}
	return w.ts[i]
}

// allow decides n events at now (nanoseconds) under l, which the caller
// has validated, and records them if allowed. An event at t counts while
// now-t < l.Period, so windows are half-open: an event exactly one period
// old has left.
func (w *window) allow(now int64, l Limit, n int) Decision {
	period := int64(l.Period)
	if w.count > 0 {
		// A clock that stepped back must not reorder the log.
		now = max(now, w.at(w.count-1))
	}
	for w.count > 0 && now-w.ts[w.head] >= period {
		w.head++
		if w.head == len(w.ts) {
			w.head = 0
		}
		w.count--
	}
	limit := l.Max()
	if w.count+n <= limit {
		w.push(now, n, limit)
		return Decision{Allowed: true, Remaining: limit - w.count, ResetAfter: time.Duration(period)}
	}
	// The k oldest events must leave before n more fit (k <= count as
	// n <= limit).
	k := w.count + n - limit
	return Decision{
		Remaining:  max(limit-w.count, 0),
		RetryAfter: time.Duration(w.at(k-1) + period - now),
		ResetAfter: time.Duration(w.at(w.count-1) + period - now),
	}
}

// push appends n events at now, growing the ring if needed.
func (w *window) push(now int64, n, limit int) {
	if need := w.count + n; need > len(w.ts) {
		size := max(need, min(max(2*len(w.ts), 16), limit))
		ts := make([]int64, size)
		for i := range w.count {
			ts[i] = w.at(i)
		}
		w.ts, w.head = ts, 0
	}
	for range n {
		i := w.head + w.count
		if i >= len(w.ts) {
			i -= len(w.ts)
		}
		w.ts[i] = now
		w.count++
	}
}
