package figure

import (
	"fmt"
	"slices"

	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// trains reports whether def's runs train (train.trials above 0 in its base point or on an axis).
func trains(def *sweep.Definition) bool {
	if m, err := def.Base.Model(); err == nil && m.Train.Trials > 0 {
		return true
	}
	for _, a := range def.Axes {
		for _, i := range a.Params {
			if sweep.Registry[i].Name == "train.trials" {
				return true
			}
		}
	}
	return false
}

// trajectory is one run's training, as its trajectory rows hold it.
type trajectory struct {
	id            string
	trial         []float64
	avgE, avgI    []float64
	weights       [4][]float64
	describeLabel string
}

// trainingFigures draws the trainings of a folder from its trajectory table: the moving averages
// of both populations' Up-state rates over the trials, against the set points, and the mean weight
// of each pathway.
func trainingFigures(def *sweep.Definition, c *store.Contents) ([]*Figure, error) {
	files := c.Files["trajectory"]
	if len(files) == 0 {
		return nil, nil
	}
	cols := []string{"run_id", "trial", "avg_e_hz", "avg_i_hz", "w_ee_pa", "w_ie_pa", "w_ei_pa", "w_ii_pa"}
	byID := map[string]*trajectory{}
	err := table.EachRow(files, cols, func(r *table.Row) error {
		id := r.String("run_id")
		t := byID[id]
		if t == nil {
			t = &trajectory{id: id}
			byID[id] = t
		}
		t.trial = append(t.trial, r.Float("trial"))
		t.avgE, t.avgI = append(t.avgE, r.Float("avg_e_hz")), append(t.avgI, r.Float("avg_i_hz"))
		for q, n := range []string{"w_ee_pa", "w_ie_pa", "w_ei_pa", "w_ii_pa"} {
			t.weights[q] = append(t.weights[q], r.Float(n))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// label each run by its point, in the definition's order
	var runs []*trajectory
	for r := range def.AllRuns() {
		if t := byID[r.ID.String()]; t != nil {
			t.describeLabel = describePoint(def, r.Point)
			if def.Replicates > 1 {
				t.describeLabel += fmt.Sprintf(" #%d", r.Replicate)
			}
			if t.describeLabel == "" {
				t.describeLabel = "run " + t.id
			}
			runs = append(runs, t)
		}
	}
	for _, t := range runs {
		// rows may come in any order across files
		idx := make([]int, len(t.trial))
		for k := range idx {
			idx[k] = k
		}
		slices.SortFunc(idx, func(a, b int) int { return int(t.trial[a] - t.trial[b]) })
		perm := func(x []float64) []float64 {
			y := make([]float64, len(x))
			for k, i := range idx {
				y[k] = x[i]
			}
			return y
		}
		t.trial, t.avgE, t.avgI = perm(t.trial), perm(t.avgE), perm(t.avgI)
		for q := range t.weights {
			t.weights[q] = perm(t.weights[q])
		}
	}
	m, _ := def.Base.Model()
	setE, setI := m.Train.SetExcHz, m.Train.SetInhHz
	rates := &Figure{File: "training-rates", Title: "Moving averages of the Up-state rates during training (" + def.Name + ")",
		Desc:   "the E (solid) and I (dashed) moving averages of each training's Up-state rates over its trials, the set points in grey",
		XLabel: "trial", YLabel: "moving average of the Up-state rate (Hz)", LegendLeft: true}
	for k, t := range runs {
		if len(runs) <= 4 { // a colour and legend entries per training
			rates.Series = append(rates.Series,
				Series{Label: "E, " + t.describeLabel, Kind: Line, X: t.trial, Y: t.avgE, Color: k},
				Series{Label: "I, " + t.describeLabel, Kind: Line, X: t.trial, Y: t.avgI, Color: k, Dashed: true})
			continue
		}
		le, li := "", "" // many trainings: one colour per population, labelled once
		if k == 0 {
			le, li = fmt.Sprintf("E, %d trainings", len(runs)), fmt.Sprintf("I, %d trainings", len(runs))
		}
		rates.Series = append(rates.Series,
			Series{Label: le, Kind: Line, X: t.trial, Y: t.avgE, Color: 0},
			Series{Label: li, Kind: Line, X: t.trial, Y: t.avgI, Color: 1, Dashed: true})
	}
	rates.Series = append(rates.Series,
		Series{Label: fmt.Sprintf("set points %g and %g Hz", setE, setI), Kind: HLine, Y: []float64{setE}, Color: 6, Dashed: true},
		Series{Kind: HLine, Y: []float64{setI}, Color: 6, Dashed: true})
	figs := []*Figure{rates}
	w := &Figure{File: "training-weights", Title: "Mean weights during training (" + def.Name + ")",
		Desc:   "the mean weight of each pathway over each training's trials, one colour per pathway (the trainings' lines in the same colour; dashed from the second training on)",
		XLabel: "trial", YLabel: "mean weight (pA)"}
	for k, t := range runs {
		for q := sim.EE; q <= sim.II; q++ {
			label := ""
			if k == 0 {
				label = q.String()
			}
			w.Series = append(w.Series, Series{Label: label, Kind: Line, X: t.trial, Y: t.weights[q], Color: int(q), Dashed: k > 0 && len(runs) <= 4})
		}
	}
	figs = append(figs, w)
	return figs, nil
}
