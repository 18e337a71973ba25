package analysis

import (
	"fmt"
	"math"
)

// Up states of a recurrent network trial (docs/MODEL.md, "The recurrent network"), computed as the
// Paradoxical2022 code that trained the seed's weights computes them (its Results.calculate_PSTH,
// calculate_upstates with functions.find_upstates, calculate_upFR_units, and trainer.py's per-trial
// summary), down to the floating-point details that decide edge cases:
//
//   - spike times are step·dt rounded to float32, as that code stores them;
//   - histogram edges are numpy's arange(0, duration, bin), k·bin for k = 0 … ⌈duration/bin⌉−1;
//     bins are [edge_k, edge_k+1) and the last one is closed; spikes after the last edge (the final
//     partial bin) are in no bin;
//   - a spike is inside an Up state if start < t < end, compared in float32 (numpy 1.x casts the
//     float64 bounds to the float32 times' type);
//   - means over units or Up states are numpy's (pairwise summation, then division by the count).

// UpParams are the settings of Up-state detection. [DefaultUpParams] are the seed's.
type UpParams struct {
	BinSec      float64 // histogram bin width (s): 10 ms
	ThresholdHz float64 // a bin of the I population's rate at or above this is "up": 0.2 Hz
	MinDownSec  float64 // Down states not longer than this are removed, merging their Ups: 0.1 s
	MinUpSec    float64 // Up states not longer than this are then removed: 0.1 s
}

// DefaultUpParams returns the seed's settings: 10 ms bins, 0.2 Hz, 0.1 s, 0.1 s.
func DefaultUpParams() UpParams {
	return UpParams{BinSec: 0.01, ThresholdHz: 0.2, MinDownSec: 0.1, MinUpSec: 0.1}
}

// Validate reports the first setting of p that cannot be used.
func (p UpParams) Validate() error {
	if !(p.BinSec > 0) || math.IsInf(p.BinSec, 0) {
		return fmt.Errorf("Up-state bin is %g s, want a positive time", p.BinSec)
	}
	if math.IsNaN(p.ThresholdHz) || math.IsInf(p.ThresholdHz, 0) {
		return fmt.Errorf("Up-state threshold is %v Hz, want a finite rate", p.ThresholdHz)
	}
	if !(p.MinDownSec >= 0) || math.IsInf(p.MinDownSec, 0) {
		return fmt.Errorf("Up-state minimum Down duration is %g s, want ≥ 0", p.MinDownSec)
	}
	if !(p.MinUpSec >= 0) || math.IsInf(p.MinUpSec, 0) {
		return fmt.Errorf("Up-state minimum Up duration is %g s, want ≥ 0", p.MinUpSec)
	}
	return nil
}

// PSTHBins returns the number of histogram bins of a trial: numpy's arange(0, duration, bin) has
// ⌈duration/bin⌉ edges, one bin fewer.
func PSTHBins(binSec, durationSec float64) int {
	return max(int(math.Ceil(durationSec/binSec))-1, 0)
}

// spikeTime32 is a spike's time as the seed's code holds it: Brian2's t = step·dt, as float32.
func spikeTime32(step int64, dtSec float64) float32 { return float32(float64(step) * dtSec) }

// binOf returns the bin of time t (float32) among nBins bins of width binSec, or −1 if t is in
// none, as numpy's histogram decides (t compared as a float64 with the edges k·bin).
func binOf(t float32, binSec float64, nBins int) int {
	x := float64(t)
	edge := func(k int) float64 { return float64(k) * binSec }
	if nBins <= 0 || x < 0 || x > edge(nBins) {
		return -1
	}
	k := min(int(x/binSec), nBins)
	for k > 0 && edge(k) > x {
		k--
	}
	for k < nBins && edge(k+1) <= x {
		k++
	}
	return min(k, nBins-1) // the last bin is closed
}

// PSTH returns the rate per unit (Hz) of units lo … hi−1 in each bin of a trial:
// count/bin/(hi−lo), the spikes given by step and unit (spikeSteps[k], units[k]).
func PSTH(spikeSteps []int64, units []int32, lo, hi int32, dtSec, binSec, durationSec float64) []float64 {
	return PSTHInto(nil, spikeSteps, units, lo, hi, dtSec, binSec, durationSec)
}

// PSTHInto is PSTH reusing dst's storage.
func PSTHInto(dst []float64, spikeSteps []int64, units []int32, lo, hi int32, dtSec, binSec, durationSec float64) []float64 {
	nBins := PSTHBins(binSec, durationSec)
	if cap(dst) < nBins {
		dst = make([]float64, nBins)
	}
	dst = dst[:nBins]
	clear(dst)
	for k, s := range spikeSteps {
		if u := units[k]; u < lo || u >= hi {
			continue
		}
		if b := binOf(spikeTime32(s, dtSec), binSec, nBins); b >= 0 {
			dst[b]++
		}
	}
	n := float64(hi - lo)
	for b, c := range dst {
		dst[b] = c / binSec / n
	}
	return dst
}

// UpState is one Up state: from bin StartBin to bin EndBin of the histogram (EndBin may be the
// number of bins, for an Up still running at the end), in seconds StartBin·bin and EndBin·bin.
type UpState struct {
	StartBin, EndBin int
	StartSec, EndSec float64
	DurationSec      float64 // (EndBin − StartBin)·bin
}

// UpStates finds the Up states in rateIHz, the inhibitory population's histogram: a bin is up at
// ≥ thresholdHz (below: < thresholdHz); an upward crossing starts an Up and a downward crossing
// ends it; an Up still running at the end ends there; a Down before the first Up is dropped; then
// Downs not longer than minDownSec are removed (their Ups merge) and Ups not longer than minUpSec
// are removed. As the seed's find_upstates (with last_up_must_end false) does it, quirks included:
// when the trial starts up and has one Up after that first Down, dropping that Down leaves no Up.
func UpStates(rateIHz []float64, binSec, thresholdHz, minDownSec, minUpSec float64) []UpState {
	return UpStatesInto(nil, rateIHz, binSec, thresholdHz, minDownSec, minUpSec)
}

// UpStatesInto is UpStates reusing dst's storage.
func UpStatesInto(dst []UpState, rateIHz []float64, binSec, thresholdHz, minDownSec, minUpSec float64) []UpState {
	dst = dst[:0]
	n := len(rateIHz)
	// Crossings, as bin indices.
	var ups, downs []int
	for i := 1; i < n; i++ {
		if rateIHz[i-1] < thresholdHz && rateIHz[i] >= thresholdHz {
			ups = append(ups, i)
		}
		if rateIHz[i-1] >= thresholdHz && rateIHz[i] < thresholdHz {
			downs = append(downs, i)
		}
	}
	if len(ups)-len(downs) == 1 {
		downs = append(downs, n)
	}
	if len(ups) == 0 || len(downs) == 0 {
		return dst
	}
	if downs[0] < ups[0] {
		downs = downs[1:]
	}
	if len(ups) == 0 || len(downs) == 0 {
		return dst
	}
	if ups[len(ups)-1] > downs[len(downs)-1] {
		downs = append(downs, n)
	}
	if len(ups) != len(downs) {
		// Crossings alternate, so this cannot happen; the seed's code asserts it.
		panic(fmt.Sprintf("analysis: %d upward and %d downward crossings after pairing", len(ups), len(downs)))
	}
	// Remove short Downs (filtering ups and downs in place): the Down between Up k and Up k+1
	// lasts ups[k+1] − downs[k] bins.
	minDown := minDownSec / binSec
	keptUps, keptDowns := ups[:1], downs[:0]
	for k := 0; k+1 < len(ups); k++ {
		if float64(ups[k+1]-downs[k]) > minDown {
			keptDowns = append(keptDowns, downs[k])
			keptUps = append(keptUps, ups[k+1])
		}
	}
	keptDowns = append(keptDowns, downs[len(downs)-1])
	minUp := minUpSec / binSec
	for k := range keptUps {
		if d := keptDowns[k] - keptUps[k]; float64(d) > minUp {
			dst = append(dst, UpState{StartBin: keptUps[k], EndBin: keptDowns[k],
				StartSec: float64(keptUps[k]) * binSec, EndSec: float64(keptDowns[k]) * binSec,
				DurationSec: float64(d) * binSec})
		}
	}
	return dst
}

// NetworkSpikes is what SummarizeUps needs of one trial: every spike (step, unit), with E units
// 0 … NExc−1 and I units NExc … NExc+NInh−1, the kicked E units 0 … NKicked−1, and the clock.
type NetworkSpikes struct {
	Steps              []int64
	Units              []int32
	NExc, NInh         int
	NKicked            int
	DtSec, DurationSec float64
}

// NetworkUps summarises the Up states of one trial (docs/MODEL.md, "The recurrent network"), as
// the seed's training measures a trial. Rates are in Hz.
type NetworkUps struct {
	RateEHistHz, RateIHistHz []float64 // the E and I populations' rate per unit in each bin
	Ups                      []UpState

	// FirstOnsetSec is the start of the first Up state; NaN without one.
	FirstOnsetSec float64
	// MeanDurationSec is the mean Up-state duration; without an Up state, EventDurationSec.
	MeanDurationSec float64
	// EventDurationSec, only without an Up state: max(E bins with spikes, I bins with spikes)·bin,
	// the time over which the fallback rates below are taken; NaN when there are Up states.
	EventDurationSec float64

	// The Up-state rates: of each Up state, the population's spikes strictly inside it / its
	// duration / the population's size (per unit: the unit's spikes inside / duration), averaged
	// over the Up states. Without an Up state, every spike of the trial / EventDurationSec (per
	// unit, then averaged over units), the kicked E units taking the mean rate of the others; with
	// no spike at all these are NaN.
	UpRateEHz, UpRateIHz           float64
	UpRateEUnitsHz, UpRateIUnitsHz []float64

	// The rates outside the Up states: the spikes not inside any Up / (duration − the total Up
	// duration) / the population's size; over the whole trial when it has no Up state; NaN when
	// the Ups cover the whole trial.
	OutsideRateEHz, OutsideRateIHz float64

	SpikesE, SpikesI int // spikes of each population in the trial
}

// SummarizeUps finds the Up states of the trial s with p and measures them into out, reusing out's
// slices.
func SummarizeUps(s NetworkSpikes, p UpParams, out *NetworkUps) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if s.NExc < 1 || s.NInh < 1 || s.NKicked < 0 || s.NKicked > s.NExc {
		return fmt.Errorf("network of %d E and %d I units with %d kicked: want at least one of each and at most n_E kicked", s.NExc, s.NInh, s.NKicked)
	}
	if len(s.Units) != len(s.Steps) {
		return fmt.Errorf("%d spike steps and %d spike units, want as many", len(s.Steps), len(s.Units))
	}
	if !(s.DtSec > 0) || !(s.DurationSec > 0) {
		return fmt.Errorf("dt %g s and duration %g s, want positive times", s.DtSec, s.DurationSec)
	}
	nE, nI := int32(s.NExc), int32(s.NInh)
	for k, u := range s.Units {
		if u < 0 || u >= nE+nI {
			return fmt.Errorf("spike %d: unit %d, want 0 … %d", k, u, nE+nI-1)
		}
	}
	out.RateEHistHz = PSTHInto(out.RateEHistHz, s.Steps, s.Units, 0, nE, s.DtSec, p.BinSec, s.DurationSec)
	out.RateIHistHz = PSTHInto(out.RateIHistHz, s.Steps, s.Units, nE, nE+nI, s.DtSec, p.BinSec, s.DurationSec)
	out.Ups = UpStatesInto(out.Ups, out.RateIHistHz, p.BinSec, p.ThresholdHz, p.MinDownSec, p.MinUpSec)
	out.UpRateEUnitsHz = zeroed(out.UpRateEUnitsHz, s.NExc)
	out.UpRateIUnitsHz = zeroed(out.UpRateIUnitsHz, s.NInh)
	out.SpikesE, out.SpikesI = 0, 0
	for _, u := range s.Units {
		if u < nE {
			out.SpikesE++
		} else {
			out.SpikesI++
		}
	}
	ups := out.Ups
	out.FirstOnsetSec, out.EventDurationSec = math.NaN(), math.NaN()
	insideE, insideI := 0, 0
	upTotalSec := 0.0
	if len(ups) > 0 {
		out.FirstOnsetSec = ups[0].StartSec
		popE, popI := make([]float64, len(ups)), make([]float64, len(ups))
		durs := make([]float64, len(ups))
		// Per unit: Σ over Ups of count/duration, in Up order (numpy's mean over axis 0 adds the
		// rows one after the other), then / the number of Ups.
		countsE, countsI := make([]int, s.NExc), make([]int, s.NInh)
		for k, up := range ups {
			lo, hi := float32(up.StartSec), float32(up.EndSec)
			clear(countsE)
			clear(countsI)
			nInE, nInI := 0, 0
			for j, st := range s.Steps {
				t := spikeTime32(st, s.DtSec)
				if !(t > lo && t < hi) {
					continue
				}
				if u := s.Units[j]; u < nE {
					countsE[u]++
					nInE++
				} else {
					countsI[u-nE]++
					nInI++
				}
			}
			popE[k] = float64(nInE) / float64(s.NExc) / up.DurationSec
			popI[k] = float64(nInI) / float64(s.NInh) / up.DurationSec
			for i, c := range countsE {
				out.UpRateEUnitsHz[i] += float64(c) / up.DurationSec
			}
			for i, c := range countsI {
				out.UpRateIUnitsHz[i] += float64(c) / up.DurationSec
			}
			durs[k] = up.DurationSec
			insideE += nInE
			insideI += nInI
			upTotalSec += up.DurationSec
		}
		nUps := float64(len(ups))
		for i := range out.UpRateEUnitsHz {
			out.UpRateEUnitsHz[i] /= nUps
		}
		for i := range out.UpRateIUnitsHz {
			out.UpRateIUnitsHz[i] /= nUps
		}
		out.UpRateEHz = MeanNumpy(popE)
		out.UpRateIHz = MeanNumpy(popI)
		out.MeanDurationSec = MeanNumpy(durs)
	} else {
		nzE, nzI := 0, 0
		for _, r := range out.RateEHistHz {
			if r > 0 {
				nzE++
			}
		}
		for _, r := range out.RateIHistHz {
			if r > 0 {
				nzI++
			}
		}
		event := float64(max(nzE, nzI)) * p.BinSec
		out.EventDurationSec, out.MeanDurationSec = event, event
		for _, u := range s.Units {
			if u < nE {
				out.UpRateEUnitsHz[u]++
			} else {
				out.UpRateIUnitsHz[u-nE]++
			}
		}
		for i, c := range out.UpRateEUnitsHz {
			out.UpRateEUnitsHz[i] = c / event
		}
		for i, c := range out.UpRateIUnitsHz {
			out.UpRateIUnitsHz[i] = c / event
		}
		if s.NKicked > 0 {
			m := MeanNumpy(out.UpRateEUnitsHz[s.NKicked:])
			for i := range s.NKicked {
				out.UpRateEUnitsHz[i] = m
			}
		}
		out.UpRateEHz = MeanNumpy(out.UpRateEUnitsHz)
		out.UpRateIHz = MeanNumpy(out.UpRateIUnitsHz)
	}
	outside := s.DurationSec - upTotalSec
	out.OutsideRateEHz, out.OutsideRateIHz = math.NaN(), math.NaN()
	if outside > 0 {
		out.OutsideRateEHz = float64(out.SpikesE-insideE) / outside / float64(s.NExc)
		out.OutsideRateIHz = float64(out.SpikesI-insideI) / outside / float64(s.NInh)
	}
	return nil
}

func zeroed(p []float64, n int) []float64 {
	if cap(p) < n {
		p = make([]float64, n)
	}
	p = p[:n]
	clear(p)
	return p
}

// MeanNumpy returns the mean of xs as numpy computes it for a contiguous float64 array: the
// pairwise sum of [SumNumpy], divided by the count (NaN for no values).
func MeanNumpy(xs []float64) float64 {
	return SumNumpy(xs) / float64(len(xs))
}

// SumNumpy returns the sum of xs as numpy's add.reduce computes it for a contiguous float64 array:
// pairwise summation, with blocks of at most 128 values summed in eight interleaved accumulators.
func SumNumpy(xs []float64) float64 {
	n := len(xs)
	switch {
	case n < 8:
		s := 0.0
		for _, x := range xs {
			s += x
		}
		return s
	case n <= 128:
		var r [8]float64
		copy(r[:], xs[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range r {
				r[j] += xs[i+j]
			}
		}
		s := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			s += xs[i]
		}
		return s
	}
	n2 := n / 2
	n2 -= n2 % 8
	return SumNumpy(xs[:n2]) + SumNumpy(xs[n2:])
}
