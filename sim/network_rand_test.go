package sim

import (
	"math"
	"slices"
	"strconv"
	"testing"
)

// TestZigguratTables: the layers' edges decrease from R to 0 and every layer has area V.
func TestZigguratTables(t *testing.T) {
	f := func(x float64) float64 { return math.Exp(-0.5 * x * x) }
	if zigX[1] != zigR || zigX[zigLayers] != 0 {
		t.Fatalf("x[1] = %g, x[256] = %g", zigX[1], zigX[zigLayers])
	}
	for i := 1; i < zigLayers; i++ {
		if !(zigX[i+1] < zigX[i]) || math.IsNaN(zigX[i]) {
			t.Fatalf("x[%d] = %g, x[%d] = %g: not decreasing", i, zigX[i], i+1, zigX[i+1])
		}
		if a := zigX[i] * (f(zigX[i+1]) - f(zigX[i])); math.Abs(a-zigV) > 1e-9*zigV {
			t.Errorf("layer %d has area %.12g, want %.12g", i, a, zigV)
		}
	}
	// The top layer closes the curve: x[255]·(1 − f(x[255])) = V.
	if a := zigX[zigLayers-1] * (1 - f(zigX[zigLayers-1])); math.Abs(a-zigV) > 1e-6*zigV {
		t.Errorf("top layer has area %.12g, want %.12g", a, zigV)
	}
	// The base strip: R·f(R) + the tail's area = V.
	tail := math.Sqrt(math.Pi/2) * math.Erfc(zigR/math.Sqrt2)
	if a := zigR*f(zigR) + tail; math.Abs(a-zigV) > 1e-9*zigV {
		t.Errorf("base strip has area %.12g, want %.12g", a, zigV)
	}
}

// TestNormalMoments draws 4 million numbers and checks mean, variance, skewness and kurtosis, the
// tail probabilities beyond 2, 3, 4 and the ziggurat's tail start R, and the CDF at many points
// (including every layer edge, where an error in the tables would show), each within 4.5
// standard errors.
func TestNormalMoments(t *testing.T) {
	const n = 4_000_000
	var r normalRand
	r.seed(1, 2)
	xs := make([]float64, n)
	var m1, m2, m3, m4 float64
	for i := range xs {
		x := r.norm()
		xs[i] = x
		m1 += x
		m2 += x * x
		m3 += x * x * x
		m4 += x * x * x * x
	}
	m1, m2, m3, m4 = m1/n, m2/n, m3/n, m4/n
	check := func(name string, got, want, se float64) {
		t.Helper()
		if math.Abs(got-want) > 4.5*se {
			t.Errorf("%s = %.6g, want %.6g ± %.2g", name, got, want, se)
		}
	}
	check("mean", m1, 0, 1/math.Sqrt(n))
	check("E[x²]", m2, 1, math.Sqrt(2.0/n))
	check("E[x³]", m3, 0, math.Sqrt(15.0/n))
	check("E[x⁴]", m4, 3, math.Sqrt(96.0/n))
	slices.Sort(xs)
	phi := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	points := []float64{-4, -3, -2, -1, -0.5, 0, 0.3, 1, 2, 3, 4, zigR, -zigR, zigR + 0.3}
	for i := 2; i < zigLayers; i += 9 {
		points = append(points, zigX[i], -zigX[i])
	}
	for _, x := range points {
		p := phi(x)
		got := float64(countBelow(xs, x)) / n
		check("P(z < "+strconv.FormatFloat(x, 'g', 6, 64)+")", got, p, math.Sqrt(p*(1-p)/n))
	}
	// Kolmogorov–Smirnov over the whole sample: D·√n beyond 1.95 has probability 0.001.
	d := 0.0
	for i, x := range xs {
		p := phi(x)
		d = max(d, math.Abs(float64(i+1)/n-p), math.Abs(float64(i)/n-p))
	}
	if d*math.Sqrt(n) > 1.95 {
		t.Errorf("Kolmogorov–Smirnov D = %.3g (√n·D = %.3g), want √n·D < 1.95", d, d*math.Sqrt(n))
	}
	t.Logf("mean %.2g, var %.5f, skew %.2g, kurt %.4f, KS √n·D %.3g", m1, m2-m1*m1, m3, m4, d*math.Sqrt(n))
}

// TestNormalTail draws until it has 20,000 numbers from the tail beyond R and checks that their
// excess over R is distributed as the normal tail's.
func TestNormalTail(t *testing.T) {
	var r normalRand
	r.seed(3, 4)
	tailP := math.Erfc(zigR/math.Sqrt2) / 2 // P(z > R)
	var excess []float64
	draws := 0
	for len(excess) < 20000 {
		x := r.norm()
		draws++
		if math.Abs(x) > zigR {
			excess = append(excess, math.Abs(x)-zigR)
		}
	}
	if got, want := float64(len(excess))/float64(draws), 2*tailP; math.Abs(got-want) > 4.5*math.Sqrt(want/float64(draws)) {
		t.Errorf("P(|z| > R) = %.4g, want %.4g", got, want)
	}
	slices.Sort(excess)
	for _, e := range []float64{0.05, 0.1, 0.2, 0.4, 0.8} {
		// P(z − R < e | z > R)
		p := 1 - math.Erfc((zigR+e)/math.Sqrt2)/2/tailP
		got := float64(countBelow(excess, e)) / float64(len(excess))
		if math.Abs(got-p) > 4.5*math.Sqrt(p*(1-p)/float64(len(excess))) {
			t.Errorf("P(excess < %g | tail) = %.4f, want %.4f", e, got, p)
		}
	}
}

func countBelow(sorted []float64, x float64) int {
	i, _ := slices.BinarySearch(sorted, x)
	return i
}

// BenchmarkNormal is one standard normal draw.
func BenchmarkNormal(b *testing.B) {
	var r normalRand
	r.seed(1, 2)
	s := 0.0
	for range b.N {
		s += r.norm()
	}
	if s == 42 {
		b.Log(s)
	}
}
