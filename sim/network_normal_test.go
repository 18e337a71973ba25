package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestZigguratTables: the layers' edges decrease from R to 0 and every layer has area V.
func TestZigguratTables(t *testing.T) {
	f := func(x float64) float64 { return math.Exp(-0.5 * x * x) }
	if nzX[1] != nzR || nzX[nzLayers] != 0 {
		t.Fatalf("x[1] = %g, x[%d] = %g", nzX[1], nzLayers, nzX[nzLayers])
	}
	for i := 1; i < nzLayers; i++ {
		if !(nzX[i+1] < nzX[i]) || math.IsNaN(nzX[i]) {
			t.Fatalf("x[%d] = %g, x[%d] = %g: not decreasing", i, nzX[i], i+1, nzX[i+1])
		}
		if a := nzX[i] * (f(nzX[i+1]) - f(nzX[i])); math.Abs(a-nzV) > 1e-9*nzV {
			t.Errorf("layer %d has area %.12g, want %.12g", i, a, nzV)
		}
		if math.Abs(nzF[i]-f(nzX[i])) > 1e-15 {
			t.Errorf("f(x[%d]) = %v, want %v", i, nzF[i], f(nzX[i]))
		}
	}
	// The top layer closes the curve: x[n−1]·(1 − f(x[n−1])) = V.
	if a := nzX[nzLayers-1] * (1 - f(nzX[nzLayers-1])); math.Abs(a-nzV) > 1e-6*nzV {
		t.Errorf("top layer has area %.12g, want %.12g", a, nzV)
	}
	// The base strip: R·f(R) + the tail's area = V.
	tail := math.Sqrt(math.Pi/2) * math.Erfc(nzR/math.Sqrt2)
	if a := nzR*f(nzR) + tail; math.Abs(a-nzV) > 1e-9*nzV {
		t.Errorf("base strip has area %.12g, want %.12g", a, nzV)
	}
}

// TestPortableExpLog: expPortable and logPortable are within 2 ulp of math's (each is within 1 ulp
// of the exact value) over the ranges the ziggurat uses.
func TestPortableExpLog(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ulp := func(x float64) float64 { return math.Nextafter(x, math.Inf(1)) - x }
	for range 1_000_000 {
		x := -7 * r.Float64()
		if e, w := expPortable(x), math.Exp(x); math.Abs(e-w) > 2*ulp(w) {
			t.Fatalf("expPortable(%v) = %v, math.Exp %v", x, e, w)
		}
		u := math.Ldexp(r.Float64()+0x1p-60, -r.IntN(60))
		if l, w := logPortable(u), math.Log(u); math.Abs(l-w) > 2*ulp(math.Abs(w)) {
			t.Fatalf("logPortable(%v) = %v, math.Log %v", u, l, w)
		}
	}
}

// TestNormalAVX512MatchesScalar: fill on the AVX-512 path and on the scalar one give the same
// stream, bit for bit, for several seeds, however it is split into calls: one generator draws
// in calls of random lengths 0 … 5000 (most not multiples of 8), the other in calls of a fixed
// length (n_E + n_I of a network, odd lengths, whole chunks, single numbers), and then the other
// way round. Without AVX-512 both run the scalar code, and the test still checks the splits.
func TestNormalAVX512MatchesScalar(t *testing.T) {
	t.Logf("AVX-512: %v", haveAVX512)
	total := 12_000_000
	if testing.Short() {
		total = 2_000_000
	}
	for _, tc := range []struct {
		seed  uint64
		fixed int
	}{{1, 2000}, {42, 1003}, {0xdeadbeef, nzChunk}, {7, 1}, {1 << 63, 333}} {
		n := total
		if tc.fixed < 8 {
			n = total / 20
		}
		x, y := make([]float64, n), make([]float64, n)
		r := rand.New(rand.NewPCG(tc.seed, 9))
		var a, b normalGen
		tails := 0
		for rev := range 2 {
			a.seed(tc.seed+uint64(rev), noiseTag)
			b.seed(tc.seed+uint64(rev), noiseTag)
			for k := 0; k < n; {
				m := min(r.IntN(5001), n-k)
				a.fillPath(x[k:k+m], haveAVX512 && rev == 0)
				k += m
			}
			for k := 0; k < n; {
				m := min(tc.fixed, n-k)
				b.fillPath(y[k:k+m], haveAVX512 && rev == 1)
				k += m
			}
			for k := range x {
				if math.Float64bits(x[k]) != math.Float64bits(y[k]) {
					t.Fatalf("seed %#x, calls of %d, pass %d: number %d differs: %v vs %v", tc.seed, tc.fixed, rev, k, x[k], y[k])
				}
				if math.Abs(x[k]) > nzR {
					tails++
				}
			}
		}
		if tails == 0 {
			t.Fatalf("no number beyond R in %d: the tail is not exercised", 2*n)
		}
		t.Logf("seed %#x: %d numbers identical (random calls against calls of %d), %d in the tail", tc.seed, 2*n, tc.fixed, tails)
	}
}

// TestLaneWordsAVX512MatchesScalar: the connectivity's words are the same on both paths.
func TestLaneWordsAVX512MatchesScalar(t *testing.T) {
	var a, b [32]uint64
	x := uint64(5)
	seedLanes(&a, &x)
	b = a
	w1, w2 := make([]uint64, 8*1000), make([]uint64, 8*1000)
	for range 50 {
		if haveAVX512 {
			laneWordsAVX512(&a, w1)
		} else {
			laneWordsScalar(&a, w1)
		}
		laneWordsScalar(&b, w2)
		if !slices.Equal(w1, w2) || a != b {
			t.Fatal("the lanes' words differ between the paths")
		}
	}
}

// TestNormalGolden pins the first numbers of one stream, so that a change of the stream (or a
// machine that computes it differently) shows.
func TestNormalGolden(t *testing.T) {
	var g normalGen
	g.seed(1, noiseTag)
	x := make([]float64, 1<<16)
	g.fill(x)
	h := uint64(14695981039346656037)
	for _, v := range x {
		h = (h ^ math.Float64bits(v)) * 1099511628211
	}
	t.Logf("first numbers %v, FNV hash of 65536: %#x", x[:3], h)
	if h != normalGoldenHash {
		t.Errorf("the first 65536 numbers of seed 1 hash to %#x, want %#x", h, normalGoldenHash)
	}
}

const normalGoldenHash uint64 = 0xea1a9faa08e26438

// TestNzSqueeze: the wedge shortcuts decide as the exp test does, on many random wedge points,
// and decide nearly all of them.
func TestNzSqueeze(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	n := 10_000_000
	if testing.Short() {
		n = 1_000_000
	}
	quick := 0
	for range n {
		i := 1 + r.IntN(nzLayers-1)
		lo := nzX[i+1] / nzX[i]
		x := (lo + (1-lo)*r.Float64()) * nzX[i]
		u := r.Float64()
		exact := nzF[i]+float64(u*(nzF[i+1]-nzF[i])) < expPortable(float64(float64(-0.5*x)*x))
		sq := float64(nzX[i]-x) * nzInvW[i]
		e := nzE[i]
		var dec, known bool
		switch {
		case e > 0 && u < sq-nzMargin:
			dec, known = true, true
		case e > 0 && u >= sq+e:
			dec, known = false, true
		case e < 0 && u >= sq+nzMargin:
			dec, known = false, true
		case e < 0 && u < sq+e:
			dec, known = true, true
		}
		if known {
			quick++
			if dec != exact {
				t.Fatalf("layer %d, x %v, u %v: the shortcut says %v, the exp test %v", i, x, u, dec, exact)
			}
		}
	}
	t.Logf("%.2f%% of %d wedge points decided without exp", 100*float64(quick)/float64(n), n)
	if quick < n*9/10 {
		t.Errorf("only %d of %d decided without exp", quick, n)
	}
}

// TestNormalMoments draws 10⁷ numbers (4·10⁶ with -short) and checks mean, variance, skewness,
// kurtosis, lag-1 correlation, the CDF at many points (every ninth layer edge included, where an
// error in the tables would show) and Kolmogorov–Smirnov, each within 4.5 standard errors, and
// χ² over 200 equiprobable bins.
func TestNormalMoments(t *testing.T) {
	n := 10_000_000
	if testing.Short() {
		n = 4_000_000
	}
	var g normalGen
	g.seed(1, 2)
	xs := make([]float64, n)
	g.fill(xs)
	fn := float64(n)
	var m1, m2, m3, m4, lag float64
	for i, x := range xs {
		m1 += x
		m2 += x * x
		m3 += x * x * x
		m4 += x * x * x * x
		if i > 0 {
			lag += x * xs[i-1]
		}
	}
	m1, m2, m3, m4, lag = m1/fn, m2/fn, m3/fn, m4/fn, lag/fn
	check := func(name string, got, want, se float64) {
		t.Helper()
		if math.Abs(got-want) > 4.5*se {
			t.Errorf("%s = %.6g, want %.6g ± %.2g", name, got, want, se)
		}
	}
	check("mean", m1, 0, 1/math.Sqrt(fn))
	check("E[x²]", m2, 1, math.Sqrt(2/fn))
	check("E[x³]", m3, 0, math.Sqrt(15/fn))
	check("E[x⁴]", m4, 3, math.Sqrt(96/fn))
	check("lag-1 E[x·x']", lag, 0, 1/math.Sqrt(fn))
	phi := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	// χ² over 200 equiprobable bins (199 degrees of freedom: mean 199, sd √398)
	bins := make([]float64, 200)
	edges := make([]float64, 199)
	for k := range edges {
		edges[k] = math.Sqrt2 * math.Erfinv(2*float64(k+1)/200-1)
	}
	for _, x := range xs {
		k, _ := slices.BinarySearch(edges, x)
		bins[k]++
	}
	chi := 0.0
	for _, c := range bins {
		chi += (c - fn/200) * (c - fn/200) / (fn / 200)
	}
	check("χ²(199)", chi, 199, math.Sqrt(398))
	slices.Sort(xs)
	points := []float64{-4, -3, -2, -1, -0.5, 0, 0.3, 1, 2, 3, 4, nzR, -nzR, nzR + 0.3}
	for i := 2; i < nzLayers; i += 9 {
		points = append(points, nzX[i], -nzX[i])
	}
	for _, x := range points {
		p := phi(x)
		got := float64(countBelow(xs, x)) / fn
		check("P(z < "+strconv.FormatFloat(x, 'g', 6, 64)+")", got, p, math.Sqrt(p*(1-p)/fn))
	}
	// Kolmogorov–Smirnov over the whole sample: √n·D beyond 1.95 has probability 0.001.
	d := 0.0
	for i, x := range xs {
		p := phi(x)
		d = max(d, math.Abs(float64(i+1)/fn-p), math.Abs(float64(i)/fn-p))
	}
	if d*math.Sqrt(fn) > 1.95 {
		t.Errorf("Kolmogorov–Smirnov D = %.3g (√n·D = %.3g), want √n·D < 1.95", d, d*math.Sqrt(fn))
	}
	t.Logf("mean %.2g, var %.5f, skew %.2g, kurt %.4f, lag-1 %.2g, χ² %.1f, KS √n·D %.3g", m1, m2-m1*m1, m3, m4, lag, chi, d*math.Sqrt(fn))
}

// TestNormalTail draws until it has 5,000 numbers from the tail beyond R and checks that their
// excess over R is distributed as the normal tail's.
func TestNormalTail(t *testing.T) {
	var g normalGen
	g.seed(3, 4)
	tailP := math.Erfc(nzR/math.Sqrt2) / 2 // P(z > R)
	var excess []float64
	draws := 0
	buf := make([]float64, 1<<16)
	for len(excess) < 5000 {
		g.fill(buf)
		for _, x := range buf {
			draws++
			if math.Abs(x) > nzR {
				excess = append(excess, math.Abs(x)-nzR)
			}
		}
	}
	if got, want := float64(len(excess))/float64(draws), 2*tailP; math.Abs(got-want) > 4.5*math.Sqrt(want/float64(draws)) {
		t.Errorf("P(|z| > R) = %.4g, want %.4g", got, want)
	}
	slices.Sort(excess)
	for _, e := range []float64{0.05, 0.1, 0.2, 0.4, 0.8} {
		// P(z − R < e | z > R)
		p := 1 - math.Erfc((nzR+e)/math.Sqrt2)/2/tailP
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

// BenchmarkNormals is the noise of one step of BenchmarkNetwork2000's network (2000 numbers), on
// the default path and on the scalar one.
func BenchmarkNormals(b *testing.B) {
	for _, vec := range []bool{true, false} {
		name := "scalar"
		if vec {
			name = "default"
		}
		b.Run(name, func(b *testing.B) {
			var g normalGen
			g.seed(1, 2)
			z := make([]float64, 2000)
			for range b.N {
				g.fillPath(z, vec && haveAVX512)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2000, "ns/number")
		})
	}
}
