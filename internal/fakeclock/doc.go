// Package fakeclock is a clock that tests move by hand.
//
// Code under test takes its clock as a func() time.Time (an option such as
// ttlcache.WithClock, ratelimit.WithClock or alerting.WithClock); a test
// passes [Clock.Now] and moves time with [Clock.Advance] or [Clock.Set],
// so expiries, windows and "for" durations are tested without sleeping.
// Time stands still between those calls: two reads of [Clock.Now] with
// no move in between return the same instant.
//
// A [Clock] is safe for concurrent use, so code under test may read it
// from its own goroutines while the test moves it.
//
// The clock has no timers. Code that sleeps or waits on timers is tested
// with testing/synctest instead.
//
// The package is internal: it is shared by tunekit's own tests and not
// supported for other uses.
package fakeclock
