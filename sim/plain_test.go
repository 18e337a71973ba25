package sim

import (
	"math"
	"slices"
	"testing"
)

// runPlain is the plain implementation of Experiment.Run: each unit a State advanced by
// unitStep.step and reset by unitStep.reset, in Brian2's order. Run writes the same steps out
// with the state in local variables; TestRunMatchesPlain holds them to the same result.
func runPlain(x *Experiment, exc, inh Input, out *Result) {
	var e, i State
	x.exc.init(&e)
	x.inh.init(&i)
	out.SpikeStepsE, out.SpikeStepsI = out.SpikeStepsE[:0], out.SpikeStepsI[:0]
	var qEE, qEI, qIE, qII float64
	nextExc, nextInh := exc.Next(), inh.Next()
	for n := int64(0); n < x.steps; n++ {
		qEE, qEI, qIE, qII = qEE+e.SEAmp, qEI+e.SIAmp, qIE+i.SEAmp, qII+i.SIAmp
		spikeE := x.exc.step(&e, n)
		spikeI := x.inh.step(&i, n)
		for nextExc == n {
			e.UEAmp += x.exc.incExc
			i.UEAmp += x.inh.incExc
			nextExc = exc.Next()
		}
		for nextInh == n {
			e.UIAmp += x.exc.incInh
			i.UIAmp += x.inh.incInh
			nextInh = inh.Next()
		}
		if spikeE {
			x.exc.reset(&e)
			out.SpikeStepsE = append(out.SpikeStepsE, n)
		}
		if spikeI {
			x.inh.reset(&i)
			out.SpikeStepsI = append(out.SpikeStepsI, n)
		}
	}
	out.ChargeEEPC, out.ChargeEIPC = qEE*x.dtSec*1e12, qEI*x.dtSec*1e12
	out.ChargeIEPC, out.ChargeIIPC = qIE*x.dtSec*1e12, qII*x.dtSec*1e12
	out.FinalE, out.FinalI = e, i
}

// TestRunMatchesPlain: Run and runPlain agree bit for bit (spike steps, charges, final state) over
// many seeds and configurations: the defaults, strong drive with refractoriness in play, no
// adaptation, other time constants and clock.
func TestRunMatchesPlain(t *testing.T) {
	cfgs := map[string]func(*Config){
		"defaults":                     func(*Config) {},
		"strong drive, refractoriness": func(c *Config) { c.W.EEAmp *= 2.5; c.W.IEAmp *= 2.5; c.Exc.RefractorySec = 4e-3 },
		"no adaptation":                func(c *Config) { c.Exc.BetaAdaptAmpSec = 0 },
		"other time constants, dt":     func(c *Config) { c.Syn.TauRiseESec = 3e-3; c.Syn.TauFallISec = 5e-3; c.DtSec = 0.05e-3 },
	}
	for name, mod := range cfgs {
		cfg := seedConfig()
		mod(&cfg)
		x, err := NewExperiment(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var d1, d2 Drive
		var fast, plain Result
		spikes := 0
		for seed := uint64(1); seed <= 50; seed++ {
			e1, i1, _ := d1.Inputs(x, seedInput, seed)
			e2, i2, _ := d2.Inputs(x, seedInput, seed)
			if err := x.Run(e1, i1, &fast); err != nil {
				t.Fatal(err)
			}
			runPlain(x, e2, i2, &plain)
			same := slices.Equal(fast.SpikeStepsE, plain.SpikeStepsE) && slices.Equal(fast.SpikeStepsI, plain.SpikeStepsI) &&
				fast.FinalE == plain.FinalE && fast.FinalI == plain.FinalI
			for _, q := range [][2]float64{{fast.ChargeEEPC, plain.ChargeEEPC}, {fast.ChargeEIPC, plain.ChargeEIPC}, {fast.ChargeIEPC, plain.ChargeIEPC}, {fast.ChargeIIPC, plain.ChargeIIPC}} {
				same = same && math.Float64bits(q[0]) == math.Float64bits(q[1])
			}
			if !same {
				t.Fatalf("%s, seed %d: Run and the plain implementation differ:\n run   %+v %+v\n plain %+v %+v", name, seed, fast.FinalE, fast.FinalI, plain.FinalE, plain.FinalI)
			}
			spikes += len(fast.SpikeStepsE) + len(fast.SpikeStepsI)
		}
		if spikes == 0 {
			t.Errorf("%s: no spikes in 50 runs: the comparison tests nothing", name)
		}
	}
}
