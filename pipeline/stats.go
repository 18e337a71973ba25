package pipeline

import "math"

// Moments accumulates mean and variance by Welford's method.
type Moments struct {
	N    int
	mean float64
	m2   float64
}

// Add adds x.
func (m *Moments) Add(x float64) {
	m.N++
	d := x - m.mean
	m.mean += d / float64(m.N)
	m.m2 += d * (x - m.mean)
}

// Mean returns the mean (NaN when empty).
func (m *Moments) Mean() float64 {
	if m.N == 0 {
		return math.NaN()
	}
	return m.mean
}

// SD returns the sample standard deviation (NaN with fewer than two values).
func (m *Moments) SD() float64 {
	if m.N < 2 {
		return math.NaN()
	}
	return math.Sqrt(m.m2 / float64(m.N-1))
}

// Stats summarises the completed runs of an invocation.
type Stats struct {
	RateEHz, RateIHz           Moments
	QEEPC, QEIPC, QIEPC, QIIPC Moments
}

func (s *Stats) add(r *Row) {
	s.RateEHz.Add(r.RateEHz)
	s.RateIHz.Add(r.RateIHz)
	s.QEEPC.Add(r.QEEPC)
	s.QEIPC.Add(r.QEIPC)
	s.QIEPC.Add(r.QIEPC)
	s.QIIPC.Add(r.QIIPC)
}
