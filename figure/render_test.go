package figure

import (
	"strings"
	"testing"
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
