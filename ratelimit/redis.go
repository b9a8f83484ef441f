package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNoClient is returned, with a denial, by a [NewRedis] limiter built
// with a nil client.
var ErrNoClient = errors.New("ratelimit: nil redis client")

// allowScript is the whole decision, run atomically by Redis: an exact
// sliding-window log in a sorted set scored by Redis's own clock in
// microseconds.
//
// KEYS[1] is the key (used directly, never copied into a variable, which
// some cluster proxies reject). ARGV: period in microseconds, Rate+Burst,
// n. It returns {allowed, remaining, retry_after_us, reset_after_us}.
//
// Members are "<time>-<seq>", where seq counts the members already at that
// exact time. A time's members are trimmed all together, so the names
// never collide, even when two calls share a microsecond. The key's TTL is
// set whenever events are added, to the moment the newest event leaves
// the window, so no key outlives its usefulness.
var allowScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local period = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] and tonumber(last[2]) > now then
	now = tonumber(last[2])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
local count = redis.call('ZCARD', KEYS[1])
if count + n <= limit then
	local seq = redis.call('ZCOUNT', KEYS[1], now, now)
	for i = 1, n do
		redis.call('ZADD', KEYS[1], now, string.format('%.0f-%d', now, seq + i))
	end
	redis.call('PEXPIRE', KEYS[1], math.ceil(period / 1000))
	return {1, limit - count - n, 0, period}
end
local k = count + n - limit - 1
local oldest = redis.call('ZRANGE', KEYS[1], k, k, 'WITHSCORES')
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
return {0, math.max(limit - count, 0), tonumber(oldest[2]) + period - now, tonumber(newest[2]) + period - now}
`)

type redisLimiter struct {
	client redis.UniversalClient
}

// NewRedis returns a [Limiter] that keeps an exact sliding-window log per
// key in Redis and decides in one round trip: EVALSHA of a Lua script
// (with a transparent EVAL, which loads the script, when the server
// answers NOSCRIPT). client may be a *redis.Client, *redis.Ring or
// *redis.ClusterClient. None of the current options apply to it.
func NewRedis(client redis.UniversalClient, opts ...Option) Limiter {
	return &redisLimiter{client: client}
}

// Allow is AllowN with n = 1.
func (r *redisLimiter) Allow(ctx context.Context, key string, limit Limit) (Decision, error) {
	return r.AllowN(ctx, key, limit, 1)
}

// AllowN decides n events for key with one script call.
func (r *redisLimiter) AllowN(ctx context.Context, key string, limit Limit, n int) (Decision, error) {
	deny := Decision{Backend: BackendRedis}
	if err := limit.check(n); err != nil {
		return deny, err
	}
	if r.client == nil {
		return deny, ErrNoClient
	}
	res, err := allowScript.Run(ctx, r.client, []string{key}, limit.Period.Microseconds(), limit.Max(), n).Int64Slice()
	if err != nil {
		return deny, fmt.Errorf("ratelimit: redis: %w", err)
	}
	if len(res) != 4 {
		return deny, fmt.Errorf("ratelimit: redis: script returned %d values, want 4", len(res))
	}
	return Decision{
		Allowed:    res[0] == 1,
		Remaining:  int(res[1]),
		RetryAfter: time.Duration(res[2]) * time.Microsecond,
		ResetAfter: time.Duration(res[3]) * time.Microsecond,
		Backend:    BackendRedis,
	}, nil
}
