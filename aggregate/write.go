package aggregate

import (
	"fmt"
	"io"
	"math"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/buildinfo"
	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// writeSummary writes summary.parquet: per group its parameters, counts, the fraction of runs
// within ±10% of each set point, and statistics of every metric.
func writeSummary(dir, name string, def *sweep.Definition, by []string, order []string, groups map[string]*group) error {
	cols := summaryColumns(experiment.For(def), by)
	rows := make([]*group, len(order))
	for k, key := range order {
		rows[k] = groups[key]
	}
	return store.WriteDerived(dir, name, func(w io.Writer) error { return table.Write(w, cols, rows, aggregateMeta(def), 1<<20) })
}

// summaryColumns are summary.parquet's columns for the grouping by (nil: grid cells).
func summaryColumns(kind experiment.Kind, by []string) []table.Column[*group] {
	byIdx := map[int]bool{}
	for _, n := range by {
		byIdx[indexOfParam(n)] = true
	}
	var cols []table.Column[*group]
	if len(by) == 0 {
		cols = append(cols, table.String("cell_id", "the grid cell (runs.cell_id)", func(g **group) string { return (*g).cellID }))
	}
	cols = append(cols, experiment.ParamColumns(kind.Name(), func(i int) bool { return len(by) == 0 || byIdx[i] }, func(g **group) ([]float64, []string) { return (*g).params, (*g).words })...)
	cols = append(cols,
		table.Int("n_runs", "runs in the group", func(g **group) int64 { return int64((*g).runs) }),
		table.Int("n_failed", "runs that failed numerically", func(g **group) int64 { return int64((*g).failed) }),
	)
	if kind.Name() == sweep.ExperimentUnit {
		cols = append(cols, table.FloatOrNull("frac_rate_e_within_10pct", "fraction of runs whose r_E is within ±10% of rate_exc", func(g **group) float64 { return (*g).nearE.Summary().FracWithin10Pct }),
			table.FloatOrNull("frac_rate_i_within_10pct", "fraction of runs whose r_I is within ±10% of rate_inh", func(g **group) float64 { return (*g).nearI.Summary().FracWithin10Pct }))
	}
	for k, m := range kind.SummaryMetrics() {
		s := func(g **group) analysis.Summary { return (*g).metrics[k].Summary() }
		cols = append(cols,
			table.FloatOrNull(m+"_mean", "mean of runs."+m, func(g **group) float64 { return s(g).Mean }),
			table.FloatOrNull(m+"_sd", "standard deviation (n−1) of runs."+m, func(g **group) float64 { return s(g).SD }),
			table.FloatOrNull(m+"_sem", "standard error of the mean of runs."+m, func(g **group) float64 { return s(g).SEM }),
			table.FloatOrNull(m+"_ci_lo", "95% interval of the mean of runs."+m+", low end (Student t)", func(g **group) float64 { return s(g).CI95Lo }),
			table.FloatOrNull(m+"_ci_hi", "95% interval of the mean of runs."+m+", high end", func(g **group) float64 { return s(g).CI95Hi }),
		)
	}
	return cols
}

// Floats returns the named numeric columns of the summary Write would write, one value per
// group in its order (NaN for null), computed in memory.
func (r *Result) Floats(names []string) (map[string][]float64, error) {
	byName := map[string]table.Column[*group]{}
	for _, c := range summaryColumns(r.kind, r.By) {
		byName[c.Name] = c
	}
	out := make(map[string][]float64, len(names))
	for _, n := range names {
		c, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("summary has no column %q", n)
		}
		b := array.NewBuilder(memory.DefaultAllocator, c.Type)
		for _, key := range r.order {
			g := r.groups[key]
			c.Append(b, &g)
		}
		a := b.NewArray()
		b.Release()
		vals := make([]float64, a.Len())
		for i := range vals {
			switch x := a.(type) {
			case *array.Float64:
				vals[i] = x.Value(i)
			case *array.Int64:
				vals[i] = float64(x.Value(i))
			default:
				return nil, fmt.Errorf("summary column %q is not a number", n)
			}
			if a.IsNull(i) {
				vals[i] = math.NaN()
			}
		}
		a.Release()
		out[n] = vals
	}
	return out, nil
}

// balanceRow is one (unit, level) of balance.parquet.
type balanceRow struct {
	u  *UnitBalanceLines
	lv *level
}

func writeBalance(dir string, def *sweep.Definition, lines []*UnitBalanceLines) error {
	var rows []balanceRow
	for _, u := range lines {
		for _, lv := range u.Levels {
			rows = append(rows, balanceRow{u, lv})
		}
	}
	cols := balanceColumns()
	return store.WriteDerived(dir, "balance.parquet", func(w io.Writer) error { return table.Write(w, cols, rows, aggregateMeta(def), 1<<20) })
}

// balanceColumns are balance.parquet's columns.
func balanceColumns() []table.Column[balanceRow] {
	cr := func(r *balanceRow) *analysis.Crossing { return &r.lv.crossing }
	cols := []table.Column[balanceRow]{
		table.String("unit", `"E" or "I": the unit whose balance line this row belongs to`, func(r *balanceRow) string { return r.u.Unit }),
		table.String("axis", "the inhibitory weight varied, and by which parameters", func(r *balanceRow) string { return r.u.Axis }),
		table.String("level", "the excitation level: the parameters that differ between this unit's levels", func(r *balanceRow) string { return r.lv.varyingStr }),
		table.String("status", `"crossed", or why the mean rate does not cross the set point inside the grid`, func(r *balanceRow) string { return cr(r).Status.String() }),
		table.Int("sign_changes", "times the mean rate crosses the set point along the axis (more than 1: not monotone)", func(r *balanceRow) int64 { return int64(cr(r).SignChanges) }),
		table.Int("n_cells", "axis values in the level", func(r *balanceRow) int64 { return int64(len(r.lv.cells)) }),
		table.Int("n_runs", "runs in the level (replicates pooled over parameters that do not affect the unit)", func(r *balanceRow) int64 { return int64(r.lv.runs) }),
		table.FloatOrNull("set_point_hz", "the unit's set point: rate_exc for E, rate_inh for I (Hz)", func(r *balanceRow) float64 { return r.lv.setPoint }),
		table.FloatOrNull("w_cross_pa", "inhibitory weight at which the mean rate crosses the set point, interpolated (pA)", func(r *balanceRow) float64 { return cr(r).X }),
		table.FloatOrNull("w_cross_ci_lo_pa", "95% bootstrap interval of w_cross_pa, low end (pA)", func(r *balanceRow) float64 { return r.lv.ciX.Lo }),
		table.FloatOrNull("w_cross_ci_hi_pa", "95% bootstrap interval of w_cross_pa, high end (pA)", func(r *balanceRow) float64 { return r.lv.ciX.Hi }),
		table.FloatOrNull("exc_cross_pa", "mean excitatory current Ē* at the crossing (pA)", func(r *balanceRow) float64 { return cr(r).ExcPA }),
		table.FloatOrNull("exc_cross_ci_lo_pa", "95% bootstrap interval of Ē*, low end (pA)", func(r *balanceRow) float64 { return r.lv.ciExc.Lo }),
		table.FloatOrNull("exc_cross_ci_hi_pa", "95% bootstrap interval of Ē*, high end (pA)", func(r *balanceRow) float64 { return r.lv.ciExc.Hi }),
		table.FloatOrNull("inh_cross_pa", "mean inhibitory current Ī* at the crossing: the inhibition that holds the unit at its set point (pA)", func(r *balanceRow) float64 { return cr(r).InhPA }),
		table.FloatOrNull("inh_cross_ci_lo_pa", "95% bootstrap interval of Ī*, low end (pA)", func(r *balanceRow) float64 { return r.lv.ciInh.Lo }),
		table.FloatOrNull("inh_cross_ci_hi_pa", "95% bootstrap interval of Ī*, high end (pA)", func(r *balanceRow) float64 { return r.lv.ciInh.Hi }),
		table.FloatOrNull("boot_frac_crossed", "fraction of bootstrap resamples that crossed", func(r *balanceRow) float64 { return r.lv.fracCross }),
		table.FloatOrNull("theta_pa", "the unit's f-I threshold θ (pA)", func(r *balanceRow) float64 { return r.lv.theta }),
		table.FloatOrNull("gain_hz_per_pa", "the unit's f-I gain g (Hz/pA)", func(r *balanceRow) float64 { return r.lv.gain }),
		table.FloatOrNull("i_tg_pa", "threshold–gain prediction at the crossing, Ē* − θ − r*/g (pA)", func(r *balanceRow) float64 { return r.lv.tgI }),
		table.FloatOrNull("i_tg_minus_cross_pa", "how far the threshold–gain prediction lands from Ī* (pA)", func(r *balanceRow) float64 { return r.lv.tgI - cr(r).InhPA }),
		table.FloatOrNull("w_tg_pa", "inhibitory weight delivering i_tg_pa, i_tg/(sources_inh·rate_inh·1 ms), sources_inh = n_inh (1 in regular mode) (pA)", func(r *balanceRow) float64 { return r.lv.tgI / (r.lv.nInh * r.lv.rateInh * 1e-3) }),
		table.FloatOrNull("resid_linear_pa", "residual Ī* − (m·Ē* + b) of the linear fit (pA)", func(r *balanceRow) float64 { return r.lv.resid[0] }),
		table.FloatOrNull("resid_additive_pa", "residual of the additive fit (pA)", func(r *balanceRow) float64 { return r.lv.resid[1] }),
		table.FloatOrNull("resid_multiplicative_pa", "residual of the multiplicative fit (pA)", func(r *balanceRow) float64 { return r.lv.resid[2] }),
		table.Int("n_levels_crossed", "levels of this unit whose crossing the fits use", func(r *balanceRow) int64 { return int64(r.u.Crossed) }),
		table.String("best_model", "the model with the lowest AIC: linear, additive or multiplicative", func(r *balanceRow) string { return r.u.Best }),
	}
	for k, short := range []string{"lin", "add", "mult"} {
		f := func(r *balanceRow) *analysis.LineFit { return &r.u.Fits[k] }
		model := []string{"linear I = m·E + b", "additive I = E + b", "multiplicative I = m·E"}[k]
		cols = append(cols,
			table.FloatOrNull(short+"_m", "slope m of the "+model+" fit of Ī* against Ē* (fixed ones exact)", func(r *balanceRow) float64 { return f(r).M }),
			table.FloatOrNull(short+"_m_se", "standard error of "+short+"_m", func(r *balanceRow) float64 { return f(r).SEM }),
			table.FloatOrNull(short+"_m_ci_lo", "95% interval of "+short+"_m, low end", func(r *balanceRow) float64 { return f(r).CIM.Lo }),
			table.FloatOrNull(short+"_m_ci_hi", "95% interval of "+short+"_m, high end", func(r *balanceRow) float64 { return f(r).CIM.Hi }),
			table.FloatOrNull(short+"_b_pa", "intercept b of the "+model+" fit (pA)", func(r *balanceRow) float64 { return f(r).B }),
			table.FloatOrNull(short+"_b_se_pa", "standard error of "+short+"_b_pa (pA)", func(r *balanceRow) float64 { return f(r).SEB }),
			table.FloatOrNull(short+"_b_ci_lo_pa", "95% interval of "+short+"_b_pa, low end (pA)", func(r *balanceRow) float64 { return f(r).CIB.Lo }),
			table.FloatOrNull(short+"_b_ci_hi_pa", "95% interval of "+short+"_b_pa, high end (pA)", func(r *balanceRow) float64 { return f(r).CIB.Hi }),
			table.FloatOrNull(short+"_r2", "R² of the "+model+" fit", func(r *balanceRow) float64 { return f(r).R2 }),
			table.FloatOrNull(short+"_rms_pa", "root-mean-square residual of the "+model+" fit (pA)", func(r *balanceRow) float64 { return f(r).RMSPA }),
			table.FloatOrNull(short+"_aic", "AIC of the "+model+" fit, n·ln(SSR/n) + 2k", func(r *balanceRow) float64 { return f(r).AIC }),
		)
	}
	cols = append(cols, experiment.ParamColumns(sweep.ExperimentUnit, func(int) bool { return true }, func(r *balanceRow) ([]float64, []string) { return r.lv.params, r.lv.words })...)
	return cols
}

// Words returns, per parameter of params (word parameters, e.g. input.mode), its value in each
// group, in the order of Floats; "" for number parameters.
func (r *Result) Words(params []*sweep.Param) ([][]string, error) {
	out := make([][]string, len(params))
	for k, p := range params {
		i := indexOfParam(p.Name)
		if i < 0 {
			return nil, fmt.Errorf("no parameter %s", p.Name)
		}
		out[k] = make([]string, len(r.order))
		for g, key := range r.order {
			out[k][g] = r.groups[key].words[i]
		}
	}
	return out, nil
}

// SummaryDocs describes summary.parquet's columns for grid cells of experiment kind k (a --by
// grouping has the grouped parameters' columns instead of cell_id and every parameter's).
func SummaryDocs(k experiment.Kind) []table.ColumnDoc { return table.Docs(summaryColumns(k, nil)) }

// BalanceDocs describes balance.parquet's columns.
func BalanceDocs() []table.ColumnDoc { return table.Docs(balanceColumns()) }

// SummaryMetrics are the runs columns of experiment kind k whose statistics summary.parquet
// holds, each as <metric>_mean, _sd, _sem, _ci_lo and _ci_hi.
func SummaryMetrics(k experiment.Kind) []string { return k.SummaryMetrics() }

func aggregateMeta(def *sweep.Definition) map[string]string {
	return map[string]string{"eisweep.definition": def.Text, "eisweep.definition_sha256": def.Hash(), "eisweep.version": buildinfo.Version()}
}
