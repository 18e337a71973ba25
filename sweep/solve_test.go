package sweep

import (
	"strings"
	"testing"

	"github.com/eisweep/eisweep/sim"
)

// TestParseSolve: [solve] in table and inline forms, defaults, units and the pathway each
// parameter scales.
func TestParseSolve(t *testing.T) {
	d, err := Parse("x.toml", `
name = "s"
replicates = 40
[params]
"weights.j_ii" = "1.1 nA"
[grid]
"input.rate_exc" = ["4 Hz", "5 Hz"]
[solve]
bootstrap = 500
[solve.e]
param = "weights.mult_ei"
tolerance = 0.002
max = 3
[solve.i]
param = "weights.j_ii"
tolerance = "5 pA"
`)
	if err != nil {
		t.Fatal(err)
	}
	s := d.Solve
	if s == nil || s.Replicates != 40 || s.Bootstrap != 500 || len(s.Units) != 2 {
		t.Fatalf("solve = %+v", s)
	}
	e, i := s.Units[0], s.Units[1]
	if e.Unit != sim.UnitE || e.Param.Name != "weights.mult_ei" || e.TolSI != 0.002 || e.MinSI != 0 || e.MaxSI != 3 || e.Increasing || e.Pathway != 2 {
		t.Errorf("E problem %+v", e)
	}
	if i.Unit != sim.UnitI || i.Param.Name != "weights.j_ii" || i.TolSI != 5e-12 || i.MinSI != 0 || i.MaxSI != Lookup("weights.j_ii").Max || i.Pathway != 3 {
		t.Errorf("I problem %+v", i)
	}
	d, err = Parse("x.toml", "name = \"s\"\nreplicates = 10\n[solve]\nreplicates = 20\ne = { param = \"weights.mult_ee\" }\n")
	if err != nil {
		t.Fatal(err)
	}
	u := d.Solve.Units[0]
	if d.Solve.Replicates != 20 || d.Solve.Bootstrap != DefaultSolveBootstrap || !u.Increasing || u.Pathway != 0 || u.TolSI != DefaultSolveRelTol*1.0249649370098968 {
		t.Errorf("inline form, defaults: %+v %+v", d.Solve, u)
	}
	if d, err := Parse("x.toml", "name = \"s\"\n"); err != nil || d.Solve != nil {
		t.Errorf("no [solve]: %v %v", d.Solve, err)
	}
	// The model helpers: weight and multiplier-1 weight of each pathway.
	m, _ := Defaults().Model()
	for k, want := range []float64{143.49509118e-12, 123.92226015e-12, 136.50692497e-12, 101.08023944e-12} {
		if w := m.Weight(k); abs(w-want) > 1e-19 || abs(w/m.UnitWeight(k)-m.Mult[k]) > 1e-15 {
			t.Errorf("pathway %d: weight %g, multiplier %g", k, w, w/m.UnitWeight(k))
		}
	}
}

func abs(x float64) float64 { return max(x, -x) }

// TestParseSolveErrors: every mistake in [solve] is an error naming the key, its line and the fix.
func TestParseSolveErrors(t *testing.T) {
	cases := []struct {
		reason, text string
		want         []string
	}{
		{"unknown key, suggested", "name = \"x\"\nreplicates = 5\n[solve]\nbootstrp = 10\ne = { param = \"weights.mult_ei\" }\n", []string{"x.toml:4:", "solve.bootstrp", `did you mean "bootstrap"`}},
		{"nothing to solve", "name = \"x\"\nreplicates = 5\n[solve]\nbootstrap = 10\n", []string{"nothing to solve", "[solve.e]"}},
		{"another unit's weight", "name = \"x\"\nreplicates = 5\n[solve.e]\nparam = \"weights.mult_ii\"\n", []string{"x.toml:4:", "solve.e.param", "not one of the E unit's input weights", `"weights.mult_ei"`}},
		{"misspelt parameter", "name = \"x\"\nreplicates = 5\n[solve.i]\nparam = \"weights.mult_iii\"\n", []string{"unknown parameter", `did you mean "weights.mult_ii"`}},
		{"missing param", "name = \"x\"\nreplicates = 5\n[solve.i]\ntolerance = 0.01\n", []string{"solve.i.param", "want the parameter to adjust"}},
		{"solved parameter on the grid", "name = \"x\"\nreplicates = 5\n[grid]\n\"weights.mult_ei\" = [0.9, 1]\n[solve.e]\nparam = \"weights.mult_ei\"\n", []string{"cannot also vary on the grid", "[params]"}},
		{"tolerance without a unit", "name = \"x\"\nreplicates = 5\n[solve.e]\nparam = \"weights.j_ei\"\ntolerance = 0.1\n", []string{"x.toml:5:", "solve.e.tolerance", "has no unit"}},
		{"negative tolerance", "name = \"x\"\nreplicates = 5\n[solve.e]\nparam = \"weights.mult_ei\"\ntolerance = -0.1\n", []string{"solve.e.tolerance"}},
		{"start outside the range", "name = \"x\"\nreplicates = 5\n[solve.e]\nparam = \"weights.mult_ei\"\nmin = 1.5\n", []string{"starts from weights.mult_ei = 0.975", "outside [min, max]"}},
		{"min above max", "name = \"x\"\nreplicates = 5\n[solve.e]\nparam = \"weights.mult_ei\"\nmin = 2\nmax = 1\n", []string{"min 2 is not below max 1"}},
		{"one replicate", "name = \"x\"\n[solve.e]\nparam = \"weights.mult_ei\"\n", []string{"at least 2"}},
		{"unknown key in a unit", "name = \"x\"\nreplicates = 5\n[solve.e]\nparam = \"weights.mult_ei\"\ntol = 0.1\n", []string{"x.toml:5:", "solve.e.tol", `did you mean "tolerance"`}},
	}
	for _, c := range cases {
		_, err := Parse("x.toml", c.text)
		if err == nil {
			t.Errorf("%s: accepted", c.reason)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", c.reason, err, w)
			}
		}
	}
}
