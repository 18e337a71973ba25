package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/eisweep/eisweep/aggregate"
	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/pipeline"
	"github.com/eisweep/eisweep/report"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
)

func init() {
	register(&command{
		name: "run", args: "[flags] FILE.toml", short: "run a sweep, writing one Parquet row per run",
		long: `Run every run of the sweep definition FILE.toml and write its rows to
DIR/runs/*.parquet (DIR defaults to results/<name>). Runs already in DIR are
skipped, so running again resumes an interrupted sweep (Ctrl-C, SIGTERM, a
crash or a kill lose at most the rows of the last flush). One process writes
a folder at a time (shards: one per shard), and a non-empty folder that is not
an eisweep folder is refused. A complete sweep ends by compacting its part
files into few large ones. At the end, print what the runs
measured, beside the seed notebook's numbers for the seed experiment.

--shard k/n runs the k-th of n disjoint slices (1 ≤ k ≤ n), chosen by run
identity; shards may run at once, on several hosts, into one folder on shared
storage. The folder keeps the n of its first shard: a shard of another n is
refused while it stands; a run without --shard finishes the sweep and resets
it. In a SLURM array task the shard comes from the environment unless
--shard is given: with EISWEEP_SHARD_COUNT set (eisweep slurm's scripts set
it), k = EISWEEP_SHARD_OFFSET + SLURM_ARRAY_TASK_ID + 1 of EISWEEP_SHARD_COUNT,
so that sbatch --array=I resubmits shard I+1; otherwise a plain array's task
is shard SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1 of
SLURM_ARRAY_TASK_COUNT.`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			out := fs.String("o", "", "output folder (default results/<name>)")
			jobs := fs.Int("j", 0, "concurrent workers (default: the CPUs this process may use)")
			quiet := fs.Bool("quiet", false, "no progress lines on stderr")
			maxRuns := fs.Int64("max-runs", sweep.DefaultMaxRuns, "largest sweep accepted (a guard against typos that multiply a grid)")
			shardFlag := fs.String("shard", "", "run only shard k of n, as k/n")
			fromEnv := fs.Bool("shard-from-env", false, "take the shard from the SLURM array task's environment (the default when SLURM_ARRAY_TASK_ID is set)")
			dry := fs.Bool("dry-run", false, "say how many runs would run, and write nothing")
			flushRows := fs.Int("flush-rows", store.MinRowGroup, "runs per part file (a sweep of at most this many runs is written once, compacted)")
			flushEvery := fs.Duration("flush-interval", 30*time.Second, "longest time finished runs wait in memory before being written")
			noCompact := fs.Bool("no-compact", false, "do not compact the part files when the sweep completes")
			return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
				if err := wantArgs(args, 1, "one sweep definition file"); err != nil {
					return err
				}
				if *jobs < 0 {
					return usageError{fmt.Sprintf("-j %d: want a number of workers ≥ 1", *jobs)}
				}
				var shard sweep.Shard
				switch {
				case *shardFlag != "" && *fromEnv:
					return usageError{"give --shard or --shard-from-env, not both"}
				case *shardFlag != "":
					var err error
					if shard, err = sweep.ParseShard(*shardFlag); err != nil {
						return usageError{err.Error()}
					}
				default:
					sh, isTask, err := sweep.ShardFromEnv(os.Getenv)
					if err != nil {
						return usageError{"shard from the SLURM environment: " + err.Error()}
					}
					if *fromEnv && !isTask {
						return usageError{"--shard-from-env: SLURM_ARRAY_TASK_ID is not set (not a SLURM array task)"}
					}
					if isTask {
						shard = sh
						if !*quiet {
							fmt.Fprintf(stderr, "eisweep: SLURM array task %s: shard %s\n", os.Getenv("SLURM_ARRAY_TASK_ID"), shard)
						}
					}
				}
				if *flushRows < 1 || *flushEvery <= 0 {
					return usageError{"--flush-rows and --flush-interval must be positive"}
				}
				if *maxRuns < 1 {
					return usageError{fmt.Sprintf("--max-runs %d: want a number of runs ≥ 1", *maxRuns)}
				}
				def, err := loadDefinition(args[0], sweep.Options{MaxRuns: *maxRuns})
				if err != nil {
					return err
				}
				opt := pipeline.Options{OutDir: *out, Jobs: *jobs, Shard: shard, FlushRows: *flushRows, FlushInterval: *flushEvery, NoCompact: *noCompact}
				if !*quiet {
					opt.Progress = stderr
				}
				if *dry {
					total, done, err := pipeline.DryRun(ctx, def, opt)
					if err != nil {
						return err
					}
					dir := *out
					if dir == "" {
						dir = filepath.Join("results", def.Name)
					}
					fmt.Fprintf(stdout, "%s: shard %s: %d runs, %d already in %s, %d to run; nothing written (--dry-run)\n", def.Name, shard, total, done, dir, total-done)
					return nil
				}
				sum, err := pipeline.Run(ctx, def, opt)
				if err != nil {
					if sum != nil && sum.Written > 0 {
						fmt.Fprintf(stderr, "eisweep: %d runs written to %s by this invocation; run again to resume\n", sum.Written, sum.OutDir)
					}
					return err
				}
				// The seed report's read of the runs counts them too; other folders count the
				// status column alone.
				report1 := shard.N == 0 && def.Cells() == 1 && def.Kind() == sweep.ExperimentUnit
				var rows, failed int64
				var fs report.FolderStats
				if report1 {
					if fs, err = report.ReadFolderStats(sum.OutDir); err != nil {
						return err
					}
					rows, failed = int64(fs.Rows), int64(fs.Rows-fs.OK)
				} else if rows, failed, err = report.CountRuns(sum.OutDir); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "%s: %d runs (%d now, %d already done), %d failed, in %s\n",
					def.Name, sum.Total, sum.OK+sum.Failed, sum.Skipped, failed, filepath.Join(sum.OutDir, "runs"))
				if shard.N > 0 {
					fmt.Fprintf(stdout, "shard %s done; `eisweep status %s` shows the other shards, `eisweep compact %s` merges the parts once all are done\n", shard, sum.OutDir, sum.OutDir)
					return failedRuns(rows, failed, stderr)
				}
				for _, c := range sum.Compact {
					if c.FilesBefore > c.FilesAfter {
						fmt.Fprintf(stdout, "compacted %s: %d parts into %d file(s), %d rows\n", c.Table, c.FilesBefore, c.FilesAfter, c.Rows)
					}
				}
				for _, w := range def.Warnings {
					fmt.Fprintf(stderr, "eisweep: warning: %s\n", w)
				}
				if def.Solve != nil {
					fmt.Fprintf(stdout, "%s has a [solve] table, which run does not use: `eisweep solve %s` solves it\n", args[0], args[0])
				}
				if def.Cells() > 1 {
					fmt.Fprintf(stdout, "%d grid cells: query %s with DuckDB or pandas (see README)\n", def.Cells(), filepath.Join(sum.OutDir, "runs", "*.parquet"))
					return failedRuns(rows, failed, stderr)
				}
				if def.Kind() != sweep.ExperimentUnit {
					// What show prints: the trials' means and intervals.
					res, err := aggregate.Compute(ctx, sum.OutDir, aggregate.Options{Bootstrap: 1})
					if err != nil {
						return err
					}
					fmt.Fprintln(stdout)
					if err := printShow(stdout, def, res, nil, defaultShow[def.Kind()], "table"); err != nil {
						return err
					}
					return failedRuns(rows, failed, stderr)
				}
				fmt.Fprintln(stdout)
				var ex *experiment.Row
				if r, ok := sum.Example.(*experiment.Result); ok {
					ex = &r.Row
				} else if ex, err = experiment.DescribePoint(def); err != nil {
					return err
				}
				if err := report.Report(stdout, ex, fs, len(def.Overridden) == 0 && len(def.Axes) == 0); err != nil {
					return err
				}
				return failedRuns(rows, failed, stderr)
			}
		},
	})
}

// failedRuns reports runs that failed numerically, as exit status 3.
func failedRuns(rows, failed int64, stderr io.Writer) error {
	if failed > 0 {
		fmt.Fprintf(stderr, "eisweep: %d of %d runs failed numerically (rows with status \"failed\")\n", failed, rows)
		return errRunsFailed
	}
	return nil
}
