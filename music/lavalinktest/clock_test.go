package lavalinktest

import (
	"reflect"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func TestClockAdvanceRunsTimersInOrder(t *testing.T) {
	c := NewClock(t0)
	var got []string
	var at []time.Duration
	add := func(name string, d time.Duration) *clockTimer {
		return c.afterFunc(d, func() {
			got = append(got, name)
			at = append(at, c.Now().Sub(t0))
		})
	}
	add("c", 3*time.Second)
	add("a", time.Second)
	add("b1", 2*time.Second)
	add("b2", 2*time.Second)
	stopped := add("x", 1500*time.Millisecond)
	if !c.stop(stopped) {
		t.Fatal("stop(pending) = false, want true")
	}
	if c.stop(stopped) {
		t.Error("stop(stopped) = true, want false")
	}
	c.Advance(2 * time.Second)
	if want := []string{"a", "b1", "b2"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after Advance(2s) ran %v, want %v", got, want)
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 2 * time.Second}; !reflect.DeepEqual(at, want) {
		t.Errorf("timers ran at %v, want %v", at, want)
	}
	if now := c.Now(); !now.Equal(t0.Add(2 * time.Second)) {
		t.Errorf("Now() = %v, want t0+2s", now)
	}
	c.Advance(-time.Hour)
	if now := c.Now(); !now.Equal(t0.Add(2 * time.Second)) {
		t.Errorf("Now() after Advance(-1h) = %v, want t0+2s", now)
	}
	c.Advance(time.Second)
	if want := []string{"a", "b1", "b2", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after Advance(3s) ran %v, want %v", got, want)
	}
}

func TestClockTimersStartedByTimersRunInSpan(t *testing.T) {
	c := NewClock(t0)
	var ticks []time.Duration
	var tick func()
	tick = func() {
		ticks = append(ticks, c.Now().Sub(t0))
		c.afterFunc(5*time.Second, tick)
	}
	c.afterFunc(5*time.Second, tick)
	c.Advance(17 * time.Second)
	if want := []time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second}; !reflect.DeepEqual(ticks, want) {
		t.Errorf("periodic ticks = %v, want %v", ticks, want)
	}
}

func TestRealClockAdvanceSkipsAhead(t *testing.T) {
	c := newRealClock()
	defer c.close()
	done := make(chan time.Duration, 1)
	start := c.Now()
	c.afterFunc(time.Hour, func() { done <- c.Now().Sub(start) })
	c.afterFunc(2*time.Hour, func() { t.Error("timer two hours away ran after Advance(1h)") })
	c.Advance(time.Hour)
	select {
	case d := <-done:
		if d < time.Hour {
			t.Errorf("timer ran at +%v, want at least +1h", d)
		}
	default:
		t.Fatal("Advance(1h) did not run the timer due in 1h")
	}
}

func TestRealClockFiresAndCloses(t *testing.T) {
	c := newRealClock()
	var wg sync.WaitGroup
	wg.Add(1)
	c.afterFunc(time.Millisecond, wg.Done)
	wg.Wait()
	never := c.afterFunc(time.Hour, func() { t.Error("timer ran after close") })
	c.close()
	if c.stop(never) {
		t.Error("stop after close = true, want false")
	}
	late := c.afterFunc(0, func() { t.Error("timer made after close ran") })
	c.Advance(time.Second)
	if c.stop(late) {
		t.Error("timer made after close was pending")
	}
}
