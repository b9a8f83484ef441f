// Package redisstore keeps tunekit's guild settings and session snapshots
// in Redis and carries its events over Redis pub/sub, for bots that run as
// several shards or processes, or that want their state outside the
// process.
//
// [New] returns a [*Store], which is both a [music.SettingsStore] and a
// [music.SessionStore] and passes music/storetest; [NewBus] returns a
// [*Bus], a [music.EventBus]. Both take a go-redis
// [redis.UniversalClient], so a single server, Sentinel and Redis Cluster
// all work, and neither owns it.
//
// # Keys
//
// Each guild has one hash, at "tunekit:music:{<guild ID>}" ([Store.Key];
// the prefix is [WithPrefix]). The braces are a Redis Cluster hash tag:
// any key a later version adds for the guild shares the slot and can be
// changed in the same transaction or script. The hash has these fields:
//
//	settings  the guild's [music.Settings] as JSON (only the values it chose)
//	session   the [music.Snapshot] as JSON, without its queue and history
//	queue     the queued tracks in order, one JSON object per line
//	history   the played tracks, most recent first, one per line
//
// Tracks are kept one per line (a track's JSON never holds a raw newline)
// so that a Lua script can edit the queue in place, atomically, by
// splitting and joining lines, without a JSON library.
//
// # Atomicity
//
// Save writes the session, queue and history fields with one HSET and
// Load reads them with one HMGET; Redis runs each command alone, so a Load
// sees a Save entirely or not at all, and writers on different guilds
// never touch the same key. Load reads the schema version from the
// session field first and returns a [*music.SnapshotVersionError] for a
// newer one without decoding the tracks. Delete removes the session fields
// and keeps the settings.
//
// List SCANs the keys with the prefix (on each master of a cluster and
// each shard of a ring) and keeps those with a session field. It is meant
// for the player's start-up, not for a hot path.
//
// # Failure
//
// Every method returns the Redis error, wrapped, when Redis is down or the
// context ends; nothing is retried here (the player retries writes and
// serves settings from a cache). The bus re-subscribes by itself after a
// lost connection, but pub/sub keeps no messages: events published while a
// process is cut off are lost to it.
//
// Both types are safe for concurrent use.
package redisstore
