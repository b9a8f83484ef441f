package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// allowComment on a line turns its findings into warnings.
const allowComment = "secretscan:allow"

// maxFileSize bounds the files scanned; larger ones are reported as
// skipped.
const maxFileSize = 4 << 20

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is main with its inputs and outputs passed in; it returns the exit
// code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("secretscan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("C", ".", "scan the repository in this directory")
	untracked := fs.Bool("untracked", false, "also scan untracked files git does not ignore")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	files, source := fs.Args(), "named on the command line"
	if len(files) == 0 {
		var err error
		if files, err = gitFiles(*dir, *untracked); err != nil {
			fmt.Fprintln(stderr, "secretscan:", err)
			return 1
		}
		source = "tracked by git"
		if *untracked {
			source = "tracked by git or untracked and not ignored"
		}
		for i, f := range files {
			files[i] = filepath.Join(*dir, f)
		}
	}
	s := scan(files, *dir)
	fmt.Fprintf(stdout, "secretscan: %d files %s\n", s.scanned, source)
	return s.print(stdout)
}

// gitFiles lists the files git tracks in dir (and the untracked ones it
// does not ignore), relative to dir.
func gitFiles(dir string, untracked bool) ([]string, error) {
	args := []string{"-C", dir, "ls-files", "-z", "--cached"}
	if untracked {
		args = append(args, "--others", "--exclude-standard")
	}
	var stderr bytes.Buffer
	cmd := exec.Command("git", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files in %s: %v: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	var files []string
	for f := range strings.SplitSeq(string(out), "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	return files, nil
}

// finding is a value one rule found.
type finding struct {
	pos     string // file:line:col
	value   string
	allowed bool // on a line marked secretscan:allow
}

// result is the outcome of a scan.
type result struct {
	scanned  int
	found    [][]finding // by rule index
	skipped  []string    // files not scanned, with the reason
	problems []string    // files that could not be read
}

// scan scans files, reporting positions relative to dir.
func scan(files []string, dir string) result {
	r := result{found: make([][]finding, len(rules))}
	for _, path := range files {
		name := path
		if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
			name = rel
		}
		name = filepath.ToSlash(name)
		info, err := os.Lstat(path)
		switch {
		case errors.Is(err, os.ErrNotExist):
			r.skipped = append(r.skipped, name+": does not exist (deleted since git listed it?)")
			continue
		case err != nil:
			r.problems = append(r.problems, err.Error())
			continue
		case !info.Mode().IsRegular():
			continue // symlinks, submodules
		case info.Size() > maxFileSize:
			r.skipped = append(r.skipped, fmt.Sprintf("%s: larger than %d MiB", name, maxFileSize>>20))
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			r.problems = append(r.problems, err.Error())
			continue
		}
		if bytes.IndexByte(b[:min(len(b), 8000)], 0) >= 0 {
			continue // binary
		}
		r.scanned++
		r.scanFile(name, b)
	}
	return r
}

// scanFile checks every line of a file with every rule.
func (r *result) scanFile(name string, b []byte) {
	goFile := strings.HasSuffix(name, ".go")
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), maxFileSize)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		allowed := strings.Contains(line, allowComment)
		for i, rl := range rules {
			for _, m := range rl.find(line, goFile) {
				col := utf8.RuneCountInString(line[:m.col]) + 1
				r.found[i] = append(r.found[i], finding{fmt.Sprintf("%s:%d:%d", name, n, col), m.value, allowed})
			}
		}
	}
}

// print writes one line per rule and a summary, and returns the exit
// code: 1 when anything not allowed was found or a file could not be read.
func (r result) print(w io.Writer) int {
	var passed, warnings, errs int
	for i, rl := range rules {
		var bad, allowed int
		for _, f := range r.found[i] {
			if f.allowed {
				allowed++
			} else {
				bad++
			}
		}
		warnings += allowed
		errs += bad
		switch {
		case bad > 0:
			fmt.Fprintf(w, "✗ %s: %d found\n", rl.name, bad)
		case allowed > 0:
			passed++
			fmt.Fprintf(w, "⚠ %s: only lines marked %s\n", rl.name, allowComment)
		default:
			passed++
			fmt.Fprintf(w, "✓ %s: none\n", rl.name)
		}
		for _, f := range r.found[i] {
			if f.allowed {
				fmt.Fprintf(w, "    ⚠ %s: %s, allowed by %s\n", f.pos, mask(f.value), allowComment)
			} else {
				fmt.Fprintf(w, "    ✗ %s: %s\n", f.pos, mask(f.value))
			}
		}
	}
	for _, s := range r.skipped {
		warnings++
		fmt.Fprintf(w, "⚠ not scanned: %s\n", s)
	}
	for _, p := range r.problems {
		errs++
		fmt.Fprintf(w, "✗ cannot scan: %s\n", p)
	}
	if errs > 0 {
		fmt.Fprintln(w, "Fake values in tests and documents must look fake: include fake, test or example in them")
		fmt.Fprintln(w, "(go doc ./internal/cmd/secretscan lists every accepted form); real secrets come from the environment.")
	}
	fmt.Fprintf(w, "secretscan: %d checks: %d ✓ passed, %d ⚠ %s, %d ✗ %s\n",
		len(rules), passed, warnings, noun(warnings, "warning"), errs, noun(errs, "error"))
	if errs > 0 {
		return 1
	}
	return 0
}

// mask shows the first four characters of a value and its length, enough
// to find it without printing it.
func mask(v string) string {
	n := utf8.RuneCountInString(v)
	if n <= 8 {
		return fmt.Sprintf("%q (%d characters)", strings.Repeat("*", n), n)
	}
	return fmt.Sprintf("%q (%d characters)", string([]rune(v)[:4])+"…", n)
}

// noun returns word in the plural unless n is 1.
func noun(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
