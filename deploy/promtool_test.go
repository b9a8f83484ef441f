package deploy

import (
	"os"
	"os/exec"
	"testing"
)

// promtool returns the path of promtool, skipping the test when it is not
// installed unless TUNEKIT_REQUIRE_PROMTOOL=1 (make test, CI), which fails
// it instead.
func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err == nil {
		return p
	}
	if os.Getenv("TUNEKIT_REQUIRE_PROMTOOL") == "1" {
		t.Fatal("promtool not found on PATH and TUNEKIT_REQUIRE_PROMTOOL=1; install it with 'apt-get install -y prometheus'")
	}
	t.Skip("promtool not found on PATH; install Debian's prometheus package to run this test")
	return ""
}

// runPromtool runs promtool in dir and returns its output, failing the
// test when it exits non-zero.
func runPromtool(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(promtool(t), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %v (in %s): %v\n%s", args, dir, err, out)
	}
	return string(out)
}
