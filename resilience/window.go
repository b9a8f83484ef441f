package resilience

import "time"

// bucket holds the calls that finished in one slice of the window.
type bucket struct {
	calls, failures, slow int
}

// window is a rolling count of calls over numBuckets buckets of equal
// width. It keeps running totals so adding a call and reading the totals
// are O(1); advancing drops the buckets that fell out.
type window struct {
	width   time.Duration
	head    int64 // index (elapsed/width) of the newest bucket
	buckets [numBuckets]bucket
	total   bucket
}

func newWindow(d time.Duration) window {
	return window{width: max(d/numBuckets, 1)}
}

// advance moves the window so that its newest bucket holds time now.
// A clock that goes backwards leaves the window where it is.
func (w *window) advance(now time.Duration) {
	idx := int64(now / w.width)
	if idx <= w.head {
		return
	}
	if idx-w.head >= numBuckets {
		w.buckets = [numBuckets]bucket{}
		w.total = bucket{}
	} else {
		for i := w.head + 1; i <= idx; i++ {
			b := &w.buckets[i%numBuckets]
			w.total.calls -= b.calls
			w.total.failures -= b.failures
			w.total.slow -= b.slow
			*b = bucket{}
		}
	}
	w.head = idx
}

// add records one call that finished at now.
func (w *window) add(now time.Duration, failed, slow bool) {
	w.advance(now)
	b := &w.buckets[w.head%numBuckets]
	b.calls++
	w.total.calls++
	if failed {
		b.failures++
		w.total.failures++
	}
	if slow {
		b.slow++
		w.total.slow++
	}
}

// reset empties the window and starts it at now.
func (w *window) reset(now time.Duration) {
	w.buckets = [numBuckets]bucket{}
	w.total = bucket{}
	w.head = int64(now / w.width)
}
