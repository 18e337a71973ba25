package design

import (
	"fmt"
	"slices"
)

// Saltelli returns the n·(d+2) points in [0, 1)^d at which a model is evaluated for
// Sobol indices of its d parameters: for each j < n, the rows A_j, AB_j^1 … AB_j^d and B_j, where
// A and B are the first and last d coordinates of the 2d-dimensional Sobol point j + 1 (the
// origin is skipped) and AB^i is A with coordinate i from B. Like the Sobol sequence it is a
// prefix: the design of n points begins the design of more.
func Saltelli(d, n int) ([][]float64, error) {
	if d < 1 || 2*d > SobolMaxDims {
		return nil, fmt.Errorf("saltelli: %d parameters, want 1 … %d", d, SobolMaxDims/2)
	}
	base, err := Sobol(2*d, n+1)
	if err != nil {
		return nil, fmt.Errorf("saltelli: %w", err)
	}
	out := make([][]float64, 0, n*(d+2))
	for _, p := range base[1:] {
		a, b := p[:d], p[d:]
		out = append(out, slices.Clone(a))
		for i := range d {
			ab := slices.Clone(a)
			ab[i] = b[i]
			out = append(out, ab)
		}
		out = append(out, slices.Clone(b))
	}
	return out, nil
}
