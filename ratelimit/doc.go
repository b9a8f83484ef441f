// Package ratelimit limits how often each user may run each bot command,
// in Redis when several bot processes share the limits, in memory
// otherwise, and fails safe: when Redis is unreachable the limits get
// stricter, never looser, and no error ever comes with an allowed call.
//
//	limiter := ratelimit.NewFailSafe(ratelimit.NewRedis(rdb), ratelimit.NewMemory())
//	policy := ratelimit.DefaultPolicy()
//	d, err := policy.Allow(ctx, limiter, guildID, userID, "play")
//	if !d.Allowed {
//		// answer "slow down, try again in d.RetryAfter"
//	}
//
// A [Limiter] decides per key under a [Limit]: Rate events per Period,
// plus Burst extra events. [Key] builds the key of a user's command in a
// guild and [Policy] maps command names to limits (10 per minute by
// default; play 5 per 10 s and skip 10 per minute in [DefaultPolicy]).
// A [Decision] says whether the call is allowed, how many calls remain,
// when a denied call may retry (RetryAfter), when the key is back to its
// full allowance (ResetAfter), and which [Backend] decided.
//
// # Algorithm: an exact sliding-window log
//
// Every limiter keeps, per key, the times of the events it admitted in
// the last Period and admits n more only if at most Rate+Burst-n are
// there. Windows are half-open: an event exactly one Period old no longer
// counts. This gives three guarantees at once, which the tests check:
//
//   - no window of length Period, wherever it starts, contains more than
//     Rate+Burst admitted events;
//   - a caller steadily spaced Period/Rate apart is never denied;
//   - of any number of simultaneous callers, exactly the remaining
//     allowance is admitted.
//
// GCRA (as in redis_rate) and the two-window weighted counter only
// approximate the first guarantee, and fixed windows admit twice the
// limit around a window boundary. The price of exactness is one timestamp
// per admitted event, which is small for a bot's limits (tens per
// minute); a Limit may allow at most [MaxEvents] events per window.
// Burst is simply extra room in the window, not a separate token bucket.
// RetryAfter and ResetAfter are exact to the clock's resolution
// (nanoseconds in memory, microseconds in Redis).
//
// Events of denied calls are not recorded, so hammering a key does not
// extend its penalty. A [Limit] is validated on every call: a zero,
// negative or oversized limit, or an AllowN count outside 1..Rate+Burst,
// is denied with an [*InvalidLimitError] (matching [ErrInvalidLimit]),
// never treated as unlimited. Use one Limit per key: changing it keeps
// the recorded events, which then count against the new limit.
//
// # Redis
//
// [NewRedis] keeps each key's log in a sorted set and decides in one
// round trip: EVALSHA of a Lua script, falling back transparently to EVAL
// (which loads the script) when the server answers NOSCRIPT, as after a
// restart. The script trims, counts, adds and sets the key's expiry
// atomically, so the key never outlives the moment its newest event
// leaves the window, whatever happens to the caller. It uses Redis's own
// clock (TIME), so bot processes with skewed clocks agree, and uses
// KEYS[1] directly, as cluster proxies require. It needs Redis 5 or newer
// (for TIME in scripts).
//
// The client may be a *redis.Client, a *redis.Ring or a
// *redis.ClusterClient; the tests run all three against real
// redis-server processes. Keys from [Key] carry a hash tag
// ("rl:{guild:user}:command"), so Cluster and Ring keep one user's keys
// on one slot or shard. For use behind [NewFailSafe], configure the
// client to fail fast (few retries, short timeouts): its timeouts are
// what a dead Redis costs a command before the fail-safe gives up on it.
//
// # Memory
//
// [NewMemory] keeps the logs in process, spread over [WithShards]
// independently locked shards of a [ttlcache.Cache] bounded by
// [WithCapacity] keys ([DefaultCapacity], [DefaultShards]). A key's entry
// expires exactly when it is back to full allowance, and only then may it
// be dropped: the cache never evicts a live key, because forgetting one
// would let it exceed its limit. When a new key arrives and its shard is
// full of live keys, the limiter fails closed: it denies with
// [ErrCapacity] and calls the [WithOnFull] hook, after dropping expired
// keys (a full sweep at most once a second per shard). A decision for a
// known key reads the clock once and does not allocate.
//
// # Fail-safe
//
// [NewFailSafe] asks a primary limiter (Redis) and, when it fails, a
// fallback (memory):
//
//   - On a primary error (timeout, refused connection, cluster down) the
//     fallback decides under the limit scaled by [FallbackFactor] (default
//     0.5, at least one event). With [Instances](n), for n bot processes
//     sharing the Redis limits, it allows limit × factor / n per process,
//     so the fleet stays under the limit. Such decisions report
//     [BackendFallback] and no error; [OnFallback] sees the primary's
//     error.
//   - While the primary is healthy, each event it admits is also recorded
//     in the fallback, under this process's share of the limit (limit / n),
//     so an outage does not hand a user who just used their allowance a
//     fresh one. (A fallback that is full records nothing; a memory
//     fallback should be sized for the keys active in one Period.)
//   - For one Period after the primary recovers, a call the primary allows
//     must also pass the fallback under limit / n, and the stricter answer
//     wins, so events admitted locally during the outage are not forgotten
//     by a Redis that restarted empty.
//   - After [FailureThreshold] consecutive primary failures (default 3) the
//     primary is skipped for a [Cooldown] (default 5 s) and then probed by
//     one call, so a dead Redis does not add its timeout to every command.
//     [PrimaryTimeout] bounds each primary call.
//   - If the fallback fails too, the call is denied with an
//     [*UnavailableError] (matching [ErrUnavailable]) that wraps both
//     errors; [ErrCircuitOpen] stands for a primary skipped during a
//     cooldown.
//   - A caller whose ctx is done gets ctx.Err() and a denial; that is not
//     counted as a primary failure.
//
// [OnDecision] sees every decision, for metrics and logs.
//
// # Concurrency
//
// All limiters are safe for concurrent use by multiple goroutines. Hooks
// run in the calling goroutine, outside the limiters' locks. No limiter
// starts a goroutine, so none needs closing; the Redis client is the
// caller's to close.
package ratelimit
