package ratelimit_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/ratelimit"
)

// TestFailSafeRedisOutage stops the real Redis while 50 goroutines call a
// fail-safe limiter, then restarts it. Two keys: "busy" used its whole
// allowance from Redis before the outage, "fresh" is first seen during
// it. Across the outage and the restart neither may exceed the limit.
func TestFailSafeRedisOutage(t *testing.T) {
	srv := redistest.Start(t)
	var fallbacks atomic.Int64
	l := ratelimit.NewFailSafe(
		ratelimit.NewRedis(patientClient(t, srv)), // a stopped server fails at once, timeouts or not
		ratelimit.NewMemory(),
		ratelimit.Cooldown(50*time.Millisecond),
		ratelimit.OnFallback(func(error) { fallbacks.Add(1) }),
	)
	limit := ratelimit.Limit{Rate: 20, Period: time.Minute} // fallback: 10
	busy, fresh := ratelimit.Key("g", "busy", "play"), ratelimit.Key("g", "fresh", "play")

	const (
		up = iota
		outage
		restarted
		transition // started in one phase, ended in another
	)
	type result struct {
		phase int32
		key   string
		d     ratelimit.Decision
		err   error
	}
	var phase atomic.Int32
	results := make(chan result, 1024)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 50 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				p := phase.Load()
				key := busy
				if p != up && (g+i)%2 == 0 {
					key = fresh
				}
				d, err := l.Allow(context.Background(), key, limit)
				if phase.Load() != p {
					p = transition // e.g. a dial retry that spanned the restart
				}
				results <- result{p, key, d, err}
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	type tally struct{ calls, allowedRedis, allowedFallback int }
	counts := map[int32]map[string]*tally{up: {}, outage: {}, restarted: {}, transition: {}}
	count := func(r result) *tally {
		c := counts[r.phase][r.key]
		if c == nil {
			c = &tally{}
			counts[r.phase][r.key] = c
		}
		return c
	}
	phaseCalls := [4]int{}
	redisStreak := 0
	guard := time.NewTimer(60 * time.Second) // fails a hung test; never reached when it passes
	defer guard.Stop()
loop:
	for {
		var r result
		select {
		case r = <-results:
		case <-guard.C:
			t.Fatalf("no steady Redis decisions after the restart; calls per phase %v", phaseCalls)
		}
		if r.err != nil {
			t.Errorf("Allow(%s) in phase %d = %+v, %v; the fallback should have decided", r.key, r.phase, r.d, r.err)
		}
		c := count(r)
		c.calls++
		if r.d.Allowed {
			switch r.d.Backend {
			case ratelimit.BackendRedis:
				c.allowedRedis++
			case ratelimit.BackendFallback:
				c.allowedFallback++
			default:
				t.Errorf("decision from %v", r.d.Backend)
			}
		}
		phaseCalls[r.phase]++
		switch {
		case r.phase == up && phase.Load() == up && phaseCalls[up] >= 200:
			srv.Stop()
			phase.Store(outage)
		case r.phase == outage && phase.Load() == outage && phaseCalls[outage] >= 600:
			// Switch first: calls tagged outage must all precede the restart.
			phase.Store(restarted)
			srv.Restart()
		case r.phase == restarted:
			if r.d.Backend == ratelimit.BackendRedis {
				redisStreak++
			} else {
				redisStreak = 0
			}
			if redisStreak >= 100 {
				close(stop)
				break loop
			}
		}
	}
	for range results { // let the workers finish
	}

	for p, byKey := range counts {
		for key, c := range byKey {
			t.Logf("phase %d, %s: %+v", p, key, *c)
		}
	}
	if got := counts[up][busy]; got.allowedRedis != limit.Max() {
		t.Errorf("before the outage Redis allowed busy %d times, want %d", got.allowedRedis, limit.Max())
	}
	if got := counts[outage][fresh]; got.calls < 100 || got.allowedRedis != 0 {
		t.Errorf("outage, fresh key: %+v; want many calls, none allowed by Redis", *got)
	}
	// A fallback decision may end after the phase switched, so count them
	// all: the fallback allows exactly limit × 0.5 for the key.
	byFallback := 0
	for p := range int32(4) {
		if c := counts[p][fresh]; c != nil {
			byFallback += c.allowedFallback
		}
	}
	if byFallback != 10 {
		t.Errorf("fresh key: the fallback allowed %d, want exactly 10", byFallback)
	}
	if got := counts[outage][busy]; got.allowedFallback != 0 || got.allowedRedis != 0 {
		t.Errorf("outage, busy key: %+v; want nothing allowed: the fallback knows what Redis admitted", *got)
	}
	for _, key := range []string{busy, fresh} {
		total := 0
		for p := range int32(4) {
			if c := counts[p][key]; c != nil {
				total += c.allowedRedis + c.allowedFallback
			}
		}
		if total > limit.Max() {
			t.Errorf("%s: %d allowed within one period across the outage, limit %d", key, total, limit.Max())
		}
	}
	if n := fallbacks.Load(); n == 0 || n >= int64(phaseCalls[outage]) {
		t.Errorf("OnFallback called %d times in %d outage calls; want some, but fewer once the cooldown skips Redis", n, phaseCalls[outage])
	}
	checkKeysHaveTTL(t, srv.Client(), time.Minute)
}
