package analysis

import (
	"fmt"
	"testing"
)

// TestPredictedCharge reproduces the seed's rough estimates (printed in "nC" by the notebook,
// numerically pC): 286.99018236, 247.84452029, 191.10969495, 141.51233522.
func TestPredictedCharge(t *testing.T) {
	cases := []struct {
		n          int
		w, rate    float64
		want       string
		pathwayDoc string
	}{
		{400, 143.49509118e-12, 5, "286.990", "EE"},
		{400, 123.92226015e-12, 5, "247.845", "IE"},
		{100, 136.50692497e-12, 14, "191.110", "EI"},
		{100, 101.08023944e-12, 14, "141.512", "II"},
		{0, 1e-10, 5, "0.000", "no sources"},
	}
	for _, c := range cases {
		if got := fmt.Sprintf("%.3f", PredictedChargePC(c.n, c.w, c.rate, 1)); got != c.want {
			t.Errorf("%s: %s pC, want %s", c.pathwayDoc, got, c.want)
		}
	}
	if a, b := PredictedChargePC(400, 1e-10, 5, 2), 2*PredictedChargePC(400, 1e-10, 5, 1); a != b {
		t.Errorf("not proportional to duration: %v vs %v", a, b)
	}
}
