package sim

import (
	"fmt"
	"math"
	"sync/atomic"
)

// FI is the f-I test of MODEL.md §5: copies of one unit without synaptic input, each driven by a
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
	scratch.v = resizeFloat(scratch.v, m)
	scratch.ia = resizeFloat(scratch.ia, m)
	if cap(scratch.last) < m {
		scratch.last = make([]int64, m)
	}
	v, ia, last := scratch.v, scratch.ia, scratch.last[:m]
	c := newUnitStep(f.Unit, Synapses{1, 1, 1, 1}, f.DtSec, 0, 0)
	for k := range v {
		v[k], ia[k], last[k], counts[k] = c.initialV, 0, NeverSpiked, 0
	}
	steps := StepCount(f.DurationSec, f.DtSec)
	check := max(1, stopEvery/int64(max(m, 1)))
	for n := int64(0); n < steps; n++ {
		if n%check == 0 && scratch.Stop != nil && scratch.Stop.Load() {
			return ErrStopped
		}
		// The inner loop runs over independent units, so their dependency chains overlap.
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
	for k, vk := range v {
		if !(math.Abs(vk) <= RunawayVolt) || math.IsNaN(ia[k]) || math.IsInf(ia[k], 0) {
			return fmt.Errorf("f-I at %g A: %w: v = %g V, i_adapt = %g A at the end", currentsAmp[k], ErrNumerical, vk, ia[k])
		}
	}
	return nil
}

func resizeFloat(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
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
