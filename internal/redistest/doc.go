// Package redistest gives a test its own real Redis server.
//
// [Start] launches redis-server on a free loopback port with persistence
// off (--save "" --appendonly no), waits until it answers PING, and stops it
// in t.Cleanup. The returned [Server] can be stopped and restarted mid-test
// on the same port, which is how fault tests simulate a Redis outage.
//
// # Finding a server
//
//   - TUNEKIT_REDIS_ADDR=host:port uses an external server instead of
//     starting one. Each test then gets a logical database of its own
//     selected by TUNEKIT_REDIS_DB (default 15), flushed before use; Stop
//     and Restart are not available and skip the test.
//   - Otherwise redis-server must be on PATH. When it is not, the test is
//     skipped with a message saying how to install it, unless
//     TUNEKIT_REQUIRE_REDIS=1, in which case the test fails. make test sets
//     that variable so CI never silently skips Redis tests.
//
// The package is internal: it is shared by tunekit's own tests and not
// supported for other uses.
package redistest
