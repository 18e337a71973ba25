package sim

import (
	"fmt"
	"math"
	"strconv"
)

// Unit holds the parameters of one leaky integrate-and-fire unit with spike-triggered adaptation,
// in SI units (docs/MODEL.md §2, §4). The zero value is not a valid unit: CmFarad and TauAdaptSec must
// be positive.
type Unit struct {
	ELeakVolt       float64 // leak reversal potential E_L (V); also the initial v
	VResetVolt      float64 // potential after a spike v_reset (V)
	VThreshVolt     float64 // spike threshold v_thresh (V)
	CmFarad         float64 // membrane capacitance C_m (F)
	GLeakSiemens    float64 // leak conductance g_L (S)
	RefractorySec   float64 // refractory period (s); Brian2 rounds it to whole microseconds
	BetaAdaptAmpSec float64 // adaptation strength β (A·s): each spike adds β/τ_adapt to i_adapt
	TauAdaptSec     float64 // adaptation time constant τ_adapt (s)
}

// Validate reports the first parameter of u that cannot be simulated, naming it.
func (u Unit) Validate() error {
	fields := []struct {
		name string
		v    float64
	}{
		{"e_leak", u.ELeakVolt}, {"v_reset", u.VResetVolt}, {"v_thresh", u.VThreshVolt},
		{"c_m", u.CmFarad}, {"g_leak", u.GLeakSiemens}, {"refractory", u.RefractorySec},
		{"beta_adapt", u.BetaAdaptAmpSec}, {"tau_adapt", u.TauAdaptSec},
	}
	for _, f := range fields {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("%s is %v, want a finite value", f.name, f.v)
		}
	}
	switch {
	case u.CmFarad <= 0:
		return fmt.Errorf("c_m is %g F, want > 0", u.CmFarad)
	case u.GLeakSiemens < 0:
		return fmt.Errorf("g_leak is %g S, want ≥ 0", u.GLeakSiemens)
	case u.RefractorySec < 0:
		return fmt.Errorf("refractory is %g s, want ≥ 0", u.RefractorySec)
	case u.TauAdaptSec <= 0:
		return fmt.Errorf("tau_adapt is %g s, want > 0", u.TauAdaptSec)
	}
	return nil
}

// Synapses holds the rise and decay time constants of the excitatory and inhibitory synaptic
// currents, shared by both units (docs/MODEL.md §2, §4). All must be positive.
type Synapses struct {
	TauRiseESec float64 // rise time constant of excitatory input τ_rise,E (s)
	TauFallESec float64 // decay time constant of excitatory input τ_fall,E (s)
	TauRiseISec float64 // rise time constant of inhibitory input τ_rise,I (s)
	TauFallISec float64 // decay time constant of inhibitory input τ_fall,I (s)
}

// Validate reports the first time constant of s that is not positive and finite.
func (s Synapses) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"tau_rise_e", s.TauRiseESec}, {"tau_fall_e", s.TauFallESec}, {"tau_rise_i", s.TauRiseISec}, {"tau_fall_i", s.TauFallISec}} {
		if !(f.v > 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("%s is %g s, want a positive time", f.name, f.v)
		}
	}
	return nil
}

// Weights holds the synaptic weight of each pathway in amperes; subscript XY is onto X from Y
// (docs/MODEL.md §4). A presynaptic spike of weight w adds w/(τ_rise in ms) to the target's rise
// variable, so that it delivers a charge of w·1 ms.
type Weights struct {
	EEAmp float64 // excitatory source → E unit (w_EE)
	IEAmp float64 // excitatory source → I unit (w_IE)
	EIAmp float64 // inhibitory source → E unit (w_EI)
	IIAmp float64 // inhibitory source → I unit (w_II)
}

// Validate reports the first weight of w that is not finite.
func (w Weights) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"w_ee", w.EEAmp}, {"w_ie", w.IEAmp}, {"w_ei", w.EIAmp}, {"w_ii", w.IIAmp}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("%s is %v, want a finite current", f.name, f.v)
		}
	}
	return nil
}

// MembraneTauMs returns the unit's membrane time constant τ_m = C_m/g_L in milliseconds,
// computed as the seed does (C_m / g_L / ms).
func (u Unit) MembraneTauMs() float64 {
	return u.CmFarad / u.GLeakSiemens / 1e-3
}

// FanIn returns the number of excitatory and inhibitory inputs per unit in the recurrent network
// the weights were trained in: prop_connect·(1−prop_inh)·n_units and prop_connect·prop_inh·n_units,
// truncated to integers as the seed does (400 and 100 at the defaults).
func FanIn(nUnits int, propConnect, propInh float64) (nIncExc, nIncInh int) {
	nIncInh = int(propConnect * propInh * float64(nUnits))
	nIncExc = int(propConnect * (1 - propInh) * float64(nUnits))
	return nIncExc, nIncInh
}

// JercogWeight returns a synaptic weight in amperes in the Jercog convention of the seed:
// a network total jAmp divided by the fan-in nInc, times the target's membrane time constant in
// ms, times a trained multiplier mult — in the seed's order of operations,
// j / nInc · τ_m[ms] · mult. At the defaults w_EE = 2.8 nA / 400 · 20 · 1.0249649370098968
// = 143.49509118 pA.
func JercogWeight(jAmp float64, nInc int, tauMMs, mult float64) float64 {
	return jAmp / float64(nInc) * tauMMs * mult
}

// brian2Refractory returns the refractory period as Brian2 uses it: its code generator writes
// the period into the generated code with six decimals of seconds ("{ref:f}"), so it is rounded to
// whole microseconds.
func brian2Refractory(sec float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(sec, 'f', 6, 64), 64)
	if err != nil {
		panic(err) // FormatFloat output always parses
	}
	return r
}

// Timestep converts a time in seconds to a step count as Brian2's timestep function does:
// int64((t + 1e-3·dt)/dt), truncating toward zero.
func Timestep(tSec, dtSec float64) int64 {
	return int64(float64(tSec+float64(1e-3*dtSec)) / dtSec)
}

// StepCount returns the number of steps Brian2 simulates for a run of durationSec with clock dtSec:
// round(duration/dt) when that lands within 1e-4·dt of the duration, else the next step up
// (Brian2's Clock._calc_timestep).
func StepCount(durationSec, dtSec float64) int64 {
	n := math.RoundToEven(durationSec / dtSec)
	t := n * dtSec
	if t == durationSec || math.Abs(t-durationSec)/dtSec <= 1e-4 {
		return int64(n)
	}
	return int64(math.Ceil(durationSec / dtSec))
}
