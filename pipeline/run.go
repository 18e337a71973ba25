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
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/sweep"
)

// Options control how a sweep runs. The zero value runs with one worker per usable CPU into
// results/<name>, flushing a part file every 10,000 rows or 30 s.
type Options struct {
	OutDir        string        // output folder; "" means results/<definition name>
	Jobs          int           // concurrent workers; ≤ 0 means the CPUs this process may use
	FlushRows     int           // rows per part file; ≤ 0 means 10,000
	FlushInterval time.Duration // longest time finished rows wait in memory; ≤ 0 means 30 s
	Progress      io.Writer     // progress lines (stderr); nil for none
	ProgressEvery time.Duration // interval of progress lines; ≤ 0 means 5 s
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
	}
}

// Summary reports what a sweep run did.
type Summary struct {
	OutDir  string
	Total   int      // runs in the sweep
	Skipped int      // runs already done in an earlier invocation (resume)
	OK      int      // runs completed now
	Failed  int      // runs that failed numerically now (rows with status "failed")
	Parts   []string // part files written now
	Elapsed time.Duration
	Example *Row // one completed row (parameters, weights, f-I), or nil
}

// ErrDefinitionChanged is returned when the output folder holds results of a different
// definition.
var ErrDefinitionChanged = errors.New("output folder holds a different definition")

// worker is one worker's reusable scratch.
type worker struct {
	drive sim.Drive
	res   sim.Result
	fi    sim.FIScratch
}

// Run runs every run of def that is not already in the output folder, writing rows as they
// finish. It stops handing out work when ctx is cancelled, writes what finished, and returns
// ctx's error. A run that fails numerically becomes a row with status "failed"; other errors
// stop the sweep.
func Run(ctx context.Context, def *sweep.Definition, opt Options) (*Summary, error) {
	opt.defaults(def)
	start := time.Now()
	runsDir := filepath.Join(opt.OutDir, "runs")
	if err := prepareFolder(opt.OutDir, def); err != nil {
		return nil, err
	}
	done, err := completedRuns(runsDir, opt.Progress)
	if err != nil {
		return nil, err
	}
	model, err := def.Base.Model()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", def.Path, err)
	}
	x, err := sim.NewExperiment(model.Sim)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", def.Path, err)
	}
	total := def.Replicates
	type job struct {
		replicate int
		id        string
	}
	var todo []job
	for r := 0; r < total; r++ {
		id := sweep.RunID(def.Base, r)
		if !done[id] {
			todo = append(todo, job{r, id})
		}
	}
	sum := &Summary{OutDir: opt.OutDir, Total: total, Skipped: total - len(todo)}
	meta := metadata(def, start)

	rows := make(chan Row, 4*opt.Jobs)
	wctx, cancelWriter := context.WithCancel(context.Background())
	defer cancelWriter()
	var werr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		werr = writeRows(wctx, rows, runsDir, meta, opt, len(todo), sum)
	}()

	cache := newFICache()
	free := make(chan *worker, opt.Jobs)
	for range opt.Jobs {
		free <- new(worker)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opt.Jobs)
hand:
	for _, j := range todo {
		select {
		case <-gctx.Done():
			break hand
		default:
		}
		g.Go(func() error {
			w := <-free
			defer func() { free <- w }()
			row, err := w.run(x, &model, def, j.replicate, j.id, cache)
			if err != nil {
				return err
			}
			select {
			case rows <- row:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	}
	gerr := g.Wait()
	close(rows)
	wg.Wait()
	sum.Elapsed = time.Since(start)
	if werr != nil {
		return sum, werr
	}
	if gerr != nil {
		return sum, gerr
	}
	return sum, ctx.Err()
}

// run simulates one run and measures it.
func (w *worker) run(x *sim.Experiment, m *sweep.Model, def *sweep.Definition, replicate int, id string, cache *fiCache) (Row, error) {
	row := Row{RunID: id, Replicate: replicate, Seed: sweep.RunSeed(def.Seed, id), Status: StatusOK, Point: def.Base, Model: *m}
	var err error
	row.FIE, err = cache.get(fiKey{Unit: m.Sim.Exc, DtS: m.Sim.DtSec, FI: m.FI}, &w.fi)
	if err != nil {
		row.FIErr = "E unit: " + err.Error()
	}
	row.FII, err = cache.get(fiKey{Unit: m.Sim.Inh, DtS: m.Sim.DtSec, FI: m.FI}, &w.fi)
	if err != nil {
		row.FIErr = strings.TrimPrefix(row.FIErr+"; ", "; ") + "I unit: " + err.Error()
	}
	t1 := time.Now()
	exc, inh, err := w.drive.Inputs(x, m.Input, row.Seed)
	if err != nil {
		return row, fmt.Errorf("run %s: %w", id, err)
	}
	if err := x.Run(exc, inh, &w.res); err != nil {
		if !errors.Is(err, sim.ErrNumerical) {
			return row, fmt.Errorf("run %s: %w", id, err)
		}
		row.Status, row.Error = StatusFailed, err.Error()
	}
	r := &w.res
	row.NSpikesE, row.NSpikesI = int64(len(r.SpikeStepsE)), int64(len(r.SpikeStepsI))
	row.RateEHz, row.RateIHz = r.RateEHz, r.RateIHz
	row.QEEPC, row.QEIPC, row.QIEPC, row.QIIPC = r.ChargeEEPC, r.ChargeEIPC, r.ChargeIEPC, r.ChargeIIPC
	row.NInputExc, row.NInputInh = r.InputSpikesExc, r.InputSpikesInh
	row.RunMs = float64(time.Since(t1).Microseconds()) / 1000
	return row, nil
}

// writeRows collects rows and writes a part file every opt.FlushRows rows or opt.FlushInterval,
// and at the end. It updates sum.
func writeRows(ctx context.Context, rows <-chan Row, dir string, meta map[string]string, opt Options, n int, sum *Summary) error {
	buf := make([]Row, 0, min(opt.FlushRows, max(n, 1)))
	seq := 0
	prefix, err := partPrefix()
	if err != nil {
		return err
	}
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		path := filepath.Join(dir, fmt.Sprintf("%s-%04d.parquet", prefix, seq))
		seq++
		if err := WriteParquet(path, buf, meta, 1<<20); err != nil {
			return err
		}
		sum.Parts = append(sum.Parts, path)
		buf = buf[:0]
		return nil
	}
	flushTick := time.NewTicker(opt.FlushInterval)
	defer flushTick.Stop()
	progTick := time.NewTicker(opt.ProgressEvery)
	defer progTick.Stop()
	start := time.Now()
	got := 0
	for {
		select {
		case r, ok := <-rows:
			if !ok {
				err := flush()
				progress(opt.Progress, got, n, start, true)
				return err
			}
			got++
			if r.Status == StatusOK {
				sum.OK++
				if sum.Example == nil {
					ex := r
					sum.Example = &ex
				}
			} else {
				sum.Failed++
			}
			buf = append(buf, r)
			if len(buf) >= opt.FlushRows {
				if err := flush(); err != nil {
					return err
				}
			}
		case <-flushTick.C:
			if err := flush(); err != nil {
				return err
			}
		case <-progTick.C:
			progress(opt.Progress, got, n, start, false)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func progress(w io.Writer, done, n int, start time.Time, final bool) {
	if w == nil || n == 0 {
		return
	}
	el := time.Since(start).Seconds()
	rate := float64(done) / max(el, 1e-9)
	if final {
		fmt.Fprintf(w, "eisweep: %d/%d runs done in %.1f s (%.0f runs/s)\n", done, n, el, rate)
		return
	}
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(n-done)/rate) * time.Second).Round(time.Second).String()
	}
	fmt.Fprintf(w, "eisweep: %d/%d runs (%.1f%%), %.0f runs/s, ETA %s\n", done, n, 100*float64(done)/float64(n), rate, eta)
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
