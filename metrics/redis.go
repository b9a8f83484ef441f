package metrics

import (
	"context"
	"errors"
	"reflect"
	"strings"

	"github.com/redis/go-redis/v9"
)

// InstrumentRedis makes client count its failed commands in
// redis_failures_total, by operation: the command's name when it is one of
// [RedisOperations], "pipeline" or "tx" (MULTI/EXEC) for a batch, and
// [Other] for anything else. A batch counts once, however many of its
// commands failed.
//
// A command has failed when it returns an error other than these, which
// are answers rather than failures: redis.Nil (no such key),
// redis.TxFailedErr (a WATCHed key changed), a NOSCRIPT reply (go-redis
// runs EVALSHA first and falls back to EVAL) and context.Canceled (the
// caller gave up). Network errors, timeouts, error replies such as
// WRONGTYPE and a closed client all count. What a command runs on its
// way counts with it, not apart: the handshake of a new connection
// (whose CLIENT SETINFO older servers refuse, which go-redis ignores) and
// the tries of a Ring or cluster command on its shards or nodes.
//
// It works with *redis.Client, *redis.ClusterClient and *redis.Ring, and
// with any other client through its AddHook. On a ClusterClient or Ring
// the client itself is hooked, so a command counts once however many
// nodes it was tried on, and an error no node saw ("all ring shards are
// down") counts too; so is every node or shard, those there now and those
// added later, for what bypasses the client's own hooks: a Ring's PUBLISH
// and WATCH transactions, a cluster's WATCH, and the background commands
// (a Ring's heartbeat PING, a cluster's CLUSTER SLOTS), which show a node
// that is down before any command reaches it.
//
// Counting costs one context allocation per command or batch. Call
// InstrumentRedis once per client, before the client is used; calling it
// twice with one Business counts once, with two Businesses each counts.
// A nil Business or client does nothing.
func (b *Business) InstrumentRedis(client redis.UniversalClient) {
	if b == nil || isNil(client) {
		return
	}
	hook := redisHook{b: b}
	client.AddHook(hook)
	switch c := client.(type) {
	case *redis.ClusterClient:
		c.OnNewNode(func(node *redis.Client) { node.AddHook(hook) })
	case *redis.Ring:
		c.OnNewNode(func(shard *redis.Client) { shard.AddHook(hook) })
		// NewRing made the shards there are now; OnNewNode sees only
		// later ones. The context only reaches the function below.
		_ = c.ForEachShard(context.Background(), func(_ context.Context, shard *redis.Client) error {
			shard.AddHook(hook)
			return nil
		})
	}
}

// isNil reports whether c is nil or a nil pointer in an interface.
func isNil(c redis.UniversalClient) bool {
	if c == nil {
		return true
	}
	v := reflect.ValueOf(c)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// countedKey marks the context of a command the hooks of counter count, so
// that the commands it runs on the way do not count again: the same
// command on a Ring's shard or a cluster's node, and the handshake
// (HELLO, CLIENT SETINFO) of a new connection, whose refusals by older
// servers go-redis ignores.
type countedKey struct{ counter *Business }

// redisHook is the go-redis hook InstrumentRedis adds.
type redisHook struct{ b *Business }

// enter returns the context to run the command with, and whether this
// hook is to count it: false inside a command already counted.
func (h redisHook) enter(ctx context.Context) (context.Context, bool) {
	key := countedKey{h.b}
	if ctx.Value(key) != nil {
		return ctx, false
	}
	return context.WithValue(ctx, key, true), true
}

func (h redisHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h redisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		ctx, count := h.enter(ctx)
		err := next(ctx, cmd)
		if count && redisFailed(err) {
			h.b.TrackRedisFailure(cmd.Name())
		}
		return err
	}
}

func (h redisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		ctx, count := h.enter(ctx)
		err := next(ctx, cmds)
		if count && err != nil && batchFailed(err, cmds) {
			op := "pipeline"
			if len(cmds) > 0 && cmds[0].Name() == "multi" {
				op = "tx"
			}
			h.b.TrackRedisFailure(op)
		}
		return err
	}
}

// redisFailed reports whether err, a command's result, is a failure; see
// InstrumentRedis.
func redisFailed(err error) bool {
	switch {
	case err == nil,
		errors.Is(err, redis.Nil),
		errors.Is(err, redis.TxFailedErr),
		errors.Is(err, context.Canceled):
		return false
	}
	// Replies come unwrapped; a type assertion, unlike errors.As, does
	// not allocate.
	if reply, ok := err.(redis.Error); ok && strings.HasPrefix(reply.Error(), "NOSCRIPT") {
		return false
	}
	return true
}

// batchFailed reports whether a batch failed: its error, which is the
// first command's error (possibly redis.Nil), or any command's.
func batchFailed(err error, cmds []redis.Cmder) bool {
	if redisFailed(err) {
		return true
	}
	for _, c := range cmds {
		if redisFailed(c.Err()) {
			return true
		}
	}
	return false
}
