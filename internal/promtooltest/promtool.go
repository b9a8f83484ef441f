package promtooltest

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// requireEnv names the variable that turns a missing promtool from a
// skipped test into a failed one.
const requireEnv = "TUNEKIT_REQUIRE_PROMTOOL"

// ErrNotFound is returned by [Find], and reported by [Path], when promtool
// is not on PATH.
var ErrNotFound = errors.New("promtooltest: promtool not found on PATH; install it with 'apt-get install -y prometheus'")

// Find returns the path of the promtool on PATH, or [ErrNotFound].
func Find() (string, error) {
	p, err := exec.LookPath("promtool")
	if err != nil {
		return "", ErrNotFound
	}
	return p, nil
}

// Path returns the path of promtool. Without one it skips t, or fails it
// when TUNEKIT_REQUIRE_PROMTOOL=1.
func Path(t testing.TB) string {
	t.Helper()
	p, err := Find()
	if err != nil {
		if os.Getenv(requireEnv) == "1" {
			t.Fatal(err.Error() + " (" + requireEnv + "=1)")
		}
		t.Skip(err)
	}
	return p
}

// Run runs promtool with args in dir and returns its combined output.
// It finds promtool as [Path] does and fails t with the output when
// promtool exits non-zero.
func Run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), Path(t), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// CheckMetrics runs "promtool check metrics" on exposition, a scrape in
// the Prometheus text format, and reports each complaint with t.Errorf.
// It finds promtool as [Path] does.
func CheckMetrics(t testing.TB, exposition string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), Path(t), "check", "metrics")
	cmd.Stdin = strings.NewReader(exposition)
	out, err := cmd.CombinedOutput()
	switch {
	case err != nil:
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	case strings.TrimSpace(string(out)) != "":
		t.Errorf("promtool check metrics:\n%s", out)
	}
}
