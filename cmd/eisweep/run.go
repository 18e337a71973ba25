package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/eisweep/eisweep/pipeline"
	"github.com/eisweep/eisweep/sweep"
)

func init() {
	register(&command{
		name: "run", args: "[flags] FILE.toml", short: "run a sweep, writing one Parquet row per run",
		long: `Run every run of the sweep definition FILE.toml and write its rows to
DIR/runs/*.parquet (DIR defaults to results/<name>). Runs already in DIR are
skipped, so running again resumes an interrupted sweep. At the end, print what
the runs measured, beside the seed notebook's numbers when the definition is
the seed experiment.`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			out := fs.String("o", "", "output folder (default results/<name>)")
			jobs := fs.Int("j", 0, "concurrent workers (default: the CPUs this process may use)")
			quiet := fs.Bool("quiet", false, "no progress lines on stderr")
			maxRuns := fs.Int64("max-runs", sweep.DefaultMaxRuns, "largest sweep accepted (a guard against typos that multiply a grid)")
			return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
				if len(args) != 1 {
					return usageError{"want one sweep definition file"}
				}
				if *jobs < 0 {
					return usageError{fmt.Sprintf("-j %d: want a number of workers ≥ 1", *jobs)}
				}
				def, err := sweep.LoadWith(args[0], sweep.Options{MaxRuns: *maxRuns})
				if err != nil {
					return err
				}
				opt := pipeline.Options{OutDir: *out, Jobs: *jobs}
				if !*quiet {
					opt.Progress = stderr
				}
				sum, err := pipeline.Run(ctx, def, opt)
				if err != nil {
					if sum != nil && len(sum.Parts) > 0 {
						fmt.Fprintf(stderr, "eisweep: %d runs written to %s; run again to resume\n", sum.OK+sum.Failed, sum.OutDir)
					}
					return err
				}
				fs, err := pipeline.ReadFolderStats(sum.OutDir)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "%s: %d runs (%d now, %d already done), %d failed, in %s\n",
					def.Name, sum.Total, sum.OK+sum.Failed, sum.Skipped, fs.Rows-fs.OK, filepath.Join(sum.OutDir, "runs"))
				for _, w := range def.Warnings {
					fmt.Fprintf(stderr, "eisweep: warning: %s\n", w)
				}
				if def.Cells() > 1 {
					fmt.Fprintf(stdout, "%d grid cells: query %s with DuckDB or pandas (see README)\n", def.Cells(), filepath.Join(sum.OutDir, "runs", "*.parquet"))
					return failedRuns(fs, stderr)
				}
				fmt.Fprintln(stdout)
				ex := sum.Example
				if ex == nil {
					ex, err = pipeline.DescribePoint(def)
					if err != nil {
						return err
					}
				}
				if err := pipeline.Report(stdout, ex, fs, len(def.Overridden) == 0 && len(def.Axes) == 0); err != nil {
					return err
				}
				return failedRuns(fs, stderr)
			}
		},
	})
}

// failedRuns reports runs that failed numerically, as exit status 3.
func failedRuns(fs pipeline.FolderStats, stderr io.Writer) error {
	if fs.Rows > fs.OK {
		fmt.Fprintf(stderr, "eisweep: %d of %d runs failed numerically (rows with status \"failed\")\n", fs.Rows-fs.OK, fs.Rows)
		return errRunsFailed
	}
	return nil
}
