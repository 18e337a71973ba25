package sweep

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// FuzzParse: the definition parser never panics, and whatever it accepts canonicalises to a text
// that parses back to the same grid: same name, seed, replicates, outputs, base point and axes,
// bit for bit, hence the same run ids.
func FuzzParse(f *testing.F) {
	for _, glob := range []string{"../sweeps/*.toml", "testdata/bad/*.toml"} {
		files, _ := filepath.Glob(glob)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(string(b))
			}
		}
	}
	f.Add("name = \"f\"\n[grid]\n\"input.rate_exc\" = { from = \"1 Hz\", to = \"9 Hz\", steps = 3, scale = \"log\" }\n[[zip]]\n\"exc.e_leak\" = [\"7 mV\", \"8 mV\"]\n\"inh.c_m\" = [\"90 pF\", \"110 pF\"]\n[outputs]\ntraces = true\n")
	opt := Options{MaxRuns: 100_000}
	f.Fuzz(func(t *testing.T, text string) {
		d, err := ParseWith("f.toml", text, opt)
		if err != nil {
			return
		}
		c := d.Canonical()
		d2, err := ParseWith("c.toml", c, opt)
		if err != nil {
			t.Fatalf("canonical form does not parse: %v\n%s", err, c)
		}
		if d2.Name != d.Name || d2.Seed != d.Seed || d2.Replicates != d.Replicates || d2.Outputs != d.Outputs || d2.Cells() != d.Cells() {
			t.Fatalf("canonical form changed the header or size\n%s", c)
		}
		for i := range d.Base {
			if !sameBits(d.Base[i], d2.Base[i]) {
				t.Fatalf("base %s: %v → %v", Registry[i].Name, d.Base[i], d2.Base[i])
			}
		}
		if len(d.Axes) != len(d2.Axes) {
			t.Fatalf("%d axes → %d", len(d.Axes), len(d2.Axes))
		}
		for a := range d.Axes {
			x, y := d.Axes[a], d2.Axes[a]
			if len(x.Params) != len(y.Params) || x.Len() != y.Len() {
				t.Fatalf("axis %d changed shape", a)
			}
			for k := range x.Params {
				if x.Params[k] != y.Params[k] {
					t.Fatalf("axis %d parameter %d changed", a, k)
				}
				for j := range x.Values[k] {
					if !sameBits(x.Values[k][j], y.Values[k][j]) {
						t.Fatalf("axis %d value %d: %v → %v", a, j, x.Values[k][j], y.Values[k][j])
					}
				}
			}
		}
		for _, i := range []int64{0, d.Runs() / 2, d.Runs() - 1} {
			cell, rep := d.Run(i)
			if d.Point(cell, nil).RunID(rep) != d2.Point(cell, nil).RunID(rep) {
				t.Fatalf("run %d changed identity", i)
			}
		}
	})
}

func sameBits(a, b Value) bool {
	return a.Str == b.Str && math.Float64bits(a.Num) == math.Float64bits(b.Num)
}

// FuzzParseQuantity: the unit parser never panics, and every quantity it accepts, written in SI
// base units with every digit, parses back to the same value and dimension.
func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"5 Hz", "0.1 ms", "3 nA*ms", "200 pF", "10 nS", "7.6 mV", "0.5 Hz/pA", "1e-3 s^-1", "4 µs", "-2 mV/ms", "1 Ω", "2.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuantity(s)
		if err != nil {
			return
		}
		if math.IsNaN(q.SI) || math.IsInf(q.SI, 0) {
			return
		}
		u, ok := baseUnit[q.Dim]
		if !ok {
			if q.Dim != Dimensionless {
				return // a dimension no parameter has (e.g. s^3); nothing to write it in
			}
			u = ""
		}
		text := strconv.FormatFloat(q.SI, 'g', -1, 64) + " " + u
		q2, err := ParseQuantity(text)
		if err != nil {
			t.Fatalf("%q → %q does not parse: %v", s, text, err)
		}
		if q2.Dim != q.Dim || math.Float64bits(q2.SI) != math.Float64bits(q.SI) {
			t.Fatalf("%q → %q → %v %v, want %v %v", s, text, q2.SI, q2.Dim, q.SI, q.Dim)
		}
	})
}
