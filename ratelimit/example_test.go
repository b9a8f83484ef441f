package ratelimit_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/ratelimit"
)

func ExamplePolicy() {
	policy := ratelimit.DefaultPolicy() // 10/min, play 5/10s, skip 10/min
	policy.Commands["volume"] = ratelimit.Limit{Rate: 2, Period: 5 * time.Second, Burst: 1}

	limiter := ratelimit.NewMemory()
	ctx := context.Background()
	for i := range 4 {
		d, err := policy.Allow(ctx, limiter, "81384788765712384", "80351110224678912", "volume")
		if err != nil {
			fmt.Println(err)
			return
		}
		if d.Allowed {
			fmt.Printf("volume #%d: ok, %d left\n", i+1, d.Remaining)
		} else {
			fmt.Printf("volume #%d: slow down, try again in %v\n", i+1, d.RetryAfter.Round(time.Second))
		}
	}
	// Output:
	// volume #1: ok, 2 left
	// volume #2: ok, 1 left
	// volume #3: ok, 0 left
	// volume #4: slow down, try again in 5s
}

func ExampleNewFailSafe() {
	// A Redis that is down: nothing listens on this loopback address.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	// Fail fast, so the fallback decides instead of waiting on retries.
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1})
	defer rdb.Close()

	limiter := ratelimit.NewFailSafe(
		ratelimit.NewRedis(rdb),
		ratelimit.NewMemory(),
		ratelimit.FallbackFactor(0.5), // the default: half the limit while Redis is down
		ratelimit.Instances(1),        // bot processes sharing the Redis limits
		ratelimit.OnFallback(func(err error) { fmt.Println("redis unavailable, limiting locally") }),
	)
	key := ratelimit.Key("81384788765712384", "80351110224678912", "skip")
	for range 3 {
		d, err := limiter.Allow(context.Background(), key, ratelimit.PerMinute(4))
		fmt.Println(d.Allowed, d.Backend, err)
	}
	// Output:
	// redis unavailable, limiting locally
	// true fallback <nil>
	// redis unavailable, limiting locally
	// true fallback <nil>
	// redis unavailable, limiting locally
	// false fallback <nil>
}

func ExampleNewMemory() {
	now := time.Unix(0, 0)
	limiter := ratelimit.NewMemory(
		ratelimit.WithCapacity(50_000), // keys tracked at most; new keys beyond are refused
		ratelimit.WithClock(func() time.Time { return now }),
	)
	limit := ratelimit.PerSecond(2)
	ctx := context.Background()
	for _, step := range []time.Duration{0, 0, 0, 500 * time.Millisecond, 500 * time.Millisecond} {
		now = now.Add(step)
		d, _ := limiter.Allow(ctx, "user", limit)
		fmt.Printf("t=%v allowed=%v retry=%v reset=%v\n", now.Sub(time.Unix(0, 0)), d.Allowed, d.RetryAfter, d.ResetAfter)
	}
	// Output:
	// t=0s allowed=true retry=0s reset=1s
	// t=0s allowed=true retry=0s reset=1s
	// t=0s allowed=false retry=1s reset=1s
	// t=500ms allowed=false retry=500ms reset=500ms
	// t=1s allowed=true retry=0s reset=1s
}
