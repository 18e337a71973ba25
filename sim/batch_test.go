package sim

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// batchCase is one run of a batch test: its configuration, input and seed.
type batchCase struct {
	name string
	cfg  Config
	in   InputSpec
	seed uint64
}

// batchCases are runs unlike each other: the seed point at several seeds, other durations,
// long refractory periods, many input spikes per step, a numerical failure partway, the
// regular input, no inhibitory input, adaptation in the I unit.
func batchCases() []batchCase {
	var cs []batchCase
	for s := range uint64(5) {
		cs = append(cs, batchCase{fmt.Sprintf("seed %d", s), seedConfig(), seedInput, s})
	}
	short := seedConfig()
	short.DurationSec = 0.3217
	long := seedConfig()
	long.DurationSec = 1.7
	refr := seedConfig()
	refr.Exc.RefractorySec, refr.Inh.RefractorySec = 9*ms, 4.5*ms
	busy := seedConfig() // 100 times the input spikes at about a hundredth of the weights
	busy.W.EEAmp, busy.W.IEAmp, busy.W.EIAmp, busy.W.IIAmp = busy.W.EEAmp/70, busy.W.IEAmp/70, busy.W.EIAmp/100, busy.W.IIAmp/100
	fail := seedConfig()
	fail.W.EIAmp = 1e-3 // v runs to −∞ at the first inhibitory spike
	adapt := seedConfig()
	adapt.Inh.BetaAdaptAmpSec = 2 * nA * ms
	cs = append(cs,
		batchCase{"short run", short, seedInput, 7},
		batchCase{"long run", long, seedInput, 8},
		batchCase{"long refractory periods", refr, InputSpec{Mode: InputPoisson, NExc: 400, NInh: 100, RateExcHz: 9, RateInhHz: 14}, 9},
		batchCase{"many spikes per step", busy, InputSpec{Mode: InputPoisson, NExc: 20000, NInh: 5000, RateExcHz: 10, RateInhHz: 28}, 10},
		batchCase{"numerical failure", fail, seedInput, 11},
		batchCase{"regular input", seedConfig(), InputSpec{Mode: InputRegular, RateExcHz: 2000, RateInhHz: 1400}, 12},
		batchCase{"no inhibition", seedConfig(), InputSpec{Mode: InputPoisson, NExc: 400, NInh: 0, RateExcHz: 4, RateInhHz: 14}, 13},
		batchCase{"adapting I unit", adapt, seedInput, 14},
	)
	return cs
}

// sameResult reports how b differs from a, "" if in nothing: every measurement to the bit.
func sameResult(a, b *Result) string {
	bits := math.Float64bits
	switch {
	case !slices.Equal(a.SpikeStepsE, b.SpikeStepsE) || !slices.Equal(a.SpikeStepsI, b.SpikeStepsI):
		return fmt.Sprintf("spikes: E %d vs %d, I %d vs %d", len(a.SpikeStepsE), len(b.SpikeStepsE), len(a.SpikeStepsI), len(b.SpikeStepsI))
	case bits(a.ChargeEEPC) != bits(b.ChargeEEPC) || bits(a.ChargeEIPC) != bits(b.ChargeEIPC) ||
		bits(a.ChargeIEPC) != bits(b.ChargeIEPC) || bits(a.ChargeIIPC) != bits(b.ChargeIIPC):
		return fmt.Sprintf("charges %v %v %v %v vs %v %v %v %v", a.ChargeEEPC, a.ChargeEIPC, a.ChargeIEPC, a.ChargeIIPC, b.ChargeEEPC, b.ChargeEIPC, b.ChargeIEPC, b.ChargeIIPC)
	case a.InputSpikesExc != b.InputSpikesExc || a.InputSpikesInh != b.InputSpikesInh:
		return fmt.Sprintf("input spikes %d, %d vs %d, %d", a.InputSpikesExc, a.InputSpikesInh, b.InputSpikesExc, b.InputSpikesInh)
	case bits(a.RateEHz) != bits(b.RateEHz) || bits(a.RateIHz) != bits(b.RateIHz):
		return fmt.Sprintf("rates %v, %v vs %v, %v", a.RateEHz, a.RateIHz, b.RateEHz, b.RateIHz)
	case !sameUnitState(a.FinalE, b.FinalE) || !sameUnitState(a.FinalI, b.FinalI):
		return fmt.Sprintf("final states %+v %+v vs %+v %+v", a.FinalE, a.FinalI, b.FinalE, b.FinalI)
	}
	return ""
}

func sameUnitState(a, b State) bool {
	bits := math.Float64bits
	return bits(a.VVolt) == bits(b.VVolt) && bits(a.IAdaptAmp) == bits(b.IAdaptAmp) && bits(a.SEAmp) == bits(b.SEAmp) &&
		bits(a.UEAmp) == bits(b.UEAmp) && bits(a.SIAmp) == bits(b.SIAmp) && bits(a.UIAmp) == bits(b.UIAmp) && a.LastSpikeStep == b.LastSpikeStep
}

// TestBatchEqualsRun: every run of a batch of unlike runs, in batches of every size from 1 to all
// of them and in two orders, gives exactly what Experiment.Run gives it: the same spikes, charges
// and final states to the bit, and the same error (the numerical failure ends only its own run).
func TestBatchEqualsRun(t *testing.T) {
	cs := batchCases()
	want := make([]Result, len(cs))
	wantErr := make([]string, len(cs))
	xs := make([]*Experiment, len(cs))
	for k, c := range cs {
		x, err := NewExperiment(c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		xs[k] = x
		var d Drive
		exc, inh, err := d.Inputs(x, c.in, c.seed)
		if err != nil {
			t.Fatal(err)
		}
		if err := x.Run(exc, inh, &want[k]); err != nil {
			wantErr[k] = err.Error()
		}
	}
	if wantErr[9] == "" || want[8].InputSpikesExc < 10*xs[8].Steps() || len(want[8].SpikeStepsI) == 0 {
		t.Fatalf("the cases do not do what they say: failure %q, busy run's input spikes %d in %d steps, I spikes %d",
			wantErr[9], want[8].InputSpikesExc, xs[8].Steps(), len(want[8].SpikeStepsI))
	}
	var b Batch
	before := lockstepRuns.Load()
	defer func() {
		if BatchLanes() > 1 && lockstepRuns.Load() == before {
			t.Error("the vector path is built but no batch went through it")
		}
		t.Logf("%d batches of four in lockstep (lanes %d)", lockstepRuns.Load()-before, BatchLanes())
	}()
	for _, order := range [][]int{identity(len(cs)), reversed(len(cs))} {
		for size := 1; size <= len(cs); size++ {
			for start := 0; start < len(cs); start += size {
				idx := order[start:min(start+size, len(cs))]
				bx := make([]*Experiment, len(idx))
				exc, inh := make([]Input, len(idx)), make([]Input, len(idx))
				outs, errs := make([]*Result, len(idx)), make([]error, len(idx))
				drives := make([]Drive, len(idx))
				for j, k := range idx {
					bx[j] = xs[k]
					var err error
					if exc[j], inh[j], err = drives[j].Inputs(xs[k], cs[k].in, cs[k].seed); err != nil {
						t.Fatal(err)
					}
					outs[j] = &Result{SpikeStepsE: []int64{99}} // a used Result: Run must reset it
				}
				b.Run(bx, exc, inh, outs, errs)
				for j, k := range idx {
					got := ""
					if errs[j] != nil {
						got = errs[j].Error()
					}
					if got != wantErr[k] {
						t.Errorf("batch of %d: %s: error %q, want %q", len(idx), cs[k].name, got, wantErr[k])
					}
					if d := sameResult(&want[k], outs[j]); d != "" {
						t.Errorf("batch of %d: %s: %s", len(idx), cs[k].name, d)
					}
				}
			}
		}
	}
}

func identity(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func reversed(n int) []int {
	s := identity(n)
	slices.Reverse(s)
	return s
}

// TestBatchTraces: a run asking for traces is run alone and gets them, the same as
// Experiment.Run records.
func TestBatchTraces(t *testing.T) {
	x, err := NewExperiment(seedConfig())
	if err != nil {
		t.Fatal(err)
	}
	var d Drive
	e, i, _ := d.Inputs(x, seedInput, 3)
	want := Result{Traces: new(Traces)}
	if err := x.Run(e, i, &want); err != nil {
		t.Fatal(err)
	}
	drives := make([]Drive, 4)
	xs, exc, inh := make([]*Experiment, 4), make([]Input, 4), make([]Input, 4)
	outs, errs := make([]*Result, 4), make([]error, 4)
	for k := range 4 {
		xs[k], outs[k] = x, new(Result)
		exc[k], inh[k], _ = drives[k].Inputs(x, seedInput, 3)
	}
	outs[2].Traces = new(Traces)
	var b Batch
	b.Run(xs, exc, inh, outs, errs)
	if errs[2] != nil || !slices.Equal(outs[2].Traces.VE, want.Traces.VE) || !slices.Equal(outs[2].Traces.SII, want.Traces.SII) {
		t.Errorf("traces differ from Experiment.Run's (error %v)", errs[2])
	}
	if d := sameResult(&want, outs[0]); d != "" {
		t.Errorf("the run beside it: %s", d)
	}
}

// BenchmarkSeedBatch is BenchmarkSeedRun's run, lanes at a time in lockstep. Per op: one run.
func BenchmarkSeedBatch(b *testing.B) {
	for _, lanes := range []int{1, 2, 4, 8, 16} {
		b.Run(fmt.Sprintf("lanes=%d", lanes), func(b *testing.B) {
			x, err := NewExperiment(seedConfig())
			if err != nil {
				b.Fatal(err)
			}
			xs := make([]*Experiment, lanes)
			drives := make([]Drive, lanes)
			exc, inh := make([]Input, lanes), make([]Input, lanes)
			outs, errs := make([]*Result, lanes), make([]error, lanes)
			for j := range xs {
				xs[j], outs[j] = x, new(Result)
			}
			var batch Batch
			run := func(seed uint64) {
				for j := range xs {
					exc[j], inh[j], _ = drives[j].Inputs(x, seedInput, seed+uint64(j))
				}
				batch.Run(xs, exc, inh, outs, errs)
			}
			run(0)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += lanes {
				run(uint64(i))
			}
		})
	}
}

// BenchmarkSeedBatchReplay is BenchmarkSeedBatch/lanes=4 with each run's Poisson input drawn
// once, before the timing, and replayed: the batch simulation alone (flagging and delivering the
// input, both units, the events), without drawing the random numbers. Per op: one seed run.
func BenchmarkSeedBatchReplay(b *testing.B) {
	x, err := NewExperiment(seedConfig())
	if err != nil {
		b.Fatal(err)
	}
	const lanes = 4
	xs := make([]*Experiment, lanes)
	exc, inh := make([]Input, lanes), make([]Input, lanes)
	steps := make([]*Steps, 2*lanes)
	outs, errs := make([]*Result, lanes), make([]error, lanes)
	for j := range xs {
		var d Drive
		e, i, err := d.Inputs(x, seedInput, uint64(j))
		if err != nil {
			b.Fatal(err)
		}
		for k, in := range []Input{e, i} {
			var s []int64
			for n := in.Next(); n != End; n = in.Next() {
				s = append(s, n)
			}
			if steps[2*j+k], err = NewSteps(s); err != nil {
				b.Fatal(err)
			}
		}
		xs[j], outs[j], exc[j], inh[j] = x, new(Result), steps[2*j], steps[2*j+1]
	}
	var batch Batch
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += lanes {
		for _, s := range steps {
			s.Reset()
		}
		batch.Run(xs, exc, inh, outs, errs)
	}
}
