package aggregate

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/pipeline"
	"github.com/eisweep/eisweep/sensitivity"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// SensitivityRow is one output's Sobol indices for one sampled parameter: a row of
// sensitivity.parquet.
type SensitivityRow struct {
	Output, Param string
	sensitivity.Index
	Points int64 // design rows the indices are computed from: n·(d+2)
}

// SensitivityColumns is sensitivity.parquet's schema.
var SensitivityColumns = []table.Column[SensitivityRow]{
	table.String("output", "the runs column: an output of the experiment", func(r *SensitivityRow) string { return r.Output }),
	table.String("param", "the sampled parameter (dotted name)", func(r *SensitivityRow) string { return r.Param }),
	table.Float("s1", "first-order Sobol index (Saltelli et al. 2010): the share of the output's variance the parameter causes alone", func(r *SensitivityRow) float64 { return r.S1 }),
	table.Float("s1_lo", "lower end of s1's bootstrap 95% interval", func(r *SensitivityRow) float64 { return r.S1Lo }),
	table.Float("s1_hi", "upper end of s1's bootstrap 95% interval", func(r *SensitivityRow) float64 { return r.S1Hi }),
	table.Float("st", "total-effect Sobol index (Jansen 1999): the share alone and in every interaction", func(r *SensitivityRow) float64 { return r.ST }),
	table.Float("st_lo", "lower end of st's bootstrap 95% interval", func(r *SensitivityRow) float64 { return r.STLo }),
	table.Float("st_hi", "upper end of st's bootstrap 95% interval", func(r *SensitivityRow) float64 { return r.STHi }),
	table.Int("points", "design rows used: n·(d+2), each the mean over its runs' replicates", func(r *SensitivityRow) int64 { return r.Points }),
}

// SensitivityDocs describes sensitivity.parquet's columns.
func SensitivityDocs() []table.ColumnDoc { return table.Docs(SensitivityColumns) }

// Sensitivity computes the Sobol indices of every summary output of the runs of output folder
// dir, whose definition has a [sample] with method = "saltelli" and no other axis: each design
// row's output is the mean of its runs' (replicates'); boot bootstrap resamples give the
// intervals. Every design point needs at least one ok run.
func Sensitivity(ctx context.Context, dir string, boot int) ([]SensitivityRow, *sweep.Definition, error) {
	def, err := pipeline.LoadFolder(dir)
	if err != nil {
		return nil, nil, err
	}
	s := def.Sample
	if s == nil || s.Method != "saltelli" {
		return nil, nil, fmt.Errorf("%s: sensitivity needs a sweep whose [sample] has method = \"saltelli\" (the n·(d+2) points Sobol indices are estimated from)", dir)
	}
	for _, a := range def.Axes {
		if a.Key != "sample" && a.Len() > 1 {
			return nil, nil, fmt.Errorf("%s: %s varies beside the sample; sensitivity indices are computed for a sample alone (move %s into [params])", dir, a.Key, strings.Join(a.Names(), ", "))
		}
	}
	rows, err := s.Rows()
	if err != nil {
		return nil, nil, err
	}
	c, err := store.Read(dir, pipeline.Tables(def))
	if err != nil {
		return nil, nil, err
	}
	kind := experiment.For(def)
	metrics := kind.SummaryMetrics()
	cols := []string{"status"}
	for _, i := range s.Params {
		cols = append(cols, sweep.Registry[i].Column())
	}
	cols = append(cols, metrics...)
	type acc struct {
		n   int
		sum []float64
	}
	points := map[string]*acc{}
	// A point's key: its sampled values as the runs table holds them (display units), exactly.
	keyOf := func(text func(p *sweep.Param, k int) string) string {
		parts := make([]string, len(s.Params))
		for k, i := range s.Params {
			parts[k] = text(sweep.Registry[i], k)
		}
		return strings.Join(parts, "\x00")
	}
	n := 0
	err = table.EachRow(c.Files["runs"], cols, func(r *table.Row) error {
		if n++; n%65536 == 0 && ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if r.String("status") != string(experiment.StatusOK) {
			return nil
		}
		key := keyOf(func(p *sweep.Param, _ int) string { return (&rowView{r}).paramText(p.Name) })
		a := points[key]
		if a == nil {
			a = &acc{sum: make([]float64, len(metrics))}
			points[key] = a
		}
		a.n++
		for m, name := range metrics {
			a.sum[m] += r.Float(name)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	ys := make([][]float64, len(metrics))
	missing := 0
	for _, row := range rows {
		a := points[keyOf(func(p *sweep.Param, k int) string { return displayText(p, row[k]) })]
		if a == nil {
			missing++
			continue
		}
		for m := range metrics {
			ys[m] = append(ys[m], a.sum[m]/float64(a.n))
		}
	}
	if missing > 0 {
		return nil, nil, fmt.Errorf("%s: %d of the design's %d points have no ok run yet (`eisweep status %s` says how far the sweep is; failed runs leave points out too)", dir, missing, len(rows), dir)
	}
	d := len(s.Params)
	var out []SensitivityRow
	for m, name := range metrics {
		finite := true
		for _, y := range ys[m] {
			finite = finite && !math.IsNaN(y) && !math.IsInf(y, 0)
		}
		if !finite {
			continue // an output undefined at some point (e.g. a balance coefficient of a silent unit)
		}
		idx, err := sensitivity.Sobol(ys[m], d, boot, def.Seed)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		for k, x := range idx {
			out = append(out, SensitivityRow{Output: name, Param: sweep.Registry[s.Params[k]].Name, Index: x, Points: int64(len(rows))})
		}
	}
	return out, def, nil
}

// WriteSensitivity writes rows as dir/sensitivity.parquet.
func WriteSensitivity(dir string, def *sweep.Definition, rows []SensitivityRow) (string, error) {
	return filepath.Join(dir, "sensitivity.parquet"), store.WriteDerived(dir, "sensitivity.parquet", func(w io.Writer) error {
		return table.Write(w, SensitivityColumns, rows, aggregateMeta(def), 1<<20)
	})
}
