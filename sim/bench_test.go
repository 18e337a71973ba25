package sim

import (
	"testing"
)

// BenchmarkStep is one forward-Euler step of one unit (docs/MODEL.md §3), with synaptic input.
func BenchmarkStep(b *testing.B) {
	cfg := seedConfig()
	c := newUnitStep(cfg.Exc, cfg.Syn, cfg.DtSec, cfg.W.EEAmp, cfg.W.EIAmp)
	var st State
	c.init(&st)
	st.UEAmp, st.SEAmp = 3e-10, 2.8e-10
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if c.step(&st, int64(i)) {
			c.reset(&st)
		}
		st.UEAmp += c.incExc
	}
}

// BenchmarkSeedRun is one run of the seed experiment: 1 s of model time (10,000 steps of both
// units), Poisson input from 400 + 100 sources, measurements, with a reused Result and Drive.
func BenchmarkSeedRun(b *testing.B) {
	x, err := NewExperiment(seedConfig())
	if err != nil {
		b.Fatal(err)
	}
	var d Drive
	var r Result
	runSeed(b, x, &d, 1, &r)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		runSeed(b, x, &d, uint64(i), &r)
	}
}

// BenchmarkFIFull is the seed's full f-I test: 2 units × 3001 currents × 1 s.
func BenchmarkFIFull(b *testing.B) {
	cfg := seedConfig()
	currents := FICurrents(nil, 0, 300e-12, 3001)
	counts := make([]int64, len(currents))
	var s FIScratch
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, u := range []Unit{cfg.Exc, cfg.Inh} {
			if err := (FI{Unit: u, DtSec: cfg.DtSec, DurationSec: 1}).Counts(currents, counts, &s); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkStepBare is the lower bound of a run's step: the Euler arithmetic of both units (as
// unitStep.step) on local variables, without input delivery, monitors, refractoriness, spikes or
// checks. Per op: one step of both units.
func BenchmarkStepBare(b *testing.B) {
	cfg := seedConfig()
	e := newUnitStep(cfg.Exc, cfg.Syn, cfg.DtSec, cfg.W.EEAmp, cfg.W.EIAmp)
	i := newUnitStep(cfg.Inh, cfg.Syn, cfg.DtSec, cfg.W.IEAmp, cfg.W.IIAmp)
	ve, iae, see, uee, sie, uie := e.initialV, 0.0, 0.0, 3e-10, 0.0, 1e-10
	vi, iai, sei, uei, sii, uii := i.initialV, 0.0, 0.0, 3e-10, 0.0, 1e-10
	b.ResetTimer()
	for range b.N {
		ve, iae, see, uee, sie, uie = ve+float64(e.dt*(float64(e.gL*(e.eL-ve))+see-(iae+sie)))/e.cm,
			float64(e.aAdapt*iae)+iae, float64(e.aSE*(-see+uee))+see, float64(e.aUE*uee)+uee,
			float64(e.aSI*(-sie+uie))+sie, float64(e.aUI*uie)+uie
		vi, iai, sei, uei, sii, uii = vi+float64(i.dt*(float64(i.gL*(i.eL-vi))+sei-(iai+sii)))/i.cm,
			float64(i.aAdapt*iai)+iai, float64(i.aSE*(-sei+uei))+sei, float64(i.aUE*uei)+uei,
			float64(i.aSI*(-sii+uii))+sii, float64(i.aUI*uii)+uii
	}
	sinkState = ve + vi + iae + iai + see + sei + sie + sii + uee + uei + uie + uii
}

// sinkState keeps the benchmarks' results alive.
var sinkState float64

// BenchmarkRunUnitReplay is what the solver does per replicate and candidate: the E unit alone,
// 1 s of model time, driven by recorded seed input replayed (compare BenchmarkSeedRun, which
// also draws the input and runs both units).
func BenchmarkRunUnitReplay(b *testing.B) {
	x, err := NewExperiment(seedConfig())
	if err != nil {
		b.Fatal(err)
	}
	var d Drive
	exc, inh, err := d.Inputs(x, seedInput, 1)
	if err != nil {
		b.Fatal(err)
	}
	se, _ := NewSteps(Record(nil, exc, x.Steps()))
	si, _ := NewSteps(Record(nil, inh, x.Steps()))
	var r UnitResult
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		se.Reset()
		si.Reset()
		if err := x.RunUnit(UnitE, se, si, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunUnitsReplay is RunUnits of the E unit over 32 replays of recorded seed input (a
// solver's evaluation in small), per replay: in lockstep four at a time where the vector path is
// built, against BenchmarkRunUnitReplay's one alone.
func BenchmarkRunUnitsReplay(b *testing.B) {
	x, err := NewExperiment(seedConfig())
	if err != nil {
		b.Fatal(err)
	}
	const n = 32
	exc, inh := make([]*Steps, n), make([]*Steps, n)
	for r := range n {
		es, is := recordedInput(b, x, uint64(r+1))
		exc[r], _ = NewSteps(es)
		inh[r], _ = NewSteps(is)
	}
	outs, errs := make([]UnitResult, n), make([]error, n)
	var bt Batch
	b.ReportAllocs()
	for b.Loop() {
		bt.RunUnits(x, UnitE, exc, inh, outs, errs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/replay")
}

// BenchmarkPoisson is the seed's excitatory input alone (400 sources at 5 Hz over 10,000 steps
// of 0.1 ms), drawn spike by spike through Next: about 2,000 spikes per run.
func BenchmarkPoisson(b *testing.B) {
	var p Poisson
	spikes, seed := 0, uint64(0)
	for b.Loop() {
		seed++
		if err := p.Reset(seed, ^seed, 400, 5, 1e-4, 10_000); err != nil {
			b.Fatal(err)
		}
		for p.Next() != End {
			spikes++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(spikes), "ns/spike")
}
