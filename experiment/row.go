package experiment

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// Row is the result of one run: its identity, parameters and measurements.
type Row struct {
	RunID     sweep.RunID
	Replicate int
	Seed      uint64
	Status    Status
	Error     string // why the run failed; "" when Status is StatusOK

	Point sweep.Point // every registry parameter
	Model sweep.Model // the resolved model, with derived weights

	NSpikesE, NSpikesI int64
	RateEHz, RateIHz   float64
	QEEPC, QEIPC       float64 // charges onto the E unit (pC)
	QIEPC, QIIPC       float64 // charges onto the I unit (pC)
	NInputExc          int64   // presynaptic excitatory spikes delivered
	NInputInh          int64
	FIE, FII           analysis.FIThresholdGain // f-I threshold and gain of each unit
	FIErr              string                   // f-I failure, if any
	FIKeyE, FIKeyI     FIKey                    // identities of the units' f-I computations
	CellID             sweep.CellID             // identity of the grid cell (all parameters but the replicate)
	BalE, BalI         analysis.Balance         // docs/MODEL.md §6 for each unit
	RunMs              float64                  // wall time of the simulation (ms)
}

// Status is the outcome of a run.
type Status string

const (
	StatusOK     Status = "ok"     // the run completed and every measurement is valid
	StatusFailed Status = "failed" // the run failed numerically; measurements are null
)

func f64(name, doc string, get func(*Row) float64) table.Column[Row] {
	return table.Float(name, doc, get)
}

// measured is a float column that is null when the run failed or the value is NaN (undefined,
// e.g. the threshold of a unit that never fires in the f-I range).
func measured(name, doc string, get func(*Row) float64) table.Column[Row] {
	return table.FloatNullable(name, doc, func(r *Row) (float64, bool) {
		v := get(r)
		return v, r.Status == StatusOK && !math.IsNaN(v)
	})
}

// i64 is an int column, null when nullable and the run failed.
func i64(name, doc string, nullable bool, get func(*Row) int64) table.Column[Row] {
	if !nullable {
		return table.Int(name, doc, get)
	}
	return table.IntOrNull(name, doc, func(r *Row) (int64, bool) { return get(r), r.Status == StatusOK })
}

// str is a string column, null where nullable and the value is "".
func str(name, doc string, nullable bool, get func(*Row) string) table.Column[Row] {
	if !nullable {
		return table.String(name, doc, get)
	}
	return table.StringOrNull(name, doc, get)
}

// balance computes docs/MODEL.md §6 for both units from the row's measurements: the E unit's set
// point is rate_exc, the I unit's rate_inh, and the linear model's slope rate_exc/rate_inh.
func (r *Row) balance() {
	m := &r.Model
	_, nInh := m.Input.Sources()
	slope := m.Input.RateExcHz / m.Input.RateInhHz
	theta := func(fi analysis.FIThresholdGain) (float64, float64) {
		if r.FIErr != "" {
			return math.NaN(), math.NaN()
		}
		return fi.ThresholdPA, fi.GainHzPerPA
	}
	te, ge := theta(r.FIE)
	ti, gi := theta(r.FII)
	r.BalE = analysis.UnitBalance(r.QEEPC, r.QEIPC, m.Sim.DurationSec, slope, te, ge, r.RateEHz, m.Input.RateExcHz, nInh, m.Input.RateInhHz)
	r.BalI = analysis.UnitBalance(r.QIEPC, r.QIIPC, m.Sim.DurationSec, slope, ti, gi, r.RateIHz, m.Input.RateInhHz, nInh, m.Input.RateInhHz)
}

// balanceColumns are docs/MODEL.md §6 for unit u ("e" or "i"), whose inhibitory pathway is "ei" or "ii".
func balanceColumns(u, path, unit string, bal func(*Row) *analysis.Balance) []table.Column[Row] {
	b := func(name, doc string, get func(*analysis.Balance) float64) table.Column[Row] {
		return measured(name, doc, func(r *Row) float64 { return get(bal(r)) })
	}
	return []table.Column[Row]{
		b("exc_current_"+u+"_pa", "mean excitatory current onto the "+unit+" unit, Ē = Q/duration (pA)", func(x *analysis.Balance) float64 { return x.ExcPA }),
		b("inh_current_"+u+"_pa", "mean inhibitory current onto the "+unit+" unit, Ī = Q/duration (pA)", func(x *analysis.Balance) float64 { return x.InhPA }),
		b("b_add_"+u+"_pa", "additive balance I = E + b of the "+unit+" unit: b = Ī − Ē (pA)", func(x *analysis.Balance) float64 { return x.AdditiveBPA }),
		b("m_mult_"+u, "multiplicative balance I = m·E of the "+unit+" unit: m = Ī/Ē", func(x *analysis.Balance) float64 { return x.MultiplicativeM }),
		b("b_lin_"+u+"_pa", "linear balance I = m·E + b of the "+unit+" unit, m = slope_lin: b = Ī − m·Ē (pA)", func(x *analysis.Balance) float64 { return x.LinearBPA }),
		b("w_add_"+path+"_pa", "inhibitory weight the additive model proposes, (Ē + b)/(sources_inh·rate_inh·1 ms, sources_inh = n_inh (1 in regular mode)) (pA)", func(x *analysis.Balance) float64 { return x.AdditiveWPA }),
		b("w_mult_"+path+"_pa", "inhibitory weight the multiplicative model proposes, m·Ē/(sources_inh·rate_inh·1 ms, sources_inh = n_inh (1 in regular mode)) (pA)", func(x *analysis.Balance) float64 { return x.MultiplicativeWPA }),
		b("w_lin_"+path+"_pa", "inhibitory weight the linear model proposes, (m·Ē + b)/(sources_inh·rate_inh·1 ms, sources_inh = n_inh (1 in regular mode)) (pA)", func(x *analysis.Balance) float64 { return x.LinearWPA }),
		b("i_tg_"+u+"_pa", "threshold–gain prediction of the inhibition holding the "+unit+" unit at its set point r*: Ē − θ − r*/g (pA)", func(x *analysis.Balance) float64 { return x.ThresholdGainIPA }),
		b("w_tg_"+path+"_pa", "inhibitory weight delivering i_tg_"+u+"_pa: i_tg/(sources_inh·rate_inh·1 ms, sources_inh = n_inh (1 in regular mode)) (pA)", func(x *analysis.Balance) float64 { return x.ThresholdGainWPA }),
		b("setpoint_err_"+u+"_hz", "rate of the "+unit+" unit minus its set point ("+map[string]string{"e": "rate_exc", "i": "rate_inh"}[u]+") (Hz)", func(x *analysis.Balance) float64 { return x.SetPointErrorHz }),
	}
}

// Columns is the runs table's schema, in order: identity, every registry parameter (in its
// display unit, named with it), derived weights, then measurements. Parameters come from
// sweep.Registry; see docs/SCHEMA.md or `eisweep schema`.
var Columns = buildColumns()

func buildColumns() []table.Column[Row] {
	cs := []table.Column[Row]{
		table.Hex("run_id", "identity of the run: hash of its parameter values and replicate", func(r *Row) uint64 { return uint64(r.RunID) }),
		table.Hex("cell_id", "identity of the run's grid cell: hash of its parameter values (runs of one cell differ only in replicate)", func(r *Row) uint64 { return uint64(r.CellID) }),
		i64("replicate", "replicate number within its grid point, from 0", false, func(r *Row) int64 { return int64(r.Replicate) }),
		i64("seed", "random seed of the run's input, derived from the sweep's seed and run_id", false, func(r *Row) int64 { return int64(r.Seed) }),
		str("status", `"ok", or "failed" when the run failed numerically (measurements are then null)`, false, func(r *Row) string { return string(r.Status) }),
		str("error", "why the run failed; null when status is ok", true, func(r *Row) string { return r.Error }),
	}
	cs = append(cs, PointColumns(sweep.ExperimentUnit, func(r *Row) sweep.Point { return r.Point })...)
	cs = append(cs,
		f64("w_ee_pa", "weight of E input onto the E unit, w_EE (pA)", func(r *Row) float64 { return r.Model.Sim.W.EEAmp * 1e12 }),
		f64("w_ie_pa", "weight of E input onto the I unit, w_IE (pA)", func(r *Row) float64 { return r.Model.Sim.W.IEAmp * 1e12 }),
		f64("w_ei_pa", "weight of I input onto the E unit, w_EI (pA)", func(r *Row) float64 { return r.Model.Sim.W.EIAmp * 1e12 }),
		f64("w_ii_pa", "weight of I input onto the I unit, w_II (pA)", func(r *Row) float64 { return r.Model.Sim.W.IIAmp * 1e12 }),
		i64("n_spikes_e", "spikes of the E unit", true, func(r *Row) int64 { return r.NSpikesE }),
		i64("n_spikes_i", "spikes of the I unit", true, func(r *Row) int64 { return r.NSpikesI }),
		measured("rate_e_hz", "output rate of the E unit: spikes / duration (Hz)", func(r *Row) float64 { return r.RateEHz }),
		measured("rate_i_hz", "output rate of the I unit (Hz)", func(r *Row) float64 { return r.RateIHz }),
		measured("q_ee_pc", "excitatory charge onto the E unit: Σ s_E·dt (pC)", func(r *Row) float64 { return r.QEEPC }),
		measured("q_ei_pc", "inhibitory charge onto the E unit: Σ s_I·dt (pC)", func(r *Row) float64 { return r.QEIPC }),
		measured("q_ie_pc", "excitatory charge onto the I unit (pC)", func(r *Row) float64 { return r.QIEPC }),
		measured("q_ii_pc", "inhibitory charge onto the I unit (pC)", func(r *Row) float64 { return r.QIIPC }),
		f64("q_ee_pred_pc", "predicted Q_EE = sources·w_EE·rate_exc·duration·1 ms, sources = n_exc (1 in regular mode) (pC)", func(r *Row) float64 { return predicted(r, 0) }),
		f64("q_ei_pred_pc", "predicted Q_EI = sources_inh·w_EI·rate_inh·duration·1 ms, sources_inh = n_inh (1 in regular mode) (pC)", func(r *Row) float64 { return predicted(r, 2) }),
		f64("q_ie_pred_pc", "predicted Q_IE = sources_exc·w_IE·rate_exc·duration·1 ms, sources_exc = n_exc (1 in regular mode) (pC)", func(r *Row) float64 { return predicted(r, 1) }),
		f64("q_ii_pred_pc", "predicted Q_II = sources_inh·w_II·rate_inh·duration·1 ms, sources_inh = n_inh (1 in regular mode) (pC)", func(r *Row) float64 { return predicted(r, 3) }),
		i64("n_input_exc", "presynaptic excitatory spikes delivered (each reaches both units)", true, func(r *Row) int64 { return r.NInputExc }),
		i64("n_input_inh", "presynaptic inhibitory spikes delivered", true, func(r *Row) int64 { return r.NInputInh }),
		fiCol("theta_e_pa", "f-I threshold of the E unit: first current with a non-zero rate (pA); null if it never fires in range", func(r *Row) float64 { return r.FIE.ThresholdPA }),
		fiCol("theta_i_pa", "f-I threshold of the I unit (pA)", func(r *Row) float64 { return r.FII.ThresholdPA }),
		fiCol("gain_e_hz_per_pa", "f-I gain of the E unit: slope from the last silent to the highest current (Hz/pA)", func(r *Row) float64 { return r.FIE.GainHzPerPA }),
		fiCol("gain_i_hz_per_pa", "f-I gain of the I unit (Hz/pA)", func(r *Row) float64 { return r.FII.GainHzPerPA }),
		str("fi_status_e", `how θ and g of the E unit were found: "ok", "no_spike_in_range", "spikes_at_min"`, true, func(r *Row) string { return fiStatus(r, r.FIE) }),
		str("fi_status_i", "as fi_status_e, for the I unit", true, func(r *Row) string { return fiStatus(r, r.FII) }),
		table.Hex("fi_key_e", "identity of the E unit's f-I computation (unit, dt, f-I settings): joins the fi/ table's fi_key", func(r *Row) uint64 { return uint64(r.FIKeyE) }),
		table.Hex("fi_key_i", "identity of the I unit's f-I computation: joins the fi/ table's fi_key", func(r *Row) uint64 { return uint64(r.FIKeyI) }),
	)
	cs = append(cs, measured("slope_lin", "slope of the linear balance model, fixed at rate_exc/rate_inh", func(r *Row) float64 {
		return r.Model.Input.RateExcHz / r.Model.Input.RateInhHz
	}))
	cs = append(cs, balanceColumns("e", "ei", "E", func(r *Row) *analysis.Balance { return &r.BalE })...)
	cs = append(cs, balanceColumns("i", "ii", "I", func(r *Row) *analysis.Balance { return &r.BalI })...)
	cs = append(cs, f64("run_ms", "wall time of the run's simulation (ms; of runs in lockstep, their batch's time over its runs); the only column that depends on the machine", func(r *Row) float64 { return r.RunMs }))
	return cs
}

func fiCol(name, doc string, get func(*Row) float64) table.Column[Row] {
	return table.FloatNullable(name, doc, func(r *Row) (float64, bool) {
		v := get(r)
		return v, r.FIErr == "" && !math.IsNaN(v)
	})
}

func fiStatus(r *Row, fi analysis.FIThresholdGain) string {
	if r.FIErr != "" {
		return "failed"
	}
	return fi.Status.String()
}

// predicted returns the predicted charge of pathway k (EE, IE, EI, II) in pC.
func predicted(r *Row, k int) float64 {
	m := &r.Model
	w := [4]float64{m.Sim.W.EEAmp, m.Sim.W.IEAmp, m.Sim.W.EIAmp, m.Sim.W.IIAmp}[k]
	nExc, nInh := m.Input.Sources()
	if k < 2 {
		return analysis.PredictedChargePC(nExc, w, m.Input.RateExcHz, m.Sim.DurationSec)
	}
	return analysis.PredictedChargePC(nInh, w, m.Input.RateInhHz, m.Sim.DurationSec)
}

// Schema returns the Arrow schema of the runs table with the given key-value metadata.
func Schema(meta map[string]string) *arrow.Schema { return table.Schema(Columns, meta) }
