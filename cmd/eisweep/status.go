package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/pipeline"
	"github.com/eisweep/eisweep/solve"
	"github.com/eisweep/eisweep/store"
)

func init() {
	register(&command{
		name: "status", args: "DIR", short: "done, failed and remaining runs of an output folder",
		long: `Print, without running or changing anything and without taking a lock, how
far the work in DIR is: for a sweep, runs done, failed and remaining (per shard
when shards wrote it) and rows written twice; for a solve folder, cells solved
and remaining; then files per table, files that are unreadable or were moved
aside, interrupted writes, and who is writing now.`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			return func(ctx context.Context, args []string, stdout, _ io.Writer) error {
				if err := wantArgs(args, 1, "one output folder"); err != nil {
					return err
				}
				return printStatus(ctx, args[0], stdout)
			}
		},
	})
	register(&command{
		name: "compact", args: "DIR", short: "merge an output folder's part files into few large ones",
		long: `Merge each table's part files in DIR (runs/ and its companions, solved/) into few
large files (up to 5 million rows each) with row groups of at least 100,000
rows, which DuckDB and pandas read much faster, keeping every run's rows once.
"run" does this when a whole sweep completes; after a sharded sweep, run it once
all shards are done. It takes the whole folder, removes what interrupted
writers left (temporary files, rows of batches that never completed), and
stops on SIGINT or SIGTERM; a crash or a signal midway leaves the folder as it
was or compacted, never with rows lost or doubled.`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
				if err := wantArgs(args, 1, "one output folder"); err != nil {
					return err
				}
				dir := args[0]
				if _, err := pipeline.LoadFolder(dir); err != nil {
					return err
				}
				warnIncomplete(ctx, dir, stderr)
				var sums []store.CompactSummary
				for _, tables := range folderTables(dir) {
					s, err := pipeline.Compact(ctx, dir, tables, os.Args)
					if err != nil {
						return err
					}
					sums = append(sums, s...)
				}
				if len(sums) == 0 {
					fmt.Fprintf(stdout, "%s: nothing to compact\n", dir)
				}
				for _, s := range sums {
					fmt.Fprintf(stdout, "%s/%s: %d %s → %d, %d rows", dir, s.Table, s.FilesBefore, plural(int64(s.FilesBefore), "file", "files"), s.FilesAfter, s.Rows)
					if s.FilesBefore == s.FilesAfter && !s.Rewritten {
						fmt.Fprint(stdout, " (already compacted)")
					}
					if s.Dropped > 0 {
						fmt.Fprintf(stdout, " (%d rows written twice dropped)", s.Dropped)
					}
					fmt.Fprintln(stdout)
				}
				return nil
			}
		},
	})
	register(&command{
		name: "schema", short: "print the columns of the output tables",
		long: `Print every column of the output tables (runs/ and companions of both
experiments, solved, summary and balance) with its type, nullability and meaning, as Markdown (docs/SCHEMA.md
holds the same).`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			return func(_ context.Context, args []string, stdout, _ io.Writer) error {
				if len(args) > 0 {
					return usageError{"schema takes no arguments"}
				}
				return WriteSchemaDoc(stdout)
			}
		},
	})
}

// folderTables returns the table sets of the kinds of work in dir: a sweep's runs, a solve's
// cells, or both.
func folderTables(dir string) [][]store.Table {
	var kinds [][]store.Table
	if st, err := os.Stat(filepath.Join(dir, "solved")); err == nil && st.IsDir() {
		kinds = append(kinds, solve.SolveTables)
	}
	if st, err := os.Stat(filepath.Join(dir, "runs")); err == nil && st.IsDir() || len(kinds) == 0 {
		tables, err := pipeline.FolderTables(dir)
		if err != nil {
			tables = experiment.UnitTables // no definition yet: the command reports that
		}
		kinds = append([][]store.Table{tables}, kinds...)
	}
	return kinds
}

// printStatus prints the status of every kind of work in dir.
func printStatus(ctx context.Context, dir string, stdout io.Writer) error {
	def, err := pipeline.LoadFolder(dir)
	if err != nil {
		return err
	}
	pct := func(a, b int64) float64 {
		if b == 0 {
			return 100
		}
		return 100 * float64(a) / float64(b)
	}
	fmt.Fprintf(stdout, "%s: %s\n", dir, sizeLine(def))
	var contents []*store.Contents
	for _, tables := range folderTables(dir) {
		if tables[0].Name == "solved" {
			st, err := solve.ReadStatus(ctx, dir, def)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "  solved     %d of %d cells (%.1f%%)\n", st.Done, st.Cells, pct(st.Done, st.Cells))
			fmt.Fprintf(stdout, "  remaining  %d cells\n", st.Cells-st.Done)
			if st.Extra > 0 {
				fmt.Fprintf(stdout, "  other      %d solved cells not in this definition\n", st.Extra)
			}
			if st.Duplicates > 0 {
				fmt.Fprintf(stdout, "  twice      %d cells have rows in more than one file (compact keeps one)\n", st.Duplicates)
			}
			fmt.Fprintf(stdout, "  files      solved/ %d\n", len(st.Contents.Files["solved"]))
			contents = append(contents, st.Contents)
			continue
		}
		st, err := pipeline.ReadStatus(ctx, dir)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  done       %d (%.1f%%), of which %d failed numerically\n", st.Done, pct(st.Done, st.Total), st.Failed)
		fmt.Fprintf(stdout, "  remaining  %d\n", st.Total-st.Done)
		if st.Extra > 0 {
			fmt.Fprintf(stdout, "  other      %d rows of runs not in this definition\n", st.Extra)
		}
		if st.Duplicates > 0 {
			fmt.Fprintf(stdout, "  twice      %d runs have rows in more than one file (compact keeps one)\n", st.Duplicates)
		}
		if st.Shards > 0 {
			fmt.Fprintf(stdout, "  layout     %d shards (--shard k/%d)\n", st.Shards, st.Shards)
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
		var files []string
		for _, t := range pipeline.Tables(st.Def) {
			files = append(files, fmt.Sprintf("%s/ %d", t.Name, st.Files[t.Name]))
		}
		fmt.Fprintf(stdout, "  files      %s\n", strings.Join(files, ", "))
		contents = append(contents, st.Contents)
	}
	for _, c := range contents {
		for _, p := range c.Corrupt {
			fmt.Fprintf(stdout, "  unreadable %s (the next run moves it aside and runs its rows again)\n", p)
		}
		for _, p := range c.MovedAside {
			fmt.Fprintf(stdout, "  moved aside (unreadable): %s\n", p)
		}
		if n := len(c.Orphans) + len(c.Superseded); n > 0 {
			fmt.Fprintf(stdout, "  leftovers  %d files of interrupted writes or compactions, ignored (the next run or compact removes them)\n", n)
		}
		for _, p := range c.Foreign {
			fmt.Fprintf(stdout, "  foreign    %s: not written by eisweep, not counted, but read by DuckDB's *.parquet; move it out of the folder\n", p)
		}
		if n := len(c.Leftovers); n > 0 {
			fmt.Fprintf(stdout, "  temporary  %d files being written, or left by a writer that died\n", n)
		}
	}
	if w := store.Writers(dir); w != "" {
		fmt.Fprintf(stdout, "  running    %s\n", w)
	}
	return nil
}

// warnIncomplete tells, on stderr, which runs and shards of the folder are not done yet, so that
// compact and aggregate over a partial union say so.
func warnIncomplete(ctx context.Context, dir string, stderr io.Writer) {
	st, err := pipeline.ReadStatus(ctx, dir)
	if err != nil || st.Done == st.Total || st.Done == 0 && st.Files["runs"] == 0 {
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
