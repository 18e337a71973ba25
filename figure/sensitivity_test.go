package figure

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// sampledSweep runs a sample of the given method over the E unit's input rate and the I unit's
// leak, and returns its folder.
func sampledSweep(t *testing.T, method string, n int, extra string) string {
	t.Helper()
	return runDefinition(t, `name = "sampled"
[params]
"sim.duration" = "2 s"
"fi.n_currents" = 301
"fi.duration" = "0.3 s"
[sample]
method = "`+method+`"
n = `+strconv.Itoa(n)+`
[sample.params]
"input.rate_exc" = { from = "4 Hz", to = "6 Hz" }
"inh.g_leak" = { from = "9 nS", to = "11 nS" }
`+extra)
}

// TestSensitivityFigures: a Saltelli sample's folder gets one figure of Sobol indices per output,
// a parameter per row with the most important at the top (input.rate_exc for the E rate), each
// estimate inside its interval, and it renders; a Latin hypercube's figures show rank
// correlations instead; a sample beside a grid axis gets none.
func TestSensitivityFigures(t *testing.T) {
	for _, c := range []struct {
		method, label string
		n             int
	}{{"saltelli", "total effect st", 32}, {"lhs", "partial rank correlation prcc", 64}} {
		dir := sampledSweep(t, c.method, c.n, "")
		figs, err := Build(dir, Options{Bootstrap: 100})
		if err != nil {
			t.Fatal(err)
		}
		var f *Figure
		n := 0
		for _, g := range figs {
			if strings.HasPrefix(g.File, "sensitivity-") {
				n++
				if g.File == "sensitivity-rate-e-hz" {
					f = g
				}
			}
		}
		if f == nil || n < 20 {
			t.Fatalf("%s: %d sensitivity figures, none of rate_e_hz", c.method, n)
		}
		if !slices.Equal(f.YCategories, []string{"inh.g_leak", "input.rate_exc"}) {
			t.Errorf("%s: rows %v, want input.rate_exc (the E rate's driver) at the top", c.method, f.YCategories)
		}
		if !strings.HasPrefix(f.Series[0].Label, c.label) {
			t.Errorf("%s: first series %q, want %q", c.method, f.Series[0].Label, c.label)
		}
		for _, s := range f.Series[:2] {
			for k := range s.X {
				if !(s.Lo[k] <= s.X[k] && s.X[k] <= s.Hi[k]) {
					t.Errorf("%s: %s: row %d: %v not in [%v, %v]", c.method, s.Label, k, s.X[k], s.Lo[k], s.Hi[k])
				}
			}
		}
		if top := f.Series[0].X[0]; top < 0.8 { // X[0]: the first row's, at the top
			t.Errorf("%s: %s of input.rate_exc %v, want most of the E rate's variance", c.method, c.label, top)
		}
		for _, ext := range []string{".png", ".svg"} {
			if err := Render(f, filepath.Join(t.TempDir(), f.File+ext)); err != nil {
				t.Error(err)
			}
		}
	}
	dir := sampledSweep(t, "lhs", 16, "[grid]\n\"weights.mult_ii\" = [0.9, 1.1]\n")
	figs, err := Build(dir, Options{Bootstrap: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range figs {
		if strings.HasPrefix(g.File, "sensitivity-") {
			t.Errorf("a sample beside a grid axis got %s", g.File)
			break
		}
	}
}
