package sim

import (
	"fmt"
	"sync/atomic"
)

// Batch runs several independent runs. On amd64 with AVX2 it advances them four at a time in
// lockstep, one run per lane of the vector registers (lockSteps, batch_amd64.s): a run alone is
// one chain of dependent arithmetic that keeps the core waiting on each step's division, and four
// chains in one vector cost about what one does. Otherwise (other CPUs and architectures, the
// build tag purego) it runs them one after the other. Either way each run gives exactly what
// [Experiment.Run] gives it, bit for bit (TestBatchEqualsRun, in both builds).
//
// The zero value is ready; a Batch reuses its buffers from one call to the next and is not safe
// for concurrent use.
type Batch struct {
	lockstep *lockstep    // the vector path's scratch, nil until used
	units    *unitScratch // RunUnits' scratch, nil until used
}

// unitScratch is what RunUnits hands the lockstep path, kept between calls (no allocation).
type unitScratch struct {
	twin Experiment
	xs   [4]*Experiment
	res  [4]Result
	outs [4]*Result
	in   [2][4]Input
	errs [4]error
}

// BatchLanes is how many runs the batch path advances together: 4 where it runs in lockstep,
// else 1. A caller that batches runs gains nothing from more than a few times this many at once.
func BatchLanes() int {
	if run4 != nil {
		return 4
	}
	return 1
}

// run4 advances exactly four runs of equal step counts, none with traces, in lockstep; nil where
// the vector path is not built or the CPU lacks it.
var run4 func(b *lockstep, xs []*Experiment, exc, inh []Input, outs []*Result, errs []error)

// Run simulates len(xs) runs, run k being xs[k].Run(exc[k], inh[k], outs[k]), and stores run k's
// error in errs[k] (nil, or what Experiment.Run returns: a numerical failure ends only its own
// run). Runs of equal step counts without traces, four after one another in xs, go in lockstep;
// the others one at a time. A run's Stop flag stops the runs in lockstep with it.
func (b *Batch) Run(xs []*Experiment, exc, inh []Input, outs []*Result, errs []error) {
	k := len(xs)
	if len(exc) != k || len(inh) != k || len(outs) != k || len(errs) != k {
		panic(fmt.Sprintf("sim: batch of %d experiments with %d, %d inputs, %d results, %d errors", k, len(exc), len(inh), len(outs), len(errs)))
	}
	for j := 0; j < k; {
		if run4 != nil && j+4 <= k && lockable(xs[j:j+4], outs[j:j+4]) {
			if b.lockstep == nil {
				b.lockstep = new(lockstep)
			}
			run4(b.lockstep, xs[j:j+4], exc[j:j+4], inh[j:j+4], outs[j:j+4], errs[j:j+4])
			lockstepRuns.Add(1)
			j += 4
			continue
		}
		errs[j] = xs[j].Run(exc[j], inh[j], outs[j])
		j++
	}
}

// lockstepRuns counts the groups of four run in lockstep (for tests).
var lockstepRuns atomic.Int64

// lockable reports whether the runs can go in lockstep: equal step counts, no traces.
func lockable(xs []*Experiment, outs []*Result) bool {
	for j := range xs {
		if xs[j].steps != xs[0].steps || outs[j].Traces != nil {
			return false
		}
	}
	return true
}

// RunUnits simulates unit u of x for len(exc) runs of recorded input, run k being
// x.RunUnit(u, exc[k], inh[k], &outs[k]) from the start of its inputs (RunUnits resets them),
// with its error in errs[k]. Four at a time go in lockstep where the vector path is built: both
// units of a lane are unit u (the two units do not interact and see the same input, so the second
// is a copy, simulated beside the first at little cost: the lane waits on its update's latency),
// and the lane's E unit is RunUnit's run bit for bit (TestRunUnitsEqualsRunUnit). A run that fails
// is simulated again alone, for RunUnit's error and state.
func (b *Batch) RunUnits(x *Experiment, u UnitKind, exc, inh []*Steps, outs []UnitResult, errs []error) {
	k := len(exc)
	if len(inh) != k || len(outs) != k || len(errs) != k {
		panic(fmt.Sprintf("sim: %d excitatory inputs with %d inhibitory, %d results, %d errors", k, len(inh), len(outs), len(errs)))
	}
	for j := range k {
		exc[j].Reset()
		inh[j].Reset()
	}
	j := 0
	if run4 != nil && k >= 4 {
		if b.lockstep == nil {
			b.lockstep = new(lockstep)
		}
		if b.units == nil {
			b.units = new(unitScratch)
		}
		sc := b.units
		sc.twin = *x
		if u == UnitI {
			sc.twin.exc = sc.twin.inh
		} else {
			sc.twin.inh = sc.twin.exc
		}
		for l := range 4 {
			sc.xs[l], sc.outs[l] = &sc.twin, &sc.res[l]
		}
		for ; j+4 <= k; j += 4 {
			for l := range 4 {
				sc.in[0][l], sc.in[1][l] = exc[j+l], inh[j+l]
			}
			run4(b.lockstep, sc.xs[:], sc.in[0][:], sc.in[1][:], sc.outs[:], sc.errs[:])
			lockstepRuns.Add(1)
			for l := range 4 {
				if sc.errs[l] != nil {
					exc[j+l].Reset()
					inh[j+l].Reset()
					errs[j+l] = x.RunUnit(u, exc[j+l], inh[j+l], &outs[j+l])
					continue
				}
				r := &sc.res[l]
				outs[j+l] = UnitResult{Spikes: int64(len(r.SpikeStepsE)), RateHz: r.RateEHz, ChargeExcPC: r.ChargeEEPC, ChargeInhPC: r.ChargeEIPC, Final: r.FinalE}
				errs[j+l] = nil
			}
		}
	}
	for ; j < k; j++ {
		errs[j] = x.RunUnit(u, exc[j], inh[j], &outs[j])
	}
}
