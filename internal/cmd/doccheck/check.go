package main

import (
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/scanner"
	"go/token"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// severity of a finding.
type severity int

const (
	warning severity = iota // worth a look; does not fail the check
	failure                 // fails the check
)

// finding is one problem, at a position such as "alerting/rule.go:12".
type finding struct {
	sev severity
	pos string
	msg string
}

// report is the outcome of checking one package.
type report struct {
	dir      string // relative to the root, "." for the root itself
	name     string // package name
	command  bool   // package main
	examples int    // runnable examples
	exported int    // exported identifiers checked
	findings []finding
}

func (r *report) add(sev severity, pos, format string, args ...any) {
	r.findings = append(r.findings, finding{sev, pos, fmt.Sprintf(format, args...)})
}

// count returns the number of findings of sev.
func (r *report) count(sev severity) int {
	n := 0
	for _, f := range r.findings {
		if f.sev == sev {
			n++
		}
	}
	return n
}

// checkTree checks every package under root.
func checkTree(root string) ([]report, error) {
	var reports []report
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if r, ok := checkDir(root, filepath.ToSlash(rel)); ok {
			reports = append(reports, r)
		}
		return nil
	})
	return reports, err
}

// checkDir checks the package in root/dir; ok is false when the directory
// holds no Go package.
func checkDir(root, dir string) (r report, ok bool) {
	r.dir = dir
	pkg, err := build.Default.ImportDir(filepath.Join(root, dir), 0)
	var noGo *build.NoGoError
	var multi *build.MultiplePackageError
	switch {
	case errors.As(err, &noGo):
		return r, false
	case errors.As(err, &multi):
		r.add(failure, dir, "several packages in one directory: %s", strings.Join(multi.Packages, ", "))
		return r, true
	case err != nil:
		r.add(failure, dir, "cannot read the package: %v", err)
		return r, true
	}
	r.name, r.command = pkg.Name, pkg.Name == "main"

	fset := token.NewFileSet()
	rel := func(pos token.Pos) string {
		p := fset.Position(pos)
		name, err := filepath.Rel(root, p.Filename)
		if err != nil {
			name = p.Filename
		}
		return fmt.Sprintf("%s:%d", filepath.ToSlash(name), p.Line)
	}
	parse := func(names []string) []*ast.File {
		var files []*ast.File
		for _, n := range names {
			f, err := parser.ParseFile(fset, filepath.Join(root, dir, n), nil, parser.ParseComments)
			if err != nil {
				pos, msg := path.Join(dir, n), err.Error()
				var list scanner.ErrorList
				if errors.As(err, &list) && len(list) > 0 {
					pos, msg = fmt.Sprintf("%s:%d", pos, list[0].Pos.Line), list[0].Msg
				}
				r.add(failure, pos, "cannot parse: %s", msg)
				continue
			}
			files = append(files, f)
		}
		return files
	}
	files := parse(append(slices.Clone(pkg.GoFiles), pkg.CgoFiles...))
	tests := parse(append(slices.Clone(pkg.TestGoFiles), pkg.XTestGoFiles...))

	exportsAPI := false
	for _, f := range files {
		if ast.IsGenerated(f) {
			exportsAPI = exportsAPI || exportsAnything(f)
			continue
		}
		n := checkComments(&r, f, rel)
		exportsAPI = exportsAPI || n > 0
		r.exported += n
	}
	if r.command {
		if !slices.ContainsFunc(files, func(f *ast.File) bool { return f.Doc != nil }) {
			r.add(warning, dir, "command has no package comment saying what it does and how to run it")
		}
		return r, true
	}
	checkDocFile(&r, fset, files, rel)

	for _, ex := range doc.Examples(tests...) {
		if ex.Output != "" || ex.EmptyOutput {
			r.examples++
		}
	}
	if r.examples == 0 && exportsAPI {
		r.add(failure, dir, "no runnable example: add an Example function with an // Output: comment to example_test.go")
	}
	return r, true
}

// checkDocFile checks that doc.go exists, carries the package comment and
// nothing else, and that no other file has a package comment.
func checkDocFile(r *report, fset *token.FileSet, files []*ast.File, rel func(token.Pos) string) {
	var docFile *ast.File
	for _, f := range files {
		if filepath.Base(fset.File(f.Package).Name()) == "doc.go" {
			docFile = f
		} else if f.Doc != nil {
			r.add(warning, rel(f.Doc.Pos()), "package comment outside doc.go; go doc joins every package comment, keep one in doc.go")
		}
	}
	switch {
	case docFile == nil:
		r.add(failure, r.dir, "no doc.go: add one holding the package comment")
	case docFile.Doc == nil:
		r.add(failure, rel(docFile.Package), "doc.go has no package comment")
	default:
		if !strings.HasPrefix(docFile.Doc.Text(), "Package "+r.name+" ") {
			r.add(failure, rel(docFile.Doc.Pos()), "package comment should start with \"Package %s \"", r.name)
		}
		if len(docFile.Decls) > 0 {
			r.add(warning, rel(docFile.Decls[0].Pos()), "doc.go should hold the package comment only; move declarations to the files of their concept")
		}
	}
}

// checkComments reports exported identifiers of f without doc comments
// and returns how many exported identifiers it checked.
func checkComments(r *report, f *ast.File, rel func(token.Pos) string) int {
	n := 0
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			name := d.Name.Name
			kind := "func"
			if d.Recv != nil {
				recv := receiverType(d.Recv)
				if !ast.IsExported(recv) {
					continue
				}
				name, kind = recv+"."+name, "method"
			}
			if !d.Name.IsExported() {
				continue
			}
			n++
			checkDoc(r, rel(d.Pos()), kind, name, d.Name.Name, d.Doc)
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if !s.Name.IsExported() {
						continue
					}
					n++
					doc := s.Doc
					if doc == nil && !d.Lparen.IsValid() {
						doc = d.Doc
					}
					checkDoc(r, rel(s.Pos()), "type", s.Name.Name, s.Name.Name, doc)
				case *ast.ValueSpec:
					n += checkValueSpec(r, d, s, rel)
				}
			}
		}
	}
	return n
}

// checkValueSpec checks a const or var spec: a comment on the spec, a
// trailing comment, or the comment of its parenthesized group documents it.
func checkValueSpec(r *report, d *ast.GenDecl, s *ast.ValueSpec, rel func(token.Pos) string) int {
	var exported []string
	for _, id := range s.Names {
		if id.IsExported() {
			exported = append(exported, id.Name)
		}
	}
	if len(exported) == 0 {
		return 0
	}
	kind := d.Tok.String()
	doc := s.Doc
	if doc == nil && !d.Lparen.IsValid() {
		doc = d.Doc
	}
	switch {
	case !d.Lparen.IsValid() && len(s.Names) == 1:
		checkDoc(r, rel(s.Pos()), kind, exported[0], exported[0], doc)
	case doc == nil && s.Comment == nil && d.Doc == nil:
		hint := ""
		if d.Lparen.IsValid() {
			hint = " (comment the group or the line)"
		}
		r.add(failure, rel(s.Pos()), "%s %s: exported without a doc comment%s", kind, strings.Join(exported, ", "), hint)
	}
	return len(exported)
}

// checkDoc reports a missing doc comment, or one that does not start with
// the name it documents.
func checkDoc(r *report, pos, kind, display, name string, doc *ast.CommentGroup) {
	if doc == nil || strings.TrimSpace(doc.Text()) == "" {
		r.add(failure, pos, "%s %s: exported without a doc comment", kind, display)
		return
	}
	if !startsWithName(doc.Text(), name) {
		first, _, _ := strings.Cut(strings.TrimSpace(doc.Text()), "\n")
		r.add(warning, pos, "%s %s: doc comment should start with %q, not %q", kind, display, name, truncate(first, 40))
	}
}

// startsWithName reports whether a doc comment starts with name, possibly
// after an article, or is a deprecation notice.
func startsWithName(text, name string) bool {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "Deprecated:") {
		return true
	}
	for _, article := range []string{"", "A ", "An ", "The "} {
		rest, ok := strings.CutPrefix(text, article+name)
		if !ok {
			continue
		}
		next, _ := utf8.DecodeRuneInString(rest)
		if rest == "" || !(unicode.IsLetter(next) || unicode.IsDigit(next) || next == '_') {
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// receiverType returns the name of a method's receiver type, without
// pointer or type parameters.
func receiverType(recv *ast.FieldList) string {
	if recv == nil || len(recv.List) == 0 {
		return ""
	}
	t := recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// exportsAnything reports whether f declares an exported identifier at
// top level (methods count when their receiver type is exported).
func exportsAnything(f *ast.File) bool {
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() && (d.Recv == nil || ast.IsExported(receiverType(d.Recv))) {
				return true
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() {
						return true
					}
				case *ast.ValueSpec:
					if slices.ContainsFunc(s.Names, (*ast.Ident).IsExported) {
						return true
					}
				}
			}
		}
	}
	return false
}

// printReports writes one line per package, the findings, and a summary;
// it returns the exit code: 1 when any finding is an error.
func printReports(w io.Writer, reports []report) int {
	slices.SortFunc(reports, func(a, b report) int { return strings.Compare(a.dir, b.dir) })
	var passed, warnings, errs int
	for _, r := range reports {
		nw, ne := r.count(warning), r.count(failure)
		warnings += nw
		errs += ne
		switch {
		case ne > 0:
			fmt.Fprintf(w, "✗ %s: %s\n", r.dir, plural(ne, "error")+andWarnings(nw))
		case nw > 0:
			passed++
			fmt.Fprintf(w, "⚠ %s: %s\n", r.dir, plural(nw, "warning"))
		default:
			passed++
			fmt.Fprintf(w, "✓ %s: %s\n", r.dir, r.summary())
		}
		for _, f := range r.findings {
			mark := "⚠"
			if f.sev == failure {
				mark = "✗"
			}
			fmt.Fprintf(w, "    %s %s: %s\n", mark, f.pos, f.msg)
		}
	}
	fmt.Fprintf(w, "doccheck: %s: %d ✓ passed, %d ⚠ %s, %d ✗ %s\n",
		plural(len(reports), "package"), passed, warnings, noun(warnings, "warning"), errs, noun(errs, "error"))
	if errs > 0 {
		return 1
	}
	return 0
}

// summary describes a clean package.
func (r report) summary() string {
	if r.command {
		return "command, documented"
	}
	if r.exported == 0 && r.examples == 0 {
		return "doc.go; exports nothing, so needs no example"
	}
	return fmt.Sprintf("doc.go, %s, %s documented", plural(r.examples, "runnable example"), plural(r.exported, "exported identifier"))
}

func andWarnings(n int) string {
	if n == 0 {
		return ""
	}
	return ", " + plural(n, "warning")
}

// plural writes "1 error", "2 errors".
func plural(n int, word string) string { return fmt.Sprintf("%d %s", n, noun(n, word)) }

// noun returns word in the plural unless n is 1.
func noun(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
