package analysis

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestFindRoot: crossings of known functions are found within Tol/2, including step functions
// with a plateau at the level (midpoint of the plateau), plateaus that reach an end of the
// range, and functions that do not cross inside it.
func TestFindRoot(t *testing.T) {
	cases := []struct {
		name       string
		f          func(float64) float64
		level      float64
		increasing bool
		start      float64
		min, max   float64
		want       float64 // NaN for no crossing
		status     RootStatus
	}{
		{"falling line", func(x float64) float64 { return 10 - 3*x }, 4, false, 1, 0, 100, 2, RootFound},
		{"falling line, start past it", func(x float64) float64 { return 10 - 3*x }, 4, false, 3.7, 0, 100, 2, RootFound},
		{"rising cubic", func(x float64) float64 { return x * x * x }, 8, true, 0.5, 0, 10, 2, RootFound},
		{"exponential decay", func(x float64) float64 { return 20 * math.Exp(-x) }, 5, false, 0.1, 0, 50, math.Log(4), RootFound},
		// floor(100(5−x))/100 is 2.5 on (2.49, 2.5]: the crossing is its midpoint.
		{"steps with a plateau at the level", func(x float64) float64 { return math.Floor(100*(5-x)) / 100 }, 2.5, false, 1, 0, 10, 2.495, RootFound},
		// 0 on [3, 10]: the plateau reaches Max, so U = Max.
		{"plateau reaching Max", func(x float64) float64 { return max(0, 3-x) }, 0, false, 1, 0, 10, 6.5, RootFound},
		{"plateau at Start", func(x float64) float64 { return math.Floor(100*(5-x)) / 100 }, 2.5, false, 2.495, 0, 10, 2.495, RootFound},
		{"short of the level at Max", func(x float64) float64 { return 10 - x }, 2, false, 1, 0, 5, math.NaN(), RootAbove},
		{"past the level at Min", func(x float64) float64 { return 10 - x }, 11, false, 1, 0, 5, math.NaN(), RootBelow},
		{"rising, past the level at Min", func(x float64) float64 { return x }, -1, true, 1, 0, 5, math.NaN(), RootBelow},
	}
	for _, c := range cases {
		for _, tol := range []float64{1e-3, 1e-9} {
			r, err := FindRoot(RootProblem{F: func(x float64) (float64, error) { return c.f(x), nil },
				Level: c.level, Increasing: c.increasing, Start: c.start, Min: c.min, Max: c.max, Tol: tol})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if r.Status != c.status {
				t.Errorf("%s (tol %g): status %v, want %v", c.name, tol, r.Status, c.status)
				continue
			}
			if c.status != RootFound {
				if !math.IsNaN(r.X) {
					t.Errorf("%s: X = %g without a crossing", c.name, r.X)
				}
				continue
			}
			// The plateau's ends are found to Tol, so the midpoint is within Tol/2 (plus rounding).
			if math.Abs(r.X-c.want) > tol/2*(1+1e-9) {
				t.Errorf("%s (tol %g): X = %.12g, want %.12g ± %g", c.name, tol, r.X, c.want, tol/2)
			}
			if !(r.Lo <= c.want && c.want <= r.Hi) {
				t.Errorf("%s (tol %g): bracket [%g, %g] misses %g", c.name, tol, r.Lo, r.Hi, c.want)
			}
			if r.Evaluations != len(r.Trace) || r.Evaluations > 120 {
				t.Errorf("%s (tol %g): %d evaluations", c.name, tol, r.Evaluations)
			}
		}
	}
}

// TestFindRootBeatsBisection: on a smooth function ITP needs fewer evaluations than bisection
// of the same bracket, and never more than bisection plus one.
func TestFindRootBeatsBisection(t *testing.T) {
	f := func(x float64) (float64, error) { return 12 / (1 + math.Exp(4*(x-1.03))), nil } // a sigmoid rate curve
	const tol = 1e-6
	r, err := FindRoot(RootProblem{F: f, Level: 5, Start: 0.975, Min: 0, Max: 100, Tol: tol})
	if err != nil {
		t.Fatal(err)
	}
	// Bracketing evaluations: those before the first point past the level.
	br := 0
	for k, e := range r.Trace {
		if e.F < 5 {
			br = k + 1
			break
		}
	}
	w := math.Abs(r.Trace[br-1].X - r.Trace[max(0, br-2)].X)
	bisection := int(math.Ceil(math.Log2(w / tol)))
	itp := r.Evaluations - br
	t.Logf("bracket %g wide after %d evaluations; ITP %d evaluations, bisection %d", w, br, itp, bisection)
	if itp > bisection+1 || itp >= bisection {
		t.Errorf("ITP took %d evaluations, bisection takes %d", itp, bisection)
	}
	want := 1.03 + math.Log(12.0/5-1)/4
	if math.Abs(r.X-want) > tol/2 {
		t.Errorf("X = %.9g, want %.9g", r.X, want)
	}
}

// TestFindRootErrors: an error of F stops the search and is returned; bad problems are refused;
// MaxEvals bounds the work.
func TestFindRootErrors(t *testing.T) {
	boom := errors.New("numerical failure")
	_, err := FindRoot(RootProblem{F: func(x float64) (float64, error) {
		if x > 2 {
			return 0, boom
		}
		return 10 - x, nil
	}, Level: 5, Start: 1, Min: 0, Max: 10, Tol: 1e-3})
	if !errors.Is(err, boom) {
		t.Errorf("got %v, want the function's error", err)
	}
	if _, err := FindRoot(RootProblem{F: func(float64) (float64, error) { return 0, nil }, Start: 11, Min: 0, Max: 10, Tol: 1}); err == nil {
		t.Error("a start outside the range was accepted")
	}
	if _, err := FindRoot(RootProblem{F: func(float64) (float64, error) { return 0, nil }, Start: 1, Min: 0, Max: 10}); err == nil {
		t.Error("a zero tolerance was accepted")
	}
	_, err = FindRoot(RootProblem{F: func(x float64) (float64, error) { return 10 - x, nil }, Level: 5, Start: 1, Min: 0, Max: 10, Tol: 1e-12, MaxEvals: 5})
	if !errors.Is(err, ErrNoConvergence) {
		t.Errorf("got %v, want ErrNoConvergence", err)
	}
}

// TestGridCrossing: linear interpolation between grid points, plateaus, and no crossing.
func TestGridCrossing(t *testing.T) {
	xs := []float64{0, 1, 2, 3, 4}
	cases := []struct {
		ys    []float64
		level float64
		inc   bool
		want  float64
	}{
		{[]float64{10, 8, 6, 4, 2}, 5, false, 2.5},
		{[]float64{10, 8, 5, 5, 2}, 5, false, 2.5}, // on the level at 2 and 3
		{[]float64{1, 2, 3, 4, 5}, 3.5, true, 2.5}, // rising
		{[]float64{10, 8, 6, 4, 2}, 11, false, math.NaN()},
		{[]float64{10, 8, 6, 4, 2}, 1, false, math.NaN()},
	}
	for _, c := range cases {
		got := GridCrossing(xs, c.ys, c.level, c.inc)
		if !(got == c.want || math.IsNaN(got) && math.IsNaN(c.want)) {
			t.Errorf("GridCrossing(%v, %g) = %g, want %g", c.ys, c.level, got, c.want)
		}
	}
}

// TestBootstrapGridCrossing: replicates are lines a_r − x, whose mean crosses level L at
// mean(a) − L; the bootstrap interval matches the normal one, mean ± 1.96·SD/√n, within 15%.
func TestBootstrapGridCrossing(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, level = 200, 3.0
	a := make([]float64, n)
	for r := range a {
		a[r] = 5 + rng.NormFloat64()
	}
	s := Summarize(a, math.NaN())
	var xs []float64
	var values [][]float64
	for x := 1.0; x <= 3; x += 0.01 {
		xs = append(xs, x)
		row := make([]float64, n)
		for r := range row {
			row[r] = a[r] - x
		}
		values = append(values, row)
	}
	ci, out := BootstrapGridCrossing(xs, values, level, false, 2000, rand.New(rand.NewPCG(3, 4)))
	half := 1.96 * s.SD / math.Sqrt(n)
	center := s.Mean - level
	t.Logf("bootstrap [%.4f, %.4f], normal [%.4f, %.4f], outside %g", ci.Lo, ci.Hi, center-half, center+half, out)
	if out != 0 {
		t.Errorf("%g of resamples outside a grid that covers them", out)
	}
	if math.Abs(ci.Lo-(center-half)) > 0.15*half || math.Abs(ci.Hi-(center+half)) > 0.15*half {
		t.Errorf("bootstrap [%g, %g], want about [%g, %g]", ci.Lo, ci.Hi, center-half, center+half)
	}
}

// TestLeaveOneOut: the O(n) leave-one-out coefficients equal FitBalance on the other points.
func TestLeaveOneOut(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 3, 7, 30} {
		exc, inh := make([]float64, n), make([]float64, n)
		for k := range exc {
			exc[k] = 200 + 100*rng.Float64()
			inh[k] = 1.15*exc[k] - 120 + 3*rng.NormFloat64()
		}
		loo := LeaveOneOut(exc, inh)
		for k := range exc {
			var e, i []float64
			for j := range exc {
				if j != k {
					e, i = append(e, exc[j]), append(i, inh[j])
				}
			}
			f := FitBalance(e, i)
			want := BalanceCoefs{AdditiveBPA: f[1].B, MultiplicativeM: f[2].M, LinearM: f[0].M, LinearBPA: f[0].B}
			if n-1 < 2 {
				want.LinearM, want.LinearBPA = math.NaN(), math.NaN()
			}
			if n-1 < 1 {
				want = BalanceCoefs{math.NaN(), math.NaN(), math.NaN(), math.NaN()}
			}
			got := loo[k]
			for _, p := range [][2]float64{{got.AdditiveBPA, want.AdditiveBPA}, {got.MultiplicativeM, want.MultiplicativeM}, {got.LinearM, want.LinearM}, {got.LinearBPA, want.LinearBPA}} {
				if !(math.Abs(p[0]-p[1]) <= 1e-9*math.Max(1, math.Abs(p[1])) || math.IsNaN(p[0]) && math.IsNaN(p[1])) {
					t.Fatalf("n %d, point %d: leave-one-out %+v, FitBalance without it %+v", n, k, got, want)
				}
			}
		}
	}
}
