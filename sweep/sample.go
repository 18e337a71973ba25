package sweep

import (
	"fmt"
	"math"
	"strings"

	"github.com/eisweep/eisweep/design"
)

// Sample is a definition's [sample] table: n points of a space-filling design over ranges of
// some parameters. Its points are one axis of the grid (Definition.Axes, Key "sample"), so a
// [grid] beside it multiplies them, and a run's identity is its values, as for any cell.
type Sample struct {
	Method string  // "random", "lhs" or "sobol"
	N      int     // points asked for
	Seed   uint64  // the design's seed (random, lhs); the definition's seed unless given
	Params []int   // registry indices of the sampled parameters, in name order
	From   []Value // each parameter's range
	To     []Value //
	Log    []bool  // sampled uniformly in log(value) rather than in value
	Points int     // distinct points: N less the repeats of rounded whole-number parameters
	Line   int     // line of [sample], 0 if unknown
}

// sampleMethods are the designs [sample] makes.
var sampleMethods = []string{"random", "lhs", "sobol", "saltelli"}

var sampleKeys = []string{"method", "n", "seed", "params"}

// sample reads the [sample] table and appends its points as an axis.
func (p *parser) sample(v any) {
	m, ok := p.table("sample", v)
	if !ok {
		return
	}
	line := lineOf(p.text, []string{"sample"})
	s := &Sample{Seed: p.d.Seed, Line: line}
	bad := false
	fail := func(key, format string, args ...any) {
		k := "sample"
		if key != "" {
			k += "." + key
		}
		l := lineOf(p.text, []string{"sample", key})
		if l == 0 {
			l = line
		}
		p.fail(k, l, format, args...)
		bad = true
	}
	for _, k := range sortedMapKeys(m) {
		if !contains(sampleKeys, k) {
			if n := Nearest(k, sampleKeys); n != "" {
				fail(k, "unknown key (did you mean %q?)", n)
			} else {
				fail(k, "unknown key ([sample] has %s)", strings.Join(sampleKeys, ", "))
			}
		}
	}
	switch x := m["method"].(type) {
	case nil:
		fail("", `no method: write method = "sobol", "lhs", "random" or "saltelli"`)
	case string:
		if !contains(sampleMethods, x) {
			if n := Nearest(x, sampleMethods); n != "" {
				fail("method", "%q is not a design (did you mean %q? the designs are %s)", x, n, quoteList(sampleMethods))
			} else {
				fail("method", "%q is not a design (the designs are %s)", x, quoteList(sampleMethods))
			}
		}
		s.Method = x
	default:
		fail("method", `%s is not a design name (write method = "sobol")`, describe(x))
	}
	switch x := m["n"].(type) {
	case nil:
		fail("", "no n: write the number of points, e.g. n = 256")
	case int64:
		if x < 1 || x > maxAxis {
			fail("n", "n = %d: want 1 to %d points", x, maxAxis)
		}
		s.N = int(x)
	default:
		fail("n", "%s is not a number of points (write e.g. n = 256)", describe(x))
	}
	if x, ok := m["seed"]; ok {
		n, isInt := x.(int64)
		if !isInt || n < 0 {
			fail("seed", "%s is not a whole number ≥ 0", describe(x))
		}
		s.Seed = uint64(n)
	}
	params, ok := m["params"].(map[string]any)
	if !ok || len(params) == 0 {
		fail("params", `no parameters to sample: add [sample.params] with e.g. "weights.mult_ei" = { from = 0.8, to = 1.2 }`)
		return
	}
	for _, e := range p.flattenAt("sample", "sample.params", params, line) {
		prm, r, ok := resolve(p, e, sampleRange)
		if !ok {
			bad = true
			continue
		}
		s.Params = append(s.Params, index[prm.Name])
		s.From, s.To, s.Log = append(s.From, r.from), append(s.To, r.to), append(s.Log, r.log)
	}
	if s.Method == "sobol" && len(s.Params) > design.SobolMaxDims {
		fail("params", "%d parameters: Sobol points are made for at most %d", len(s.Params), design.SobolMaxDims)
	}
	if s.Method == "saltelli" && 2*len(s.Params) > design.SobolMaxDims {
		fail("params", "%d parameters: a Saltelli design is made for at most %d", len(s.Params), design.SobolMaxDims/2)
	}
	if bad {
		return
	}
	ax, err := s.axis()
	if err != nil {
		fail("", "%v", err)
		return
	}
	ax.Line = line
	p.d.Sample = s
	p.d.Axes = append(p.d.Axes, ax)
}

type sampleBounds struct {
	from, to Value
	log      bool
}

// sampleRange reads one parameter's range {from = …, to = …[, scale = "log"]}.
func sampleRange(p *Param, v any) (sampleBounds, error) {
	var r sampleBounds
	m, ok := v.(map[string]any)
	if !ok {
		return r, fmt.Errorf("%s is not a range: write {from = %s, to = …}", describe(v), exampleValue(p))
	}
	if p.Words() {
		return r, fmt.Errorf("%s takes words; a sample needs a number (list words in [grid] instead)", p.Name)
	}
	for k := range m {
		if k != "from" && k != "to" && k != "scale" {
			return r, fmt.Errorf("unknown range key %q (a sampled range has from, to and optionally scale)", k)
		}
	}
	fromV, okF := m["from"]
	toV, okT := m["to"]
	if !okF || !okT {
		return r, fmt.Errorf("a range needs both from and to, e.g. {from = %s, to = …}", exampleValue(p))
	}
	var err error
	if r.from, err = valueOf(p, fromV); err != nil {
		return r, fmt.Errorf("from: %w", err)
	}
	if r.to, err = valueOf(p, toV); err != nil {
		return r, fmt.Errorf("to: %w", err)
	}
	if !(r.from.Num < r.to.Num) {
		return r, fmt.Errorf("from %s is not below to %s", p.FormatValue(r.from), p.FormatValue(r.to))
	}
	if sc, ok := m["scale"]; ok {
		str, _ := sc.(string)
		if str != "linear" && str != "log" {
			return r, fmt.Errorf("scale = %s: want \"linear\" or \"log\"", describe(sc))
		}
		r.log = str == "log"
		if r.log && !(r.from.Num > 0) && !(r.to.Num < 0) {
			return r, fmt.Errorf("a log range needs from and to of the same sign, not zero (from %s, to %s)", p.FormatValue(r.from), p.FormatValue(r.to))
		}
		if r.log && p.Kind == KindInt {
			return r, fmt.Errorf("%s counts something; sample it on a linear scale", p.Name)
		}
	}
	return r, nil
}

// Rows returns the design's points mapped onto the ranges, in the design's order and with any
// repeats: value = from + u·(to − from), or from·(to/from)^u on a log scale, to 15 significant
// digits as the run id records them; a whole-number parameter takes each of from … to with equal
// chance (⌊from + u·(to − from + 1)⌋). Rows[k][m] is the value of Params[m] at point k.
func (s *Sample) Rows() ([][]Value, error) {
	d := len(s.Params)
	var u [][]float64
	var err error
	switch s.Method {
	case "random":
		u, err = design.Random(d, s.N, s.Seed)
	case "lhs":
		u, err = design.LatinHypercube(d, s.N, s.Seed)
	case "sobol":
		u, err = design.Sobol(d, s.N)
	case "saltelli":
		u, err = design.Saltelli(d, s.N)
	default:
		err = fmt.Errorf("no design %q", s.Method)
	}
	if err != nil {
		return nil, err
	}
	rows := make([][]Value, len(u))
	for r, pt := range u {
		row := make([]Value, d)
		for k, i := range s.Params {
			prm := Registry[i]
			lo, hi := s.From[k].Num, s.To[k].Num
			var x float64
			switch {
			case prm.Kind == KindInt:
				x = math.Min(math.Floor(lo+pt[k]*(hi-lo+1)), hi)
			case s.Log[k]:
				x = snap15(lo * math.Pow(hi/lo, pt[k]))
			default:
				x = snap15(lo + pt[k]*(hi-lo))
			}
			v, err := prm.check(Value{Num: x}, prm.FormatValue(Value{Num: x}))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", prm.Name, err)
			}
			row[k] = v
		}
		rows[r] = row
	}
	return rows, nil
}

// axis returns the design's distinct points (Rows without the repeats of an earlier point, as
// rounded whole numbers or a Saltelli design's shared coordinates make them) as one axis.
func (s *Sample) axis() (Axis, error) {
	rows, err := s.Rows()
	if err != nil {
		return Axis{}, err
	}
	ax := Axis{Params: s.Params, Values: make([][]Value, len(s.Params)), Key: "sample"}
	seen := map[string]bool{}
	for _, row := range rows {
		var key []byte
		for k, i := range s.Params {
			key = appendCanonical(append(key, ' '), Registry[i], row[k])
		}
		if seen[string(key)] {
			continue
		}
		seen[string(key)] = true
		for k := range row {
			ax.Values[k] = append(ax.Values[k], row[k])
		}
	}
	return ax, nil
}
