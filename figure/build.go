package figure

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/eisweep/eisweep/aggregate"
	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/pipeline"
	"github.com/eisweep/eisweep/report"
	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
)

// Options choose what Build draws.
type Options struct {
	Run       string // run id for the run figures; "" means the sweep's first run
	MaxUnits  int    // most distinct unit pairs to draw f-I figures for; 0 means 4
	Bootstrap int    // bootstrap resamples for the balance lines; 0 means 200
}

// Build reads the output folder dir and returns its figures: the run figures of one run, the
// f-I figures of each distinct pair of units (up to opt.MaxUnits), for a sweep with axes and runs
// the sweep figures (it aggregates the folder in memory and writes nothing there),
// and the solved weights when `eisweep solve` wrote solved.parquet.
func Build(dir string, opt Options) ([]*Figure, error) {
	if opt.MaxUnits <= 0 {
		opt.MaxUnits = 4
	}
	if opt.Bootstrap <= 0 {
		opt.Bootstrap = 200
	}
	def, err := pipeline.LoadFolder(dir)
	if err != nil {
		return nil, err
	}
	if def.Kind() == sweep.ExperimentNetwork {
		return networkBuild(dir, def, opt)
	}
	var figs []*Figure
	rf, err := RunFigures(def, opt.Run)
	if err != nil {
		return nil, err
	}
	figs = append(figs, rf...)
	uf, err := UnitFigures(def, opt.MaxUnits)
	if err != nil {
		return nil, err
	}
	figs = append(figs, uf...)
	c, err := store.Read(dir, pipeline.Tables(def))
	if err != nil {
		return nil, err
	}
	if def.Cells() > 1 && len(c.Files["runs"]) > 0 {
		sf, err := SweepFigures(dir, def, opt.Bootstrap)
		if err != nil {
			return nil, err
		}
		figs = append(figs, sf...)
	}
	if len(c.Files["runs"]) > 0 {
		sf, err := SensitivityFigures(dir, def, aggregate.SensitivityBootstrap)
		if err != nil {
			return nil, err
		}
		figs = append(figs, sf...)
	}
	if solved := filepath.Join(dir, "solved.parquet"); fileExists(solved) {
		sf, err := SolvedFigures(solved, def)
		if err != nil {
			return nil, err
		}
		figs = append(figs, sf...)
	}
	return figs, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// findRun returns the point and replicate of run id (the first run if id is "").
func findRun(def *sweep.Definition, id string) (sweep.Point, int, sweep.RunID, error) {
	var want sweep.RunID
	if id != "" {
		var err error
		if want, err = sweep.ParseRunID(id); err != nil {
			return nil, 0, 0, fmt.Errorf("run %s: %w (run ids are in runs.run_id)", id, err)
		}
	}
	for r := range def.AllRuns() {
		if id == "" || r.ID == want {
			return slices.Clone(r.Point), r.Replicate, r.ID, nil
		}
	}
	return nil, 0, 0, fmt.Errorf("run %s is not a run of %s (run ids are in runs.run_id)", id, def.Name)
}

// RunFigures draws one run as the seed notebook does: the voltage of both units with their spikes,
// the excitatory and inhibitory currents of the E unit, and its net current. The run is simulated
// again from the definition and its seed, which gives exactly what the sweep ran (and what
// traces/ holds, when the sweep recorded it).
func RunFigures(def *sweep.Definition, id string) ([]*Figure, error) {
	pt, _, rid, err := findRun(def, id)
	id = rid.String()
	if err != nil {
		return nil, err
	}
	tr, res, m, err := Resimulate(def, pt, rid)
	if err != nil {
		return nil, err
	}
	dt := m.Sim.DtSec
	t := make([]float64, len(tr.VE))
	for n := range t {
		t[n] = float64(n) * dt
	}
	scale := func(xs []float64, k float64) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			out[i] = x * k
		}
		return out
	}
	ticks := func(steps []int64, lo, hi float64) ([]float64, []float64, []float64) {
		var x, l, h []float64
		for _, s := range steps {
			x, l, h = append(x, float64(s)*dt), append(l, lo), append(h, hi)
		}
		return x, l, h
	}
	thE, thI := m.Sim.Exc.VThreshVolt*1e3, m.Sim.Inh.VThreshVolt*1e3
	ex, el, eh := ticks(res.SpikeStepsE, thE, thE+5)
	ix, il, ih := ticks(res.SpikeStepsI, thI+6, thI+11)
	where := fmt.Sprintf("run %s (%s)", id, describePoint(def, pt))
	net := make([]float64, len(tr.SEE))
	for n := range net {
		net[n] = (tr.SEE[n] - tr.SIE[n]) * 1e12
	}
	return []*Figure{
		{File: "run-" + id + "-voltage", Title: "Membrane potential, " + where, Desc: "v of the E and I units over the run, spikes marked above threshold",
			XLabel: "time (s)", YLabel: "v (mV)", Series: []Series{
				{Label: fmt.Sprintf("E unit (%d spikes)", len(res.SpikeStepsE)), Kind: Line, X: t, Y: scale(tr.VE, 1e3), Color: 0},
				{Label: fmt.Sprintf("I unit (%d spikes)", len(res.SpikeStepsI)), Kind: Line, X: t, Y: scale(tr.VI, 1e3), Color: 1},
				{Label: "E spikes", Kind: Ticks, X: ex, Lo: el, Hi: eh, Color: 0},
				{Label: "I spikes", Kind: Ticks, X: ix, Lo: il, Hi: ih, Color: 1},
				{Label: "threshold", Kind: HLine, Y: []float64{thE}, Color: 6, Dashed: true},
			}},
		{File: "run-" + id + "-currents", Title: "Synaptic currents onto the E unit, " + where, Desc: "excitatory s_E and inhibitory s_I currents of the E unit over the run",
			XLabel: "time (s)", YLabel: "current (pA)", Series: []Series{
				// s_I first: its fast fluctuations would hide the slow s_E drawn under them.
				{Label: fmt.Sprintf("s_I (mean %.1f pA)", res.ChargeEIPC/m.Sim.DurationSec), Kind: Line, X: t, Y: scale(tr.SIE, 1e12), Color: 1},
				{Label: fmt.Sprintf("s_E (mean %.1f pA)", res.ChargeEEPC/m.Sim.DurationSec), Kind: Line, X: t, Y: scale(tr.SEE, 1e12), Color: 0},
			}},
		{File: "run-" + id + "-net-current", Title: "Net synaptic current onto the E unit, " + where, Desc: "s_E − s_I of the E unit over the run",
			XLabel: "time (s)", YLabel: "s_E − s_I (pA)", Series: []Series{
				{Label: fmt.Sprintf("s_E − s_I (mean %.1f pA)", (res.ChargeEEPC-res.ChargeEIPC)/m.Sim.DurationSec), Kind: Line, X: t, Y: net, Color: 2},
				{Label: "0", Kind: HLine, Y: []float64{0}, Color: 6, Dashed: true},
			}},
	}, nil
}

// Resimulate runs the point again with the run's seed and records its traces.
func Resimulate(def *sweep.Definition, pt sweep.Point, id sweep.RunID) (*sim.Traces, *sim.Result, sweep.Model, error) {
	m, err := pt.Model()
	if err != nil {
		return nil, nil, m, err
	}
	x, err := sim.NewExperiment(m.Sim)
	if err != nil {
		return nil, nil, m, err
	}
	var d sim.Drive
	exc, inh, err := d.Inputs(x, m.Input, sweep.RunSeed(def.Seed, id))
	if err != nil {
		return nil, nil, m, err
	}
	res := &sim.Result{Traces: new(sim.Traces)}
	if err := x.Run(exc, inh, res); err != nil {
		return nil, nil, m, fmt.Errorf("run %s: %w", id, err)
	}
	return res.Traces, res, m, nil
}

// describePoint names the axis values of pt.
func describePoint(def *sweep.Definition, pt sweep.Point) string {
	var parts []string
	for _, a := range def.Axes {
		if a.Len() < 2 {
			continue
		}
		for _, i := range a.Params {
			parts = append(parts, sweep.Registry[i].Name+" = "+sweep.Registry[i].FormatValue(pt[i]))
		}
	}
	if len(parts) == 0 {
		return def.Name
	}
	return strings.Join(parts, ", ")
}

// UnitFigures draws, for each distinct pair of units in the sweep (up to max), the seed
// notebook's f-I figure: both f-I curves with their thresholds marked, and at 90% of the current
// range the voltage of each unit and its sequence of interspike intervals.
func UnitFigures(def *sweep.Definition, max int) ([]*Figure, error) {
	type pair struct {
		m   sweep.Model
		tag string
	}
	var pairs []pair
	seen := map[string]bool{}
	var pt sweep.Point
	for cell := range def.Cells() {
		pt = def.Point(cell, pt)
		m, err := pt.Model()
		if err != nil {
			return nil, err
		}
		key := fmt.Sprint(m.Sim.Exc, m.Sim.Inh, m.Sim.DtSec, m.FI)
		if seen[key] {
			continue
		}
		seen[key] = true
		pairs = append(pairs, pair{m, ""})
		if len(pairs) == max {
			break
		}
	}
	if len(pairs) > 1 {
		for k := range pairs {
			pairs[k].tag = fmt.Sprintf("-%d", k+1)
		}
	}
	var figs []*Figure
	for _, p := range pairs {
		f, err := unitFigures(p.m, p.tag)
		if err != nil {
			return nil, err
		}
		figs = append(figs, f...)
	}
	return figs, nil
}

func unitFigures(m sweep.Model, tag string) ([]*Figure, error) {
	currents := sim.FICurrents(nil, m.FI.IMinAmp, m.FI.IMaxAmp, m.FI.NCurrents)
	pa := make([]float64, len(currents))
	for k, c := range currents {
		pa[k] = c * 1e12
	}
	k90 := int(float64(len(currents))*0.9) - 1 // the notebook's I_index_for_ISI
	units := []struct {
		name string
		u    sim.Unit
	}{{"E", m.Sim.Exc}, {"I", m.Sim.Inh}}
	curve := &Figure{File: "fi-curves" + tag, Title: "f-I curves", Desc: "rate of each unit against a constant injected current, thresholds θ marked",
		XLabel: "injected current (pA)", YLabel: "rate (Hz)", LegendLeft: true}
	volt := &Figure{File: fmt.Sprintf("fi-voltage-at-%gpA%s", round1(pa[k90]), tag), Title: fmt.Sprintf("Membrane potential at %.1f pA", pa[k90]),
		Desc: "v of each unit at 90% of the f-I range, spikes marked", XLabel: "time (s)", YLabel: "v (mV)"}
	isi := &Figure{File: fmt.Sprintf("fi-isi-at-%gpA%s", round1(pa[k90]), tag), Title: fmt.Sprintf("Interspike intervals at %.1f pA", pa[k90]),
		Desc: "sequence of interspike intervals of each unit at 90% of the f-I range (adaptation lengthens them)", XLabel: "ISI number", YLabel: "ISI (ms)"}
	for c, u := range units {
		fi := sim.FI{Unit: u.u, DtSec: m.Sim.DtSec, DurationSec: m.FI.DurationSec}
		counts := make([]int64, len(currents))
		if err := fi.Counts(currents, counts, nil); err != nil {
			return nil, err
		}
		rates := make([]float64, len(counts))
		for k, n := range counts {
			rates[k] = float64(n) / m.FI.DurationSec
		}
		tg, err := analysis.ThresholdGain(currents, counts, m.FI.DurationSec)
		if err != nil {
			return nil, err
		}
		curve.Series = append(curve.Series, Series{Label: fmt.Sprintf("%s unit: θ = %s pA, g = %.3f Hz/pA", u.name, report.FormatLikeSeed(tg.ThresholdPA), tg.GainHzPerPA),
			Kind: Line, X: pa, Y: rates, Color: c})
		if ok(tg.ThresholdPA) {
			curve.Series = append(curve.Series, Series{Kind: VLine, X: []float64{tg.ThresholdPA}, Lo: []float64{0}, Hi: []float64{maxOf(rates)}, Color: c, Dashed: true})
		}
		var v []float64
		steps, err := fi.SpikeSteps(nil, currents[k90], &v)
		if err != nil {
			return nil, err
		}
		t := make([]float64, len(v))
		vm := make([]float64, len(v))
		for n := range v {
			t[n], vm[n] = float64(n)*m.Sim.DtSec, v[n]*1e3
		}
		th := u.u.VThreshVolt * 1e3
		var tx, lo, hi []float64
		for _, s := range steps {
			tx, lo, hi = append(tx, float64(s)*m.Sim.DtSec), append(lo, th+float64(c)*6), append(hi, th+float64(c)*6+5)
		}
		volt.Series = append(volt.Series, Series{Label: fmt.Sprintf("%s unit (%d spikes)", u.name, len(steps)), Kind: Line, X: t, Y: vm, Color: c},
			Series{Kind: Ticks, X: tx, Lo: lo, Hi: hi, Color: c})
		var num, ms []float64
		for j := 1; j < len(steps); j++ {
			num = append(num, float64(j))
			ms = append(ms, float64(steps[j]-steps[j-1])*m.Sim.DtSec*1e3)
		}
		isi.Series = append(isi.Series, Series{Label: u.name + " unit", Kind: Line, X: num, Y: ms, Color: c}, Series{Kind: Points, X: num, Y: ms, Color: c})
	}
	// The I unit's fast trace first: drawn last it would hide the E unit's.
	if n := len(volt.Series); n == 4 {
		volt.Series = append(volt.Series[2:4:4], volt.Series[0:2]...)
	}
	curve.Series = append(curve.Series, Series{Label: fmt.Sprintf("displayed value (%.1f pA)", pa[k90]), Kind: VLine, X: []float64{pa[k90]},
		Lo: []float64{0}, Hi: []float64{maxSeries(curve.Series)}, Color: 6, Dashed: true})
	return []*Figure{curve, volt, isi}, nil
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

func maxOf(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		if ok(x) && x > m {
			m = x
		}
	}
	return m
}

func maxSeries(ss []Series) float64 {
	m := 0.0
	for _, s := range ss {
		if s.Kind == Line {
			m = math.Max(m, maxOf(s.Y))
		}
	}
	return m
}

// SweepFigures draws the sweep's answers: for each pair of swept axes, heatmaps of each unit's
// mean rate with the contour where it meets its set point; for each unit whose inhibitory weight
// varies, its mean rate against that weight with 95% bands per excitation level, and the balance
// lines (the crossings with their intervals, the three fitted models and the threshold–gain
// prediction); and the mean empirical charge of every cell against the predicted one.
func SweepFigures(dir string, def *sweep.Definition, bootstrap int) ([]*Figure, error) {
	res, err := aggregate.Compute(context.Background(), dir, aggregate.Options{Bootstrap: bootstrap})
	if err != nil {
		return nil, err
	}
	names := []string{"rate_e_hz_mean", "rate_i_hz_mean", "setpoint_err_e_hz_mean", "setpoint_err_i_hz_mean"}
	for _, q := range []string{"ee", "ei", "ie", "ii"} {
		names = append(names, "q_"+q+"_pc_mean", "q_"+q+"_pred_pc_mean")
	}
	figs, cols, err := pairHeatmaps(def, res, names, singleUnits)
	if err != nil {
		return nil, err
	}
	for _, u := range res.Lines {
		figs = append(figs, rateFigure(u), balanceFigure(u))
	}
	figs = append(figs, chargeFigure(cols))
	return figs, nil
}

// pairHeatmaps reads the summary columns names (and the axes' own) from res and draws units'
// heatmaps over every pair of def's axes with more than one value, averaged over the others.
func pairHeatmaps(def *sweep.Definition, res *aggregate.Result, names []string, units []heatUnit) ([]*Figure, map[string][]float64, error) {
	var axes []sweep.Axis
	for _, a := range def.Axes {
		if a.Len() > 1 && !sweep.Registry[a.Params[0]].Words() { // words (train.rule) have no axis scale
			axes = append(axes, a)
		}
	}
	for _, a := range axes {
		names = append(names, sweep.Registry[a.Params[0]].Column())
	}
	cols, err := res.Floats(names)
	if err != nil {
		return nil, nil, err
	}
	var figs []*Figure
	for i := 0; i < len(axes); i++ {
		for j := i + 1; j < len(axes); j++ {
			var others []string
			for k, a := range axes {
				if k != i && k != j {
					others = append(others, strings.Join(a.Names(), ", "))
				}
			}
			figs = append(figs, heatmapsOf(axes[i], axes[j], others, cols, units)...)
		}
	}
	return figs, cols, nil
}

// averagedOver says which axes a figure averages over: "" for none.
func averagedOver(others []string) string {
	if len(others) == 0 {
		return ""
	}
	return ", averaged over " + strings.Join(others, " and ")
}

// heatUnit is one heatmap per pair of axes: a summary column, and the column whose zero is its
// set point (a dashed contour).
type heatUnit struct {
	name, file, title, col, errCol, setPoint, zLabel string
	zMax                                             float64 // caps the colour scale; 0 for none
}

// singleUnits are the single-unit experiment's heatmaps: each unit's mean rate.
var singleUnits = []heatUnit{
	{"E", "heatmap-rate-e", "Mean rate of the E unit", "rate_e_hz_mean", "setpoint_err_e_hz_mean", "rate_exc", "rate (Hz)", 0},
	{"I", "heatmap-rate-i", "Mean rate of the I unit", "rate_i_hz_mean", "setpoint_err_i_hz_mean", "rate_inh", "rate (Hz)", 0},
}

// heatmapsOf draws each of units over axes a and b (the first parameter of a zip), averaged over
// the other axes, with the contour where its error column is zero.
func heatmapsOf(a, b sweep.Axis, others []string, cols map[string][]float64, units []heatUnit) []*Figure {
	pa, pb := sweep.Registry[a.Params[0]], sweep.Registry[b.Params[0]]
	xs, ys := axisDisplay(pa, a.Values[0]), axisDisplay(pb, b.Values[0])
	label := func(p *sweep.Param) string {
		if p.Unit != "" {
			return p.Name + " (" + p.Unit + ")"
		}
		return p.Name
	}
	var figs []*Figure
	for _, u := range units {
		z, c := average(xs, ys, cols[pa.Column()], cols[pb.Column()], cols[u.col]), average(xs, ys, cols[pa.Column()], cols[pb.Column()], cols[u.errCol])
		figs = append(figs, &Figure{
			File:  fmt.Sprintf("%s-%s-vs-%s", u.file, slug(pb.Name), slug(pa.Name)),
			Title: u.title + averagedOver(others), Desc: fmt.Sprintf("%s over %s and %s%s, dashed where it equals its set point (%s)", strings.ToLower(u.title[:1])+u.title[1:], pa.Name, pb.Name, averagedOver(others), u.setPoint),
			XLabel: label(pa), YLabel: label(pb),
			Heat: &Heat{X: xs, Y: ys, Z: z, ZLabel: u.zLabel, C: c, Level: 0, CLabel: "rate = set point (" + u.setPoint + ")", ZMax: u.zMax},
		})
	}
	return figs
}

func slug(name string) string { return strings.NewReplacer(".", "-", "_", "-").Replace(name) }

func axisDisplay(p *sweep.Param, vals []sweep.Value) []float64 {
	out := make([]float64, len(vals))
	for k, v := range vals {
		out[k] = p.Display(v)
	}
	sort.Float64s(out)
	return out
}

// average returns the mean of v over the rows whose (a, b) is each grid point.
func average(xs, ys, a, b, v []float64) [][]float64 {
	sum := make([][]float64, len(ys))
	n := make([][]int, len(ys))
	for i := range ys {
		sum[i], n[i] = make([]float64, len(xs)), make([]int, len(xs))
	}
	index := func(grid []float64, x float64) int {
		for k, g := range grid {
			if math.Abs(g-x) <= 1e-9*math.Max(1, math.Abs(g)) {
				return k
			}
		}
		return -1
	}
	for r := range v {
		j, i := index(xs, a[r]), index(ys, b[r])
		if i < 0 || j < 0 || !ok(v[r]) {
			continue
		}
		sum[i][j] += v[r]
		n[i][j]++
	}
	for i := range sum {
		for j := range sum[i] {
			if n[i][j] == 0 {
				sum[i][j] = math.NaN()
			} else {
				sum[i][j] /= float64(n[i][j])
			}
		}
	}
	return sum
}

// rateFigure draws a unit's mean rate against its inhibitory weight, one line with a 95% band per
// excitation level, and each level's set point.
func rateFigure(u *aggregate.UnitBalanceLines) *Figure {
	f := &Figure{File: "rate-" + strings.ToLower(u.Unit) + "-vs-inhibitory-weight", Title: fmt.Sprintf("Mean rate of the %s unit against its inhibitory weight", u.Unit),
		Desc:   fmt.Sprintf("mean rate of the %s unit (95%% band) against %s, per excitation level, with the set points", u.Unit, u.Axis),
		XLabel: "inhibitory weight " + map[string]string{"E": "w_EI", "I": "w_II"}[u.Unit] + " (pA)", YLabel: "rate (Hz)"}
	seenSP := map[float64]bool{}
	var setPoints []Series // after the levels, so that the legend lists them last
	for k, lv := range u.View() {
		var x, y, lo, hi []float64
		for _, c := range lv.CellsView {
			x, y, lo, hi = append(x, c.X), append(y, c.Mean), append(lo, c.CILo), append(hi, c.CIHi)
		}
		f.Series = append(f.Series, Series{Kind: Band, X: x, Lo: lo, Hi: hi, Color: k}, Series{Label: lv.Level, Kind: Line, X: x, Y: y, Color: k})
		if !seenSP[lv.SetPointHz] {
			label := ""
			if len(seenSP) == 0 {
				label = "set point of each level (dashed, its colour)"
			}
			seenSP[lv.SetPointHz] = true
			setPoints = append(setPoints, Series{Label: label, Kind: HLine, Y: []float64{lv.SetPointHz}, Color: k, Dashed: true})
		}
	}
	f.Series = append(f.Series, setPoints...)
	return f
}

// balanceFigure draws the balance lines: the crossings (Ē*, Ī*) with their 95% intervals, the
// linear, additive and multiplicative fits, and the threshold–gain prediction at each crossing.
func balanceFigure(u *aggregate.UnitBalanceLines) *Figure {
	f := &Figure{File: "balance-lines-" + strings.ToLower(u.Unit), Title: fmt.Sprintf("Inhibition that holds the %s unit at its set point", u.Unit),
		Desc:   fmt.Sprintf("Ī* against Ē* at each excitation level's crossing for the %s unit, with the linear, additive and multiplicative fits and the threshold–gain prediction", u.Unit),
		XLabel: "mean excitatory current Ē* (pA)", YLabel: "mean inhibitory current Ī* (pA)", LegendLeft: true}
	var x, y, lo, hi, tg []float64
	for _, lv := range u.View() {
		if lv.Status == analysis.Crossed {
			x, y, lo, hi = append(x, lv.ExcCross), append(y, lv.Inh), append(lo, lv.CIInh.Lo), append(hi, lv.CIInh.Hi)
			tg = append(tg, lv.ThresholdGainInh)
		}
	}
	f.Series = append(f.Series, Series{Label: "crossings (95% interval)", Kind: ErrorBars, X: x, Y: y, Lo: lo, Hi: hi, Color: 7})
	if len(x) > 0 {
		xlo, xhi := minOf(x), maxOf(x)
		pad := 0.05 * (xhi - xlo + 1)
		line := []float64{xlo - pad, xhi + pad}
		for k, fit := range u.Fits {
			if !ok(fit.M) {
				continue
			}
			var label string
			switch fit.Model {
			case "linear":
				label = fmt.Sprintf("I = %.3f·E %s pA (R² %.4f)", fit.M, signed(fit.B), fit.R2)
			case "additive":
				label = fmt.Sprintf("I = E %s pA (R² %.4f)", signed(fit.B), fit.R2)
			default:
				label = fmt.Sprintf("I = %.3f·E (R² %.4f)", fit.M, fit.R2)
			}
			f.Series = append(f.Series, Series{Label: fit.Model + ": " + label, Kind: Line, X: line,
				Y: []float64{fit.M*line[0] + fit.B, fit.M*line[1] + fit.B}, Color: k, Dashed: fit.Model != u.Best})
		}
	}
	f.Series = append(f.Series, Series{Label: "threshold–gain prediction Ē − θ − r*/g", Kind: Points, X: x, Y: tg, Color: 3})
	return f
}

// signed writes b as "+ 12.3" or "− 12.3".
func signed(b float64) string {
	if b < 0 {
		return fmt.Sprintf("− %.1f", -b)
	}
	return fmt.Sprintf("+ %.1f", b)
}

func minOf(xs []float64) float64 {
	m := math.Inf(1)
	for _, x := range xs {
		m = math.Min(m, x)
	}
	return m
}

// chargeFigure draws each cell's mean empirical charge against the predicted charge, for the
// four pathways, with the identity line.
func chargeFigure(cols map[string][]float64) *Figure {
	f := &Figure{File: "charge-empirical-vs-predicted", Title: "Synaptic charge: empirical against predicted",
		Desc:   "mean charge of every cell against n·w·rate·duration·1 ms, for the four pathways (below the line: charge still in flight at the end)",
		XLabel: "predicted charge (pC)", YLabel: "mean empirical charge (pC)", LegendLeft: true}
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, q := range []string{"ee", "ie", "ei", "ii"} {
		x, y := cols["q_"+q+"_pred_pc_mean"], cols["q_"+q+"_pc_mean"]
		f.Series = append(f.Series, Series{Label: "Q_" + strings.ToUpper(q), Kind: Points, X: x, Y: y, Color: k})
		for _, v := range x {
			if ok(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if ok(lo) {
		f.Series = append(f.Series, Series{Label: "empirical = predicted", Kind: Line, X: []float64{lo, hi}, Y: []float64{lo, hi}, Color: 6, Dashed: true})
	}
	return f
}

// WriteIndex writes figures.md in dir: one line per figure with its file and what it shows.
func WriteIndex(dir string, figs []*Figure, ext string) error {
	var b strings.Builder
	b.WriteString("# Figures\n\n")
	for _, f := range figs {
		fmt.Fprintf(&b, "- [%s%s](%s%s): %s\n", f.File, ext, f.File, ext, f.Desc)
	}
	return os.WriteFile(filepath.Join(dir, "figures.md"), []byte(b.String()), 0o644)
}
