package figure

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
)

// TestPlainTicks: labelled ticks are round numbers written as numbers are (no "2.50", "500.00"),
// at steps of 1, 2 or 5 times a power of ten.
func TestPlainTicks(t *testing.T) {
	for _, c := range []struct {
		min, max float64
		want     string
	}{
		{2.5, 8.5, "4 6 8"},
		{0, 300, "0 100 200 300"},
		{4.5, 25.5, "5 10 15 20 25"},
		{0, 1, "0 0.2 0.4 0.6 0.8 1"},
		{-120, 480, "0 200 400"},
		{0.1, 0.7, "0.2 0.4 0.6"},
	} {
		var labels []string
		for _, tk := range (plainTicks{}).Ticks(c.min, c.max) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != c.want {
			t.Errorf("[%v, %v]: ticks %q, want %q", c.min, c.max, got, c.want)
		}
	}
}

// TestWrapTitle: a long title breaks before its parenthesis, a short one stays whole.
func TestWrapTitle(t *testing.T) {
	long := "Net synaptic current onto the E unit, run c10d0419c0be33e3 (input.rate_exc = 3 Hz, weights.mult_ei = 0.1, weights.mult_ii = 0.2)"
	got := wrapTitle(long, 80)
	lines := strings.Split(got, "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "(input.rate_exc") || strings.Join(lines, " ") != long {
		t.Errorf("wrapped as %q", got)
	}
	if got := wrapTitle("f-I curves", 80); got != "f-I curves" {
		t.Errorf("short title changed: %q", got)
	}
}

// TestEnvelope: a long line is thinned to at most the limit, keeping its ends and, in every
// slice, its lowest and highest points in their order; a short line is kept whole.
func TestEnvelope(t *testing.T) {
	pts := make(plotter.XYs, 100000)
	for k := range pts {
		pts[k] = plotter.XY{X: float64(k), Y: math.Sin(float64(k) * 0.37)}
	}
	pts[54321].Y = 9 // a spike
	got := envelope(pts, 8000)
	if len(got) > 8000 || got[0] != pts[0] || got[len(got)-1] != pts[len(pts)-1] {
		t.Fatalf("%d points from %v to %v", len(got), got[0], got[len(got)-1])
	}
	spike := false
	for k := 1; k < len(got); k++ {
		if got[k].X <= got[k-1].X {
			t.Fatalf("out of order at %d: %v after %v", k, got[k], got[k-1])
		}
		spike = spike || got[k] == pts[54321]
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range got {
		lo, hi = math.Min(lo, p.Y), math.Max(hi, p.Y)
	}
	if !spike || lo > -0.999 || hi != 9 {
		t.Errorf("range [%v, %v], spike kept %v: the envelope lost extremes", lo, hi, spike)
	}
	if short := envelope(pts[:100], 8000); len(short) != 100 {
		t.Errorf("a 100-point line became %d points", len(short))
	}
}
