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

// ThresholdGain computes θ and g as the seed does (MODEL.md §5) from currents (A, increasing)
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
