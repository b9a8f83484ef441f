package ttlcache_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tunekit/tunekit/ttlcache"
)

func ExampleNew() {
	c := ttlcache.New[string, string](2,
		ttlcache.WithTTL(10*time.Minute),
		ttlcache.WithOnEvict(func(query, track string, reason ttlcache.EvictReason) {
			fmt.Printf("dropped %q (%v)\n", query, reason)
		}),
	)
	c.Set("lofi", "lofi hip hop radio")
	c.Set("jazz", "Take Five")
	c.Get("lofi")                         // lofi is now the most recently used
	c.Set("rock", "Back in Black")        // evicts jazz, the least recently used
	c.SetWithTTL("news", "", time.Second) // evicts lofi

	fmt.Println(c.Keys())
	// Output:
	// dropped "jazz" (capacity)
	// dropped "lofi" (capacity)
	// [rock news]
}

func ExampleCache_GetOrLoad() {
	c := ttlcache.New[string, string](100, ttlcache.WithTTL(time.Hour))
	var mu sync.Mutex
	searches := 0
	// Concurrent callers for one key share one search; searches for
	// different keys run in parallel, hence the mutex.
	search := func(ctx context.Context) (string, error) {
		mu.Lock()
		searches++
		mu.Unlock()
		return "Never Gonna Give You Up", nil // a slow Lavalink search in a real bot
	}

	for range 3 {
		track, err := c.GetOrLoad(context.Background(), "rick", search)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(track)
	}
	fmt.Println("searches:", searches)
	// Output:
	// Never Gonna Give You Up
	// Never Gonna Give You Up
	// Never Gonna Give You Up
	// searches: 1
}

func ExampleCache_SetWithTTL() {
	now := time.Unix(0, 0)
	c := ttlcache.New[string, int](10, ttlcache.WithClock(func() time.Time { return now }))
	c.SetWithTTL("vote-skip", 3, 30*time.Second)
	c.SetWithTTL("volume", 80, ttlcache.NoExpiration)

	now = now.Add(time.Minute)
	_, ok := c.Get("vote-skip")
	volume, _ := c.Get("volume")
	fmt.Println(ok, volume)
	// Output: false 80
}
