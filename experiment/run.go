package experiment

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/sweep"
)

// UnitWorker is one worker's reusable scratch for runs of the single-unit experiment. The zero value
// is ready; a UnitWorker is used by one goroutine at a time.
type UnitWorker struct {
	drive  sim.Drive
	res    sim.Result
	fi     sim.FIScratch
	traces sim.Traces
	prep   preparer
}

// SetStop makes the worker's simulations return sim.ErrStopped soon after *stop becomes true
// (they check it every few thousand steps); nil never stops.
func (w *UnitWorker) SetStop(stop *atomic.Bool) { w.res.Stop, w.fi.Stop = stop, stop }

// Result is one run's output: its row, the f-I curves it computed first (when outputs.fi_curves
// is on and the curve is not yet written), and its trace rows (outputs.traces).
type Result struct {
	Row    Row
	FI     []FIRow
	Traces []TraceRow
}

// Run simulates run r of def and measures it. f-I results come from cache (shared by the
// workers); haveFI reports curves already written, so that a curve is written once per folder
// (nil: none). A run that fails numerically is a row with status "failed"; the error is for
// everything else, and is sim.ErrStopped when the worker was stopped.
func (w *UnitWorker) Run(def *sweep.Definition, r sweep.RunRef, cache *FICache, haveFI func(FIKey) bool) (Result, error) {
	res, x, err := w.prep.prepare(def, r, cache, haveFI, &w.fi)
	if err != nil {
		return res, err
	}
	t0 := time.Now()
	exc, inh, err := w.drive.Inputs(x, res.Row.Model.Input, res.Row.Seed)
	if err != nil {
		return res, fmt.Errorf("run %s: %w", r.ID, err)
	}
	w.res.Traces = nil
	if def.Outputs.Traces {
		w.res.Traces = &w.traces
	}
	err = x.Run(exc, inh, &w.res)
	if err := measure(&res, &w.res, err); err != nil {
		return res, err
	}
	res.Row.RunMs = float64(time.Since(t0).Microseconds()) / 1000
	return res, nil
}

// BatchWorker is a UnitWorker's scratch for runs in lockstep (sim.Batch): one input and result
// per lane. The zero value is ready.
type BatchWorker struct {
	fi     sim.FIScratch
	batch  sim.Batch
	drives []sim.Drive
	res    []sim.Result
	outs   []*sim.Result
	xs     []*sim.Experiment
	exc    []sim.Input
	inh    []sim.Input
	errs   []error
	stop   *atomic.Bool
	prep   preparer
}

// SetStop makes the worker's simulations return sim.ErrStopped soon after *stop becomes true.
func (w *BatchWorker) SetStop(stop *atomic.Bool) {
	w.fi.Stop = stop
	for k := range w.res {
		w.res[k].Stop = stop
	}
	w.stop = stop
}

// RunBatch is Run of each of the runs rs (of a definition without traces), simulated together
// with sim.Batch, which gives each exactly what Run gives it: the rows are Run's, but for
// run_ms, which is the batch's time over its runs. It returns the results in rs's order.
func (w *BatchWorker) RunBatch(def *sweep.Definition, rs []sweep.RunRef, cache *FICache, haveFI func(FIKey) bool) ([]Result, error) {
	if def.Outputs.Traces {
		return nil, errors.New("runs recording traces are not batched")
	}
	for len(w.res) < len(rs) {
		w.drives = append(w.drives, sim.Drive{})
		w.res = append(w.res, sim.Result{Stop: w.stop})
	}
	out := make([]Result, len(rs))
	w.xs, w.exc, w.inh, w.outs, w.errs = w.xs[:0], w.exc[:0], w.inh[:0], w.outs[:0], w.errs[:0]
	for j, r := range rs {
		res, x, err := w.prep.prepare(def, r, cache, haveFI, &w.fi)
		if err != nil {
			return nil, err
		}
		out[j] = res
		w.xs, w.outs, w.errs = append(w.xs, x), append(w.outs, &w.res[j]), append(w.errs, nil)
	}
	// Timed as Run times a run: its input and its simulation, not the f-I lookups.
	t0 := time.Now()
	for j, x := range w.xs {
		exc, inh, err := w.drives[j].Inputs(x, out[j].Row.Model.Input, out[j].Row.Seed)
		if err != nil {
			return nil, fmt.Errorf("run %s: %w", rs[j].ID, err)
		}
		w.exc, w.inh = append(w.exc, exc), append(w.inh, inh)
	}
	w.batch.Run(w.xs, w.exc, w.inh, w.outs, w.errs)
	ms := float64(time.Since(t0).Microseconds()) / 1000 / float64(len(rs))
	for j := range out {
		if err := measure(&out[j], w.outs[j], w.errs[j]); err != nil {
			return nil, err
		}
		out[j].Row.RunMs = ms
	}
	return out, nil
}

// preparer is prepare with a memory of the last point it prepared: a worker's runs come mostly
// as the replicates of one point after another, whose model, experiment and f-I lookups are the
// same (prepare was 5 % of a seed sweep's CPU). The experiment is shared by those runs, which only
// read it. The zero value is ready.
type preparer struct {
	last Result          // the last point's result before its simulation, without f-I rows
	x    *sim.Experiment // its experiment; nil when there is no last point
	pt   sweep.Point     // its values (a copy: callers reuse their points)
}

// prepare is prepare(def, r, …), from memory when r is of the last point.
func (p *preparer) prepare(def *sweep.Definition, r sweep.RunRef, cache *FICache, haveFI func(FIKey) bool, fi *sim.FIScratch) (Result, *sim.Experiment, error) {
	if p.x != nil && samePoint(p.pt, r.Point) {
		res := p.last
		res.Row.RunID, res.Row.Replicate, res.Row.Seed, res.Row.Point = r.ID, r.Replicate, sweep.RunSeed(def.Seed, r.ID), r.Point
		return res, p.x, nil
	}
	res, x, err := prepare(def, r, cache, haveFI, fi)
	if err != nil {
		p.x = nil
		return res, x, err
	}
	p.last, p.x, p.pt = res, x, append(p.pt[:0], r.Point...)
	p.last.FI = nil
	return res, x, nil
}

// samePoint reports whether a and b hold the same values (numbers to the bit).
func samePoint(a, b sweep.Point) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i].Num) != math.Float64bits(b[i].Num) || a[i].Str != b[i].Str {
			return false
		}
	}
	return true
}

// prepare makes run r's result before its simulation: identity, seed, model, f-I thresholds, and
// the f-I rows it writes first, and the experiment to simulate (nil with an error).
func prepare(def *sweep.Definition, r sweep.RunRef, cache *FICache, haveFI func(FIKey) bool, fi *sim.FIScratch) (Result, *sim.Experiment, error) {
	pt, replicate, id := r.Point, r.Replicate, r.ID
	m, err := pt.Model()
	if err != nil {
		return Result{}, nil, fmt.Errorf("run %s: %w", id, err)
	}
	x, err := sim.NewExperiment(m.Sim)
	if err != nil {
		return Result{}, nil, fmt.Errorf("run %s: %w", id, err)
	}
	res := Result{Row: Row{RunID: id, CellID: pt.CellID(), Replicate: replicate, Seed: sweep.RunSeed(def.Seed, id), Status: StatusOK, Point: pt, Model: m}}
	row := &res.Row
	var fiErrs []string
	for _, u := range []struct {
		name   string
		unit   sim.Unit
		out    *analysis.FIThresholdGain
		keyOut *FIKey
	}{{"E", m.Sim.Exc, &row.FIE, &row.FIKeyE}, {"I", m.Sim.Inh, &row.FII, &row.FIKeyI}} {
		key := fiKey{Unit: u.unit, DtS: m.Sim.DtSec, FI: m.FI}
		*u.keyOut = key.id()
		curve, first, err := cache.get(key, def.Outputs.FICurves, fi)
		if errors.Is(err, sim.ErrStopped) {
			return res, nil, err
		}
		if err != nil {
			fiErrs = append(fiErrs, u.name+" unit: "+err.Error())
			continue
		}
		*u.out = curve.thresholds
		if first && def.Outputs.FICurves && (haveFI == nil || !haveFI(curve.id)) {
			res.FI = append(res.FI, curve.rows()...)
		}
	}
	row.FIErr = strings.Join(fiErrs, "; ")
	return res, x, nil
}

// measure fills res's row from the simulation's result s and error: a numerical failure is a
// failed row; any other error is returned.
func measure(res *Result, s *sim.Result, err error) error {
	row := &res.Row
	if err != nil {
		if errors.Is(err, sim.ErrStopped) {
			return err
		}
		if !errors.Is(err, sim.ErrNumerical) {
			return fmt.Errorf("run %s: %w", row.RunID, err)
		}
		row.Status, row.Error = StatusFailed, err.Error()
	}
	row.NSpikesE, row.NSpikesI = int64(len(s.SpikeStepsE)), int64(len(s.SpikeStepsI))
	row.RateEHz, row.RateIHz = s.RateEHz, s.RateIHz
	row.QEEPC, row.QEIPC, row.QIEPC, row.QIIPC = s.ChargeEEPC, s.ChargeEIPC, s.ChargeIEPC, s.ChargeIIPC
	row.NInputExc, row.NInputInh = s.InputSpikesExc, s.InputSpikesInh
	row.balance()
	if tr := s.Traces; tr != nil {
		res.Traces = make([]TraceRow, len(tr.VE))
		dtMs := row.Model.Sim.DtSec * 1e3
		for n := range res.Traces {
			res.Traces[n] = TraceRow{RunID: row.RunID, Step: int64(n), TMs: float64(n) * dtMs,
				VE: tr.VE[n], SEE: tr.SEE[n], SIE: tr.SIE[n], VI: tr.VI[n], SEI: tr.SEI[n], SII: tr.SII[n]}
		}
	}
	return nil
}

// ThetaGain returns the f-I threshold (pA) and gain (Hz/pA) of unit u of the model m, from
// cache; scratch is the caller's.
func ThetaGain(cache *FICache, m sweep.Model, u sim.UnitKind, scratch *sim.FIScratch) (analysis.FIThresholdGain, error) {
	key := fiKey{Unit: m.Sim.Exc, DtS: m.Sim.DtSec, FI: m.FI}
	if u == sim.UnitI {
		key.Unit = m.Sim.Inh
	}
	c, _, err := cache.get(key, false, scratch)
	if err != nil {
		return analysis.FIThresholdGain{}, err
	}
	return c.thresholds, nil
}

// DescribePoint returns a row describing def's point without simulating it: parameters,
// weights, and the f-I threshold and gain of both units.
func DescribePoint(def *sweep.Definition) (*Row, error) {
	m, err := def.Base.Model()
	if err != nil {
		return nil, err
	}
	r := &Row{Point: def.Base, Model: m, Status: StatusOK}
	var s sim.FIScratch
	for _, u := range []struct {
		unit sim.Unit
		out  *analysis.FIThresholdGain
	}{{m.Sim.Exc, &r.FIE}, {m.Sim.Inh, &r.FII}} {
		c, err := searchFI(fiKey{Unit: u.unit, DtS: m.Sim.DtSec, FI: m.FI}, &s)
		if err != nil {
			return nil, err
		}
		*u.out = c.thresholds
	}
	return r, nil
}

// Predicted returns the predicted charge of pathway k (0 EE, 1 IE, 2 EI, 3 II) of r in pC.
func Predicted(r *Row, k int) float64 { return predicted(r, k) }
