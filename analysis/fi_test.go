package analysis

import (
	"math"
	"testing"
)

func TestThresholdGain(t *testing.T) {
	pA := func(xs ...float64) []float64 {
		for i := range xs {
			xs[i] *= 1e-12
		}
		return xs
	}
	cases := []struct {
		reason    string
		currents  []float64
		counts    []int64
		dur       float64
		theta, g  float64
		status    FIStatus
		wantFirst int
	}{
		{"threshold inside the range: slope from the last silent current",
			pA(0, 100, 200, 300), []int64{0, 0, 10, 30}, 1, 200, (30.0 - 0) / (300 - 100), FIOK, 2},
		{"rates scale with duration",
			pA(0, 100, 200, 300), []int64{0, 0, 10, 30}, 2, 200, (15.0 - 0) / (300 - 100), FIOK, 2},
		{"fires only at the top",
			pA(0, 1, 2), []int64{0, 0, 4}, 1, 2, 4.0 / 1, FIOK, 2},
		{"fires at the lowest current: θ is the lowest current, slope over the whole range",
			pA(50, 100, 150), []int64{5, 10, 20}, 1, 50, (20.0 - 5) / 100, FISpikesAtMin, 0},
		{"never fires", pA(0, 1, 2), []int64{0, 0, 0}, 1, math.NaN(), math.NaN(), FINoSpike, -1},
	}
	for _, c := range cases {
		got, err := ThresholdGain(c.currents, c.counts, c.dur)
		if err != nil {
			t.Fatalf("%s: %v", c.reason, err)
		}
		same := func(a, b float64) bool {
			return a == b || math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) < 1e-12*math.Abs(b)
		}
		if !same(got.ThresholdPA, c.theta) || !same(got.GainHzPerPA, c.g) || got.Status != c.status || got.First != c.wantFirst {
			t.Errorf("%s: got θ %v pA, g %v Hz/pA, %v, first %d; want %v, %v, %v, %d",
				c.reason, got.ThresholdPA, got.GainHzPerPA, got.Status, got.First, c.theta, c.g, c.status, c.wantFirst)
		}
	}
	if _, err := ThresholdGain(pA(0, 1), []int64{0}, 1); err == nil {
		t.Error("mismatched lengths accepted")
	}
}
