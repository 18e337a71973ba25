package sweep

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Dim is a physical dimension as exponents of second, ampere and volt, the basis in which every
// quantity of the model has integer exponents (farad = A·s/V, siemens = A/V, hertz = 1/s).
type Dim struct{ S, A, V int8 }

// Dimensions of the model's quantities.
var (
	Dimensionless = Dim{}
	Time          = Dim{S: 1}
	Rate          = Dim{S: -1}
	Current       = Dim{A: 1}
	Voltage       = Dim{V: 1}
	Capacitance   = Dim{S: 1, A: 1, V: -1}
	Conductance   = Dim{A: 1, V: -1}
	Charge        = Dim{S: 1, A: 1}
	Resistance    = Dim{A: -1, V: 1}
)

func (d Dim) mul(e Dim, sign int8) Dim {
	return Dim{d.S + sign*e.S, d.A + sign*e.A, d.V + sign*e.V}
}

// Name returns a readable name for d ("time", "current", or base units like "s^2·A").
func (d Dim) Name() string {
	for _, n := range []struct {
		d    Dim
		name string
	}{{Dimensionless, "dimensionless"}, {Time, "time"}, {Rate, "rate"}, {Current, "current"}, {Voltage, "voltage"},
		{Capacitance, "capacitance"}, {Conductance, "conductance"}, {Charge, "charge"}, {Resistance, "resistance"}} {
		if n.d == d {
			return n.name
		}
	}
	var parts []string
	for _, b := range []struct {
		sym string
		e   int8
	}{{"s", d.S}, {"A", d.A}, {"V", d.V}} {
		switch {
		case b.e == 1:
			parts = append(parts, b.sym)
		case b.e != 0:
			parts = append(parts, fmt.Sprintf("%s^%d", b.sym, b.e))
		}
	}
	return strings.Join(parts, "·")
}

// units are the unit symbols a quantity may use, with their dimension.
var units = map[string]Dim{
	"s": Time, "Hz": Rate, "A": Current, "V": Voltage, "F": Capacitance, "S": Conductance,
	"C": Charge, "ohm": Resistance, "Ω": Resistance,
}

// prefixes are the SI prefixes, with the scale Brian2 uses (10.0**k, equal to these literals).
var prefixes = map[rune]float64{
	'p': 1e-12, 'n': 1e-9, 'u': 1e-6, 'µ': 1e-6, 'μ': 1e-6, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9,
}

// Quantity is a value in SI units with its dimension.
type Quantity struct {
	SI  float64
	Dim Dim
}

// ParseQuantity parses a number followed by a unit expression: "5 Hz", "0.1 ms", "3 nA*ms",
// "200 pF", "10 nS", "0.5 Hz/pA", "2 mV/ms", "1e-3 s^-1". Units are products (*, ·, or a space)
// and quotients (/) of the symbols s, Hz, A, V, F, S, C, ohm (Ω), each with an optional SI prefix
// (p n u µ m k M G) and integer power (^). A bare number is dimensionless.
//
// The value is computed as Brian2 computes number*unit*unit…: left to right, multiplying or
// dividing by each unit's scale.
func ParseQuantity(s string) (Quantity, error) {
	text := strings.TrimSpace(s)
	i := numberEnd(text)
	if i == 0 {
		return Quantity{}, fmt.Errorf("%q does not start with a number", s)
	}
	v, err := strconv.ParseFloat(text[:i], 64)
	if err != nil {
		return Quantity{}, fmt.Errorf("%q: bad number %q", s, text[:i])
	}
	q := Quantity{SI: v}
	rest := strings.TrimSpace(text[i:])
	for rest != "" {
		// A unit follows "*", "·", a space (multiply) or "/" (divide).
		sign := int8(1)
		switch {
		case rest[0] == '*':
			rest = strings.TrimSpace(rest[1:])
		case strings.HasPrefix(rest, "·"):
			rest = strings.TrimSpace(rest[len("·"):])
		case rest[0] == '/':
			rest, sign = strings.TrimSpace(rest[1:]), -1
		}
		j := strings.IndexFunc(rest, func(r rune) bool { return r == '*' || r == '/' || r == '·' || unicode.IsSpace(r) })
		if j < 0 {
			j = len(rest)
		}
		term := rest[:j]
		rest = strings.TrimSpace(rest[j:])
		if term == "" {
			return Quantity{}, fmt.Errorf("%q: missing unit after an operator", s)
		}
		scale, dim, err := parseUnitTerm(term)
		if err != nil {
			return Quantity{}, fmt.Errorf("%q: %w", s, err)
		}
		if sign > 0 {
			q.SI *= scale
		} else {
			q.SI /= scale
		}
		q.Dim = q.Dim.mul(dim, sign)
	}
	return q, nil
}

// numberEnd returns the length of the leading number of s (sign, digits, point, exponent).
func numberEnd(s string) int {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		if s[i] != '.' {
			digits++
		}
		i++
	}
	if digits == 0 {
		return 0
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k > j {
			i = k
		}
	}
	return i
}

// parseUnitTerm parses one unit with optional prefix and power, e.g. "ms", "nA", "s^-1".
// It returns the scale to apply (scale^power, computed by repeated multiplication) and the dimension.
func parseUnitTerm(term string) (scale float64, dim Dim, err error) {
	power := 1
	if k := strings.IndexByte(term, '^'); k >= 0 {
		p, err := strconv.Atoi(term[k+1:])
		if err != nil || p == 0 || p > 4 || p < -4 {
			return 0, Dim{}, fmt.Errorf("bad power in %q (want an integer from -4 to 4, not 0)", term)
		}
		power, term = p, term[:k]
	}
	base, d, ok := 1.0, Dim{}, false
	if d, ok = units[term]; !ok {
		r, w := utf8.DecodeRuneInString(term)
		p, okp := prefixes[r]
		d, ok = units[term[w:]]
		if !okp || !ok {
			return 0, Dim{}, fmt.Errorf("unknown unit %q (units are s, Hz, A, V, F, S, C, ohm, with prefixes p n u µ m k M G)", term)
		}
		base = p
	}
	scale = 1.0
	n := power
	if n < 0 {
		n = -n
	}
	for range n {
		scale *= base
	}
	if power < 0 {
		scale = 1 / scale
	}
	for range n {
		if power > 0 {
			dim = dim.mul(d, 1)
		} else {
			dim = dim.mul(d, -1)
		}
	}
	return scale, dim, nil
}
