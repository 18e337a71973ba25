package aggregate

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/pipeline"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// Options control Compute.
type Options struct {
	By        []string // group by these parameters (dotted names) instead of by grid cell
	Bootstrap int      // bootstrap resamples for the crossings' intervals; 0 means 1000
}

// group accumulates the runs of one summary group.
type group struct {
	params  []float64 // parameter values in display units (NaN where not grouped)
	words   []string  // enum parameter values
	cellID  string
	runs    int
	failed  int
	metrics []analysis.Moments
	nearE   analysis.Moments // rate_e against rate_exc, for the fraction within ±10%
	nearI   analysis.Moments
}

// unitLines gathers, for one unit, the per-replicate data of every level and axis value.
type unitLines struct {
	unit, path    string // "E"/"I", "ei"/"ii"
	axisParams    []string
	skip          map[string]bool // parameters pooled over or on the axis: not part of the level
	levels        map[string]*level
	order         []string
	rateCol       string
	excCol        string
	inhCol        string
	setPointParam string
}

type level struct {
	key        string
	params     []float64
	words      []string
	cells      map[float64]*cellRuns
	theta      float64
	gain       float64
	setPoint   float64
	nInh       float64
	rateInh    float64
	runs       int
	crossing   analysis.Crossing
	ciX        analysis.Interval
	ciExc      analysis.Interval
	ciInh      analysis.Interval
	fracCross  float64
	tgI        float64
	resid      [3]float64
	varyingStr string
	cellView   []CellView
}

// CellView is one axis value of a level, for figures: the unit's mean rate there with its 95%
// interval.
type CellView struct {
	X                float64 // axis value (inhibitory weight, pA)
	N                int
	Mean, CILo, CIHi float64 // rate (Hz)
	ExcMean, InhMean float64 // mean currents (pA)
}

// cellRuns are the runs of one axis value of a level, with their run ids, so that they can be put
// in a canonical order: the bootstrap must not depend on the order in which workers wrote rows.
type cellRuns struct {
	analysis.Cell
	ids []sweep.RunID
}

// sorted returns the cell with its runs in run-id order.
func (c *cellRuns) sorted() analysis.Cell {
	idx := make([]int, len(c.ids))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return c.ids[idx[a]] < c.ids[idx[b]] })
	out := analysis.Cell{X: c.X}
	for _, i := range idx {
		out.Rate, out.Exc, out.Inh = append(out.Rate, c.Rate[i]), append(out.Exc, c.Exc[i]), append(out.Inh, c.Inh[i])
	}
	return out
}

// Result is what Compute found: statistics per group and the balance lines.
type Result struct {
	Def    *sweep.Definition
	By     []string // the grouping; nil for grid cells
	Groups int
	Lines  []*UnitBalanceLines // one per unit whose inhibition the sweep varies
	order  []string
	groups map[string]*group
	kind   experiment.Kind
}

// Written names the files Write wrote.
type Written struct {
	SummaryPath, BalancePath string
}

// UnitBalanceLines are the balance lines of one unit: the crossings of each excitation level and
// the three models fitted to them.
type UnitBalanceLines struct {
	Unit, Axis string
	Levels     []*level
	Fits       [3]analysis.LineFit
	Best       string
	Crossed    int
}

// Compute reads every run of the output folder dir (the files that count, as a writer would find
// them; it changes nothing) and computes statistics per grid cell, or per opt.By group, and, when
// the sweep varies an inhibitory weight, the balance lines. It reads in batches, holding per
// group a few accumulators and, for balance lines, three numbers per run; it stops when ctx is
// cancelled.
func Compute(ctx context.Context, dir string, opt Options) (*Result, error) {
	if opt.Bootstrap <= 0 {
		opt.Bootstrap = 1000
	}
	def, err := pipeline.LoadFolder(dir)
	if err != nil {
		return nil, err
	}
	for _, name := range opt.By {
		if sweep.Lookup(name) == nil {
			return nil, fmt.Errorf("--by %s: unknown parameter (eisweep params lists them)", name)
		}
	}
	c, err := store.Read(dir, pipeline.Tables(def))
	if err != nil {
		return nil, err
	}
	paths := c.Files["runs"]
	if len(paths) == 0 {
		if st, err := os.Stat(filepath.Join(dir, "solved")); err == nil && st.IsDir() {
			return nil, fmt.Errorf("%s is a solve folder with no runs: its results are %s, which `eisweep solve` writes (`eisweep figure %s` draws them); aggregate summarises the runs of `eisweep run`",
				dir, filepath.Join(dir, "solved.parquet"), dir)
		}
		return nil, fmt.Errorf("%s has no runs yet: `eisweep status %s` says how far it is", dir, dir)
	}
	kind := experiment.For(def)
	metrics := kind.SummaryMetrics()
	unit := kind.Name() == sweep.ExperimentUnit
	var lines []*unitLines
	if unit {
		lines = balanceUnits(def)
	}
	groups := map[string]*group{}
	var order []string
	byIdx := map[int]bool{}
	for _, name := range opt.By {
		byIdx[indexOfParam(name)] = true
	}
	cols := []string{"run_id", "cell_id", "status"}
	if unit {
		cols = append(cols, "w_ei_pa", "w_ii_pa", "theta_e_pa", "theta_i_pa", "gain_e_hz_per_pa", "gain_i_hz_per_pa")
	}
	cols = append(cols, metrics...)
	cols = uniq(cols)
	for _, p := range sweep.Registry {
		if p.AppliesTo(def.Kind()) {
			cols = append(cols, p.Column())
		}
	}
	n := 0
	err = table.EachRow(paths, cols, func(tr *table.Row) error {
		if n++; n%65536 == 0 && ctx.Err() != nil {
			return context.Cause(ctx)
		}
		r := &rowView{tr}
		// summary
		key := r.str("cell_id")
		if len(opt.By) > 0 {
			var parts []string
			for _, name := range opt.By {
				parts = append(parts, r.paramText(name))
			}
			key = strings.Join(parts, "\x00")
		}
		g := groups[key]
		if g == nil {
			g = &group{metrics: make([]analysis.Moments, len(metrics)), cellID: r.str("cell_id")}
			g.params, g.words = r.params(def.Kind(), func(i int) bool { return len(opt.By) == 0 || byIdx[i] })
			groups[key] = g
			order = append(order, key)
		}
		g.runs++
		if r.str("status") != string(experiment.StatusOK) {
			g.failed++
			return nil
		}
		for k, m := range metrics {
			g.metrics[k].Add(r.f(m))
		}
		if unit {
			g.nearE.AddNear(r.f("rate_e_hz"), r.f("input_rate_exc_hz"))
			g.nearI.AddNear(r.f("rate_i_hz"), r.f("input_rate_inh_hz"))
		}
		// balance lines
		for _, u := range lines {
			u.add(r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(order) // a stable order, independent of file order
	res := &Result{Def: def, By: opt.By, Groups: len(groups), order: order, groups: groups, kind: kind}
	for _, u := range lines {
		if err := ctx.Err(); err != nil {
			return nil, context.Cause(ctx)
		}
		res.Lines = append(res.Lines, u.finish(opt.Bootstrap, def.Seed))
	}
	return res, nil
}

// SummaryName is the file name of the summary grouped by the parameters by (nil: grid cells):
// summary.parquet, or summary-by-<p>-<q>.parquet with the dots of p and q as underscores.
func SummaryName(by []string) string {
	if len(by) == 0 {
		return "summary.parquet"
	}
	return "summary-by-" + strings.NewReplacer(".", "_", ",", "-").Replace(strings.Join(by, ",")) + ".parquet"
}

// Write writes res into the output folder dir: summary.parquet (or summary-by-<params>.parquet
// for a grouping other than grid cells, so that one grouping never replaces another) and, with
// balance lines, balance.parquet, each replaced atomically.
func Write(dir string, res *Result) (Written, error) {
	var w Written
	name := SummaryName(res.By)
	w.SummaryPath = filepath.Join(dir, name)
	if err := writeSummary(dir, name, res.Def, res.By, res.order, res.groups); err != nil {
		return w, err
	}
	if len(res.Lines) > 0 {
		w.BalancePath = filepath.Join(dir, "balance.parquet")
		if err := writeBalance(dir, res.Def, res.Lines); err != nil {
			return w, err
		}
	}
	return w, nil
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func indexOfParam(name string) int {
	for i, p := range sweep.Registry {
		if p.Name == name {
			return i
		}
	}
	return -1
}

// balanceUnits returns the units whose inhibitory weight the sweep varies, ready to collect
// their balance lines. The E unit's rate depends only on its own input weights and parameters,
// so runs that differ only in the I unit's (inh.*, j_ie, j_ii, mult_ie, mult_ii) are pooled as
// replicates, and vice versa. A weight varied by a [sample] has no balance lines: its points
// share no excitation level (a sample of other parameters beside a grid of weights has, per
// design point).
func balanceUnits(def *sweep.Definition) []*unitLines {
	varied := map[string]bool{}
	for _, a := range def.Axes {
		if a.Len() > 1 && a.Key != "sample" {
			for _, n := range a.Names() {
				varied[n] = true
			}
		}
	}
	var out []*unitLines
	for _, u := range []struct {
		unit, path, setPoint string
		axis, other          []string
		otherPrefix          string
	}{
		{"E", "ei", "input_rate_exc_hz", []string{"weights.mult_ei", "weights.j_ei"}, []string{"weights.j_ie", "weights.j_ii", "weights.mult_ie", "weights.mult_ii"}, "inh."},
		{"I", "ii", "input_rate_inh_hz", []string{"weights.mult_ii", "weights.j_ii"}, []string{"weights.j_ee", "weights.j_ei", "weights.mult_ee", "weights.mult_ei"}, "exc."},
	} {
		var axis []string
		for _, a := range u.axis {
			if varied[a] {
				axis = append(axis, a)
			}
		}
		if len(axis) == 0 {
			continue
		}
		skip := map[string]bool{}
		for _, p := range sweep.Registry {
			if strings.HasPrefix(p.Name, u.otherPrefix) || contains(u.other, p.Name) || contains(u.axis, p.Name) {
				skip[p.Name] = true
			}
		}
		lc := strings.ToLower(u.unit)
		out = append(out, &unitLines{unit: u.unit, path: u.path, axisParams: axis, skip: skip, levels: map[string]*level{},
			rateCol: "rate_" + lc + "_hz", excCol: "exc_current_" + lc + "_pa", inhCol: "inh_current_" + lc + "_pa", setPointParam: u.setPoint})
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func (u *unitLines) add(r *rowView) {
	var key strings.Builder
	for _, p := range sweep.Registry {
		if !u.skip[p.Name] && p.AppliesTo(sweep.ExperimentUnit) {
			key.WriteString(r.paramText(p.Name))
			key.WriteByte(0)
		}
	}
	lv := u.levels[key.String()]
	if lv == nil {
		lc := strings.ToLower(u.unit)
		lv = &level{key: key.String(), cells: map[float64]*cellRuns{}, theta: r.f("theta_" + lc + "_pa"), gain: r.f("gain_" + lc + "_hz_per_pa"),
			setPoint: r.f(u.setPointParam), nInh: r.f("input_n_inh"), rateInh: r.f("input_rate_inh_hz")}
		if r.str("input_mode") == "regular" {
			lv.nInh = 1
		}
		lv.params, lv.words = r.params(sweep.ExperimentUnit, func(i int) bool { return !u.skip[sweep.Registry[i].Name] })
		u.levels[lv.key] = lv
		u.order = append(u.order, lv.key)
	}
	x := r.f("w_" + u.path + "_pa")
	c := lv.cells[x]
	if c == nil {
		c = &cellRuns{Cell: analysis.Cell{X: x}}
		lv.cells[x] = c
	}
	id, _ := sweep.ParseRunID(r.str("run_id")) // verified by the store's scan
	c.ids = append(c.ids, id)
	c.Rate = append(c.Rate, r.f(u.rateCol))
	c.Exc = append(c.Exc, r.f(u.excCol))
	c.Inh = append(c.Inh, r.f(u.inhCol))
	lv.runs++
}

// finish finds each level's crossing with its bootstrap interval, the threshold–gain prediction
// there, and fits the three balance models across the levels that crossed.
func (u *unitLines) finish(bootstrap int, seed uint64) *UnitBalanceLines {
	sort.Strings(u.order)
	out := &UnitBalanceLines{Unit: u.unit, Axis: "w_" + u.path + "_pa (" + strings.Join(u.axisParams, ", ") + ")"}
	// Describe levels by the parameters that differ between them.
	differs := map[int]bool{}
	for _, key := range u.order {
		for i, v := range u.levels[key].params {
			if first := u.levels[u.order[0]]; v != first.params[i] && !(math.IsNaN(v) && math.IsNaN(first.params[i])) ||
				u.levels[key].words[i] != u.levels[u.order[0]].words[i] {
				differs[i] = true
			}
		}
	}
	var exc, inh []float64
	for _, key := range u.order {
		lv := u.levels[key]
		var parts []string
		for i := range sweep.Registry {
			if differs[i] {
				p := sweep.Registry[i]
				v := sweep.Value{Num: lv.params[i] * displayScale(p), Str: lv.words[i]}
				parts = append(parts, p.Name+" = "+p.FormatValue(v))
			}
		}
		lv.varyingStr = strings.Join(parts, ", ")
		if lv.varyingStr == "" {
			lv.varyingStr = "(one level)"
		}
		cells := make([]analysis.Cell, 0, len(lv.cells))
		for _, c := range lv.cells {
			cells = append(cells, c.sorted())
		}
		sort.Slice(cells, func(a, b int) bool { return cells[a].X < cells[b].X })
		for _, c := range cells {
			r := analysis.Summarize(c.Rate, math.NaN())
			lv.cellView = append(lv.cellView, CellView{X: c.X, N: r.N, Mean: r.Mean, CILo: r.CI95Lo, CIHi: r.CI95Hi,
				ExcMean: analysis.Summarize(c.Exc, math.NaN()).Mean, InhMean: analysis.Summarize(c.Inh, math.NaN()).Mean})
		}
		lv.crossing = analysis.FindCrossing(cells, lv.setPoint)
		h := fnv.New64a()
		h.Write([]byte(u.unit + key))
		rng := rand.New(rand.NewPCG(seed, h.Sum64()))
		lv.ciX, lv.ciExc, lv.ciInh, lv.fracCross = analysis.BootstrapCrossing(cells, lv.setPoint, bootstrap, rng)
		lv.tgI = math.NaN()
		if lv.crossing.Status == analysis.Crossed {
			lv.tgI = analysis.ThresholdGainInhibition(lv.crossing.ExcPA, lv.theta, lv.gain, lv.setPoint)
			exc = append(exc, lv.crossing.ExcPA)
			inh = append(inh, lv.crossing.InhPA)
			out.Crossed++
		}
		out.Levels = append(out.Levels, lv)
	}
	out.Fits = analysis.FitBalance(exc, inh)
	k := 0
	for _, lv := range out.Levels {
		lv.resid = [3]float64{math.NaN(), math.NaN(), math.NaN()}
		if lv.crossing.Status == analysis.Crossed {
			for m := range 3 {
				if out.Fits[m].Residuals != nil {
					lv.resid[m] = out.Fits[m].Residuals[k]
				}
			}
			k++
		}
	}
	best, bestAIC := "", math.Inf(1)
	for _, f := range out.Fits {
		if f.AIC < bestAIC {
			best, bestAIC = f.Model, f.AIC
		}
	}
	out.Best = best
	return out
}

// displayScale is the SI value of one display unit of p (1 for dimensionless parameters).
func displayScale(p *sweep.Param) float64 {
	return 1 / p.Display(sweep.Value{Num: 1})
}

// rowView is one row of the runs, read by column name.
type rowView struct{ *table.Row }

func (r *rowView) f(name string) float64  { return r.Float(name) }
func (r *rowView) str(name string) string { return r.String(name) }

// paramText returns the row's value of a parameter as text (exact, for keys).
func (r *rowView) paramText(name string) string {
	p := sweep.Lookup(name)
	if p.Words() {
		return r.str(p.Column())
	}
	return fmt.Sprintf("%.15g", r.f(p.Column()))
}

// displayText is a numeric value v of p as paramText reads it back from its column.
func displayText(p *sweep.Param, v sweep.Value) string { return fmt.Sprintf("%.15g", p.Display(v)) }

// params returns the row's parameter values (display units; NaN and "" where keep is false).
func (r *rowView) params(k sweep.Experiment, keep func(int) bool) ([]float64, []string) {
	return experiment.ReadParams(r.Row, k, keep)
}

// LevelView is one level of a unit's balance lines, for reports.
type LevelView struct {
	Level                 string
	Status                analysis.CrossStatus
	SetPointHz            float64
	WCross, ExcCross, Inh float64
	CIW, CIExc, CIInh     analysis.Interval
	ThresholdGainInh      float64
	Theta, Gain           float64 // the unit's f-I threshold (pA) and gain (Hz/pA)
	Runs, Cells           int
	CellsView             []CellView // the axis values, for figures
}

// View returns the levels of u for reports, in order.
func (u *UnitBalanceLines) View() []LevelView {
	out := make([]LevelView, len(u.Levels))
	for k, lv := range u.Levels {
		out[k] = LevelView{Level: lv.varyingStr, Status: lv.crossing.Status, SetPointHz: lv.setPoint, WCross: lv.crossing.X,
			ExcCross: lv.crossing.ExcPA, Inh: lv.crossing.InhPA, CIW: lv.ciX, CIExc: lv.ciExc, CIInh: lv.ciInh,
			ThresholdGainInh: lv.tgI, Theta: lv.theta, Gain: lv.gain, Runs: lv.runs, Cells: len(lv.cells), CellsView: lv.cellView}
	}
	return out
}
