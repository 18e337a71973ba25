package sim

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestPoissonCountsAreBinomial draws Poisson input and checks, by a χ² goodness-of-fit test,
// that the number of spikes per step is Binomial(n, rate·dt), and that counts in consecutive
// steps are uncorrelated. The seeds are fixed, so the test is deterministic; the critical value
// is the χ² quantile at 1 − 1e-4, so a correct generator fails with probability 1e-4 per case
// when the seeds change, while a wrong gap (off by one, per step instead of per cell, wrong
// log) fails by many orders of magnitude.
func TestPoissonCountsAreBinomial(t *testing.T) {
	cases := []struct {
		reason string
		n      int
		rateHz float64
		dtSec  float64
		steps  int64
	}{
		{"seed's excitatory population", 400, 5, 1e-4, 400_000},
		{"seed's inhibitory population", 100, 14, 1e-4, 400_000},
		{"dense: p = 0.1", 50, 100, 1e-3, 100_000},
		{"p = 0.5, few sources", 3, 500, 1e-3, 100_000},
		{"one source", 1, 200, 1e-3, 100_000},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			var p Poisson
			if err := p.Reset(11, 12, c.n, c.rateHz, c.dtSec, c.steps); err != nil {
				t.Fatal(err)
			}
			counts := make([]int, c.steps)
			prev := int64(-1)
			for s := p.Next(); s != End; s = p.Next() {
				if s < prev || s >= c.steps {
					t.Fatalf("step %d after %d (of %d)", s, prev, c.steps)
				}
				prev = s
				counts[s]++
			}
			prob := c.rateHz * c.dtSec
			binom := distuv.Binomial{N: float64(c.n), P: prob}
			hist := map[int]int{}
			for _, k := range counts {
				hist[k]++
			}
			// Bins k = 0, 1, … while the expected count is ≥ 5; the rest lumped into the last.
			var chi2 float64
			df := -1
			tail := 1.0
			for k := 0; ; k++ {
				pk := binom.Prob(float64(k))
				exp := pk * float64(c.steps)
				restExp := (tail - pk) * float64(c.steps)
				if exp < 5 || restExp < 5 || k == c.n {
					obs := 0
					for kk, o := range hist {
						if kk >= k {
							obs += o
						}
					}
					e := tail * float64(c.steps)
					chi2 += (float64(obs) - e) * (float64(obs) - e) / e
					df++
					break
				}
				o := float64(hist[k])
				chi2 += (o - exp) * (o - exp) / exp
				df++
				tail -= pk
			}
			crit := distuv.ChiSquared{K: float64(df)}.Quantile(1 - 1e-4)
			if df < 1 || chi2 > crit {
				t.Errorf("χ² = %.1f with %d df (critical %.1f): counts are not Binomial(%d, %g)", chi2, df, crit, c.n, prob)
			}
			// Lag-1 autocorrelation of per-step counts: ~N(0, 1/steps) for independent steps.
			var mean, v, cov float64
			for _, k := range counts {
				mean += float64(k)
			}
			mean /= float64(c.steps)
			for s := range counts {
				d := float64(counts[s]) - mean
				v += d * d
				if s > 0 {
					cov += d * (float64(counts[s-1]) - mean)
				}
			}
			if r := cov / v; math.Abs(r) > 4.5/math.Sqrt(float64(c.steps)) {
				t.Errorf("lag-1 correlation of counts %.4f, want ~0 (|r| < %.4f)", r, 4.5/math.Sqrt(float64(c.steps)))
			}
		})
	}
}

// TestPoissonEdges: rate 0 never spikes; rate·dt ≥ 1 spikes every source every step;
// invalid rates are errors.
func TestPoissonEdges(t *testing.T) {
	var p Poisson
	if err := p.Reset(1, 1, 10, 0, 1e-4, 100); err != nil {
		t.Fatal(err)
	}
	if s := p.Next(); s != End {
		t.Errorf("rate 0: spike at step %d", s)
	}
	if err := p.Reset(1, 1, 3, 2e4, 1e-4, 5); err != nil {
		t.Fatal(err)
	}
	var got []int64
	for s := p.Next(); s != End; s = p.Next() {
		got = append(got, s)
	}
	want := []int64{0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4}
	if len(got) != len(want) {
		t.Fatalf("p ≥ 1: steps %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("p ≥ 1: steps %v, want %v", got, want)
		}
	}
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
		if err := p.Reset(1, 1, 3, bad, 1e-4, 5); err == nil {
			t.Errorf("rate %v accepted", bad)
		}
	}
}

// TestRegularMatchesNotebook: the "fixed" mode's spike steps are those of Brian2's
// SpikeGeneratorGroup fed linspace(0, duration, k+1)[:-1], as in the golden run.
func TestRegularMatchesNotebook(t *testing.T) {
	var g goldenDet
	readGolden(t, "det_regular_notebook.json", &g)
	for _, pop := range []struct {
		rate  float64
		times []float64
	}{{5, g.InputExc.Times}, {14, g.InputInh.Times}} {
		want, err := StepsFromTimes(nil, pop.times, g.Dt)
		if err != nil {
			t.Fatal(err)
		}
		var r Regular
		if err := r.Reset(pop.rate, g.Duration, g.Dt); err != nil {
			t.Fatal(err)
		}
		var got []int64
		for s := r.Next(); s != End; s = r.Next() {
			got = append(got, s)
		}
		if len(got) != len(want) {
			t.Fatalf("%g Hz: %d spikes, want %d", pop.rate, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%g Hz: spike %d at step %d, want %d", pop.rate, i, got[i], want[i])
			}
		}
	}
}

// TestRefractoryIntegerRule: eisweep decides refractoriness with integer steps,
// n − m ≥ timestep(refractory); Brian2 computes timestep(t_n − t_m, dt) from float times
// t = step·dt. They agree for every step pair a run can reach.
func TestRefractoryIntegerRule(t *testing.T) {
	for _, dt := range []float64{1e-4, 5e-5, 0.1 * 1e-3, 1e-3, 2.5e-5} {
		for _, ref := range []float64{0, 1e-3, 2.5e-3, 2e-3, 0.35e-3} {
			refSteps := Timestep(brian2Refractory(ref), dt)
			for _, m := range []int64{0, 1, 7, 9999, 123456, 10_000_000, 1 << 32} {
				for d := int64(0); d <= refSteps+2; d++ {
					n := m + d
					brian := Timestep(float64(n)*dt-float64(m)*dt, dt) >= refSteps
					if (n-m >= refSteps) != brian {
						t.Fatalf("dt %g, refractory %g: steps %d→%d: integer rule %v, Brian2 %v", dt, ref, m, n, !brian, brian)
					}
				}
			}
			// Before the first spike Brian2's lastspike is −1e4 s: never refractory.
			if Timestep(0-(-1e4), dt) < refSteps {
				t.Fatal("initial lastspike refractory")
			}
		}
	}
}

// TestBrian2Refractory: Brian2 writes the refractory period into generated code with six
// decimals of seconds; periods are rounded to whole microseconds.
func TestBrian2Refractory(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{2.5e-3, 0.0025}, {1e-3, 0.001}, {2.5004e-3, 0.0025}, {2.5006e-3, 0.002501}, {2.5000006e-3, 0.0025}, {0, 0},
	} {
		if got := brian2Refractory(c.in); got != c.want {
			t.Errorf("brian2Refractory(%g) = %g, want %g", c.in, got, c.want)
		}
	}
}

// TestStepCount follows Brian2's Clock: round when within 1e-4·dt, else ceil.
func TestStepCount(t *testing.T) {
	for _, c := range []struct {
		dur, dt float64
		want    int64
	}{{1, 1e-4, 10000}, {1, 5e-5, 20000}, {0.3, 1e-4, 3000}, {1.00005, 1e-4, 10001}, {1.0000000001, 1e-4, 10000}, {2.5, 0.1 * 1e-3, 25000}} {
		if got := StepCount(c.dur, c.dt); got != c.want {
			t.Errorf("StepCount(%g, %g) = %d, want %d", c.dur, c.dt, got, c.want)
		}
	}
}

// TestDriveMoved: a Drive copied to another address between runs (as a growing slice of them
// moves them) draws what a fresh one draws, the ziggurat's rejected draws included. A Drive
// that kept a generator over a field of its own read the old copy after a move.
func TestDriveMoved(t *testing.T) {
	x, err := NewExperiment(seedConfig())
	if err != nil {
		t.Fatal(err)
	}
	drain := func(in Input) (s []int64) {
		for n := in.Next(); n != End; n = in.Next() {
			s = append(s, n)
		}
		return s
	}
	drives := make([]Drive, 1)
	if _, _, err := drives[0].Inputs(x, seedInput, 1); err != nil {
		t.Fatal(err)
	}
	for seed := uint64(2); seed < 6; seed++ {
		drives = append(drives[:len(drives):len(drives)], Drive{}) // a new array: drives[0] moves
		e, i, err := drives[0].Inputs(x, seedInput, seed)
		if err != nil {
			t.Fatal(err)
		}
		var fresh Drive
		fe, fi, _ := fresh.Inputs(x, seedInput, seed)
		ge, gi := drain(e), drain(i)
		if we, wi := drain(fe), drain(fi); !slices.Equal(ge, we) || !slices.Equal(gi, wi) {
			t.Fatalf("seed %d: a moved Drive drew %d and %d spikes, a fresh one %d and %d (or other steps)", seed, len(ge), len(gi), len(we), len(wi))
		}
	}
}
