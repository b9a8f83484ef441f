// Package redisstore keeps tunekit's guild settings, session snapshots and
// queues in Redis, grants each guild to one bot process at a time, and
// carries events and queue changes over Redis pub/sub, for bots that run
// as several shards or processes, or that want their state outside the
// process.
//
// [New] returns a [*Store]: a [music.SettingsStore] and
// [music.SessionStore] that passes music/storetest, a
// [music.QueueEditor] whose edits are single atomic scripts, a
// [music.Leaser] and a [music.FencedStore]. [NewBus] returns a [*Bus], a
// [music.EventBus] and [music.QueueWatcher]. Both take a go-redis
// [redis.UniversalClient], so a single server, Sentinel and Redis Cluster
// all work, and neither owns it.
//
// # Keys
//
// Each guild has four keys, all starting with "tunekit:music:{<guild
// ID>}" ([Store.Key]; the prefix is [WithPrefix]). The braces are a Redis
// Cluster hash tag: the four share one slot, so one script can read and
// change all of them, and every script names them in KEYS.
//
//	{id}        hash: settings  the guild's [music.Settings] as JSON
//	                  session   the [music.Snapshot] as JSON, without its queue and history
//	                  history   the played tracks, most recent first, one JSON object per line
//	{id}:queue  list: the queued tracks in order, each "<requester ID> <track JSON>"
//	{id}:seq    hash: queue     the queue's version
//	                  fence     the newest fencing token
//	{id}:lease  string "<token>:<owner>", with a PX time to live
//
// Only the lease expires. The counters in {id}:seq never do: they must
// not go back while a process that saw them may still be alive, so they
// stay when a session is deleted or a lease released (two small numbers
// per guild ever played). The first value of each counter is the
// server's clock in microseconds rather than 1, so that after Redis loses
// its data (a restart without persistence) new tokens and versions are
// still larger than any handed out before, as long as the server's clock
// has not gone back.
//
// # The shared queue
//
// [Store.EditQueue] applies a [music.QueueEdit] (add, insert, remove,
// move, swap, shuffle, clear, remove a requester's tracks, skip to) in one
// Lua script: it checks the fencing token and the expected version, edits
// the list in place, raises the version and PUBLISHes the change on the
// queue channel ([DefaultQueueChannel], [WithQueueChannel]), all as one
// step no other client can interleave with. The client never reads the
// queue to write it back. Each edit does exactly what
// [music.QueueEdit.Apply] does, shuffle included: the script runs the same
// generator, whose arithmetic is exact in Lua's doubles.
//
// A list rather than one string field makes the common edits cheap, n
// being the queue's length and k the tracks added:
//
//	add at the end or front, remove the first or last   O(k), O(1)
//	insert one, remove one, move, swap                   a walk to the position, no copying:
//	                                                     LSET marks the place with an empty
//	                                                     element that LINSERT or LREM finds
//	insert several in the middle                         O(k + the shorter side), which is
//	                                                     moved out and back
//	skip to position p                                   O(p)
//	shuffle, remove a requester's tracks                 O(n), the queue rewritten once
//	clear                                                one DEL, which frees the n elements
//
// A string field would cost O(total bytes) for every edit, and the script
// would split and join a megabyte for a 1,000-track queue. The requester
// before each element lets the script find a user's tracks without
// decoding JSON.
//
// [Store.LoadQueue] reads the list and its version in one MULTI. A
// [Bus] hears the announcements and calls the functions given to
// [Bus.WatchQueues] with the guild and version, keeping only the newest
// version per guild for a watcher that is behind.
//
// # Leases and fencing
//
// [Store.Acquire] gives a guild to one owner: a script takes the next
// token from {id}:seq (HINCRBY) and SETs the lease key to the token and
// owner with PX, unless another owner holds it ([*music.LeaseHeldError]).
// [Store.Renew] and [Store.Release] act only while the key holds the
// caller's token and owner ([music.ErrLeaseLost] otherwise); a lease that
// expired with no one taking the guild since is renewed with its token.
//
// Expiry alone does not stop an owner that stalled past its lease and
// then writes as if it still held it. So every write takes a token
// ([music.SaveOptions].Token, [music.QueueEdit].Token, [Store.PutFenced],
// [Store.DeleteFenced]) and its script compares it with the guild's
// newest token before writing: a token that is not the newest, because
// another owner has acquired the guild since, is refused with a
// [*music.FencedError] and nothing changes. The check and the write are
// one script, so no acquire can fall between them. Token 0 writes
// unfenced, for a dashboard or a single-process bot.
//
// # Sessions
//
// [Store.Save] and [Store.SaveFenced] write the session and history
// fields and replace the queue list in one script, and Load reads them in
// one MULTI, so a Load sees a Save entirely or not at all, and writers on
// different guilds never touch the same keys. With
// [music.SaveOptions].KeepQueue the queue and its version are left as
// they are, so a player that saves its position every few seconds never
// undoes an edit made elsewhere. Load reads the schema version from the
// session field first and returns a [*music.SnapshotVersionError] for a
// newer one without decoding the tracks; a queue element that does not
// decode is an error matching [music.ErrInvalidSnapshot]. Delete removes
// the session, history and queue and keeps the settings.
//
// List SCANs the keys with the prefix (on each master of a cluster and
// each shard of a ring) and keeps those with a session field. It is meant
// for the player's start-up, not for a hot path.
//
// # Failure
//
// Every method fails when Redis is down or the context ends; nothing is
// retried here (the player retries writes and serves settings from a
// cache). An error from a call Redis did not answer (connection refused
// or cut, a timeout, a server loading, read-only, busy or without its
// cluster) matches [ErrUnavailable] and never any of music's refusals, so
// an outage does not look like a conflict or missing data. Scripts check
// everything before they write, so a refused write changes nothing, and a
// script either runs whole or, when its request was cut, not at all. When
// the connection is cut after a write was sent, the write may have been
// done: go-redis re-sends such a command (unless the client's MaxRetries
// is -1), so an edit without an ExpectVersion may then apply twice; with
// one, the second attempt fails with a [*music.VersionConflictError].
//
// The bus re-subscribes by itself after a lost connection, but pub/sub
// keeps no messages: events and queue changes published while a process
// is cut off are lost to it. A process that has been cut off can compare
// the versions [Store.LoadQueue] reports with those it holds.
//
// Both types are safe for concurrent use.
package redisstore
