package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/eisweep/eisweep/sweep"
)

func init() {
	register(&command{
		name: "validate", args: "[--max-runs N] FILE.toml ...", short: "check sweep definitions without running anything",
		long: `Check each sweep definition as "run" would before it runs anything: TOML
syntax, unknown keys, units, ranges, parameters set twice, zips, combinations
that cannot be simulated (over every grid cell), and the size limit. Print
each file's grid size and warnings, or every problem found, each with file,
line, key and the fix. Exit status 2 if any file has a problem.`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			maxRuns := fs.Int64("max-runs", sweep.DefaultMaxRuns, "largest sweep accepted (a guard against typos that multiply a grid)")
			return func(_ context.Context, args []string, stdout, stderr io.Writer) error {
				if len(args) == 0 {
					return usageError{"missing argument: want one or more sweep definition files"}
				}
				if *maxRuns < 1 {
					return usageError{fmt.Sprintf("--max-runs %d: want a number of runs ≥ 1", *maxRuns)}
				}
				var bad []error
				for _, path := range args {
					def, err := sweep.LoadWith(path, sweep.Options{MaxRuns: *maxRuns})
					if err != nil {
						bad = append(bad, err)
						continue
					}
					fmt.Fprintf(stdout, "%s: ok: %s\n", path, sizeLine(def))
					for _, w := range def.Warnings {
						fmt.Fprintf(stdout, "%s: warning: %s\n", path, w)
					}
				}
				return errors.Join(bad...)
			}
		},
	})
}

// sizeLine describes a definition's size: "18 cells × 20 replicates = 360 runs".
func sizeLine(def *sweep.Definition) string {
	return fmt.Sprintf("%s, %d %s × %d %s = %d %s", def.Name, def.Cells(), plural(def.Cells(), "cell", "cells"),
		def.Replicates, plural(int64(def.Replicates), "replicate", "replicates"), def.Runs(), plural(def.Runs(), "run", "runs"))
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
