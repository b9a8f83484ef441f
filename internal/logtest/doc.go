// Package logtest has a log sink that tests read while the code under
// test writes to it from its own goroutines.
//
// A [Buffer] is a bytes.Buffer whose Write and String are safe for
// concurrent use: pass it to slog.NewTextHandler, slog.NewJSONHandler or
// any io.Writer option, and read what was written with [Buffer.String]
// while the writers still run, without a data race.
//
// The package is internal: it is shared by tunekit's own tests and not
// supported for other uses.
package logtest
