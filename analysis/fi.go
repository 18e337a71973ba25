package analysis

import (
	"fmt"
	"math"
)

// FIStatus says how an f-I curve's threshold and gain were determined.
type FIStatus int

const (
	// FIOK: the unit is silent at the lowest current and fires at some current in range.
	FIOK FIStatus = iota
	// FINoSpike: the unit never fires in range; threshold and gain are NaN (the threshold lies
	// above the highest current).
	FINoSpike
	// FISpikesAtMin: the unit already fires at the lowest current, so the threshold lies at or
	// below it; the threshold reported is the lowest current (an upper bound) and the gain is
	// the slope from the lowest to the highest current.
	FISpikesAtMin
)

// String names the status as it appears in output tables.
func (s FIStatus) String() string {
	switch s {
	case FIOK:
		return "ok"
	case FINoSpike:
		return "no_spike_in_range"
	case FISpikesAtMin:
		return "spikes_at_min"
	}
	return fmt.Sprintf("FIStatus(%d)", int(s))
}

// FIThresholdGain is a unit's threshold and gain from its f-I curve.
type FIThresholdGain struct {
	ThresholdPA float64  // θ: the first current with a non-zero rate (pA)
	GainHzPerPA float64  // g: slope from the last silent current to the highest current (Hz/pA)
	Status      FIStatus // how θ and g were determined; see FIStatus
	First       int      // index of the first current with a non-zero rate; −1 if none
}

// ThresholdGain computes θ and g as the seed does (docs/MODEL.md §5) from currents (A, increasing)
// and the spike counts at each over durationSec:
//
//	θ = I[first],   first = the first index with count > 0
//	g = (r[last] − r[first−1]) / (I[last] − I[first−1])   in Hz/pA, r = count/duration
//
// At the seed's cells this gives θ_E = 124.1 pA, g_E = 0.34659091 Hz/pA, θ_I = 135.1 pA,
// g_I = 1.50909091 Hz/pA. Edge cases are described by [FIStatus].
func ThresholdGain(currentsAmp []float64, counts []int64, durationSec float64) (FIThresholdGain, error) {
	if len(currentsAmp) != len(counts) || len(counts) < 2 {
		return FIThresholdGain{}, fmt.Errorf("f-I curve: %d currents and %d counts, want equal lengths ≥ 2", len(currentsAmp), len(counts))
	}
	first := -1
	for k, c := range counts {
		if c > 0 {
			first = k
			break
		}
	}
	last := len(counts) - 1
	rate := func(k int) float64 { return float64(counts[k]) / durationSec }
	slope := func(k0 int) float64 {
		return (rate(last) - rate(k0)) / ((currentsAmp[last] - currentsAmp[k0]) * 1e12)
	}
	switch first {
	case -1:
		return FIThresholdGain{ThresholdPA: math.NaN(), GainHzPerPA: math.NaN(), Status: FINoSpike, First: -1}, nil
	case 0:
		return FIThresholdGain{ThresholdPA: currentsAmp[0] * 1e12, GainHzPerPA: slope(0), Status: FISpikesAtMin, First: 0}, nil
	}
	return FIThresholdGain{ThresholdPA: currentsAmp[first] * 1e12, GainHzPerPA: slope(first - 1), Status: FIOK, First: first}, nil
}

// Probe simulates the unit at current index k of the f-I grid and returns its spike count;
// with firstOnly it may stop at the first spike and return 1.
type Probe func(k int, firstOnly bool) (int64, error)

// SearchThresholdGain finds what ThresholdGain finds from the full curve, with about log2(n)+2
// probes instead of n: the count at the top current, then a bisection for the first current at
// which the unit fires. It relies on firing being monotone in the current (a unit that fires at
// some current fires at every higher one), which holds for the leaky integrate-and-fire unit;
// the tests check it against the full scan. It returns the number of probes made.
func SearchThresholdGain(currentsAmp []float64, durationSec float64, probe Probe) (FIThresholdGain, int, error) {
	n := len(currentsAmp)
	if n < 2 {
		return FIThresholdGain{}, 0, fmt.Errorf("f-I curve: %d currents, want ≥ 2", n)
	}
	probes := 0
	count := func(k int, firstOnly bool) (int64, error) {
		probes++
		return probe(k, firstOnly)
	}
	last := n - 1
	top, err := count(last, false)
	if err != nil {
		return FIThresholdGain{}, probes, err
	}
	counts := make(map[int]int64, 3)
	counts[last] = top
	curve := func(first int) (FIThresholdGain, error) {
		// The curve ThresholdGain would see: zeros below first; only counts[first-1] (zero),
		// counts[first] and counts[last] enter its result.
		cs := make([]int64, n)
		for k, c := range counts {
			cs[k] = c
		}
		if first >= 0 && cs[first] == 0 {
			cs[first] = 1 // fires; its count does not enter θ or g
		}
		return ThresholdGain(currentsAmp, cs, durationSec)
	}
	if top == 0 {
		r, err := curve(-1)
		return r, probes, err
	}
	c0, err := count(0, false)
	if err != nil {
		return FIThresholdGain{}, probes, err
	}
	if c0 > 0 {
		counts[0] = c0
		r, err := curve(0)
		return r, probes, err
	}
	lo, hi := 0, last // lo never fires, hi fires
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		c, err := count(mid, true)
		if err != nil {
			return FIThresholdGain{}, probes, err
		}
		if c > 0 {
			hi = mid
		} else {
			lo = mid
		}
	}
	r, err := curve(hi)
	return r, probes, err
}
