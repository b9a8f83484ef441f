package deploy

import (
	"errors"
	"go/build"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The documents in the repository root. ARCHITECTURE.md and SECURITY.md
// back their claims with the names of the tests that prove them; the
// tests below keep every name real, so a renamed or deleted test breaks
// the build instead of leaving a document that points at nothing.
var rootDocs = []string{"README.md", "ARCHITECTURE.md", "SECURITY.md", "DEPLOYMENT.md", "CONTRIBUTING.md"}

// provenDocs are the documents whose claims each name a test, with the
// least number of distinct tests each must cite.
var provenDocs = map[string]int{"ARCHITECTURE.md": 40, "SECURITY.md": 25}

// citation matches a test named in a document: `path.TestName`, where path
// is the package's directory from the repository root (music,
// music/redisstore, examples/fullbot) and the name is a test, fuzz test,
// example or benchmark.
var citation = regexp.MustCompile("`((?:[a-z0-9_]+/)*[a-z0-9_]+)\\.((?:Test|Fuzz|Example|Benchmark)[A-Za-z0-9_]*)`")

// testFunc matches the declaration of a test function.
var testFunc = regexp.MustCompile(`(?m)^func ((?:Test|Fuzz|Example|Benchmark)[A-Za-z0-9_]*)\(`)

var (
	funcsMu    sync.Mutex
	funcsByDir = map[string]map[string]bool{}
)

// testFuncs returns the test functions declared in the _test.go files of
// dir, whatever their build constraints.
func testFuncs(t *testing.T, dir string) map[string]bool {
	t.Helper()
	funcsMu.Lock()
	defer funcsMu.Unlock()
	if f, ok := funcsByDir[dir]; ok {
		return f
	}
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	funcs := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range testFunc.FindAllStringSubmatch(string(b), -1) {
			funcs[m[1]] = true
		}
	}
	funcsByDir[dir] = funcs
	return funcs
}

func readDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", name))
	if err != nil {
		t.Fatalf("the repository needs %s: %v", name, err)
	}
	return string(b)
}

// TestDocsCiteRealTests: every test a root document names exists, in the
// package it is named with, and ARCHITECTURE.md and SECURITY.md name
// enough of them to back what they say.
func TestDocsCiteRealTests(t *testing.T) {
	for _, doc := range rootDocs {
		cited := map[string]bool{}
		for i, line := range strings.Split(readDoc(t, doc), "\n") {
			for _, m := range citation.FindAllStringSubmatch(line, -1) {
				pkg, name := m[1], m[2]
				dir := filepath.Join("..", filepath.FromSlash(pkg))
				if st, err := os.Stat(dir); err != nil || !st.IsDir() {
					t.Errorf("%s:%d cites %s.%s, but there is no package %s", doc, i+1, pkg, name, pkg)
					continue
				}
				if !testFuncs(t, dir)[name] {
					t.Errorf("%s:%d cites %s.%s, which does not exist: update the document to name the test that proves the claim now", doc, i+1, pkg, name)
					continue
				}
				cited[pkg+"."+name] = true
			}
		}
		if least, ok := provenDocs[doc]; ok && len(cited) < least {
			t.Errorf("%s cites %d distinct tests, want at least %d: each claim names the test that proves it", doc, len(cited), least)
		}
	}
}

// TestDocsClaimsNameTests: in ARCHITECTURE.md and SECURITY.md, every row
// of a table with a "Proved by" column names a test there.
func TestDocsClaimsNameTests(t *testing.T) {
	for doc := range provenDocs {
		rows, tables := 0, 0
		col := -1 // the "Proved by" column of the table being read
		for i, line := range strings.Split(readDoc(t, doc), "\n") {
			if !strings.HasPrefix(line, "|") {
				col = -1
				continue
			}
			cells := tableCells(line)
			switch {
			case col == -1 && !strings.HasPrefix(line, "|-") && !strings.HasPrefix(line, "|:"):
				// A header row.
				col = slices.IndexFunc(cells, func(c string) bool { return strings.EqualFold(c, "Proved by") })
				if col < 0 {
					col = -2 // a table without the column
				} else {
					tables++
				}
			case col < 0 || strings.HasPrefix(line, "|-") || strings.HasPrefix(line, "|:"):
			case col >= len(cells) || !citation.MatchString(cells[col]):
				t.Errorf("%s:%d: a claim without a test in its Proved by column: %s", doc, i+1, line)
			default:
				rows++
			}
		}
		if tables == 0 || rows == 0 {
			t.Errorf("%s has %d tables with a Proved by column and %d rows in them", doc, tables, rows)
		}
	}
}

// tableCells splits a Markdown table row into its trimmed cells, keeping
// escaped pipes (\|) inside cells.
func tableCells(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "|")
	line = strings.TrimSuffix(line, "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteString(`\|`)
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

func TestTableCells(t *testing.T) {
	got := tableCells("| `A` | x \\| y |  z |")
	if want := []string{"`A`", `x \| y`, "z"}; !slices.Equal(got, want) {
		t.Errorf("tableCells = %q, want %q", got, want)
	}
}

// link matches the target of a Markdown link.
var link = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocsLinksResolve: every link from a root document to a file of the
// repository finds it.
func TestDocsLinksResolve(t *testing.T) {
	for _, doc := range rootDocs {
		for i, line := range strings.Split(readDoc(t, doc), "\n") {
			for _, m := range link.FindAllStringSubmatch(line, -1) {
				target, _, _ := strings.Cut(m[1], "#")
				if target == "" || strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				if _, err := os.Stat(filepath.Join("..", filepath.FromSlash(target))); err != nil {
					t.Errorf("%s:%d links to %s, which is not in the repository", doc, i+1, target)
				}
			}
		}
	}
}

// The import table in ARCHITECTURE.md sits between these two lines.
const (
	importsBegin = "<!-- BEGIN imports"
	importsEnd   = "<!-- END imports -->"
)

// modulePath is the module's import path.
const modulePath = "github.com/tunekit/tunekit"

// modulePackages returns every package of the module (by directory from
// the repository root) with all its non-test imports, as the go command
// would build them here.
func modulePackages(t *testing.T) map[string][]string {
	t.Helper()
	pkgs := map[string][]string{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != ".." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
			return filepath.SkipDir
		}
		pkg, err := build.Default.ImportDir(path, 0)
		if errors.As(err, new(*build.NoGoError)) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel("..", path)
		if err != nil {
			return err
		}
		pkgs[filepath.ToSlash(rel)] = pkg.Imports
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// internalImports returns the module's packages that imports names.
func internalImports(imports []string) []string {
	var deps []string
	for _, imp := range imports {
		if dep, ok := strings.CutPrefix(imp, modulePath+"/"); ok {
			deps = append(deps, dep)
		}
	}
	slices.Sort(deps)
	return deps
}

// importTable renders, for every package of the module, the module's
// packages its non-test files import.
func importTable(t *testing.T) string {
	t.Helper()
	pkgs := modulePackages(t)
	var b strings.Builder
	b.WriteString("| package | imports from tunekit |\n|---|---|\n")
	for _, path := range slices.Sorted(maps.Keys(pkgs)) {
		var deps []string
		for _, d := range internalImports(pkgs[path]) {
			deps = append(deps, "`"+d+"`")
		}
		list := strings.Join(deps, ", ")
		if list == "" {
			list = "none"
		}
		b.WriteString("| `" + path + "` | " + list + " |\n")
	}
	return b.String()
}

// layers are the layers ARCHITECTURE.md draws: a package imports only
// from layers below its own. A new package needs a place here.
var layers = map[string]int{
	"ttlcache": 0, "resilience": 0, "secureheaders": 0, "metrics": 0, "tracing": 0,
	"music/lavalinktest": 0, "music/discordtest": 0,
	"internal/redistest": 0, "internal/promtooltest": 0, "internal/fakeclock": 0, "internal/logtest": 0,
	"internal/cmd/doccheck": 0, "internal/cmd/secretscan": 0, "deploy": 0,
	"ratelimit": 1, "alerting": 1, "music/internal/node": 1,
	"music": 2, "internal/cmd/genrules": 2,
	"music/disgobot": 3, "music/boltstore": 3, "music/redisstore": 3, "music/storetest": 3,
	"examples/fullbot": 4,
}

// TestImportLayers: every package imports only from layers below its own,
// so the arrows of ARCHITECTURE.md's drawing all point down.
func TestImportLayers(t *testing.T) {
	for path, imports := range modulePackages(t) {
		layer, ok := layers[path]
		if !ok {
			t.Errorf("package %s has no layer: give it one in this test and in ARCHITECTURE.md's drawing", path)
			continue
		}
		for _, dep := range internalImports(imports) {
			if l, ok := layers[dep]; ok && l >= layer {
				t.Errorf("%s (layer %d) imports %s (layer %d): imports must point to lower layers", path, layer, dep, l)
			}
		}
	}
}

// TestMusicKnowsNoDiscordLibrary: music, its stores and its node client,
// and the production packages import no Discord client library, and the
// production packages import nothing of music; only music/disgobot (and
// the bot built on it) knows disgo.
func TestMusicKnowsNoDiscordLibrary(t *testing.T) {
	production := []string{"ratelimit", "ttlcache", "secureheaders", "resilience", "metrics", "tracing", "alerting"}
	pkgs := modulePackages(t)
	for _, path := range append([]string{"music", "music/internal/node", "music/boltstore", "music/redisstore", "music/storetest"}, production...) {
		imports, ok := pkgs[path]
		if !ok {
			t.Errorf("no package %s", path)
		}
		for _, imp := range imports {
			if imp == "github.com/disgoorg/disgo" || strings.HasPrefix(imp, "github.com/disgoorg/disgo/") {
				t.Errorf("%s imports %s: only music/disgobot may know disgo", path, imp)
			}
			if slices.Contains(production, path) && (imp == modulePath+"/music" || strings.HasPrefix(imp, modulePath+"/music/")) {
				t.Errorf("%s imports %s: the production packages stand alone", path, imp)
			}
		}
	}
}

// TestArchitectureImports: the table of which package imports which in
// ARCHITECTURE.md is the module's import graph. On a mismatch it prints
// the table to paste between the markers.
func TestArchitectureImports(t *testing.T) {
	doc := readDoc(t, "ARCHITECTURE.md")
	b := strings.Index(doc, importsBegin)
	if b < 0 {
		t.Fatalf("ARCHITECTURE.md has no line starting %q", importsBegin)
	}
	start := b + strings.Index(doc[b:], "\n") + 1
	e := strings.Index(doc[start:], importsEnd)
	if e < 0 {
		t.Fatalf("ARCHITECTURE.md has no %q after %q", importsEnd, importsBegin)
	}
	if got, want := doc[start:start+e], importTable(t); got != want {
		t.Errorf("ARCHITECTURE.md's import table is not the module's import graph; replace it with:\n\n%s", want)
	}
}

// The variable table in DEPLOYMENT.md sits between these two lines;
// examples/fullbot.TestDeploymentEnvTable keeps it equal to what
// "fullbot -env-markdown" prints.
const (
	envTableBegin = "<!-- BEGIN fullbot -env-markdown"
	envTableEnd   = "<!-- END fullbot -env-markdown -->"
)

// envVar is a row of DEPLOYMENT.md's variable table.
type envVar struct {
	Default                    string
	Required, Secret, TestOnly bool
}

// envTable reads DEPLOYMENT.md's variable table.
func envTable(t *testing.T) map[string]envVar {
	t.Helper()
	doc := readDoc(t, "DEPLOYMENT.md")
	b := strings.Index(doc, envTableBegin)
	e := strings.Index(doc, envTableEnd)
	if b < 0 || e < b {
		t.Fatalf("DEPLOYMENT.md has no variable table between %q and %q", envTableBegin, envTableEnd)
	}
	vars := map[string]envVar{}
	for _, line := range strings.Split(doc[b:e], "\n")[1:] {
		cells := tableCells(line)
		if len(cells) != 3 || !strings.HasPrefix(cells[0], "`") {
			continue
		}
		vars[strings.Trim(cells[0], "`")] = envVar{
			Default:  cells[1],
			Required: cells[1] == "required",
			Secret:   strings.Contains(cells[2], "Secret: never logged."),
			TestOnly: strings.HasPrefix(cells[2], "Test only."),
		}
	}
	if len(vars) == 0 {
		t.Fatal("DEPLOYMENT.md's variable table has no rows")
	}
	return vars
}
