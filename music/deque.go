package music

// deque is a double-ended queue on a ring buffer whose capacity is a power
// of two, so an index wraps with a mask instead of a division. Pushing and
// popping at either end is amortized O(1); inserting or removing in the
// middle shifts the shorter side. The buffer shrinks when it is three
// quarters empty, so a queue that once held 10,000 tracks does not keep
// their memory after it drains.
//
// Indexes are 0-based here; the exported types translate the 1-based
// positions users see.
type deque[T any] struct {
	buf  []T
	head int // index in buf of element 0
	n    int
}

const minDequeCap = 8

func (d *deque[T]) len() int { return d.n }

// slot maps element i to its index in buf.
func (d *deque[T]) slot(i int) int { return (d.head + i) & (len(d.buf) - 1) }

func (d *deque[T]) at(i int) T { return d.buf[d.slot(i)] }

func (d *deque[T]) ptr(i int) *T { return &d.buf[d.slot(i)] }

func (d *deque[T]) pushBack(v T) {
	d.grow()
	d.buf[d.slot(d.n)] = v
	d.n++
}

func (d *deque[T]) pushFront(v T) {
	d.grow()
	d.head = (d.head - 1) & (len(d.buf) - 1)
	d.buf[d.head] = v
	d.n++
}

func (d *deque[T]) popFront() (T, bool) {
	var zero T
	if d.n == 0 {
		return zero, false
	}
	v := d.buf[d.head]
	d.buf[d.head] = zero
	d.head = (d.head + 1) & (len(d.buf) - 1)
	d.n--
	d.shrink()
	return v, true
}

func (d *deque[T]) popBack() (T, bool) {
	var zero T
	if d.n == 0 {
		return zero, false
	}
	i := d.slot(d.n - 1)
	v := d.buf[i]
	d.buf[i] = zero
	d.n--
	d.shrink()
	return v, true
}

// insert puts v before element i (0 ≤ i ≤ len), shifting the shorter side.
func (d *deque[T]) insert(i int, v T) {
	if i == 0 {
		d.pushFront(v)
		return
	}
	if i == d.n {
		d.pushBack(v)
		return
	}
	d.grow()
	if i < d.n/2 {
		// Shift elements [0, i) one slot towards the front.
		d.head = (d.head - 1) & (len(d.buf) - 1)
		for j := 0; j < i; j++ {
			d.buf[d.slot(j)] = d.buf[d.slot(j+1)]
		}
	} else {
		// Shift elements [i, n) one slot towards the back.
		for j := d.n; j > i; j-- {
			d.buf[d.slot(j)] = d.buf[d.slot(j-1)]
		}
	}
	d.buf[d.slot(i)] = v
	d.n++
}

// remove deletes element i (0 ≤ i < len) and returns it, shifting the
// shorter side.
func (d *deque[T]) remove(i int) T {
	var zero T
	v := d.at(i)
	if i < d.n/2 {
		for j := i; j > 0; j-- {
			d.buf[d.slot(j)] = d.buf[d.slot(j-1)]
		}
		d.buf[d.head] = zero
		d.head = (d.head + 1) & (len(d.buf) - 1)
	} else {
		for j := i; j < d.n-1; j++ {
			d.buf[d.slot(j)] = d.buf[d.slot(j+1)]
		}
		d.buf[d.slot(d.n-1)] = zero
	}
	d.n--
	d.shrink()
	return v
}

// move takes element from and puts it at index to, shifting only the
// elements between the two.
func (d *deque[T]) move(from, to int) {
	if from == to {
		return
	}
	v := d.at(from)
	if from < to {
		for j := from; j < to; j++ {
			d.buf[d.slot(j)] = d.buf[d.slot(j+1)]
		}
	} else {
		for j := from; j > to; j-- {
			d.buf[d.slot(j)] = d.buf[d.slot(j-1)]
		}
	}
	d.buf[d.slot(to)] = v
}

// linear rearranges the buffer so the elements are contiguous from
// buf[0] and returns them as a slice aliasing the buffer. The slice is valid
// until the next mutation.
func (d *deque[T]) linear() []T {
	if d.n == 0 {
		return nil
	}
	if d.head+d.n <= len(d.buf) {
		if d.head != 0 {
			copy(d.buf, d.buf[d.head:d.head+d.n])
			clear(d.buf[d.n : d.head+d.n])
			d.head = 0
		}
		return d.buf[:d.n]
	}
	nb := make([]T, len(d.buf))
	d.copyTo(nb)
	d.buf, d.head = nb, 0
	return d.buf[:d.n]
}

// appendTo appends elements [from, to) to dst.
func (d *deque[T]) appendTo(dst []T, from, to int) []T {
	if from >= to {
		return dst
	}
	start := d.slot(from)
	end := start + (to - from)
	if end <= len(d.buf) {
		return append(dst, d.buf[start:end]...)
	}
	dst = append(dst, d.buf[start:]...)
	return append(dst, d.buf[:end-len(d.buf)]...)
}

func (d *deque[T]) copyTo(dst []T) {
	if d.n == 0 {
		return
	}
	end := d.head + d.n
	if end <= len(d.buf) {
		copy(dst, d.buf[d.head:end])
		return
	}
	k := copy(dst, d.buf[d.head:])
	copy(dst[k:], d.buf[:end-len(d.buf)])
}

// filter keeps the elements for which keep returns true, in order.
func (d *deque[T]) filter(keep func(*T) bool) (removed int) {
	var zero T
	w := 0
	for r := 0; r < d.n; r++ {
		p := d.ptr(r)
		if !keep(p) {
			continue
		}
		if w != r {
			d.buf[d.slot(w)] = *p
		}
		w++
	}
	for i := w; i < d.n; i++ {
		d.buf[d.slot(i)] = zero
	}
	removed = d.n - w
	d.n = w
	d.shrink()
	return removed
}

func (d *deque[T]) reset() {
	d.buf, d.head, d.n = nil, 0, 0
}

func (d *deque[T]) grow() {
	if d.n < len(d.buf) {
		return
	}
	c := 2 * len(d.buf)
	if c < minDequeCap {
		c = minDequeCap
	}
	d.resize(c)
}

func (d *deque[T]) shrink() {
	if d.n == 0 && len(d.buf) > minDequeCap {
		d.reset()
		return
	}
	if len(d.buf) > minDequeCap && d.n <= len(d.buf)/4 {
		d.resize(len(d.buf) / 2)
	}
}

func (d *deque[T]) resize(c int) {
	nb := make([]T, c)
	d.copyTo(nb)
	d.buf, d.head = nb, 0
}

// reserve makes room for k more elements with one allocation at most.
func (d *deque[T]) reserve(k int) {
	need := d.n + k
	if need <= len(d.buf) {
		return
	}
	c := max(len(d.buf), minDequeCap)
	for c < need {
		c *= 2
	}
	d.resize(c)
}
