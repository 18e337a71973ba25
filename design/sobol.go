package design

import (
	"fmt"
	"math/bits"
)

// SobolMaxDims is the largest dimension Sobol supports: the direction numbers embedded.
const SobolMaxDims = len(sobolPoly)

// sobolBits is the precision of the points: the fraction's bits, and the most points (2^sobolBits).
const sobolBits = 32

// Sobol returns the first n points of the d-dimensional Sobol sequence with Joe and Kuo's
// direction numbers (new-joe-kuo-6.21201), unscrambled and in Gray-code order, as SciPy's
// scipy.stats.qmc.Sobol(d, scramble=False) gives them: the first point is the origin, and the
// first 2^k points of every dimension are the multiples of 2^-k. Points are in [0, 1).
func Sobol(d, n int) ([][]float64, error) {
	if d < 1 || d > SobolMaxDims {
		return nil, fmt.Errorf("sobol: %d dimensions, want 1 … %d", d, SobolMaxDims)
	}
	if n < 0 || uint64(n) > 1<<sobolBits {
		return nil, fmt.Errorf("sobol: %d points, want 0 … 2^%d", n, sobolBits)
	}
	v := make([][sobolBits]uint32, d) // direction numbers v_k, as fractions of 2^32
	for j := range v {
		sobolDirections(j, &v[j])
	}
	pts := make([][]float64, n)
	x := make([]uint32, d)
	for i := range pts {
		if i > 0 {
			c := bits.TrailingZeros(uint(i)) // Gray code: point i differs from i−1 in bit c
			for j := range x {
				x[j] ^= v[j][c]
			}
		}
		p := make([]float64, d)
		for j, xj := range x {
			p[j] = float64(xj) / (1 << sobolBits)
		}
		pts[i] = p
	}
	return pts, nil
}

// sobolDirections fills v with dimension j's direction numbers (Bratley and Fox's recurrence): for
// the primitive polynomial x^s + a_1 x^(s−1) + … + a_(s−1) x + 1 and initial m_1 … m_s,
// v_k = m_k/2^k for k ≤ s and v_k = a_1 v_(k−1) ⊕ … ⊕ a_(s−1) v_(k−s+1) ⊕ v_(k−s) ⊕ v_(k−s)/2^s.
// Dimension 0 is the van der Corput sequence, v_k = 2^−k.
func sobolDirections(j int, v *[sobolBits]uint32) {
	if j == 0 {
		for k := range v {
			v[k] = 1 << (sobolBits - 1 - k)
		}
		return
	}
	poly, m := sobolPoly[j], sobolInit[j]
	s := bits.Len32(poly) - 1
	for k := 0; k < s && k < sobolBits; k++ {
		v[k] = m[k] << (sobolBits - 1 - k)
	}
	for k := s; k < sobolBits; k++ {
		w := v[k-s] ^ v[k-s]>>s
		for l := 1; l < s; l++ {
			if poly>>(s-l)&1 != 0 {
				w ^= v[k-l]
			}
		}
		v[k] = w
	}
}
