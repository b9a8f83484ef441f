package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes files (slash-separated name to content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func runScan(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func wantLines(t *testing.T, out string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(out, l) {
			t.Errorf("output lacks %q:\n%s", l, out)
		}
	}
}

func TestRunFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"config.yml":   "lavalink:\n  pass" + "word: youshallnotpass\nslack: " + fakeSlackHook + "\n",
		"bot_test.go":  "package bot\n\nconst token = \"" + fakeDiscordToken + "\" // " + allowComment + "\n",
		"clean.go":     "package bot\n\nvar limit = 5\n",
		"blob.bin":     "\x00\x01" + fakeAWSKeyID,
		"keys/id.pem":  fakePrivateKey + "\n",
		"docs/env.txt": "REDIS_PASS" + "WORD=h7Gq2wKp9\n",
	})
	big := filepath.Join(dir, "big.log")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, maxFileSize+1); err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, f := range []string{"config.yml", "bot_test.go", "clean.go", "blob.bin", "keys/id.pem", "docs/env.txt", "big.log", "missing.go", "clean.go/x", "keys"} {
		args = append(args, filepath.Join(dir, f))
	}
	code, out, _ := runScan(t, append([]string{"-C", dir}, args...)...)
	if code != 1 {
		t.Errorf("run = %d, want 1", code)
	}
	wantLines(t, out,
		"secretscan: 5 files named on the command line\n",
		"⚠ Discord bot tokens: only lines marked secretscan:allow\n",
		`    ⚠ bot_test.go:3:16: "MTIz…" (61 characters), allowed by secretscan:allow`,
		"✗ Slack webhook URLs: 1 found\n",
		`    ✗ config.yml:3:8: "http…" (79 characters)`,
		"✗ private keys: 1 found\n",
		"    ✗ keys/id.pem:1:1:",
		"✗ secrets assigned to names: 1 found\n",
		`    ✗ docs/env.txt:1:16: "h7Gq…" (9 characters)`,
		"✓ AWS access keys: none\n",
		"⚠ not scanned: big.log: larger than 4 MiB\n",
		"⚠ not scanned: missing.go: does not exist",
		"✗ cannot scan: lstat ",
		"Fake values in tests and documents must look fake",
		"secretscan: 11 checks: 8 ✓ passed, 4 ⚠ warnings, 4 ✗ errors\n",
	)
	if strings.Contains(out, "h7Gq2wKp9") || strings.Contains(out, fakeSlackHook[10:]) || strings.Contains(out, fakeDiscordToken[10:]) {
		t.Errorf("output shows a secret:\n%s", out)
	}
}

func TestRunClean(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.go": "package a\n\n// pass" + "word: \"fake-pw-123\"\n"})
	code, out, _ := runScan(t, filepath.Join(dir, "a.go"))
	if code != 0 {
		t.Errorf("run = %d, want 0", code)
	}
	wantLines(t, out, "secretscan: 11 checks: 11 ✓ passed, 0 ⚠ warnings, 0 ✗ errors\n")
	if strings.Contains(out, "Fake values") {
		t.Errorf("clean scan prints the convention:\n%s", out)
	}
}

// TestScansItself checks that secretscan's own sources, full of patterns
// and fixtures, do not trip it.
func TestScansItself(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	if len(files) < 4 {
		t.Fatalf("found %d Go files", len(files))
	}
	code, out, _ := runScan(t, files...)
	if code != 0 {
		t.Errorf("secretscan flags its own sources:\n%s", out)
	}
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestRunGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	writeFiles(t, dir, map[string]string{
		"tracked.yml":   "url: " + fakeDiscordHook + "\n",
		".gitignore":    "*.local\n",
		"untracked.txt": "id " + fakeAWSKeyID + "\n",
		"ignored.local": fakeGitHubToken + "\n",
	})
	git(t, dir, "add", "tracked.yml", ".gitignore")

	code, out, _ := runScan(t, "-C", dir)
	if code != 1 {
		t.Errorf("run -C = %d, want 1", code)
	}
	wantLines(t, out, "secretscan: 2 files tracked by git\n", "✗ Discord webhook URLs: 1 found\n", "    ✗ tracked.yml:1:6:", "✓ AWS access keys: none\n", "✓ GitHub tokens: none\n")

	code, out, _ = runScan(t, "-C", dir, "-untracked")
	if code != 1 {
		t.Errorf("run -C -untracked = %d, want 1", code)
	}
	wantLines(t, out, "secretscan: 3 files tracked by git or untracked and not ignored\n", "✗ AWS access keys: 1 found\n", "    ✗ untracked.txt:1:4:", "✓ GitHub tokens: none\n")

	if err := os.Remove(filepath.Join(dir, "tracked.yml")); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runScan(t, "-C", dir)
	if code != 0 {
		t.Errorf("run -C after deleting the file = %d, want 0:\n%s", code, out)
	}
	wantLines(t, out, "⚠ not scanned: tracked.yml: does not exist")
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"-x"}, 2, "flag provided but not defined: -x"},
		{[]string{"-C", t.TempDir()}, 1, "secretscan: git ls-files in "},
	}
	for _, tt := range tests {
		code, _, stderr := runScan(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("run(%q) = %d, stderr %q; want %d, %q", tt.args, code, stderr, tt.code, tt.stderr)
		}
	}
}
