package sim_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/sim"
)

// Unit scales as variables, so products are computed at run time as Brian2 computes them.
var mV, ms, pF, nS, nA, pA = 1e-3, 1e-3, 1e-12, 1e-9, 1e-9, 1e-12

// TestSeedThresholdAndGain runs the full f-I test (3001 currents from 0 to 300 pA, 1 s) of the
// seed's two cells and requires θ and g exactly as the seed notebook prints them
// (docs/MODEL.md §5), and the spike counts at 300 pA (61 and 249).
func TestSeedThresholdAndGain(t *testing.T) {
	cells := []struct {
		name        string
		unit        sim.Unit
		theta, gain string
		top         int64
	}{
		{"E", sim.Unit{ELeakVolt: 7.6 * mV, VResetVolt: 14 * mV, VThreshVolt: 20 * mV, CmFarad: 200 * pF, GLeakSiemens: 10 * nS,
			RefractorySec: 2.5 * ms, BetaAdaptAmpSec: 3 * nA * ms, TauAdaptSec: 500 * ms}, "124.1", "0.34659091", 61},
		{"I", sim.Unit{ELeakVolt: 6.5 * mV, VResetVolt: 14 * mV, VThreshVolt: 20 * mV, CmFarad: 100 * pF, GLeakSiemens: 10 * nS,
			RefractorySec: 1 * ms, BetaAdaptAmpSec: 0 * nA * ms, TauAdaptSec: 500 * ms}, "135.1", "1.50909091", 249},
	}
	currents := sim.FICurrents(nil, 0*pA, 300*pA, 3001)
	for _, c := range cells {
		counts := make([]int64, len(currents))
		if err := (sim.FI{Unit: c.unit, DtSec: 0.1 * ms, DurationSec: 1}).Counts(currents, counts, nil); err != nil {
			t.Fatal(err)
		}
		tg, err := analysis.ThresholdGain(currents, counts, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := seedFmt(tg.ThresholdPA); got != c.theta {
			t.Errorf("θ_%s = %s pA, seed prints %s pA", c.name, got, c.theta)
		}
		if got := seedFmt(tg.GainHzPerPA); got != c.gain {
			t.Errorf("g_%s = %s Hz/pA, seed prints %s Hz/pA", c.name, got, c.gain)
		}
		if counts[len(counts)-1] != c.top {
			t.Errorf("%s unit at 300 pA: %d spikes, want %d", c.name, counts[len(counts)-1], c.top)
		}
	}
}

func seedFmt(x float64) string {
	s := strconv.FormatFloat(x, 'f', 8, 64)
	return strings.TrimRight(strings.TrimRight(s, "0"), ".")
}
