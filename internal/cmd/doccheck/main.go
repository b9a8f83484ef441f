package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is main with its inputs and outputs passed in; it returns the exit
// code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("doccheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("C", ".", "check the packages under this directory")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "doccheck: unexpected arguments %q\n", fs.Args())
		return 2
	}
	reports, err := checkTree(*root)
	if err != nil {
		fmt.Fprintln(stderr, "doccheck:", err)
		return 1
	}
	return printReports(stdout, reports)
}
