// Command doccheck checks that tunekit's packages document themselves the
// way the repository's style asks, so pkg.go.dev shows every package with a
// description and a runnable example, and every exported name explained.
//
// Usage, from the repository root:
//
//	go run ./internal/cmd/doccheck [-C dir]
//
// It walks the Go packages under dir (default "."), skipping testdata,
// vendor and directories whose names start with "." or "_", and reports:
//
//   - ✗ a library package (not main) without a doc.go file, or whose doc.go
//     has no package comment starting "Package <name>";
//   - ✗ a library package that exports something but has no runnable example:
//     an Example function in a _test.go file with an "// Output:" (or
//     "// Unordered output:") comment, which go test runs. A package that
//     exports nothing needs none;
//   - ✗ an exported identifier without a doc comment: functions, types,
//     methods of exported types, constants and variables. A comment on a
//     parenthesized const or var group documents its members. Struct
//     fields and interface methods are exempt;
//   - ⚠ a doc comment that does not start with the name it documents (an
//     article before the name is accepted, as is "Deprecated:"), a doc.go
//     that declares more than the package, a package comment in a file
//     other than doc.go, and a command (package main) without a package
//     comment.
//
// Files excluded by build constraints on this platform and generated files
// ("// Code generated ... DO NOT EDIT.") are not checked.
//
// It prints one line per package (✓ clean, ⚠ warnings, ✗ errors), each
// finding with its file and line, and a summary; it exits 1 when there is
// any error, 2 for bad usage.
package main
