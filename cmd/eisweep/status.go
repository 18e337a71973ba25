package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/eisweep/eisweep/pipeline"
)

func init() {
	register(&command{
		name: "status", args: "DIR", short: "done, failed and remaining runs of an output folder",
		long: `Print, without running or changing anything, how far the sweep in DIR is:
runs done, failed and remaining (per shard when shards wrote it), part files
per table, files moved aside as unreadable, and who is writing now.`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			return func(_ context.Context, args []string, stdout, _ io.Writer) error {
				if len(args) != 1 {
					return usageError{"want one output folder"}
				}
				st, err := pipeline.ReadStatus(args[0])
				if err != nil {
					return err
				}
				pct := func(a, b int64) float64 {
					if b == 0 {
						return 100
					}
					return 100 * float64(a) / float64(b)
				}
				fmt.Fprintf(stdout, "%s: %s\n", args[0], sizeLine(st.Def))
				fmt.Fprintf(stdout, "  done       %d (%.1f%%), of which %d failed numerically\n", st.Done, pct(st.Done, st.Total), st.Failed)
				fmt.Fprintf(stdout, "  remaining  %d\n", st.Total-st.Done)
				if st.Extra > 0 {
					fmt.Fprintf(stdout, "  other      %d rows of runs not in this definition\n", st.Extra)
				}
				for _, sh := range st.PerShard {
					state := "complete"
					switch {
					case sh.Done == 0:
						state = "not started"
					case sh.Done < sh.Total:
						state = "incomplete"
					}
					fmt.Fprintf(stdout, "  shard %-7s %d/%d runs, %s\n", sh.Shard, sh.Done, sh.Total, state)
				}
				fmt.Fprintf(stdout, "  files      runs/ %d, fi/ %d, traces/ %d\n", st.Parts["runs"], st.Parts["fi"], st.Parts["traces"])
				for _, c := range st.Corrupt {
					fmt.Fprintf(stdout, "  moved aside (unreadable): %s\n", c)
				}
				for _, u := range st.Unreadable {
					fmt.Fprintf(stdout, "  unreadable: %s (the next run moves it aside and reruns its runs)\n", u)
				}
				if st.Writers != "" {
					fmt.Fprintf(stdout, "  running    %s\n", st.Writers)
				}
				return nil
			}
		},
	})
	register(&command{
		name: "compact", args: "DIR", short: "merge an output folder's part files into few large ones",
		long: `Merge each table's part files in DIR (runs/, fi/, traces/) into few large
files (up to 5 million rows each) with row groups of at least 100,000 rows,
which DuckDB and pandas read much faster. "run" does this when a whole sweep
completes; after a sharded sweep, run it once all shards are done. Rows are
never fewer on disk than before, and a crash midway is repaired by the next
compact or run.`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			return func(_ context.Context, args []string, stdout, stderr io.Writer) error {
				if len(args) != 1 {
					return usageError{"want one output folder"}
				}
				warnIncomplete(args[0], stderr)
				sums, err := pipeline.Compact(args[0])
				if err != nil {
					return err
				}
				if len(sums) == 0 {
					fmt.Fprintf(stdout, "%s: nothing to compact\n", args[0])
				}
				for _, s := range sums {
					fmt.Fprintf(stdout, "%s/%s: %d files → %d, %d rows\n", args[0], s.Table, s.PartsBefore, s.FilesAfter, s.Rows)
				}
				return nil
			}
		},
	})
	register(&command{
		name: "schema", short: "print the columns of the output tables",
		long: `Print every column of the runs, fi and traces tables with its type,
nullability and meaning (docs/SCHEMA.md holds the same).`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			return func(_ context.Context, args []string, stdout, _ io.Writer) error {
				if len(args) > 0 {
					return usageError{"schema takes no arguments"}
				}
				return pipeline.WriteSchemaDoc(stdout)
			}
		},
	})
}

// warnIncomplete tells, on stderr, which runs and shards of the folder are not done yet, so that
// compact and aggregate over a partial union say so.
func warnIncomplete(dir string, stderr io.Writer) {
	st, err := pipeline.ReadStatus(dir)
	if err != nil || st.Done == st.Total {
		return
	}
	fmt.Fprintf(stderr, "eisweep: warning: %s has %d of %d runs; the rest are missing", dir, st.Done, st.Total)
	var shards []string
	for _, sh := range st.PerShard {
		if sh.Done < sh.Total {
			shards = append(shards, fmt.Sprintf("%s (%d/%d)", sh.Shard, sh.Done, sh.Total))
		}
	}
	if len(shards) > 0 {
		fmt.Fprintf(stderr, ": shards %s are incomplete", strings.Join(shards, ", "))
	}
	fmt.Fprintln(stderr)
}
