// Package promtooltest runs Prometheus's promtool from tests: checking
// rule files, running rule unit tests and linting /metrics expositions.
//
// [Path] finds promtool on PATH. When it is not there the test is skipped
// with a message saying how to install it, unless
// TUNEKIT_REQUIRE_PROMTOOL=1, in which case the test fails: make test sets
// that variable so CI never silently skips a promtool check. [Run] and
// [CheckMetrics] find promtool the same way, then run it. [Find] is the
// lookup alone, for code without a testing.TB such as a TestMain; it
// returns [ErrNotFound] whatever TUNEKIT_REQUIRE_PROMTOOL says.
//
// # Failures
//
// [Run] is for checks whose output the test goes on to read, so a
// non-zero exit stops the test with t.Fatalf, quoting promtool's output.
// [CheckMetrics] is a lint: its findings are reported with t.Errorf and
// the test goes on.
//
// Every function is safe for concurrent use, including from parallel
// tests.
//
// The package is internal: it is shared by tunekit's own tests and not
// supported for other uses.
package promtooltest
