package figure

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/solve"
	"github.com/eisweep/eisweep/sweep"
)

// SolvedFigures draws what `eisweep solve` found over a grid (solved.parquet at path): for each
// solved unit, the solved weight with its 95% interval against the unit's set point (or the
// first axis), one line per value of the other axes, beside the starting weight; and each
// prediction's weight against the solved one, with the identity line. A definition without
// axes has none (its one cell is in the solve command's table).
func SolvedFigures(path string, def *sweep.Definition) ([]*Figure, error) {
	if def.Solve == nil || def.Cells() < 2 {
		return nil, nil
	}
	rows, err := solve.ReadSolvedFiles([]string{path})
	if err != nil {
		return nil, err
	}
	var figs []*Figure
	for _, su := range def.Solve.Units {
		figs = append(figs, solvedWeightFigure(def, rows, su), predictionFigure(rows, su))
	}
	return figs, nil
}

// pathwayName names the weight a solved parameter scales, e.g. "w_EI".
func pathwayName(su sweep.SolveUnit) string {
	return [4]string{"w_EE", "w_IE", "w_EI", "w_II"}[su.Pathway]
}

func solvedWeightFigure(def *sweep.Definition, rows []solve.SolvedRow, su sweep.SolveUnit) *Figure {
	setName := "input.rate_exc"
	if su.Unit == sim.UnitI {
		setName = "input.rate_inh"
	}
	// x: the unit's set point if it is swept, else the first axis with several values.
	xIdx := -1
	var others []int
	for _, a := range def.Axes {
		if a.Len() < 2 {
			continue
		}
		i := a.Params[0]
		if xIdx < 0 || sweep.Registry[i].Name == setName && sweep.Registry[xIdx].Name != setName {
			if xIdx >= 0 {
				others = append(others, xIdx)
			}
			xIdx = i
			continue
		}
		others = append(others, i)
	}
	xp := sweep.Registry[xIdx]
	f := &Figure{File: "solved-" + slug(strings.ToLower(pathwayName(su))) + "-vs-" + slug(xp.Name),
		Title:  fmt.Sprintf("%s that holds the %s unit at its set point", pathwayName(su), su.Unit),
		Desc:   fmt.Sprintf("solved %s (95%% bootstrap interval over replicates) against %s, one line per value of the other axes, and the starting weight", pathwayName(su), xp.Name),
		XLabel: axisLabel(xp), YLabel: "solved weight " + pathwayName(su) + " (pA)"}
	groups := map[string][]solve.SolvedRow{}
	var keys []string
	for _, r := range rows {
		var parts []string
		for _, i := range others {
			parts = append(parts, fmt.Sprintf("%s %.4g %s", shortName(sweep.Registry[i].Name), r.Params[i], sweep.Registry[i].Unit))
		}
		k := strings.Join(parts, ", ")
		if _, seen := groups[k]; !seen {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	starts := map[float64]bool{}
	for c, k := range keys {
		g := groups[k]
		sort.SliceStable(g, func(a, b int) bool { return g[a].Params[xIdx] < g[b].Params[xIdx] })
		var x, y, lo, hi []float64
		for _, r := range g {
			s := r.Units[su.Unit]
			starts[s.StartWPA] = true
			if s.Status != "ok" {
				continue
			}
			x, y, lo, hi = append(x, r.Params[xIdx]), append(y, s.WPA), append(lo, s.WCILoPA), append(hi, s.WCIHiPA)
		}
		label := k
		if label == "" {
			label = "solved"
		}
		f.Series = append(f.Series, Series{Kind: Line, X: x, Y: y, Color: c}, Series{Label: label, Kind: ErrorBars, X: x, Y: y, Lo: lo, Hi: hi, Color: c})
	}
	if len(f.Series) > 0 { // legend away from rising data
		if y := f.Series[0].Y; len(y) > 1 && y[len(y)-1] > y[0] {
			f.LegendLeft = true
		}
	}
	var sv []float64
	for w := range starts {
		sv = append(sv, w)
	}
	sort.Float64s(sv)
	for k, w := range sv {
		label := ""
		if k == 0 {
			label = "starting weight"
		}
		f.Series = append(f.Series, Series{Label: label, Kind: HLine, Y: []float64{w}, Color: 6, Dashed: true})
	}
	return f
}

func predictionFigure(rows []solve.SolvedRow, su sweep.SolveUnit) *Figure {
	name := pathwayName(su)
	f := &Figure{File: "solved-predictions-" + slug(strings.ToLower(name)),
		Title:  fmt.Sprintf("Predicted against solved %s", name),
		Desc:   fmt.Sprintf("the %s that each balance model (fitted to the other cells) and the threshold–gain prediction give for each cell, against the solved one, with the identity line", name),
		XLabel: "solved " + name + " (pA)", YLabel: "predicted " + name + " (pA)", LegendLeft: true}
	labels := [4]string{"additive I = E + b", "multiplicative I = m·E", "linear I = m·E + b", "threshold–gain"}
	lo, hi := math.Inf(1), math.Inf(-1)
	for j := range 4 {
		var x, y []float64
		var ss float64
		for _, r := range rows {
			s := r.Units[su.Unit]
			if s.Status != "ok" || !ok(s.Pred[j]) {
				continue
			}
			x, y = append(x, s.WPA), append(y, s.Pred[j])
			ss += s.Err[j] * s.Err[j]
			lo, hi = min(lo, s.WPA, s.Pred[j]), max(hi, s.WPA, s.Pred[j])
		}
		if len(x) == 0 {
			continue
		}
		f.Series = append(f.Series, Series{Label: fmt.Sprintf("%s (RMS error %.1f pA)", labels[j], math.Sqrt(ss/float64(len(x)))), Kind: Points, X: x, Y: y, Color: j})
	}
	if lo < hi {
		f.Series = append(f.Series, Series{Label: "identity", Kind: Line, X: []float64{lo, hi}, Y: []float64{lo, hi}, Color: 7, Dashed: true})
	}
	return f
}

// axisLabel labels an axis with a parameter's name and unit.
func axisLabel(p *sweep.Param) string {
	if p.Unit == "" {
		return p.Name
	}
	return fmt.Sprintf("%s (%s)", p.Name, p.Unit)
}

// shortName drops a parameter's group: "input.rate_inh" → "rate_inh".
func shortName(name string) string { return name[strings.LastIndex(name, ".")+1:] }
