package sim

import (
	"math/rand/v2"
)

// expDraw is math/rand/v2's (*Rand).ExpFloat64 over a PCG generator, bit for bit and draw for
// draw, without its two calls per number (Rand's Source interface, then the generator).
// ExpFloat64 is Marsaglia and Tsang's ziggurat: one 64-bit draw u picks a layer i (bits 32–39)
// and a position j (bits 0–31), and u alone decides when j < k[i]: the number is j·w[i]. That is
// about 99 % of draws, and the path this type takes itself. On the others it hands u to
// ExpFloat64 through a source that returns u first and then the generator's next numbers, so the
// library's own rejection step runs on exactly the numbers it would have drawn
// (TestExpDrawEqualsExpFloat64).
//
// The tables k and w are not copied from the library: they are read off ExpFloat64 at start-up
// by feeding it chosen numbers (expTables).
//
// The zero value is ready. Nothing in it points into itself or its generator, which the caller
// passes on every call: a Drive, and the Poisson streams and expDraws in it, may be moved (a
// slice of them grows) between runs. (An earlier version kept a rand.Rand over a field of its
// own; after a move it read the old copy's state, TestRunBatchEqualsRun.)
type expDraw struct {
	replay *expReplay // allocated on the first rejection
	slow   *rand.Rand // over replay
}

// expReplay is a rand.Source that returns a held number first, then the generator's.
type expReplay struct {
	src  *pcg
	held uint64
	has  bool
}

// Uint64 implements rand.Source.
func (r *expReplay) Uint64() uint64 {
	if r.has {
		r.has = false
		return r.held
	}
	return r.src.next()
}

// next returns the next exponential number of mean 1 from src: what rand.New(src).ExpFloat64()
// returns.
func (e *expDraw) next(src *pcg) float64 {
	u := src.next()
	if x, ok := expFast(u); ok {
		return x
	}
	return e.rejected(src, u)
}

// expFast is the ziggurat's fast path for the draw u: its number, or ok false where ExpFloat64
// rejects u and draws again (then expDraw.rejected). poisson_amd64.s does the same.
func expFast(u uint64) (x float64, ok bool) {
	j, i := uint32(u), uint8(u>>32)
	if j >= expK[i] {
		return 0, false
	}
	return float64(j) * expW[i], true
}

// rejected is next's rare path: ExpFloat64 itself, drawing u first and then from src.
//
//go:noinline
func (e *expDraw) rejected(src *pcg, u uint64) float64 {
	if e.replay == nil {
		e.replay = new(expReplay)
		e.slow = rand.New(e.replay)
	}
	*e.replay = expReplay{src: src, held: u, has: true}
	x := e.slow.ExpFloat64()
	e.replay.src = nil
	return x
}

// expK and expW are the ziggurat's layer tables, as ExpFloat64 uses them: a draw with layer i
// and position j < expK[i] returns float64(j)·expW[i] without another draw.
var expK, expW = expTables()

// expTables reads the ziggurat's tables off ExpFloat64. Layer i's width w[i] is what a draw of
// position 1 returns (1·w[i] is exact; where position 1 is not on the fast path, the rejection
// step fed zeros accepts it, since its bound fe[i] is below 1 = exp(−w[i]) in float32). k[i] is
// the first position that draws again, found by bisection: the fast path is a prefix of the
// positions. TestExpDrawEqualsExpFloat64 checks the result against ExpFloat64 itself.
func expTables() (k [256]uint32, w [256]float64) {
	var p probe
	r := rand.New(&p)
	draws := func(u uint64) (x float64, n int) {
		p = probe{first: u}
		x = r.ExpFloat64()
		return x, p.n
	}
	for i := range 256 {
		w[i], _ = draws(uint64(i)<<32 | 1)
		lo, hi := uint64(0), uint64(1)<<32 // positions < lo are fast; hi is slow or the end
		for lo < hi {
			mid := lo + (hi-lo)/2
			if _, n := draws(uint64(i)<<32 | mid); n == 1 {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		k[i] = uint32(lo) // lo < 1<<32: position 2³²−1 never satisfies j < k[i]
	}
	return k, w
}

// probe is a source that returns a chosen number, then zeros, and counts the draws.
type probe struct {
	first uint64
	n     int
}

func (p *probe) Uint64() uint64 {
	p.n++
	if p.n == 1 {
		return p.first
	}
	return 0
}
