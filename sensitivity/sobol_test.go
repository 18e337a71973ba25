package sensitivity

import (
	"math"
	"testing"

	"github.com/eisweep/eisweep/design"
)

// ishigami is the Ishigami function with a = 7, b = 0.1 on [−π, π]³, from a point of the unit cube.
func ishigami(u []float64) float64 {
	x := make([]float64, 3)
	for i := range x {
		x[i] = -math.Pi + 2*math.Pi*u[i]
	}
	return math.Sin(x[0]) + 7*math.Pow(math.Sin(x[1]), 2) + 0.1*math.Pow(x[2], 4)*math.Sin(x[0])
}

// TestIshigami: at n = 4096 the analytical indices (S1 0.3139, 0.4424, 0; ST 0.5576, 0.4424,
// 0.2437) lie inside the bootstrap intervals, and the intervals are narrow (under 0.1 wide).
func TestIshigami(t *testing.T) {
	pts, err := design.Saltelli(3, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 4096*5 {
		t.Fatalf("%d points, want n·(d+2) = %d", len(pts), 4096*5)
	}
	y := make([]float64, len(pts))
	for k, p := range pts {
		y[k] = ishigami(p)
	}
	idx, err := Sobol(y, 3, 500, 1)
	if err != nil {
		t.Fatal(err)
	}
	s1 := []float64{0.3139, 0.4424, 0}
	st := []float64{0.5576, 0.4424, 0.2437}
	for i, x := range idx {
		t.Logf("x%d: S1 %.4f [%.4f, %.4f]  ST %.4f [%.4f, %.4f]", i+1, x.S1, x.S1Lo, x.S1Hi, x.ST, x.STLo, x.STHi)
		if s1[i] < x.S1Lo || s1[i] > x.S1Hi || x.S1Hi-x.S1Lo > 0.1 {
			t.Errorf("x%d: S1 %.4f not in [%.4f, %.4f] or the interval is wide", i+1, s1[i], x.S1Lo, x.S1Hi)
		}
		if st[i] < x.STLo || st[i] > x.STHi || x.STHi-x.STLo > 0.1 {
			t.Errorf("x%d: ST %.4f not in [%.4f, %.4f] or the interval is wide", i+1, st[i], x.STLo, x.STHi)
		}
	}
}

// TestSobolRefusesOtherLengths: outputs that are not whole rows of the design are refused.
func TestSobolRefusesOtherLengths(t *testing.T) {
	if _, err := Sobol(make([]float64, 7), 4, 0, 1); err == nil {
		t.Error("7 outputs for 4 parameters accepted")
	}
}

// TestSobolShiftInvariant: adding a constant to the output (a charge's large mean) leaves the
// indices and their intervals as they are; an estimator that did not centre f(B) would spread
// S1 by the constant over the output's spread.
func TestSobolShiftInvariant(t *testing.T) {
	pts, err := design.Saltelli(3, 512)
	if err != nil {
		t.Fatal(err)
	}
	y, shifted := make([]float64, len(pts)), make([]float64, len(pts))
	for k, p := range pts {
		y[k] = ishigami(p)
		shifted[k] = y[k] + 1e4
	}
	a, err := Sobol(y, 3, 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Sobol(shifted, 3, 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		for _, d := range [][2]float64{{a[i].S1, b[i].S1}, {a[i].S1Lo, b[i].S1Lo}, {a[i].S1Hi, b[i].S1Hi}, {a[i].ST, b[i].ST}, {a[i].STHi, b[i].STHi}} {
			if math.Abs(d[0]-d[1]) > 1e-6 {
				t.Errorf("x%d: %+v, shifted by 1e4: %+v", i+1, a[i], b[i])
				break
			}
		}
	}
}
