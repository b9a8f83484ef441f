package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update", false, "rewrite the variable table in DEPLOYMENT.md from -env-markdown")

// deploymentDoc is DEPLOYMENT.md, from this package's directory.
const deploymentDoc = "../../DEPLOYMENT.md"

// The variable table in DEPLOYMENT.md sits between these two lines.
const (
	envTableBegin = "<!-- BEGIN fullbot -env-markdown"
	envTableEnd   = "<!-- END fullbot -env-markdown -->"
)

// refreshEnvTable is the command that rewrites the table.
const refreshEnvTable = "go test ./examples/fullbot -run '^TestDeploymentEnvTable$' -update"

// envTableSpan returns the byte range of the table in doc: from the line
// after the begin marker to the start of the end marker's line.
func envTableSpan(doc []byte) (start, end int, err error) {
	b := bytes.Index(doc, []byte(envTableBegin))
	if b < 0 {
		return 0, 0, fmt.Errorf("no line starting %q", envTableBegin)
	}
	nl := bytes.IndexByte(doc[b:], '\n')
	if nl < 0 {
		return 0, 0, errors.New("nothing after the begin marker")
	}
	start = b + nl + 1
	e := bytes.Index(doc[start:], []byte(envTableEnd))
	if e < 0 {
		return 0, 0, fmt.Errorf("no %q after the begin marker", envTableEnd)
	}
	return start, start + e, nil
}

// TestDeploymentEnvTable: the environment variables DEPLOYMENT.md lists
// are exactly what "fullbot -env-markdown" prints, so the operators'
// documentation cannot drift from the variables the bot reads
// (TestVariablesAreTheTable ties those to the table in vars.go).
func TestDeploymentEnvTable(t *testing.T) {
	var want bytes.Buffer
	if code := cli([]string{"-env-markdown"}, lookupIn(nil), &want, io.Discard); code != exitOK {
		t.Fatalf("cli(-env-markdown) = %d, want %d", code, exitOK)
	}
	doc, err := os.ReadFile(deploymentDoc)
	if err != nil {
		t.Fatal(err)
	}
	start, end, err := envTableSpan(doc)
	if err != nil {
		t.Fatalf("DEPLOYMENT.md: %v", err)
	}
	got := string(doc[start:end])
	if got == want.String() {
		return
	}
	if *updateDocs {
		out := append(append(append([]byte(nil), doc[:start]...), want.Bytes()...), doc[end:]...)
		if err := os.WriteFile(deploymentDoc, out, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the variable table in %s", deploymentDoc)
		return
	}
	line := 1 + bytes.Count(doc[:start], []byte("\n"))
	gotLines, wantLines := strings.Split(got, "\n"), strings.Split(want.String(), "\n")
	for i := 0; i < max(len(gotLines), len(wantLines)); i++ {
		var g, w string
		if i < len(gotLines) {
			g = gotLines[i]
		}
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if g != w {
			t.Errorf("DEPLOYMENT.md line %d differs from the output of go run ./examples/fullbot -env-markdown:\n got: %s\nwant: %s\nRefresh the table with:\n  %s",
				line+i, g, w, refreshEnvTable)
			return
		}
	}
}

func TestEnvTableSpan(t *testing.T) {
	doc := "intro\n" + envTableBegin + " (generated) -->\n| a |\n| b |\n" + envTableEnd + "\nafter\n"
	start, end, err := envTableSpan([]byte(doc))
	if err != nil || doc[start:end] != "| a |\n| b |\n" {
		t.Errorf("envTableSpan = %q, %v; want the two rows", doc[start:end], err)
	}
	for _, bad := range []string{
		"no markers\n",
		envTableBegin,
		envTableBegin + " -->\n| a |\n",
		envTableEnd + "\n" + envTableBegin + " -->\n",
	} {
		if _, _, err := envTableSpan([]byte(bad)); err == nil {
			t.Errorf("envTableSpan(%q) = nil error, want one", bad)
		}
	}
}
