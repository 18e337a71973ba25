package aggregate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/pipeline"
	"github.com/eisweep/eisweep/sensitivity"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// SensitivityResult is what Sensitivity computes.
type SensitivityResult struct {
	Rows  []SensitivityRow  // by output in the runs table's order, then by parameter name
	Def   *sweep.Definition // the folder's definition
	Notes []string          // what was left out, and why
}

// SensitivityBootstrap is the bootstrap resamples `eisweep sensitivity` and its figures use by
// default (the same seed and count give the same intervals in both).
const SensitivityBootstrap = 1000

// ErrSampleIncomplete is wrapped by Sensitivity's error when some design point has no ok run.
var ErrSampleIncomplete = errors.New("the sample is not complete")

// SensitivityRow is one output's sensitivity to one sampled parameter: a row of
// sensitivity.parquet. The Sobol indices need a Saltelli design and are NaN for the others.
type SensitivityRow struct {
	Output, Param string
	Method        string // the sample's design
	sensitivity.Index
	sensitivity.RegIndex
	R2, RankR2 float64 // of the output's linear fit on the parameters, and of its fit on their ranks
	Points     int64   // design rows the indices are computed from
}

// SensitivityColumns is sensitivity.parquet's schema.
var SensitivityColumns = []table.Column[SensitivityRow]{
	table.String("output", "the runs column: an output of the experiment", func(r *SensitivityRow) string { return r.Output }),
	table.String("param", "the sampled parameter (dotted name)", func(r *SensitivityRow) string { return r.Param }),
	table.String("method", "the sample's design: random, lhs, sobol or saltelli", func(r *SensitivityRow) string { return r.Method }),
	table.FloatOrNull("s1", "first-order Sobol index (Saltelli et al. 2010): the share of the output's variance the parameter causes alone; null unless the design is saltelli", func(r *SensitivityRow) float64 { return r.S1 }),
	table.FloatOrNull("s1_lo", "lower end of s1's bootstrap 95% interval", func(r *SensitivityRow) float64 { return r.S1Lo }),
	table.FloatOrNull("s1_hi", "upper end of s1's bootstrap 95% interval", func(r *SensitivityRow) float64 { return r.S1Hi }),
	table.FloatOrNull("st", "total-effect Sobol index (Jansen 1999): the share alone and in every interaction", func(r *SensitivityRow) float64 { return r.ST }),
	table.FloatOrNull("st_lo", "lower end of st's bootstrap 95% interval", func(r *SensitivityRow) float64 { return r.STLo }),
	table.FloatOrNull("st_hi", "upper end of st's bootstrap 95% interval", func(r *SensitivityRow) float64 { return r.STHi }),
	table.FloatOrNull("src", "standardized regression coefficient: the output's change, in its standard deviations, per standard deviation of the parameter, in a linear fit on all parameters (log-sampled ones by their log); null, as are prcc and the R²s, for a Saltelli design with too few points to regress on", func(r *SensitivityRow) float64 { return r.SRC }),
	table.FloatOrNull("src_lo", "lower end of src's bootstrap 95% interval", func(r *SensitivityRow) float64 { return r.SRCLo }),
	table.FloatOrNull("src_hi", "upper end of src's bootstrap 95% interval", func(r *SensitivityRow) float64 { return r.SRCHi }),
	table.FloatOrNull("prcc", "partial rank correlation coefficient: the correlation of the output's and the parameter's ranks once the other parameters' ranks are regressed out (any monotone effect, −1 to 1)", func(r *SensitivityRow) float64 { return r.PRCC }),
	table.FloatOrNull("prcc_lo", "lower end of prcc's bootstrap 95% interval", func(r *SensitivityRow) float64 { return r.PRCCLo }),
	table.FloatOrNull("prcc_hi", "upper end of prcc's bootstrap 95% interval", func(r *SensitivityRow) float64 { return r.PRCCHi }),
	table.FloatOrNull("r2", "R² of the output's linear fit on the parameters: how much of its variance the src describe (the same in every row of the output)", func(r *SensitivityRow) float64 { return r.R2 }),
	table.FloatOrNull("rank_r2", "R² of the output's ranks' linear fit on the parameters' ranks (the same in every row of the output)", func(r *SensitivityRow) float64 { return r.RankR2 }),
	table.Int("points", "design rows the indices come from, each the mean over its runs' replicates: n·(d+2) for s1 and st of a saltelli design (its src and prcc use its 2n rows A and B), n for the other designs", func(r *SensitivityRow) int64 { return r.Points }),
}

// SensitivityDocs describes sensitivity.parquet's columns.
func SensitivityDocs() []table.ColumnDoc { return table.Docs(SensitivityColumns) }

// Sensitivity computes how every summary output of the runs of output folder dir depends on the
// parameters its [sample] varies (with no other axis): standardized regression coefficients and
// partial rank correlations for any design, and for a Saltelli design Sobol indices too. Each
// design row's output is the mean of its runs' (replicates'); boot bootstrap resamples give the
// intervals. Every design point needs at least one ok run.
//
// A Saltelli design with too few points for the regression (2n under 2(d+2)) still gets its Sobol
// indices, with NaN for src and prcc, and a note that says so.
func Sensitivity(ctx context.Context, dir string, boot int) (*SensitivityResult, error) {
	def, err := pipeline.LoadFolder(dir)
	if err != nil {
		return nil, err
	}
	s := def.Sample
	if s == nil {
		return nil, fmt.Errorf("%s: sensitivity needs a sweep with a [sample] (method = \"saltelli\" for Sobol indices; any design for regression coefficients and rank correlations)", dir)
	}
	for _, a := range def.Axes {
		if a.Key != "sample" && a.Len() > 1 {
			return nil, fmt.Errorf("%s: %s varies beside the sample; sensitivity indices are computed for a sample alone (move %s into [params])", dir, a.Key, strings.Join(a.Names(), ", "))
		}
	}
	rows, err := s.Rows()
	if err != nil {
		return nil, err
	}
	c, err := store.Read(dir, pipeline.Tables(def))
	if err != nil {
		return nil, err
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
		return nil, err
	}
	d := len(s.Params)
	ys := make([][]float64, len(metrics))
	var xs [][]float64 // every design row's parameters, log-sampled ones by their log
	missing := 0
	for _, row := range rows {
		x := make([]float64, d)
		for k, i := range s.Params {
			if x[k] = sweep.Registry[i].Display(row[k]); s.Log[k] {
				x[k] = math.Log(math.Abs(x[k]))
			}
		}
		xs = append(xs, x)
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
		return nil, fmt.Errorf("%s: %d of the design's %d points have no ok run yet: %w (`eisweep status %s` says how far the sweep is; failed runs leave points out too)", dir, missing, len(rows), ErrSampleIncomplete, dir)
	}
	// Outputs undefined at some point (a balance coefficient of a silent unit, say) are left out.
	var names []string
	var finite [][]float64
	for m, name := range metrics {
		ok := true
		for _, y := range ys[m] {
			ok = ok && !math.IsNaN(y) && !math.IsInf(y, 0)
		}
		if ok {
			names, finite = append(names, name), append(finite, ys[m])
		}
	}
	// The regression takes the design's independent rows: for a Saltelli design its A and B.
	rx, ry := xs, finite
	if s.Method == "saltelli" {
		rx, ry = saltelliAB(xs, d), make([][]float64, len(finite))
		for m, y := range finite {
			ry[m] = saltelliAB(y, d)
		}
	}
	res := &SensitivityResult{Def: def}
	var reg []sensitivity.Regression // nil: too few points
	if want := 2 * (d + 2); len(rx) < want {
		if s.Method != "saltelli" {
			return nil, fmt.Errorf("%s: %d design points for %d parameters are too few for regression coefficients: want at least %d (raise sample.n)", dir, len(rx), d, want)
		}
		res.Notes = append(res.Notes, fmt.Sprintf("src and prcc left out (NaN): the design's %d independent rows (A and B) for %d parameters are too few; they need at least %d (sample.n ≥ %d)", len(rx), d, want, d+2))
	} else if reg, err = sensitivity.Regress(rx, ry, boot, def.Seed); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if len(names) < len(metrics) {
		var left []string
		for _, m := range metrics {
			if !slices.Contains(names, m) {
				left = append(left, m)
			}
		}
		res.Notes = append(res.Notes, fmt.Sprintf("left out, undefined at some design point: %s", strings.Join(left, ", ")))
	}
	nan := math.NaN()
	for m, name := range names {
		var sobol []sensitivity.Index // nil: not a Saltelli design
		if s.Method == "saltelli" {
			if sobol, err = sensitivity.Sobol(finite[m], d, boot, def.Seed); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", dir, name, err)
			}
		}
		for k := range d {
			r := SensitivityRow{Output: name, Param: sweep.Registry[s.Params[k]].Name, Method: s.Method, Points: int64(len(rows)),
				Index:    sensitivity.Index{S1: nan, S1Lo: nan, S1Hi: nan, ST: nan, STLo: nan, STHi: nan},
				RegIndex: sensitivity.RegIndex{SRC: nan, SRCLo: nan, SRCHi: nan, PRCC: nan, PRCCLo: nan, PRCCHi: nan}, R2: nan, RankR2: nan}
			if sobol != nil {
				r.Index = sobol[k]
			}
			if reg != nil {
				r.RegIndex, r.R2, r.RankR2 = reg[m].Params[k], reg[m].R2, reg[m].RankR2
			}
			res.Rows = append(res.Rows, r)
		}
	}
	return res, nil
}

// saltelliAB returns the rows A and B of each block of d+2 rows of a Saltelli design (the first
// and the last of each), which are independent points; the rows between them share columns.
func saltelliAB[T any](rows []T, d int) []T {
	var out []T
	for j := 0; j+d+1 < len(rows); j += d + 2 {
		out = append(out, rows[j], rows[j+d+1])
	}
	return out
}

// WriteSensitivity writes rows as dir/sensitivity.parquet.
func WriteSensitivity(dir string, def *sweep.Definition, rows []SensitivityRow) (string, error) {
	return filepath.Join(dir, "sensitivity.parquet"), store.WriteDerived(dir, "sensitivity.parquet", func(w io.Writer) error {
		return table.Write(w, SensitivityColumns, rows, aggregateMeta(def), 1<<20)
	})
}

// ByImportance groups rows by output (in their order) and sorts each output's parameters by
// importance: total-effect index for a Saltelli design, the size of the partial rank correlation
// otherwise; ties keep the parameters' order.
func ByImportance(rows []SensitivityRow) [][]SensitivityRow {
	var out [][]SensitivityRow
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && rows[j].Output == rows[i].Output {
			j++
		}
		g := slices.Clone(rows[i:j])
		slices.SortStableFunc(g, func(a, b SensitivityRow) int { return cmp.Compare(importance(b), importance(a)) })
		out = append(out, g)
		i = j
	}
	return out
}

// importance is what ByImportance sorts by.
func importance(r SensitivityRow) float64 {
	if r.Method == "saltelli" {
		return r.ST
	}
	return math.Abs(r.PRCC)
}
