package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Input is one presynaptic population's spikes, as a stream of clock steps. Every spike of the
// population reaches both units through the pathway's single weight, so which source fired does
// not matter, only how many spikes arrive in each step.
type Input interface {
	// Next returns the step of the next presynaptic spike. Successive calls return
	// nondecreasing steps, one call per spike: k spikes in one step return that step k times.
	// math.MaxInt64 (or any step at or beyond the run's end) ends the stream.
	Next() int64
}

// End is the step [Input.Next] returns when a stream has no more spikes.
const End = math.MaxInt64

// Poisson is the input of n independent Poisson sources, each spiking in every step with
// probability p = rate·dt, independently of every other source and step: Brian2's PoissonGroup,
// whose per-step spike count is Binomial(n, p).
//
// It draws the source×step grid's successes by geometric gaps (one random number per spike,
// not per source and step), walking the grid step-major: cell k is step k / n, source k mod n.
// Reset prepares it for a run; the zero value is an empty stream.
type Poisson struct {
	rng    *rand.Rand
	n      int64   // sources
	end    int64   // grid cells: n·steps
	pos    int64   // next successful cell
	lambda float64 // −log(1 − p)
	every  bool    // p ≥ 1: every cell succeeds
}

// Reset starts a new stream of nSources sources at rateHz for nSteps steps of dtSec, drawing
// from rng (which the stream keeps using). Rates with rate·dt ≥ 1 spike every step; rate 0 never.
func (p *Poisson) Reset(rng *rand.Rand, nSources int, rateHz, dtSec float64, nSteps int64) error {
	prob := dtSec * rateHz // Brian2: rand() < dt*rates
	if nSources < 0 || !(prob >= 0) || math.IsInf(prob, 0) {
		return fmt.Errorf("poisson input: %d sources at %g Hz (p = %g per step), want n ≥ 0 and a finite rate ≥ 0", nSources, rateHz, prob)
	}
	if nSteps > 0 && int64(nSources) > math.MaxInt64/2/nSteps {
		return fmt.Errorf("poisson input: %d sources × %d steps overflows the grid", nSources, nSteps)
	}
	*p = Poisson{rng: rng, n: int64(nSources), end: int64(nSources) * nSteps, every: prob >= 1}
	if prob == 0 {
		p.pos = p.end
		return nil
	}
	p.lambda = -math.Log1p(-prob)
	p.pos = p.gap()
	return nil
}

// gap draws the number of failures before the next success, Geometric(p), as floor(E/λ) with
// E exponential of mean 1 and λ = −log(1−p): P(floor(E/λ) ≥ k) = P(E ≥ kλ) = (1−p)^k. The
// exponential comes from math/rand's ziggurat, which needs no logarithm (a log per spike was
// half of a run's time).
func (p *Poisson) gap() int64 {
	if p.every {
		return 0
	}
	g := math.Floor(p.rng.ExpFloat64() / p.lambda)
	if g >= float64(p.end) {
		return p.end
	}
	return int64(g)
}

// Next implements [Input].
func (p *Poisson) Next() int64 {
	if p.pos >= p.end {
		return End
	}
	step := p.pos / p.n
	p.pos += p.gap() + 1
	return step
}

// Steps is an input given as a sorted list of spike steps (repeated for simultaneous spikes).
// Reset rewinds it; the zero value is an empty stream.
type Steps struct {
	steps []int64
	i     int
}

// NewSteps returns an input that replays steps, which must be sorted in nondecreasing order.
// The slice is kept, not copied.
func NewSteps(steps []int64) (*Steps, error) {
	if !slices.IsSorted(steps) {
		return nil, fmt.Errorf("spike steps are not sorted")
	}
	if len(steps) > 0 && steps[0] < 0 {
		return nil, fmt.Errorf("spike step %d is negative", steps[0])
	}
	return &Steps{steps: steps}, nil
}

// Next implements [Input].
func (s *Steps) Next() int64 {
	if s.i >= len(s.steps) {
		return End
	}
	s.i++
	return s.steps[s.i-1]
}

// Reset rewinds the stream to its first spike.
func (s *Steps) Reset() { s.i = 0 }

// Len returns the number of spikes in the stream.
func (s *Steps) Len() int { return len(s.steps) }

// StepsFromTimes converts spike times in seconds to clock steps as Brian2's SpikeGeneratorGroup
// bins them, int((t + 1e-3·dt)/dt), and returns them sorted (appending to dst). Times are those
// of any number of sources; a negative or non-finite time is an error.
func StepsFromTimes(dst []int64, timesSec []float64, dtSec float64) ([]int64, error) {
	start := len(dst)
	for _, t := range timesSec {
		if !(t >= 0) || math.IsInf(t, 0) {
			return dst, fmt.Errorf("spike time %g s: want a finite time ≥ 0", t)
		}
		dst = append(dst, Timestep(t, dtSec))
	}
	slices.Sort(dst[start:])
	return dst, nil
}

// Regular is the seed notebook's "fixed" input: one source whose round(rate·duration) spikes
// tile the run at times linspace(0, duration, k+1)[:-1], binned as Brian2 bins them.
// Reset prepares it; the zero value is an empty stream.
type Regular struct {
	k, i        int64
	stepSec     float64 // duration/k, numpy linspace's step
	dtSec       float64
	durationSec float64
}

// Reset starts the stream of a source at rateHz over durationSec with clock dtSec.
func (r *Regular) Reset(rateHz, durationSec, dtSec float64) error {
	k := math.RoundToEven(rateHz * durationSec) // numpy.round: half to even
	if !(k >= 0) || k > 1<<40 {
		return fmt.Errorf("regular input: %g Hz over %g s is %g spikes, want a finite count ≥ 0", rateHz, durationSec, k)
	}
	*r = Regular{k: int64(k), dtSec: dtSec, durationSec: durationSec}
	if k > 0 {
		r.stepSec = durationSec / k
	}
	return nil
}

// Next implements [Input].
func (r *Regular) Next() int64 {
	if r.i >= r.k {
		return End
	}
	t := float64(r.i)*r.stepSec + 0 // numpy linspace: arange·step + start
	r.i++
	return Timestep(t, r.dtSec)
}

// Linspace fills dst with n values evenly spaced from lo to hi inclusive, with numpy.linspace's
// arithmetic (i·((hi−lo)/(n−1)) + lo, the last value exactly hi), and returns it.
func Linspace(dst []float64, lo, hi float64, n int) []float64 {
	dst = slices.Grow(dst[:0], n)[:n]
	if n == 1 {
		dst[0] = lo
		return dst
	}
	step := (hi - lo) / float64(n-1)
	for i := range dst {
		dst[i] = float64(float64(i)*step) + lo
	}
	if n > 1 {
		dst[n-1] = hi
	}
	return dst
}
