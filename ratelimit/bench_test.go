package ratelimit_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/ratelimit"
)

// benchLimit lets a hot key through about once in ten calls at benchmark
// speed, so both the admitting and the denying path are measured.
var benchLimit = ratelimit.Limit{Rate: 1000, Period: time.Millisecond}

func BenchmarkMemoryAllowHotKey(b *testing.B) {
	l := ratelimit.NewMemory()
	ctx := context.Background()
	key := ratelimit.Key("1234567890", "9876543210", "play")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Allow(ctx, key, benchLimit); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemoryAllowHotKeyParallel(b *testing.B) {
	l := ratelimit.NewMemory()
	ctx := context.Background()
	key := ratelimit.Key("1234567890", "9876543210", "play")
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := l.Allow(ctx, key, benchLimit); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

const benchKeys = 100_000

func keys100k() []string {
	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = ratelimit.Key("1234567890", strconv.Itoa(1_000_000+i), "play")
	}
	return keys
}

func BenchmarkMemoryAllow100kKeys(b *testing.B) {
	keys := keys100k()
	l := ratelimit.NewMemory(ratelimit.WithCapacity(2 * benchKeys))
	ctx := context.Background()
	for _, k := range keys {
		l.Allow(ctx, k, ratelimit.PerMinute(10))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := l.Allow(ctx, keys[i%benchKeys], ratelimit.PerMinute(10)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkMemoryAllow100kKeysParallel(b *testing.B) {
	keys := keys100k()
	l := ratelimit.NewMemory(ratelimit.WithCapacity(2 * benchKeys))
	ctx := context.Background()
	for _, k := range keys {
		l.Allow(ctx, k, ratelimit.PerMinute(10))
	}
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(next.Add(7919))
		for pb.Next() {
			if _, err := l.Allow(ctx, keys[i%benchKeys], ratelimit.PerMinute(10)); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// BenchmarkRedisAllow measures one decision against the local
// redis-server and reports the commands sent per decision.
func BenchmarkRedisAllow(b *testing.B) {
	srv := redistest.Start(b)
	c := patientClient(b, srv)
	hook := &countHook{}
	c.AddHook(hook)
	l := ratelimit.NewRedis(c)
	ctx := context.Background()
	key := ratelimit.Key("1234567890", "9876543210", "play")
	if _, err := l.Allow(ctx, key, ratelimit.PerMinute(10)); err != nil {
		b.Fatal(err)
	}
	hook.take()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Allow(ctx, key, ratelimit.PerMinute(10)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(hook.take()))/float64(b.N), "roundtrips/op")
}
