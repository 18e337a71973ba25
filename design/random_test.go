package design

import (
	"reflect"
	"testing"
)

// TestRandom: points in [0, 1), the same for the same seed, others for another, a prefix of a
// larger design, and uniform (each coordinate's mean within 4 standard errors of 1/2).
func TestRandom(t *testing.T) {
	a, _ := Random(3, 10000, 7)
	b, _ := Random(3, 10000, 7)
	c, _ := Random(3, 100, 8)
	short, _ := Random(3, 100, 7)
	if !reflect.DeepEqual(a, b) {
		t.Error("two designs of one seed differ")
	}
	if !reflect.DeepEqual(short, a[:100]) {
		t.Error("100 points are not the first 100 of 10000")
	}
	if reflect.DeepEqual(c, a[:100]) {
		t.Error("seeds 7 and 8 give the same points")
	}
	for j := 0; j < 3; j++ {
		var sum float64
		for _, p := range a {
			if p[j] < 0 || p[j] >= 1 {
				t.Fatalf("coordinate %v outside [0, 1)", p[j])
			}
			sum += p[j]
		}
		if m, se := sum/10000, 0.2887/100; m < 0.5-4*se || m > 0.5+4*se {
			t.Errorf("dimension %d: mean %v", j, m)
		}
	}
}

// TestLatinHypercube: every dimension has one point in each of the n intervals, points are
// deterministic from the seed, and the dimensions are not all matched alike.
func TestLatinHypercube(t *testing.T) {
	const n, d = 97, 5
	a, _ := LatinHypercube(d, n, 3)
	b, _ := LatinHypercube(d, n, 3)
	if !reflect.DeepEqual(a, b) {
		t.Error("two designs of one seed differ")
	}
	same := 0
	for j := 0; j < d; j++ {
		seen := make([]bool, n)
		for i, p := range a {
			k := int(p[j] * n)
			if p[j] < 0 || p[j] >= 1 || seen[k] {
				t.Fatalf("dimension %d: point %d (%v) in an interval already taken", j, i, p[j])
			}
			seen[k] = true
			if j > 0 && k == int(p[0]*n) {
				same++
			}
		}
	}
	if same > n {
		t.Errorf("%d points share dimension 0's interval in another dimension: the permutations are not independent", same)
	}
	if _, err := LatinHypercube(0, 5, 1); err == nil {
		t.Error("0 dimensions accepted")
	}
}
