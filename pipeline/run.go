package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// Tables are the tables of def's folder: its experiment kind's runs/ and companions.
func Tables(def *sweep.Definition) []store.Table { return experiment.For(def).Tables() }

// FolderTables are the tables of the output folder dir, as its definition's kind has them.
func FolderTables(dir string) ([]store.Table, error) {
	def, err := LoadFolder(dir)
	if err != nil {
		return nil, err
	}
	return Tables(def), nil
}

// Options control how a sweep runs. The zero value runs with one worker per usable CPU into
// results/<name>, flushing a part file every 100,000 rows or 30 s.
type Options struct {
	OutDir        string        // output folder; "" means results/<definition name>
	Jobs          int           // concurrent workers; ≤ 0 means the CPUs this process may use
	FlushRows     int           // runs per part file; ≤ 0 means 100,000 (store.MinRowGroup)
	FlushInterval time.Duration // longest time finished rows wait in memory; ≤ 0 means 30 s
	Progress      io.Writer     // progress lines (stderr); nil for none
	ProgressEvery time.Duration // interval of progress lines; ≤ 0 means 5 s (0.2 s on a terminal)
	Shard         sweep.Shard   // run only this shard; the zero value runs the whole sweep
	NoCompact     bool          // do not compact the folder when the sweep completes
	// Batch is how many runs a worker simulates together (sim.Batch, in lockstep where it can;
	// the rows are the same); 0 means groups of what the simulation advances at once, about 10 ms
	// of simulation (batchGroupsFor); 1 one at a time.
	Batch int
	Args  []string // the command line, for the folder's provenance record
}

func (o *Options) defaults(def *sweep.Definition) {
	if o.OutDir == "" {
		o.OutDir = filepath.Join("results", def.Name)
	}
	if o.Jobs <= 0 {
		o.Jobs = runtime.GOMAXPROCS(0)
	}
	if o.FlushRows <= 0 {
		// Parts of a compacted file's row group: a sweep of up to this many runs is written
		// once, and larger ones are compacted from parts that need no regrouping.
		o.FlushRows = store.MinRowGroup
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = 30 * time.Second
	}
}

// Summary reports what a sweep run did.
type Summary struct {
	OutDir  string
	Total   int64    // runs in the sweep
	Skipped int64    // runs already done in an earlier invocation (resume)
	OK      int64    // runs completed now
	Failed  int64    // runs that failed numerically now (rows with status "failed")
	Written int64    // rows of this invocation on disk (published), of OK + Failed
	Parts   []string // files published now (runs, fi and traces)
	Elapsed time.Duration
	Example experiment.Output      // one completed run's output, or nil
	Compact []store.CompactSummary // what compaction did, when the sweep completed
}

// ErrDefinitionChanged is returned when the output folder holds results of a definition whose
// runs the new one does not extend.
var ErrDefinitionChanged = errors.New("output folder holds a different definition")

// Run runs every run of def that is not already in the output folder, writing rows as they
// finish. It stops when ctx is cancelled or anything fails (a write error stops the workers
// within a few thousand simulation steps), writes what finished unless writing is what failed,
// and returns the cause. A run that fails numerically becomes a row with status "failed".
func Run(ctx context.Context, def *sweep.Definition, opt Options) (sum *Summary, err error) {
	opt.defaults(def)
	start := time.Now()
	kind := experiment.For(def)
	tables := kind.Tables()
	st, err := store.Open(opt.OutDir, StoreOptions(opt.OutDir, def, tables, store.Shard(opt.Shard), "run", opt.Args, opt.Progress))
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := st.Close(err); err == nil && cerr != nil {
			err = cerr
		}
	}()
	// Keys of the runs and of companions keyed by something other than the run (f-I curves).
	scan := []string{"runs"}
	for _, t := range tables[1:] {
		if t.Key != "run_id" {
			scan = append(scan, t.Name)
		}
	}
	c, err := st.Scan(scan...)
	if err != nil {
		return nil, err
	}
	if err := checkColumns(opt.OutDir, kind, c); err != nil {
		return nil, err
	}
	done := c.Keys["runs"]
	sum = &Summary{OutDir: opt.OutDir, Total: def.Runs()}
	meta := map[string]string{"eisweep.definition": def.Text, "eisweep.definition_sha256": def.Hash()}

	expected := def.Runs()
	if opt.Shard.N > 0 {
		expected = (expected + int64(opt.Shard.N) - 1) / int64(opt.Shard.N) // about
	}
	prog := StartProgress(opt.Progress, "runs", expected, opt.ProgressEvery)
	tasks := func(yield func(sweep.RunRef) bool) {
		var pt sweep.Point // the current cell's point, shared read-only by its runs' workers
		cell := int64(-1)
		for r := range def.AllRuns() {
			if !opt.Shard.Has(r.ID) {
				continue
			}
			if done.Has(uint64(r.ID)) {
				prog.Skipped.Add(1)
				continue
			}
			if r.Cell != cell {
				pt, cell = slices.Clone(r.Point), r.Cell
			}
			r.Point = pt
			if !yield(r) {
				return
			}
		}
	}
	session := kind.NewSession(def, func(table string, key uint64) bool { return c.Keys[table].Has(key) })
	if fs, ok := session.(experiment.FolderSession); ok {
		fs.SetFolder(opt.OutDir)
	}
	workers := make([]experiment.Worker, opt.Jobs)
	var partial []experiment.ProgressWorker
	for i := range workers {
		workers[i] = session.NewWorker()
		if pw, ok := workers[i].(experiment.ProgressWorker); ok {
			partial = append(partial, pw)
		}
	}
	if len(partial) > 0 {
		prog.SetPartial(func() (sum float64) {
			for _, pw := range partial {
				sum += pw.Fraction()
			}
			return sum
		})
	}
	buf := session.NewBuffer()
	if rb, ok := buf.(experiment.ReservingBuffer); ok {
		rb.Reserve(int(min(int64(opt.FlushRows), def.Runs())))
	}
	flush := func() error {
		n := buf.Runs()
		if n == 0 {
			return nil
		}
		var b *store.Batch
		if opt.Shard.N == 0 && !opt.NoCompact && len(sum.Parts) == 0 && prog.Skipped.Load()+sum.OK+sum.Failed == def.Runs() {
			// The rows that complete the sweep, and the folder has no file: written once as
			// the folder's compacted form, not as a part that compaction would read back.
			cb, err := st.NewCompactedBatch()
			switch {
			case err == nil:
				b = cb
			case !errors.Is(err, store.ErrNotEmpty):
				return err
			}
		}
		if b == nil {
			b = st.NewBatch()
		}
		err := buf.Write(func(name string, f func(w io.Writer, m map[string]string) error) error {
			return b.Write(name, func(w io.Writer, m map[string]string) error {
				for k, v := range meta {
					m[k] = v
				}
				return f(w, m)
			})
		})
		if err != nil {
			b.Abort()
			return err
		}
		paths, err := b.Commit()
		sum.Parts = append(sum.Parts, paths...)
		if err != nil {
			return err
		}
		if cb, ok := buf.(experiment.CommittedBuffer); ok {
			cb.Committed()
		}
		sum.Written += int64(n)
		return nil
	}
	write := func(o experiment.Output) error {
		prog.Done.Add(1)
		if o.Status() == experiment.StatusOK {
			sum.OK++
			if sum.Example == nil {
				sum.Example = o
			}
		} else {
			sum.Failed++
		}
		buf.Add(o)
		if buf.Runs() >= opt.FlushRows || buf.Full() {
			return flush()
		}
		return nil
	}
	if lanes := batchLanes(def, workers, opt.Batch); lanes > 1 {
		err = Execute(ctx, Work[[]sweep.RunRef, []experiment.Output]{
			Jobs:  opt.Jobs,
			Tasks: batches(tasks, lanes),
			Do: func(w int, stop *atomic.Bool, rs []sweep.RunRef) ([]experiment.Output, bool, error) {
				workers[w].SetStop(stop)
				out, err := workers[w].(experiment.BatchRunner).RunBatch(rs)
				return out, err == nil, err
			},
			Write: func(os []experiment.Output) error {
				for _, o := range os {
					if err := write(o); err != nil {
						return err
					}
				}
				return nil
			},
			Flush:      flush,
			FlushEvery: opt.FlushInterval,
		})
	} else {
		err = Execute(ctx, Work[sweep.RunRef, experiment.Output]{
			Jobs:  opt.Jobs,
			Tasks: tasks,
			Do: func(w int, stop *atomic.Bool, r sweep.RunRef) (experiment.Output, bool, error) {
				workers[w].SetStop(stop)
				out, err := workers[w].Run(r)
				return out, err == nil, err
			},
			Write:      write,
			Flush:      flush,
			FlushEvery: opt.FlushInterval,
		})
	}
	prog.Stop()
	// Free for the compaction what the run phase held: keys, buffers, workers' scratch.
	done, c, workers, buf, session = store.KeySet{}, nil, nil, nil, nil
	sum.Skipped = prog.Skipped.Load()
	sum.Elapsed = time.Since(start)
	if err != nil {
		return sum, err
	}
	if opt.Shard.N == 0 && !opt.NoCompact && sum.Skipped+sum.OK+sum.Failed == def.Runs() {
		if sum.Compact, err = st.Compact(ctx); err != nil {
			if ctx.Err() != nil {
				err = context.Cause(ctx)
			}
			return sum, fmt.Errorf("compacting %s: %w", opt.OutDir, err)
		}
	}
	return sum, nil
}

// batchLanes is how many runs a batch holds: opt (Options.Batch) if given, else
// batchGroupsFor(def) groups of what the workers run together; 1 where they cannot batch.
func batchLanes(def *sweep.Definition, workers []experiment.Worker, opt int) int {
	br, ok := workers[0].(experiment.BatchRunner)
	switch {
	case !ok || opt == 1:
		return 1
	case opt > 1:
		return opt
	}
	if n := br.Lanes(); n > 1 {
		return n * batchGroupsFor(def)
	}
	return 1
}

// batchGroupsFor is how many lockstep groups a batch of def's runs holds when Options.Batch does
// not say: enough for about batchSteps steps of the longest run (sim.duration over sim.dt), at
// most maxBatchGroups. A batch is a task of the runner, handed to a worker and its results to the
// writer through channels. Small batches wake the writer often: batches of one group (4 seed runs,
// about 0.3 ms) made the wake-ups 8 % of a sweep's time at -j 1, and of 8 groups, with the
// scheduler's, 3.5 % (perf); of 32, 2 %. Large ones balance badly: the last batches of a sweep
// finish one worker's share while the others idle. About 10 ms of work is neither.
func batchGroupsFor(def *sweep.Definition) int {
	dt, _ := def.Range("sim.dt")
	_, dur := def.Range("sim.duration")
	if !(dt > 0) || !(dur > 0) {
		return 1
	}
	return int(max(1, min(maxBatchGroups, math.Floor(batchSteps/(dur/dt)))))
}

const (
	// batchSteps is the steps of one lane that a default batch holds: 32 groups of seed runs
	// (10,000 steps each), about 10 ms at 30 ns per step of a group.
	batchSteps     = 32 * 10_000
	maxBatchGroups = 32 // groups of a default batch at most (runs of 0.1 s at 0.1 ms hold 32)
)

// batches groups the runs of tasks into consecutive batches of up to n.
func batches(tasks iter.Seq[sweep.RunRef], n int) iter.Seq[[]sweep.RunRef] {
	return func(yield func([]sweep.RunRef) bool) {
		b := make([]sweep.RunRef, 0, n)
		for r := range tasks {
			if b = append(b, r); len(b) == n {
				if !yield(b) {
					return
				}
				b = make([]sweep.RunRef, 0, n)
			}
		}
		if len(b) > 0 {
			yield(b)
		}
	}
}

// StoreOptions are the options with which a command writing def's results into the folder dir
// opens it: def is recorded in sweep.toml, and a folder holding results of a definition whose
// runs def does not extend (another seed, other parameters, values removed) is refused with
// ErrDefinitionChanged; def may add replicates and grid points, and only those run.
func StoreOptions(dir string, def *sweep.Definition, tables []store.Table, shard store.Shard, command string, args []string, log io.Writer) store.Options {
	src := ""
	if def.Path != "" {
		if abs, err := filepath.Abs(def.Path); err == nil {
			src = abs
		}
	}
	return store.Options{Tables: tables, Shard: shard, Command: command, Args: args, Log: log, Definition: def.Text,
		DefinitionPath: src, Extends: func(old string) error { return extends(dir, old, def) }}
}

// CheckFolder reports, without writing anything, whether def's results may go into dir: a new or
// empty folder, or one holding results that def extends (see StoreOptions).
func CheckFolder(dir string, def *sweep.Definition) error {
	if err := store.CheckOwned(dir); err != nil {
		return err
	}
	return definitionExtends(dir, def)
}

// definitionExtends checks def against the definition in dir, if any (see StoreOptions).
func definitionExtends(dir string, def *sweep.Definition) error {
	text, ok, err := store.ReadDefinition(dir)
	if err != nil || !ok {
		return err
	}
	return extends(dir, text, def)
}

func extends(dir, text string, def *sweep.Definition) error {
	path := filepath.Join(dir, store.DefinitionFile)
	old, perr := sweep.ParseWith(path, text, sweep.Options{MaxRuns: 1 << 62})
	why := perr
	if perr == nil {
		why = def.Extends(old)
	}
	if why != nil {
		return fmt.Errorf("%w: %s holds results of the definition in %s, and %s does not extend it (%v); "+
			"write elsewhere with -o DIR, or remove %s to start again", ErrDefinitionChanged, dir, path, def.Path, why, dir)
	}
	return nil
}

// LoadFolder reads the definition an output folder was written by (DIR/sweep.toml), without a
// run limit.
func LoadFolder(dir string) (*sweep.Definition, error) {
	text, ok, err := store.ReadDefinition(dir)
	if err != nil {
		return nil, err
	}
	if !ok {
		st, serr := os.Stat(dir)
		if errors.Is(serr, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such folder (an output folder is results/<name>, or the -o DIR a run wrote)", dir)
		}
		if serr != nil {
			return nil, serr
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("%s is a file, not an output folder (results/<name>, or the -o DIR a run wrote)", dir)
		}
		return nil, fmt.Errorf("%s is not an eisweep output folder: it has no %s", dir, store.DefinitionFile)
	}
	def, err := sweep.ParseWith(filepath.Join(dir, store.DefinitionFile), text, sweep.Options{MaxRuns: 1 << 62})
	if err != nil {
		return nil, err
	}
	// Relative file names (network.connectivity) are relative to the definition the results
	// were run from, not to the folder's copy.
	src, err := store.DefinitionSource(dir)
	if err != nil {
		return nil, err
	}
	if src != "" {
		def.FilesDir = filepath.Dir(src)
	}
	return def, nil
}

// Compact merges the part files of the output folder dir into few large ones; see
// store.Store.Compact. It takes the whole folder and stops when ctx is cancelled.
func Compact(ctx context.Context, dir string, tables []store.Table, args []string) (sum []store.CompactSummary, err error) {
	st, err := store.Open(dir, store.Options{Tables: tables, Command: "compact", Args: args})
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := st.Close(err); err == nil && cerr != nil {
			err = cerr
		}
	}()
	return st.Compact(ctx)
}

// checkColumns refuses a folder whose tables have other columns than this version writes (a
// folder of an earlier eisweep): resuming it would mix two schemas in one table, which DuckDB's
// read_parquet and compact refuse. It reads the footers of each table's first and last file.
func checkColumns(dir string, kind experiment.Kind, c *store.Contents) error {
	for _, ts := range kind.Schemas() {
		files := c.Files[ts.Name]
		if len(files) == 0 {
			continue
		}
		want := make([]string, len(ts.Columns))
		for i, col := range ts.Columns {
			want[i] = col.Name
		}
		for _, f := range []string{files[0], files[len(files)-1]} {
			got, err := table.ColumnNames(f)
			if err != nil {
				return err
			}
			if slices.Equal(got, want) {
				continue
			}
			var missing, extra []string
			for _, n := range want {
				if !slices.Contains(got, n) {
					missing = append(missing, n)
				}
			}
			for _, n := range got {
				if !slices.Contains(want, n) {
					extra = append(extra, n)
				}
			}
			why := "the same columns in another order"
			switch {
			case len(missing) > 0 && len(extra) > 0:
				why = fmt.Sprintf("no %s, and %s this version does not write", listNames(missing), listNames(extra))
			case len(missing) > 0:
				why = "no " + listNames(missing)
			case len(extra) > 0:
				why = listNames(extra) + ", which this version does not write"
			}
			return fmt.Errorf("%s: %s was written by another eisweep version (%s): resuming it would mix two schemas in one table; run into a new folder (-o DIR), or resume it with the version that wrote it",
				filepath.Join(dir, ts.Name), filepath.Base(f), why)
		}
	}
	return nil
}

// listNames lists up to four names, then how many more.
func listNames(ns []string) string {
	if len(ns) > 4 {
		return strings.Join(ns[:4], ", ") + fmt.Sprintf(" and %d more", len(ns)-4)
	}
	return strings.Join(ns, ", ")
}
