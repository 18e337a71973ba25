package sweep

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

const sampleDef = `name = "s"
seed = 2
[grid]
"weights.mult_ii" = [0.9, 1.1]
[sample]
method = "%s"
n = %d
[sample.params]
"weights.mult_ei" = { from = 0.8, to = 1.2 }
"input.rate_exc" = { from = "3 Hz", to = "8 Hz", scale = "log" }
"input.n_exc" = { from = 398, to = 402 }
`

func parseSample(t *testing.T, method string, n int) *Definition {
	t.Helper()
	d, err := Parse("s.toml", strings.NewReplacer("%s", method, "%d", strconv.Itoa(n)).Replace(sampleDef))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sampleAxis returns d's sample axis, nil if none.
func sampleAxis(d *Definition) *Axis {
	for k := range d.Axes {
		if d.Axes[k].Key == "sample" {
			return &d.Axes[k]
		}
	}
	return nil
}

// TestSample: each design's points lie in their ranges (whole numbers for a count, the log
// range's values in it), the grid multiplies them, and a definition gives the same points twice.
func TestSample(t *testing.T) {
	for _, method := range []string{"random", "lhs", "sobol", "saltelli"} {
		d := parseSample(t, method, 64)
		s := d.Sample
		if s == nil || s.Method != method || s.N != 64 {
			t.Fatalf("%s: sample %+v", method, s)
		}
		ax := sampleAxis(d)
		most := 64
		if method == "saltelli" {
			most = 64 * (3 + 2)
		}
		if ax == nil || ax.Len() < 5 || ax.Len() > most {
			t.Fatalf("%s: no sample axis of 5 … %d points", method, most)
		}
		if d.Cells() != 2*int64(ax.Len()) {
			t.Errorf("%s: %d cells, want 2 × %d", method, d.Cells(), ax.Len())
		}
		for k, i := range ax.Params {
			lo, hi := s.From[k].Num, s.To[k].Num
			for _, v := range ax.Values[k] {
				if v.Num < lo || v.Num > hi {
					t.Errorf("%s: %s = %g outside [%g, %g]", method, Registry[i].Name, v.Num, lo, hi)
				}
				if Registry[i].Kind == KindInt && v.Num != math.Round(v.Num) {
					t.Errorf("%s: %s = %g is not whole", method, Registry[i].Name, v.Num)
				}
			}
		}
		again := parseSample(t, method, 64)
		for k := range ax.Values {
			for j := range ax.Values[k] {
				if again.Axes[len(again.Axes)-1].Values[k][j] != ax.Values[k][j] {
					t.Fatalf("%s: two parses give other points", method)
				}
			}
		}
	}
}

// TestSampleCountsDeduplicated: a sample of one whole-number parameter has at most its range's
// values, each once, and every one of them for enough points.
func TestSampleCountsDeduplicated(t *testing.T) {
	d, err := Parse("s.toml", "name = \"s\"\n[sample]\nmethod = \"random\"\nn = 200\n[sample.params]\n\"input.n_exc\" = { from = 398, to = 402 }\n")
	if err != nil {
		t.Fatal(err)
	}
	if n := sampleAxis(d).Len(); n != 5 || d.Cells() != 5 {
		t.Errorf("%d points, %d cells; want the 5 values 398 … 402", n, d.Cells())
	}
}

// TestSampleExtends: a Sobol or random design grows to more points over the folder's runs (its
// points are a prefix); a Latin hypercube of another n, another method or seed, or fewer points
// are refused with the reason.
func TestSampleExtends(t *testing.T) {
	for _, method := range []string{"random", "sobol", "saltelli"} {
		if err := parseSample(t, method, 64).Extends(parseSample(t, method, 32)); err != nil {
			t.Errorf("%s 32 → 64: %v", method, err)
		}
		if err := parseSample(t, method, 16).Extends(parseSample(t, method, 32)); err == nil || !strings.Contains(err.Error(), "went down") {
			t.Errorf("%s 32 → 16: %v", method, err)
		}
	}
	if err := parseSample(t, "lhs", 64).Extends(parseSample(t, "lhs", 32)); err == nil || !strings.Contains(err.Error(), "Latin hypercube") {
		t.Errorf("lhs 32 → 64: %v", err)
	}
	if err := parseSample(t, "lhs", 32).Extends(parseSample(t, "lhs", 32)); err != nil {
		t.Errorf("lhs unchanged: %v", err)
	}
	withSeed := func(method string, seed string) *Definition {
		d, err := Parse("s.toml", strings.Replace(strings.NewReplacer("%s", method, "%d", "32").Replace(sampleDef), "n = 32\n", "n = 32\nseed = "+seed+"\n", 1))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, method := range []string{"sobol", "saltelli"} { // their points do not depend on a seed
		if err := withSeed(method, "5").Extends(withSeed(method, "4")); err != nil {
			t.Errorf("%s, another sample seed: %v", method, err)
		}
	}
	if err := withSeed("random", "5").Extends(withSeed("random", "4")); err == nil || !strings.Contains(err.Error(), "seed") {
		t.Errorf("random, another sample seed: %v", err)
	}
	if err := parseSample(t, "sobol", 32).Extends(parseSample(t, "random", 32)); err == nil || !strings.Contains(err.Error(), "method") {
		t.Errorf("random → sobol: %v", err)
	}
}

// TestSampleErrors: what [sample] refuses, each naming the key and the fix.
func TestSampleErrors(t *testing.T) {
	head := "name = \"s\"\n[sample]\n"
	for _, c := range []struct{ text, want string }{
		{"n = 8\n[sample.params]\n\"weights.mult_ei\" = { from = 0.8, to = 1.2 }\n", "no method"},
		{"method = \"sobel\"\nn = 8\n[sample.params]\n\"weights.mult_ei\" = { from = 0.8, to = 1.2 }\n", `did you mean "sobol"`},
		{"method = \"sobol\"\n[sample.params]\n\"weights.mult_ei\" = { from = 0.8, to = 1.2 }\n", "no n"},
		{"method = \"sobol\"\nn = 8\n", "no parameters to sample"},
		{"method = \"sobol\"\nn = 8\n[sample.params]\n\"weights.mult_ei\" = { from = 1.2, to = 0.8 }\n", "is not below"},
		{"method = \"sobol\"\nn = 8\n[sample.params]\n\"weights.mult_ei\" = { from = 0, to = 1, scale = \"log\" }\n", "same sign"},
		{"method = \"sobol\"\nn = 8\n[sample.params]\n\"input.mode\" = { from = 0, to = 1 }\n", "takes words"},
		{"method = \"sobol\"\nn = 8\n[sample.params]\n\"weights.mult_ei\" = 1.0\n", "is not a range"},
		{"method = \"sobol\"\nn = 8\nsteps = 3\n[sample.params]\n\"weights.mult_ei\" = { from = 0.8, to = 1.2 }\n", "unknown key"},
		{"method = \"sobol\"\nn = 8\n[sample.params]\n\"weights.mult_ei\" = { from = 0.8, to = 1.2 }\n[grid]\n\"weights.mult_ei\" = [1, 2]\n", "set in one place only"},
	} {
		_, err := Parse("s.toml", head+c.text)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.text, err, c.want)
		}
	}
}

// TestSampleWarnsOncePerParameter: a sampled refractory period, whose values are almost never
// whole µs, gives one warning that counts them, not one per value.
func TestSampleWarnsOncePerParameter(t *testing.T) {
	d, err := Parse("s.toml", "name = \"s\"\n[sample]\nmethod = \"sobol\"\nn = 64\n[sample.params]\n\"exc.refractory\" = { from = \"2.25 ms\", to = \"2.75 ms\" }\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], "exc.refractory: ") || !strings.Contains(d.Warnings[0], "of the sample's 64 values are not whole µs") {
		t.Errorf("warnings %q, want one line for exc.refractory counting its values", d.Warnings)
	}
}
