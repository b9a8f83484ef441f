package ttlcache

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The model test runs random operations against a Cache and against a
// plain reference model (a slice in recency order), comparing every result,
// every eviction callback and the cache's internal invariants after each
// operation. FuzzCache drives the same interpreter from fuzzed bytes.

type modelEntry struct {
	k, v int
	exp  int64 // never for no expiry
}

type model struct {
	cap   int
	ttl   time.Duration
	now   int64
	order []modelEntry // least recently used first
	evs   []eviction[int, int]
}

func (m *model) live(e modelEntry) bool { return e.exp == never || m.now < e.exp }

func (m *model) find(k int) int {
	return slices.IndexFunc(m.order, func(e modelEntry) bool { return e.k == k })
}

func (m *model) lifetime(ttl time.Duration) time.Duration {
	if ttl == 0 {
		ttl = m.ttl
	}
	return max(ttl, 0)
}

func (m *model) expiry(ttl time.Duration) int64 { return deadline(m.now, m.lifetime(ttl)) }

func (m *model) drop(i int, r EvictReason) {
	e := m.order[i]
	m.evs = append(m.evs, eviction[int, int]{e.k, e.v, r})
	m.order = slices.Delete(m.order, i, i+1)
}

func (m *model) touch(i int) {
	e := m.order[i]
	m.order = append(slices.Delete(m.order, i, i+1), e)
}

func (m *model) dropExpiredTail() {
	for len(m.order) > 0 && !m.live(m.order[0]) {
		m.drop(0, Expired)
	}
}

func (m *model) set(k, v int, ttl time.Duration) {
	exp := m.expiry(ttl)
	if i := m.find(k); i >= 0 {
		m.order[i].v, m.order[i].exp = v, exp
		m.touch(i)
		return
	}
	if len(m.order) == m.cap {
		r := Capacity
		if !m.live(m.order[0]) {
			r = Expired
		}
		m.drop(0, r)
	}
	m.order = append(m.order, modelEntry{k, v, exp})
}

func (m *model) setIfRoom(k, v int, ttl time.Duration) bool {
	exp := m.expiry(ttl)
	if i := m.find(k); i >= 0 {
		m.order[i].v, m.order[i].exp = v, exp
		m.touch(i)
		return true
	}
	if len(m.order) == m.cap {
		m.dropExpiredTail()
	}
	if len(m.order) == m.cap {
		return false
	}
	m.order = append(m.order, modelEntry{k, v, exp})
	return true
}

func (m *model) get(k int) (int, bool) {
	i := m.find(k)
	if i < 0 {
		return 0, false
	}
	if !m.live(m.order[i]) {
		m.drop(i, Expired)
		return 0, false
	}
	m.touch(i)
	return m.order[len(m.order)-1].v, true
}

func (m *model) peek(k int) (int, bool) {
	i := m.find(k)
	if i < 0 || !m.live(m.order[i]) {
		return 0, false
	}
	return m.order[i].v, true
}

func (m *model) del(k int) bool {
	i := m.find(k)
	if i < 0 {
		return false
	}
	live := m.live(m.order[i])
	r := Deleted
	if !live {
		r = Expired
	}
	m.drop(i, r)
	return live
}

// update mirrors Cache.Update with an fn that adds delta to the value (or
// stores delta when absent) and returns ttl and keep.
func (m *model) update(k, delta int, ttl time.Duration, keep bool) error {
	i := m.find(k)
	if i >= 0 && !m.live(m.order[i]) {
		m.drop(i, Expired)
		i = -1
	}
	if i < 0 {
		if len(m.order) == m.cap {
			m.dropExpiredTail()
		}
		if len(m.order) == m.cap {
			return ErrFull
		}
	}
	switch {
	case !keep && i >= 0:
		m.drop(i, Deleted)
	case !keep:
	case i >= 0:
		m.order[i].v += delta
		m.order[i].exp = m.expiry(ttl)
		m.touch(i)
	default:
		m.order = append(m.order, modelEntry{k, delta, m.expiry(ttl)})
	}
	return nil
}

func (m *model) purge() {
	for len(m.order) > 0 {
		m.drop(0, Purged)
	}
}

func (m *model) deleteExpired() int {
	n := 0
	for i := 0; i < len(m.order); {
		if !m.live(m.order[i]) {
			m.drop(i, Expired)
			n++
			continue
		}
		i++
	}
	return n
}

func (m *model) keys() []int {
	var keys []int
	for _, e := range m.order {
		if m.live(e) {
			keys = append(keys, e.k)
		}
	}
	return keys
}

// checkInvariants verifies the cache's internal structure.
func checkInvariants[K comparable, V any](c *Cache[K, V]) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) > c.capacity {
		return fmt.Errorf("holds %d entries, capacity %d", len(c.items), c.capacity)
	}
	n, timed := 0, 0
	for e := c.lru.root.next; e != &c.lru.root; e = e.next {
		if e.next.prev != e {
			return fmt.Errorf("broken link after %v", e.key)
		}
		if c.items[e.key] != e {
			return fmt.Errorf("list entry %v is not the map's", e.key)
		}
		if e.exp != never {
			timed++
		}
		n++
	}
	if n != len(c.items) {
		return fmt.Errorf("list has %d entries, map %d", n, len(c.items))
	}
	if timed != c.timed {
		return fmt.Errorf("%d entries expire, counter says %d", timed, c.timed)
	}
	return nil
}

// byteSource feeds the interpreter; it yields zeros once exhausted.
type byteSource struct{ b []byte }

func (s *byteSource) next() int {
	if len(s.b) == 0 {
		return 0
	}
	v := s.b[0]
	s.b = s.b[1:]
	return int(v)
}

func (s *byteSource) ttl() time.Duration {
	switch n := s.next() % 6; n {
	case 0:
		return 0
	case 1:
		return NoExpiration
	default:
		return time.Duration(n-1) * time.Second
	}
}

// runModel interprets ops against a fresh cache and model and reports the
// first difference.
func runModel(t *testing.T, ops []byte) {
	t.Helper()
	src := &byteSource{ops}
	capacity := 1 + src.next()%5
	ttl := time.Duration(src.next()%4) * time.Second
	m := &model{cap: capacity, ttl: ttl}
	base := time.Unix(1_700_000_000, 0)
	var got []eviction[int, int]
	c := New[int, int](capacity,
		WithTTL(ttl),
		WithClock(func() time.Time { return base.Add(time.Duration(m.now)) }),
		WithOnEvict(func(k, v int, r EvictReason) { got = append(got, eviction[int, int]{k, v, r}) }),
	)
	ctx := context.Background()
	var trace []string
	fail := func(format string, args ...any) {
		t.Helper()
		if len(trace) > 30 {
			trace = append([]string{"..."}, trace[len(trace)-30:]...)
		}
		t.Fatalf("after %v (capacity %d, ttl %v): %s", trace, capacity, ttl, fmt.Sprintf(format, args...))
	}
	for step := 0; len(src.b) > 0 && step < 400; step++ {
		op, k, v := src.next()%12, src.next()%8, src.next()
		switch op {
		case 0:
			trace = append(trace, fmt.Sprintf("Set(%d,%d)", k, v))
			c.Set(k, v)
			m.set(k, v, 0)
		case 1:
			d := src.ttl()
			trace = append(trace, fmt.Sprintf("SetWithTTL(%d,%d,%v)", k, v, d))
			c.SetWithTTL(k, v, d)
			m.set(k, v, d)
		case 2:
			d := src.ttl()
			trace = append(trace, fmt.Sprintf("SetIfRoom(%d,%d,%v)", k, v, d))
			if g, w := c.SetIfRoom(k, v, d), m.setIfRoom(k, v, d); g != w {
				fail("SetIfRoom = %v, want %v", g, w)
			}
		case 3:
			trace = append(trace, fmt.Sprintf("Get(%d)", k))
			gv, gok := c.Get(k)
			if wv, wok := m.get(k); gv != wv || gok != wok {
				fail("Get(%d) = %d, %v; want %d, %v", k, gv, gok, wv, wok)
			}
		case 4:
			trace = append(trace, fmt.Sprintf("Peek(%d)", k))
			gv, gok := c.Peek(k)
			if wv, wok := m.peek(k); gv != wv || gok != wok {
				fail("Peek(%d) = %d, %v; want %d, %v", k, gv, gok, wv, wok)
			}
		case 5:
			trace = append(trace, fmt.Sprintf("Delete(%d)", k))
			if g, w := c.Delete(k), m.del(k); g != w {
				fail("Delete(%d) = %v, want %v", k, g, w)
			}
		case 6:
			d, keep := src.ttl(), v%4 != 0
			trace = append(trace, fmt.Sprintf("Update(%d,+%d,%v,%v)", k, v, d, keep))
			gerr := c.Update(k, func(old int, ok bool, now time.Time) (int, time.Duration, bool) {
				if want := base.Add(time.Duration(m.now)); !now.Equal(want) {
					fail("Update fn got time %v, want %v", now, want)
				}
				if ok {
					return old + v, d, keep
				}
				return v, d, keep
			})
			if werr := m.update(k, v, d, keep); !errors.Is(gerr, werr) || (gerr == nil) != (werr == nil) {
				fail("Update = %v, want %v", gerr, werr)
			}
		case 7:
			trace = append(trace, "Purge")
			c.Purge()
			m.purge()
		case 8, 9:
			d := int64(v%3) * int64(time.Second)
			trace = append(trace, fmt.Sprintf("Advance(%v)", time.Duration(d)))
			m.now += d
		case 10:
			trace = append(trace, "DeleteExpired")
			if g, w := c.DeleteExpired(), m.deleteExpired(); g != w {
				fail("DeleteExpired = %d, want %d", g, w)
			}
		case 11:
			trace = append(trace, fmt.Sprintf("GetOrLoad(%d,%d)", k, v))
			gv, gerr := c.GetOrLoad(ctx, k, func(context.Context) (int, error) { return v, nil })
			wv, wok := m.peek(k)
			if wok {
				m.touch(m.find(k))
			} else {
				m.set(k, v, 0)
				wv = v
			}
			if gv != wv || gerr != nil {
				fail("GetOrLoad(%d) = %d, %v; want %d, nil", k, gv, gerr, wv)
			}
		}
		if !slices.Equal(got, m.evs) {
			fail("evictions %v, want %v", got, m.evs)
		}
		if g, w := c.Keys(), m.keys(); !slices.Equal(g, w) {
			fail("Keys() = %v, want %v", g, w)
		}
		if g, w := c.Len(), len(m.keys()); g != w {
			fail("Len() = %d, want %d", g, w)
		}
		if err := checkInvariants(c); err != nil {
			fail("invariant: %v", err)
		}
	}
}

func TestModel(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 7))
		ops := make([]byte, 1200)
		for i := range ops {
			ops[i] = byte(r.Uint32())
		}
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runModel(t, ops) })
	}
}

func FuzzCache(f *testing.F) {
	f.Add([]byte{3, 2, 0, 1, 5, 0, 2, 3, 3, 1, 0, 8, 2, 2, 4, 1, 6, 7, 6, 3})
	f.Add([]byte{1, 1, 1, 2, 9, 3, 8, 0, 2, 11, 4, 9, 6, 1, 5, 2, 10, 0, 0, 7, 1, 1})
	f.Add([]byte{0, 0, 2, 0, 1, 2, 2, 1, 2, 3, 2, 2, 3, 5, 6, 2, 4, 1, 6, 5, 0, 2})
	f.Fuzz(func(t *testing.T, ops []byte) { runModel(t, ops) })
}
