package sweep

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/eisweep/eisweep/sim"
)

// Axis is one dimension of a sweep's grid: a [grid] entry (one parameter) or a [[zip]] block
// (several parameters that vary together). Position j of the axis sets Params[k] to Values[k][j].
type Axis struct {
	Params []int     // registry indices of the parameters, in the order written
	Values [][]Value // Values[k][j] is parameter k's value at position j; all the same length
	Key    string    // where it is defined, e.g. `grid."input.rate_exc"` or `zip[2]`
	Line   int       // line of the definition, 0 if unknown
}

// Len returns the number of positions of the axis.
func (a *Axis) Len() int { return len(a.Values[0]) }

// Names returns the axis's parameter names.
func (a *Axis) Names() []string {
	ns := make([]string, len(a.Params))
	for k, i := range a.Params {
		ns[k] = Registry[i].Name
	}
	return ns
}

// cellCount returns the product of the axes' lengths, or an error if it overflows int64.
func cellCount(axes []Axis) (int64, error) {
	n := uint64(1)
	for _, a := range axes {
		hi, lo := bits.Mul64(n, uint64(a.Len()))
		if hi != 0 || lo > math.MaxInt64 {
			return 0, fmt.Errorf("the grid has more than 9.2e18 cells")
		}
		n = lo
	}
	return int64(n), nil
}

// decode writes the values of grid cell `cell` into pt, which must hold the base point. Cells are
// numbered in mixed radix with the last axis varying fastest, like nested loops in file order, so
// no grid is ever materialised: any cell decodes from its index alone.
func decode(axes []Axis, cell int64, pt Point) {
	for a := len(axes) - 1; a >= 0; a-- {
		ax := &axes[a]
		n := int64(ax.Len())
		j := cell % n
		cell /= n
		for k, i := range ax.Params {
			pt[i] = ax.Values[k][j]
		}
	}
}

// rangeSpec is a range written as an inline table: {from, to, steps} or {from, to, step},
// optionally with scale = "log".
var rangeKeys = []string{"from", "to", "steps", "step", "scale"}

// axisValues returns the values a grid or zip entry v describes for parameter p: a list of
// values, or a range table.
func axisValues(p *Param, v any) ([]Value, error) {
	switch x := v.(type) {
	case []any:
		if len(x) == 0 {
			return nil, fmt.Errorf("empty list: an axis needs at least one value")
		}
		vals := make([]Value, len(x))
		for j, e := range x {
			val, err := valueOf(p, e)
			if err != nil {
				return nil, fmt.Errorf("value %d: %w", j+1, err)
			}
			vals[j] = val
		}
		return vals, nil
	case map[string]any:
		return rangeValues(p, x)
	}
	return nil, fmt.Errorf("%s is a single value; an axis is a list [a, b, …] or a range {from = …, to = …, steps = …} (a single value belongs in [params])", describe(v))
}

// maxAxis is the most values one axis may have.
const maxAxis = 1_000_000

func rangeValues(p *Param, r map[string]any) ([]Value, error) {
	for k := range r {
		if !contains(rangeKeys, k) {
			if s := Nearest(k, rangeKeys); s != "" {
				return nil, fmt.Errorf("unknown range key %q (did you mean %q?)", k, s)
			}
			return nil, fmt.Errorf("unknown range key %q (a range has from, to, and steps or step, and optionally scale)", k)
		}
	}
	if p.Words() {
		if p.Kind == KindText {
			return nil, fmt.Errorf("%s takes text; list the values instead of a range", p.Name)
		}
		return nil, fmt.Errorf("%s takes words (%s); list them instead of a range", p.Name, quoteList(p.Choices))
	}
	fromV, okF := r["from"]
	toV, okT := r["to"]
	if !okF || !okT {
		return nil, fmt.Errorf("a range needs both from and to, e.g. {from = %s, to = …, steps = 5}", exampleValue(p))
	}
	from, err := valueOf(p, fromV)
	if err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	to, err := valueOf(p, toV)
	if err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	scale := "linear"
	if s, ok := r["scale"]; ok {
		str, _ := s.(string)
		if str != "linear" && str != "log" {
			return nil, fmt.Errorf("scale = %s: want \"linear\" or \"log\"", describe(s))
		}
		scale = str
	}
	stepsV, hasSteps := r["steps"]
	stepV, hasStep := r["step"]
	var vals []float64
	switch {
	case hasSteps && hasStep:
		return nil, fmt.Errorf("give steps (a count) or step (a spacing), not both")
	case hasSteps:
		n, ok := stepsV.(int64)
		if !ok || n < 2 || n > maxAxis {
			return nil, fmt.Errorf("steps = %s: want a whole number of values from 2 to %d", describe(stepsV), maxAxis)
		}
		if scale == "log" {
			if !(from.Num > 0 && to.Num > 0) && !(from.Num < 0 && to.Num < 0) {
				return nil, fmt.Errorf("a log range needs from and to of the same sign, not zero (from %s, to %s)", p.FormatValue(from), p.FormatValue(to))
			}
			vals = geomspace(from.Num, to.Num, int(n))
		} else {
			vals = sim.Linspace(nil, from.Num, to.Num, int(n))
		}
	case hasStep:
		if scale == "log" {
			return nil, fmt.Errorf("a log range is given by steps (a count), not step")
		}
		st, err := valueOf(p, stepV)
		if err != nil {
			return nil, fmt.Errorf("step: %w", err)
		}
		if !(st.Num > 0) {
			return nil, fmt.Errorf("step must be positive (from %s to %s)", p.FormatValue(from), p.FormatValue(to))
		}
		n := math.Floor((to.Num-from.Num)/st.Num*(1+1e-12)+1e-9) + 1
		if !(n >= 1) {
			return nil, fmt.Errorf("from %s is above to %s", p.FormatValue(from), p.FormatValue(to))
		}
		if n > maxAxis {
			return nil, fmt.Errorf("%.0f values, more than %d on one axis", n, maxAxis)
		}
		vals = make([]float64, int(n))
		for j := range vals {
			vals[j] = from.Num + float64(j)*st.Num // from + j·step, not a running sum
		}
	default:
		return nil, fmt.Errorf("a range needs steps (a count) or step (a spacing), e.g. {from = %s, to = …, steps = 5}", exampleValue(p))
	}
	out := make([]Value, len(vals))
	for j, x := range vals {
		// A computed value such as 0.9 + 1·0.05 = 0.9500000000000001 becomes the double a person
		// writes (0.95): the one whose 15 significant digits the run id records.
		x = snap15(x)
		if p.Kind == KindInt {
			r := math.Round(x)
			if math.Abs(x-r) > 1e-9*math.Max(1, math.Abs(r)) {
				return nil, fmt.Errorf("value %d of the range is %g, not a whole number; %s counts something (choose from, to and steps so that the values are whole)", j+1, x, p.Name)
			}
			x = r
		}
		v, err := p.check(Value{Num: x}, p.FormatValue(Value{Num: x}))
		if err != nil {
			return nil, fmt.Errorf("value %d of the range: %w", j+1, err)
		}
		out[j] = v
	}
	return out, nil
}

// snap15 rounds x to 15 significant digits.
func snap15(x float64) float64 {
	slot := &snapMemo[(math.Float64bits(x)*0x9e3779b97f4a7c15)>>(64-snapMemoBits)]
	if p := slot.Load(); p != nil && math.Float64bits(p[0]) == math.Float64bits(x) {
		return p[1]
	}
	y, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 15, 64), 64)
	if err != nil {
		y = x
	}
	slot.Store(&[2]float64{x, y})
	return y
}

// snapMemo remembers snap15's recent results, by a hash of the input's bits: every row of a sweep
// displays every parameter's value, mostly the same few values, and the decimal round trip was
// about 100 ns per value, several µs per row. A slot holds an immutable (input, result) pair, so
// concurrent readers and writers need no lock.
var snapMemo [1 << snapMemoBits]atomic.Pointer[[2]float64]

const snapMemoBits = 12

// geomspace returns n values spaced evenly on a log scale from a to b inclusive, with the ends
// exact (numpy.geomspace).
func geomspace(a, b float64, n int) []float64 {
	sign := 1.0
	if a < 0 {
		sign, a, b = -1, -a, -b
	}
	exps := sim.Linspace(nil, math.Log10(a), math.Log10(b), n)
	out := make([]float64, n)
	for j, e := range exps {
		out[j] = sign * math.Pow(10, e)
	}
	out[0], out[n-1] = sign*a, sign*b
	return out
}

func exampleValue(p *Param) string {
	if p.Kind == KindQuantity {
		return fmt.Sprintf("%q", p.Default)
	}
	return p.Default
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case map[string]any:
		return "a table"
	case []any:
		return "a list"
	}
	return fmt.Sprint(v)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Describe lists the axis's values for people — "3 Hz, 5 Hz, 8 Hz", or for a zip
// "(7.6 mV, 6.5 mV), (8 mV, 7 mV)" — showing only the first and last few beyond max positions.
func (a *Axis) Describe(max int) string {
	n := a.Len()
	parts := make([]string, 0, min(n, max+1))
	for j := range n {
		if n > max && j == max/2 {
			parts = append(parts, fmt.Sprintf("… %d more …", n-max))
		}
		if n > max && j >= max/2 && j < n-(max-max/2) {
			continue
		}
		parts = append(parts, a.Position(j))
	}
	return strings.Join(parts, ", ")
}

// Position formats the values of position j: "5 Hz", or "(7.6 mV, 6.5 mV)" for a zip.
func (a *Axis) Position(j int) string {
	if len(a.Params) == 1 {
		return Registry[a.Params[0]].FormatValue(a.Values[0][j])
	}
	vs := make([]string, len(a.Params))
	for k, i := range a.Params {
		vs[k] = Registry[i].FormatValue(a.Values[k][j])
	}
	return "(" + strings.Join(vs, ", ") + ")"
}
