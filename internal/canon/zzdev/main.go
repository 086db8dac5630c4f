// Command goh5 inspects and exports HDF5 files with the pure-Go goh5 reader.
//
// Usage:
//
//	goh5 <command> [flags] FILE [PATH...]
//
// Run "goh5 help" for the list of commands and "goh5 help <command>" for one.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// version is stamped in by the release build with -ldflags "-X main.version=...".
var version = "devel"

type command struct {
	name    string
	summary string
	usage   string
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// usageError is a command-line mistake: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one goh5 invocation and returns its exit status: 0 on
// success, 1 on a failure, 2 on a usage error.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printHelp(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "--help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				fmt.Fprintf(stdout, "usage: goh5 %s\n\n%s\n", c.usage, c.summary)
				return 0
			}
			fmt.Fprintf(stderr, "goh5: unknown command %q\n", args[1])
			return 2
		}
		printHelp(stdout)
		return 0
	case "version", "--version":
		fmt.Fprintf(stdout, "goh5 %s\n", version)
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "goh5: unknown command %q (run 'goh5 help')\n", name)
		return 2
	}
	if err := c.run(args[1:], stdout, stderr); err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "goh5 %s: %s\nusage: goh5 %s\n", name, ue.msg, c.usage)
			return 2
		}
		if errors.Is(err, errHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "goh5 %s: %v\n", name, err)
		return 1
	}
	return 0
}

var errHelp = errors.New("help requested")

func printHelp(w io.Writer) {
	fmt.Fprintf(w, "goh5 is a pure-Go HDF5 reader.\n\nusage: goh5 <command> [flags] FILE [PATH...]\n\ncommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "  %-8s %s\n", "version", "print the goh5 version")
	fmt.Fprintf(w, "\nRun 'goh5 help <command>' for a command's flags.\n")
}
