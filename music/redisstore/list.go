package redisstore

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/disgoorg/snowflake/v2"
	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/music"
)

// List implements [music.SessionStore]. It SCANs the keys with the
// store's prefix (on every master of a cluster, every shard of a ring) and
// keeps those holding a session, so its cost grows with the number of keys
// with the prefix. The player calls it once, at start.
func (s *Store) List(ctx context.Context) ([]snowflake.ID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var (
		mu  sync.Mutex
		ids []snowflake.ID
	)
	scan := func(ctx context.Context, c redis.Cmdable) error {
		found, err := s.scan(ctx, c)
		mu.Lock()
		ids = append(ids, found...)
		mu.Unlock()
		return err
	}
	var err error
	switch c := s.c.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return scan(ctx, n) })
	case *redis.Ring:
		err = c.ForEachShard(ctx, func(ctx context.Context, n *redis.Client) error { return scan(ctx, n) })
	default:
		err = scan(ctx, c)
	}
	if err != nil {
		return nil, failed("list sessions", err)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil // SCAN may return a key twice
}

// scanCount is the COUNT hint of each SCAN call.
const scanCount = 1000

func (s *Store) scan(ctx context.Context, c redis.Cmdable) ([]snowflake.ID, error) {
	pattern := escapeGlob(s.prefix) + "{*}"
	var (
		ids    []snowflake.ID
		cursor uint64
	)
	for {
		keys, next, err := c.Scan(ctx, cursor, pattern, scanCount).Result()
		if err != nil {
			return ids, err
		}
		found, err := s.withSession(ctx, c, keys)
		if err != nil {
			return ids, err
		}
		ids = append(ids, found...)
		if cursor = next; cursor == 0 {
			return ids, nil
		}
	}
}

// withSession returns the guilds among keys that have a session field.
func (s *Store) withSession(ctx context.Context, c redis.Cmdable, keys []string) ([]snowflake.ID, error) {
	type cand struct {
		id  snowflake.ID
		cmd *redis.BoolCmd
	}
	cands := make([]cand, 0, len(keys))
	pipe := c.Pipeline()
	for _, k := range keys {
		inner, ok := strings.CutPrefix(k, s.prefix+"{")
		inner, ok2 := strings.CutSuffix(inner, "}")
		if !ok || !ok2 {
			continue
		}
		id, err := music.ParseID(inner)
		if err != nil {
			continue // not a guild key of ours
		}
		cands = append(cands, cand{id, pipe.HExists(ctx, k, fieldSession)})
	}
	if len(cands) == 0 {
		return nil, nil
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		// A key of another type under our prefix answers WRONGTYPE; it is
		// not a session, so look at the commands one by one.
		if !isWrongType(err) {
			return nil, err
		}
	}
	var ids []snowflake.ID
	for _, c := range cands {
		if ok, err := c.cmd.Result(); err == nil && ok {
			ids = append(ids, c.id)
		}
	}
	return ids, nil
}

func isWrongType(err error) bool {
	return strings.HasPrefix(err.Error(), "WRONGTYPE")
}

// escapeGlob escapes the characters Redis' glob-style MATCH treats
// specially.
func escapeGlob(s string) string {
	if !strings.ContainsAny(s, `*?[]\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
