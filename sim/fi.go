package sim

import (
	"fmt"
	"math"
	"sync/atomic"
)

// FI is the f-I test of docs/MODEL.md §5: copies of one unit without synaptic input, each driven by a
// constant current i_ext, simulated for a duration; a unit's rate is its spike count / duration.
// The update is Brian2's for that model:
//
//	v' = v + (dt·(((g_L·(E_L − v)) + i_ext) − i_adapt))/C_m   only if not refractory
//
// with the adaptation, threshold and reset of [Experiment].
type FI struct {
	Unit        Unit
	DtSec       float64 // clock step (s)
	DurationSec float64 // simulated time per current (s)
}

// Validate reports the first problem with f.
func (f FI) Validate() error {
	if err := f.Unit.Validate(); err != nil {
		return err
	}
	if !(f.DtSec > 0) || math.IsInf(f.DtSec, 0) {
		return fmt.Errorf("dt is %g s, want a positive time", f.DtSec)
	}
	if !(f.DurationSec > 0) || math.IsInf(f.DurationSec, 0) {
		return fmt.Errorf("duration is %g s, want a positive time", f.DurationSec)
	}
	return nil
}

// FIScratch holds per-current state for [FI.Counts]; reuse one per goroutine to avoid allocation.
// The zero value is ready to use.
type FIScratch struct {
	v, ia []float64
	last  []int64

	// Stop, when non-nil, is checked every few hundred steps; once it is set Counts returns
	// ErrStopped.
	Stop *atomic.Bool
}

// Counts simulates one unit per current in currentsAmp and stores each unit's spike count in
// counts, which must have the same length. scratch may be nil. It returns an error wrapping
// [ErrNumerical] if any unit's state becomes NaN, infinite or runs away.
func (f FI) Counts(currentsAmp []float64, counts []int64, scratch *FIScratch) error {
	if len(counts) != len(currentsAmp) {
		return fmt.Errorf("f-I: %d counts for %d currents", len(counts), len(currentsAmp))
	}
	if err := f.Validate(); err != nil {
		return fmt.Errorf("f-I: %w", err)
	}
	if scratch == nil {
		scratch = new(FIScratch)
	}
	m := len(currentsAmp)
	if cap(scratch.v) < m {
		scratch.v, scratch.ia, scratch.last = make([]float64, m), make([]float64, m), make([]int64, m)
	}
	v, ia, last := scratch.v[:m], scratch.ia[:m], scratch.last[:m]
	c := f.step()
	for k := range v {
		v[k], ia[k], last[k], counts[k] = c.initialV, 0, NeverSpiked, 0
	}
	steps := StepCount(f.DurationSec, f.DtSec)
	check := max(1, stopEvery/int64(max(m, 1)))
	for n := int64(0); n < steps; n++ {
		if n%check == 0 && scratch.Stop != nil && scratch.Stop.Load() {
			return ErrStopped
		}
		// The inner loop runs over independent units, so their dependency chains overlap. Its
		// body is fiStep written out by hand (the compiler does not inline fiStep, which costs
		// a third more time here); TestFISearchEqualsScan holds the two to the same counts.
		for k, iExt := range currentsAmp {
			vk, iak := v[k], ia[k]
			ia[k] = float64(c.aAdapt*iak) + iak
			if n-last[k] >= c.refSteps {
				vk = vk + float64(c.dt*(float64(c.gL*(c.eL-vk))+iExt-iak))/c.cm
				if vk >= c.vThresh {
					last[k] = n
					counts[k]++
					vk = c.vReset
					ia[k] += c.adaptJump
				}
				v[k] = vk
			}
		}
	}
	for k := range v {
		u := fiState{v: v[k], ia: ia[k]}
		if err := u.check(); err != nil {
			return fmt.Errorf("f-I at %g A: %w", currentsAmp[k], err)
		}
	}
	return nil
}

// Count simulates one unit at current iExtAmp and returns its spike count. With firstOnly it
// stops at the first spike and returns 1 (or 0 if the unit never fires), which is all a
// threshold search needs. The arithmetic is that of [FI.Counts], step for step.
func (f FI) Count(iExtAmp float64, firstOnly bool, stop *atomic.Bool) (int64, error) {
	if err := f.Validate(); err != nil {
		return 0, fmt.Errorf("f-I: %w", err)
	}
	c := f.step()
	u := fiState{v: c.initialV, last: NeverSpiked}
	steps := StepCount(f.DurationSec, f.DtSec)
	var count int64
	for n := int64(0); n < steps; n++ {
		if n&(stopEvery-1) == stopEvery-1 && stop != nil && stop.Load() {
			return 0, ErrStopped
		}
		if c.fiStep(&u, n, iExtAmp) {
			count++
			if firstOnly {
				return 1, nil
			}
		}
	}
	if err := u.check(); err != nil {
		return 0, fmt.Errorf("f-I at %g A: %w", iExtAmp, err)
	}
	return count, nil
}

func (f FI) step() unitStep { return newUnitStep(f.Unit, Synapses{1, 1, 1, 1}, f.DtSec, 0, 0) }

// fiState is one unit of the f-I test.
type fiState struct {
	v, ia float64
	last  int64
}

// fiStep advances a unit of the f-I test by one step at step n with current iExt and reports
// whether it spiked (and was reset):
//
//	v' = v + (dt·(((g_L·(E_L − v)) + i_ext) − i_adapt))/C_m   only if not refractory
func (c *unitStep) fiStep(u *fiState, n int64, iExt float64) bool {
	v, ia := u.v, u.ia
	u.ia = float64(c.aAdapt*ia) + ia
	if n-u.last < c.refSteps {
		return false
	}
	v = v + float64(c.dt*(float64(c.gL*(c.eL-v))+iExt-ia))/c.cm
	if v >= c.vThresh {
		u.last = n
		u.v = c.vReset
		u.ia += c.adaptJump
		return true
	}
	u.v = v
	return false
}

// check reports a unit whose state failed numerically.
func (u *fiState) check() error {
	if !(math.Abs(u.v) <= RunawayVolt) || math.IsNaN(u.ia) || math.IsInf(u.ia, 0) {
		return fmt.Errorf("%w: v = %g V, i_adapt = %g A", ErrNumerical, u.v, u.ia)
	}
	return nil
}

// FICurrents fills dst with the f-I test's n currents from iMinAmp to iMaxAmp, as the seed builds
// them: numpy.linspace over the values in nA, then multiplied by 1 nA
// (np.linspace(0, .3, 3001) * nA), so that the grid equals Brian2's double for double.
func FICurrents(dst []float64, iMinAmp, iMaxAmp float64, n int) []float64 {
	dst = Linspace(dst, iMinAmp/1e-9, iMaxAmp/1e-9, n)
	for i := range dst {
		dst[i] *= 1e-9
	}
	return dst
}

// SpikeSteps simulates one unit at current iExtAmp and appends the steps at which it spikes to
// dst; with trace non-nil it also records v (V) at the start of every step (as a monitor does).
// The arithmetic is that of [FI.Counts]. For the notebook's ISI figure.
func (f FI) SpikeSteps(dst []int64, iExtAmp float64, trace *[]float64) ([]int64, error) {
	if err := f.Validate(); err != nil {
		return dst, fmt.Errorf("f-I: %w", err)
	}
	c := f.step()
	u := fiState{v: c.initialV, last: NeverSpiked}
	steps := StepCount(f.DurationSec, f.DtSec)
	if trace != nil {
		*trace = (*trace)[:0]
	}
	for n := int64(0); n < steps; n++ {
		if trace != nil {
			*trace = append(*trace, u.v)
		}
		if c.fiStep(&u, n, iExtAmp) {
			dst = append(dst, n)
		}
	}
	if err := u.check(); err != nil {
		return dst, fmt.Errorf("f-I at %g A: %w", iExtAmp, err)
	}
	return dst, nil
}
