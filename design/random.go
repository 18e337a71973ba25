package design

import (
	"fmt"
	"math/rand/v2"
)

// Random returns n pseudo-random points uniform in [0, 1)^d. Point i is drawn from its own
// stream (PCG seeded with seed and i), so the design is a prefix: the first n points of a larger
// design with the same seed are these.
func Random(d, n int, seed uint64) ([][]float64, error) {
	if err := checkSize(d, n); err != nil {
		return nil, fmt.Errorf("random: %w", err)
	}
	pts := make([][]float64, n)
	for i := range pts {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		p := make([]float64, d)
		for j := range p {
			p[j] = r.Float64()
		}
		pts[i] = p
	}
	return pts, nil
}

// LatinHypercube returns a Latin hypercube of n points in [0, 1)^d: each dimension's n
// intervals [k/n, (k+1)/n) hold one point each, the intervals matched across dimensions by
// random permutations and each point uniform within its interval (McKay, Beckman and Conover
// 1979), all drawn from seed. Unlike Random and Sobol it is not a prefix of a larger design.
func LatinHypercube(d, n int, seed uint64) ([][]float64, error) {
	if err := checkSize(d, n); err != nil {
		return nil, fmt.Errorf("latin hypercube: %w", err)
	}
	r := rand.New(rand.NewPCG(seed, 0x6c6873)) // "lhs": a stream apart from Random's points
	pts := make([][]float64, n)
	for i := range pts {
		pts[i] = make([]float64, d)
	}
	for j := 0; j < d; j++ {
		perm := r.Perm(n)
		for i, k := range perm {
			pts[i][j] = (float64(k) + r.Float64()) / float64(n)
		}
	}
	return pts, nil
}

// maxDims bounds the dimensions of the pseudo-random designs (a definition has far fewer
// parameters than this).
const maxDims = 1 << 10

func checkSize(d, n int) error {
	if d < 1 || d > maxDims {
		return fmt.Errorf("%d dimensions, want 1 … %d", d, maxDims)
	}
	if n < 0 {
		return fmt.Errorf("%d points, want 0 or more", n)
	}
	return nil
}
