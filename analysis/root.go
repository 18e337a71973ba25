package analysis

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// RootStatus says whether a crossing was found within the search range.
type RootStatus int

const (
	RootFound RootStatus = iota // the function crosses the level inside [Min, Max]
	RootBelow                   // the crossing lies below Min: at Min the function is already past the level
	RootAbove                   // the crossing lies above Max: at Max the function has not reached the level
)

// String names the status as tables print it: "ok", "below_min", "above_max".
func (s RootStatus) String() string {
	switch s {
	case RootBelow:
		return "below_min"
	case RootAbove:
		return "above_max"
	}
	return "ok"
}

// RootProblem is the crossing of a level by a monotone function of one parameter, such as the
// replicate-mean rate of a unit as a function of one of its weights (with common random
// numbers, a nondecreasing or nonincreasing step function).
type RootProblem struct {
	F          func(x float64) (float64, error) // the function; an error stops the search
	Level      float64                          // the level to cross, e.g. the set point (Hz)
	Increasing bool                             // F grows with x (an excitatory weight); else it falls (an inhibitory weight)
	Start      float64                          // where the search starts (inside [Min, Max])
	Min, Max   float64                          // the search range
	Tol        float64                          // the final bracket is at most Tol wide (> 0)
	MaxEvals   int                              // give up after this many evaluations (0: 200)
}

// Root is the solution of a [RootProblem].
type Root struct {
	Status RootStatus
	// X is the crossing: the midpoint of the interval on which F meets the level. With
	// g = ±(F − Level) increasing, L = sup{x : g(x) < 0} and U = inf{x : g(x) > 0}; X = (L+U)/2,
	// which for a function without a plateau at the level is the point where it passes it.
	// X is within Tol/2 of it. NaN unless Status is RootFound.
	X float64
	// Lo and Hi bracket the crossing: F is short of the level at Lo and past it at Hi
	// (or at the level, on a plateau). For RootBelow and RootAbove they are the range's end.
	Lo, Hi float64
	// FLo and FHi are F at Lo and Hi.
	FLo, FHi float64
	// Evaluations is the number of times F was called.
	Evaluations int
	// Trace lists every evaluation in order, for reports and bootstrap windows.
	Trace []RootEval
}

// RootEval is one evaluation of F.
type RootEval struct{ X, F float64 }

// ErrNoConvergence is returned when MaxEvals evaluations did not shrink the bracket to Tol.
var ErrNoConvergence = errors.New("no convergence")

// FindRoot locates where F crosses Level, in two phases:
//
//  1. Bracketing: from Start, steps of h = max(Start/10, 10·Tol) that double each time walk toward
//     the level until F passes it, clamped to [Min, Max]. If F is still short of the level at the
//     end of the range, there is no crossing inside it (RootAbove or RootBelow).
//  2. ITP (Oliveira & Takahashi 2021; κ₁ = 0.2/(b−a), κ₂ = 2, n₀ = 1) on the bracket: regula falsi
//     steps, truncated and projected so that it never needs more than one evaluation beyond
//     bisection's ⌈log₂((b−a)/Tol)⌉, and in practice fewer on a smooth mean rate.
//
// F may be a step function (a mean of spike counts) and may equal the level on an interval: the
// search then keeps two brackets, one for each end of that interval, and returns its midpoint.
func FindRoot(p RootProblem) (Root, error) {
	if !(p.Tol > 0) || !(p.Min <= p.Start && p.Start <= p.Max) {
		return Root{}, fmt.Errorf("root search: start %g outside [%g, %g] or tolerance %g not positive", p.Start, p.Min, p.Max, p.Tol)
	}
	if p.MaxEvals <= 0 {
		p.MaxEvals = 200
	}
	s := rootSearch{p: p}
	r, err := s.run()
	r.Evaluations, r.Trace = len(s.trace), s.trace
	return r, err
}

type rootSearch struct {
	p     RootProblem
	trace []RootEval
}

// g evaluates F oriented so that it increases with x and is 0 at the level.
func (s *rootSearch) g(x float64) (float64, error) {
	if len(s.trace) >= s.p.MaxEvals {
		return 0, fmt.Errorf("root search: %w after %d evaluations", ErrNoConvergence, len(s.trace))
	}
	f, err := s.p.F(x)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(f) {
		return 0, fmt.Errorf("root search: the function is NaN at %g", x)
	}
	s.trace = append(s.trace, RootEval{x, f})
	if s.p.Increasing {
		return f - s.p.Level, nil
	}
	return s.p.Level - f, nil
}

// f recovers F from g for the result.
func (s *rootSearch) f(g float64) float64 {
	if s.p.Increasing {
		return g + s.p.Level
	}
	return s.p.Level - g
}

// bracket is an interval [a, b] with g(a) and g(b) recorded.
type bracket struct {
	a, b   float64
	ga, gb float64
	j      int     // ITP iterations on this bracket
	nMax   int     // ITP's n_max for its initial width
	k1     float64 // ITP's κ₁
	eps    float64 // half the tolerance
}

func (s *rootSearch) newBracket(a, b, ga, gb float64) *bracket {
	br := &bracket{a: a, b: b, ga: ga, gb: gb, eps: s.p.Tol / 2}
	if b-a > s.p.Tol {
		br.nMax = int(math.Ceil(math.Log2((b-a)/s.p.Tol))) + 1 // n_{1/2} + n₀
		br.k1 = 0.2 / (b - a)
	}
	return br
}

// next returns the ITP point of the bracket.
func (br *bracket) next() float64 {
	a, b := br.a, br.b
	xh := a + (b-a)/2
	r := br.eps*math.Exp2(float64(br.nMax-br.j)) - (b-a)/2
	br.j++
	xf := xh
	if br.gb != br.ga {
		xf = (br.gb*a - br.ga*b) / (br.gb - br.ga)
	}
	sigma := math.Copysign(1, xh-xf)
	delta := br.k1 * (b - a) * (b - a)
	xt := xh
	if delta <= math.Abs(xh-xf) {
		xt = xf + sigma*delta
	}
	x := xt
	if math.Abs(xt-xh) > r {
		x = xh - sigma*r
	}
	if !(x > a && x < b) { // rounding at the resolution of floats
		x = xh
	}
	return x
}

func (s *rootSearch) run() (Root, error) {
	p := s.p
	g0, err := s.g(p.Start)
	if err != nil {
		return Root{}, err
	}
	// Bracketing: walk from Start toward a point with g < 0 and one with g > 0.
	h := max(math.Abs(p.Start)/10, 10*p.Tol)
	walk := func(dir float64, want func(float64) bool, end float64) (found bool, gEnd float64, err error) {
		x, gx := p.Start, g0
		for step := h; !want(gx); step *= 2 {
			if x == end {
				return false, gx, nil
			}
			if x += dir * step; dir < 0 {
				x = max(x, end)
			} else {
				x = min(x, end)
			}
			if gx, err = s.g(x); err != nil {
				return false, 0, err
			}
		}
		return true, gx, nil
	}
	var gMin, gMax float64
	haveNeg, havePos := g0 < 0, g0 > 0
	if !haveNeg {
		if haveNeg, gMin, err = walk(-1, func(g float64) bool { return g < 0 }, p.Min); err != nil {
			return Root{}, err
		}
		if !haveNeg && gMin > 0 {
			return Root{Status: RootBelow, X: math.NaN(), Lo: p.Min, Hi: p.Min, FLo: s.f(gMin), FHi: s.f(gMin)}, nil
		}
	}
	if !havePos {
		if havePos, gMax, err = walk(+1, func(g float64) bool { return g > 0 }, p.Max); err != nil {
			return Root{}, err
		}
		if !havePos && gMax < 0 {
			return Root{Status: RootAbove, X: math.NaN(), Lo: p.Max, Hi: p.Max, FLo: s.f(gMax), FHi: s.f(gMax)}, nil
		}
	}
	// Two brackets: L = sup{g < 0} in [aL, bL] (g(aL) < 0 ≤ g(bL)) and U = inf{g > 0} in
	// [aU, bU] (g(aU) ≤ 0 < g(bU)), taken from the evaluations so far. Without a point with
	// g < 0 the plateau at the level reaches Min, and L = Min; likewise U = Max.
	L, U := s.brackets()
	for {
		br := L
		if U.b-U.a > L.b-L.a {
			br = U
		}
		if br.b-br.a <= p.Tol {
			break
		}
		x := br.next()
		if x <= br.a || x >= br.b {
			break // the bracket is as narrow as floats allow
		}
		gx, err := s.g(x)
		if err != nil {
			return Root{}, err
		}
		if x > L.a && x < L.b {
			if gx < 0 {
				L.a, L.ga = x, gx
			} else {
				L.b, L.gb = x, gx
			}
		}
		if x > U.a && x < U.b {
			if gx <= 0 {
				U.a, U.ga = x, gx
			} else {
				U.b, U.gb = x, gx
			}
		}
	}
	r := Root{Status: RootFound, X: ((L.a+L.b)/2 + (U.a+U.b)/2) / 2, Lo: L.a, Hi: U.b}
	r.FLo, r.FHi = s.f(L.ga), s.f(U.gb)
	return r, nil
}

// brackets builds the two brackets of run from the evaluations in the trace.
func (s *rootSearch) brackets() (L, U *bracket) {
	p := s.p
	type pt struct{ x, g float64 }
	pts := make([]pt, len(s.trace))
	for k, e := range s.trace {
		g := e.F - p.Level
		if !p.Increasing {
			g = -g
		}
		pts[k] = pt{e.X, g}
	}
	bU, gbU := p.Max, 0.0
	for _, q := range pts {
		if q.g > 0 && q.x <= bU {
			bU, gbU = q.x, q.g
		}
	}
	aL, gaL, haveNeg := p.Min, 0.0, false
	for _, q := range pts {
		if q.g < 0 && q.x < bU && (!haveNeg || q.x > aL) {
			aL, gaL, haveNeg = q.x, q.g, true
		}
	}
	bL, gbL := bU, gbU
	for _, q := range pts {
		if q.g >= 0 && q.x > aL && q.x < bL {
			bL, gbL = q.x, q.g
		}
	}
	aU, gaU := aL, gaL
	for _, q := range pts {
		if q.g <= 0 && q.x < bU && q.x > aU {
			aU, gaU = q.x, q.g
		}
	}
	if !haveNeg { // the plateau reaches Min
		bL = aL
	}
	if gbU == 0 { // no point with g > 0: the plateau reaches Max
		aU = bU
	}
	return s.newBracket(aL, bL, gaL, gbL), s.newBracket(aU, bU, gaU, gbU)
}

// GridCrossing returns where the curve ys over the sorted grid xs crosses level, by linear
// interpolation, with the conventions of [FindRoot]: with g = ±(y − level) oriented to increase,
// L is where the segment after the last g < 0 reaches 0, U where the segment before the first
// g > 0 reaches 0, and the crossing is (L+U)/2. It returns NaN if the curve does not cross inside
// the grid (no point short of the level, or none past it).
func GridCrossing(xs, ys []float64, level float64, increasing bool) float64 {
	g := func(k int) float64 {
		if increasing {
			return ys[k] - level
		}
		return level - ys[k]
	}
	kL, kU := -1, -1
	for k := range xs {
		if g(k) < 0 {
			kL = k
		}
		if kU < 0 && g(k) > 0 {
			kU = k
		}
	}
	if kL < 0 || kU < 0 || kL == len(xs)-1 || kU == 0 {
		return math.NaN()
	}
	at := func(k int) float64 { // zero of the segment k, k+1
		g0, g1 := g(k), g(k+1)
		if g1 == g0 {
			return xs[k]
		}
		return xs[k] + (xs[k+1]-xs[k])*(-g0)/(g1-g0)
	}
	return (at(kL) + at(kU-1)) / 2
}

// BootstrapGridCrossing resamples replicates with replacement b times and returns the 95%
// percentile interval of the crossing of the resampled mean curve (see [GridCrossing]), and the
// fraction of resamples whose crossing fell outside the grid (those are left out of the
// interval; a caller widens the grid when it is not small). values[k][r] is replicate r's
// value at xs[k]. rng makes it reproducible.
func BootstrapGridCrossing(xs []float64, values [][]float64, level float64, increasing bool, b int, rng *rand.Rand) (ci Interval, fracOutside float64) {
	if len(xs) == 0 || len(values) != len(xs) {
		return Interval{math.NaN(), math.NaN()}, 1
	}
	n := len(values[0])
	counts := make([]int, n)
	ys := make([]float64, len(xs))
	crossings := make([]float64, 0, b)
	outside := 0
	for range b {
		clear(counts)
		for range n {
			counts[rng.IntN(n)]++
		}
		for k := range xs {
			var s float64
			for r, c := range counts {
				s += float64(c) * values[k][r]
			}
			ys[k] = s / float64(n)
		}
		x := GridCrossing(xs, ys, level, increasing)
		if math.IsNaN(x) {
			outside++
			continue
		}
		crossings = append(crossings, x)
	}
	slices.Sort(crossings)
	return percentiles(crossings), float64(outside) / float64(b)
}
