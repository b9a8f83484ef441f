// Package redistest gives a test its own real Redis server.
//
// [Start] launches redis-server on a free loopback port with persistence
// off (--save "" --appendonly no), waits until it answers PING, and stops it
// in t.Cleanup. The returned [Server] can be stopped and restarted mid-test
// on the same port, which is how fault tests simulate a Redis outage.
//
// [Run] starts the same server for code that has no testing.TB, such as a
// TestMain sharing one server among a package's tests; its caller stops it
// with [Server.Close], and Stop and Restart panic where a test would be
// skipped or failed (httptest.NewServer panics the same way).
//
// # Finding a server
//
//   - TUNEKIT_REDIS_ADDR=host:port uses an external server instead of
//     starting one. Tests then use the logical database TUNEKIT_REDIS_DB
//     (default 15), which every Start flushes, so they see each other's
//     keys when they run at the same time (t.Parallel, go test -p); Stop
//     and Restart are not available and skip the test.
//   - Otherwise redis-server must be on PATH. When it is not, the test is
//     skipped with a message saying how to install it, unless
//     TUNEKIT_REQUIRE_REDIS=1, in which case the test fails. make test sets
//     that variable so CI never silently skips Redis tests. Run returns
//     [ErrNotFound] instead.
//
// A [Server] is safe for concurrent use.
//
// The package is internal: it is shared by tunekit's own tests and not
// supported for other uses.
package redistest
