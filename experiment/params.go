package experiment

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// ParamColumns are columns of parameter values (display units; null where not part of the row).
func ParamColumns[T any](keep func(int) bool, params func(*T) ([]float64, []string)) []table.Column[T] {
	var cs []table.Column[T]
	for i, p := range sweep.Registry {
		if !keep(i) {
			continue
		}
		doc := p.Desc
		if p.Unit != "" {
			doc += " (" + p.Unit + ")"
		}
		if p.Words() {
			cs = append(cs, table.Column[T]{Name: p.Column(), Type: arrow.BinaryTypes.String, Nullable: true, Doc: doc,
				Append: func(b array.Builder, r *T) {
					if _, w := params(r); w[i] != "" {
						b.(*array.StringBuilder).Append(w[i])
						return
					}
					b.AppendNull()
				}})
			continue
		}
		cs = append(cs, table.FloatOrNull(p.Column(), doc, func(r *T) float64 { v, _ := params(r); return v[i] }))
	}
	return cs
}

// ReadParams returns a row's parameter values, read from their columns (display units; NaN and
// "" where keep is false).
func ReadParams(r *table.Row, keep func(int) bool) ([]float64, []string) {
	vals := make([]float64, len(sweep.Registry))
	words := make([]string, len(sweep.Registry))
	for i, p := range sweep.Registry {
		vals[i] = math.NaN()
		if keep(i) {
			if p.Words() {
				words[i] = r.String(p.Column())
			} else {
				vals[i] = r.Float(p.Column())
			}
		}
	}
	return vals, words
}
