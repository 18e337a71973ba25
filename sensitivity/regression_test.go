package sensitivity

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/eisweep/eisweep/design"
)

// TestRegressIshigami: at n = 4096 random points the analytical SRCs of the Ishigami function lie
// inside the bootstrap intervals (boot 500), and the intervals are narrow (under 0.1 wide).
//
// For y = sin x1 + 7 sin² x2 + 0.1 x3⁴ sin x1 with x uniform on [−π, π]³, the parameters are
// independent, so the regression coefficient of x_i is cov(x_i, y) / var(x_i). With
// E[x sin x] = (1/2π)∫x sin x dx = 1 and E[x3⁴] = π⁴/5, cov(x1, y) = 1 + 0.1π⁴/5; var(x1) = π²/3, so
// β1 = 3(1 + 0.1π⁴/5)/π², σ1 = π/√3, and SRC1 = β1·σ1/σy with the Ishigami variance
// σy² = 1/2 + 49/8 + 0.1π⁴/5 + 0.01π⁸/18 (= 13.8446), giving SRC1 = 0.4368. y is even in x2 and
// in x3, so cov(x2, y) = cov(x3, y) = 0 and SRC2 = SRC3 = 0; R² = SRC1² = 0.1908.
func TestRegressIshigami(t *testing.T) {
	u, err := design.Random(3, 4096, 1)
	if err != nil {
		t.Fatal(err)
	}
	x := make([][]float64, len(u))
	y := make([]float64, len(u))
	for j, p := range u {
		y[j] = ishigami(p)
		x[j] = make([]float64, 3)
		for i := range p {
			x[j][i] = -math.Pi + 2*math.Pi*p[i]
		}
	}
	regs, err := Regress(x, [][]float64{y}, 500, 1)
	if err != nil {
		t.Fatal(err)
	}
	pi4 := math.Pow(math.Pi, 4)
	beta1 := 3 * (1 + 0.1*pi4/5) / (math.Pi * math.Pi)
	sigma1 := math.Pi / math.Sqrt(3)
	sigmaY := math.Sqrt(0.5 + 49.0/8 + 0.1*pi4/5 + 0.01*pi4*pi4/18)
	src := []float64{beta1 * sigma1 / sigmaY, 0, 0}
	if math.Abs(src[0]-0.4368) > 5e-5 {
		t.Errorf("analytical SRC1 %.5f, the comment says 0.4368", src[0])
	}
	reg := regs[0]
	t.Logf("R² %.4f (analytical %.4f), rank R² %.4f", reg.R2, src[0]*src[0], reg.RankR2)
	for i, p := range reg.Params {
		t.Logf("x%d: SRC %.4f [%.4f, %.4f] (analytical %.4f)  PRCC %.4f [%.4f, %.4f]", i+1, p.SRC, p.SRCLo, p.SRCHi, src[i], p.PRCC, p.PRCCLo, p.PRCCHi)
		if src[i] < p.SRCLo || src[i] > p.SRCHi || p.SRCHi-p.SRCLo > 0.1 {
			t.Errorf("x%d: SRC %.4f not in [%.4f, %.4f] or the interval is wide", i+1, src[i], p.SRCLo, p.SRCHi)
		}
		if !(p.SRCLo <= p.SRC && p.SRC <= p.SRCHi) || !(p.PRCCLo <= p.PRCC && p.PRCC <= p.PRCCHi) || p.PRCCHi-p.PRCCLo > 0.1 {
			t.Errorf("x%d: an estimate outside its interval, or a wide PRCC interval", i+1)
		}
	}
	// With SRC2, SRC3 near 0, R² is about SRC1²: inside the square of SRC1's interval.
	if p := reg.Params[0]; reg.R2 < p.SRCLo*p.SRCLo || reg.R2 > p.SRCHi*p.SRCHi {
		t.Errorf("R² %.4f not in [%.4f, %.4f], the square of SRC1's interval", reg.R2, p.SRCLo*p.SRCLo, p.SRCHi*p.SRCHi)
	}
}

// rankdata returns v's fractional ranks (1-based, ties averaged), as scipy.stats.rankdata: by
// sorting, independently of Regress's ranking.
func rankdata(v []float64) []float64 {
	idx := make([]int, len(v))
	for j := range idx {
		idx[j] = j
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case v[a] < v[b]:
			return -1
		case v[a] > v[b]:
			return 1
		}
		return 0
	})
	r := make([]float64, len(v))
	for lo := 0; lo < len(idx); {
		hi := lo + 1
		for hi < len(idx) && v[idx[hi]] == v[idx[lo]] {
			hi++
		}
		for _, j := range idx[lo:hi] {
			r[j] = float64(lo+1+hi) / 2
		}
		lo = hi
	}
	return r
}

// pearson returns the correlation of a and b.
func pearson(a, b []float64) float64 {
	var ma, mb float64
	for k := range a {
		ma += a[k]
		mb += b[k]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var sab, saa, sbb float64
	for k := range a {
		sab += (a[k] - ma) * (b[k] - mb)
		saa += (a[k] - ma) * (a[k] - ma)
		sbb += (b[k] - mb) * (b[k] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}

// leastSquares returns the coefficients of b's least-squares fit on an intercept and cols, and its
// residuals, by QR.
func leastSquares(t *testing.T, cols [][]float64, b []float64) (coef, res []float64) {
	t.Helper()
	n := len(b)
	a := mat.NewDense(n, len(cols)+1, nil)
	for k := range n {
		a.Set(k, 0, 1)
		for i, c := range cols {
			a.Set(k, i+1, c[k])
		}
	}
	var c mat.VecDense
	if err := c.SolveVec(a, mat.NewVecDense(n, slices.Clone(b))); err != nil {
		t.Fatal(err)
	}
	var fit mat.VecDense
	fit.MulVec(a, &c)
	res = make([]float64, n)
	for k := range res {
		res[k] = b[k] - fit.AtVec(k)
	}
	return c.RawVector().Data, res
}

// columns returns x's columns.
func columns(x [][]float64) [][]float64 {
	cols := make([][]float64, len(x[0]))
	for i := range cols {
		cols[i] = make([]float64, len(x))
		for j, p := range x {
			cols[i][j] = p[i]
		}
	}
	return cols
}

// testProblem returns n random points of d parameters, the last rounded to tenths (ties), and two
// outputs of the first four with noise: y, nonlinear and monotone in each, and y rounded to tenths
// (ties).
func testProblem(t testing.TB, d, n int, seed uint64) (x [][]float64, ys [][]float64) {
	x, err := design.Random(d, n, seed)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 99))
	y := make([]float64, n)
	yr := make([]float64, n)
	for j, p := range x {
		p[d-1] = math.Round(10*p[d-1]) / 10
		y[j] = math.Exp(2*p[0]) + 2*math.Pow(p[1], 3) - math.Sqrt(p[2]) + 0.5*p[3] + 0.3*r.NormFloat64()
		yr[j] = math.Round(10*y[j]) / 10
	}
	return x, [][]float64{y, yr}
}

// TestPRCCDefinition: the PRCC from the inverse correlation matrix equals the definition, the
// correlation of the residuals of rank(x_i) and rank(y) each regressed (least squares, with an
// intercept) on the other parameters' ranks; the SRCs equal the least-squares coefficients of the
// standardized output on the standardized parameters, and the R²s those fits' R². Ranks and fits
// are computed here independently of Regress, with ties in a parameter and in an output.
func TestPRCCDefinition(t *testing.T) {
	const d, n, tol = 5, 300, 1e-9
	x, ys := testProblem(t, d, n, 2)
	regs, err := Regress(x, ys, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	cols := columns(x)
	rcols := make([][]float64, d)
	zcols := make([][]float64, d)
	for i, c := range cols {
		rcols[i] = rankdata(c)
		zcols[i] = standardized(c)
	}
	for m, y := range ys {
		reg := regs[m]
		ry := rankdata(y)
		coef, res := leastSquares(t, zcols, standardized(y))
		r2 := 1 - dot(res, res)/float64(n-1) // the standardized output's sum of squares is n − 1
		_, rres := leastSquares(t, rcols, ry)
		rr2 := 1 - dot(rres, rres)/dot(centred(ry), centred(ry))
		t.Logf("output %d: R² %.6f (least squares %.6f), rank R² %.6f (%.6f)", m, reg.R2, r2, reg.RankR2, rr2)
		if math.Abs(reg.R2-r2) > tol || math.Abs(reg.RankR2-rr2) > tol {
			t.Errorf("output %d: R² %.12f, rank R² %.12f, want %.12f, %.12f", m, reg.R2, reg.RankR2, r2, rr2)
		}
		for i, p := range reg.Params {
			others := slices.Delete(slices.Clone(rcols), i, i+1)
			_, ex := leastSquares(t, others, rcols[i])
			_, ey := leastSquares(t, others, ry)
			prcc := pearson(ex, ey)
			t.Logf("output %d x%d: SRC %+.6f (least squares %+.6f)  PRCC %+.6f (definition %+.6f)", m, i+1, p.SRC, coef[i+1], p.PRCC, prcc)
			if math.Abs(p.SRC-coef[i+1]) > tol {
				t.Errorf("output %d x%d: SRC %.12f, least squares %.12f", m, i+1, p.SRC, coef[i+1])
			}
			if math.Abs(p.PRCC-prcc) > tol {
				t.Errorf("output %d x%d: PRCC %.12f, definition %.12f", m, i+1, p.PRCC, prcc)
			}
			if p.SRCLo != p.SRC || p.SRCHi != p.SRC || p.PRCCLo != p.PRCC || p.PRCCHi != p.PRCC {
				t.Errorf("output %d x%d: with no resamples the bounds differ from the estimates", m, i+1)
			}
		}
	}
}

func centred(v []float64) []float64 {
	var mean float64
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	c := make([]float64, len(v))
	for k, x := range v {
		c[k] = x - mean
	}
	return c
}

// standardized returns v centred and scaled to unit sample standard deviation.
func standardized(v []float64) []float64 {
	c := centred(v)
	sd := math.Sqrt(dot(c, c) / float64(len(c)-1))
	for k := range c {
		c[k] /= sd
	}
	return c
}

func dot(a, b []float64) float64 {
	var s float64
	for k := range a {
		s += a[k] * b[k]
	}
	return s
}

// TestPRCCMonotoneInvariant: a strictly increasing transform of the output, exp(3y), leaves the
// PRCCs and their intervals as they are, while the SRCs change.
func TestPRCCMonotoneInvariant(t *testing.T) {
	x, ys := testProblem(t, 5, 300, 3)
	y := ys[0]
	e := make([]float64, len(y))
	for j, v := range y {
		e[j] = math.Exp(3 * v)
	}
	regs, err := Regress(x, [][]float64{y, e}, 200, 7)
	if err != nil {
		t.Fatal(err)
	}
	var dsrc float64
	for i := range regs[0].Params {
		a, b := regs[0].Params[i], regs[1].Params[i]
		t.Logf("x%d: PRCC %+.6f [%+.6f, %+.6f] / %+.6f [%+.6f, %+.6f]  SRC %+.4f / %+.4f", i+1, a.PRCC, a.PRCCLo, a.PRCCHi, b.PRCC, b.PRCCLo, b.PRCCHi, a.SRC, b.SRC)
		for _, pair := range [][2]float64{{a.PRCC, b.PRCC}, {a.PRCCLo, b.PRCCLo}, {a.PRCCHi, b.PRCCHi}} {
			if math.Abs(pair[0]-pair[1]) > 1e-12 {
				t.Errorf("x%d: PRCC (or bound) %.15f of y, %.15f of exp(3y)", i+1, pair[0], pair[1])
			}
		}
		dsrc = max(dsrc, math.Abs(a.SRC-b.SRC))
	}
	t.Logf("R² %.4f / %.4f, rank R² %.6f / %.6f, largest SRC change %.4f", regs[0].R2, regs[1].R2, regs[0].RankR2, regs[1].RankR2, dsrc)
	if dsrc < 0.01 {
		t.Errorf("SRCs of y and exp(3y) differ by at most %.4f, want a change", dsrc)
	}
	if math.Abs(regs[0].RankR2-regs[1].RankR2) > 1e-12 {
		t.Errorf("rank R² %.15f of y, %.15f of exp(3y)", regs[0].RankR2, regs[1].RankR2)
	}
}

// TestRegressRefuses: fewer than d+2 points, a constant parameter and collinear parameters (or
// ranks) are refused, each error saying which; d+2 points are accepted.
func TestRegressRefuses(t *testing.T) {
	x, ys := testProblem(t, 4, 50, 4)
	if _, err := Regress(x[:6], [][]float64{ys[0][:6]}, 0, 1); err != nil {
		t.Errorf("d+2 = 6 points for 4 parameters: %v", err)
	}
	cases := []struct {
		name string
		edit func(p []float64)
		n    int
		want string
	}{
		{"5 points", func([]float64) {}, 5, "want at least d + 2"},
		{"constant x3", func(p []float64) { p[2] = 0.5 }, 50, "parameter 2 is constant"},
		{"x3 = x1 + 2·x2", func(p []float64) { p[2] = p[0] + 2*p[1] }, 50, "parameter columns are collinear"},
		{"x3 = exp(5·x1)", func(p []float64) { p[2] = math.Exp(5 * p[0]) }, 50, "parameter ranks are collinear"},
	}
	for _, c := range cases {
		xc := make([][]float64, c.n)
		for j := range xc {
			xc[j] = slices.Clone(x[j])
			c.edit(xc[j])
		}
		_, err := Regress(xc, [][]float64{ys[0][:c.n]}, 0, 1)
		t.Logf("%s: %v", c.name, err)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
}

// TestRegressConstantOutput: a constant output gets NaN indices, R²s and bounds, and the other
// outputs get what they get without it.
func TestRegressConstantOutput(t *testing.T) {
	x, ys := testProblem(t, 4, 200, 5)
	flat := make([]float64, 200)
	for j := range flat {
		flat[j] = 0.1
	}
	with, err := Regress(x, [][]float64{ys[0], flat, ys[1]}, 100, 3)
	if err != nil {
		t.Fatal(err)
	}
	without, err := Regress(x, ys, 100, 3)
	if err != nil {
		t.Fatal(err)
	}
	c := with[1]
	t.Logf("constant output: R² %v, rank R² %v, x1 %+v", c.R2, c.RankR2, c.Params[0])
	nan := []float64{c.R2, c.RankR2}
	for _, p := range c.Params {
		nan = append(nan, p.SRC, p.SRCLo, p.SRCHi, p.PRCC, p.PRCCLo, p.PRCCHi)
	}
	for _, v := range nan {
		if !math.IsNaN(v) {
			t.Errorf("constant output: %v, want NaN", v)
			break
		}
	}
	for k, m := range []int{0, 2} {
		a, b := with[m], without[k]
		if a.R2 != b.R2 || a.RankR2 != b.RankR2 || !slices.Equal(a.Params, b.Params) {
			t.Errorf("output %d: %+v beside a constant output, %+v without it", m, a, b)
		}
	}
}

// TestRegressSkipsDegenerateResamples: at d+2 points most resamples repeat points enough that the
// parameters are collinear; more than half skipped is an error saying so.
func TestRegressSkipsDegenerateResamples(t *testing.T) {
	x, ys := testProblem(t, 4, 6, 6)
	_, err := Regress(x, ys, 200, 1)
	t.Logf("%v", err)
	if err == nil || !strings.Contains(err.Error(), "bootstrap resamples") {
		t.Errorf("error %v, want one about skipped resamples", err)
	}
}

// TestResampleRanks: the one-pass ranks of a resample with repeated points equal the fractional
// ranks of its values by sorting.
func TestResampleRanks(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	const n = 500
	v := make([]float64, n)
	for j := range v {
		v[j] = float64(r.IntN(40)) // many ties
	}
	tv := newTies(v)
	count := make([]int32, n)
	rank := make([]float64, n)
	for range 20 {
		rows := make([]int, n)
		clear(count)
		vals := make([]float64, n)
		for k := range rows {
			rows[k] = r.IntN(n)
			count[rows[k]]++
			vals[k] = v[rows[k]]
		}
		tv.rank(count, rank)
		want := rankdata(vals)
		for k, j := range rows {
			if rank[j] != want[k] {
				t.Fatalf("point %d (value %v, %d copies): rank %v, want %v", j, v[j], count[j], rank[j], want[k])
			}
		}
	}
}

// TestRegressWorkers: the result does not depend on how many goroutines fit the resamples.
func TestRegressWorkers(t *testing.T) {
	x, ys := testProblem(t, 5, 300, 9)
	one, err := regress(x, ys, 50, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	three, err := regress(x, ys, 50, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	for m := range one {
		if one[m].R2 != three[m].R2 || !slices.Equal(one[m].Params, three[m].Params) {
			t.Errorf("output %d: %+v with 1 worker, %+v with 3", m, one[m], three[m])
		}
	}
}

// BenchmarkRegress: 40 parameters, 1024 points, 30 outputs, 100 resamples.
func BenchmarkRegress(b *testing.B) {
	const d, n, m = 40, 1024, 30
	x, err := design.Random(d, n, 1)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	ys := make([][]float64, m)
	for k := range ys {
		w := make([]float64, d)
		for i := range w {
			w[i] = r.NormFloat64() / float64(1+i)
		}
		ys[k] = make([]float64, n)
		for j, p := range x {
			ys[k][j] = math.Exp(dot(w, p)) + 0.1*r.NormFloat64()
		}
	}
	for b.Loop() {
		if _, err := Regress(x, ys, 100, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRegressCoverage: over 100 independent designs of a linear model with known SRCs, the 95 %
// intervals of its 3 parameters hold the true SRC about 285 times in 300 (binomial sd 3.8); the
// count must lie in [265, 295], which 50 % or 99.9 % intervals would miss.
//
// y = x1 + 0.5·x2 + 0.3·ε, x uniform on [0, 1)³ (variance 1/12 each) and ε standard normal, so
// σy² = 1.25/12 + 0.09 and SRC_i = b_i·sqrt(1/12)/σy: 0.6547, 0.3273, 0.
func TestRegressCoverage(t *testing.T) {
	b := []float64{1, 0.5, 0}
	sy := math.Sqrt(1.25/12 + 0.09)
	covered, total := 0, 0
	for rep := range 100 {
		x, err := design.Random(3, 200, uint64(100+rep))
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(uint64(rep), 1))
		y := make([]float64, len(x))
		for j, p := range x {
			y[j] = dot(b, p) + 0.3*r.NormFloat64()
		}
		regs, err := Regress(x, [][]float64{y}, 200, uint64(rep))
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range regs[0].Params {
			src := b[i] * math.Sqrt(1.0/12) / sy
			total++
			if p.SRCLo <= src && src <= p.SRCHi {
				covered++
			}
		}
	}
	t.Logf("95 %% intervals held the true SRC %d times in %d", covered, total)
	if covered < 265 || covered > 295 {
		t.Errorf("95 %% intervals held the true SRC %d times in %d, want 265 … 295", covered, total)
	}
}
