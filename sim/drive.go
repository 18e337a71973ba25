package sim

import "fmt"

// InputMode selects how the input populations spike (docs/MODEL.md §1).
type InputMode int

const (
	// InputPoisson: every source is an independent Bernoulli process per step with probability
	// rate·dt (Brian2's PoissonGroup).
	InputPoisson InputMode = iota
	// InputRegular: the seed notebook's "fixed" mode, one source per population whose
	// round(rate·duration) spikes tile the run. Deterministic.
	InputRegular
)

// String returns the mode's name as sweep definitions spell it.
func (m InputMode) String() string {
	switch m {
	case InputPoisson:
		return "poisson"
	case InputRegular:
		return "regular"
	}
	return fmt.Sprintf("InputMode(%d)", int(m))
}

// ParseInputMode returns the mode named s ("poisson" or "regular").
func ParseInputMode(s string) (InputMode, error) {
	switch s {
	case "poisson":
		return InputPoisson, nil
	case "regular":
		return InputRegular, nil
	}
	return 0, fmt.Errorf("input mode %q: want \"poisson\" or \"regular\"", s)
}

// InputSpec describes the two input populations of a run.
type InputSpec struct {
	Mode      InputMode
	NExc      int     // excitatory sources (Poisson mode); the seed uses 400
	NInh      int     // inhibitory sources (Poisson mode); the seed uses 100
	RateExcHz float64 // rate of each excitatory source (Hz); the seed's E set point is 5 Hz
	RateInhHz float64 // rate of each inhibitory source (Hz); the seed's I set point is 14 Hz
}

// Drive builds the inputs of successive runs and owns their state, so a worker that reuses one
// Drive allocates nothing per run. The zero value is ready to use; a Drive is not safe for
// concurrent use.
type Drive struct {
	pExc, pInh Poisson
	rExc, rInh Regular
}

// Inputs returns the excitatory and inhibitory inputs of one run of x. In Poisson mode they
// draw from two random streams derived from seed, one per population, so the excitatory spike
// train of a seed does not depend on the inhibitory population's parameters and vice versa.
// The returned inputs are valid until the next call.
func (d *Drive) Inputs(x *Experiment, spec InputSpec, seed uint64) (exc, inh Input, err error) {
	cfg := x.Config()
	switch spec.Mode {
	case InputPoisson:
		e1, e2 := pcgSeed(seed, 0x45786369) // "Exci"
		i1, i2 := pcgSeed(seed, 0x496e6869) // "Inhi"
		if err := d.pExc.Reset(e1, e2, spec.NExc, spec.RateExcHz, cfg.DtSec, x.Steps()); err != nil {
			return nil, nil, fmt.Errorf("excitatory %w", err)
		}
		if err := d.pInh.Reset(i1, i2, spec.NInh, spec.RateInhHz, cfg.DtSec, x.Steps()); err != nil {
			return nil, nil, fmt.Errorf("inhibitory %w", err)
		}
		return &d.pExc, &d.pInh, nil
	case InputRegular:
		if err := d.rExc.Reset(spec.RateExcHz, cfg.DurationSec, cfg.DtSec); err != nil {
			return nil, nil, fmt.Errorf("excitatory %w", err)
		}
		if err := d.rInh.Reset(spec.RateInhHz, cfg.DurationSec, cfg.DtSec); err != nil {
			return nil, nil, fmt.Errorf("inhibitory %w", err)
		}
		return &d.rExc, &d.rInh, nil
	}
	return nil, nil, fmt.Errorf("unknown input mode %v", spec.Mode)
}

// pcgSeed is one population's PCG seed from the run seed and a tag of the population. Both
// 64-bit halves of the 128-bit state come from one SplitMix64 chain started at seed^tag, so no two
// (seed, tag) pairs share a half: in a 128-bit LCG the low half evolves on its own, and streams
// sharing it would be needlessly related.
func pcgSeed(seed, tag uint64) (hi, lo uint64) {
	hi = splitmix(seed ^ tag<<32)
	return hi, splitmix(hi)
}

// splitmix is the SplitMix64 finaliser: it spreads nearby seeds over the whole state space.
func splitmix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Sources returns the number of sources of each population: NExc and NInh in Poisson mode, one
// each in regular mode.
func (s InputSpec) Sources() (nExc, nInh int) {
	if s.Mode == InputRegular {
		return 1, 1
	}
	return s.NExc, s.NInh
}
