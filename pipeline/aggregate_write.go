package pipeline

import (
	"math"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/sweep"
)

// colNull is a float column that is null where the value is NaN (undefined).
func colNull[T any](name, doc string, get func(*T) float64) Column[T] {
	return Column[T]{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: true, Doc: doc,
		append: func(b array.Builder, r *T) {
			if v := get(r); !math.IsNaN(v) {
				b.(*array.Float64Builder).Append(v)
				return
			}
			b.AppendNull()
		}}
}

// paramColumns are columns of parameter values (display units; null where not part of the row).
func paramColumns[T any](keep func(int) bool, params func(*T) ([]float64, []string)) []Column[T] {
	var cs []Column[T]
	for i, p := range sweep.Registry {
		if !keep(i) {
			continue
		}
		doc := p.Desc
		if p.Unit != "" {
			doc += " (" + p.Unit + ")"
		}
		if p.Kind == sweep.KindEnum {
			cs = append(cs, Column[T]{Name: p.Column(), Type: arrow.BinaryTypes.String, Nullable: true, Doc: doc,
				append: func(b array.Builder, r *T) {
					if _, w := params(r); w[i] != "" {
						b.(*array.StringBuilder).Append(w[i])
						return
					}
					b.AppendNull()
				}})
			continue
		}
		cs = append(cs, colNull(p.Column(), doc, func(r *T) float64 { v, _ := params(r); return v[i] }))
	}
	return cs
}

// writeSummary writes summary.parquet: per group its parameters, counts, the fraction of runs
// within ±10% of each set point, and statistics of every metric.
func writeSummary(path string, def *sweep.Definition, by []string, order []string, groups map[string]*group) error {
	byIdx := map[int]bool{}
	for _, n := range by {
		byIdx[indexOfParam(n)] = true
	}
	var cols []Column[*group]
	if len(by) == 0 {
		cols = append(cols, colStr("cell_id", "the grid cell (runs.cell_id)", func(g **group) string { return (*g).cellID }))
	}
	cols = append(cols, paramColumns(func(i int) bool { return len(by) == 0 || byIdx[i] }, func(g **group) ([]float64, []string) { return (*g).params, (*g).words })...)
	cols = append(cols,
		colI64("n_runs", "runs in the group", func(g **group) int64 { return int64((*g).runs) }),
		colI64("n_failed", "runs that failed numerically", func(g **group) int64 { return int64((*g).failed) }),
		colNull("frac_rate_e_within_10pct", "fraction of runs whose r_E is within ±10% of rate_exc", func(g **group) float64 { return (*g).nearE.Summary().FracWithin10Pct }),
		colNull("frac_rate_i_within_10pct", "fraction of runs whose r_I is within ±10% of rate_inh", func(g **group) float64 { return (*g).nearI.Summary().FracWithin10Pct }),
	)
	for k, m := range summaryMetrics {
		s := func(g **group) analysis.Summary { return (*g).metrics[k].Summary() }
		cols = append(cols,
			colNull(m+"_mean", "mean of runs."+m, func(g **group) float64 { return s(g).Mean }),
			colNull(m+"_sd", "standard deviation (n−1) of runs."+m, func(g **group) float64 { return s(g).SD }),
			colNull(m+"_sem", "standard error of the mean of runs."+m, func(g **group) float64 { return s(g).SEM }),
			colNull(m+"_ci_lo", "95% interval of the mean of runs."+m+", low end (Student t)", func(g **group) float64 { return s(g).CI95Lo }),
			colNull(m+"_ci_hi", "95% interval of the mean of runs."+m+", high end", func(g **group) float64 { return s(g).CI95Hi }),
		)
	}
	rows := make([]*group, len(order))
	for k, key := range order {
		rows[k] = groups[key]
	}
	return writeReplacing(path, func(tmp string) error { return writeTable(tmp, cols, rows, aggregateMeta(def), 1<<20) })
}

// balanceRow is one (unit, level) of balance.parquet.
type balanceRow struct {
	u  *UnitBalanceLines
	lv *level
}

func writeBalance(path string, def *sweep.Definition, lines []*UnitBalanceLines) error {
	var rows []balanceRow
	for _, u := range lines {
		for _, lv := range u.Levels {
			rows = append(rows, balanceRow{u, lv})
		}
	}
	cr := func(r *balanceRow) *analysis.Crossing { return &r.lv.crossing }
	cols := []Column[balanceRow]{
		colStr("unit", `"E" or "I": the unit whose balance line this row belongs to`, func(r *balanceRow) string { return r.u.Unit }),
		colStr("axis", "the inhibitory weight varied, and by which parameters", func(r *balanceRow) string { return r.u.Axis }),
		colStr("level", "the excitation level: the parameters that differ between this unit's levels", func(r *balanceRow) string { return r.lv.varyingStr }),
		colStr("status", `"crossed", or why the mean rate does not cross the set point inside the grid`, func(r *balanceRow) string { return cr(r).Status.String() }),
		colI64("sign_changes", "times the mean rate crosses the set point along the axis (more than 1: not monotone)", func(r *balanceRow) int64 { return int64(cr(r).SignChanges) }),
		colI64("n_cells", "axis values in the level", func(r *balanceRow) int64 { return int64(len(r.lv.cells)) }),
		colI64("n_runs", "runs in the level (replicates pooled over parameters that do not affect the unit)", func(r *balanceRow) int64 { return int64(r.lv.runs) }),
		colNull("set_point_hz", "the unit's set point: rate_exc for E, rate_inh for I (Hz)", func(r *balanceRow) float64 { return r.lv.setPoint }),
		colNull("w_cross_pa", "inhibitory weight at which the mean rate crosses the set point, interpolated (pA)", func(r *balanceRow) float64 { return cr(r).X }),
		colNull("w_cross_ci_lo_pa", "95% bootstrap interval of w_cross_pa, low end (pA)", func(r *balanceRow) float64 { return r.lv.ciX.Lo }),
		colNull("w_cross_ci_hi_pa", "95% bootstrap interval of w_cross_pa, high end (pA)", func(r *balanceRow) float64 { return r.lv.ciX.Hi }),
		colNull("exc_cross_pa", "mean excitatory current Ē* at the crossing (pA)", func(r *balanceRow) float64 { return cr(r).ExcPA }),
		colNull("exc_cross_ci_lo_pa", "95% bootstrap interval of Ē*, low end (pA)", func(r *balanceRow) float64 { return r.lv.ciExc.Lo }),
		colNull("exc_cross_ci_hi_pa", "95% bootstrap interval of Ē*, high end (pA)", func(r *balanceRow) float64 { return r.lv.ciExc.Hi }),
		colNull("inh_cross_pa", "mean inhibitory current Ī* at the crossing: the inhibition that holds the unit at its set point (pA)", func(r *balanceRow) float64 { return cr(r).InhPA }),
		colNull("inh_cross_ci_lo_pa", "95% bootstrap interval of Ī*, low end (pA)", func(r *balanceRow) float64 { return r.lv.ciInh.Lo }),
		colNull("inh_cross_ci_hi_pa", "95% bootstrap interval of Ī*, high end (pA)", func(r *balanceRow) float64 { return r.lv.ciInh.Hi }),
		colNull("boot_frac_crossed", "fraction of bootstrap resamples that crossed", func(r *balanceRow) float64 { return r.lv.fracCross }),
		colNull("theta_pa", "the unit's f-I threshold θ (pA)", func(r *balanceRow) float64 { return r.lv.theta }),
		colNull("gain_hz_per_pa", "the unit's f-I gain g (Hz/pA)", func(r *balanceRow) float64 { return r.lv.gain }),
		colNull("i_tg_pa", "threshold–gain prediction at the crossing, Ē* − θ − r*/g (pA)", func(r *balanceRow) float64 { return r.lv.tgI }),
		colNull("i_tg_minus_cross_pa", "how far the threshold–gain prediction lands from Ī* (pA)", func(r *balanceRow) float64 { return r.lv.tgI - cr(r).InhPA }),
		colNull("w_tg_pa", "inhibitory weight delivering i_tg_pa, i_tg/(n_inh·rate_inh·1 ms) (pA)", func(r *balanceRow) float64 { return r.lv.tgI / (r.lv.nInh * r.lv.rateInh * 1e-3) }),
		colNull("resid_linear_pa", "residual Ī* − (m·Ē* + b) of the linear fit (pA)", func(r *balanceRow) float64 { return r.lv.resid[0] }),
		colNull("resid_additive_pa", "residual of the additive fit (pA)", func(r *balanceRow) float64 { return r.lv.resid[1] }),
		colNull("resid_multiplicative_pa", "residual of the multiplicative fit (pA)", func(r *balanceRow) float64 { return r.lv.resid[2] }),
		colI64("n_levels_crossed", "levels of this unit whose crossing the fits use", func(r *balanceRow) int64 { return int64(r.u.Crossed) }),
		colStr("best_model", "the model with the lowest AIC: linear, additive or multiplicative", func(r *balanceRow) string { return r.u.Best }),
	}
	for k, short := range []string{"lin", "add", "mult"} {
		f := func(r *balanceRow) *analysis.LineFit { return &r.u.Fits[k] }
		model := []string{"linear I = m·E + b", "additive I = E + b", "multiplicative I = m·E"}[k]
		cols = append(cols,
			colNull(short+"_m", "slope m of the "+model+" fit of Ī* against Ē* (fixed ones exact)", func(r *balanceRow) float64 { return f(r).M }),
			colNull(short+"_m_se", "standard error of "+short+"_m", func(r *balanceRow) float64 { return f(r).SEM }),
			colNull(short+"_m_ci_lo", "95% interval of "+short+"_m, low end", func(r *balanceRow) float64 { return f(r).CIM.Lo }),
			colNull(short+"_m_ci_hi", "95% interval of "+short+"_m, high end", func(r *balanceRow) float64 { return f(r).CIM.Hi }),
			colNull(short+"_b_pa", "intercept b of the "+model+" fit (pA)", func(r *balanceRow) float64 { return f(r).B }),
			colNull(short+"_b_se_pa", "standard error of "+short+"_b_pa (pA)", func(r *balanceRow) float64 { return f(r).SEB }),
			colNull(short+"_b_ci_lo_pa", "95% interval of "+short+"_b_pa, low end (pA)", func(r *balanceRow) float64 { return f(r).CIB.Lo }),
			colNull(short+"_b_ci_hi_pa", "95% interval of "+short+"_b_pa, high end (pA)", func(r *balanceRow) float64 { return f(r).CIB.Hi }),
			colNull(short+"_r2", "R² of the "+model+" fit", func(r *balanceRow) float64 { return f(r).R2 }),
			colNull(short+"_rms_pa", "root-mean-square residual of the "+model+" fit (pA)", func(r *balanceRow) float64 { return f(r).RMSPA }),
			colNull(short+"_aic", "AIC of the "+model+" fit, n·ln(SSR/n) + 2k", func(r *balanceRow) float64 { return f(r).AIC }),
		)
	}
	cols = append(cols, paramColumns(func(int) bool { return true }, func(r *balanceRow) ([]float64, []string) { return r.lv.params, r.lv.words })...)
	return writeReplacing(path, func(tmp string) error { return writeTable(tmp, cols, rows, aggregateMeta(def), 1<<20) })
}

func aggregateMeta(def *sweep.Definition) map[string]string {
	return map[string]string{"eisweep.definition": def.Text, "eisweep.definition_sha256": def.Hash(), "eisweep.version": Version()}
}

// writeReplacing writes a derived file (summary, balance) by writing a new file beside it and
// renaming it over the old one: unlike run parts, these are recomputed from the runs, and
// replacing them is the point.
func writeReplacing(path string, write func(tmp string) error) error {
	tmp := path + ".new"
	os.Remove(tmp)
	if err := write(tmp); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
