package analysis

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Summary describes a sample: n, mean, standard deviation (n−1), standard error of the mean and
// the 95% confidence interval of the mean, mean ± t(0.975, n−1)·SEM. With n < 2 the spread and
// interval are NaN. NaN values in the sample are left out.
type Summary struct {
	N               int
	Mean, SD, SEM   float64
	CI95Lo, CI95Hi  float64
	FracWithin10Pct float64 // fraction of values within ±10% of a target, when one is given
	hasTarget       bool
}

// Summarize summarises xs; if target is not NaN it also counts the fraction within ±10% of it.
func Summarize(xs []float64, target float64) Summary {
	var m Moments
	for _, x := range xs {
		m.AddNear(x, target)
	}
	return m.Summary()
}

// Moments accumulates a Summary one value at a time (Welford's method), in constant memory.
// NaN values are left out. The zero value is empty.
type Moments struct {
	n, within int
	hasTarget bool
	mean, m2  float64
}

// Add adds x.
func (m *Moments) Add(x float64) {
	if math.IsNaN(x) {
		return
	}
	m.n++
	d := x - m.mean
	m.mean += d / float64(m.n)
	m.m2 += d * (x - m.mean)
}

// AddNear adds x and counts whether it lies within ±10% of target (ignored if target is NaN).
func (m *Moments) AddNear(x, target float64) {
	if math.IsNaN(x) {
		return
	}
	m.Add(x)
	if !math.IsNaN(target) {
		m.hasTarget = true
		if math.Abs(x-target) <= 0.1*math.Abs(target) {
			m.within++
		}
	}
}

// N returns the number of values added.
func (m *Moments) N() int { return m.n }

// Mean returns the mean (NaN when empty).
func (m *Moments) Mean() float64 { return m.Summary().Mean }

// SD returns the sample standard deviation (NaN with fewer than two values).
func (m *Moments) SD() float64 { return m.Summary().SD }

// Summary returns the summary of the values added.
func (m *Moments) Summary() Summary {
	nan := math.NaN()
	s := Summary{N: m.n, Mean: nan, SD: nan, SEM: nan, CI95Lo: nan, CI95Hi: nan, FracWithin10Pct: nan}
	if m.n == 0 {
		return s
	}
	s.Mean = m.mean
	if m.hasTarget {
		s.FracWithin10Pct = float64(m.within) / float64(m.n)
	}
	if m.n < 2 {
		return s
	}
	s.SD = math.Sqrt(m.m2 / float64(m.n-1))
	s.SEM = s.SD / math.Sqrt(float64(m.n))
	t := TQuantile975(m.n - 1)
	s.CI95Lo, s.CI95Hi = s.Mean-t*s.SEM, s.Mean+t*s.SEM
	return s
}

// TQuantile975 is the 0.975 quantile of Student's t with dof degrees of freedom: the factor of a
// two-sided 95% interval. NaN for dof < 1.
func TQuantile975(dof int) float64 {
	if dof < 1 {
		return math.NaN()
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(dof)}.Quantile(0.975)
}
