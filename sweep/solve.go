package sweep

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/eisweep/eisweep/sim"
)

// Solve is a definition's [solve] table: for every grid cell, find the value of one parameter
// per unit that puts the unit's replicate-mean rate at its set point (rate_exc for E, rate_inh
// for I). The E unit's rate depends only on its own input weights and the I unit's only on its
// own, so each unit is a separate one-dimensional problem.
type Solve struct {
	Replicates int         // replicates averaged at every candidate value
	Bootstrap  int         // bootstrap resamples of the replicates for the 95% interval (0: none)
	Units      []SolveUnit // E first, then I; at least one
}

// SolveUnit is one unit's problem: [solve.e] or [solve.i].
type SolveUnit struct {
	Unit       sim.UnitKind
	Param      *Param  // the parameter adjusted: one of the unit's input weights (SolveParams)
	Index      int     // Param's registry index
	TolSI      float64 // the solved value's bracket is at most this wide (SI)
	MinSI      float64 // search range (SI)
	MaxSI      float64
	Increasing bool // the unit's rate grows with the parameter (an excitatory weight)
	Pathway    int  // index of the weight it scales in Model.J and Model.Mult: 0 EE, 1 IE, 2 EI, 3 II
}

// SolveParams lists, per unit, the parameters a [solve] table may adjust: the unit's own input
// weights, as a multiplier or as a network total J.
var SolveParams = map[sim.UnitKind][]string{
	sim.UnitE: {"weights.mult_ei", "weights.j_ei", "weights.mult_ee", "weights.j_ee"},
	sim.UnitI: {"weights.mult_ii", "weights.j_ii", "weights.mult_ie", "weights.j_ie"},
}

// solvePathway maps a solvable parameter to its pathway (Model.J/Mult index) and whether the
// unit's rate increases with it.
var solvePathway = map[string]struct {
	k   int
	inc bool
}{
	"weights.mult_ee": {0, true}, "weights.j_ee": {0, true},
	"weights.mult_ie": {1, true}, "weights.j_ie": {1, true},
	"weights.mult_ei": {2, false}, "weights.j_ei": {2, false},
	"weights.mult_ii": {3, false}, "weights.j_ii": {3, false},
}

// DefaultSolveBootstrap is the number of bootstrap resamples unless [solve] sets bootstrap.
const DefaultSolveBootstrap = 1000

// DefaultSolveRelTol is the default tolerance of a [solve.e]/[solve.i] problem, relative to the
// parameter's registry default: 0.1% (0.001 of a multiplier, 0.7 pA of J_EI).
const DefaultSolveRelTol = 1e-3

var solveKeys = []string{"replicates", "bootstrap", "e", "i"}
var solveUnitKeys = []string{"param", "tolerance", "min", "max"}

// solve parses the [solve] table; it runs after [params], [grid] and [[zip]].
func (p *parser) solve(v any) {
	m, ok := p.table("solve", v)
	if !ok {
		return
	}
	s := &Solve{Replicates: p.d.Replicates, Bootstrap: DefaultSolveBootstrap}
	for _, k := range sortedMapKeys(m) {
		if !contains(solveKeys, k) {
			key := "solve." + quoteKey(k)
			line := lineOf(p.text, []string{"solve", k})
			if n := Nearest(k, solveKeys); n != "" {
				p.fail(key, line, "unknown key (did you mean %q?)", n)
			} else {
				p.fail(key, line, "unknown key ([solve] has %s)", strings.Join(solveKeys, ", "))
			}
		}
	}
	count := func(k string, lo int64, what string, dst *int) {
		v, ok := m[k]
		if !ok {
			return
		}
		n, isInt := v.(int64)
		if !isInt || n < lo || n > 1e7 {
			p.fail("solve."+k, lineOf(p.text, []string{"solve", k}), "%s is not %s (want a whole number from %d to 10⁷)", describe(v), what, lo)
			return
		}
		*dst = int(n)
	}
	count("replicates", 2, "a count of replicates", &s.Replicates)
	count("bootstrap", 0, "a count of resamples", &s.Bootstrap)
	if s.Replicates < 2 {
		p.fail("solve.replicates", lineOf(p.text, []string{"solve"}), "the solver averages over replicates and needs at least 2 (set replicates in [solve] or at the top)")
	}
	for _, u := range []struct {
		key  string
		unit sim.UnitKind
	}{{"e", sim.UnitE}, {"i", sim.UnitI}} {
		if su, ok := p.solveUnit(u.key, u.unit, m[u.key]); ok {
			s.Units = append(s.Units, su)
		}
	}
	if len(s.Units) == 0 && len(p.errs) == 0 {
		p.fail("solve", lineOf(p.text, []string{"solve"}), `nothing to solve: add [solve.e] and/or [solve.i] with a param, e.g. [solve.e] param = "weights.mult_ei"`)
	}
	p.d.Solve = s
}

func (p *parser) solveUnit(key string, unit sim.UnitKind, v any) (SolveUnit, bool) {
	if v == nil {
		return SolveUnit{}, false
	}
	label := "solve." + key
	line := headerLine(lines(p.text), label, 0)
	if line == 0 {
		line = lineOf(p.text, []string{"solve", key})
	}
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(label, line, `%s is not a table (write [%s] with param = "…" under it)`, describe(v), label)
		return SolveUnit{}, false
	}
	fail := func(k, format string, args ...any) {
		l := line
		if k != "" {
			if kl := lineAfter(p.text, line, label, []string{k}); kl > 0 {
				l = kl
			}
			k = label + "." + k
		} else {
			k = label
		}
		p.fail(k, l, format, args...)
	}
	for _, k := range sortedMapKeys(m) {
		if !contains(solveUnitKeys, k) {
			if n := Nearest(k, solveUnitKeys); n != "" {
				fail(k, "unknown key (did you mean %q?)", n)
			} else {
				fail(k, "unknown key ([%s] has %s)", label, strings.Join(solveUnitKeys, ", "))
			}
		}
	}
	allowed := SolveParams[unit]
	name, isStr := m["param"].(string)
	if !isStr {
		fail("param", "want the parameter to adjust, one of %s (e.g. param = %q)", quoteList(allowed), allowed[0])
		return SolveUnit{}, false
	}
	if !contains(allowed, name) {
		why := "it is not one of the " + unit.String() + " unit's input weights"
		if Lookup(name) == nil {
			why = "unknown parameter"
			if n := Nearest(name, allowed); n != "" {
				why += fmt.Sprintf(" (did you mean %q?)", n)
			}
		}
		fail("param", "%q: %s; the %s unit's rate depends only on its own input weights, so solve one of %s", name, why, unit, quoteList(allowed))
		return SolveUnit{}, false
	}
	prm := Lookup(name)
	idx := index[name]
	for _, a := range p.d.Axes {
		for _, i := range a.Params {
			if i == idx {
				fail("param", "%s is solved for, so it cannot also vary on the grid (%s); set its starting value in [params] instead", name, a.Key)
				return SolveUnit{}, false
			}
		}
	}
	pw := solvePathway[name]
	su := SolveUnit{Unit: unit, Param: prm, Index: idx, Increasing: pw.inc, Pathway: pw.k,
		TolSI: DefaultSolveRelTol * math.Abs(prm.def.Num), MinSI: max(prm.Min, 0), MaxSI: prm.Max}
	bad := false
	quantity := func(k string, dst *float64) {
		v, ok := m[k]
		if !ok {
			return
		}
		var val Value
		var err error
		switch x := v.(type) {
		case string:
			val, err = prm.Parse(x)
		case int64:
			val, err = prm.FromNumber(float64(x))
		case float64:
			val, err = prm.FromNumber(x)
		default:
			err = fmt.Errorf("%s is not a value of %s (write e.g. %s)", describe(v), name, exampleValue(prm))
		}
		if err != nil {
			fail(k, "%v", err)
			bad = true
			return
		}
		*dst = val.Num
	}
	quantity("min", &su.MinSI)
	quantity("max", &su.MaxSI)
	if v, ok := m["tolerance"]; ok {
		// A tolerance is a width, not a value: parse it without the parameter's range.
		var val Value
		var err error
		switch x := v.(type) {
		case string:
			val, err = prm.Parse(x)
			if err != nil && strings.Contains(err.Error(), "outside the valid range") {
				err = nil
				q, _ := ParseQuantity(x)
				val = Value{Num: q.SI}
			}
		case int64, float64:
			f, _ := x.(float64)
			if i, isInt := x.(int64); isInt {
				f = float64(i)
			}
			val, err = prm.FromNumber(f)
		default:
			err = fmt.Errorf("%s is not a tolerance of %s (write e.g. %s)", describe(v), name, exampleValue(prm))
		}
		switch {
		case err != nil:
			fail("tolerance", "%v", err)
			bad = true
		case !(val.Num > 0):
			fail("tolerance", "%s is not positive: the solved value is found to within this width", formatSI(prm, val.Num))
			bad = true
		default:
			su.TolSI = val.Num
		}
	}
	if bad {
		return SolveUnit{}, false
	}
	start := p.d.Base[idx].Num
	switch {
	case !(su.MinSI < su.MaxSI):
		fail("", "min %s is not below max %s", formatSI(prm, su.MinSI), formatSI(prm, su.MaxSI))
		return SolveUnit{}, false
	case start < su.MinSI || start > su.MaxSI:
		fail("", "the search starts from %s = %s, outside [min, max] = [%s, %s]; set the start in [params] or widen the range",
			name, formatSI(prm, start), formatSI(prm, su.MinSI), formatSI(prm, su.MaxSI))
		return SolveUnit{}, false
	case su.TolSI >= su.MaxSI-su.MinSI:
		fail("tolerance", "%s is as wide as the search range [%s, %s]", formatSI(prm, su.TolSI), formatSI(prm, su.MinSI), formatSI(prm, su.MaxSI))
		return SolveUnit{}, false
	}
	return su, true
}

// formatSI writes an SI value of p as a definition would.
func formatSI(p *Param, si float64) string { return p.FormatValue(Value{Num: si}) }

// Canonical returns the [solve] table in a canonical form, for checking that solved results
// in a folder came from the same settings.
func (s *Solve) Canonical() string {
	var b strings.Builder
	fmt.Fprintf(&b, "replicates = %d\nbootstrap = %d\n", s.Replicates, s.Bootstrap)
	for _, u := range s.Units {
		g := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
		fmt.Fprintf(&b, "%s: %s tolerance %s min %s max %s\n", u.Unit, u.Param.Name, g(u.TolSI), g(u.MinSI), g(u.MaxSI))
	}
	return b.String()
}

// SetPointHz returns the unit's set point in model m: rate_exc for E, rate_inh for I.
func SetPointHz(m *Model, u sim.UnitKind) float64 {
	if u == sim.UnitI {
		return m.Input.RateInhHz
	}
	return m.Input.RateExcHz
}

// Weight returns the weight (A) of pathway k (0 EE, 1 IE, 2 EI, 3 II) in m.
func (m *Model) Weight(k int) float64 {
	switch k {
	case 0:
		return m.Sim.W.EEAmp
	case 1:
		return m.Sim.W.IEAmp
	case 2:
		return m.Sim.W.EIAmp
	}
	return m.Sim.W.IIAmp
}

// UnitWeight returns the weight (A) pathway k would have with multiplier 1, so that
// Weight(k)/UnitWeight(k) is the multiplier that gives the weight with the model's J.
func (m *Model) UnitWeight(k int) float64 {
	nExc, nInh := sim.FanIn(m.Net.NUnits, m.Net.PropConnect, m.Net.PropInh)
	n, tau := nExc, m.Sim.Exc.MembraneTauMs()
	if k >= 2 {
		n = nInh
	}
	if k == 1 || k == 3 {
		tau = m.Sim.Inh.MembraneTauMs()
	}
	return sim.JercogWeight(m.J[k], n, tau, 1)
}
