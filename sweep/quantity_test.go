package sweep

import (
	"strings"
	"testing"
)

// Unit scales as variables, so that expected values are computed at run time in float64, left
// to right, as Brian2 computes 3*nA*ms (Go would fold constant expressions exactly).
var (
	pA, nA, pF, nS, pC = 1e-12, 1e-9, 1e-12, 1e-9, 1e-12
	mV, ms, us, ns     = 1e-3, 1e-3, 1e-6, 1e-9
	kHz                = 1e3
)

func TestParseQuantity(t *testing.T) {
	cases := []struct {
		in     string
		si     float64
		dim    Dim
		reason string
	}{
		{"5 Hz", 5, Rate, "plain unit"},
		{"0.005 kHz", 0.005 * kHz, Rate, "prefix"},
		{"0.1 ms", 0.1 * ms, Time, "Brian2's 0.1*ms"},
		{"7.6 mV", 7.6 * mV, Voltage, "Brian2's 7.6*mV"},
		{"3 nA*ms", 3 * nA * ms, Charge, "product, left to right as Brian2's 3*nA*ms"},
		{"3 nA·ms", 3 * nA * ms, Charge, "middle dot"},
		{"3 nA ms", 3 * nA * ms, Charge, "space multiplies"},
		{"3 pC", 3 * pC, Charge, "charge"},
		{"200 pF", 200 * pF, Capacitance, "capacitance"},
		{"10 nS", 10 * nS, Conductance, "siemens, not seconds"},
		{"10 ns", 10 * ns, Time, "nanoseconds, not siemens"},
		{"0.5 Hz/pA", 0.5 / pA, Dim{S: -1, A: -1}, "quotient"},
		{"2 mV/ms", 2 * mV / ms, Dim{S: -1, V: 1}, "quotient"},
		{"1e-3 s", 1e-3, Time, "exponent"},
		{"-70 mV", -70 * mV, Voltage, "negative"},
		{"1 s^-1", 1, Rate, "negative power"},
		{"4 µs", 4 * us, Time, "micro sign"},
		{"4 us", 4 * us, Time, "u for micro"},
		{"2.5", 2.5, Dimensionless, "bare number"},
		{" 300 pA ", 300 * pA, Current, "surrounding space"},
		{"1 Ω", 1, Resistance, "ohm"},
	}
	for _, c := range cases {
		q, err := ParseQuantity(c.in)
		if err != nil {
			t.Errorf("%s: ParseQuantity(%q): %v", c.reason, c.in, err)
			continue
		}
		if q.SI != c.si || q.Dim != c.dim {
			t.Errorf("%s: ParseQuantity(%q) = %v %s, want %v %s", c.reason, c.in, q.SI, q.Dim.Name(), c.si, c.dim.Name())
		}
	}
}

func TestParseQuantityErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Hz", "does not start with a number"},
		{"5 Hzz", "unknown unit"},
		{"5 Hz/", "missing unit"},
		{"5 xV", "unknown unit"},
		{"5 s^0", "bad power"},
		{"", "does not start with a number"},
	} {
		_, err := ParseQuantity(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseQuantity(%q): err = %v, want %q", c.in, err, c.want)
		}
	}
}
