package figure

import (
	"context"
	"fmt"
	"math"

	"github.com/eisweep/eisweep/aggregate"
	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
)

// networkBuild returns the figures of a network folder: one trial's spike raster and population
// rates with its Up states marked (for runs that train: the trainings' moving averages and
// weights), and, for a sweep with axes, the Up-state rates of both populations over each pair of
// axes.
func networkBuild(dir string, def *sweep.Definition, opt Options) ([]*Figure, error) {
	c, err := store.Read(dir, experiment.Network.Tables())
	if err != nil {
		return nil, err
	}
	var figs []*Figure
	if trains(def) {
		// A trained run's trial would need its whole training again: draw the trainings instead.
		if figs, err = trainingFigures(def, c); err != nil {
			return nil, err
		}
	} else if figs, err = NetworkRunFigures(def, opt.Run); err != nil {
		return nil, err
	}
	if def.Cells() > 1 && len(c.Files["runs"]) > 0 {
		sf, err := networkSweepFigures(dir, def)
		if err != nil {
			return nil, err
		}
		figs = append(figs, sf...)
	}
	return figs, nil
}

// NetworkRunFigures simulates one trial of a network sweep again (its seed gives exactly what the
// sweep ran) and draws its raster and population rates.
func NetworkRunFigures(def *sweep.Definition, id string) ([]*Figure, error) {
	pt, rep, rid, err := findRun(def, id)
	if err != nil {
		return nil, err
	}
	d := *def
	d.Outputs.PSTH, d.Outputs.Raster = true, true
	out, err := experiment.Network.NewSession(&d, nil).NewWorker().Run(sweep.RunRef{Point: pt, Replicate: rep, ID: rid})
	if err != nil {
		return nil, err
	}
	o := out.(experiment.NetworkOutput)
	where := describePoint(def, pt) + ", run " + rid.String()
	return []*Figure{rasterFigure(o, where), psthFigure(o, where)}, nil
}

// upBands marks each Up state of o as a shaded band from 0 to top.
func upBands(o experiment.NetworkOutput, top float64, color int) []Series {
	var ss []Series
	label := "Up state"
	for _, up := range o.Ups {
		ss = append(ss, Series{Label: label, Kind: Band, X: []float64{up.StartSec, up.EndSec}, Lo: []float64{0, 0}, Hi: []float64{top, top}, Color: color})
		label = ""
	}
	return ss
}

func rasterFigure(o experiment.NetworkOutput, where string) *Figure {
	k := o.Row.Model.Trial.RasterUnits
	var ex, ey, ix, iy []float64
	for _, s := range o.Raster {
		if s.Pop == "E" {
			ex, ey = append(ex, s.TS), append(ey, float64(s.Rank))
		} else {
			ix, iy = append(ix, s.TS), append(iy, float64(k+int(s.Rank)))
		}
	}
	f := &Figure{File: "network-raster", Title: fmt.Sprintf("Spikes of %d E and %d I units (%s)", k, k, where),
		Desc:   fmt.Sprintf("spike raster of %d E units (below) and %d I units (above), evenly spaced over each population, of one trial, Up states shaded", k, k),
		XLabel: "time (s)", YLabel: "unit (E below, I above)"}
	f.Series = append(f.Series, upBands(o, float64(2*k), 6)...)
	f.Series = append(f.Series, Series{Label: "E units", Kind: Dots, X: ex, Y: ey, Color: 0}, Series{Label: "I units", Kind: Dots, X: ix, Y: iy, Color: 1})
	return f
}

func psthFigure(o experiment.NetworkOutput, where string) *Figure {
	bin := o.Row.Model.Trial.BinSec
	t := make([]float64, len(o.PSTH))
	re, ri := make([]float64, len(o.PSTH)), make([]float64, len(o.PSTH))
	for b, p := range o.PSTH {
		t[b], re[b], ri[b] = p.TStartS+bin/2, p.RateEHz, p.RateIHz
	}
	top := math.Max(maxOf(ri), maxOf(re))
	if !(top > 0) {
		top = 1
	}
	f := &Figure{File: "network-psth", Title: "Population rates (" + where + ")",
		Desc:   fmt.Sprintf("E and I population rates in %.4g ms bins of one trial, the detected Up states shaded and the set points dashed", bin*1e3),
		XLabel: "time (s)", YLabel: "rate (Hz)"}
	f.Series = append(f.Series, upBands(o, top, 6)...)
	f.Series = append(f.Series,
		Series{Label: "E population", Kind: Line, X: t, Y: re, Color: 0},
		Series{Label: "I population", Kind: Line, X: t, Y: ri, Color: 1},
		Series{Label: fmt.Sprintf("E set point %g Hz", experiment.NetworkSetPoints[0]), Kind: HLine, Y: []float64{experiment.NetworkSetPoints[0]}, Color: 0, Dashed: true},
		Series{Label: fmt.Sprintf("I set point %g Hz", experiment.NetworkSetPoints[1]), Kind: HLine, Y: []float64{experiment.NetworkSetPoints[1]}, Color: 1, Dashed: true})
	return f
}

// networkSweepFigures draws the Up-state rates of both populations over every pair of axes.
func networkSweepFigures(dir string, def *sweep.Definition) ([]*Figure, error) {
	res, err := aggregate.Compute(context.Background(), dir, aggregate.Options{Bootstrap: 1})
	if err != nil {
		return nil, err
	}
	units := []heatUnit{
		{"E", "network-heatmap-rate-up-e", "Up-state rate of the E population", "rate_up_e_hz_mean", "setpoint_err_e_hz_mean", fmt.Sprintf("E set point %g Hz", experiment.NetworkSetPoints[0]), "rate (Hz)", 4 * experiment.NetworkSetPoints[0]},
		{"I", "network-heatmap-rate-up-i", "Up-state rate of the I population", "rate_up_i_hz_mean", "setpoint_err_i_hz_mean", fmt.Sprintf("I set point %g Hz", experiment.NetworkSetPoints[1]), "rate (Hz)", 4 * experiment.NetworkSetPoints[1]},
	}
	figs, _, err := pairHeatmaps(def, res, []string{"rate_up_e_hz_mean", "rate_up_i_hz_mean", "setpoint_err_e_hz_mean", "setpoint_err_i_hz_mean"}, units)
	if err != nil {
		return nil, err
	}
	return figs, nil
}
