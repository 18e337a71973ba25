package figure

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/eisweep/eisweep/aggregate"
	"github.com/eisweep/eisweep/sweep"
)

// SensitivityFigures draws, for each output of a sampled sweep (a [sample] and no other axis),
// how much each parameter moves it, with 95% intervals, the most important parameter at the top:
// Sobol indices s1 and st for a Saltelli design, standardized regression coefficients and
// partial rank correlations for the others. It computes them in memory from the runs, as
// `eisweep sensitivity` does (with bootstrap resamples: aggregate.SensitivityBootstrap gives
// the command's numbers), and draws nothing while some design point has no ok run.
func SensitivityFigures(dir string, def *sweep.Definition, bootstrap int) ([]*Figure, error) {
	if def.Sample == nil {
		return nil, nil
	}
	for _, a := range def.Axes {
		if a.Key != "sample" && a.Len() > 1 {
			return nil, nil
		}
	}
	res, err := aggregate.Sensitivity(context.Background(), dir, bootstrap)
	if errors.Is(err, aggregate.ErrSampleIncomplete) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var figs []*Figure
	for _, out := range aggregate.ByImportance(res.Rows) {
		figs = append(figs, sensitivityFigure(def.Sample, out))
	}
	return figs, nil
}

// sensitivityFigure draws one output's indices: one row per parameter, the first at the top.
func sensitivityFigure(s *sweep.Sample, rows []aggregate.SensitivityRow) *Figure {
	n := len(rows)
	out := rows[0].Output
	// The least important rows, near 0, leave room at the bottom right for the legend.
	f := &Figure{File: "sensitivity-" + slug(out), XLabel: "index", LegendBottom: true,
		HeightIn: math.Max(4.5, 1.3+0.24*float64(n))}
	// Row k of rows is drawn at y = n−1−k, so that the most important is at the top.
	names := make([]string, n)
	for k, r := range rows {
		names[n-1-k] = r.Param
	}
	f.YCategories = names
	type est struct {
		label string
		get   func(r aggregate.SensitivityRow) [3]float64 // estimate, interval's low and high end
	}
	var ests []est
	if s.Method == "saltelli" {
		f.Title = fmt.Sprintf("Sobol indices of %s (95%% intervals; Saltelli design, n = %d)", out, s.N)
		f.Desc = fmt.Sprintf("first-order and total-effect Sobol indices of %s for each sampled parameter, with bootstrap 95%% intervals", out)
		f.XLabel = "share of the output's variance"
		ests = []est{
			{"total effect st (alone and in interactions)", func(r aggregate.SensitivityRow) [3]float64 { return [3]float64{r.ST, r.STLo, r.STHi} }},
			{"first order s1 (alone)", func(r aggregate.SensitivityRow) [3]float64 { return [3]float64{r.S1, r.S1Lo, r.S1Hi} }},
		}
	} else {
		f.Title = fmt.Sprintf("Sensitivity of %s (95%% intervals; %s design, n = %d; linear R² %.2f)", out, designName(s.Method), s.N, rows[0].R2)
		f.Desc = fmt.Sprintf("partial rank correlations and standardized regression coefficients of %s for each sampled parameter, with bootstrap 95%% intervals", out)
		f.XLabel = "coefficient"
		ests = []est{
			{"partial rank correlation prcc", func(r aggregate.SensitivityRow) [3]float64 { return [3]float64{r.PRCC, r.PRCCLo, r.PRCCHi} }},
			{"standardized regression coefficient src", func(r aggregate.SensitivityRow) [3]float64 { return [3]float64{r.SRC, r.SRCLo, r.SRCHi} }},
		}
	}
	for c, e := range ests {
		se := Series{Label: e.label, Kind: XErrorBars, Color: c}
		for k, r := range rows {
			// The two estimates of a parameter side by side on its row.
			v := e.get(r)
			se.Y = append(se.Y, float64(n-1-k)+0.15-0.3*float64(c))
			se.X, se.Lo, se.Hi = append(se.X, v[0]), append(se.Lo, v[1]), append(se.Hi, v[2])
		}
		f.Series = append(f.Series, se)
	}
	f.Series = append(f.Series, Series{Kind: VLine, X: []float64{0}, Lo: []float64{-0.6}, Hi: []float64{float64(n) - 0.4}, Color: 6, Dashed: true})
	return f
}

// designName names a sample's method in a title.
func designName(method string) string {
	switch method {
	case "lhs":
		return "Latin hypercube"
	case "sobol":
		return "Sobol"
	}
	return strings.ToLower(method)
}
