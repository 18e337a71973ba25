package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat"
)

// Cell is one point of an inhibitory axis within one excitation level: the axis value (for
// example the inhibitory weight in pA) and, per replicate, the unit's rate (Hz) and its mean
// excitatory and inhibitory currents (pA).
type Cell struct {
	X              float64
	Rate, Exc, Inh []float64
}

// CrossStatus says whether a level's mean rate crosses the set point inside the grid.
type CrossStatus int

const (
	Crossed     CrossStatus = iota // the mean rate crosses the set point between two cells
	AlwaysAbove                    // above the set point at every cell: more inhibition is needed than the grid has
	AlwaysBelow                    // below the set point at every cell: less inhibition than the grid has
	TooFewCells                    // fewer than two cells
)

// String names the status as tables print it.
func (s CrossStatus) String() string {
	switch s {
	case Crossed:
		return "crossed"
	case AlwaysAbove:
		return "rate above the set point at every cell"
	case AlwaysBelow:
		return "rate below the set point at every cell"
	case TooFewCells:
		return "fewer than two cells"
	}
	return fmt.Sprintf("CrossStatus(%d)", int(s))
}

// Crossing is where a level's mean rate crosses its set point: the axis value and the mean
// currents there, interpolated linearly between the two cells that bracket it.
type Crossing struct {
	Status      CrossStatus
	X, ExcPA    float64
	InhPA       float64
	SignChanges int // crossings along the axis; more than one means the rate is not monotone
}

// FindCrossing finds the first crossing of target by the mean rate along cells (sorted by X):
// for the first adjacent pair whose mean rates r₀, r₁ lie on either side of target (or touch it),
// with f = (r₀ − target)/(r₀ − r₁),
//
//	X* = X₀ + f·(X₁ − X₀),  Ē* = Ē₀ + f·(Ē₁ − Ē₀),  Ī* = Ī₀ + f·(Ī₁ − Ī₀)
//
// where Ē, Ī are the cells' mean currents. Nothing is extrapolated beyond the grid.
func FindCrossing(cells []Cell, target float64) Crossing {
	means := make([][3]float64, len(cells))
	for k, c := range cells {
		means[k] = [3]float64{mean(c.Rate), mean(c.Exc), mean(c.Inh)}
	}
	return crossingOf(cells, means, target)
}

func crossingOf(cells []Cell, means [][3]float64, target float64) Crossing {
	if len(cells) < 2 {
		return Crossing{Status: TooFewCells, X: math.NaN(), ExcPA: math.NaN(), InhPA: math.NaN()}
	}
	cr := Crossing{Status: AlwaysBelow, X: math.NaN(), ExcPA: math.NaN(), InhPA: math.NaN()}
	for k := 0; k+1 < len(cells); k++ {
		d0, d1 := means[k][0]-target, means[k+1][0]-target
		if d0 == 0 || d0*d1 < 0 || (d1 == 0 && k+2 == len(cells)) {
			cr.SignChanges++
			if cr.Status != Crossed {
				f := 0.0
				if d0 != d1 {
					f = d0 / (d0 - d1)
				}
				lerp := func(a, b float64) float64 { return a + f*(b-a) }
				cr.Status = Crossed
				cr.X = lerp(cells[k].X, cells[k+1].X)
				cr.ExcPA = lerp(means[k][1], means[k+1][1])
				cr.InhPA = lerp(means[k][2], means[k+1][2])
			}
		}
	}
	// Without a crossing every cell is on the same side of the target.
	if cr.Status != Crossed && means[0][0] > target {
		cr.Status = AlwaysAbove
	}
	return cr
}

// Interval is a confidence interval.
type Interval struct{ Lo, Hi float64 }

// BootstrapCrossing resamples the replicates of every cell (with replacement, independently per
// cell) b times and returns the 95% percentile intervals of the crossing's X, Ē* and Ī*, and the
// fraction of resamples that crossed. rng makes it reproducible.
func BootstrapCrossing(cells []Cell, target float64, b int, rng *rand.Rand) (x, exc, inh Interval, fracCrossed float64) {
	var xs, es, is []float64
	means := make([][3]float64, len(cells))
	for range b {
		for k, c := range cells {
			n := len(c.Rate)
			var r, e, i float64
			for range n {
				j := rng.IntN(n)
				r += c.Rate[j]
				e += c.Exc[j]
				i += c.Inh[j]
			}
			means[k] = [3]float64{r / float64(n), e / float64(n), i / float64(n)}
		}
		if cr := crossingOf(cells, means, target); cr.Status == Crossed {
			xs, es, is = append(xs, cr.X), append(es, cr.ExcPA), append(is, cr.InhPA)
		}
	}
	return percentiles(xs), percentiles(es), percentiles(is), float64(len(xs)) / float64(b)
}

func percentiles(xs []float64) Interval {
	if len(xs) == 0 {
		return Interval{math.NaN(), math.NaN()}
	}
	sort.Float64s(xs)
	return Interval{stat.Quantile(0.025, stat.LinInterp, xs, nil), stat.Quantile(0.975, stat.LinInterp, xs, nil)}
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// LineFit is a balance model fitted to the crossings (Ē*, Ī*) of several levels.
type LineFit struct {
	Model     string   // "linear" (I = m·E + b), "additive" (I = E + b), "multiplicative" (I = m·E)
	M, B      float64  // slope and intercept (pA); fixed ones (m = 1, b = 0) have SE 0
	SEM, SEB  float64  // standard errors of m and b (NaN without degrees of freedom)
	CIM, CIB  Interval // 95% intervals, ± t(0.975, dof)·SE
	R2        float64  // 1 − SSR/SST, SST about the mean of Ī*
	RMSPA     float64  // root-mean-square residual (pA)
	AIC       float64  // n·ln(SSR/n) + 2k, k the number of fitted coefficients
	Residuals []float64
	DOF       int
}

// FitBalance fits the three balance models to points (Ē*, Ī*) by least squares:
//
//	linear          Ī = m·Ē + b   (gonum stat.LinearRegression)
//	additive        Ī = Ē + b,    b = mean(Ī − Ē)
//	multiplicative  Ī = m·Ē,      m = ΣĒĪ / ΣĒ²
func FitBalance(exc, inh []float64) [3]LineFit {
	n := len(exc)
	fits := [3]LineFit{{Model: "linear"}, {Model: "additive", M: 1}, {Model: "multiplicative"}}
	if n == 0 {
		for k := range fits {
			fits[k] = nanFit(fits[k].Model)
		}
		return fits
	}
	var sxx, xbar float64
	for _, x := range exc {
		xbar += x / float64(n)
	}
	for _, x := range exc {
		sxx += (x - xbar) * (x - xbar)
	}
	// linear
	if n >= 2 && sxx > 0 {
		b, m := stat.LinearRegression(exc, inh, nil, false)
		fits[0].M, fits[0].B = m, b
	} else {
		fits[0] = nanFit("linear")
	}
	// additive
	var d, sx2, sxy float64
	for k := range exc {
		d += (inh[k] - exc[k]) / float64(n)
		sx2 += exc[k] * exc[k]
		sxy += exc[k] * inh[k]
	}
	fits[1].B = d
	fits[2].M = sxy / sx2
	var ybar float64
	for _, y := range inh {
		ybar += y / float64(n)
	}
	var sst float64
	for _, y := range inh {
		sst += (y - ybar) * (y - ybar)
	}
	for k, params := range []int{2, 1, 1} {
		f := &fits[k]
		if math.IsNaN(f.M) {
			continue
		}
		f.Residuals = make([]float64, n)
		var ssr float64
		for j := range exc {
			r := inh[j] - (f.M*exc[j] + f.B)
			f.Residuals[j] = r
			ssr += r * r
		}
		f.DOF = n - params
		f.RMSPA = math.Sqrt(ssr / float64(n))
		f.R2 = 1 - ssr/sst
		f.AIC = float64(n)*math.Log(ssr/float64(n)) + 2*float64(params)
		s2 := math.NaN()
		if f.DOF > 0 {
			s2 = ssr / float64(f.DOF)
		}
		switch k {
		case 0:
			f.SEM = math.Sqrt(s2 / sxx)
			f.SEB = math.Sqrt(s2 * (1/float64(n) + xbar*xbar/sxx))
		case 1:
			f.SEB = math.Sqrt(s2 / float64(n))
		case 2:
			f.SEM = math.Sqrt(s2 / sx2)
		}
		t := TQuantile975(f.DOF)
		f.CIM = Interval{f.M - t*f.SEM, f.M + t*f.SEM}
		f.CIB = Interval{f.B - t*f.SEB, f.B + t*f.SEB}
		if k == 1 {
			f.CIM = Interval{1, 1}
		}
		if k == 2 {
			f.CIB = Interval{0, 0}
		}
	}
	return fits
}

func nanFit(model string) LineFit {
	nan := math.NaN()
	return LineFit{Model: model, M: nan, B: nan, SEM: nan, SEB: nan, CIM: Interval{nan, nan}, CIB: Interval{nan, nan}, R2: nan, RMSPA: nan, AIC: nan}
}

// BalanceCoefs are the coefficients of the three balance models: additive I = E + b,
// multiplicative I = m·E, linear I = m·E + b (currents in pA). NaN where undefined.
type BalanceCoefs struct {
	AdditiveBPA     float64
	MultiplicativeM float64
	LinearM         float64
	LinearBPA       float64
}

// LeaveOneOut returns, for every point k, the three models fitted by least squares (as
// [FitBalance] fits them) to all points but k: what the models predict for a point they have
// not seen. It runs in O(n) from running sums. With fewer than two other points (three for the
// linear model, whose other points must not all share one Ē) the coefficients are NaN.
func LeaveOneOut(exc, inh []float64) []BalanceCoefs {
	n := len(exc)
	var sd, sx, sy, sxx, sxy float64
	for k := range exc {
		x, y := exc[k], inh[k]
		sd += y - x
		sx += x
		sy += y
		sxx += x * x
		sxy += x * y
	}
	out := make([]BalanceCoefs, n)
	nan := math.NaN()
	for k := range exc {
		x, y := exc[k], inh[k]
		m := float64(n - 1)
		c := BalanceCoefs{AdditiveBPA: nan, MultiplicativeM: nan, LinearM: nan, LinearBPA: nan}
		if n-1 >= 1 {
			c.AdditiveBPA = (sd - (y - x)) / m
			if d := sxx - x*x; d > 0 {
				c.MultiplicativeM = (sxy - x*y) / d
			}
		}
		if n-1 >= 2 {
			mx, my := (sx-x)/m, (sy-y)/m
			vxx := (sxx - x*x) - m*mx*mx
			vxy := (sxy - x*y) - m*mx*my
			if vxx > 1e-12*(sxx-x*x) {
				c.LinearM = vxy / vxx
				c.LinearBPA = my - c.LinearM*mx
			}
		}
		out[k] = c
	}
	return out
}
