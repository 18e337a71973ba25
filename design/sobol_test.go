package design

import (
	"testing"

	"github.com/eisweep/eisweep/internal/goldenfile"
)

// TestSobolEqualsSciPy: the points equal SciPy's unscrambled Sobol points exactly (tools/
// sobol_directions.py wrote them) at 1, 5 and 40 dimensions.
func TestSobolEqualsSciPy(t *testing.T) {
	var g struct {
		Sets map[string]struct {
			D, N   int
			Points [][]float64
		}
	}
	if err := goldenfile.Decode("testdata/sobol.json.gz", "/usr/bin/python3 tools/sobol_directions.py", &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Sets) != 3 {
		t.Fatalf("%d golden sets, want 3", len(g.Sets))
	}
	for name, s := range g.Sets {
		got, err := Sobol(s.D, s.N)
		if err != nil {
			t.Fatal(err)
		}
		for i := range s.Points {
			for j, want := range s.Points[i] {
				if got[i][j] != want {
					t.Fatalf("%s: point %d, dimension %d: %v, SciPy %v", name, i, j, got[i][j], want)
				}
			}
		}
	}
}

// TestSobolPrefix: the first n points of a longer sequence are the sequence of n points, and
// the first 2^k points of each dimension are the multiples of 2^-k (each once).
func TestSobolPrefix(t *testing.T) {
	long, _ := Sobol(SobolMaxDims, 1024)
	short, _ := Sobol(SobolMaxDims, 100)
	for i := range short {
		for j := range short[i] {
			if short[i][j] != long[i][j] {
				t.Fatalf("point %d dimension %d: %v in 100 points, %v in 1024", i, j, short[i][j], long[i][j])
			}
		}
	}
	for j := 0; j < SobolMaxDims; j++ {
		seen := make([]bool, 1024)
		for i := range long {
			k := long[i][j] * 1024
			if k != float64(int(k)) || seen[int(k)] {
				t.Fatalf("dimension %d: point %d is %v, not a new multiple of 1/1024", j, i, long[i][j])
			}
			seen[int(k)] = true
		}
	}
	if _, err := Sobol(SobolMaxDims+1, 1); err == nil {
		t.Errorf("%d dimensions accepted", SobolMaxDims+1)
	}
}
