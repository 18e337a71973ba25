package train

import (
	"errors"
	"fmt"
	"math"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/sim"
)

// Trial is what one training trial measured and what its update did.
type Trial struct {
	Index int // from 0
	// The trial's Up states, as a network run measures them (analysis.SummarizeUps).
	Ups                  int
	UpDurationSec        float64 // their mean duration; without one, the event's
	UpRateEHz, UpRateIHz float64
	// The moving averages after this trial (Hz).
	AvgEHz, AvgIHz float64
	// Per pathway (sim's order EE, IE, EI, II), after this trial's update: the mean weight (pA)
	// and the mean |ΔW| of the update (pA, before the clip).
	MeanWPA, MeanAbsDeltaPA [4]float64
}

// ErrSilent reports a trial without a single spike: no rates to train on.
var ErrSilent = errors.New("no spike in the trial")

// Session is one training in progress: a compiled network, its weights and moving averages, and
// the index of the next trial. Trial k's noise comes from TrialSeed(seed, k), so the state after
// a trial (Checkpoint) is all a resumed training needs to continue as the uninterrupted one.
type Session struct {
	nw   *sim.Network
	conn *sim.Connectivity
	p    Params
	up   analysis.UpParams
	seed uint64
	upd  *Updater

	w    [4][]float64 // pA per synapse
	wAmp [4][]float64 // the same in A, for the network
	avg  Averages
	next int

	scratch sim.NetworkScratch
	res     sim.NetworkResult
	ups     analysis.NetworkUps
}

// Checkpoint is a training's state between trials.
type Checkpoint struct {
	Next     int          // the index of the next trial
	WeightPA [4][]float64 // per synapse, in the connectivity's order
	Averages Averages
}

// NewSession starts a training of nw (compiled from conn) with weights w0 (pA per synapse; copied)
// under p, measuring trials with up, its trials' noise seeded from seed.
func NewSession(nw *sim.Network, conn *sim.Connectivity, p Params, up analysis.UpParams, w0 *[4][]float64, seed uint64) (*Session, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := up.Validate(); err != nil {
		return nil, err
	}
	if nExc, nInh := nw.Sizes(); nExc != conn.NExc || nInh != conn.NInh {
		return nil, fmt.Errorf("network of %d E and %d I units, connectivity of %d and %d", nExc, nInh, conn.NExc, conn.NInh)
	}
	upd, err := NewUpdater(conn)
	if err != nil {
		return nil, err
	}
	s := &Session{nw: nw, conn: conn, p: p, up: up, seed: seed, upd: upd}
	if err := s.Restore(Checkpoint{WeightPA: *w0}); err != nil {
		return nil, err
	}
	return s, nil
}

// Restore sets the session to the state of c (copied). A checkpoint that does not fit the
// session's network is an error, and the session is then unchanged.
func (s *Session) Restore(c Checkpoint) error {
	for q := sim.EE; q <= sim.II; q++ {
		if len(c.WeightPA[q]) != len(s.conn.Pre[q]) {
			return fmt.Errorf("%v: %d weights for %d synapses", q, len(c.WeightPA[q]), len(s.conn.Pre[q]))
		}
	}
	if c.Next < 0 || (c.Next > 0) != (c.Averages.Trials > 0) {
		return fmt.Errorf("checkpoint at trial %d with averages of %d trials", c.Next, c.Averages.Trials)
	}
	if a := c.Averages; a.Trials > 0 && (len(a.ExcUnitsHz) != s.conn.NExc || len(a.InhUnitsHz) != s.conn.NInh) {
		return fmt.Errorf("checkpoint averages of %d E and %d I units, the network has %d and %d", len(a.ExcUnitsHz), len(a.InhUnitsHz), s.conn.NExc, s.conn.NInh)
	}
	for q := sim.EE; q <= sim.II; q++ {
		s.w[q] = append(s.w[q][:0], c.WeightPA[q]...)
		grow(&s.wAmp[q], len(s.w[q]))
	}
	s.next = c.Next
	s.avg = Averages{Trials: c.Averages.Trials, ExcHz: c.Averages.ExcHz, InhHz: c.Averages.InhHz,
		ExcUnitsHz: append([]float64(nil), c.Averages.ExcUnitsHz...), InhUnitsHz: append([]float64(nil), c.Averages.InhUnitsHz...)}
	return nil
}

// Checkpoint returns a copy of the session's state.
func (s *Session) Checkpoint() Checkpoint {
	var c Checkpoint
	c.Next = s.next
	for q := range s.w {
		c.WeightPA[q] = append([]float64(nil), s.w[q]...)
	}
	c.Averages = Averages{Trials: s.avg.Trials, ExcHz: s.avg.ExcHz, InhHz: s.avg.InhHz,
		ExcUnitsHz: append([]float64(nil), s.avg.ExcUnitsHz...), InhUnitsHz: append([]float64(nil), s.avg.InhUnitsHz...)}
	return c
}

// Next returns the index of the next trial.
func (s *Session) Next() int { return s.next }

// WeightsPA returns the current weights (pA per synapse); the caller must not change them.
func (s *Session) WeightsPA() *[4][]float64 { return &s.w }

// Scratch returns the session's network scratch, for its NoiseAhead and Stop settings.
func (s *Session) Scratch() (*sim.NetworkScratch, *sim.NetworkResult) { return &s.scratch, &s.res }

// TrialSeed returns the noise seed of trial k of a training seeded with seed.
func TrialSeed(seed uint64, k int) uint64 {
	z := seed ^ (uint64(k)+1)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// Step runs the next trial with the current weights, folds its Up-state rates into the moving
// averages and updates the weights. A runaway trial is an error wrapping sim.ErrNumerical, a trial
// without any spike one wrapping ErrSilent; the session is then unchanged.
func (s *Session) Step() (Trial, error) {
	k := s.next
	for q := range s.w {
		for i, x := range s.w[q] {
			s.wAmp[q][i] = x * 1e-12
		}
	}
	if err := s.nw.SetWeights(&s.wAmp); err != nil {
		return Trial{}, fmt.Errorf("trial %d: %w", k, err)
	}
	if err := s.nw.Run(TrialSeed(s.seed, k), &s.scratch, &s.res); err != nil {
		return Trial{}, fmt.Errorf("trial %d: %w", k, err)
	}
	cfg := s.nw.Config()
	nExc, nInh := s.nw.Sizes()
	sp := analysis.NetworkSpikes{Steps: s.res.SpikeSteps, Units: s.res.SpikeUnits, NExc: nExc, NInh: nInh,
		NKicked: s.nw.KickedUnits(), DtSec: cfg.DtSec, DurationSec: cfg.DurationSec}
	if err := analysis.SummarizeUps(sp, s.up, &s.ups); err != nil {
		return Trial{}, fmt.Errorf("trial %d: %w", k, err)
	}
	u := &s.ups
	if len(s.res.SpikeSteps) == 0 || math.IsNaN(u.UpRateEHz) || math.IsNaN(u.UpRateIHz) {
		return Trial{}, fmt.Errorf("trial %d: %w", k, ErrSilent)
	}
	if err := s.avg.Observe(s.p, u.UpRateEUnitsHz, u.UpRateIUnitsHz, u.UpRateEHz, u.UpRateIHz); err != nil {
		return Trial{}, fmt.Errorf("trial %d: %w", k, err)
	}
	madw, err := s.upd.Update(s.p, &s.avg, &s.w)
	if err != nil {
		return Trial{}, fmt.Errorf("trial %d: %w", k, err)
	}
	s.next++
	t := Trial{Index: k, Ups: len(u.Ups), UpDurationSec: u.MeanDurationSec, UpRateEHz: u.UpRateEHz, UpRateIHz: u.UpRateIHz,
		AvgEHz: s.avg.ExcHz, AvgIHz: s.avg.InhHz, MeanAbsDeltaPA: madw}
	for q := range s.w {
		t.MeanWPA[q] = analysis.MeanNumpy(s.w[q])
	}
	return t, nil
}

func grow(p *[]float64, n int) {
	if cap(*p) < n {
		*p = make([]float64, n)
	}
	*p = (*p)[:n]
}
