package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b, tol float64) bool {
	return a == b || math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

// TestUnitBalance: hand-computed cases of docs/MODEL.md §6.
func TestUnitBalance(t *testing.T) {
	cases := []struct {
		reason                      string
		qExc, qInh, dur, slope      float64
		theta, gain, rate, setPoint float64
		nInh                        int
		rateInh                     float64
		exc, inh, bAdd, m, bLin, w  float64
		tgI, tgW, err               float64
	}{
		{"seed-like E unit: Ē 287, Ī 191.4 pA",
			287, 191.4, 1, 5.0 / 14, 124.1, 0.34659091, 6, 5, 100, 14,
			287, 191.4, 191.4 - 287, 191.4 / 287, 191.4 - 287*5.0/14, 191.4 / 1.4,
			287 - 124.1 - 5/0.34659091, (287 - 124.1 - 5/0.34659091) / 1.4, 1},
		{"charges over 2 s halve the currents",
			574, 382.8, 2, 0.5, 100, 1, 3, 4, 50, 20,
			287, 191.4, -95.6, 191.4 / 287, 191.4 - 143.5, 191.4 / 1.0,
			287 - 100 - 4, 183 / 1.0, -1},
		{"no excitation: m undefined",
			0, 10, 1, 0.5, 100, 1, 0, 5, 10, 10,
			0, 10, 10, math.NaN(), 10, 100, -105, -1050, -5},
		{"no f-I threshold: no prediction",
			100, 50, 1, 0.5, math.NaN(), math.NaN(), 0, 5, 10, 10,
			100, 50, -50, 0.5, 0, 500, math.NaN(), math.NaN(), -5},
	}
	for _, c := range cases {
		b := UnitBalance(c.qExc, c.qInh, c.dur, c.slope, c.theta, c.gain, c.rate, c.setPoint, c.nInh, c.rateInh)
		got := []float64{b.ExcPA, b.InhPA, b.AdditiveBPA, b.MultiplicativeM, b.LinearBPA, b.AdditiveWPA, b.ThresholdGainIPA, b.ThresholdGainWPA, b.SetPointErrorHz}
		want := []float64{c.exc, c.inh, c.bAdd, c.m, c.bLin, c.w, c.tgI, c.tgW, c.err}
		for k := range got {
			if !near(got[k], want[k], 1e-12) {
				t.Errorf("%s: field %d = %v, want %v (%+v)", c.reason, k, got[k], want[k], b)
			}
		}
		if !math.IsNaN(b.MultiplicativeM) && (!near(b.MultiplicativeWPA, b.AdditiveWPA, 1e-12) || !near(b.LinearWPA, b.AdditiveWPA, 1e-12)) {
			t.Errorf("%s: the three proposed weights differ: %v %v %v", c.reason, b.AdditiveWPA, b.MultiplicativeWPA, b.LinearWPA)
		}
	}
	// The seed's run: the three models propose 136.70879393 pA.
	q := 136.70879393 * 100 * 14 * 1e-3
	b := UnitBalance(286.99, q, 1, 5.0/14, 124.1, 0.34659091, 8, 5, 100, 14)
	for _, w := range []float64{b.AdditiveWPA, b.MultiplicativeWPA, b.LinearWPA} {
		if got := fmt.Sprintf("%.8f", w); got != "136.70879393" {
			t.Errorf("proposed weight %s pA, the seed prints 136.70879393", got)
		}
	}
}

func TestSummarize(t *testing.T) {
	s := Summarize([]float64{1, 2, 3, 4, math.NaN()}, 3)
	sd := math.Sqrt(5.0 / 3)
	t3 := 3.182446305284263 // t(0.975, 3)
	if s.N != 4 || s.Mean != 2.5 || !near(s.SD, sd, 1e-12) || !near(s.SEM, sd/2, 1e-12) ||
		!near(s.CI95Lo, 2.5-t3*sd/2, 1e-9) || !near(s.CI95Hi, 2.5+t3*sd/2, 1e-9) || s.FracWithin10Pct != 0.25 {
		t.Errorf("Summarize = %+v", s)
	}
	if one := Summarize([]float64{7}, math.NaN()); one.Mean != 7 || !math.IsNaN(one.SD) || !math.IsNaN(one.CI95Lo) || !math.IsNaN(one.FracWithin10Pct) {
		t.Errorf("one value: %+v", one)
	}
}

func cellsOf(xs []float64, rates [][]float64) []Cell {
	cs := make([]Cell, len(xs))
	for k, x := range xs {
		n := len(rates[k])
		e, i := make([]float64, n), make([]float64, n)
		for j := range n {
			e[j], i[j] = 100+x, 10*x // currents linear in x
		}
		cs[k] = Cell{X: x, Rate: rates[k], Exc: e, Inh: i}
	}
	return cs
}

func TestFindCrossing(t *testing.T) {
	cases := []struct {
		reason  string
		xs      []float64
		rates   [][]float64
		target  float64
		status  CrossStatus
		x       float64
		changes int
	}{
		{"halfway between 6 and 2 Hz", []float64{0, 1, 2, 3}, [][]float64{{10}, {5, 7}, {2}, {1}}, 4, Crossed, 1.5, 1},
		{"exactly at a cell", []float64{0, 1, 2}, [][]float64{{8}, {4}, {1}}, 4, Crossed, 1, 1},
		{"exactly at the last cell", []float64{0, 1}, [][]float64{{8}, {4}}, 4, Crossed, 1, 1},
		{"never down to the set point", []float64{0, 1, 2}, [][]float64{{9}, {8}, {7}}, 4, AlwaysAbove, math.NaN(), 0},
		{"never up to the set point", []float64{0, 1, 2}, [][]float64{{3}, {2}, {1}}, 4, AlwaysBelow, math.NaN(), 0},
		{"not monotone: the first crossing, two sign changes", []float64{0, 1, 2, 3}, [][]float64{{6}, {2}, {6}, {8}}, 4, Crossed, 0.5, 2},
		{"one cell", []float64{0}, [][]float64{{6}}, 4, TooFewCells, math.NaN(), 0},
	}
	for _, c := range cases {
		cr := FindCrossing(cellsOf(c.xs, c.rates), c.target)
		if cr.Status != c.status || !near(cr.X, c.x, 1e-12) || cr.SignChanges != c.changes {
			t.Errorf("%s: %+v, want %v at %v with %d sign changes", c.reason, cr, c.status, c.x, c.changes)
		}
		if cr.Status == Crossed && (!near(cr.ExcPA, 100+c.x, 1e-12) || !near(cr.InhPA, 10*c.x, 1e-12)) {
			t.Errorf("%s: currents %v, %v; want %v, %v", c.reason, cr.ExcPA, cr.InhPA, 100+c.x, 10*c.x)
		}
	}
}

// TestBootstrapCrossing: replicates without spread give a point interval; with spread, an
// interval around the crossing, narrowing with more replicates.
func TestBootstrapCrossing(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	flat := cellsOf([]float64{0, 1, 2}, [][]float64{{8, 8, 8}, {4, 4}, {0, 0}})
	x, _, inh, frac := BootstrapCrossing(flat, 6, 200, rng)
	if x.Lo != 0.5 || x.Hi != 0.5 || inh.Lo != 5 || frac != 1 {
		t.Errorf("no spread: x %v, Ī %v, crossed %v", x, inh, frac)
	}
	width := func(n int) float64 {
		r := rand.New(rand.NewPCG(3, 4))
		rates := make([][]float64, 3)
		for k, m := range []float64{8, 4, 0} {
			for range n {
				rates[k] = append(rates[k], m+r.NormFloat64())
			}
		}
		cells := cellsOf([]float64{0, 1, 2}, rates)
		pt := FindCrossing(cells, 6)
		x, _, _, _ := BootstrapCrossing(cells, 6, 500, rng)
		if !(x.Lo < pt.X && pt.X < x.Hi) {
			t.Errorf("n=%d: interval %v misses the crossing %v", n, x, pt.X)
		}
		return x.Hi - x.Lo
	}
	if w10, w1000 := width(10), width(1000); !(w1000 < w10/5) {
		t.Errorf("interval width %v with 10 replicates, %v with 1000: does not narrow like 1/√n", w10, w1000)
	}
}

func TestFitBalance(t *testing.T) {
	e := []float64{100, 200, 300, 400}
	i := []float64{60, 110, 160, 210} // exactly Ī = 0.5·Ē + 10
	f := FitBalance(e, i)
	lin, add, mul := f[0], f[1], f[2]
	if !near(lin.M, 0.5, 1e-12) || !near(lin.B, 10, 1e-9) || !near(lin.R2, 1, 1e-12) || lin.RMSPA > 1e-9 || lin.DOF != 2 {
		t.Errorf("linear: %+v", lin)
	}
	// additive: b = mean(Ī − Ē) = mean(−40, −90, −140, −190) = −115
	if add.M != 1 || !near(add.B, -115, 1e-12) || add.DOF != 3 {
		t.Errorf("additive: %+v", add)
	}
	// multiplicative: m = ΣĒĪ/ΣĒ² = (6000+22000+48000+84000)/(10000+40000+90000+160000) = 160000/300000
	if !near(mul.M, 160000.0/300000, 1e-12) || mul.B != 0 {
		t.Errorf("multiplicative: %+v", mul)
	}
	if !(lin.AIC < mul.AIC && lin.AIC < add.AIC) {
		t.Errorf("the exact linear model does not have the lowest AIC: %v %v %v", lin.AIC, add.AIC, mul.AIC)
	}
	// With noise: standard errors as for ordinary least squares.
	noisy := []float64{62, 108, 161, 209}
	f = FitBalance(e, noisy)
	if !(f[0].SEM > 0 && f[0].CIM.Lo < f[0].M && f[0].M < f[0].CIM.Hi && f[1].SEB > 0 && f[2].SEM > 0) {
		t.Errorf("noisy fits: %+v", f)
	}
	if nan := FitBalance([]float64{100}, []float64{50}); !math.IsNaN(nan[0].M) || nan[1].DOF != 0 {
		t.Errorf("one point: %+v", nan)
	}
}

// TestSearchThresholdGain: the search gives what the full curve gives, with log2(n)+2 probes,
// including the edge cases.
func TestSearchThresholdGain(t *testing.T) {
	n := 3001
	currents := make([]float64, n)
	for k := range currents {
		currents[k] = float64(k) * 0.1e-12
	}
	for _, c := range []struct {
		reason string
		first  int
	}{{"inside", 1241}, {"second current", 1}, {"at the top only", n - 1}, {"at the lowest current", 0}, {"never", n}} {
		counts := make([]int64, n)
		for k := c.first; k < n; k++ {
			counts[k] = int64(1 + (k-c.first)/30)
		}
		want, err := ThresholdGain(currents, counts, 1)
		if err != nil {
			t.Fatal(err)
		}
		probe := func(k int, firstOnly bool) (int64, error) {
			if firstOnly && counts[k] > 0 {
				return 1, nil
			}
			return counts[k], nil
		}
		got, probes, err := SearchThresholdGain(currents, 1, probe)
		if err != nil {
			t.Fatal(err)
		}
		if !near(got.ThresholdPA, want.ThresholdPA, 0) || !near(got.GainHzPerPA, want.GainHzPerPA, 0) || got.Status != want.Status || got.First != want.First {
			t.Errorf("%s: %+v, full curve %+v", c.reason, got, want)
		}
		if probes > 14 {
			t.Errorf("%s: %d probes", c.reason, probes)
		}
	}
}

// TestThresholdGainBothWays: the excitation that the threshold–gain model needs against a given
// inhibition, and the inhibition it needs against a given excitation, are the same line:
// θ = 124.1 pA, g = 0.34659091 Hz/pA, r* = 5 Hz: r*/g = 14.426 pA; against Ī = 190 pA,
// Ē* = 190 + 124.1 + 14.426 = 328.526 pA, and against that Ē*, Ī* = 190 pA again.
func TestThresholdGainBothWays(t *testing.T) {
	const theta, g, r = 124.1, 0.34659091, 5.0
	e := ThresholdGainExcitation(190, theta, g, r)
	if want := 190 + 124.1 + 5/0.34659091; math.Abs(e-want) > 1e-12 || math.Abs(e-328.5263) > 1e-3 {
		t.Errorf("Ē* = %.6f, want %.6f", e, want)
	}
	if i := ThresholdGainInhibition(e, theta, g, r); math.Abs(i-190) > 1e-12 {
		t.Errorf("Ī* back = %.12f, want 190", i)
	}
	if !math.IsNaN(ThresholdGainExcitation(190, math.NaN(), g, r)) || !math.IsNaN(ThresholdGainExcitation(190, theta, 0, r)) {
		t.Error("undefined θ or g gives a number")
	}
}
