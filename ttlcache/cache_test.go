package ttlcache_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tunekit/tunekit/internal/fakeclock"
	"github.com/tunekit/tunekit/ttlcache"
)

// t0 is where the tests' fake clocks start.
var t0 = time.Unix(1_700_000_000, 0)

// evictLog records eviction callbacks.
type evictLog struct {
	mu  sync.Mutex
	got []string
}

func (l *evictLog) record(k string, v int, r ttlcache.EvictReason) {
	l.mu.Lock()
	l.got = append(l.got, fmt.Sprintf("%s=%d:%v", k, v, r))
	l.mu.Unlock()
}

func (l *evictLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	got := l.got
	l.got = nil
	return got
}

func TestNewPanics(t *testing.T) {
	tests := []struct {
		name     string
		build    func()
		contains string
	}{
		{"zero capacity", func() { ttlcache.New[string, int](0) }, "capacity must be positive"},
		{"negative capacity", func() { ttlcache.New[string, int](-3) }, "New(-3)"},
		{"callback types", func() {
			ttlcache.New[string, int](1, ttlcache.WithOnEvict(func(int, int, ttlcache.EvictReason) {}))
		}, "want func(string, int, ttlcache.EvictReason)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg, _ := r.(string); !strings.Contains(msg, tt.contains) {
					t.Errorf("panic = %v, want a message containing %q", r, tt.contains)
				}
			}()
			tt.build()
		})
	}
}

func TestGetProtectsFromEviction(t *testing.T) {
	tests := []struct {
		name     string
		touch    func(c *ttlcache.Cache[string, int])
		wantKeys []string
	}{
		{"no access evicts the oldest", func(*ttlcache.Cache[string, int]) {}, []string{"b", "c", "d"}},
		{"Get protects a", func(c *ttlcache.Cache[string, int]) { c.Get("a") }, []string{"c", "a", "d"}},
		{"Set protects a", func(c *ttlcache.Cache[string, int]) { c.Set("a", 10) }, []string{"c", "a", "d"}},
		{"Peek does not protect a", func(c *ttlcache.Cache[string, int]) { c.Peek("a") }, []string{"b", "c", "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ttlcache.New[string, int](3)
			c.Set("a", 1)
			c.Set("b", 2)
			c.Set("c", 3)
			tt.touch(c)
			c.Set("d", 4)
			if got := c.Keys(); !slices.Equal(got, tt.wantKeys) {
				t.Errorf("Keys() = %v, want %v", got, tt.wantKeys)
			}
			if got := c.Len(); got != 3 {
				t.Errorf("Len() = %d, want 3", got)
			}
		})
	}
}

func TestPerEntryTTL(t *testing.T) {
	clk := fakeclock.New(t0)
	c := ttlcache.New[string, int](10, ttlcache.WithClock(clk.Now), ttlcache.WithTTL(2*time.Second))
	c.SetWithTTL("one", 1, time.Second)
	c.SetWithTTL("three", 3, 3*time.Second)
	c.SetWithTTL("forever", 0, ttlcache.NoExpiration)
	c.SetWithTTL("negative", -1, -time.Hour)
	c.Set("default", 2)

	tests := []struct {
		at   time.Duration
		key  string
		want bool
	}{
		{999 * time.Millisecond, "one", true},
		{time.Second, "one", false},
		{1999 * time.Millisecond, "default", true},
		{2 * time.Second, "default", false},
		{2999 * time.Millisecond, "three", true},
		{3 * time.Second, "three", false},
		{1000 * time.Hour, "forever", true},
		{1000 * time.Hour, "negative", true},
	}
	start := clk.Now()
	for _, tt := range tests {
		clk.Advance(start.Add(tt.at).Sub(clk.Now()))
		if _, ok := c.Peek(tt.key); ok != tt.want {
			t.Errorf("at +%v: Peek(%q) ok = %v, want %v", tt.at, tt.key, ok, tt.want)
		}
		if _, ok := c.Get(tt.key); ok != tt.want {
			t.Errorf("at +%v: Get(%q) ok = %v, want %v", tt.at, tt.key, ok, tt.want)
		}
	}
}

func TestGetDoesNotExtendTTL(t *testing.T) {
	clk := fakeclock.New(t0)
	c := ttlcache.New[string, int](2, ttlcache.WithClock(clk.Now), ttlcache.WithTTL(time.Minute))
	c.Set("k", 1)
	for range 5 {
		clk.Advance(11 * time.Second)
		if _, ok := c.Get("k"); !ok {
			t.Fatalf("Get(k) at %v missed, want a hit", clk.Now())
		}
	}
	clk.Advance(5 * time.Second)
	if v, ok := c.Get("k"); ok {
		t.Errorf("Get(k) after 60s = %d, true; want a miss: Get must not extend the TTL", v)
	}
}

func TestEvictReasons(t *testing.T) {
	tests := []struct {
		name string
		run  func(c *ttlcache.Cache[string, int], clk *fakeclock.Clock)
		want []string
	}{
		{"capacity", func(c *ttlcache.Cache[string, int], _ *fakeclock.Clock) {
			c.Set("a", 1)
			c.Set("b", 2)
			c.Set("c", 3)
		}, []string{"a=1:capacity"}},
		{"expired at the evicting end", func(c *ttlcache.Cache[string, int], clk *fakeclock.Clock) {
			c.SetWithTTL("a", 1, time.Second)
			c.Set("b", 2)
			clk.Advance(time.Second)
			c.Set("c", 3)
		}, []string{"a=1:expired"}},
		{"expired on Get", func(c *ttlcache.Cache[string, int], clk *fakeclock.Clock) {
			c.SetWithTTL("a", 1, time.Second)
			clk.Advance(time.Second)
			c.Get("a")
		}, []string{"a=1:expired"}},
		{"deleted", func(c *ttlcache.Cache[string, int], _ *fakeclock.Clock) {
			c.Set("a", 1)
			c.Delete("a")
			c.Delete("a")
		}, []string{"a=1:deleted"}},
		{"delete of an expired entry", func(c *ttlcache.Cache[string, int], clk *fakeclock.Clock) {
			c.SetWithTTL("a", 1, time.Second)
			clk.Advance(time.Hour)
			c.Delete("a")
		}, []string{"a=1:expired"}},
		{"purged", func(c *ttlcache.Cache[string, int], _ *fakeclock.Clock) {
			c.Set("a", 1)
			c.Set("b", 2)
			c.Purge()
		}, []string{"a=1:purged", "b=2:purged"}},
		{"replacing is silent", func(c *ttlcache.Cache[string, int], _ *fakeclock.Clock) {
			c.Set("a", 1)
			c.Set("a", 2)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log evictLog
			clk := fakeclock.New(t0)
			c := ttlcache.New[string, int](2, ttlcache.WithClock(clk.Now), ttlcache.WithOnEvict(log.record))
			tt.run(c, clk)
			if got := log.take(); !slices.Equal(got, tt.want) {
				t.Errorf("evictions = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEvictReasonString(t *testing.T) {
	tests := []struct {
		r    ttlcache.EvictReason
		want string
	}{
		{ttlcache.Capacity, "capacity"},
		{ttlcache.Expired, "expired"},
		{ttlcache.Deleted, "deleted"},
		{ttlcache.Purged, "purged"},
		{ttlcache.EvictReason(0), "EvictReason(0)"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("EvictReason(%d).String() = %q, want %q", int(tt.r), got, tt.want)
		}
	}
}

// TestOnEvictMayUseCache proves callbacks run outside the lock: each one
// calls back into the cache, which would deadlock if the lock were held.
func TestOnEvictMayUseCache(t *testing.T) {
	var c *ttlcache.Cache[string, int]
	var seen []string
	c = ttlcache.New[string, int](2, ttlcache.WithOnEvict(func(k string, v int, r ttlcache.EvictReason) {
		seen = append(seen, k)
		if _, ok := c.Get(k); ok {
			t.Errorf("callback: Get(%q) found the evicted key", k)
		}
		_ = c.Len()
		if r == ttlcache.Capacity && !strings.HasPrefix(k, "re-") {
			c.Set("re-"+k, v) // evicts again, from inside a callback
		}
	}))
	c.Set("a", 1)
	c.Set("b", 2)
	// Set(c) evicts a; its callback stores re-a, evicting b; that callback
	// stores re-b, evicting c; that one stores re-c, evicting re-a.
	c.Set("c", 3)
	c.Delete("re-b")
	c.Update("x", func(int, bool, time.Time) (int, time.Duration, bool) { return 0, 0, true })
	c.Purge()
	want := []string{"a", "b", "c", "re-a", "re-b", "re-c", "x"}
	if !slices.Equal(seen, want) {
		t.Errorf("callbacks saw %v, want %v", seen, want)
	}
}

func TestSetIfRoom(t *testing.T) {
	tests := []struct {
		name     string
		prepare  func(c *ttlcache.Cache[string, int], clk *fakeclock.Clock)
		key      string
		want     bool
		wantKeys []string
		wantEvs  []string
	}{
		{"room", func(c *ttlcache.Cache[string, int], _ *fakeclock.Clock) {
			c.Set("a", 1)
		}, "n", true, []string{"a", "n"}, nil},
		{"full of live entries", func(c *ttlcache.Cache[string, int], _ *fakeclock.Clock) {
			c.Set("a", 1)
			c.SetWithTTL("b", 2, time.Hour)
		}, "n", false, []string{"a", "b"}, nil},
		{"present key is updated when full", func(c *ttlcache.Cache[string, int], _ *fakeclock.Clock) {
			c.Set("a", 1)
			c.Set("n", 2)
		}, "n", true, []string{"a", "n"}, nil},
		{"expired tail makes room", func(c *ttlcache.Cache[string, int], clk *fakeclock.Clock) {
			c.SetWithTTL("a", 1, time.Second)
			c.Set("b", 2)
			clk.Advance(time.Second)
		}, "n", true, []string{"b", "n"}, []string{"a=1:expired"}},
		{"expired entry behind a live tail stays", func(c *ttlcache.Cache[string, int], clk *fakeclock.Clock) {
			c.Set("a", 1)
			c.SetWithTTL("b", 2, time.Second)
			clk.Advance(time.Second)
		}, "n", false, []string{"a"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log evictLog
			clk := fakeclock.New(t0)
			c := ttlcache.New[string, int](2, ttlcache.WithClock(clk.Now), ttlcache.WithOnEvict(log.record))
			tt.prepare(c, clk)
			if got := c.SetIfRoom(tt.key, 9, time.Minute); got != tt.want {
				t.Errorf("SetIfRoom(%q) = %v, want %v", tt.key, got, tt.want)
			}
			if got := c.Keys(); !slices.Equal(got, tt.wantKeys) {
				t.Errorf("Keys() = %v, want %v", got, tt.wantKeys)
			}
			if got := log.take(); !slices.Equal(got, tt.wantEvs) {
				t.Errorf("evictions = %v, want %v", got, tt.wantEvs)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	clk := fakeclock.New(t0)
	var log evictLog
	c := ttlcache.New[string, int](2, ttlcache.WithClock(clk.Now), ttlcache.WithOnEvict(log.record))
	incr := func(old int, ok bool, now time.Time) (int, time.Duration, bool) {
		if !now.Equal(clk.Now()) {
			t.Errorf("Update fn got now = %v, want %v", now, clk.Now())
		}
		return old + 1, time.Second, true
	}
	for i := 1; i <= 3; i++ {
		if err := c.Update("n", incr); err != nil {
			t.Fatalf("Update #%d: %v", i, err)
		}
		if v, _ := c.Peek("n"); v != i {
			t.Fatalf("after %d updates Peek(n) = %d, want %d", i, v, i)
		}
	}
	clk.Advance(time.Second)
	if err := c.Update("n", incr); err != nil {
		t.Fatal(err)
	}
	if v, _ := c.Peek("n"); v != 1 {
		t.Errorf("Update after expiry stored %d, want a fresh 1", v)
	}

	c.Set("live", 0)
	called := false
	err := c.Update("new", func(int, bool, time.Time) (int, time.Duration, bool) {
		called = true
		return 0, 0, true
	})
	if !errors.Is(err, ttlcache.ErrFull) || called {
		t.Errorf("Update on a full cache = %v (fn called: %v), want ErrFull without calling fn", err, called)
	}

	drop := func(int, bool, time.Time) (int, time.Duration, bool) { return 0, 0, false }
	if err := c.Update("n", drop); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Peek("n"); ok {
		t.Error("Update with keep=false left the key")
	}
	if err := c.Update("absent", drop); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Peek("absent"); ok {
		t.Error("Update with keep=false stored an absent key")
	}
	want := []string{"n=3:expired", "n=1:deleted"}
	if got := log.take(); !slices.Equal(got, want) {
		t.Errorf("evictions = %v, want %v", got, want)
	}
}

func TestUpdatePanicReleasesLock(t *testing.T) {
	c := ttlcache.New[string, int](2)
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recover() = %v, want boom", r)
			}
		}()
		_ = c.Update("k", func(int, bool, time.Time) (int, time.Duration, bool) { panic("boom") })
	}()
	c.Set("k", 1) // would deadlock if the panic had left the cache locked
	if v, ok := c.Get("k"); !ok || v != 1 {
		t.Errorf("Get(k) = %d, %v; want 1, true", v, ok)
	}
}

func TestDeleteLenKeysPurge(t *testing.T) {
	clk := fakeclock.New(t0)
	c := ttlcache.New[string, int](4, ttlcache.WithClock(clk.Now))
	c.Set("a", 1)
	c.SetWithTTL("b", 2, time.Second)
	c.Set("c", 3)
	if got, want := c.Keys(), []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("Keys() = %v, want %v", got, want)
	}
	clk.Advance(time.Second)
	if got, want := c.Keys(), []string{"a", "c"}; !slices.Equal(got, want) {
		t.Errorf("Keys() after b expired = %v, want %v", got, want)
	}
	if got := c.Len(); got != 2 {
		t.Errorf("Len() = %d, want 2", got)
	}
	if c.Delete("b") {
		t.Error("Delete(b) of an expired entry = true, want false")
	}
	if !c.Delete("a") || c.Delete("a") {
		t.Error("Delete(a) twice did not report true then false")
	}
	if got := c.Cap(); got != 4 {
		t.Errorf("Cap() = %d, want 4", got)
	}
	c.Purge()
	if got := c.Len(); got != 0 {
		t.Errorf("Len() after Purge = %d, want 0", got)
	}
	c.Set("d", 4)
	if v, ok := c.Get("d"); !ok || v != 4 {
		t.Errorf("Get(d) after Purge = %d, %v; want 4, true", v, ok)
	}
}

func TestDeleteExpired(t *testing.T) {
	clk := fakeclock.New(t0)
	var log evictLog
	c := ttlcache.New[string, int](5, ttlcache.WithClock(clk.Now), ttlcache.WithOnEvict(log.record))
	if n := c.DeleteExpired(); n != 0 {
		t.Errorf("DeleteExpired() on an empty cache = %d", n)
	}
	c.SetWithTTL("a", 1, time.Second)
	c.Set("b", 2)
	c.SetWithTTL("c", 3, time.Second)
	c.SetWithTTL("d", 4, time.Hour)
	clk.Advance(time.Second)
	if n := c.DeleteExpired(); n != 2 {
		t.Errorf("DeleteExpired() = %d, want 2", n)
	}
	want := []string{"a=1:expired", "c=3:expired"}
	if got := log.take(); !slices.Equal(got, want) {
		t.Errorf("evictions = %v, want %v", got, want)
	}
	if got, want := c.Keys(), []string{"b", "d"}; !slices.Equal(got, want) {
		t.Errorf("Keys() = %v, want %v", got, want)
	}
}

func TestJanitor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log evictLog
		c := ttlcache.New[string, int](10,
			ttlcache.WithTTL(time.Minute),
			ttlcache.WithJanitor(10*time.Second),
			ttlcache.WithOnEvict(log.record))
		defer c.Close()
		c.Set("a", 1)
		c.SetWithTTL("b", 2, ttlcache.NoExpiration)

		time.Sleep(55 * time.Second) // virtual: five sweeps, a still live
		synctest.Wait()
		if got := log.take(); len(got) != 0 {
			t.Fatalf("janitor dropped %v before expiry", got)
		}
		time.Sleep(10 * time.Second) // the sweep at 60s finds a expired
		synctest.Wait()
		if got, want := log.take(), []string{"a=1:expired"}; !slices.Equal(got, want) {
			t.Errorf("janitor evictions = %v, want %v", got, want)
		}
		c.Close()
		c.Close()
	})
}

func TestCloseWithoutJanitor(t *testing.T) {
	c := ttlcache.New[int, int](1)
	c.Close()
	c.Close()
	c.Set(1, 1)
	if _, ok := c.Get(1); !ok {
		t.Error("cache unusable after Close")
	}
}

func TestConcurrentUse(t *testing.T) {
	const capacity = 64
	clk := fakeclock.New(t0)
	var evicted atomic.Int64
	c := ttlcache.New[int, int](capacity,
		ttlcache.WithClock(clk.Now),
		ttlcache.WithTTL(time.Second),
		ttlcache.WithOnEvict(func(int, int, ttlcache.EvictReason) { evicted.Add(1) }))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				k := (g*7919 + i*31) % 200
				switch i % 8 {
				case 0:
					c.Set(k, i)
				case 1:
					c.SetIfRoom(k, i, time.Minute)
				case 2:
					_ = c.Update(k, func(v int, _ bool, _ time.Time) (int, time.Duration, bool) { return v + 1, 0, true })
				case 3:
					c.Delete(k)
				case 4:
					if g == 0 {
						clk.Advance(100 * time.Millisecond)
					}
					c.Keys()
				case 5:
					_, _ = c.GetOrLoad(context.Background(), k, func(context.Context) (int, error) { return i, nil })
				default:
					c.Get(k)
				}
				if n := c.Len(); n > capacity {
					t.Errorf("Len() = %d > capacity %d", n, capacity)
					return
				}
			}
		})
	}
	wg.Wait()
	if evicted.Load() == 0 {
		t.Error("no evictions in a run that overfills the cache")
	}
}

func TestGetOrLoadSharesOneCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := ttlcache.New[string, string](10)
		var calls atomic.Int32
		release := make(chan struct{})
		loader := func(context.Context) (string, error) {
			calls.Add(1)
			<-release
			return "track", nil
		}
		const callers = 100
		results := make(chan string, callers)
		for range callers {
			go func() {
				v, err := c.GetOrLoad(t.Context(), "q", loader)
				if err != nil {
					t.Errorf("GetOrLoad: %v", err)
				}
				results <- v
			}()
		}
		synctest.Wait() // all 100 blocked: one in loader, 99 waiting on it
		if n := calls.Load(); n != 1 {
			t.Fatalf("loader called %d times while blocked, want 1", n)
		}
		close(release)
		for range callers {
			if v := <-results; v != "track" {
				t.Errorf("GetOrLoad = %q, want track", v)
			}
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("loader called %d times, want 1", n)
		}
		if v, ok := c.Get("q"); !ok || v != "track" {
			t.Errorf("Get(q) = %q, %v; want the loaded value stored", v, ok)
		}
	})
}

func TestGetOrLoadErrors(t *testing.T) {
	errBoom := errors.New("boom")
	c := ttlcache.New[string, int](4)
	ctx := context.Background()
	calls := 0
	failing := func(context.Context) (int, error) { calls++; return 0, errBoom }
	for range 2 {
		if _, err := c.GetOrLoad(ctx, "k", failing); !errors.Is(err, errBoom) {
			t.Errorf("GetOrLoad = %v, want %v", err, errBoom)
		}
	}
	if calls != 2 {
		t.Errorf("failing loader called %d times, want 2 (errors are not cached)", calls)
	}
	c.Set("hit", 7)
	v, err := c.GetOrLoad(ctx, "hit", func(context.Context) (int, error) {
		t.Error("loader called for a cached key")
		return 0, nil
	})
	if v != 7 || err != nil {
		t.Errorf("GetOrLoad(hit) = %d, %v; want 7, nil", v, err)
	}
}

func TestGetOrLoadWaiterContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := ttlcache.New[string, int](4)
		release := make(chan struct{})
		go func() {
			_, _ = c.GetOrLoad(context.Background(), "k", func(context.Context) (int, error) {
				<-release
				return 1, nil
			})
		}()
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := c.GetOrLoad(ctx, "k", nil); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("waiter GetOrLoad = %v, want DeadlineExceeded", err)
		}
		close(release)
	})
}

func TestGetOrLoadLeaderCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := ttlcache.New[string, int](4)
		leaderCtx, cancel := context.WithCancel(context.Background())
		leaderDone := make(chan error)
		go func() {
			_, err := c.GetOrLoad(leaderCtx, "k", func(ctx context.Context) (int, error) {
				<-ctx.Done()
				return 0, ctx.Err()
			})
			leaderDone <- err
		}()
		synctest.Wait()
		waiter := make(chan int)
		go func() {
			v, err := c.GetOrLoad(context.Background(), "k", func(context.Context) (int, error) { return 42, nil })
			if err != nil {
				t.Errorf("waiter GetOrLoad: %v", err)
			}
			waiter <- v
		}()
		synctest.Wait()
		cancel()
		if err := <-leaderDone; !errors.Is(err, context.Canceled) {
			t.Errorf("leader GetOrLoad = %v, want Canceled", err)
		}
		if v := <-waiter; v != 42 {
			t.Errorf("waiter GetOrLoad = %d, want 42 from its own retry", v)
		}
	})
}

func TestGetOrLoadPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := ttlcache.New[string, int](4)
		release := make(chan struct{})
		leader := make(chan any)
		go func() {
			defer func() { leader <- recover() }()
			_, _ = c.GetOrLoad(context.Background(), "k", func(context.Context) (int, error) {
				<-release
				panic("loader bug")
			})
		}()
		synctest.Wait()
		waiter := make(chan error)
		go func() {
			_, err := c.GetOrLoad(context.Background(), "k", nil)
			waiter <- err
		}()
		synctest.Wait()
		close(release)
		if r := <-leader; r != "loader bug" {
			t.Errorf("leader recovered %v, want the loader's panic", r)
		}
		if err := <-waiter; !errors.Is(err, ttlcache.ErrLoaderPanicked) {
			t.Errorf("waiter GetOrLoad = %v, want ErrLoaderPanicked", err)
		}
	})
}

func TestHotPathsDoNotAllocate(t *testing.T) {
	c := ttlcache.New[string, int](2, ttlcache.WithTTL(time.Hour), ttlcache.WithOnEvict(func(string, int, ttlcache.EvictReason) {}))
	keys := []string{"a", "b", "c"}
	for _, k := range keys {
		c.Set(k, 1)
	}
	i := 0
	tests := []struct {
		name string
		fn   func()
	}{
		{"Get hit", func() { c.Get("c") }},
		{"Set evicting", func() { c.Set(keys[i%3], i); i++ }},
		{"Update hit", func() {
			_ = c.Update("c", func(v int, _ bool, _ time.Time) (int, time.Duration, bool) { return v + 1, 0, true })
		}},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(1000, tt.fn); n != 0 {
			t.Errorf("%s: %v allocs/op, want 0", tt.name, n)
		}
	}
}
