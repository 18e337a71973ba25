package sweep

import (
	"fmt"
	"math"

	"github.com/eisweep/eisweep/sim"
)

// problem is a point of the grid that cannot be simulated meaningfully, with the parameters
// responsible (so that the error can point at where they are set).
type problem struct {
	msg    string
	params []string
}

// checkModel reports what single-parameter bounds cannot: combinations that make a run
// meaningless or numerically wrong.
func checkModel(m *Model) *problem {
	if m.Experiment == ExperimentNetwork {
		if pr := checkNetwork(m); pr != nil {
			return pr
		}
	}
	c := &m.Sim
	ms := func(s float64) string { return fmt.Sprintf("%.6g ms", s*1e3) }
	if c.DurationSec < c.DtSec {
		return &problem{fmt.Sprintf("sim.duration %s is shorter than one step of sim.dt %s", ms(c.DurationSec), ms(c.DtSec)), []string{"sim.duration", "sim.dt"}}
	}
	if m.FI.DurationSec < c.DtSec {
		return &problem{fmt.Sprintf("fi.duration %s is shorter than one step of sim.dt %s", ms(m.FI.DurationSec), ms(c.DtSec)), []string{"fi.duration", "sim.dt"}}
	}
	// Forward Euler needs dt well below every time constant; at or above one, it is wrong.
	taus := []struct {
		name string
		v    float64
	}{
		{"syn.tau_rise_e", c.Syn.TauRiseESec}, {"syn.tau_fall_e", c.Syn.TauFallESec},
		{"syn.tau_rise_i", c.Syn.TauRiseISec}, {"syn.tau_fall_i", c.Syn.TauFallISec},
		{"exc.tau_adapt", c.Exc.TauAdaptSec}, {"inh.tau_adapt", c.Inh.TauAdaptSec},
		{"exc membrane time constant c_m/g_leak", c.Exc.MembraneTauMs() * 1e-3},
		{"inh membrane time constant c_m/g_leak", c.Inh.MembraneTauMs() * 1e-3},
	}
	for _, t := range taus {
		if c.DtSec >= t.v {
			ps := []string{"sim.dt", t.name}
			if t.name[3] == ' ' {
				ps = []string{"sim.dt", t.name[:3] + ".c_m", t.name[:3] + ".g_leak"}
			}
			return &problem{fmt.Sprintf("sim.dt %s is not below %s %s: forward Euler needs a step well below every time constant; use a smaller sim.dt", ms(c.DtSec), t.name, ms(t.v)), ps}
		}
	}
	for _, u := range []struct {
		name string
		u    sim.Unit
	}{{"exc", c.Exc}, {"inh", c.Inh}} {
		if r := u.u.RefractorySec; r > 0 && r < c.DtSec {
			return &problem{fmt.Sprintf("%s.refractory %s is shorter than sim.dt %s, so it would have no effect; use 0 ms for none, or at least one step", u.name, ms(r), ms(c.DtSec)),
				[]string{u.name + ".refractory", "sim.dt"}}
		}
		if u.u.VResetVolt >= u.u.VThreshVolt {
			return &problem{fmt.Sprintf("%s.v_reset %.6g mV is not below %s.v_thresh %.6g mV: the unit would fire after every refractory period", u.name, u.u.VResetVolt*1e3, u.name, u.u.VThreshVolt*1e3),
				[]string{u.name + ".v_reset", u.name + ".v_thresh"}}
		}
	}
	for _, r := range []struct {
		name string
		hz   float64
	}{{"input.rate_exc", m.Input.RateExcHz}, {"input.rate_inh", m.Input.RateInhHz}} {
		if p := r.hz * c.DtSec; p > 1 {
			return &problem{fmt.Sprintf("%s %.6g Hz × sim.dt %s = %.3g spikes per source per step; at most 1 is possible (lower the rate or sim.dt)", r.name, r.hz, ms(c.DtSec), p),
				[]string{r.name, "sim.dt"}}
		}
	}
	if m.FI.IMaxAmp <= m.FI.IMinAmp {
		return &problem{fmt.Sprintf("fi.i_max %.6g pA is not above fi.i_min %.6g pA", m.FI.IMaxAmp*1e12, m.FI.IMinAmp*1e12), []string{"fi.i_max", "fi.i_min"}}
	}
	nExc, nInh := sim.FanIn(m.Net.NUnits, m.Net.PropConnect, m.Net.PropInh)
	if nExc < 1 || nInh < 1 {
		return &problem{fmt.Sprintf("net.n_units %d × net.prop_connect %g × net.prop_inh %g gives a fan-in of %d excitatory and %d inhibitory inputs; the weights divide by both, so both must be ≥ 1",
			m.Net.NUnits, m.Net.PropConnect, m.Net.PropInh, nExc, nInh), []string{"net.n_units", "net.prop_connect", "net.prop_inh"}}
	}
	if err := c.Validate(); err != nil {
		return &problem{err.Error(), nil}
	}
	for _, w := range []float64{c.W.EEAmp, c.W.IEAmp, c.W.EIAmp, c.W.IIAmp} {
		if math.IsInf(w, 0) || math.IsNaN(w) {
			return &problem{"a weight is not finite", []string{"weights.j_ee"}}
		}
	}
	return nil
}

// checkedAxes returns the axes that set a parameter checkModel looks at. Only their product
// needs checking: every other parameter is the same in every cell as far as checkModel cares.
func checkedAxes(axes []Axis) []Axis {
	var out []Axis
	for _, a := range axes {
		for _, i := range a.Params {
			if Registry[i].crossChecked {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// maxChecked is the most combinations of checked axes examined one by one; beyond it only each
// axis's first and last positions are combined.
const maxChecked = 200_000

// checkGrid applies checkModel to every combination of the axes that matter to it, and returns
// the first problem with the cell where it occurs.
func checkGrid(base Point, axes []Axis) (*problem, Point) {
	ax := checkedAxes(axes)
	n, err := cellCount(ax)
	if err != nil || n > maxChecked {
		// Every check is monotone in each parameter, so the extremes of each axis find any
		// problem a combination of positions has, except inside zips that are not monotone.
		ends := make([]Axis, len(ax))
		for k, a := range ax {
			e := Axis{Params: a.Params, Key: a.Key, Line: a.Line, Values: make([][]Value, len(a.Values))}
			for p, vs := range a.Values {
				e.Values[p] = []Value{vs[0], vs[len(vs)-1]}
			}
			ends[k] = e
		}
		ax = ends
		n, _ = cellCount(ax)
	}
	pt := make(Point, len(base))
	for cell := int64(0); cell < n; cell++ {
		copy(pt, base)
		decode(ax, cell, pt)
		m := pt.model()
		if pr := checkModel(&m); pr != nil {
			return pr, pt
		}
	}
	return nil, nil
}

// maxSynapses bounds a network's synapses (about 16 bytes each in memory): a guard against a
// typo in net.n_units.
const maxSynapses = 1 << 30

// checkNetwork checks what only the network experiment needs (docs/MODEL.md §8).
func checkNetwork(m *Model) *problem {
	if t := &m.Train; t.WMaxAmp < t.WMinAmp {
		return &problem{fmt.Sprintf("train.w_max %.6g pA is below train.w_min %.6g pA", t.WMaxAmp*1e12, t.WMinAmp*1e12), []string{"train.w_max", "train.w_min"}}
	}
	tr, dt := &m.Trial, m.Sim.DtSec
	ms := func(s float64) string { return fmt.Sprintf("%.6g ms", s*1e3) }
	if tr.DurationSec < dt {
		return &problem{fmt.Sprintf("network.duration %s is shorter than one step of sim.dt %s", ms(tr.DurationSec), ms(dt)), []string{"network.duration", "sim.dt"}}
	}
	if tr.BinSec < dt {
		return &problem{fmt.Sprintf("network.bin %s is shorter than one step of sim.dt %s", ms(tr.BinSec), ms(dt)), []string{"network.bin", "sim.dt"}}
	}
	nInh := int(m.Net.PropInh * float64(m.Net.NUnits))
	nExc := m.Net.NUnits - nInh
	if nExc < 2 || nInh < 2 {
		return &problem{fmt.Sprintf("net.n_units %d with net.prop_inh %g gives %d E and %d I units; the network needs at least 2 of each", m.Net.NUnits, m.Net.PropInh, nExc, nInh),
			[]string{"net.n_units", "net.prop_inh"}}
	}
	if k := int(math.Round(tr.KickFraction * float64(m.Net.NUnits))); k > nExc {
		return &problem{fmt.Sprintf("network.kick_fraction %g kicks %d units, more than the %d E units", tr.KickFraction, k, nExc), []string{"network.kick_fraction", "net.n_units"}}
	}
	p := m.Net.PropConnect
	total := 0.0
	for _, c := range []struct {
		name      string
		pre, post int
		within    bool
	}{{"EE", nExc, nExc, true}, {"IE", nExc, nInh, false}, {"EI", nInh, nExc, false}, {"II", nInh, nInh, true}} {
		n := math.Round(p * float64(c.pre) * float64(c.post))
		pairs := float64(c.pre) * float64(c.post)
		if c.within {
			pairs -= float64(c.pre) // no autapses
		}
		if n > pairs {
			return &problem{fmt.Sprintf("net.prop_connect %g asks for %.0f %s synapses, but only %.0f pairs exist without autapses; lower net.prop_connect", p, n, c.name, pairs),
				[]string{"net.prop_connect", "net.n_units"}}
		}
		total += n
	}
	if total > maxSynapses {
		return &problem{fmt.Sprintf("net.n_units %d × net.prop_connect %g gives %.3g synapses, above the limit of %d (about 16 bytes each)", m.Net.NUnits, p, total, maxSynapses),
			[]string{"net.n_units", "net.prop_connect"}}
	}
	return nil
}
