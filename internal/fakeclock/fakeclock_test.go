package fakeclock_test

import (
	"sync"
	"testing"
	"time"

	"github.com/tunekit/tunekit/internal/fakeclock"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestClock(t *testing.T) {
	for _, tc := range []struct {
		name string
		move func(c *fakeclock.Clock)
		want time.Time
	}{
		{"new", func(*fakeclock.Clock) {}, t0},
		{"advance", func(c *fakeclock.Clock) { c.Advance(time.Minute) }, t0.Add(time.Minute)},
		{"advance twice", func(c *fakeclock.Clock) { c.Advance(time.Second); c.Advance(2 * time.Second) }, t0.Add(3 * time.Second)},
		{"advance back", func(c *fakeclock.Clock) { c.Advance(-time.Hour) }, t0.Add(-time.Hour)},
		{"set", func(c *fakeclock.Clock) { c.Set(t0.Add(24 * time.Hour)) }, t0.Add(24 * time.Hour)},
		{"set then advance", func(c *fakeclock.Clock) { c.Set(t0.Add(-time.Hour)); c.Advance(time.Minute) }, t0.Add(-59 * time.Minute)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fakeclock.New(t0)
			tc.move(c)
			if got := c.Now(); !got.Equal(tc.want) {
				t.Errorf("Now() = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestNowKeepsLocation: the clock returns t as given, not in UTC or
// local time, so tests that format times see what they set.
func TestNowKeepsLocation(t *testing.T) {
	loc := time.FixedZone("UTC+2", 2*60*60)
	start := time.Date(2026, 3, 1, 14, 0, 0, 0, loc)
	c := fakeclock.New(start)
	c.Advance(time.Minute)
	if got := c.Now(); got.Location() != loc || got.Hour() != 14 || got.Minute() != 1 {
		t.Errorf("Now() = %v, want 14:01 in %v", got, loc)
	}
}

// TestConcurrent moves and reads the clock from many goroutines; -race
// checks the locking, the sum checks no Advance is lost.
func TestConcurrent(t *testing.T) {
	c := fakeclock.New(t0)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			for range 100 {
				c.Advance(time.Millisecond)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	if got, want := c.Now().Sub(t0), 5*time.Second; got != want {
		t.Errorf("after 5000 Advance(1ms): Now()-start = %v, want %v", got, want)
	}
}
