// Package storetest checks that a [music.SettingsStore] and
// [music.SessionStore] keep the contract the player relies on, the way
// testing/slogtest checks a slog.Handler. Every store in tunekit passes
// it, and a bot author can run it against their own (a Postgres store,
// say):
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Stores {
//			s := openMyStore(t) // a fresh, empty store; close it in t.Cleanup
//			return storetest.Stores{Settings: s, Sessions: s}
//		})
//	}
//
// # What it checks
//
//   - Settings: a guild with none stored gets the defaults without error;
//     every field, and which fields the guild chose, round-trips; a later
//     Put replaces an earlier one; guild 0 is refused.
//   - Sessions: every field of a [music.Snapshot] round-trips, including
//     raw JSON, Unicode titles, a stream's length and a queue and history of
//     10,000 tracks; Save replaces (a shorter queue leaves nothing of a
//     longer one); Load of a missing guild is [music.ErrSnapshotNotFound];
//     Delete is idempotent and leaves settings alone; List is sorted and
//     lists only guilds with a snapshot; a snapshot from a newer schema
//     loads as a [*music.SnapshotVersionError] and stays stored; values
//     are not shared with the caller.
//   - Concurrency: writers on different guilds in parallel, each ending
//     with its own last write intact, and readers seeing whole snapshots
//     only.
//   - A cancelled context fails the call.
//
// # Stores shared by several processes
//
// When the Sessions store also implements [music.QueueEditor],
// [music.Leaser] or [music.FencedStore], Run checks those too (and skips
// the checks otherwise):
//
//   - Queue: 400 random edits, one after another, each giving the result,
//     error and queue that [music.QueueEdit.Apply] gives on a model;
//     versions grow by one per edit and not for a refused one, and grow
//     for every Save and Delete; a stale ExpectVersion is a
//     [*music.VersionConflictError] and changes nothing; positions that
//     do not exist and full queues are a [*music.PositionError] and a
//     [*music.QueueFullError] with the right fields; Load, Save (with and
//     without KeepQueue) and Delete see the queue the edits made; and 8
//     writers editing at once, checked as [CheckConcurrentEdits] does.
//   - Lease: of 16 owners racing for a guild exactly one wins and the
//     others get a [*music.LeaseHeldError] naming it; Acquire by the
//     holder keeps its token; Renew and Release by anyone else, or with
//     another token, fail with [music.ErrLeaseLost]; after a release or
//     an expiry the next owner's token is larger; malformed requests are
//     refused.
//   - Fence: after another owner takes the guild, every write with the old
//     token (SaveFenced, PutFenced, DeleteFenced, EditQueue) is a
//     [*music.FencedError] naming both tokens and changes nothing, while
//     the new owner's writes and unfenced ones go through; a token on a
//     guild never leased is refused.
//
// [CheckConcurrentEdits] runs the concurrency check over several handles
// on one store, as separate processes hold them, which a factory of
// fresh stores cannot.
//
// Test values are at millisecond precision, the precision a store must
// keep for durations and times; times are compared as instants.
//
// [RunBenchmarks] measures Save and Load of a 1,000-track snapshot and,
// for shared stores, each queue edit on a 1,000-track queue, LoadQueue
// and a lease's renewal.
//
// The factory given to [Run] is called once per subtest, which may run in
// parallel with others; each call must return stores that share no data
// with the others'.
package storetest
