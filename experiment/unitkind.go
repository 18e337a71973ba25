package experiment

import (
	"io"
	"slices"
	"sync/atomic"

	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// Unit is the single-unit experiment (docs/MODEL.md): one E and one I unit driven by Poisson
// sources. Its folders hold runs/, fi/ (outputs.fi_curves) and traces/ (outputs.traces).
var Unit Kind = unitKind{}

func init() { register(Unit) }

type unitKind struct{}

// UnitTables are the single-unit experiment's tables: runs/ (one row per run) and its
// companions fi/ (f-I curves, outputs.fi_curves) and traces/ (every step of every run,
// outputs.traces).
var UnitTables = []store.Table{{Name: "runs", Key: "run_id"}, {Name: "fi", Key: "fi_key"}, {Name: "traces", Key: "run_id"}}

// unitSummaryMetrics are the runs columns that summary.parquet summarises per group.
var unitSummaryMetrics = []string{
	"rate_e_hz", "rate_i_hz", "q_ee_pc", "q_ei_pc", "q_ie_pc", "q_ii_pc",
	"q_ee_pred_pc", "q_ei_pred_pc", "q_ie_pred_pc", "q_ii_pred_pc",
	"exc_current_e_pa", "inh_current_e_pa", "b_add_e_pa", "m_mult_e", "b_lin_e_pa", "w_add_ei_pa", "i_tg_e_pa", "w_tg_ei_pa", "setpoint_err_e_hz",
	"exc_current_i_pa", "inh_current_i_pa", "b_add_i_pa", "m_mult_i", "b_lin_i_pa", "w_add_ii_pa", "i_tg_i_pa", "w_tg_ii_pa", "setpoint_err_i_hz",
}

func (unitKind) Name() sweep.Experiment   { return sweep.ExperimentUnit }
func (unitKind) Tables() []store.Table    { return slices.Clone(UnitTables) }
func (unitKind) SummaryMetrics() []string { return slices.Clone(unitSummaryMetrics) }

func (unitKind) Schemas() []TableSchema {
	return []TableSchema{
		{"runs", "one row per run: identity, every parameter of the single-unit experiment, derived weights, measurements", table.Docs(Columns)},
		{"fi", "one row per current of each distinct unit's f-I curve (outputs.fi_curves)", table.Docs(FIColumns)},
		{"traces", "one row per step of each run: both units' state at the start of the step (outputs.traces)", table.Docs(TraceColumns)},
	}
}

func (unitKind) NewSession(def *sweep.Definition, have func(string, uint64) bool) Session {
	s := &unitSession{def: def, cache: NewFICache()}
	if have != nil {
		s.haveFI = func(k FIKey) bool { return have("fi", uint64(k)) }
	}
	return s
}

type unitSession struct {
	def    *sweep.Definition
	cache  *FICache
	haveFI func(FIKey) bool
}

func (s *unitSession) NewWorker() Worker { return &unitWorker{s: s} }
func (s *unitSession) NewBuffer() Buffer { return &unitBuffer{runs: table.NewBuffer(Columns, 1<<20)} }

type unitWorker struct {
	s *unitSession
	w UnitWorker
	b BatchWorker
}

func (w *unitWorker) SetStop(stop *atomic.Bool) {
	w.w.SetStop(stop)
	w.b.SetStop(stop)
}

// Lanes is the simulation's lanes in lockstep (sim.BatchLanes), 1 for runs recording traces.
func (w *unitWorker) Lanes() int {
	if w.s.def.Outputs.Traces {
		return 1
	}
	return sim.BatchLanes()
}

func (w *unitWorker) RunBatch(rs []sweep.RunRef) ([]Output, error) {
	res, err := w.b.RunBatch(w.s.def, rs, w.s.cache, w.s.haveFI)
	if err != nil {
		return nil, err
	}
	out := make([]Output, len(res))
	for k := range res {
		out[k] = &res[k] // a unit run's Output is its *Result: boxing the 1 KB row was an allocation and a copy per run
	}
	return out, nil
}

func (w *unitWorker) Run(r sweep.RunRef) (Output, error) {
	res, err := w.w.Run(w.s.def, r, w.s.cache, w.s.haveFI)
	return &res, err
}

// Status returns the run's outcome.
func (r Result) Status() Status { return r.Row.Status }

type unitBuffer struct {
	runs   *table.Buffer[Row] // as columns: the results are not kept, and hold no pointer for the GC to scan
	fis    []FIRow
	traces []TraceRow
}

// traceFlushRows is the number of trace rows (steps) buffered before a batch is written.
const traceFlushRows = 2_000_000

func (b *unitBuffer) Add(o Output) {
	r := o.(*Result)
	b.runs.Add(&r.Row)
	b.fis = append(b.fis, r.FI...)
	b.traces = append(b.traces, r.Traces...)
}

// Reserve implements ReservingBuffer.
func (b *unitBuffer) Reserve(runs int) { b.runs.Grow(runs) }

func (b *unitBuffer) Runs() int  { return b.runs.Len() }
func (b *unitBuffer) Full() bool { return len(b.traces) >= traceFlushRows }

func (b *unitBuffer) Write(write func(string, func(io.Writer, map[string]string) error) error) error {
	if err := writeTable(write, "traces", TraceColumns, b.traces); err != nil {
		return err
	}
	if err := writeTable(write, "fi", FIColumns, b.fis); err != nil {
		return err
	}
	if b.runs.Len() > 0 {
		if err := write("runs", func(w io.Writer, meta map[string]string) error {
			return b.runs.Write(w, meta)
		}); err != nil {
			return err
		}
	}
	b.runs.Reset()
	b.fis, b.traces = b.fis[:0], b.traces[:0]
	return nil
}
