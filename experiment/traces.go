package experiment

import (
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// TraceRow is one step of one run: a row of the traces/ table, recorded at the start of the step
// as Brian2's StateMonitor records.
type TraceRow struct {
	RunID sweep.RunID
	Step  int64
	TMs   float64
	VE, SEE, SIE,
	VI, SEI, SII float64 // SI units
}

// TraceColumns is the traces/ table's schema: one row per step of every run (outputs.traces).
var TraceColumns = []table.Column[TraceRow]{
	table.String("run_id", "the run; joins runs.run_id", func(r *TraceRow) string { return r.RunID.String() }),
	table.Int("step", "clock step, from 0", func(r *TraceRow) int64 { return r.Step }),
	table.Float("t_ms", "time of the step: step·dt (ms)", func(r *TraceRow) float64 { return r.TMs }),
	table.Float("v_e_mv", "membrane potential of the E unit (mV)", func(r *TraceRow) float64 { return r.VE * 1e3 }),
	table.Float("s_exc_e_pa", "excitatory synaptic current onto the E unit, s_E (pA)", func(r *TraceRow) float64 { return r.SEE * 1e12 }),
	table.Float("s_inh_e_pa", "inhibitory synaptic current onto the E unit, s_I (pA)", func(r *TraceRow) float64 { return r.SIE * 1e12 }),
	table.Float("v_i_mv", "membrane potential of the I unit (mV)", func(r *TraceRow) float64 { return r.VI * 1e3 }),
	table.Float("s_exc_i_pa", "excitatory synaptic current onto the I unit (pA)", func(r *TraceRow) float64 { return r.SEI * 1e12 }),
	table.Float("s_inh_i_pa", "inhibitory synaptic current onto the I unit (pA)", func(r *TraceRow) float64 { return r.SII * 1e12 }),
}
