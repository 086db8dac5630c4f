package main

import (
	"flag"
	"io"
	"strings"
)

// newFlags returns a FlagSet for a subcommand that reports errors instead of
// exiting, and prints its usage on -h.
func newFlags(c *command, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("goh5 "+c.name, flag.ContinueOnError)
	// The flag package's own error messages are dropped: run prints the
	// error once, with the usage line.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		io.WriteString(stderr, "usage: goh5 "+c.usage+"\n\n"+c.summary+"\n\nflags:\n")
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseArgs parses flags that may appear before, between or after the
// positional arguments ("goh5 ls file.h5 -r" works as "goh5 ls -r file.h5").
// A "--" ends flag parsing.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	usage := fs.Usage
	fs.Usage = func() {} // printed below for -h only
	defer func() { fs.Usage = usage }()
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				usage()
				return nil, errHelp
			}
			return nil, &usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			continue
		}
	}
}
