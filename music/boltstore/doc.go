// Package boltstore keeps tunekit's guild settings and session snapshots
// in one file on the local disk, with go.etcd.io/bbolt. It is the default
// store for a bot running on one machine: nothing to install or run, and
// playback resumes where it was after a restart.
//
// [Open] creates or opens the file; the [*Store] it returns is both a
// [music.SettingsStore] and a [music.SessionStore] and passes
// music/storetest.
//
// # Layout
//
// The file holds three buckets: "settings" and "sessions", keyed by the
// guild ID as 8 big-endian bytes (so keys sort like IDs, and List needs no
// sorting), with the JSON encodings of [music.Settings] and
// [music.Snapshot] as values; and "meta", holding the layout version, so a
// file written by a newer, incompatible boltstore is refused with
// [ErrUnsupportedFormat] rather than misread.
//
// # Durability
//
// Every Put, Save and Delete is one bbolt transaction, committed with an
// fsync before it returns. bbolt writes new pages beside the old ones and
// switches to them with a final meta-page write, so a crash or kill -9 at
// any moment leaves the file at the last committed transaction: each
// snapshot is there whole, as last saved, or (if its first save never
// committed) absent. The tests prove this by SIGKILLing a writer process in
// a loop.
//
// bbolt allows one writer at a time; writes from many goroutines are
// serialized, each paying for its own fsync (a millisecond or so on an
// SSD). A bot coalesces saves per guild, so that is rarely the limit; a
// bot with thousands of busy guilds on one machine should use Redis
// (music/redisstore).
//
// # Locking and failure
//
// bbolt locks the file: a second process opening it waits up to the lock
// timeout (default 1 s, [WithLockTimeout]) and then fails with an error
// naming the file. A value that does not decode (a snapshot written by a
// newer tunekit) is reported by Load with the music package's typed errors
// and left in place. Calls after [Store.Close] return [ErrClosed].
//
// bbolt does not take a context: the context passed to each method is
// checked before the transaction starts and cannot interrupt it.
//
// A Store is safe for concurrent use.
package boltstore
