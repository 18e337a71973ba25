package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"

	"golang.org/x/sys/unix"

	"github.com/eisweep/eisweep/sweep"
)

// command is one subcommand: its flags are defined on fs by setup, which returns the action.
type command struct {
	name, args, short, long string
	setup                   func(fs *flag.FlagSet) func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands []*command

func register(c *command) { commands = append(commands, c) }

// Exit codes. They are part of the interface: scripts and SLURM read them.
const (
	exitOK        = 0   // success
	exitError     = 1   // the command failed (the message says why)
	exitUsage     = 2   // bad command line or sweep definition: nothing ran
	exitRunFailed = 3   // the sweep completed, but some runs failed numerically (rows with status "failed")
	exitSIGINT    = 130 // interrupted by SIGINT (Ctrl-C): finished runs were written; run again to resume
	exitSIGTERM   = 143 // terminated by SIGTERM (e.g. SLURM's time limit): as for SIGINT
)

// usageError is a bad command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// interrupted is the cancellation cause when a signal arrives.
type interrupted struct{ sig syscall.Signal }

func (e interrupted) Error() string {
	if e.sig == syscall.SIGTERM {
		return "stopped by SIGTERM"
	}
	return "interrupted (" + unix.SignalName(e.sig) + ")"
}

// errRunsFailed: the sweep completed with failed runs.
var errRunsFailed = errors.New("some runs failed")

// exitCode maps an error to the process exit status. A bad sweep definition is a usage error
// (2), like a bad command line: nothing ran.
func exitCode(err error) int {
	var u usageError
	var in interrupted
	var def *sweep.Error
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &u), errors.As(err, &def):
		return exitUsage
	case errors.As(err, &in):
		if in.sig == syscall.SIGTERM {
			return exitSIGTERM
		}
		return exitSIGINT
	case errors.Is(err, errRunsFailed):
		return exitRunFailed
	}
	return exitError
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) == 1 {
			printUsage(stdout)
			return exitOK
		}
		c := find(args[1])
		if c == nil {
			unknownCommand(stderr, args[1])
			return exitUsage
		}
		fs := flag.NewFlagSet("eisweep "+c.name, flag.ContinueOnError)
		c.setup(fs)
		fs.SetOutput(stdout)
		printCommandUsage(fs, c)
		return exitOK
	}
	c := find(args[0])
	if c == nil {
		unknownCommand(stderr, args[0])
		return exitUsage
	}
	fs := flag.NewFlagSet("eisweep "+c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	action := c.setup(fs)
	fs.Usage = func() { printCommandUsage(fs, c) }
	positional, err := parseInterspersed(fs, args[1:], stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			// Asked for: the usage goes to stdout, as for "eisweep help COMMAND".
			fs.SetOutput(stdout)
			printCommandUsage(fs, c)
			return exitOK
		}
		return exitUsage // flag has said what was wrong, with the usage
	}
	err = action(ctx, positional, stdout, stderr)
	if cause := context.Cause(ctx); cause != nil && err != nil && errors.Is(err, context.Canceled) {
		err = cause
	}
	var defErr *sweep.Error
	if errors.As(err, &defErr) {
		fmt.Fprintf(stderr, "%v\n", err) // each line names its file
	} else if err != nil && !errors.Is(err, errRunsFailed) {
		fmt.Fprintf(stderr, "eisweep %s: %v\n", c.name, err)
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintf(stderr, "usage: eisweep %s %s\n", c.name, c.args)
		}
	}
	return exitCode(err)
}

// parseInterspersed parses flags anywhere among the arguments, as people type them
// ("eisweep run sweeps/seed.toml -o DIR"), and returns the other arguments in order. "--" ends
// the flags: every argument after it is positional.
// A parse error is reported on stderr with the command's usage.
func parseInterspersed(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, error) {
	fs.SetOutput(io.Discard) // -h is answered by the caller, errors below
	var positional []string
	for {
		err := fs.Parse(args)
		if err != nil {
			if !errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
				fs.SetOutput(stderr)
				fs.Usage()
			}
			return nil, err
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// unknownCommand says that name is not a command, suggests the nearest, and lists them.
func unknownCommand(w io.Writer, name string) {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	fmt.Fprintf(w, "eisweep: unknown command %q", name)
	if near := sweep.Nearest(name, names); near != "" {
		fmt.Fprintf(w, "; did you mean %q?", near)
	}
	fmt.Fprintf(w, "\n\n")
	printUsage(w)
}

// wantNames checks that every name given with flag is one of known (what they are: "a
// measurement the summary holds"), suggesting the nearest and listing them.
func wantNames(flag string, names, known []string, what string) error {
	for _, m := range names {
		if !slices.Contains(known, m) {
			msg := fmt.Sprintf("%s: %q is not %s", flag, m, what)
			if near := sweep.Nearest(m, known); near != "" {
				msg += fmt.Sprintf("; did you mean %s?", near)
			}
			return usageError{msg + " (they are: " + strings.Join(known, ", ") + ")"}
		}
	}
	return nil
}

// wantArgs checks that a command got n arguments (what they are: "one sweep definition file"),
// naming the one that was unexpected, or saying what is missing.
func wantArgs(args []string, n int, what string) error {
	switch {
	case len(args) > n:
		return usageError{fmt.Sprintf("unexpected argument %q: want %s", args[n], what)}
	case len(args) < n:
		return usageError{"missing argument: want " + what}
	}
	return nil
}

func find(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "eisweep runs parameter sweeps of the single-unit E/I balance experiment.\n\nUsage:\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  eisweep %s\t%s\n", c.name, c.short)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nRun \"eisweep help COMMAND\" for a command's flags. Flags may come before or after the\narguments; \"--\" ends them.\n")
}

func printCommandUsage(fs *flag.FlagSet, c *command) {
	w := fs.Output()
	fmt.Fprintf(w, "usage: eisweep %s %s\n\n%s\n", c.name, c.args, strings.TrimSpace(c.long))
	var has bool
	fs.VisitAll(func(*flag.Flag) { has = true })
	if has {
		fmt.Fprintf(w, "\nFlags:\n")
		fs.PrintDefaults()
	}
	fmt.Fprintf(w, "\nExit status: 0 success, 1 error, 2 bad command line or definition, 3 completed with failed runs,\n130 SIGINT, 143 SIGTERM.\n")
}

// loadDefinition reads a sweep definition file; a file that does not exist is a bad command
// line (exit 2), like a malformed definition.
func loadDefinition(path string, opt sweep.Options) (*sweep.Definition, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, usageError{fmt.Sprintf("%s: no such file: want a sweep definition, e.g. sweeps/seed.toml (`eisweep params --format toml` prints one with every default)", path)}
	}
	return sweep.LoadWith(path, opt)
}
