package ttlcache_test

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/tunekit/tunekit/ttlcache"
)

const benchSize = 1 << 12

func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "guild:" + strconv.Itoa(i)
	}
	return keys
}

// BenchmarkGet is a hit on entries that do not expire: no clock read.
func BenchmarkGet(b *testing.B) {
	keys := benchKeys(benchSize)
	c := ttlcache.New[string, int](benchSize)
	for i, k := range keys {
		c.Set(k, i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := c.Get(keys[i&(benchSize-1)]); !ok {
			b.Fatal("miss")
		}
		i++
	}
}

// BenchmarkGetTTL is a hit on entries with a time to live: one clock read.
func BenchmarkGetTTL(b *testing.B) {
	keys := benchKeys(benchSize)
	c := ttlcache.New[string, int](benchSize, ttlcache.WithTTL(time.Hour))
	for i, k := range keys {
		c.Set(k, i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := c.Get(keys[i&(benchSize-1)]); !ok {
			b.Fatal("miss")
		}
		i++
	}
}

// BenchmarkGolangLRUGet is golang-lru/v2's own Get on the same keys, the
// yardstick for BenchmarkGet.
func BenchmarkGolangLRUGet(b *testing.B) {
	keys := benchKeys(benchSize)
	c, err := lru.New[string, int](benchSize)
	if err != nil {
		b.Fatal(err)
	}
	for i, k := range keys {
		c.Add(k, i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := c.Get(keys[i&(benchSize-1)]); !ok {
			b.Fatal("miss")
		}
		i++
	}
}

// BenchmarkSetEvicting stores new keys into a full cache, so every Set
// evicts the least recently used entry.
func BenchmarkSetEvicting(b *testing.B) {
	keys := benchKeys(4 * benchSize)
	c := ttlcache.New[string, int](benchSize, ttlcache.WithTTL(time.Hour))
	for i, k := range keys[:benchSize] {
		c.Set(k, i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Set(keys[i&(4*benchSize-1)], i)
		i++
	}
}

// BenchmarkParallelMix is 90 % Get and 10 % Set from every P.
func BenchmarkParallelMix(b *testing.B) {
	keys := benchKeys(2 * benchSize)
	c := ttlcache.New[string, int](benchSize, ttlcache.WithTTL(time.Hour))
	for i, k := range keys[:benchSize] {
		c.Set(k, i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(rand.Uint64(), 0))
		for pb.Next() {
			n := r.Uint32()
			k := keys[n&(2*benchSize-1)]
			if n%10 == 0 {
				c.Set(k, int(n))
			} else {
				c.Get(k)
			}
		}
	})
}
