package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"syscall"

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

func (e interrupted) Error() string { return "interrupted by " + e.sig.String() }

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
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c := find(args[1]); c != nil {
				fs := flag.NewFlagSet("eisweep "+c.name, flag.ContinueOnError)
				c.setup(fs)
				fs.SetOutput(stdout)
				printCommandUsage(fs, c)
				return exitOK
			}
		}
		printUsage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c := find(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "eisweep: unknown command %q\n\n", args[0])
		printUsage(stderr)
		return exitUsage
	}
	fs := flag.NewFlagSet("eisweep "+c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	action := c.setup(fs)
	fs.Usage = func() { printCommandUsage(fs, c) }
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	err := action(ctx, fs.Args(), stdout, stderr)
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
	for _, c := range commands {
		fmt.Fprintf(w, "  eisweep %-34s %s\n", c.name+" "+c.args, c.short)
	}
	fmt.Fprintf(w, "\nRun \"eisweep help COMMAND\" for a command's flags.\n")
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
