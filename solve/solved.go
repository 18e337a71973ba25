package solve

import (
	"math"

	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// SolvedRow is one grid cell of solved.parquet: the cell's parameters and, per unit, the
// solution of its [solve] problem.
type SolvedRow struct {
	CellID     sweep.CellID
	Cell       int64     // index of the cell in the grid
	Params     []float64 // every registry parameter's value in its display unit (NaN for words)
	Words      []string  // the values of word parameters ("" for numbers)
	Replicates int64     // replicates averaged at every candidate value
	SolveMs    float64   // CPU time spent on the cell (ms), summed over its units
	Units      [2]SolvedUnit
}

// SolvedUnit is one unit's solution in one cell. Values are NaN (null in the file) where they
// do not apply: for a unit without a problem, and past the status for one without a crossing.
type SolvedUnit struct {
	Param     string // the parameter adjusted, e.g. "weights.mult_ei"; "" if the unit is not solved
	Status    string // "ok", "below_min", "above_max" (no crossing in the search range), "failed"
	Error     string // why there is no solution, with the fix
	ValueUnit string // display unit of Start, Value, CILo, CIHi ("" for a multiplier)

	Start, Value, CILo, CIHi float64    // parameter: start of the search, solution, 95% interval
	Mult, MultCILo, MultCIHi float64    // multiplier of the pathway's weight (with the cell's J) and its interval
	WPA, WCILoPA, WCIHiPA    float64    // the pathway's weight (pA) at the solution, and its interval
	StartWPA                 float64    // the weight at the start (pA), e.g. the trained one
	StartRateHz              float64    // replicate-mean rate at the start
	RateHz, RateSEMHz        float64    // replicate-mean rate at the solution and its SEM
	SetPointHz               float64    // the level solved for: rate_exc (E) or rate_inh (I)
	ExcPA, InhPA             float64    // the unit's mean excitatory and inhibitory currents at the solution
	ThetaPA, GainHzPerPA     float64    // the unit's f-I threshold and gain
	CIFracOutside            float64    // fraction of bootstrap resamples without a crossing in the window
	Evaluations, Sims        int64      // candidate values tried by the root search; single-unit simulations in all
	Pred                     [4]float64 // weights (pA) predicted by the additive, multiplicative and linear fits and by threshold–gain
	Err                      [4]float64 // Pred − WPA (pA)
}

func nanSolvedUnit() SolvedUnit {
	var s SolvedUnit
	for _, f := range solvedFloats {
		*f.get(&s) = math.NaN()
	}
	return s
}

// predNames are the four predictions, in the order of SolvedUnit.Pred.
var predNames = [4]string{"additive", "multiplicative", "linear", "threshold_gain"}

type solvedFloat struct {
	name, doc string
	get       func(*SolvedUnit) *float64
}

type solvedString struct {
	name, doc string
	get       func(*SolvedUnit) *string
}

type solvedInt struct {
	name, doc string
	get       func(*SolvedUnit) *int64
}

var solvedStrings = []solvedString{
	{"param", "the parameter adjusted ([solve.e] or [solve.i] param)", func(s *SolvedUnit) *string { return &s.Param }},
	{"status", `"ok", "below_min" or "above_max" (no crossing in the search range: the mean rate is already past the set point at min, or still short of it at max), "failed" (numerical failure)`, func(s *SolvedUnit) *string { return &s.Status }},
	{"error", "why there is no solution, and what to change", func(s *SolvedUnit) *string { return &s.Error }},
	{"value_unit", `display unit of the value columns ("" for a multiplier, "nA" for J)`, func(s *SolvedUnit) *string { return &s.ValueUnit }},
}

var solvedInts = []solvedInt{
	{"evaluations", "candidate values the root search tried (each averages every replicate)", func(s *SolvedUnit) *int64 { return &s.Evaluations }},
	{"sims", "single-unit simulations run for the unit in this cell: search, solution and bootstrap window", func(s *SolvedUnit) *int64 { return &s.Sims }},
}

var solvedFloats = func() []solvedFloat {
	fs := []solvedFloat{
		{"start", "the parameter's value where the search started (the cell's value; value_unit)", func(s *SolvedUnit) *float64 { return &s.Start }},
		{"value", "the solved value: where the replicate-mean rate crosses the set point, to within the tolerance (value_unit)", func(s *SolvedUnit) *float64 { return &s.Value }},
		{"value_ci_lo", "95% bootstrap interval of the solved value over replicates, low end (value_unit)", func(s *SolvedUnit) *float64 { return &s.CILo }},
		{"value_ci_hi", "95% bootstrap interval of the solved value, high end (value_unit)", func(s *SolvedUnit) *float64 { return &s.CIHi }},
		{"mult", "the multiplier of the pathway's weight that gives the solved weight with the cell's J (equals value when a multiplier is solved)", func(s *SolvedUnit) *float64 { return &s.Mult }},
		{"mult_ci_lo", "95% interval of mult, low end", func(s *SolvedUnit) *float64 { return &s.MultCILo }},
		{"mult_ci_hi", "95% interval of mult, high end", func(s *SolvedUnit) *float64 { return &s.MultCIHi }},
		{"w_pa", "the solved weight of the pathway (w_EI, w_II, w_EE or w_IE) (pA)", func(s *SolvedUnit) *float64 { return &s.WPA }},
		{"w_ci_lo_pa", "95% interval of the solved weight, low end (pA)", func(s *SolvedUnit) *float64 { return &s.WCILoPA }},
		{"w_ci_hi_pa", "95% interval of the solved weight, high end (pA)", func(s *SolvedUnit) *float64 { return &s.WCIHiPA }},
		{"start_w_pa", "the pathway's weight at the start of the search (pA)", func(s *SolvedUnit) *float64 { return &s.StartWPA }},
		{"start_rate_hz", "replicate-mean rate at the start of the search (Hz): the mean of the sweep's runs of the cell", func(s *SolvedUnit) *float64 { return &s.StartRateHz }},
		{"rate_hz", "replicate-mean rate at the solved value (Hz); without a crossing, at the end of the range", func(s *SolvedUnit) *float64 { return &s.RateHz }},
		{"rate_sem_hz", "standard error of rate_hz over replicates (Hz)", func(s *SolvedUnit) *float64 { return &s.RateSEMHz }},
		{"set_point_hz", "the set point solved for: rate_exc for E, rate_inh for I (Hz)", func(s *SolvedUnit) *float64 { return &s.SetPointHz }},
		{"exc_pa", "the unit's mean excitatory current at the solution, Ē* (pA)", func(s *SolvedUnit) *float64 { return &s.ExcPA }},
		{"inh_pa", "the unit's mean inhibitory current at the solution, Ī* (pA)", func(s *SolvedUnit) *float64 { return &s.InhPA }},
		{"theta_pa", "the unit's f-I threshold θ (pA)", func(s *SolvedUnit) *float64 { return &s.ThetaPA }},
		{"gain_hz_per_pa", "the unit's f-I gain g (Hz/pA)", func(s *SolvedUnit) *float64 { return &s.GainHzPerPA }},
		{"ci_frac_outside", "fraction of bootstrap resamples whose crossing fell outside the evaluated window (left out of the interval)", func(s *SolvedUnit) *float64 { return &s.CIFracOutside }},
	}
	docs := [4]string{
		"the weight the additive model I = E + b, fitted to the other solved cells (leave one out), gives for this cell (pA)",
		"the weight the multiplicative model I = m·E, fitted to the other solved cells, gives for this cell (pA)",
		"the weight the linear model I = m·E + b, fitted to the other solved cells, gives for this cell (pA)",
		"the weight the threshold–gain prediction (Ī* = Ē − θ − r*/g, or Ē* = Ī + θ + r*/g for an excitatory weight) gives for this cell (pA)",
	}
	for j, n := range predNames {
		fs = append(fs,
			solvedFloat{n + "_w_pa", docs[j], func(s *SolvedUnit) *float64 { return &s.Pred[j] }},
			solvedFloat{n + "_err_pa", n + "_w_pa − w_pa: the prediction's error against the solved weight (pA)", func(s *SolvedUnit) *float64 { return &s.Err[j] }})
	}
	return fs
}()

// SolvedColumns is the schema of solved.parquet (and of the checkpoints in solved/): the cell,
// every parameter, then for each unit (prefix e_ or i_) its solution.
var SolvedColumns = buildSolvedColumns()

func buildSolvedColumns() []table.Column[SolvedRow] {
	cols := []table.Column[SolvedRow]{
		table.String("cell_id", "the grid cell (runs.cell_id)", func(r *SolvedRow) string { return r.CellID.String() }),
		table.Int("cell", "index of the cell in the grid", func(r *SolvedRow) int64 { return r.Cell }),
	}
	cols = append(cols, experiment.ParamColumns(sweep.ExperimentUnit, func(int) bool { return true }, func(r *SolvedRow) ([]float64, []string) { return r.Params, r.Words })...)
	cols = append(cols,
		table.Int("replicates", "replicates averaged at every candidate value", func(r *SolvedRow) int64 { return r.Replicates }),
		table.Float("solve_ms", "CPU time spent on the cell (ms)", func(r *SolvedRow) float64 { return r.SolveMs }),
	)
	for u, prefix := range []string{"e_", "i_"} {
		unit := [2]string{"E unit: ", "I unit: "}[u]
		for _, f := range solvedStrings {
			cols = append(cols, table.StringNullable(prefix+f.name, unit+f.doc, func(r *SolvedRow) (string, bool) {
				v := *f.get(&r.Units[u])
				return v, v != "" || f.name == "value_unit" && r.Units[u].Param != ""
			}))
		}
		for _, f := range solvedFloats {
			cols = append(cols, table.FloatOrNull(prefix+f.name, unit+f.doc, func(r *SolvedRow) float64 { return *f.get(&r.Units[u]) }))
		}
		for _, f := range solvedInts {
			cols = append(cols, table.IntOrNull(prefix+f.name, unit+f.doc, func(r *SolvedRow) (int64, bool) {
				return *f.get(&r.Units[u]), r.Units[u].Param != ""
			}))
		}
	}
	return cols
}

// ReadSolvedFiles reads the rows of solved tables: solved.parquet, or checkpoints in solved/.
func ReadSolvedFiles(parts []string) ([]SolvedRow, error) {
	names := make([]string, len(SolvedColumns))
	for k, c := range SolvedColumns {
		names[k] = c.Name
	}
	var rows []SolvedRow
	err := table.EachRow(parts, names, func(v *table.Row) error {
		id, err := sweep.ParseCellID(v.String("cell_id"))
		if err != nil {
			return err
		}
		r := SolvedRow{CellID: id, Cell: int64(v.Float("cell")), Replicates: int64(v.Float("replicates")), SolveMs: v.Float("solve_ms")}
		r.Params, r.Words = experiment.ReadParams(v, sweep.ExperimentUnit, func(int) bool { return true })
		for u, prefix := range []string{"e_", "i_"} {
			s := &r.Units[u]
			for _, f := range solvedStrings {
				*f.get(s) = v.String(prefix + f.name)
			}
			for _, f := range solvedFloats {
				*f.get(s) = v.Float(prefix + f.name)
			}
			for _, f := range solvedInts {
				if x := v.Float(prefix + f.name); !math.IsNaN(x) {
					*f.get(s) = int64(x)
				}
			}
		}
		rows = append(rows, r)
		return nil
	})
	return rows, err
}
