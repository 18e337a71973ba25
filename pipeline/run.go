package pipeline

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/sweep"
)

// Options control how a sweep runs. The zero value runs with one worker per usable CPU into
// results/<name>, flushing a part file every 10,000 rows or 30 s.
type Options struct {
	OutDir        string        // output folder; "" means results/<definition name>
	Jobs          int           // concurrent workers; ≤ 0 means the CPUs this process may use
	FlushRows     int           // runs per part file; ≤ 0 means 10,000
	FlushInterval time.Duration // longest time finished rows wait in memory; ≤ 0 means 30 s
	Progress      io.Writer     // progress lines (stderr); nil for none
	ProgressEvery time.Duration // interval of progress lines; ≤ 0 means 5 s (0.2 s on a terminal)
	Shard         sweep.Shard   // run only this shard; the zero value runs the whole sweep
	NoCompact     bool          // do not compact the folder when the sweep completes
}

func (o *Options) defaults(def *sweep.Definition) {
	if o.OutDir == "" {
		o.OutDir = filepath.Join("results", def.Name)
	}
	if o.Jobs <= 0 {
		o.Jobs = runtime.GOMAXPROCS(0)
	}
	if o.FlushRows <= 0 {
		o.FlushRows = 10_000
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = 30 * time.Second
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 5 * time.Second
		if isTerminal(o.Progress) {
			o.ProgressEvery = 200 * time.Millisecond
		}
	}
}

// traceFlushRows is the number of trace rows (steps) buffered before a traces part is written.
const traceFlushRows = 2_000_000

// Summary reports what a sweep run did.
type Summary struct {
	OutDir  string
	Total   int64    // runs in the sweep
	Skipped int64    // runs already done in an earlier invocation (resume)
	OK      int64    // runs completed now
	Failed  int64    // runs that failed numerically now (rows with status "failed")
	Parts   []string // part files written now (runs, fi and traces)
	Elapsed time.Duration
	Example *Row             // one completed row (parameters, weights, f-I), or nil
	Compact []CompactSummary // what compaction did, when the sweep completed
}

// ErrDefinitionChanged is returned when the output folder holds results of a definition whose
// runs the new one does not extend.
var ErrDefinitionChanged = errors.New("output folder holds a different definition")

// worker is one worker's reusable scratch.
type worker struct {
	drive  sim.Drive
	res    sim.Result
	fi     sim.FIScratch
	traces sim.Traces
}

// result is what a worker sends to the writer for one run.
type result struct {
	row    Row
	fi     []*fiCurve // curves this run computed first, when outputs.fi_curves is on
	traces []TraceRow
}

// Run runs every run of def that is not already in the output folder, writing rows as they
// finish. It stops handing out work when ctx is cancelled, writes what finished, and returns
// ctx's error. A run that fails numerically becomes a row with status "failed"; other errors
// stop the sweep.
func Run(ctx context.Context, def *sweep.Definition, opt Options) (*Summary, error) {
	opt.defaults(def)
	start := time.Now()
	lock, err := LockFolder(opt.OutDir, opt.Shard)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	if err := prepareFolder(opt.OutDir, def); err != nil {
		return nil, err
	}
	for _, t := range Tables {
		if err := recoverCompaction(filepath.Join(opt.OutDir, t)); err != nil {
			return nil, err
		}
	}
	done, err := completedKeys(filepath.Join(opt.OutDir, "runs"), "run_id", opt.Progress)
	if err != nil {
		return nil, err
	}
	doneFI := keySet{}
	if def.Outputs.FICurves {
		if doneFI, err = completedKeys(filepath.Join(opt.OutDir, "fi"), "fi_key", opt.Progress); err != nil {
			return nil, err
		}
	}
	sum := &Summary{OutDir: opt.OutDir, Total: def.Runs()}
	meta := metadata(def, start)

	// A cancelled sweep stops runs in progress too: workers check this flag every few
	// thousand steps.
	var stop atomic.Bool
	defer context.AfterFunc(ctx, func() { stop.Store(true) })()

	results := make(chan result, 4*opt.Jobs)
	var skipped atomic.Int64
	wctx, cancelWriter := context.WithCancel(context.Background())
	defer cancelWriter()
	var werr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		werr = writeResults(wctx, results, opt, def, meta, sum, &skipped)
	}()

	cache := newFICache()
	free := make(chan *worker, opt.Jobs)
	for range opt.Jobs {
		w := new(worker)
		w.res.Stop, w.fi.Stop = &stop, &stop
		free <- w
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opt.Jobs)
	total := def.Runs()
	chunk := max(1, min(256, total/int64(opt.Jobs*16)))
hand:
	for lo := int64(0); lo < total; lo += chunk {
		select {
		case <-gctx.Done():
			break hand
		default:
		}
		hi := min(lo+chunk, total)
		g.Go(func() error {
			w := <-free
			defer func() { free <- w }()
			for i := lo; i < hi; i++ {
				if gctx.Err() != nil {
					return gctx.Err()
				}
				cell, rep := def.Run(i)
				pt := def.Point(cell, nil)
				id := sweep.RunID(pt, rep)
				if !opt.Shard.Has(id) {
					continue
				}
				if done.has(id) {
					skipped.Add(1)
					continue
				}
				res, err := w.run(def, pt, rep, id, cache, doneFI)
				if errors.Is(err, sim.ErrStopped) {
					return context.Cause(gctx)
				}
				if err != nil {
					return err
				}
				select {
				case results <- res:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return nil
		})
	}
	gerr := g.Wait()
	close(results)
	wg.Wait()
	sum.Skipped = skipped.Load()
	sum.Elapsed = time.Since(start)
	if werr != nil {
		return sum, werr
	}
	if gerr != nil {
		return sum, gerr
	}
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	if opt.Shard.N == 0 && !opt.NoCompact && sum.Skipped+sum.OK+sum.Failed == total {
		if sum.Compact, err = compactFolder(opt.OutDir); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// run simulates one run and measures it.
func (w *worker) run(def *sweep.Definition, pt sweep.Point, replicate int, id string, cache *fiCache, doneFI keySet) (result, error) {
	m, err := pt.Model()
	if err != nil {
		return result{}, fmt.Errorf("run %s: %w", id, err)
	}
	x, err := sim.NewExperiment(m.Sim)
	if err != nil {
		return result{}, fmt.Errorf("run %s: %w", id, err)
	}
	res := result{row: Row{RunID: id, Replicate: replicate, Seed: sweep.RunSeed(def.Seed, id), Status: StatusOK, Point: pt, Model: m}}
	row := &res.row
	var fiErrs []string
	for _, u := range []struct {
		name   string
		unit   sim.Unit
		out    *analysis.FIThresholdGain
		keyOut *string
	}{{"E", m.Sim.Exc, &row.FIE, &row.FIKeyE}, {"I", m.Sim.Inh, &row.FII, &row.FIKeyI}} {
		key := fiKey{Unit: u.unit, DtS: m.Sim.DtSec, FI: m.FI}
		*u.keyOut = key.id()
		curve, first, err := cache.get(key, def.Outputs.FICurves, &w.fi)
		if errors.Is(err, sim.ErrStopped) {
			return res, err
		}
		if err != nil {
			fiErrs = append(fiErrs, u.name+" unit: "+err.Error())
			continue
		}
		*u.out = curve.thresholds
		if first && def.Outputs.FICurves && !doneFI.has(curve.id) {
			res.fi = append(res.fi, curve)
		}
	}
	row.FIErr = strings.Join(fiErrs, "; ")
	t0 := time.Now()
	exc, inh, err := w.drive.Inputs(x, m.Input, row.Seed)
	if err != nil {
		return res, fmt.Errorf("run %s: %w", id, err)
	}
	w.res.Traces = nil
	if def.Outputs.Traces {
		w.res.Traces = &w.traces
	}
	if err := x.Run(exc, inh, &w.res); err != nil {
		if errors.Is(err, sim.ErrStopped) {
			return res, err
		}
		if !errors.Is(err, sim.ErrNumerical) {
			return res, fmt.Errorf("run %s: %w", id, err)
		}
		row.Status, row.Error = StatusFailed, err.Error()
	}
	row.RunMs = float64(time.Since(t0).Microseconds()) / 1000
	r := &w.res
	row.NSpikesE, row.NSpikesI = int64(len(r.SpikeStepsE)), int64(len(r.SpikeStepsI))
	row.RateEHz, row.RateIHz = r.RateEHz, r.RateIHz
	row.QEEPC, row.QEIPC, row.QIEPC, row.QIIPC = r.ChargeEEPC, r.ChargeEIPC, r.ChargeIEPC, r.ChargeIIPC
	row.NInputExc, row.NInputInh = r.InputSpikesExc, r.InputSpikesInh
	row.CellID = sweep.CellID(pt)
	row.balance()
	if tr := r.Traces; tr != nil {
		res.traces = make([]TraceRow, len(tr.VE))
		dtMs := m.Sim.DtSec * 1e3
		for n := range res.traces {
			res.traces[n] = TraceRow{RunID: id, Step: int64(n), TMs: float64(n) * dtMs,
				VE: tr.VE[n], SEE: tr.SEE[n], SIE: tr.SIE[n], VI: tr.VI[n], SEI: tr.SEI[n], SII: tr.SII[n]}
		}
	}
	return res, nil
}

// partWriter buffers one table's rows and writes them as part files.
type partWriter[T any] struct {
	dir, prefix string
	cols        []Column[T]
	meta        map[string]string
	buf         []T
	seq         int
	parts       *[]string
}

func (w *partWriter[T]) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", w.dir, err)
	}
	path := filepath.Join(w.dir, fmt.Sprintf("%s-%04d.parquet", w.prefix, w.seq))
	w.seq++
	if err := writeTable(path, w.cols, w.buf, w.meta, 1<<20); err != nil {
		return err
	}
	*w.parts = append(*w.parts, path)
	clear(w.buf)
	w.buf = w.buf[:0]
	return nil
}

// writeResults collects results and writes each table's part files every opt.FlushRows runs (or
// traceFlushRows steps), every opt.FlushInterval, and at the end. It updates sum.
func writeResults(ctx context.Context, results <-chan result, opt Options, def *sweep.Definition, meta map[string]string, sum *Summary, skipped *atomic.Int64) error {
	prefix, err := partPrefix()
	if err != nil {
		return err
	}
	prefix += "-" + opt.Shard.Tag()
	runs := &partWriter[Row]{dir: filepath.Join(opt.OutDir, "runs"), prefix: prefix, cols: Columns, meta: meta, parts: &sum.Parts}
	fis := &partWriter[FIRow]{dir: filepath.Join(opt.OutDir, "fi"), prefix: prefix, cols: FIColumns, meta: meta, parts: &sum.Parts}
	traces := &partWriter[TraceRow]{dir: filepath.Join(opt.OutDir, "traces"), prefix: prefix, cols: TraceColumns, meta: meta, parts: &sum.Parts}
	// Traces and f-I curves are written before the runs that produced them, so a run in runs/
	// always has its traces and curves on disk (resume skips it).
	flushAll := func() error {
		if err := traces.flush(); err != nil {
			return err
		}
		if err := fis.flush(); err != nil {
			return err
		}
		return runs.flush()
	}
	flushTick := time.NewTicker(opt.FlushInterval)
	defer flushTick.Stop()
	progTick := time.NewTicker(opt.ProgressEvery)
	defer progTick.Stop()
	start := time.Now()
	var got int64
	expected := def.Runs()
	if opt.Shard.N > 0 {
		expected = (expected + int64(opt.Shard.N) - 1) / int64(opt.Shard.N) // about
	}
	bar := isTerminal(opt.Progress)
	report := func(final bool) {
		progress(opt.Progress, got, skipped.Load(), expected, start, final, bar)
	}
	for {
		select {
		case r, ok := <-results:
			if !ok {
				err := flushAll()
				report(true)
				return err
			}
			got++
			if r.row.Status == StatusOK {
				sum.OK++
				if sum.Example == nil {
					ex := r.row
					sum.Example = &ex
				}
			} else {
				sum.Failed++
			}
			for _, c := range r.fi {
				fis.buf = append(fis.buf, c.rows()...)
			}
			if len(r.traces) > 0 {
				traces.buf = append(traces.buf, r.traces...)
			}
			runs.buf = append(runs.buf, r.row)
			if len(runs.buf) >= opt.FlushRows || len(traces.buf) >= traceFlushRows {
				if err := flushAll(); err != nil {
					return err
				}
			}
		case <-flushTick.C:
			if err := flushAll(); err != nil {
				return err
			}
		case <-progTick.C:
			report(false)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// progress reports how far a sweep is: on a terminal a bar redrawn in place, otherwise a plain
// line (for logs such as SLURM's). n is the number of runs expected.
func progress(w io.Writer, done, skipped, n int64, start time.Time, final, bar bool) {
	if w == nil || n == 0 {
		return
	}
	el := time.Since(start).Seconds()
	rate := float64(done) / max(el, 1e-9)
	if final {
		if bar {
			fmt.Fprint(w, "\r\x1b[K")
		}
		fmt.Fprintf(w, "eisweep: %d runs done in %.1f s (%.0f runs/s)", done, el, rate)
		if skipped > 0 {
			fmt.Fprintf(w, ", %d already done before", skipped)
		}
		fmt.Fprintln(w)
		return
	}
	left := max(0, n-done-skipped)
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(left)/rate) * time.Second).Round(time.Second).String()
	}
	frac := min(1, float64(done+skipped)/float64(n))
	if bar {
		const width = 30
		full := int(frac * width)
		fmt.Fprintf(w, "\r\x1b[K[%s%s] %5.1f%%  %d/%d runs  %.0f runs/s  ETA %s", strings.Repeat("#", full), strings.Repeat("-", width-full),
			100*frac, done+skipped, n, rate, eta)
		return
	}
	fmt.Fprintf(w, "eisweep: %d/%d runs (%.1f%%), %.0f runs/s, ETA %s\n", done+skipped, n, 100*frac, rate, eta)
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// partPrefix names this invocation's part files: time, process and a random token, so that no
// two invocations (even in one process, or on several hosts writing one folder) share a name.
func partPrefix() (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("naming part files: %w", err)
	}
	return fmt.Sprintf("part-%s-%d-%x", time.Now().UTC().Format("20060102T150405Z"), os.Getpid(), b), nil
}

// metadata is the Parquet key-value metadata of every part file: provenance.
func metadata(def *sweep.Definition, start time.Time) map[string]string {
	host, _ := os.Hostname()
	return map[string]string{
		"eisweep.definition":        def.Text,
		"eisweep.definition_sha256": def.Hash(),
		"eisweep.version":           Version(),
		"eisweep.go_version":        runtime.Version(),
		"eisweep.host":              host,
		"eisweep.start_time":        start.UTC().Format(time.RFC3339),
	}
}
