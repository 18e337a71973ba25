package sim

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Golden data from Brian2 2.5.1, written by tools/brian2_goldens.py (make goldens).
// Never edit these files by hand.

type goldenUnit struct {
	ELeak      float64 `json:"e_leak"`
	VReset     float64 `json:"v_reset"`
	VThresh    float64 `json:"v_thresh"`
	Cm         float64 `json:"c_m"`
	GLeak      float64 `json:"g_leak"`
	Refractory float64 `json:"refractory"`
	BetaAdapt  float64 `json:"beta_adapt"`
	TauAdapt   float64 `json:"tau_adapt"`
}

func (g goldenUnit) unit() Unit {
	return Unit{ELeakVolt: g.ELeak, VResetVolt: g.VReset, VThreshVolt: g.VThresh, CmFarad: g.Cm,
		GLeakSiemens: g.GLeak, RefractorySec: g.Refractory, BetaAdaptAmpSec: g.BetaAdapt, TauAdaptSec: g.TauAdapt}
}

type goldenSyn struct {
	TauRiseE float64 `json:"tau_rise_e"`
	TauFallE float64 `json:"tau_fall_e"`
	TauRiseI float64 `json:"tau_rise_i"`
	TauFallI float64 `json:"tau_fall_i"`
}

type goldenWeights struct {
	EE float64 `json:"w_ee"`
	IE float64 `json:"w_ie"`
	EI float64 `json:"w_ei"`
	II float64 `json:"w_ii"`
}

type goldenSetup struct {
	Dt       float64       `json:"dt"`
	Duration float64       `json:"duration"`
	Exc      goldenUnit    `json:"exc"`
	Inh      goldenUnit    `json:"inh"`
	Syn      goldenSyn     `json:"syn"`
	Weights  goldenWeights `json:"weights"`
}

func (g goldenSetup) config() Config {
	return Config{
		DtSec: g.Dt, DurationSec: g.Duration, Exc: g.Exc.unit(), Inh: g.Inh.unit(),
		Syn: Synapses{TauRiseESec: g.Syn.TauRiseE, TauFallESec: g.Syn.TauFallE, TauRiseISec: g.Syn.TauRiseI, TauFallISec: g.Syn.TauFallI},
		W:   Weights{EEAmp: g.Weights.EE, IEAmp: g.Weights.IE, EIAmp: g.Weights.EI, IIAmp: g.Weights.II},
	}
}

type goldenFI struct {
	Cell      string     `json:"cell"`
	Unit      goldenUnit `json:"unit"`
	Dt        float64    `json:"dt"`
	Duration  float64    `json:"duration"`
	IMin      float64    `json:"i_min"`
	IMax      float64    `json:"i_max"`
	NCurrents int        `json:"n_currents"`
	Currents  []float64  `json:"currents"`
	Cython    struct {
		Counts []int64 `json:"counts"`
	} `json:"cython"`
	Numpy struct {
		Counts []int64 `json:"counts"`
	} `json:"numpy"`
}

type goldenState struct {
	V      float64 `json:"v"`
	IAdapt float64 `json:"iAdapt"`
	SE     float64 `json:"sE"`
	UE     float64 `json:"uE"`
	SI     float64 `json:"sI"`
	UI     float64 `json:"uI"`
}

type goldenOut struct {
	SpikeStepsE []int64     `json:"spike_steps_e"`
	SpikeStepsI []int64     `json:"spike_steps_i"`
	QEE         float64     `json:"q_ee_pc"`
	QEI         float64     `json:"q_ei_pc"`
	QIE         float64     `json:"q_ie_pc"`
	QII         float64     `json:"q_ii_pc"`
	NRecorded   int64       `json:"n_recorded"`
	FinalE      goldenState `json:"final_e"`
	FinalI      goldenState `json:"final_i"`
}

type goldenDet struct {
	goldenSetup
	Case     string `json:"case"`
	InputExc struct {
		N     int       `json:"n"`
		Times []float64 `json:"times"`
	} `json:"input_exc"`
	InputInh struct {
		N     int       `json:"n"`
		Times []float64 `json:"times"`
	} `json:"input_inh"`
	Cython goldenOut `json:"cython"`
	Numpy  goldenOut `json:"numpy"`
}

func readGolden(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "brian2", name))
	if err != nil {
		t.Fatalf("golden data missing (regenerate with make goldens): %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func goldenFiles(t testing.TB, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join("testdata", "brian2", pattern))
	if err != nil || len(m) == 0 {
		t.Fatalf("no golden files %s (regenerate with make goldens)", pattern)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

// TestFIMatchesBrian2 runs the full f-I test (3001 currents, 1 s) for every golden cell and
// requires every spike count to equal Brian2's, under both of Brian2's code generation targets.
func TestFIMatchesBrian2(t *testing.T) {
	for _, name := range goldenFiles(t, "fi_*.json") {
		t.Run(name, func(t *testing.T) {
			var g goldenFI
			readGolden(t, name, &g)
			currents := FICurrents(nil, g.IMin, g.IMax, g.NCurrents)
			// The grid itself must be Brian2's, double for double.
			if !slices.Equal(currents, g.Currents) {
				for k := range currents {
					if currents[k] != g.Currents[k] {
						t.Fatalf("current %d: %v A, Brian2 %v A", k, currents[k], g.Currents[k])
					}
				}
			}
			counts := make([]int64, len(currents))
			fi := FI{Unit: g.Unit.unit(), DtSec: g.Dt, DurationSec: g.Duration}
			if err := fi.Counts(currents, counts, nil); err != nil {
				t.Fatal(err)
			}
			for target, want := range map[string][]int64{"cython": g.Cython.Counts, "numpy": g.Numpy.Counts} {
				diff := 0
				for k := range counts {
					if counts[k] != want[k] {
						if diff < 5 {
							t.Errorf("%s: at %.4g pA: %d spikes, Brian2 (%s) %d", g.Cell, currents[k]*1e12, counts[k], target, want[k])
						}
						diff++
					}
				}
				if diff > 0 {
					t.Errorf("%s: %d of %d counts differ from Brian2 (%s)", g.Cell, diff, len(counts), target)
				}
			}
		})
	}
}

// TestDeterministicRunsMatchBrian2 replays the golden runs' frozen input spike times and requires
// Brian2's spike steps exactly, its charges within 1e-9 relative (Brian2 sums with numpy's
// pairwise summation, eisweep sequentially: they differ by rounding only, ~1e-13), and the final
// state of both units equal, double for double, to Brian2's numpy target (plain IEEE arithmetic,
// like eisweep's). Brian2's cython target is compiled with -ffast-math -march=native, so its
// final state may differ in the last bits; it is held to 1e-9 relative.
func TestDeterministicRunsMatchBrian2(t *testing.T) {
	for _, name := range goldenFiles(t, "det_*.json") {
		t.Run(name, func(t *testing.T) {
			var g goldenDet
			readGolden(t, name, &g)
			x, err := NewExperiment(g.config())
			if err != nil {
				t.Fatal(err)
			}
			if x.Steps() != g.Numpy.NRecorded {
				t.Fatalf("%d steps, Brian2 recorded %d", x.Steps(), g.Numpy.NRecorded)
			}
			exc := mustSteps(t, g.InputExc.Times, g.Dt)
			inh := mustSteps(t, g.InputInh.Times, g.Dt)
			var r Result
			if err := x.Run(exc, inh, &r); err != nil {
				t.Fatal(err)
			}
			if r.InputSpikesExc != int64(len(g.InputExc.Times)) || r.InputSpikesInh != int64(len(g.InputInh.Times)) {
				t.Errorf("delivered %d/%d input spikes, want %d/%d", r.InputSpikesExc, r.InputSpikesInh, len(g.InputExc.Times), len(g.InputInh.Times))
			}
			for target, want := range map[string]goldenOut{"numpy": g.Numpy, "cython": g.Cython} {
				if !slices.Equal(r.SpikeStepsE, want.SpikeStepsE) {
					t.Errorf("%s: E spike steps\n got %v\nwant %v", target, r.SpikeStepsE, want.SpikeStepsE)
				}
				if !slices.Equal(r.SpikeStepsI, want.SpikeStepsI) {
					t.Errorf("%s: I spike steps\n got %v\nwant %v", target, r.SpikeStepsI, want.SpikeStepsI)
				}
				for _, q := range []struct {
					name      string
					got, want float64
				}{{"Q_EE", r.ChargeEEPC, want.QEE}, {"Q_EI", r.ChargeEIPC, want.QEI}, {"Q_IE", r.ChargeIEPC, want.QIE}, {"Q_II", r.ChargeIIPC, want.QII}} {
					if !closeRel(q.got, q.want, 1e-9) {
						t.Errorf("%s: %s = %.12g pC, Brian2 %.12g pC (rel. diff %.2g)", target, q.name, q.got, q.want, relDiff(q.got, q.want))
					}
				}
			}
			checkState(t, "E (numpy, exact)", r.FinalE, g.Numpy.FinalE, 0)
			checkState(t, "I (numpy, exact)", r.FinalI, g.Numpy.FinalI, 0)
			checkState(t, "E (cython)", r.FinalE, g.Cython.FinalE, 1e-9)
			checkState(t, "I (cython)", r.FinalI, g.Cython.FinalI, 1e-9)
			t.Logf("%s: E %d spikes, I %d spikes, Q_EE %.6g pC", g.Case, len(r.SpikeStepsE), len(r.SpikeStepsI), r.ChargeEEPC)
		})
	}
}

func mustSteps(t testing.TB, times []float64, dt float64) *Steps {
	t.Helper()
	st, err := StepsFromTimes(nil, times, dt)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSteps(st)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func checkState(t *testing.T, what string, got State, want goldenState, rel float64) {
	t.Helper()
	for _, f := range []struct {
		name string
		g, w float64
	}{{"v", got.VVolt, want.V}, {"i_adapt", got.IAdaptAmp, want.IAdapt}, {"s_E", got.SEAmp, want.SE},
		{"u_E", got.UEAmp, want.UE}, {"s_I", got.SIAmp, want.SI}, {"u_I", got.UIAmp, want.UI}} {
		if rel == 0 && f.g != f.w || rel > 0 && !closeRel(f.g, f.w, rel) {
			t.Errorf("final state %s: %s = %.17g, Brian2 %.17g", what, f.name, f.g, f.w)
		}
	}
}

func relDiff(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / math.Max(math.Abs(a), math.Abs(b))
}

func closeRel(a, b, rel float64) bool { return relDiff(a, b) <= rel }

// TestWeightsMatchSeed derives the seed's weights with the notebook's formula and compares them
// with the values Brian2 computed for the goldens (exactly) and the seed's printout (8 digits).
func TestWeightsMatchSeed(t *testing.T) {
	var g goldenDet
	readGolden(t, "det_frozen_defaults.json", &g)
	exc, inh := g.Exc.unit(), g.Inh.unit()
	nExc, nInh := FanIn(1000, 0.5, 0.2)
	if nExc != 400 || nInh != 100 {
		t.Fatalf("fan-in %d/%d, want 400/100", nExc, nInh)
	}
	w := Weights{
		EEAmp: JercogWeight(2.8*nA, nExc, exc.MembraneTauMs(), 1.0249649370098968),
		IEAmp: JercogWeight(5*nA, nExc, inh.MembraneTauMs(), 0.9913780811668145),
		EIAmp: JercogWeight(0.7*nA, nInh, exc.MembraneTauMs(), 0.9750494640455015),
		IIAmp: JercogWeight(1*nA, nInh, inh.MembraneTauMs(), 1.0108023944074438),
	}
	want := g.config().W
	if w != want {
		t.Errorf("weights %+v, Brian2 %+v", w, want)
	}
	seed := []struct {
		got  float64
		want string
	}{{w.EEAmp, "143.49509118"}, {w.IEAmp, "123.92226015"}, {w.EIAmp, "136.50692497"}, {w.IIAmp, "101.08023944"}}
	for _, s := range seed {
		if got := fmtPA(s.got); got != s.want {
			t.Errorf("weight %s pA, seed prints %s pA", got, s.want)
		}
	}
}
