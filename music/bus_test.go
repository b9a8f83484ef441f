package music_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

var _ music.EventBus = (*music.Bus)(nil)

func ev(i int) music.Event { return music.QueueEnded{GuildID: snowflake.ID(i)} }

// recorder collects the guild IDs of the events it sees.
type recorder struct {
	mu  sync.Mutex
	ids []int
}

func (r *recorder) add(e music.Event) {
	r.mu.Lock()
	r.ids = append(r.ids, int(e.Guild()))
	r.mu.Unlock()
}

func (r *recorder) got() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.ids...)
}

func seq(from, to int) []int {
	var s []int
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestBusDeliversInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := music.NewBus()
		var r1, r2 recorder
		b.Subscribe(r1.add)
		b.Subscribe(r2.add)
		for i := 1; i <= 100; i++ {
			if err := b.Publish(t.Context(), ev(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
		for n, r := range []*recorder{&r1, &r2} {
			if got := r.got(); !equalInts(got, seq(1, 100)) {
				t.Errorf("subscriber %d got %v, want 1…100 in order", n+1, got)
			}
		}
		if b.Dropped() != 0 {
			t.Errorf("Dropped() = %d, want 0", b.Dropped())
		}
	})
}

// TestBusSlowSubscriber shows a subscriber stuck in its callback neither
// blocks Publish nor the other subscribers; its overflow is dropped and
// counted.
func TestBusSlowSubscriber(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := music.NewBus(music.WithBusBuffer(4))
		release := make(chan struct{})
		var slow, fast recorder
		b.Subscribe(func(e music.Event) { slow.add(e); <-release })
		b.Subscribe(fast.add)
		for i := 1; i <= 10; i++ {
			if err := b.Publish(t.Context(), ev(i)); err != nil { // would deadlock the bubble if it blocked
				t.Fatal(err)
			}
			synctest.Wait() // let the subscribers take what they can
		}
		if got := fast.got(); !equalInts(got, seq(1, 10)) {
			t.Errorf("fast subscriber got %v, want 1…10", got)
		}
		// The slow one holds event 1 in its callback and 2…5 in its buffer.
		if d := b.Dropped(); d != 5 {
			t.Errorf("Dropped() = %d, want 5", d)
		}
		close(release)
		if err := b.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := slow.got(); !equalInts(got, seq(1, 5)) {
			t.Errorf("slow subscriber got %v, want 1…5", got)
		}
	})
}

func TestBusCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := music.NewBus()
		var r recorder
		cancel := b.Subscribe(r.add)
		_ = b.Publish(t.Context(), ev(1))
		synctest.Wait()
		cancel()
		cancel() // twice is fine
		_ = b.Publish(t.Context(), ev(2))
		synctest.Wait()
		if got := r.got(); !equalInts(got, []int{1}) {
			t.Errorf("after cancel got %v, want [1]", got)
		}
		// A callback may cancel its own subscription.
		var self recorder
		var selfCancel func()
		var once sync.Once
		ready := make(chan struct{})
		selfCancel = b.Subscribe(func(e music.Event) {
			<-ready
			self.add(e)
			once.Do(selfCancel)
		})
		close(ready)
		_ = b.Publish(t.Context(), ev(3))
		_ = b.Publish(t.Context(), ev(4))
		synctest.Wait()
		if got := self.got(); !equalInts(got, []int{3}) {
			t.Errorf("self-cancelling subscriber got %v, want [3]", got)
		}
		if err := b.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestBusClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := music.NewBus()
		var r recorder
		b.Subscribe(r.add)
		if err := b.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := b.Close(t.Context()); err != nil {
			t.Errorf("second Close = %v", err)
		}
		if err := b.Publish(t.Context(), ev(1)); !errors.Is(err, music.ErrBusClosed) {
			t.Errorf("Publish after Close = %v, want ErrBusClosed", err)
		}
		called := false
		cancel := b.Subscribe(func(music.Event) { called = true })
		cancel()
		if called || len(r.got()) != 0 {
			t.Error("a closed bus delivered an event")
		}
		ctx, c := context.WithCancel(t.Context())
		c()
		if err := music.NewBus().Publish(ctx, ev(1)); !errors.Is(err, context.Canceled) {
			t.Errorf("Publish(cancelled ctx) = %v", err)
		}
	})
}

// TestBusCloseTimeout: a subscriber stuck in its callback makes Close give
// up when its context ends; the events still buffered are then skipped.
func TestBusCloseTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := music.NewBus()
		release := make(chan struct{})
		var r recorder
		b.Subscribe(func(e music.Event) { r.add(e); <-release })
		for i := 1; i <= 3; i++ {
			_ = b.Publish(t.Context(), ev(i))
		}
		synctest.Wait()
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		if err := b.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Close with a stuck subscriber = %v, want DeadlineExceeded", err)
		}
		if waited := time.Since(start); waited != time.Second {
			t.Errorf("Close waited %v, want the 1 s deadline", waited)
		}
		close(release)
		synctest.Wait()
		if got := r.got(); !equalInts(got, []int{1}) {
			t.Errorf("after a timed-out Close the subscriber got %v, want [1]", got)
		}
	})
}

func TestBusConcurrent(t *testing.T) {
	b := music.NewBus(music.WithBusBuffer(10_000))
	var count atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		cancel := b.Subscribe(func(music.Event) { count.Add(1) })
		defer cancel()
	}
	for p := range 4 {
		wg.Go(func() {
			for i := range 500 {
				if err := b.Publish(context.Background(), ev(p*1000+i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() { // subscribe and cancel while publishing
		for range 100 {
			b.Subscribe(func(music.Event) {})()
		}
	})
	wg.Wait()
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := count.Load(); got != 4*4*500 {
		t.Errorf("delivered %d events, want %d", got, 4*4*500)
	}
	if b.Dropped() != 0 {
		t.Errorf("Dropped() = %d with a buffer larger than all events", b.Dropped())
	}
}
