package sim

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/eisweep/eisweep/analysis"

	"github.com/eisweep/eisweep/internal/goldenfile"
)

// Golden data of the recurrent network from Brian2 2.5.1, written by tools/network_goldens.py
// into testdata/network. Never edit these files by hand.

type goldenNetCase struct {
	Case          string         `json:"case"`
	NUnits        int            `json:"n_units"`
	PConnect      float64        `json:"p_connect"`
	PInh          float64        `json:"p_inh"`
	NExc          int            `json:"n_exc"`
	NInh          int            `json:"n_inh"`
	Dt            float64        `json:"dt"`
	Duration      float64        `json:"duration"`
	Exc           goldenUnit     `json:"exc"`
	Inh           goldenUnit     `json:"inh"`
	Syn           goldenSyn      `json:"syn"`
	Weights       goldenWeights  `json:"weights"`
	NoiseSigma    float64        `json:"noise_sigma"`
	DelayMaxExc   float64        `json:"delay_max_exc"`
	DelayMaxInh   float64        `json:"delay_max_inh"`
	KickTime      float64        `json:"kick_time"`
	KickFraction  float64        `json:"kick_fraction"`
	KickAmp       float64        `json:"kick_amp"`
	NKick         int            `json:"n_kick"`
	NSteps        int64          `json:"n_steps"`
	NSynapsesJSON map[string]int `json:"n_synapses"`
}

func (g goldenNetCase) config() NetworkConfig {
	return NetworkConfig{
		DtSec: g.Dt, DurationSec: g.Duration, NUnits: g.NUnits, PropConnect: g.PConnect, PropInh: g.PInh,
		Exc: g.Exc.unit(), Inh: g.Inh.unit(),
		Syn:            Synapses{TauRiseESec: g.Syn.TauRiseE, TauFallESec: g.Syn.TauFallE, TauRiseISec: g.Syn.TauRiseI, TauFallISec: g.Syn.TauFallI},
		W:              Weights{EEAmp: g.Weights.EE, IEAmp: g.Weights.IE, EIAmp: g.Weights.EI, IIAmp: g.Weights.II},
		NoiseSigmaVolt: g.NoiseSigma, DelayMaxExcSec: g.DelayMaxExc, DelayMaxInhSec: g.DelayMaxInh,
		KickTimeSec: g.KickTime, KickFraction: g.KickFraction, KickAmp: g.KickAmp,
	}
}

type goldenNetFinal struct {
	V, IAdapt, SE, UE, SI, UI, SExt, UExt []float64
	LastSpikeStep                         []*int64 `json:"last_spike_step"`
}

func (f *goldenNetFinal) UnmarshalJSON(b []byte) error {
	var m struct {
		V      []float64 `json:"v"`
		IAdapt []float64 `json:"iAdapt"`
		SE     []float64 `json:"sE"`
		UE     []float64 `json:"uE"`
		SI     []float64 `json:"sI"`
		UI     []float64 `json:"uI"`
		SExt   []float64 `json:"sExt"`
		UExt   []float64 `json:"uExt"`
		Last   []*int64  `json:"last_spike_step"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*f = goldenNetFinal{m.V, m.IAdapt, m.SE, m.UE, m.SI, m.UI, m.SExt, m.UExt, m.Last}
	return nil
}

func (f goldenNetFinal) unit(i int) NetworkUnitState {
	u := NetworkUnitState{VVolt: f.V[i], IAdaptAmp: f.IAdapt[i], SEAmp: f.SE[i], UEAmp: f.UE[i], SIAmp: f.SI[i], UIAmp: f.UI[i],
		SExtAmp: f.SExt[i], UExtAmp: f.UExt[i], LastSpikeStep: NeverSpiked}
	if f.LastSpikeStep[i] != nil {
		u.LastSpikeStep = *f.LastSpikeStep[i]
	}
	return u
}

type goldenNetRun struct {
	Seconds    float64 `json:"seconds"`
	SpikeSteps []int64 `json:"spike_steps"`
	SpikeUnits []int32 `json:"spike_units"`
	Final      struct {
		Exc goldenNetFinal `json:"exc"`
		Inh goldenNetFinal `json:"inh"`
	} `json:"final"`
	MeanSEOntoE    float64  `json:"mean_se_onto_e"`
	MeanSIOntoE    float64  `json:"mean_si_onto_e"`
	MeanSEOntoI    float64  `json:"mean_se_onto_i"`
	MeanSIOntoI    float64  `json:"mean_si_onto_i"`
	Agrees         *bool    `json:"agrees_with_numpy"`
	FirstDiff      *int64   `json:"first_difference_step"`
	FinalDiffering int      `json:"final_values_differing_from_numpy"`
	GCCFlags       []string `json:"gcc_flags"`
	Ups            *struct {
		NUps int `json:"n_ups"`
	} `json:"ups"`
}

type goldenNetDet struct {
	goldenNetCase
	Numpy      goldenNetRun `json:"numpy"`
	Cython     goldenNetRun `json:"cython"`
	CythonIEEE goldenNetRun `json:"cython_ieee"`
}

func readGzJSON(t testing.TB, path string, v any) {
	t.Helper()
	if err := goldenfile.Decode(path, "tools/network_goldens.py", v); err != nil {
		t.Fatal(err)
	}
}

func networkGoldens(t testing.TB, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join("testdata", "network", pattern))
	if err != nil || len(m) == 0 {
		t.Fatalf("no golden files %s (regenerate with tools/network_goldens.py)", pattern)
	}
	return m
}

func readGoldenConnectivity(t testing.TB, path string) *Connectivity {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := ReadConnectivity(f)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNetworkMatchesBrian2 runs each golden noise-free network, with the connectivity Brian2 ran,
// and requires every spike (step and unit) to be Brian2's, the final state of every unit to equal
// Brian2's numpy target and its cython target compiled with IEEE flags double for double, and the
// mean currents to agree within 1e-9 relative (the sums are taken in different orders). Brian2's
// cython target with its default flags (-ffast-math -march=native) must give the same spikes; its
// final state differs in the last bits, and is held to 1e-9 relative.
func TestNetworkMatchesBrian2(t *testing.T) {
	for _, path := range networkGoldens(t, "det_*.json.gz") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			var g goldenNetDet
			readGzJSON(t, path, &g)
			cfg := g.config()
			conn := readGoldenConnectivity(t, path[:len(path)-len(".json.gz")]+"_conn.csv.gz")
			if err := conn.Check(cfg); err != nil {
				t.Fatalf("Brian2's connectivity does not fit the configuration: %v", err)
			}
			nExc, nInh := cfg.Sizes()
			if nExc != g.NExc || nInh != g.NInh || cfg.KickedUnits() != g.NKick {
				t.Fatalf("%d E, %d I, %d kicked; Brian2 %d, %d, %d", nExc, nInh, cfg.KickedUnits(), g.NExc, g.NInh, g.NKick)
			}
			for p := EE; p <= II; p++ {
				if k := cfg.SynapseCount(p); k != g.NSynapsesJSON[p.String()] || conn.Synapses(p) != k {
					t.Errorf("%v: %d synapses by the rule, %d read; Brian2 %d", p, k, conn.Synapses(p), g.NSynapsesJSON[p.String()])
				}
			}
			nw := mustNetwork(t, cfg, conn)
			if nw.Steps() != g.NSteps {
				t.Fatalf("%d steps, Brian2 %d", nw.Steps(), g.NSteps)
			}
			var s NetworkScratch
			var r NetworkResult
			if err := nw.Run(1, &s, &r); err != nil {
				t.Fatal(err)
			}
			want := g.Numpy
			if len(want.SpikeSteps) < 10 {
				t.Fatalf("Brian2 recorded %d spikes", len(want.SpikeSteps))
			}
			if !slices.Equal(r.SpikeSteps, want.SpikeSteps) || !slices.Equal(r.SpikeUnits, want.SpikeUnits) {
				k := 0
				for k < min(len(r.SpikeSteps), len(want.SpikeSteps)) && r.SpikeSteps[k] == want.SpikeSteps[k] && r.SpikeUnits[k] == want.SpikeUnits[k] {
					k++
				}
				t.Fatalf("%d spikes, Brian2 %d; first difference at spike %d", len(r.SpikeSteps), len(want.SpikeSteps), k)
			}
			for _, tc := range []struct {
				name string
				run  goldenNetRun
				rel  float64
			}{{"numpy", g.Numpy, 0}, {"cython (IEEE flags)", g.CythonIEEE, 0}, {"cython (default flags)", g.Cython, 1e-9}} {
				if tc.run.Agrees != nil && !*tc.run.Agrees {
					t.Errorf("%s: Brian2's spikes differ from its numpy target's from step %d", tc.name, *tc.run.FirstDiff)
					continue
				}
				differ := 0
				for i := range nExc + nInh {
					f := tc.run.Final.Exc
					k := i
					if i >= nExc {
						f, k = tc.run.Final.Inh, i-nExc
					}
					got, w := s.Unit(i), f.unit(k)
					if tc.rel == 0 && !sameState(got, w) || tc.rel > 0 && !closeState(got, w, tc.rel) {
						if differ < 3 {
							t.Errorf("%s: unit %d final state\n got %+v\nwant %+v", tc.name, i, got, w)
						}
						differ++
					}
				}
				if differ > 0 {
					t.Errorf("%s: %d of %d units' final states differ", tc.name, differ, nExc+nInh)
				}
				for _, m := range []struct {
					name      string
					got, want float64
				}{{"s_E onto E", r.MeanSEOntoE, tc.run.MeanSEOntoE}, {"s_I onto E", r.MeanSIOntoE, tc.run.MeanSIOntoE},
					{"s_E onto I", r.MeanSEOntoI, tc.run.MeanSEOntoI}, {"s_I onto I", r.MeanSIOntoI, tc.run.MeanSIOntoI}} {
					if !closeRel(m.got, m.want, 1e-9) {
						t.Errorf("%s: mean %s %.15g A, Brian2 %.15g A", tc.name, m.name, m.got, m.want)
					}
				}
			}
			t.Logf("%s: %d spikes (%d units), Brian2 numpy %.1f s, cython %.1f s; cython's default flags changed %d final values",
				g.Case, len(r.SpikeSteps), nExc+nInh, g.Numpy.Seconds, g.CythonIEEE.Seconds, g.Cython.FinalDiffering)
		})
	}
}

// closeState compares two states within rel relative, or within 1e-300 absolute: subnormal
// numbers (decayed currents of 1e-323 A) have too few bits for a relative comparison.
func closeState(a, b NetworkUnitState, rel float64) bool {
	c := func(x, y float64) bool { return closeRel(x, y, rel) || math.Abs(x-y) <= 1e-300 }
	return c(a.VVolt, b.VVolt) && c(a.IAdaptAmp, b.IAdaptAmp) && c(a.SEAmp, b.SEAmp) && c(a.UEAmp, b.UEAmp) &&
		c(a.SIAmp, b.SIAmp) && c(a.UIAmp, b.UIAmp) && c(a.SExtAmp, b.SExtAmp) && c(a.UExtAmp, b.UExtAmp) &&
		a.LastSpikeStep == b.LastSpikeStep
}

type goldenNetStats struct {
	goldenNetCase
	Runs []struct {
		Seed         int      `json:"seed"`
		NUps         int      `json:"n_ups"`
		MeanDuration float64  `json:"mean_duration"`
		UpRateE      float64  `json:"up_rate_e"`
		UpRateI      float64  `json:"up_rate_i"`
		FirstOnset   *float64 `json:"first_onset"`
		NSpikesE     int      `json:"n_spikes_e"`
		NSpikesI     int      `json:"n_spikes_i"`
		Seconds      float64  `json:"seconds"`
	} `json:"runs"`
}

// trialStats are the per-trial measures compared with Brian2 over seeds.
var trialStats = []string{"Up states", "mean duration (s)", "E Up rate (Hz)", "I Up rate (Hz)"}

// TestNetworkUpStatesMatchBrian2 runs the noisy golden settings (Brian2 ran 200 seeds of each)
// over 200 or 300 seeds, each seed with its own connectivity (NewConnectivity) and noise, measures each trial's Up states
// as the seed's training does (analysis.SummarizeUps), and requires the mean over seeds of each
// measure (number of Up states, mean duration, E and I Up rates) to lie within 3 standard errors
// of the difference, √(se²_eisweep + se²_Brian2), of Brian2's. Connectivity and noise are each
// side's own random numbers, so only distributions can agree.
func TestNetworkUpStatesMatchBrian2(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 500 network trials (about 30 s on two cores)")
	}
	for _, path := range networkGoldens(t, "stats_*.json.gz") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			var g goldenNetStats
			readGzJSON(t, path, &g)
			if len(g.Runs) < 100 {
				t.Fatalf("%d Brian2 trials, want at least 100", len(g.Runs))
			}
			cfg := g.config()
			brian := make([][]float64, len(trialStats))
			for _, r := range g.Runs {
				for k, v := range []float64{float64(r.NUps), r.MeanDuration, r.UpRateE, r.UpRateI} {
					brian[k] = append(brian[k], v)
				}
			}
			// eisweep runs 200 seeds of the 1000-unit network, 300 of smaller ones (4× cheaper at
			// N = 500).
			seeds := 200
			if cfg.NUnits < 1000 {
				seeds = 300
			}
			ours := runUpStatTrials(t, cfg, seeds)
			for k, name := range trialStats {
				a, b := analysis.Summarize(ours[k], math.NaN()), analysis.Summarize(brian[k], math.NaN())
				tol := 3 * math.Hypot(a.SEM, b.SEM)
				t.Logf("%-18s eisweep %.4g ± %.2g (SD %.3g), Brian2 %.4g ± %.2g (SD %.3g), n %d/%d",
					name, a.Mean, a.SEM, a.SD, b.Mean, b.SEM, b.SD, a.N, b.N)
				if a.N != seeds || b.N != len(g.Runs) {
					t.Errorf("%s: %d and %d finite values of %d and %d trials", name, a.N, b.N, seeds, len(g.Runs))
				}
				if !(math.Abs(a.Mean-b.Mean) <= tol) {
					t.Errorf("%s: eisweep's mean %.5g, Brian2's %.5g: differ by %.3g, more than 3 SE (%.3g)", name, a.Mean, b.Mean, math.Abs(a.Mean-b.Mean), tol)
				}
			}
		})
	}
}

// runUpStatTrials runs n trials of cfg (seed k: connectivity and noise of seed k), on all CPUs, and
// returns each trialStats measure per trial.
func runUpStatTrials(t *testing.T, cfg NetworkConfig, n int) [][]float64 {
	out := make([][]float64, len(trialStats))
	for k := range out {
		out[k] = make([]float64, n)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	errs := make(chan error, n)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s NetworkScratch
			var r NetworkResult
			var u analysis.NetworkUps
			for i := range next {
				seed := uint64(i + 1)
				conn, err := NewConnectivity(cfg, seed)
				if err == nil {
					var nw *Network
					if nw, err = NewNetwork(cfg, conn); err == nil {
						err = nw.Run(seed, &s, &r)
					}
				}
				if err == nil {
					nExc, nInh := cfg.Sizes()
					err = analysis.SummarizeUps(analysis.NetworkSpikes{Steps: r.SpikeSteps, Units: r.SpikeUnits, NExc: nExc, NInh: nInh,
						NKicked: cfg.KickedUnits(), DtSec: cfg.DtSec, DurationSec: cfg.DurationSec}, analysis.DefaultUpParams(), &u)
				}
				if err != nil {
					errs <- err
					continue
				}
				for k, v := range []float64{float64(len(u.Ups)), u.MeanDurationSec, u.UpRateEHz, u.UpRateIHz} {
					out[k][i] = v
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return out
}
