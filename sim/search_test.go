package sim_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/sim"
)

// TestFISearchEqualsScan: the threshold search (about 14 single-current simulations, stopping
// at the first spike) returns exactly — bit for bit — the threshold and gain of the full
// 3001-current scan, for every golden cell; and the single-current probe counts what the
// many-current kernel counts.
func TestFISearchEqualsScan(t *testing.T) {
	files, _ := filepath.Glob("testdata/brian2/fi_*.json")
	if len(files) < 5 {
		t.Fatalf("%d golden cells", len(files))
	}
	for _, f := range files {
		var g struct {
			Unit struct {
				ELeak      float64 `json:"e_leak"`
				VReset     float64 `json:"v_reset"`
				VThresh    float64 `json:"v_thresh"`
				Cm         float64 `json:"c_m"`
				GLeak      float64 `json:"g_leak"`
				Refractory float64 `json:"refractory"`
				BetaAdapt  float64 `json:"beta_adapt"`
				TauAdapt   float64 `json:"tau_adapt"`
			} `json:"unit"`
			Dt, Duration, IMin, IMax float64
			NCurrents                int `json:"n_currents"`
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &g); err != nil {
			t.Fatal(err)
		}
		var raw map[string]any
		json.Unmarshal(b, &raw)
		g.Dt, g.Duration, g.IMin, g.IMax = raw["dt"].(float64), raw["duration"].(float64), raw["i_min"].(float64), raw["i_max"].(float64)
		u := sim.Unit{ELeakVolt: g.Unit.ELeak, VResetVolt: g.Unit.VReset, VThreshVolt: g.Unit.VThresh, CmFarad: g.Unit.Cm,
			GLeakSiemens: g.Unit.GLeak, RefractorySec: g.Unit.Refractory, BetaAdaptAmpSec: g.Unit.BetaAdapt, TauAdaptSec: g.Unit.TauAdapt}
		fi := sim.FI{Unit: u, DtSec: g.Dt, DurationSec: g.Duration}
		currents := sim.FICurrents(nil, g.IMin, g.IMax, g.NCurrents)
		counts := make([]int64, len(currents))
		if err := fi.Counts(currents, counts, nil); err != nil {
			t.Fatal(err)
		}
		full, err := analysis.ThresholdGain(currents, counts, g.Duration)
		if err != nil {
			t.Fatal(err)
		}
		probe := func(k int, firstOnly bool) (int64, error) {
			c, err := fi.Count(currents[k], firstOnly, nil)
			if err == nil && !firstOnly && c != counts[k] {
				t.Errorf("%s: probe at %d counts %d, the kernel %d", f, k, c, counts[k])
			}
			return c, err
		}
		fast, probes, err := analysis.SearchThresholdGain(currents, g.Duration, probe)
		if err != nil {
			t.Fatal(err)
		}
		if math.Float64bits(fast.ThresholdPA) != math.Float64bits(full.ThresholdPA) || math.Float64bits(fast.GainHzPerPA) != math.Float64bits(full.GainHzPerPA) ||
			fast.Status != full.Status || fast.First != full.First {
			t.Errorf("%s: search %+v, full scan %+v", filepath.Base(f), fast, full)
		}
		t.Logf("%s: θ %.1f pA, g %.8f Hz/pA in %d probes", filepath.Base(f), fast.ThresholdPA, fast.GainHzPerPA, probes)
	}
}

// BenchmarkFISearch finds one unit's threshold and gain (the seed's E unit) by the search the
// pipeline uses: about 14 one-current simulations of 1 s.
func BenchmarkFISearch(b *testing.B) {
	var ms, nA, pF, nS, mV = 1e-3, 1e-9, 1e-12, 1e-9, 1e-3
	u := sim.Unit{ELeakVolt: 7.6 * mV, VResetVolt: 14 * mV, VThreshVolt: 20 * mV, CmFarad: 200 * pF, GLeakSiemens: 10 * nS,
		RefractorySec: 2.5 * ms, BetaAdaptAmpSec: 3 * nA * ms, TauAdaptSec: 500 * ms}
	fi := sim.FI{Unit: u, DtSec: 0.1 * ms, DurationSec: 1}
	currents := sim.FICurrents(nil, 0, 300e-12, 3001)
	probe := func(k int, firstOnly bool) (int64, error) { return fi.Count(currents[k], firstOnly, nil) }
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := analysis.SearchThresholdGain(currents, 1, probe); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSpikeStepsCount: SpikeSteps finds as many spikes as the f-I kernel counts, and its trace
// shows v_reset right after each spike.
func TestSpikeStepsCount(t *testing.T) {
	var ms, nA, pF, nS, mV = 1e-3, 1e-9, 1e-12, 1e-9, 1e-3
	u := sim.Unit{ELeakVolt: 7.6 * mV, VResetVolt: 14 * mV, VThreshVolt: 20 * mV, CmFarad: 200 * pF, GLeakSiemens: 10 * nS,
		RefractorySec: 2.5 * ms, BetaAdaptAmpSec: 3 * nA * ms, TauAdaptSec: 500 * ms}
	fi := sim.FI{Unit: u, DtSec: 0.1 * ms, DurationSec: 1}
	currents := sim.FICurrents(nil, 0, 300e-12, 3001)
	counts := make([]int64, len(currents))
	if err := fi.Counts(currents, counts, nil); err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{0, 1241, 2699, 3000} {
		var v []float64
		steps, err := fi.SpikeSteps(nil, currents[k], &v)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(steps)) != counts[k] || len(v) != 10000 {
			t.Errorf("at %.1f pA: %d spike steps, %d counted; %d trace points", currents[k]*1e12, len(steps), counts[k], len(v))
		}
		for _, s := range steps {
			if s+1 < int64(len(v)) && v[s+1] != u.VResetVolt {
				t.Errorf("at %.1f pA: v after the spike at step %d is %v", currents[k]*1e12, s, v[s+1])
			}
		}
	}
}
