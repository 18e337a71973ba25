package experiment

import (
	"math"

	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// ParamColumns are columns of the parameters of experiment kind k for which keep is true
// (display units; null where not part of the row).
func ParamColumns[T any](k sweep.Experiment, keep func(int) bool, params func(*T) ([]float64, []string)) []table.Column[T] {
	var cs []table.Column[T]
	for i, p := range sweep.Registry {
		if !keep(i) || !p.AppliesTo(k) {
			continue
		}
		doc := p.Desc
		if p.Unit != "" {
			doc += " (" + p.Unit + ")"
		}
		if p.Words() {
			cs = append(cs, table.StringOrNull(p.Column(), doc, func(r *T) string { _, w := params(r); return w[i] }))
			continue
		}
		cs = append(cs, table.FloatOrNull(p.Column(), doc, func(r *T) float64 { v, _ := params(r); return v[i] }))
	}
	return cs
}

// PointColumns are the runs table's columns of experiment kind k's parameters, read from each
// row's point: words as strings, counts as int64, numbers as float64 in the display unit (the
// column name carries it), none of them null.
func PointColumns[T any](k sweep.Experiment, point func(*T) sweep.Point) []table.Column[T] {
	var cs []table.Column[T]
	for i, p := range sweep.Registry {
		if !p.AppliesTo(k) {
			continue
		}
		doc := p.Desc
		if p.Unit != "" {
			doc += " (" + p.Unit + ")"
		}
		switch p.Kind {
		case sweep.KindEnum, sweep.KindText:
			cs = append(cs, table.String(p.Column(), doc, func(r *T) string { return point(r)[i].Str }))
		case sweep.KindInt:
			cs = append(cs, table.Int(p.Column(), doc, func(r *T) int64 { return int64(point(r)[i].Num) }))
		default:
			cs = append(cs, table.Float(p.Column(), doc, func(r *T) float64 { return p.Display(point(r)[i]) }))
		}
	}
	return cs
}

// ReadParams returns a row's values of experiment kind k's parameters, read from their columns
// (display units; NaN and "" where keep is false or the parameter is not k's).
func ReadParams(r *table.Row, k sweep.Experiment, keep func(int) bool) ([]float64, []string) {
	vals := make([]float64, len(sweep.Registry))
	words := make([]string, len(sweep.Registry))
	for i, p := range sweep.Registry {
		vals[i] = math.NaN()
		if keep(i) && p.AppliesTo(k) {
			if p.Words() {
				words[i] = r.String(p.Column())
			} else {
				vals[i] = r.Float(p.Column())
			}
		}
	}
	return vals, words
}
