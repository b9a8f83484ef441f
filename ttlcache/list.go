package ttlcache

import "math"

// never is the expiry of an entry that does not expire.
const never = math.MaxInt64

// entry is one cached key. Entries form a circular doubly linked list
// through Cache.root: root.next is the most recently used entry and
// root.prev the least recently used one.
type entry[K comparable, V any] struct {
	prev, next *entry[K, V]
	key        K
	val        V
	exp        int64 // nanoseconds since Cache.base; never when it does not expire
}

// expired reports whether e has expired at now.
func (e *entry[K, V]) expired(now int64) bool {
	return e.exp != never && now >= e.exp
}

// list is the recency order of a cache, most recent first.
type list[K comparable, V any] struct {
	root entry[K, V]
}

func (l *list[K, V]) init() {
	l.root.next = &l.root
	l.root.prev = &l.root
}

// back returns the least recently used entry, or nil.
func (l *list[K, V]) back() *entry[K, V] {
	if l.root.prev == &l.root {
		return nil
	}
	return l.root.prev
}

func (l *list[K, V]) pushFront(e *entry[K, V]) {
	e.prev = &l.root
	e.next = l.root.next
	l.root.next.prev = e
	l.root.next = e
}

func (l *list[K, V]) unlink(e *entry[K, V]) {
	e.prev.next = e.next
	e.next.prev = e.prev
	e.prev, e.next = nil, nil
}

func (l *list[K, V]) moveToFront(e *entry[K, V]) {
	if l.root.next == e {
		return
	}
	e.prev.next = e.next
	e.next.prev = e.prev
	l.pushFront(e)
}
