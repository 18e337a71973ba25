package sim

import (
	"fmt"
	"math"
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
	st    poissonState
	exp   expDraw // over st.rng, for the draws the ziggurat rejects
	every bool    // p ≥ 1: every cell succeeds

	ahead [poissonAhead]int64 // spikes drawn ahead: ahead[i:m] are still to be returned
	i, m  int
}

// poissonState is what fill's loop reads and updates, in the layout poisson_amd64.s reads.
type poissonState struct {
	rng    pcg
	pos    int64   // the last success's cell (−1 before the first)
	n      int64   // sources
	end    int64   // grid cells: n·steps
	lambda float64 // −log(1 − p)
	endF   float64 // float64(end)
}

// Reset starts a new stream of nSources sources at rateHz for nSteps steps of dtSec, drawing
// its exponentials from a PCG generator seeded (seed1, seed2): the numbers
// rand.New(rand.NewPCG(seed1, seed2)).ExpFloat64 draws. Rates with rate·dt ≥ 1 spike every
// step; rate 0 never.
func (p *Poisson) Reset(seed1, seed2 uint64, nSources int, rateHz, dtSec float64, nSteps int64) error {
	prob := dtSec * rateHz // Brian2: rand() < dt*rates
	if nSources < 0 || !(prob >= 0) || math.IsInf(prob, 0) {
		return fmt.Errorf("poisson input: %d sources at %g Hz (p = %g per step), want n ≥ 0 and a finite rate ≥ 0", nSources, rateHz, prob)
	}
	if nSteps > 0 && int64(nSources) > math.MaxInt64/2/nSteps {
		return fmt.Errorf("poisson input: %d sources × %d steps overflows the grid", nSources, nSteps)
	}
	end := int64(nSources) * nSteps
	p.st = poissonState{rng: pcg{seed1, seed2}, pos: -1, n: int64(nSources), end: end, endF: float64(end)}
	p.every, p.i, p.m = prob >= 1, 0, 0
	if prob == 0 {
		p.st.pos = end
		return nil
	}
	p.st.lambda = -math.Log1p(-prob)
	return nil
}

// poissonAhead is how many spikes a Poisson stream draws at a time.
const poissonAhead = 32

// Next implements [Input]. It returns the spikes fill drew ahead, drawing more when they run out.
func (p *Poisson) Next() int64 {
	if p.i < p.m {
		s := p.ahead[p.i]
		p.i++
		return s
	}
	return p.refill()
}

// refill draws the next spikes ahead and returns the first.
func (p *Poisson) refill() int64 {
	p.m, p.i = p.fill(p.ahead[:]), 1
	if p.m == 0 {
		return End
	}
	return p.ahead[0]
}

// fill writes the steps of the stream's next spikes to dst, until dst is full or the stream
// ends, and returns how many it wrote. From one success to the next it skips a Geometric(p)
// number of grid cells, floor(E/λ) with E exponential of mean 1 and λ = −log(1−p):
// P(floor(E/λ) ≥ k) = P(E ≥ kλ) = (1−p)^k. The exponential is math/rand's ziggurat (expDraw),
// which needs no logarithm (a log per spike was half of a run's time), inlined here so that the
// generator's state stays in registers from one spike to the next: stored and reloaded each
// spike, its round trip through memory was most of a spike's cost.
func (p *Poisson) fill(dst []int64) int {
	st := &p.st
	if st.pos >= st.end {
		return 0
	}
	if p.every {
		i := 0
		for ; i < len(dst) && st.pos+1 < st.end; i++ {
			st.pos++
			dst[i] = st.pos / st.n
		}
		return i
	}
	i := 0
	for i < len(dst) {
		// fillRun has the loop (in assembly on amd64); a draw the ziggurat rejects ends it, for
		// expDraw.rejected.
		k, u, rejected := fillRun(st, dst[i:])
		if i += k; !rejected {
			break
		}
		if st.pos = skip(st.pos, p.exp.rejected(&st.rng, u), st.lambda, st.end); st.pos >= st.end {
			break
		}
		dst[i] = st.pos / st.n
		i++
	}
	return i
}

// fillGo is fillRun in Go: it writes the stream's next spikes to dst until dst is full, the
// stream ends, or the ziggurat rejects a draw u (which it returns, with rejected set, for the
// caller to finish). The assembly does exactly this arithmetic (TestFillRunEqualsGo).
func fillGo(st *poissonState, dst []int64) (k int, u uint64, rejected bool) {
	r, pos, n, end, lambda := st.rng, st.pos, st.n, st.end, st.lambda
	for k < len(dst) {
		u = r.next()
		x, ok := expFast(u)
		if !ok {
			rejected = true
			break
		}
		if pos = skip(pos, x, lambda, end); pos >= end {
			break
		}
		dst[k] = pos / n
		k++
	}
	st.rng, st.pos = r, pos
	return k, u, rejected
}

// skip returns the next success's cell after the success at pos: floor(x/λ) failures later,
// for an exponential x; at or beyond end if that is past the grid. The quotient is ≥ 0, so
// int64's truncation is its floor, and it is below end exactly when its floor is (end is a
// whole number): math.Floor, a call where the CPU's SSE4.1 is not assumed (GOAMD64=v1), would
// make the compiler keep fill's values on the stack around it.
func skip(pos int64, x, lambda float64, end int64) int64 {
	if q := x / lambda; q < float64(end) {
		return pos + int64(q) + 1
	}
	return pos + end + 1
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
