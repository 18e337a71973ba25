package design

import "testing"

// TestSaltelli: rows A, AB^1 … AB^d, B per base point; AB^i equals A but in coordinate i,
// where it is B's; the design of fewer points begins the design of more.
func TestSaltelli(t *testing.T) {
	const d = 4
	pts, _ := Saltelli(d, 64)
	short, _ := Saltelli(d, 10)
	for k := range short {
		for i := range short[k] {
			if short[k][i] != pts[k][i] {
				t.Fatalf("point %d differs between 10 and 64 rows", k)
			}
		}
	}
	for j := 0; j < 64; j++ {
		a, b := pts[j*(d+2)], pts[j*(d+2)+d+1]
		for i := 0; i < d; i++ {
			ab := pts[j*(d+2)+1+i]
			for c := 0; c < d; c++ {
				want := a[c]
				if c == i {
					want = b[c]
				}
				if ab[c] != want {
					t.Fatalf("row %d, AB^%d coordinate %d: %v, want %v", j, i, c, ab[c], want)
				}
			}
		}
	}
}
