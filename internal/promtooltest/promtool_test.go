package promtooltest_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tunekit/tunekit/internal/promtooltest"
)

// recorder is a testing.TB that records failures and skips instead of
// acting on them. Fatal and Skip end the calling goroutine, as they do in
// a test, so call runs the code under test in a goroutine of its own.
type recorder struct {
	testing.TB
	skipped string
	fatal   string
	errors  []string
}

func (r *recorder) Skip(args ...any) { r.skipped = fmt.Sprint(args...); runtime.Goexit() }

func (r *recorder) Fatal(args ...any) { r.fatal = fmt.Sprint(args...); runtime.Goexit() }

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// call runs fn with a recorder wrapping t and returns the recorder once fn
// has returned or ended its goroutine.
func call(t *testing.T, fn func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
	return r
}

// standIn is a promtool that prints its directory and arguments, and
// fails when its first argument is "fail"; as "check metrics" it reads its
// input and complains (exit 3), chats (exit 0) or prints nothing as the
// input asks. It uses shell builtins only: it is alone on PATH.
const standIn = `#!/bin/sh
if [ "$1 $2" = "check metrics" ]; then
	in=
	while IFS= read -r line; do in="$in$line"; done
	case "$in" in
	*complain*) echo "x no help text"; exit 3 ;;
	*chatty*) echo "x looks odd" ;;
	esac
	exit 0
fi
echo "$PWD $*"
[ "$1" = "fail" ] && { echo "stand-in failed"; exit 1; }
exit 0
`

// useStandIn puts the stand-in promtool alone on PATH and returns its path.
func useStandIn(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in promtool is a shell script")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "promtool")
	if err := os.WriteFile(path, []byte(standIn), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	return path
}

func TestFind(t *testing.T) {
	t.Run("on PATH", func(t *testing.T) {
		want := useStandIn(t)
		if got, err := promtooltest.Find(); got != want || err != nil {
			t.Errorf("Find() = %q, %v; want %q, nil", got, err, want)
		}
	})
	t.Run("missing", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		if got, err := promtooltest.Find(); got != "" || !errors.Is(err, promtooltest.ErrNotFound) {
			t.Errorf("Find() = %q, %v; want \"\", ErrNotFound", got, err)
		}
	})
}

func TestPathMissing(t *testing.T) {
	for _, tc := range []struct {
		require   string
		wantSkip  bool
		wantFatal bool
	}{
		{"", true, false},
		{"0", true, false},
		{"1", false, true},
	} {
		t.Run("TUNEKIT_REQUIRE_PROMTOOL="+tc.require, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir())
			t.Setenv("TUNEKIT_REQUIRE_PROMTOOL", tc.require)
			returned := false
			r := call(t, func(tb testing.TB) {
				promtooltest.Path(tb)
				returned = true
			})
			if returned || (r.skipped != "") != tc.wantSkip || (r.fatal != "") != tc.wantFatal {
				t.Fatalf("Path returned %v, skipped %q, failed %q; want skip %v, fail %v", returned, r.skipped, r.fatal, tc.wantSkip, tc.wantFatal)
			}
			if msg := r.skipped + r.fatal; !strings.Contains(msg, "apt-get install -y prometheus") {
				t.Errorf("Path's message %q does not say how to install promtool", msg)
			}
		})
	}
}

func TestPathFound(t *testing.T) {
	want := useStandIn(t)
	t.Setenv("TUNEKIT_REQUIRE_PROMTOOL", "1")
	if got := promtooltest.Path(t); got != want {
		t.Errorf("Path() = %q, want %q", got, want)
	}
}

func TestRun(t *testing.T) {
	useStandIn(t)
	dir := t.TempDir()
	t.Run("success", func(t *testing.T) {
		got := promtooltest.Run(t, dir, "check", "rules", "alerts.yml")
		if want := dir + " check rules alerts.yml\n"; got != want {
			t.Errorf("Run(check rules alerts.yml) = %q, want %q", got, want)
		}
	})
	t.Run("failure", func(t *testing.T) {
		returned := false
		r := call(t, func(tb testing.TB) {
			promtooltest.Run(tb, dir, "fail", "now")
			returned = true
		})
		if returned || !strings.Contains(r.fatal, "promtool fail now (in "+dir+")") || !strings.Contains(r.fatal, "stand-in failed") {
			t.Errorf("Run of a failing promtool returned %v, failed %q; want a fatal naming the command, dir and output", returned, r.fatal)
		}
	})
}

func TestCheckMetrics(t *testing.T) {
	useStandIn(t)
	for _, tc := range []struct {
		name, exposition, want string
	}{
		{"clean", "plays_total 1\n", ""},
		{"exit status", "complain 1\n", "x no help text"},
		{"output with exit 0", "chatty 1\n", "x looks odd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, func(tb testing.TB) { promtooltest.CheckMetrics(tb, tc.exposition) })
			got := strings.Join(r.errors, "\n")
			if r.fatal != "" || r.skipped != "" || (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("CheckMetrics(%q) reported %q (fatal %q, skipped %q); want a report holding %q", tc.exposition, got, r.fatal, r.skipped, tc.want)
			}
		})
	}
}

// TestRealPromtool runs the installed promtool, so the stand-in's
// behaviour stays true to it.
func TestRealPromtool(t *testing.T) {
	promtooltest.Path(t)
	dir := t.TempDir()
	rules := "groups:\n  - name: tunekit\n    rules:\n      - alert: Down\n        expr: up == 0\n"
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := promtooltest.Run(t, dir, "check", "rules", "rules.yml"); !strings.Contains(out, "SUCCESS") {
		t.Errorf("promtool check rules rules.yml = %q, want SUCCESS", out)
	}

	promtooltest.CheckMetrics(t, "# HELP plays_total Tracks played.\n# TYPE plays_total counter\nplays_total 3\n")
	r := call(t, func(tb testing.TB) { promtooltest.CheckMetrics(tb, "# TYPE plays counter\nplays 3\n") })
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "_total") {
		t.Errorf("CheckMetrics of a counter without _total reported %q, want one error about the suffix", r.errors)
	}
}
