package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/metrics"
	"github.com/tunekit/tunekit/ratelimit"
	"github.com/tunekit/tunekit/tracing"
)

// failures sums redis_failures_total over its operations.
func failures(t *testing.T, g prometheus.Gatherer) float64 {
	t.Helper()
	families, err := g.Gather()
	must(t, err)
	sum := 0.0
	for _, f := range families {
		if f.GetName() == "tunekit_redis_failures_total" {
			for _, m := range f.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

func TestOpenStorage(t *testing.T) {
	reg := prometheus.NewRegistry()
	business, err := metrics.New(reg)
	must(t, err)
	logger := slog.New(slog.DiscardHandler)

	t.Run("file store", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "nested", "data")
		s, limiter, closeStore, err := openStorage(config{dataDir: dir}, business, tracing.New(), logger)
		must(t, err)
		if s == nil || limiter == nil {
			t.Fatal("no store or limiter")
		}
		must(t, closeStore(context.Background()))
		if _, err := os.Stat(filepath.Join(dir, storeFile)); err != nil {
			t.Errorf("the store file: %v", err)
		}
	})
	t.Run("data directory is a file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "file")
		must(t, os.WriteFile(file, nil, 0o600))
		if _, _, _, err := openStorage(config{dataDir: file}, business, tracing.New(), logger); err == nil || !strings.HasPrefix(err.Error(), "data directory: ") {
			t.Errorf("openStorage = %v, want a data directory error", err)
		}
	})
	t.Run("file store locked", func(t *testing.T) {
		dir := t.TempDir()
		_, _, closeStore, err := openStorage(config{dataDir: dir}, business, tracing.New(), logger)
		must(t, err)
		defer closeStore(context.Background())
		if _, _, _, err := openStorage(config{dataDir: dir}, business, tracing.New(), logger); err == nil {
			t.Error("a second openStorage of the same file succeeded")
		}
	})
	// With Redis, the store and the limiter use it, and its failures
	// are counted.
	t.Run("redis", func(t *testing.T) {
		srv := redistest.Start(t)
		s, limiter, closeStore, err := openStorage(config{redis: srv.Options()}, business, tracing.New(), logger)
		must(t, err)
		ctx := context.Background()
		ids, err := s.List(ctx)
		if err != nil || len(ids) != 0 {
			t.Errorf("List = %v, %v; want an empty store", ids, err)
		}
		d, err := limiter.Allow(ctx, "k", ratelimit.PerMinute(1))
		if err != nil || !d.Allowed || d.Backend != ratelimit.BackendRedis {
			t.Errorf("Allow = %+v, %v; want allowed by Redis", d, err)
		}
		if n := failures(t, reg); n != 0 {
			t.Errorf("redis_failures_total = %v with Redis up, want 0", n)
		}
		srv.Stop()
		if _, err := s.List(ctx); err == nil {
			t.Error("List succeeded with Redis stopped")
		}
		d, err = limiter.Allow(ctx, "k2", ratelimit.PerMinute(2))
		if err != nil || !d.Allowed || d.Backend != ratelimit.BackendFallback {
			t.Errorf("Allow with Redis stopped = %+v, %v; want allowed by the fallback", d, err)
		}
		if n := failures(t, reg); n < 2 {
			t.Errorf("redis_failures_total = %v after two failed calls, want at least 2", n)
		}
		must(t, closeStore(ctx))
	})
}
