package promtooltest_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tunekit/tunekit/internal/promtooltest"
)

// A test checks a rule file with Run, which skips the test when promtool
// is missing (fails it with TUNEKIT_REQUIRE_PROMTOOL=1), and lints a
// scrape with CheckMetrics. This example shows the calls a test makes,
// so it is compiled but not run.
func ExampleRun() {
	var t *testing.T // the test's *testing.T

	out := promtooltest.Run(t, "testdata", "check", "rules", "alerts.yml")
	if !strings.Contains(out, "SUCCESS") {
		t.Errorf("promtool check rules:\n%s", out)
	}
	promtooltest.CheckMetrics(t, "# HELP plays_total Tracks played.\n# TYPE plays_total counter\nplays_total 3\n")
}

// Find is the lookup alone, for code without a testing.TB. PATH is
// emptied here so that the example prints the same on every machine.
func ExampleFind() {
	defer os.Setenv("PATH", os.Getenv("PATH"))
	os.Setenv("PATH", "")

	_, err := promtooltest.Find()
	fmt.Println(errors.Is(err, promtooltest.ErrNotFound))
	// Output: true
}
