package train

import (
	"fmt"
	"math"

	"github.com/eisweep/eisweep/sim"
)

// Rule names a weight-update rule.
type Rule int

// The rules. m are the moving averages of the Up-state rates (per unit, floored at FloorHz for
// the per-synapse rules), Ē_b and Ī_b the mean of m over unit b's excitatory and inhibitory
// presynaptic partners (before the floor), E*, I* the set points, α the learning rate:
const (
	// CrossHomeoLocal is the 2022 paper's rule for the spiking network
	// ("cross-homeo-pre-outer-homeo"), per synapse a → b:
	//	ΔW_EE = α·m_a·(I* − Ī_b) + α·m_a·(E* − m_b)    ΔW_EI = −α·m_a·(I* − Ī_b) − α·m_a·(E* − m_b)
	//	ΔW_IE = −α·m_a·(E* − Ē_b) + α·m_a·(I* − m_b)   ΔW_II = α·m_a·(E* − Ē_b) − α·m_a·(I* − m_b)
	// (α in pA per Hz²).
	CrossHomeoLocal Rule = iota
	// CrossHomeoPopulation is the population form, one change per pathway from the populations'
	// moving averages Ē and Ī (α in pA per Hz):
	//	ΔW_EE = α·(I* − Ī)   ΔW_EI = −α·(I* − Ī)   ΔW_IE = −α·(E* − Ē)   ΔW_II = α·(E* − Ē)
	CrossHomeoPopulation
	// Homeo is the plain homeostatic rule the paper compares ("homeo"), per synapse a → b, each
	// unit's inputs moved by its own error (α in pA per Hz²):
	//	ΔW_EE = α·m_a·(E* − m_b)   ΔW_EI = −α·m_a·(E* − m_b)   ΔW_IE = α·m_a·(I* − m_b)   ΔW_II = −α·m_a·(I* − m_b)
	Homeo
)

var ruleNames = [...]string{CrossHomeoLocal: "cross-homeo-local", CrossHomeoPopulation: "cross-homeo-population", Homeo: "homeo"}

// String returns the rule's name in sweep definitions.
func (r Rule) String() string {
	if r >= 0 && int(r) < len(ruleNames) {
		return ruleNames[r]
	}
	return fmt.Sprintf("Rule(%d)", int(r))
}

// ParseRule returns the rule named s.
func ParseRule(s string) (Rule, error) {
	for r, n := range ruleNames {
		if s == n {
			return Rule(r), nil
		}
	}
	return 0, fmt.Errorf("training rule %q: want cross-homeo-local, cross-homeo-population or homeo", s)
}

// Params are a training's settings.
type Params struct {
	Rule Rule
	// Alpha is the learning rate α: pA per Hz² for the per-synapse rules, pA per Hz for the
	// population rule. The paper uses 0.005 pA/Hz² with CrossHomeoLocal.
	Alpha float64
	// TauTrials is τ of the moving averages, in trials: m ← m + (r − m)/τ (the paper: 2).
	TauTrials float64
	// SetExcHz and SetInhHz are the set points E* and I* (5 and 14 Hz).
	SetExcHz, SetInhHz float64
	// FloorHz floors the per-unit moving averages before the per-synapse rules use them (1 Hz);
	// the floored values are kept, as the paper's code keeps them.
	FloorHz float64
	// WMinPA and WMaxPA clip every weight after an update (5 and 750 pA).
	WMinPA, WMaxPA float64
}

// DefaultParams returns the paper's settings: CrossHomeoLocal, α 0.005 pA/Hz², τ 2 trials, set
// points 5 and 14 Hz, floor 1 Hz, weights clipped to [5, 750] pA.
func DefaultParams() Params {
	return Params{Rule: CrossHomeoLocal, Alpha: 0.005, TauTrials: 2, SetExcHz: 5, SetInhHz: 14, FloorHz: 1, WMinPA: 5, WMaxPA: 750}
}

// Validate reports the first problem with p, naming the field.
func (p Params) Validate() error {
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case p.Rule < 0 || int(p.Rule) >= len(ruleNames):
		return fmt.Errorf("Rule is %v, want one of the three rules", p.Rule)
	case !finite(p.Alpha) || p.Alpha < 0:
		return fmt.Errorf("Alpha is %g, want ≥ 0 and finite", p.Alpha)
	case !finite(p.TauTrials) || p.TauTrials < 1:
		return fmt.Errorf("TauTrials is %g, want ≥ 1 trial", p.TauTrials)
	case !finite(p.SetExcHz) || p.SetExcHz <= 0 || !finite(p.SetInhHz) || p.SetInhHz <= 0:
		return fmt.Errorf("set points %g and %g Hz, want positive rates", p.SetExcHz, p.SetInhHz)
	case !finite(p.FloorHz) || p.FloorHz < 0:
		return fmt.Errorf("FloorHz is %g, want ≥ 0 and finite", p.FloorHz)
	case !finite(p.WMinPA) || !finite(p.WMaxPA) || p.WMinPA < 0 || p.WMaxPA < p.WMinPA:
		return fmt.Errorf("weights clipped to [%g, %g] pA, want 0 ≤ min ≤ max, finite", p.WMinPA, p.WMaxPA)
	}
	return nil
}

// Averages are a training's moving averages of the Up-state rates (Hz): per unit and per
// population. The zero value has seen no trial.
type Averages struct {
	Trials     int       // trials folded in
	ExcUnitsHz []float64 // per E unit
	InhUnitsHz []float64 // per I unit
	ExcHz      float64   // the E population's
	InhHz      float64   // the I population's
}

// Observe folds one trial's Up-state rates into a: the first trial's values start the averages,
// later ones move them by (r − m)/τ, computed as m + (−m + r)/τ.
func (a *Averages) Observe(p Params, excUnitsHz, inhUnitsHz []float64, excHz, inhHz float64) error {
	if a.Trials > 0 && (len(excUnitsHz) != len(a.ExcUnitsHz) || len(inhUnitsHz) != len(a.InhUnitsHz)) {
		return fmt.Errorf("a trial of %d E and %d I units, the averages have %d and %d", len(excUnitsHz), len(inhUnitsHz), len(a.ExcUnitsHz), len(a.InhUnitsHz))
	}
	if a.Trials == 0 {
		a.ExcUnitsHz = append(a.ExcUnitsHz[:0], excUnitsHz...)
		a.InhUnitsHz = append(a.InhUnitsHz[:0], inhUnitsHz...)
		a.ExcHz, a.InhHz = excHz, inhHz
		a.Trials = 1
		return nil
	}
	tau := p.TauTrials
	a.ExcHz += (-a.ExcHz + excHz) / tau
	a.InhHz += (-a.InhHz + inhHz) / tau
	for i, r := range excUnitsHz {
		a.ExcUnitsHz[i] += (-a.ExcUnitsHz[i] + r) / tau
	}
	for i, r := range inhUnitsHz {
		a.InhUnitsHz[i] += (-a.InhUnitsHz[i] + r) / tau
	}
	a.Trials++
	return nil
}

// Updater applies a rule to the weights of one connectivity. It keeps per-unit scratch, so it is
// not safe for concurrent use.
type Updater struct {
	conn                     *sim.Connectivity
	nInhOntoExc, nExcOntoInh []int32   // presynaptic partners per E unit (EI) and per I unit (IE)
	inhPreOfExc, excPreOfInh []float64 // Ī_b of each E unit, Ē_b of each I unit
}

// NewUpdater prepares updates of conn's weights. Every E unit needs an inhibitory partner and
// every I unit an excitatory one (their presynaptic means are the local rule's terms).
func NewUpdater(conn *sim.Connectivity) (*Updater, error) {
	u := &Updater{conn: conn, nInhOntoExc: make([]int32, conn.NExc), nExcOntoInh: make([]int32, conn.NInh),
		inhPreOfExc: make([]float64, conn.NExc), excPreOfInh: make([]float64, conn.NInh)}
	for _, b := range conn.Post[sim.EI] {
		u.nInhOntoExc[b]++
	}
	for _, b := range conn.Post[sim.IE] {
		u.nExcOntoInh[b]++
	}
	for b, n := range u.nInhOntoExc {
		if n == 0 {
			return nil, fmt.Errorf("E unit %d has no inhibitory inputs: the local rule needs every unit's presynaptic mean rates", b)
		}
	}
	for b, n := range u.nExcOntoInh {
		if n == 0 {
			return nil, fmt.Errorf("I unit %d has no excitatory inputs: the local rule needs every unit's presynaptic mean rates", b)
		}
	}
	return u, nil
}

// Update changes w (pA per synapse, w[p] in the connectivity's synapse order of pathway p) by the
// rule of p from the averages a, then clips every weight to [WMinPA, WMaxPA]. The per-synapse
// rules first take the presynaptic means, then floor a's per-unit averages at FloorHz (in a). It
// returns the mean |ΔW| of each pathway's synapses before the clip (pA).
func (u *Updater) Update(p Params, a *Averages, w *[4][]float64) (meanAbsDeltaPA [4]float64, err error) {
	c := u.conn
	if a.Trials == 0 {
		return meanAbsDeltaPA, fmt.Errorf("no trial observed")
	}
	if len(a.ExcUnitsHz) != c.NExc || len(a.InhUnitsHz) != c.NInh {
		return meanAbsDeltaPA, fmt.Errorf("averages of %d E and %d I units, the connectivity has %d and %d", len(a.ExcUnitsHz), len(a.InhUnitsHz), c.NExc, c.NInh)
	}
	for q := sim.EE; q <= sim.II; q++ {
		if len(w[q]) != len(c.Pre[q]) {
			return meanAbsDeltaPA, fmt.Errorf("%v: %d weights for %d synapses", q, len(w[q]), len(c.Pre[q]))
		}
	}
	eS, iS, alpha := p.SetExcHz, p.SetInhHz, p.Alpha
	mE, mI := a.ExcUnitsHz, a.InhUnitsHz
	if p.Rule == CrossHomeoPopulation {
		d := [4]float64{
			sim.EE: alpha * (iS - a.InhHz), sim.EI: -alpha * (iS - a.InhHz),
			sim.IE: -alpha * (eS - a.ExcHz), sim.II: alpha * (eS - a.ExcHz),
		}
		for q := sim.EE; q <= sim.II; q++ {
			for k := range w[q] {
				w[q][k] = clip(w[q][k]+d[q], p)
			}
			if len(w[q]) > 0 {
				meanAbsDeltaPA[q] = math.Abs(d[q])
			}
		}
		return meanAbsDeltaPA, nil
	}
	if p.Rule == CrossHomeoLocal {
		clear(u.inhPreOfExc)
		clear(u.excPreOfInh)
		for k, b := range c.Post[sim.EI] {
			u.inhPreOfExc[b] += mI[c.Pre[sim.EI][k]]
		}
		for k, b := range c.Post[sim.IE] {
			u.excPreOfInh[b] += mE[c.Pre[sim.IE][k]]
		}
		for b, n := range u.nInhOntoExc {
			u.inhPreOfExc[b] /= float64(n)
		}
		for b, n := range u.nExcOntoInh {
			u.excPreOfInh[b] /= float64(n)
		}
	}
	for i, m := range mE {
		mE[i] = max(m, p.FloorHz)
	}
	for i, m := range mI {
		mI[i] = max(m, p.FloorHz)
	}
	// The change of synapse a → b is Σ over the rule's terms of (±α)·(m_a·(set − x_b)).
	for q := sim.EE; q <= sim.II; q++ {
		pre, post := c.Pre[q], c.Post[q]
		mPre := mE
		if q.SourceInh() {
			mPre = mI
		}
		// the rule's homeostatic term: the postsynaptic unit's own error
		hSign, hSet, mPost := alpha, eS, mE
		switch q {
		case sim.EI:
			hSign = -alpha
		case sim.IE:
			hSet, mPost = iS, mI
		case sim.II:
			hSign, hSet, mPost = -alpha, iS, mI
		}
		// the cross term: the postsynaptic unit's presynaptic mean of the other population
		cSign, cSet, xPost := alpha, iS, u.inhPreOfExc
		switch q {
		case sim.EI:
			cSign = -alpha
		case sim.IE:
			cSign, cSet, xPost = -alpha, eS, u.excPreOfInh
		case sim.II:
			cSet, xPost = eS, u.excPreOfInh
		}
		sum := 0.0
		wq := w[q]
		for k := range wq {
			ma, b := mPre[pre[k]], post[k]
			d := hSign * (ma * (hSet - mPost[b]))
			if p.Rule == CrossHomeoLocal {
				d = cSign*(ma*(cSet-xPost[b])) + d
			}
			sum += math.Abs(d)
			wq[k] = clip(wq[k]+d, p)
		}
		if len(wq) > 0 {
			meanAbsDeltaPA[q] = sum / float64(len(wq))
		}
	}
	return meanAbsDeltaPA, nil
}

func clip(w float64, p Params) float64 { return min(max(w, p.WMinPA), p.WMaxPA) }
