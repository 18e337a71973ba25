package solve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"sync/atomic"
	"time"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/buildinfo"
	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/pipeline"
	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// Options control Solve. The zero value solves with one worker per usable CPU into
// results/<name>.
type Options struct {
	OutDir        string        // output folder; "" means results/<definition name>
	Jobs          int           // concurrent workers; ≤ 0 means the CPUs this process may use
	Progress      io.Writer     // progress lines (stderr); nil for none
	ProgressEvery time.Duration // interval of progress lines; ≤ 0 means 5 s
	FlushInterval time.Duration // longest time solved cells wait in memory; ≤ 0 means 30 s
	Args          []string      // the command line, for the folder's provenance record
}

// Summary reports what Solve did and found.
type Summary struct {
	OutDir   string
	Path     string                 // solved.parquet
	Cells    int64                  // grid cells
	Solved   int64                  // cells solved by this invocation
	Skipped  int64                  // cells already solved in the folder before
	Rows     []SolvedRow            // every cell, in grid order, with the models' predictions
	Fits     [2][3]analysis.LineFit // per unit (E, I): linear, additive, multiplicative fits of Ī* on Ē*
	Elapsed  time.Duration
	CPUTime  time.Duration // summed over workers: the work of this invocation
	UnitSims int64         // single-unit simulations this invocation ran
}

// ErrNoSolve is returned by Solve for a definition without a [solve] table.
var ErrNoSolve = errors.New("no [solve] table")

// solveTask is one unit of one grid cell.
type solveTask struct {
	cell int64
	unit int // index into def.Solve.Units
}

// solveResult is what a worker sends the writer.
type solveResult struct {
	cell  int64
	unit  sim.UnitKind
	sol   SolvedUnit
	point sweep.Point
	cpu   time.Duration
}

// SolveTables are the tables of a solve folder: solved/, one checkpointed row per cell.
var SolveTables = []store.Table{{Name: "solved", Key: "cell_id"}}

// Solve solves def's [solve] table for every grid cell that is not already solved in the
// output folder (DIR/solved/, checkpointed as cells finish), then writes DIR/solved.parquet: one
// row per cell with the solved values, their intervals, the rates reached, and the balance models'
// and the threshold–gain prediction's weights for the cell with their errors. It stops when ctx
// is cancelled or anything fails, keeping the cells that finished.
func Solve(ctx context.Context, def *sweep.Definition, opt Options) (sum *Summary, err error) {
	if def.Solve == nil {
		return nil, fmt.Errorf("%s: %w: add one naming the parameter to adjust per unit, e.g.\n\n[solve.e]\nparam = \"weights.mult_ei\"\n\n[solve.i]\nparam = \"weights.mult_ii\"", def.Path, ErrNoSolve)
	}
	if opt.OutDir == "" {
		opt.OutDir = filepath.Join("results", def.Name)
	}
	if opt.Jobs <= 0 {
		opt.Jobs = runtime.GOMAXPROCS(0)
	}
	if opt.FlushInterval <= 0 {
		opt.FlushInterval = 30 * time.Second
	}
	start := time.Now()
	st, err := store.Open(opt.OutDir, pipeline.StoreOptions(opt.OutDir, def, SolveTables, store.Shard{}, "solve", opt.Args, opt.Progress))
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := st.Close(err); err == nil && cerr != nil {
			err = cerr
		}
	}()
	c, err := st.Scan("solved")
	if err != nil {
		return nil, err
	}
	settings := def.Solve.Canonical()
	if err := checkSolveSettings(c.Files["solved"], filepath.Join(opt.OutDir, "solved"), settings); err != nil {
		return nil, err
	}
	done := c.Keys["solved"]
	meta := map[string]string{"eisweep.definition": def.Text, "eisweep.definition_sha256": def.Hash(), "eisweep.solve": settings}
	sum = &Summary{OutDir: opt.OutDir, Cells: def.Cells()}

	var todo []int64
	var pt sweep.Point
	for cell := range def.Cells() {
		pt = def.Point(cell, pt)
		if done.Has(uint64(pt.CellID())) {
			sum.Skipped++
		} else {
			todo = append(todo, cell)
		}
	}
	prog := pipeline.StartProgress(opt.Progress, "cells", sum.Cells, opt.ProgressEvery)
	prog.Skipped.Store(sum.Skipped)
	cache := experiment.NewFICache()
	tasks := func(yield func(solveTask) bool) {
		for _, cell := range todo {
			for u := range def.Solve.Units {
				if !yield(solveTask{cell: cell, unit: u}) {
					return
				}
			}
		}
	}
	var buf []SolvedRow
	pending := map[int64]*SolvedRow{}
	got := map[int64]int{}
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		b := st.NewBatch()
		err := b.Write("solved", func(w io.Writer, m map[string]string) error {
			for k, v := range meta {
				m[k] = v
			}
			return table.Write(w, SolvedColumns, buf, m, 1<<20)
		})
		if err == nil {
			_, err = b.Commit()
		}
		if err != nil {
			return err
		}
		buf = buf[:0]
		return nil
	}
	err = pipeline.Execute(ctx, pipeline.Work[solveTask, solveResult]{
		Jobs:  opt.Jobs,
		Tasks: tasks,
		Do: func(_ int, stop *atomic.Bool, t solveTask) (solveResult, bool, error) {
			t0 := time.Now()
			p := def.Point(t.cell, nil)
			sol, err := solveUnit(def, p, t.unit, cache, stop)
			if err != nil {
				if errors.Is(err, sim.ErrStopped) {
					return solveResult{}, false, err
				}
				return solveResult{}, false, fmt.Errorf("cell %d (%s): %w", t.cell, p.CellID(), err)
			}
			return solveResult{cell: t.cell, unit: def.Solve.Units[t.unit].Unit, sol: sol, point: p, cpu: time.Since(t0)}, true, nil
		},
		Write: func(r solveResult) error {
			row := pending[r.cell]
			if row == nil {
				row = newSolvedRow(def, r.cell, r.point)
				pending[r.cell] = row
			}
			row.Units[r.unit] = r.sol
			row.SolveMs += float64(r.cpu.Microseconds()) / 1000
			sum.CPUTime += r.cpu
			sum.UnitSims += r.sol.Sims
			if got[r.cell]++; got[r.cell] == len(def.Solve.Units) {
				buf = append(buf, *row)
				delete(pending, r.cell)
				delete(got, r.cell)
				sum.Solved++
				prog.Done.Add(1)
			}
			return nil
		},
		Flush:      flush,
		FlushEvery: opt.FlushInterval,
	})
	prog.Stop()
	sum.Elapsed = time.Since(start)
	if err != nil {
		return sum, err
	}
	c, err = st.Scan()
	if err != nil {
		return sum, err
	}
	if err := finishSolved(opt.OutDir, c.Files["solved"], def, sum); err != nil {
		return sum, err
	}
	return sum, nil
}

// checkSolveSettings refuses a folder whose solved cells came from other [solve] settings.
func checkSolveSettings(parts []string, dir, settings string) error {
	if len(parts) == 0 {
		return nil
	}
	meta, err := table.Metadata(parts[0], "eisweep.")
	if err != nil {
		return nil // verified by the scan: cannot fail but for a race with its removal
	}
	if old := meta["eisweep.solve"]; old != settings {
		return fmt.Errorf("%s holds cells solved with other [solve] settings:\n%s\nnow:\n%s"+
			"remove %s to solve again with the new settings, or write elsewhere with -o DIR", dir, old, settings, dir)
	}
	return nil
}

// newSolvedRow starts the row of a cell.
func newSolvedRow(def *sweep.Definition, cell int64, pt sweep.Point) *SolvedRow {
	row := &SolvedRow{CellID: pt.CellID(), Cell: cell, Replicates: int64(def.Solve.Replicates)}
	row.Params, row.Words = make([]float64, len(sweep.Registry)), make([]string, len(sweep.Registry))
	for i, p := range sweep.Registry {
		if p.Words() {
			row.Words[i] = pt[i].Str
		} else {
			row.Params[i] = p.Display(pt[i])
		}
	}
	for k := range row.Units {
		row.Units[k] = nanSolvedUnit()
	}
	return row
}

// solveUnit solves problem u of def's [solve] table in the cell at point pt.
func solveUnit(def *sweep.Definition, pt sweep.Point, u int, cache *experiment.FICache, stop *atomic.Bool) (SolvedUnit, error) {
	s := def.Solve
	su := s.Units[u]
	sol := nanSolvedUnit()
	sol.Param = su.Param.Name
	sol.ValueUnit = su.Param.Unit
	m, err := pt.Model()
	if err != nil {
		return sol, err
	}
	sol.SetPointHz = sweep.SetPointHz(&m, su.Unit)
	start := pt[su.Index].Num
	sol.Start = su.Param.Display(pt[su.Index])
	sol.StartWPA = m.Weight(su.Pathway) * 1e12

	// Common random numbers: every candidate value drives the unit with replicate r's input
	// spike trains, those of the sweep's run of this cell and replicate (same seed).
	x0, err := sim.NewExperiment(m.Sim)
	if err != nil {
		return sol, err
	}
	ev := &evaluator{pt: slices.Clone(pt), su: su, unit: su.Unit, stop: stop, r: s.Replicates}
	var d sim.Drive
	for r := range s.Replicates {
		seed := sweep.RunSeed(def.Seed, pt.RunID(r))
		exc, inh, err := d.Inputs(x0, m.Input, seed)
		if err != nil {
			return sol, err
		}
		es, is := sim.Record(nil, exc, x0.Steps()), sim.Record(nil, inh, x0.Steps())
		se, _ := sim.NewSteps(es)
		si, _ := sim.NewSteps(is)
		ev.exc, ev.inh = append(ev.exc, se), append(ev.inh, si)
	}

	var scratch sim.FIScratch
	scratch.Stop = stop
	if tg, err := experiment.ThetaGain(cache, m, su.Unit, &scratch); err == nil {
		sol.ThetaPA, sol.GainHzPerPA = tg.ThresholdPA, tg.GainHzPerPA
	} else if errors.Is(err, sim.ErrStopped) {
		return sol, err
	}

	root, err := analysis.FindRoot(analysis.RootProblem{
		F:          ev.mean,
		Level:      sol.SetPointHz,
		Increasing: su.Increasing,
		Start:      start,
		Min:        su.MinSI,
		Max:        su.MaxSI,
		Tol:        su.TolSI,
	})
	sol.Evaluations = int64(ev.evals)
	sol.Sims = ev.sims
	if len(root.Trace) > 0 {
		sol.StartRateHz = root.Trace[0].F
	}
	if err != nil {
		if errors.Is(err, sim.ErrStopped) {
			return sol, err
		}
		if !errors.Is(err, sim.ErrNumerical) && !errors.Is(err, analysis.ErrNoConvergence) {
			return sol, err
		}
		sol.Status, sol.Error = "failed", err.Error()
		return sol, nil
	}
	sol.Status = root.Status.String()
	display := func(si float64) float64 { return su.Param.Display(sweep.Value{Num: si}) }
	if root.Status != analysis.RootFound {
		sol.RateHz = root.FLo
		end, which := su.MinSI, "min"
		if root.Status == analysis.RootAbove {
			end, which = su.MaxSI, "max"
		}
		side := "below"
		if sol.RateHz > sol.SetPointHz {
			side = "above"
		}
		sol.Error = fmt.Sprintf("no crossing in [%s, %s]: the %s unit's mean rate at %s = %s (%s) is %.4g Hz, still %s its set point %.4g Hz; widen the range with %s in [solve.%s]",
			su.Param.FormatValue(sweep.Value{Num: su.MinSI}), su.Param.FormatValue(sweep.Value{Num: su.MaxSI}), su.Unit, su.Param.Name,
			su.Param.FormatValue(sweep.Value{Num: end}), which, sol.RateHz, side, sol.SetPointHz, which, lowerUnit(su.Unit))
		return sol, nil
	}

	// At the solution: the rate reached and the unit's mean currents.
	rates, err := ev.at(root.X)
	if err != nil {
		return sol, ev.failed(&sol, err)
	}
	rs := analysis.Summarize(rates, math.NaN())
	sol.RateHz, sol.RateSEMHz = meanRate(rates), rs.SEM // the mean as the search computed it
	sol.ExcPA, sol.InhPA = ev.excPA, ev.inhPA
	mx, err := ev.model(root.X)
	if err != nil {
		return sol, err
	}
	sol.Value = display(root.X)
	sol.WPA = mx.Weight(su.Pathway) * 1e12
	unitW := mx.UnitWeight(su.Pathway) * 1e12
	multOf := func(x, wPA float64) float64 {
		if su.Param.Kind == sweep.KindFloat { // a multiplier is solved: it is the value itself
			return x
		}
		return wPA / unitW
	}
	sol.Mult = multOf(root.X, sol.WPA)

	// The 95% interval: bootstrap over replicates of the crossing of the resampled mean,
	// on a grid of candidate values around the solution.
	if s.Bootstrap > 0 {
		rng := rand.New(rand.NewPCG(sweep.RunSeed(def.Seed, pt.CellID()), uint64(su.Unit)+1))
		ci, frac, err := ev.interval(root, rs.SEM, s.Bootstrap, rng, sol.SetPointHz)
		if err != nil {
			return sol, ev.failed(&sol, err)
		}
		sol.CIFracOutside = frac
		for _, e := range []struct {
			si  float64
			dst [3]*float64
		}{{ci.Lo, [3]*float64{&sol.CILo, &sol.WCILoPA, &sol.MultCILo}}, {ci.Hi, [3]*float64{&sol.CIHi, &sol.WCIHiPA, &sol.MultCIHi}}} {
			if math.IsNaN(e.si) {
				continue
			}
			me, err := ev.model(e.si)
			if err != nil {
				return sol, err
			}
			*e.dst[0] = display(e.si)
			*e.dst[1] = me.Weight(su.Pathway) * 1e12
			*e.dst[2] = multOf(e.si, *e.dst[1])
		}
	}
	sol.Evaluations = int64(ev.evals)
	sol.Sims = ev.sims
	return sol, nil
}

func lowerUnit(u sim.UnitKind) string {
	if u == sim.UnitI {
		return "i"
	}
	return "e"
}

// evaluator runs one unit of one cell at candidate values of the solved parameter, every
// replicate from its recorded input.
type evaluator struct {
	pt       sweep.Point
	su       sweep.SolveUnit
	unit     sim.UnitKind
	stop     *atomic.Bool
	r        int
	exc, inh []*sim.Steps
	batch    sim.Batch        // the replays, four at a time in lockstep
	outs     []sim.UnitResult // each replicate's replay at the value evaluated
	errs     []error
	rates    []float64
	evals    int
	sims     int64
	excPA    float64 // mean currents over replicates at the last value evaluated
	inhPA    float64
}

func (e *evaluator) model(x float64) (sweep.Model, error) {
	e.pt[e.su.Index] = sweep.Value{Num: x}
	m, err := e.pt.Model()
	if err != nil {
		return m, fmt.Errorf("%s = %s: %w", e.su.Param.Name, e.su.Param.FormatValue(sweep.Value{Num: x}), err)
	}
	return m, nil
}

// at returns every replicate's rate at x (reused by the next call).
func (e *evaluator) at(x float64) ([]float64, error) {
	if e.stop != nil && e.stop.Load() {
		return nil, sim.ErrStopped
	}
	m, err := e.model(x)
	if err != nil {
		return nil, err
	}
	ex, err := sim.NewExperiment(m.Sim)
	if err != nil {
		return nil, err
	}
	if len(e.outs) != e.r {
		e.outs, e.errs = make([]sim.UnitResult, e.r), make([]error, e.r)
	}
	e.batch.RunUnits(ex, e.unit, e.exc[:e.r], e.inh[:e.r], e.outs, e.errs)
	e.rates = e.rates[:0]
	var qe, qi float64
	for r := range e.r {
		e.sims++
		if err := e.errs[r]; err != nil {
			return nil, fmt.Errorf("%s = %s, replicate %d: %w", e.su.Param.Name, e.su.Param.FormatValue(sweep.Value{Num: x}), r, err)
		}
		e.rates = append(e.rates, e.outs[r].RateHz)
		qe += e.outs[r].ChargeExcPC
		qi += e.outs[r].ChargeInhPC
	}
	dur := m.Sim.DurationSec
	e.excPA, e.inhPA = qe/float64(e.r)/dur, qi/float64(e.r)/dur
	return e.rates, nil
}

// mean is the function whose crossing is solved: the replicate-mean rate at x.
func (e *evaluator) mean(x float64) (float64, error) {
	rates, err := e.at(x)
	if err != nil {
		return 0, err
	}
	e.evals++
	return meanRate(rates), nil
}

// meanRate is the sum of the rates over their number, in order.
func meanRate(rates []float64) float64 {
	var s float64
	for _, r := range rates {
		s += r
	}
	return s / float64(len(rates))
}

// failed records a numerical failure in sol and returns nil, or returns err if it is another error.
func (e *evaluator) failed(sol *SolvedUnit, err error) error {
	if errors.Is(err, sim.ErrNumerical) {
		sol.Status, sol.Error = "failed", err.Error()
		sol.Evaluations, sol.Sims = int64(e.evals), e.sims
		return nil
	}
	return err
}

// bootstrapPoints is the number of candidate values on which the bootstrap evaluates every
// replicate (the window around the solution is split into bootstrapPoints−1 intervals).
const bootstrapPoints = 25

// interval computes the bootstrap 95% interval of the crossing: every replicate's rate on a
// grid of bootstrapPoints values around root.X, then the crossing of each resample's mean
// curve (analysis.BootstrapGridCrossing). The window's half-width starts at four standard errors
// of the solution (the rate's SEM over the local slope of the mean rate) and doubles until at
// most 1% of resamples cross outside it.
func (e *evaluator) interval(root analysis.Root, semHz float64, b int, rng *rand.Rand, level float64) (analysis.Interval, float64, error) {
	su := e.su
	slope := localSlope(root.Trace, root.X, max(0.1*math.Abs(root.X), 50*su.TolSI))
	w := 0.05*math.Abs(root.X) + 10*su.TolSI
	if slope != 0 && !math.IsNaN(slope) && semHz > 0 {
		w = 4 * semHz / math.Abs(slope)
	}
	w = max(w, 2*su.TolSI)
	var ci analysis.Interval
	frac := 1.0
	for range 6 {
		lo, hi := max(su.MinSI, root.X-w), min(su.MaxSI, root.X+w)
		xs := make([]float64, bootstrapPoints)
		values := make([][]float64, bootstrapPoints)
		for k := range xs {
			xs[k] = lo + (hi-lo)*float64(k)/float64(bootstrapPoints-1)
			rates, err := e.at(xs[k])
			if err != nil {
				return ci, frac, err
			}
			values[k] = slices.Clone(rates)
		}
		ci, frac = analysis.BootstrapGridCrossing(xs, values, level, su.Increasing, b, rng)
		if frac <= 0.01 || (lo == su.MinSI && hi == su.MaxSI) {
			break
		}
		w *= 2
	}
	return ci, frac, nil
}

// localSlope is the least-squares slope of F against x over the evaluations within ±half of x0
// (all of them if fewer than two distinct values lie there); NaN without two distinct values.
func localSlope(trace []analysis.RootEval, x0, half float64) float64 {
	fit := func(near bool) float64 {
		var xs, ys []float64
		for _, e := range trace {
			if !near || math.Abs(e.X-x0) <= half {
				xs, ys = append(xs, e.X), append(ys, e.F)
			}
		}
		var mx, my float64
		for k := range xs {
			mx += xs[k] / float64(len(xs))
			my += ys[k] / float64(len(ys))
		}
		var sxx, sxy float64
		for k := range xs {
			sxx += (xs[k] - mx) * (xs[k] - mx)
			sxy += (xs[k] - mx) * (ys[k] - my)
		}
		if sxx == 0 {
			return math.NaN()
		}
		return sxy / sxx
	}
	if s := fit(true); !math.IsNaN(s) && s != 0 {
		return s
	}
	return fit(false)
}

// finishSolved reads every solved cell of the folder, fits the balance models across cells,
// predicts each cell's weights from them, and writes solved.parquet.
func finishSolved(outDir string, parts []string, def *sweep.Definition, sum *Summary) error {
	rows, err := ReadSolvedFiles(parts)
	if err != nil {
		return err
	}
	// Keep the cells of this definition, in grid order.
	var pt sweep.Point
	order := map[sweep.CellID]int64{}
	for cell := range def.Cells() {
		pt = def.Point(cell, pt)
		order[pt.CellID()] = cell
	}
	kept := rows[:0]
	for _, r := range rows {
		if c, ok := order[r.CellID]; ok {
			r.Cell = c
			kept = append(kept, r)
		}
	}
	rows = kept
	slices.SortFunc(rows, func(a, b SolvedRow) int { return int(a.Cell - b.Cell) })
	for _, u := range def.Solve.Units {
		sum.Fits[u.Unit] = predict(rows, u)
	}
	sum.Rows = rows
	sum.Path = filepath.Join(outDir, "solved.parquet")
	meta := map[string]string{"eisweep.definition": def.Text, "eisweep.definition_sha256": def.Hash(), "eisweep.version": buildinfo.Version(), "eisweep.solve": def.Solve.Canonical()}
	return store.WriteDerived(outDir, "solved.parquet", func(w io.Writer) error { return table.Write(w, SolvedColumns, rows, meta, 1<<20) })
}

// predict fits the three balance models to the solved cells' mean currents (Ē*, Ī*) of unit
// u, and writes into every row the weight each model, fitted to the other cells (leave one
// out), and the threshold–gain prediction give for the cell, and their errors against the
// solved weight: out-of-sample predictions, so that a model with more coefficients does not
// win by fitting the noise. It returns the fits to all cells, for reports.
//
// A model predicts the current of the solved pathway from the other: Ī = m·Ē + b when an
// inhibitory weight is solved, Ē = (Ī − b)/m when an excitatory one is. Currents convert to
// weights with the cell's own current per unit weight, w = w*·I/I*: for given input spikes a
// pathway's mean current is proportional to its weight, so this is exact, unlike the nominal
// n·rate·1 ms, which ignores the charge still in flight at the end of the run.
func predict(rows []SolvedRow, su sweep.SolveUnit) [3]analysis.LineFit {
	var exc, inh []float64
	var ok []int
	for k := range rows {
		if s := &rows[k].Units[su.Unit]; s.Status == "ok" {
			exc, inh = append(exc, s.ExcPA), append(inh, s.InhPA)
			ok = append(ok, k)
		}
	}
	loo := analysis.LeaveOneOut(exc, inh)
	for j, k := range ok {
		s := &rows[k].Units[su.Unit]
		c := loo[j]
		// Pred: additive, multiplicative, linear, threshold–gain, each as (m, b).
		for p, mb := range [][2]float64{{1, c.AdditiveBPA}, {c.MultiplicativeM, 0}, {c.LinearM, c.LinearBPA}} {
			if su.Increasing {
				s.Pred[p] = s.WPA * ((s.InhPA - mb[1]) / mb[0]) / s.ExcPA
			} else {
				s.Pred[p] = s.WPA * (mb[0]*s.ExcPA + mb[1]) / s.InhPA
			}
		}
		if su.Increasing {
			s.Pred[3] = s.WPA * analysis.ThresholdGainExcitation(s.InhPA, s.ThetaPA, s.GainHzPerPA, s.SetPointHz) / s.ExcPA
		} else {
			s.Pred[3] = s.WPA * analysis.ThresholdGainInhibition(s.ExcPA, s.ThetaPA, s.GainHzPerPA, s.SetPointHz) / s.InhPA
		}
		for p := range s.Pred {
			s.Err[p] = s.Pred[p] - s.WPA
		}
	}
	return analysis.FitBalance(exc, inh)
}

// SolveSimsPerReplicate is about how many times `eisweep solve` simulates every replicate of one
// cell and unit: some 15 candidates in the search, the solution, and the 25 values of the
// bootstrap window (32 to 54 over sweeps/solve-setpoints.toml). Plans use it for estimates.
const SolveSimsPerReplicate = 45

// CalibrateSolve returns the time (ms) of one of the solver's single-unit simulations in def's
// first cell, from up to samples replicates of each solved unit, inputs replayed as Solve does.
func CalibrateSolve(def *sweep.Definition, samples int) (float64, error) {
	if def.Solve == nil || samples < 1 {
		return 0, ErrNoSolve
	}
	pt := def.Point(0, nil)
	m, err := pt.Model()
	if err != nil {
		return 0, err
	}
	x, err := sim.NewExperiment(m.Sim)
	if err != nil {
		return 0, err
	}
	var d sim.Drive
	k := min(samples, def.Solve.Replicates)
	exc, inh := make([]*sim.Steps, k), make([]*sim.Steps, k)
	for r := range k {
		e, i, err := d.Inputs(x, m.Input, sweep.RunSeed(def.Seed, pt.RunID(r)))
		if err != nil {
			return 0, err
		}
		exc[r], _ = sim.NewSteps(sim.Record(nil, e, x.Steps()))
		inh[r], _ = sim.NewSteps(sim.Record(nil, i, x.Steps()))
	}
	// As Solve runs them: every replicate of a unit together, in lockstep where it can.
	var b sim.Batch
	outs, errs := make([]sim.UnitResult, k), make([]error, k)
	var elapsed time.Duration
	n := 0
	for _, u := range def.Solve.Units {
		t0 := time.Now()
		b.RunUnits(x, u.Unit, exc, inh, outs, errs)
		elapsed += time.Since(t0)
		n += k
		for _, err := range errs {
			if err != nil && !errors.Is(err, sim.ErrNumerical) {
				return 0, err
			}
		}
	}
	return float64(elapsed.Microseconds()) / 1e3 / float64(n), nil
}

// Status is how far a solve folder is.
type Status struct {
	Cells, Done int64 // grid cells, and those solved
	Extra       int64 // solved cells not in the definition
	Duplicates  int64 // cells solved in more than one file
	Contents    *store.Contents
}

// ReadStatus counts the solved cells of the output folder dir of def, without changing it.
func ReadStatus(ctx context.Context, dir string, def *sweep.Definition) (*Status, error) {
	c, err := store.Read(dir, SolveTables, "solved")
	if err != nil {
		return nil, err
	}
	st := &Status{Cells: def.Cells(), Contents: c, Duplicates: c.Duplicates}
	keys := c.Keys["solved"]
	var pt sweep.Point
	for cell := range def.Cells() {
		if cell%65536 == 0 && ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		pt = def.Point(cell, pt)
		if keys.Has(uint64(pt.CellID())) {
			st.Done++
		}
	}
	st.Extra = int64(keys.Len()) - st.Done
	return st, nil
}
