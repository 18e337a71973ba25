package sensitivity

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// RegIndex is one parameter's regression-based sensitivity of one output, with bootstrap 95 %
// intervals (percentiles 2.5 and 97.5 of the resampled estimates).
type RegIndex struct {
	SRC, SRCLo, SRCHi    float64 // standardized regression coefficient: output sds per parameter sd, others held fixed
	PRCC, PRCCLo, PRCCHi float64 // partial rank correlation coefficient: rank correlation with the others' ranks partialled out
}

// Regression is one output's indices for every parameter, and the R² of the linear fit the SRCs
// come from (and of the rank fit the PRCCs come from).
type Regression struct {
	Params     []RegIndex // one per parameter, in the order of the design's columns
	R2, RankR2 float64    // share of the output's variance (of its ranks' variance) the fit explains
}

// maxCond bounds the condition number of the parameters' correlation matrix (of their ranks'):
// above it the columns count as collinear, a parameter then being within about 1e-6 in
// correlation of a linear combination of the others and the indices mostly rounding error.
const maxCond = 1e12

// Regress returns, for each output ys[m] (len n each), the SRC and PRCC of each of the d columns of
// x (x[j] is design point j's d parameter values, n points), with intervals from boot bootstrap
// resamples of the n points seeded by seed (boot 0: bounds equal the estimates).
//
// With Rxx the Pearson correlation matrix of the parameters, r their correlations with the output
// and Q = Rxx⁻¹,
//
//	SRC = Q·r     R² = r·(Q·r)
//
// and on ranks (average ranks for ties), with q = Q·r and s = 1 − r·q,
//
//	PRCC_i = q_i / sqrt(s·Q_ii + q_i²)
//
// which is the correlation of the residuals of rank(x_i) and rank(y) regressed on the other
// parameters' ranks. A resample re-ranks its points, a repeated point's copies tying.
//
// It refuses fewer than d+2 points, a constant parameter, and parameters whose values or ranks are
// collinear. A constant output gets NaN indices and R²s, so that it does not fail the others.
// Resamples whose parameters are constant or collinear are skipped, and more than half skipped is
// an error; an index with no value in more than half of the resamples (skipped, or the output
// constant in them) gets NaN bounds.
func Regress(x [][]float64, ys [][]float64, boot int, seed uint64) ([]Regression, error) {
	return regress(x, ys, boot, seed, runtime.GOMAXPROCS(0))
}

// regress is Regress with the resamples spread over the given number of goroutines; the result
// does not depend on it.
func regress(x [][]float64, ys [][]float64, boot int, seed uint64, workers int) ([]Regression, error) {
	p, err := newProblem(x, ys)
	if err != nil {
		return nil, fmt.Errorf("regression: %w", err)
	}
	if boot < 0 {
		return nil, fmt.Errorf("regression: %d bootstrap resamples, want 0 or more", boot)
	}
	n, d, m := p.n, p.d, len(p.ys)
	rows := make([]int, n)
	for j := range rows {
		rows[j] = j
	}
	w := p.newWork()
	if err := w.fit(rows); err != nil {
		return nil, fmt.Errorf("regression: %w", err)
	}
	out := make([]Regression, m)
	for k := range out {
		e := w.est[k*p.stride : (k+1)*p.stride]
		out[k] = Regression{Params: make([]RegIndex, d), R2: e[2*d], RankR2: e[2*d+1]}
		for i := range out[k].Params {
			out[k].Params[i] = RegIndex{SRC: e[i], SRCLo: e[i], SRCHi: e[i], PRCC: e[d+i], PRCCLo: e[d+i], PRCCHi: e[d+i]}
		}
	}
	if boot == 0 {
		return out, nil
	}

	// samples[(k·2d + i)·boot + b] is resample b's SRC (i < d) or PRCC (i ≥ d) of parameter i mod d
	// for output k; kept[b] says whether resample b was fitted.
	samples := make([]float64, m*2*d*boot)
	kept := make([]bool, boot)
	type job struct {
		b    int
		rows []int
	}
	workers = max(1, min(workers, boot))
	jobs := make(chan job, workers)
	free := make(chan []int, 2*workers)
	for range 2 * workers {
		free <- make([]int, n)
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := p.newWork()
			for jb := range jobs {
				err := w.fit(jb.rows)
				free <- jb.rows
				if err != nil {
					continue
				}
				kept[jb.b] = true
				for k := range m {
					for i := range 2 * d {
						samples[(k*2*d+i)*boot+jb.b] = w.est[k*p.stride+i]
					}
				}
			}
		}()
	}
	r := rand.New(rand.NewPCG(seed, 0x72656772657373)) // "regress"
	for b := range boot {
		rs := <-free
		for j := range rs {
			rs[j] = r.IntN(n)
		}
		jobs <- job{b, rs}
	}
	close(jobs)
	wg.Wait()

	skipped := 0
	for _, ok := range kept {
		if !ok {
			skipped++
		}
	}
	if 2*skipped > boot {
		return nil, fmt.Errorf("regression: %d of %d bootstrap resamples had constant or collinear parameters, want at most half", skipped, boot)
	}
	s := make([]float64, 0, boot)
	for k := range m {
		for i := range 2 * d {
			s = s[:0]
			for b, v := range samples[(k*2*d+i)*boot : (k*2*d+i+1)*boot] {
				if kept[b] && !math.IsNaN(v) {
					s = append(s, v)
				}
			}
			lo, hi := math.NaN(), math.NaN()
			if 2*(boot-len(s)) <= boot && len(s) > 0 {
				slices.Sort(s)
				lo, hi = percentile(s, 0.025), percentile(s, 0.975)
			}
			if i < d {
				out[k].Params[i].SRCLo, out[k].Params[i].SRCHi = lo, hi
			} else {
				out[k].Params[i-d].PRCCLo, out[k].Params[i-d].PRCCHi = lo, hi
			}
		}
	}
	return out, nil
}

// problem is the design and outputs, by column, with each variable's order for ranking.
type problem struct {
	n, d   int
	xs     [][]float64 // xs[i][j] is parameter i at design point j
	ys     [][]float64 // ys[k][j] is output k at design point j
	xt, yt []ties      // for ranking xs[i] and ys[k]
	stride int         // of a fit's estimates per output: d SRCs, d PRCCs, R², rank R²
}

// newProblem checks the design and outputs and transposes the design.
func newProblem(x, ys [][]float64) (*problem, error) {
	n := len(x)
	if n == 0 {
		return nil, errors.New("no design points, want at least d + 2")
	}
	d := len(x[0])
	if d == 0 {
		return nil, errors.New("design point 0 has no parameter values, want at least one")
	}
	if n < d+2 {
		return nil, fmt.Errorf("%d points for %d parameters: want at least d + 2 = %d", n, d, d+2)
	}
	if len(ys) == 0 {
		return nil, errors.New("no outputs, want at least one")
	}
	p := &problem{n: n, d: d, xs: make([][]float64, d), ys: ys, xt: make([]ties, d), yt: make([]ties, len(ys)), stride: 2*d + 2}
	for i := range p.xs {
		p.xs[i] = make([]float64, n)
	}
	for j, pt := range x {
		if len(pt) != d {
			return nil, fmt.Errorf("design point %d has %d parameter values, point 0 has %d", j, len(pt), d)
		}
		for i, v := range pt {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("parameter %d of design point %d is %v, want a finite value", i, j, v)
			}
			p.xs[i][j] = v
		}
	}
	for k, y := range ys {
		if len(y) != n {
			return nil, fmt.Errorf("output %d has %d values, want one per design point (%d)", k, len(y), n)
		}
		for j, v := range y {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("output %d at design point %d is %v, want a finite value", k, j, v)
			}
		}
	}
	for i, v := range p.xs {
		p.xt[i] = newTies(v)
	}
	for k, v := range ys {
		p.yt[k] = newTies(v)
	}
	return p, nil
}

// ties is one variable's design points in increasing order of value, split into runs of equal
// values, so that the ranks of any resample follow in one pass.
type ties struct {
	order []int32 // design points by increasing value
	ends  []int32 // end (exclusive) in order of each run of equal values
}

func newTies(v []float64) ties {
	order := make([]int32, len(v))
	for j := range order {
		order[j] = int32(j)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if v[a] < v[b] {
			return -1
		}
		if v[a] > v[b] {
			return 1
		}
		return 0
	})
	var ends []int32
	for k := 1; k <= len(order); k++ {
		if k == len(order) || v[order[k]] != v[order[k-1]] {
			ends = append(ends, int32(k))
		}
	}
	return ties{order, ends}
}

// rank sets rank[j], for each design point j in a resample holding count[j] copies of it, to its
// value's average rank (1-based) among the resample's values.
func (t ties) rank(count []int32, rank []float64) {
	below, start := 0, int32(0)
	for _, end := range t.ends {
		g := 0
		for _, j := range t.order[start:end] {
			g += int(count[j])
		}
		r := float64(below) + float64(g+1)/2
		for _, j := range t.order[start:end] {
			rank[j] = r
		}
		below += g
		start = end
	}
}

// work is one goroutine's space for fitting resamples.
type work struct {
	p      *problem
	count  []int32    // copies of each design point in the resample
	rank   []float64  // rank of each design point's value in the resample, for one variable
	zx, rx *mat.Dense // d×n: the resample's parameters (their ranks), centred and scaled to unit norm
	zy, ry *mat.Dense // outputs×n: the same for the outputs
	flat   []bool     // flat[k]: output k is constant in the resample
	rxx    *mat.SymDense
	q      *mat.SymDense
	chol   mat.Cholesky
	rxy    *mat.Dense // d×outputs correlations of parameters with outputs
	qr     *mat.Dense // Q·rxy
	est    []float64  // per output: d SRCs, d PRCCs, R², rank R²
}

func (p *problem) newWork() *work {
	n, d, m := p.n, p.d, len(p.ys)
	return &work{
		p:     p,
		count: make([]int32, n),
		rank:  make([]float64, n),
		zx:    mat.NewDense(d, n, nil),
		rx:    mat.NewDense(d, n, nil),
		zy:    mat.NewDense(m, n, nil),
		ry:    mat.NewDense(m, n, nil),
		flat:  make([]bool, m),
		rxx:   mat.NewSymDense(d, nil),
		q:     mat.NewSymDense(d, nil),
		rxy:   mat.NewDense(d, m, nil),
		qr:    mat.NewDense(d, m, nil),
		est:   make([]float64, m*p.stride),
	}
}

// fit sets w.est from the resample of the given design points (rows[k] is its k-th point).
func (w *work) fit(rows []int) error {
	p, d := w.p, w.p.d
	clear(w.count)
	for _, j := range rows {
		w.count[j]++
	}
	for i := range d {
		if !w.load(w.zx.RawRowView(i), p.xs[i], rows) {
			return fmt.Errorf("parameter %d is constant over the points", i)
		}
		p.xt[i].rank(w.count, w.rank)
		w.load(w.rx.RawRowView(i), w.rank, rows)
	}
	for k := range p.ys {
		w.flat[k] = !w.load(w.zy.RawRowView(k), p.ys[k], rows)
		p.yt[k].rank(w.count, w.rank)
		w.load(w.ry.RawRowView(k), w.rank, rows)
	}
	if err := w.solve(w.zx, w.zy); err != nil {
		return fmt.Errorf("parameter columns are collinear: %w", err)
	}
	for k := range p.ys {
		e := w.est[k*p.stride:]
		var r2 float64
		for i := range d {
			e[i] = w.qr.At(i, k)
			r2 += w.rxy.At(i, k) * e[i]
		}
		e[2*d] = r2
	}
	if err := w.solve(w.rx, w.ry); err != nil {
		return fmt.Errorf("parameter ranks are collinear: %w", err)
	}
	for k := range p.ys {
		e := w.est[k*p.stride:]
		var r2 float64
		for i := range d {
			r2 += w.rxy.At(i, k) * w.qr.At(i, k)
		}
		s := max(0, 1-r2)
		for i := range d {
			qi := w.qr.At(i, k)
			e[d+i] = qi / math.Sqrt(s*w.q.At(i, i)+qi*qi)
		}
		e[2*d+1] = r2
		if w.flat[k] {
			for i := range e[:p.stride] {
				e[i] = math.NaN()
			}
		}
	}
	return nil
}

// load sets dst[k] to v[rows[k]], centred and scaled to unit norm, and reports whether the values
// vary (if not, dst is zero).
func (w *work) load(dst, v []float64, rows []int) bool {
	first := v[rows[0]]
	varies := false
	var sum float64
	for k, j := range rows {
		dst[k] = v[j]
		sum += v[j]
		varies = varies || v[j] != first
	}
	if !varies {
		clear(dst)
		return false
	}
	mean := sum / float64(len(rows))
	var ss float64
	for k := range dst {
		dst[k] -= mean
		ss += dst[k] * dst[k]
	}
	f := 1 / math.Sqrt(ss)
	for k := range dst {
		dst[k] *= f
	}
	return true
}

// solve sets w.rxx, w.q = rxx⁻¹, w.rxy and w.qr = Q·rxy from the loaded parameters zx (d×n) and
// outputs zy, both of unit-norm rows.
func (w *work) solve(zx, zy *mat.Dense) error {
	w.rxx.SymOuterK(1, zx)
	if !w.chol.Factorize(w.rxx) {
		return errors.New("their correlation matrix is not positive definite")
	}
	if c := w.chol.Cond(); c > maxCond {
		return fmt.Errorf("condition number of their correlation matrix %.3g, want at most %.0g", c, maxCond)
	}
	if err := w.chol.InverseTo(w.q); err != nil {
		return err
	}
	w.rxy.Mul(zx, zy.T())
	w.qr.Mul(w.q, w.rxy)
	return nil
}
