package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/metrics"
	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/boltstore"
	"github.com/tunekit/tunekit/music/redisstore"
	"github.com/tunekit/tunekit/ratelimit"
	"github.com/tunekit/tunekit/tracing"
)

// storeFile is the file of the embedded store under DATA_DIR.
const storeFile = "tunekit.db"

// redisPrimaryTimeout bounds each rate-limit decision in Redis; past it
// the fail-safe decides in memory under a stricter limit.
const redisPrimaryTimeout = 250 * time.Millisecond

// store is what the Manager keeps settings and sessions in.
type store interface {
	music.SettingsStore
	music.SessionStore
}

// openStorage returns where settings, sessions and rate limits live:
// Redis when REDIS_URL is set (traced, its failures counted in
// redis_failures_total, the limiter falling back to memory), otherwise the embedded file store under
// DATA_DIR and an in-memory limiter. closeStore releases it.
func openStorage(cfg config, business *metrics.Business, tracer *tracing.Tracer, logger *slog.Logger) (s store, limiter ratelimit.Limiter, closeStore func(context.Context) error, err error) {
	if cfg.redis == nil {
		if err := os.MkdirAll(cfg.dataDir, 0o750); err != nil {
			return nil, nil, nil, fmt.Errorf("data directory: %w", err)
		}
		bs, err := boltstore.Open(filepath.Join(cfg.dataDir, storeFile))
		if err != nil {
			return nil, nil, nil, err
		}
		return bs, ratelimit.NewMemory(), func(context.Context) error { return bs.Close() }, nil
	}

	rdb := redis.NewClient(cfg.redis)
	if err := tracer.InstrumentRedis(rdb); err != nil {
		_ = rdb.Close()
		return nil, nil, nil, err
	}
	business.InstrumentRedis(rdb)
	rs, err := redisstore.New(rdb)
	if err != nil {
		_ = rdb.Close()
		return nil, nil, nil, err
	}
	log := logger.With("component", "ratelimit")
	limiter = ratelimit.NewFailSafe(ratelimit.NewRedis(rdb), ratelimit.NewMemory(),
		ratelimit.PrimaryTimeout(redisPrimaryTimeout),
		ratelimit.OnFallback(func(err error) { log.Debug("rate limit decided in memory", "err", err) }),
	)
	return rs, limiter, func(context.Context) error { return rdb.Close() }, nil
}

// redisLog carries go-redis's own messages (pool and dial errors, which
// it writes through one process-wide logger) into the bot's log.
type redisLog struct {
	logger *slog.Logger
}

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.logger.WarnContext(ctx, fmt.Sprintf(format, v...))
}
