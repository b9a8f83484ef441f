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
// Test values are at millisecond precision, the precision a store must
// keep for durations and times; times are compared as instants.
//
// [RunBenchmarks] measures Save and Load of a 1,000-track snapshot.
//
// The factory given to [Run] is called once per subtest, which may run in
// parallel with others; each call must return stores that share no data
// with the others'.
package storetest
