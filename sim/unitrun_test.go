package sim

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestRunUnitMatchesRun: each unit simulated alone from recorded input gives exactly what the
// two-unit run gives for it (spike count, charges, final state), over seeds and configurations,
// and replaying the recording twice gives the same result twice.
func TestRunUnitMatchesRun(t *testing.T) {
	cfgs := map[string]func(*Config){
		"defaults":                     func(*Config) {},
		"strong drive, refractoriness": func(c *Config) { c.W.EEAmp *= 2.5; c.W.IEAmp *= 2.5; c.Exc.RefractorySec = 4e-3 },
		"other time constants, dt":     func(c *Config) { c.Syn.TauRiseESec = 3e-3; c.Syn.TauFallISec = 5e-3; c.DtSec = 0.05e-3 },
	}
	for name, mod := range cfgs {
		cfg := seedConfig()
		mod(&cfg)
		x, err := NewExperiment(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var d Drive
		var full Result
		for seed := uint64(1); seed <= 20; seed++ {
			runSeed(t, x, &d, seed, &full)
			exc, inh, err := d.Inputs(x, seedInput, seed)
			if err != nil {
				t.Fatal(err)
			}
			es, is := Record(nil, exc, x.Steps()), Record(nil, inh, x.Steps())
			if int64(len(es)) != full.InputSpikesExc || int64(len(is)) != full.InputSpikesInh {
				t.Fatalf("%s seed %d: recorded %d+%d input spikes, the run delivered %d+%d", name, seed, len(es), len(is), full.InputSpikesExc, full.InputSpikesInh)
			}
			se, _ := NewSteps(es)
			si, _ := NewSteps(is)
			for _, c := range []struct {
				u      UnitKind
				spikes int
				qe, qi float64
				final  State
			}{
				{UnitE, len(full.SpikeStepsE), full.ChargeEEPC, full.ChargeEIPC, full.FinalE},
				{UnitI, len(full.SpikeStepsI), full.ChargeIEPC, full.ChargeIIPC, full.FinalI},
			} {
				for range 2 {
					se.Reset()
					si.Reset()
					var r UnitResult
					if err := x.RunUnit(c.u, se, si, &r); err != nil {
						t.Fatal(err)
					}
					if r.Spikes != int64(c.spikes) || r.ChargeExcPC != c.qe || r.ChargeInhPC != c.qi || r.Final != c.final {
						t.Fatalf("%s seed %d unit %v: alone %d spikes, Q %v/%v, final %+v; in the run %d, %v/%v, %+v",
							name, seed, c.u, r.Spikes, r.ChargeExcPC, r.ChargeInhPC, r.Final, c.spikes, c.qe, c.qi, c.final)
					}
				}
			}
		}
	}
}

// TestRunUnitNumericalFailure: a runaway unit is an error wrapping ErrNumerical, naming the unit.
func TestRunUnitNumericalFailure(t *testing.T) {
	cfg := seedConfig()
	cfg.W.IIAmp = 1e-3 // inhibition of 1 mA per spike drives v to −∞
	x, err := NewExperiment(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var d Drive
	exc, inh, err := d.Inputs(x, seedInput, 1)
	if err != nil {
		t.Fatal(err)
	}
	var r UnitResult
	err = x.RunUnit(UnitI, exc, inh, &r)
	if !errors.Is(err, ErrNumerical) {
		t.Fatalf("got %v, want ErrNumerical", err)
	}
	if !strings.Contains(err.Error(), "I unit") {
		t.Errorf("%v does not name the I unit", err)
	}
}

// TestMeanRateMonotoneInInhibition: with common random numbers (the same 50 input recordings
// for every weight) the E unit's mean rate does not rise anywhere on a grid of 201 inhibitory
// weights 0.1% apart around the trained one: the property the solver's bracketing relies on.
func TestMeanRateMonotoneInInhibition(t *testing.T) {
	cfg := seedConfig()
	x0, err := NewExperiment(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var d Drive
	var exc, inh []*Steps
	for seed := uint64(1); seed <= 50; seed++ {
		e, i, err := d.Inputs(x0, seedInput, seed)
		if err != nil {
			t.Fatal(err)
		}
		se, _ := NewSteps(Record(nil, e, x0.Steps()))
		si, _ := NewSteps(Record(nil, i, x0.Steps()))
		exc, inh = append(exc, se), append(inh, si)
	}
	unit := cfg.W.EIAmp / 0.9750494640455015
	prev := int64(-1)
	var r UnitResult
	for k := range 201 {
		c := cfg
		c.W.EIAmp = unit * (0.9 + 0.001*float64(k))
		x, err := NewExperiment(c)
		if err != nil {
			t.Fatal(err)
		}
		var total int64
		for j := range exc {
			exc[j].Reset()
			inh[j].Reset()
			if err := x.RunUnit(UnitE, exc[j], inh[j], &r); err != nil {
				t.Fatal(err)
			}
			total += r.Spikes
		}
		if prev >= 0 && total > prev {
			t.Errorf("mult_ei %.3f: %d spikes over the replicates, more than %d at the weight below", 0.9+0.001*float64(k), total, prev)
		}
		prev = total
	}
}

// TestRunUnitsEqualsRunUnit: replays run four at a time in lockstep give what RunUnit gives each
// alone, for both units, bit for bit: results, final states, and the errors of replays that fail
// (here a burst of input that drives v away), also beside ones that do not; and a count that is
// not a multiple of four.
func TestRunUnitsEqualsRunUnit(t *testing.T) {
	x, err := NewExperiment(seedConfig())
	if err != nil {
		t.Fatal(err)
	}
	const n = 11
	exc, inh := make([]*Steps, n), make([]*Steps, n)
	for r := range n {
		es, is := recordedInput(t, x, uint64(r+1))
		if r == 2 || r == 9 { // 200,000 inhibitory spikes at step 3000
			burst := make([]int64, 200_000)
			for k := range burst {
				burst[k] = 3000
			}
			at := 0
			for at < len(is) && is[at] < 3000 {
				at++
			}
			is = append(is[:at:at], append(burst, is[at:]...)...)
		}
		if exc[r], err = NewSteps(es); err != nil {
			t.Fatal(err)
		}
		if inh[r], err = NewSteps(is); err != nil {
			t.Fatal(err)
		}
	}
	var b Batch
	for _, u := range []UnitKind{UnitE, UnitI} {
		outs, errs := make([]UnitResult, n), make([]error, n)
		for range 2 { // the second time with the buffers of the first
			b.RunUnits(x, u, exc, inh, outs, errs)
			failed := 0
			for r := range n {
				exc[r].Reset()
				inh[r].Reset()
				var want UnitResult
				werr := x.RunUnit(u, exc[r], inh[r], &want)
				if fmt.Sprint(errs[r]) != fmt.Sprint(werr) || outs[r] != want {
					t.Fatalf("unit %v replay %d: %+v, %v; alone %+v, %v", u, r, outs[r], errs[r], want, werr)
				}
				if werr != nil {
					failed++
				}
			}
			if failed != 2 {
				t.Fatalf("unit %v: %d replays failed, want the 2 with a burst", u, failed)
			}
		}
	}
	if BatchLanes() == 4 && lockstepRuns.Load() == 0 {
		t.Error("no replay ran in lockstep")
	}
}
