package sim

import (
	"errors"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// Unit scales as variables, so that 3 * nA * ms is computed at run time, left to right, as
// Brian2 computes it (Go folds constant expressions exactly, which can differ in the last bit).
var mV, ms, pF, nS, nA = 1e-3, 1e-3, 1e-12, 1e-9, 1e-9

// seedConfig is docs/MODEL.md §4's defaults, as Brian2 holds them (SI units).
func seedConfig() Config {
	exc := Unit{ELeakVolt: 7.6 * mV, VResetVolt: 14 * mV, VThreshVolt: 20 * mV, CmFarad: 200 * pF,
		GLeakSiemens: 10 * nS, RefractorySec: 2.5 * ms, BetaAdaptAmpSec: 3 * nA * ms, TauAdaptSec: 500 * ms}
	inh := Unit{ELeakVolt: 6.5 * mV, VResetVolt: 14 * mV, VThreshVolt: 20 * mV, CmFarad: 100 * pF,
		GLeakSiemens: 10 * nS, RefractorySec: 1 * ms, BetaAdaptAmpSec: 0 * nA * ms, TauAdaptSec: 500 * ms}
	nExc, nInh := FanIn(1000, 0.5, 0.2)
	return Config{
		DtSec: 0.1 * ms, DurationSec: 1, Exc: exc, Inh: inh,
		Syn: Synapses{TauRiseESec: 8 * ms, TauFallESec: 23 * ms, TauRiseISec: 1 * ms, TauFallISec: 1 * ms},
		W: Weights{
			EEAmp: JercogWeight(2.8*nA, nExc, exc.MembraneTauMs(), 1.0249649370098968),
			IEAmp: JercogWeight(5*nA, nExc, inh.MembraneTauMs(), 0.9913780811668145),
			EIAmp: JercogWeight(0.7*nA, nInh, exc.MembraneTauMs(), 0.9750494640455015),
			IIAmp: JercogWeight(1*nA, nInh, inh.MembraneTauMs(), 1.0108023944074438),
		},
	}
}

var seedInput = InputSpec{Mode: InputPoisson, NExc: 400, NInh: 100, RateExcHz: 5, RateInhHz: 14}

func runSeed(t testing.TB, x *Experiment, d *Drive, seed uint64, r *Result) {
	t.Helper()
	exc, inh, err := d.Inputs(x, seedInput, seed)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Run(exc, inh, r); err != nil {
		t.Fatal(err)
	}
}

// TestNumericalFailureIsAnError: absurd parameters make the state run away or become NaN; the
// run returns ErrNumerical instead of panicking or returning garbage.
func TestNumericalFailureIsAnError(t *testing.T) {
	cases := []struct {
		reason string
		mod    func(*Config)
	}{
		{"inhibition of 1 mA per spike drives v to −∞", func(c *Config) { c.W.EIAmp = 1e-3 }},
		{"tiny capacitance makes Euler unstable", func(c *Config) { c.Exc.CmFarad = 1e-15 }},
		{"huge negative leak reversal", func(c *Config) { c.Inh.ELeakVolt = -1e6 }},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			cfg := seedConfig()
			c.mod(&cfg)
			x, err := NewExperiment(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var d Drive
			exc, inh, err := d.Inputs(x, seedInput, 1)
			if err != nil {
				t.Fatal(err)
			}
			var r Result
			err = x.Run(exc, inh, &r)
			if !errors.Is(err, ErrNumerical) {
				t.Fatalf("err = %v, want ErrNumerical", err)
			}
		})
	}
}

// TestConfigValidation: unusable parameters are errors that name the parameter.
func TestConfigValidation(t *testing.T) {
	cases := []struct {
		reason, want string
		mod          func(*Config)
	}{
		{"zero dt", "dt", func(c *Config) { c.DtSec = 0 }},
		{"negative duration", "duration", func(c *Config) { c.DurationSec = -1 }},
		{"zero capacitance", "c_m", func(c *Config) { c.Exc.CmFarad = 0 }},
		{"NaN leak", "e_leak", func(c *Config) { c.Inh.ELeakVolt = math.NaN() }},
		{"zero rise time", "tau_rise_i", func(c *Config) { c.Syn.TauRiseISec = 0 }},
		{"infinite weight", "w_ii", func(c *Config) { c.W.IIAmp = math.Inf(1) }},
		{"negative refractory", "refractory", func(c *Config) { c.Exc.RefractorySec = -1e-3 }},
	}
	for _, c := range cases {
		cfg := seedConfig()
		c.mod(&cfg)
		_, err := NewExperiment(cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to name %q", c.reason, err, c.want)
		}
	}
}

// TestTracesMatchCharges: the recorded traces are the monitor's view (before each step's update,
// starting from the initial state), and the charges are their sums times dt.
func TestTracesMatchCharges(t *testing.T) {
	x, err := NewExperiment(seedConfig())
	if err != nil {
		t.Fatal(err)
	}
	var d Drive
	r := Result{Traces: new(Traces)}
	runSeed(t, x, &d, 3, &r)
	tr := r.Traces
	if int64(len(tr.VE)) != x.Steps() || tr.VE[0] != 7.6*mV || tr.VI[0] != 6.5*mV || tr.SEE[0] != 0 {
		t.Fatalf("traces start %v %v %v (len %d), want E_L, E_L, 0 over %d steps", tr.VE[0], tr.VI[0], tr.SEE[0], len(tr.VE), x.Steps())
	}
	sum := func(s []float64) (q float64) {
		for _, v := range s {
			q += v
		}
		return q * x.Config().DtSec * 1e12
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"Q_EE", sum(tr.SEE), r.ChargeEEPC}, {"Q_EI", sum(tr.SIE), r.ChargeEIPC}, {"Q_IE", sum(tr.SEI), r.ChargeIEPC}, {"Q_II", sum(tr.SII), r.ChargeIIPC}} {
		if c.got != c.want {
			t.Errorf("%s: trace sum %v pC, charge %v pC", c.name, c.got, c.want)
		}
	}
	// Each E spike step n: v crossed threshold in step n and was reset, so the monitor at n+1
	// sees v_reset.
	for _, n := range r.SpikeStepsE {
		if n+1 < int64(len(tr.VE)) && tr.VE[n+1] != 14*mV {
			t.Errorf("E spike at step %d: v at next step %v, want v_reset", n, tr.VE[n+1])
		}
	}
	// A run with traces equals one without.
	var plain Result
	runSeed(t, x, &d, 3, &plain)
	if !slices.Equal(plain.SpikeStepsE, r.SpikeStepsE) || plain.ChargeEEPC != r.ChargeEEPC {
		t.Error("recording traces changed the run")
	}
}

// TestSeedDeterminism: the same seed gives the same run; different seeds different runs.
func TestSeedDeterminism(t *testing.T) {
	x, err := NewExperiment(seedConfig())
	if err != nil {
		t.Fatal(err)
	}
	var d1, d2 Drive
	var a, b, c Result
	runSeed(t, x, &d1, 42, &a)
	runSeed(t, x, &d1, 43, &c) // reuse the Drive in between
	runSeed(t, x, &d2, 42, &b)
	if !slices.Equal(a.SpikeStepsE, b.SpikeStepsE) || !slices.Equal(a.SpikeStepsI, b.SpikeStepsI) || a.ChargeEEPC != b.ChargeEEPC {
		t.Error("same seed, different runs")
	}
	if a.ChargeEEPC == c.ChargeEEPC {
		t.Error("different seeds, same charge")
	}
}

// TestRunDoesNotAllocate: with a reused Result and Drive a run allocates nothing — no allocation
// per time step, nor per run.
func TestRunDoesNotAllocate(t *testing.T) {
	x, err := NewExperiment(seedConfig())
	if err != nil {
		t.Fatal(err)
	}
	var d Drive
	r := Result{SpikeStepsE: make([]int64, 0, 1000), SpikeStepsI: make([]int64, 0, 1000)}
	seed := uint64(0)
	allocs := testing.AllocsPerRun(20, func() {
		seed++
		runSeed(t, x, &d, seed, &r)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run, want 0", allocs)
	}
}

// TestStop: a set Stop flag ends a long run and an f-I test early with ErrStopped.
func TestStop(t *testing.T) {
	cfg := seedConfig()
	cfg.DurationSec = 1000 // 10^7 steps: far longer than the test waits
	x, err := NewExperiment(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var d Drive
	exc, inh, err := d.Inputs(x, seedInput, 1)
	if err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	stop.Store(true)
	r := Result{Stop: &stop}
	if err := x.Run(exc, inh, &r); !errors.Is(err, ErrStopped) {
		t.Fatalf("run: err = %v, want ErrStopped", err)
	}
	if r.InputSpikesExc > 30_000 { // the full run would deliver 2,000,000; one check window ~22,000
		t.Errorf("stopped run went too far: %d input spikes", r.InputSpikesExc)
	}
	currents := FICurrents(nil, 0, 300e-12, 3001)
	fi := FI{Unit: cfg.Exc, DtSec: cfg.DtSec, DurationSec: 1000}
	if err := fi.Counts(currents, make([]int64, len(currents)), &FIScratch{Stop: &stop}); !errors.Is(err, ErrStopped) {
		t.Fatalf("f-I: err = %v, want ErrStopped", err)
	}
}
