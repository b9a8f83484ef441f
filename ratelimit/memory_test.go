package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tunekit/tunekit/internal/fakeclock"
	"github.com/tunekit/tunekit/ratelimit"
)

var testLimits = []ratelimit.Limit{
	{Rate: 1, Period: time.Second},
	{Rate: 5, Period: 10 * time.Second},
	{Rate: 3, Period: 300 * time.Millisecond, Burst: 2},
	{Rate: 10, Period: time.Minute, Burst: 5},
	{Rate: 40, Period: time.Second}, // grows the ring past its first size
}

// TestMemoryMatchesReference drives the memory limiter with a randomized
// arrival pattern on a fake clock and checks every decision, including
// RetryAfter and ResetAfter to the nanosecond, against the reference log.
func TestMemoryMatchesReference(t *testing.T) {
	for _, limit := range testLimits {
		for seed := range uint64(5) {
			t.Run(fmt.Sprintf("%v/seed%d", limit, seed), func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, 1))
				clk := fakeclock.New(t0)
				l := ratelimit.NewMemory(ratelimit.WithClock(clk.Now))
				refs := map[string]*refLog{}
				ctx := context.Background()
				for step := range 3000 {
					switch r.IntN(4) {
					case 0: // a burst: same instant
					case 1:
						clk.Advance(time.Duration(r.Int64N(int64(limit.Period) / 3)))
					case 2:
						clk.Advance(time.Duration(r.Int64N(int64(limit.Period) / int64(limit.Max()))))
					case 3:
						clk.Advance(time.Duration(r.Int64N(3 * int64(limit.Period))))
					}
					key := "k" + strconv.Itoa(r.IntN(3))
					ref := refs[key]
					if ref == nil {
						ref = &refLog{limit: limit}
						refs[key] = ref
					}
					n := 1 + r.IntN(min(limit.Max(), 3))
					got, err := l.AllowN(ctx, key, limit, n)
					if err != nil {
						t.Fatalf("step %d: AllowN: %v", step, err)
					}
					want := ref.decide(clk.Now(), n)
					want.Backend = ratelimit.BackendMemory
					if got != want {
						t.Fatalf("step %d: AllowN(%s, %v, %d) = %+v, want %+v", step, key, limit, n, got, want)
					}
				}
				for key, ref := range refs {
					if most := maxInWindow(ref.all, limit.Period); most > limit.Max() {
						t.Errorf("%s: %d events in one window, limit %d", key, most, limit.Max())
					}
					if len(ref.all) < 3*limit.Max() {
						t.Errorf("%s: only %d events admitted; the pattern does not exercise the limit", key, len(ref.all))
					}
				}
			})
		}
	}
}

// TestMemoryWindowBound checks the window property directly on the
// admitted times, with jittered arrivals that often land exactly one
// period apart.
func TestMemoryWindowBound(t *testing.T) {
	for _, limit := range testLimits {
		t.Run(limit.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(42, 42))
			clk := fakeclock.New(t0)
			l := ratelimit.NewMemory(ratelimit.WithClock(clk.Now))
			var admitted []time.Time
			denied := 0
			step := limit.Period / time.Duration(limit.Max())
			for range 5000 {
				switch r.IntN(3) {
				case 0:
					clk.Advance(step)
				case 1:
					clk.Advance(time.Duration(r.Int64N(int64(step))))
				}
				d, err := l.Allow(context.Background(), "k", limit)
				if err != nil {
					t.Fatal(err)
				}
				if d.Allowed {
					admitted = append(admitted, clk.Now())
				} else {
					denied++
				}
			}
			if most := maxInWindow(admitted, limit.Period); most != limit.Max() {
				t.Errorf("busiest window admitted %d, want exactly %d", most, limit.Max())
			}
			if denied == 0 {
				t.Error("nothing denied; the pattern does not exercise the limit")
			}
		})
	}
}

func TestMemorySteadyCallerNeverDenied(t *testing.T) {
	for _, limit := range testLimits {
		t.Run(limit.String(), func(t *testing.T) {
			clk := fakeclock.New(t0)
			l := ratelimit.NewMemory(ratelimit.WithClock(clk.Now))
			interval := limit.Period / time.Duration(limit.Rate)
			if interval*time.Duration(limit.Rate) != limit.Period {
				t.Fatalf("test limit %v does not divide evenly", limit)
			}
			for i := range 10 * limit.Rate {
				d, err := l.Allow(context.Background(), "steady", limit)
				if err != nil || !d.Allowed {
					t.Fatalf("call %d at the allowed rate: %+v, %v; want allowed", i, d, err)
				}
				clk.Advance(interval)
			}
		})
	}
}

func TestMemoryConcurrentExact(t *testing.T) {
	testConcurrentExact(t, ratelimit.NewMemory(), ratelimit.Key("g", "u", "play"))
}

func TestMemoryConcurrentManyKeys(t *testing.T) {
	l := ratelimit.NewMemory(ratelimit.WithCapacity(1000), ratelimit.WithShards(8))
	limit := ratelimit.PerMinute(3)
	var mu sync.Mutex
	allowed := map[string]int{}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 400 {
				key := "user" + strconv.Itoa((g+i)%100)
				d, err := l.Allow(context.Background(), key, limit)
				if err != nil {
					t.Errorf("Allow(%s): %v", key, err)
					return
				}
				if d.Allowed {
					mu.Lock()
					allowed[key]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if len(allowed) != 100 {
		t.Errorf("%d keys saw an allowed call, want 100", len(allowed))
	}
	for key, n := range allowed {
		if n != 3 {
			t.Errorf("%s: %d allowed, want exactly 3", key, n)
		}
	}
}

func TestMemoryCapacityFailsClosed(t *testing.T) {
	clk := fakeclock.New(t0)
	var refused []string
	l := ratelimit.NewMemory(
		ratelimit.WithClock(clk.Now),
		ratelimit.WithCapacity(2),
		ratelimit.WithShards(1),
		ratelimit.WithOnFull(func(key string) { refused = append(refused, key) }),
	)
	ctx := context.Background()
	limit := ratelimit.Limit{Rate: 2, Period: 10 * time.Second}
	allow := func(key string) (ratelimit.Decision, error) {
		t.Helper()
		return l.Allow(ctx, key, limit)
	}
	for _, key := range []string{"a", "a", "b"} {
		if d, err := allow(key); err != nil || !d.Allowed {
			t.Fatalf("Allow(%s) = %+v, %v; want allowed", key, d, err)
		}
	}
	// Full of live keys: new keys are refused, and the live ones are not
	// forgotten however many new keys try.
	for i := range 50 {
		d, err := allow("new" + strconv.Itoa(i))
		if !errors.Is(err, ratelimit.ErrCapacity) || d.Allowed || d.Backend != ratelimit.BackendMemory {
			t.Fatalf("Allow(new%d) on a full limiter = %+v, %v; want a memory denial with ErrCapacity", i, d, err)
		}
	}
	if len(refused) != 50 || refused[0] != "new0" {
		t.Errorf("WithOnFull saw %d refusals starting %q, want 50 starting new0", len(refused), refused[0])
	}
	if d, _ := allow("a"); d.Allowed {
		t.Error("a was forgotten: allowed a third time within its period")
	}
	// Once a key is back to full allowance it may be dropped.
	clk.Advance(10 * time.Second)
	if d, err := allow("c"); err != nil || !d.Allowed {
		t.Errorf("Allow(c) after the old keys expired = %+v, %v; want allowed", d, err)
	}
}

// TestMemorySweep covers an expired key hidden behind a live least
// recently used one: a full shard sweeps, at most once per second.
func TestMemorySweep(t *testing.T) {
	clk := fakeclock.New(t0)
	l := ratelimit.NewMemory(ratelimit.WithClock(clk.Now), ratelimit.WithCapacity(2), ratelimit.WithShards(1))
	ctx := context.Background()
	long := ratelimit.PerMinute(1)
	short := ratelimit.Limit{Rate: 1, Period: 100 * time.Millisecond}
	mustAllow := func(key string, limit ratelimit.Limit) {
		t.Helper()
		if d, err := l.Allow(ctx, key, limit); err != nil || !d.Allowed {
			t.Fatalf("Allow(%s) = %+v, %v; want allowed", key, d, err)
		}
	}
	mustAllow("live", long)   // least recently used, live for a minute
	mustAllow("brief", short) // expires first
	clk.Advance(100 * time.Millisecond)
	mustAllow("c", short) // only a sweep finds brief

	clk.Advance(100 * time.Millisecond) // c has expired too, but the last sweep was 100ms ago
	if _, err := l.Allow(ctx, "d", short); !errors.Is(err, ratelimit.ErrCapacity) {
		t.Fatalf("Allow(d) within a second of the last sweep = %v, want ErrCapacity", err)
	}
	clk.Advance(time.Second)
	mustAllow("d", short)
}

func TestMemoryShardsSplitCapacity(t *testing.T) {
	// 3 shards round down to 2, each holding 2 of the 4 keys: the limiter
	// holds exactly 4 keys whatever the hash spread, and refuses a fifth
	// only when that key's shard is full.
	l := ratelimit.NewMemory(ratelimit.WithCapacity(4), ratelimit.WithShards(3))
	held, refused := 0, 0
	for i := range 40 {
		_, err := l.Allow(context.Background(), "k"+strconv.Itoa(i), ratelimit.PerMinute(1))
		switch {
		case err == nil:
			held++
		case errors.Is(err, ratelimit.ErrCapacity):
			refused++
		default:
			t.Fatal(err)
		}
	}
	if held != 4 || refused != 36 {
		t.Errorf("held %d keys and refused %d, want 4 and 36", held, refused)
	}
}

func TestMemoryClockStepBack(t *testing.T) {
	clk := fakeclock.New(t0)
	l := ratelimit.NewMemory(ratelimit.WithClock(clk.Now))
	limit := ratelimit.Limit{Rate: 2, Period: time.Second}
	ctx := context.Background()
	l.Allow(ctx, "k", limit)
	clk.Advance(-time.Hour)
	if d, _ := l.Allow(ctx, "k", limit); !d.Allowed {
		t.Fatal("second event after the clock stepped back was denied")
	}
	d, _ := l.Allow(ctx, "k", limit)
	if d.Allowed || d.RetryAfter != time.Second || d.ResetAfter != time.Second {
		t.Errorf("third event = %+v; want denied with RetryAfter and ResetAfter 1s, measured from the newest event", d)
	}
}

func TestMemoryLimitChangeForKey(t *testing.T) {
	clk := fakeclock.New(t0)
	l := ratelimit.NewMemory(ratelimit.WithClock(clk.Now))
	ctx := context.Background()
	for range 6 {
		l.Allow(ctx, "k", ratelimit.PerMinute(6))
	}
	if d, _ := l.Allow(ctx, "k", ratelimit.PerMinute(3)); d.Allowed || d.Remaining != 0 {
		t.Errorf("after 6 events, a 3/min limit gave %+v; want a denial with Remaining 0", d)
	}
	clk.Advance(time.Minute)
	for i := range 20 {
		if d, _ := l.Allow(ctx, "k", ratelimit.PerMinute(20)); !d.Allowed {
			t.Fatalf("event %d under a raised limit denied", i)
		}
	}
}

func TestMemoryHotKeyDoesNotAllocate(t *testing.T) {
	l := ratelimit.NewMemory()
	ctx := context.Background()
	key := ratelimit.Key("g", "u", "play")
	limit := ratelimit.PerSecond(100)
	l.Allow(ctx, key, limit)
	if n := testing.AllocsPerRun(1000, func() { l.Allow(ctx, key, limit) }); n != 0 {
		t.Errorf("Allow on a hot key: %v allocs/op, want 0", n)
	}
}

func TestMemoryReadsClockOnce(t *testing.T) {
	clk := fakeclock.New(t0)
	reads := 0
	l := ratelimit.NewMemory(ratelimit.WithClock(func() time.Time { reads++; return clk.Now() }))
	ctx := context.Background()
	for i := range 5 {
		reads = 0
		l.Allow(ctx, "k", ratelimit.PerSecond(2))
		if reads != 1 {
			t.Errorf("call %d read the clock %d times, want 1", i, reads)
		}
	}
}
