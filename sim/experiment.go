package sim

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"
)

// RunawayVolt bounds the membrane potential: a run in which |v| exceeds it, or v becomes NaN or
// infinite, has failed numerically (parameters far outside the model's regime, such as a huge
// weight or a tiny capacitance) and returns an error wrapping [ErrNumerical].
const RunawayVolt = 1.0

// ErrNumerical is wrapped by the error of a run whose state became NaN, infinite or ran away
// (see [RunawayVolt]). Such a run has no meaningful measurements; a sweep records it and goes on.
var ErrNumerical = errors.New("numerical failure")

// ErrStopped is returned by a run or f-I test stopped through its Stop flag before the end.
var ErrStopped = errors.New("stopped before the end")

// stopEvery is how many steps pass between checks of a Stop flag (about 15 µs of work).
const stopEvery = 1 << 16

// Config holds everything one run of the experiment needs besides its input (docs/MODEL.md §1–§4).
type Config struct {
	DtSec       float64  // clock step dt (s); the seed uses 0.1 ms
	DurationSec float64  // simulated time (s); the seed uses 1 s
	Exc         Unit     // the excitatory unit
	Inh         Unit     // the inhibitory unit
	Syn         Synapses // synaptic time constants, shared by both units
	W           Weights  // pathway weights (A)
}

// Validate reports the first problem with c, naming the parameter.
func (c Config) Validate() error {
	if !(c.DtSec > 0) || math.IsInf(c.DtSec, 0) {
		return fmt.Errorf("dt is %g s, want a positive time", c.DtSec)
	}
	if !(c.DurationSec > 0) || math.IsInf(c.DurationSec, 0) {
		return fmt.Errorf("duration is %g s, want a positive time", c.DurationSec)
	}
	if n := c.DurationSec / c.DtSec; n > 1<<40 {
		return fmt.Errorf("duration %g s at dt %g s is %.3g steps, want at most 2^40", c.DurationSec, c.DtSec, n)
	}
	if err := c.Exc.Validate(); err != nil {
		return fmt.Errorf("excitatory unit: %w", err)
	}
	if err := c.Inh.Validate(); err != nil {
		return fmt.Errorf("inhibitory unit: %w", err)
	}
	if err := c.Syn.Validate(); err != nil {
		return fmt.Errorf("synapses: %w", err)
	}
	if err := c.W.Validate(); err != nil {
		return fmt.Errorf("weights: %w", err)
	}
	return nil
}

// State is the dynamic state of one unit, in SI units.
type State struct {
	VVolt         float64 // membrane potential v (V)
	IAdaptAmp     float64 // adaptation current i_adapt (A)
	SEAmp         float64 // excitatory synaptic current s_E (A)
	UEAmp         float64 // excitatory rise variable u_E (A)
	SIAmp         float64 // inhibitory synaptic current s_I (A)
	UIAmp         float64 // inhibitory rise variable u_I (A)
	LastSpikeStep int64   // step of the last spike; NeverSpiked before the first
}

// NeverSpiked is State.LastSpikeStep before a unit's first spike. It is far enough in the past
// that no refractory period reaches step 0, as Brian2's lastspike = −10⁴ s.
const NeverSpiked = math.MinInt64 / 2

// unitStep holds the constants of one unit's update, computed once per run configuration as
// Brian2 computes its loop invariants.
type unitStep struct {
	refSteps        int64   // timestep(refractory)
	aAdapt          float64 // (−dt)/τ_adapt
	aSE, aSI        float64 // dt/τ_fall
	aUE, aUI        float64 // (−dt)/τ_rise
	dt              float64 // dt (s)
	gL, eL, cm      float64
	vThresh, vReset float64
	adaptJump       float64 // (1/τ_adapt)·β, added to i_adapt at each spike
	incExc, incInh  float64 // (1/τ_rise[ms])·w per presynaptic spike, onto u_E and u_I
	initialV        float64
}

func newUnitStep(u Unit, syn Synapses, dt, wExc, wInh float64) unitStep {
	s := unitStep{
		refSteps:  Timestep(brian2Refractory(u.RefractorySec), dt),
		aAdapt:    (-dt) / u.TauAdaptSec,
		aSE:       dt / syn.TauFallESec,
		aSI:       dt / syn.TauFallISec,
		aUE:       (-dt) / syn.TauRiseESec,
		aUI:       (-dt) / syn.TauRiseISec,
		dt:        dt,
		gL:        u.GLeakSiemens,
		eL:        u.ELeakVolt,
		cm:        u.CmFarad,
		vThresh:   u.VThreshVolt,
		vReset:    u.VResetVolt,
		adaptJump: float64(1.0/u.TauAdaptSec) * u.BetaAdaptAmpSec,
		incExc:    float64(1.0/(syn.TauRiseESec/1e-3)) * wExc,
		incInh:    float64(1.0/(syn.TauRiseISec/1e-3)) * wInh,
		initialV:  u.ELeakVolt,
	}
	return s
}

// init puts st in the initial state of docs/MODEL.md §2: v = E_L, everything else 0, never spiked.
func (c *unitStep) init(st *State) {
	*st = State{VVolt: c.initialV, LastSpikeStep: NeverSpiked}
}

// step advances st by one Euler step at step n (docs/MODEL.md §3, "groups") and reports whether the
// unit crosses threshold ("thresholds"). The caller then delivers input and, on a spike, resets.
// Every product is converted to float64 before it is added, which forbids fused multiply-adds.
func (c *unitStep) step(st *State, n int64) (spike bool) {
	notRef := n-st.LastSpikeStep >= c.refSteps
	v, ia, sE, uE, sI, uI := st.VVolt, st.IAdaptAmp, st.SEAmp, st.UEAmp, st.SIAmp, st.UIAmp
	st.IAdaptAmp = float64(c.aAdapt*ia) + ia
	st.SEAmp = float64(c.aSE*(-sE+uE)) + sE
	st.SIAmp = float64(c.aSI*(-sI+uI)) + sI
	st.UEAmp = float64(c.aUE*uE) + uE
	st.UIAmp = float64(c.aUI*uI) + uI
	if notRef {
		st.VVolt = v + float64(c.dt*(float64(c.gL*(c.eL-v))+sE-(ia+sI)))/c.cm
		if st.VVolt >= c.vThresh {
			st.LastSpikeStep = n
			return true
		}
	}
	return false
}

// reset applies the spike reset: v ← v_reset, i_adapt += (1/τ_adapt)·β.
func (c *unitStep) reset(st *State) {
	st.VVolt = c.vReset
	st.IAdaptAmp += c.adaptJump
}

// Experiment is a validated configuration ready to run. It is immutable and safe for concurrent
// use; create it once per parameter set with [NewExperiment].
type Experiment struct {
	cfg   Config
	steps int64
	exc   unitStep
	inh   unitStep
	dtSec float64
}

// NewExperiment validates cfg and precomputes the constants of its update.
func NewExperiment(cfg Config) (*Experiment, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Experiment{
		cfg:   cfg,
		steps: StepCount(cfg.DurationSec, cfg.DtSec),
		exc:   newUnitStep(cfg.Exc, cfg.Syn, cfg.DtSec, cfg.W.EEAmp, cfg.W.EIAmp),
		inh:   newUnitStep(cfg.Inh, cfg.Syn, cfg.DtSec, cfg.W.IEAmp, cfg.W.IIAmp),
		dtSec: cfg.DtSec,
	}, nil
}

// Config returns the experiment's configuration.
func (x *Experiment) Config() Config { return x.cfg }

// Steps returns the number of clock steps in one run (Brian2's count, see [StepCount]).
func (x *Experiment) Steps() int64 { return x.steps }

// Traces holds per-step recordings of both units, taken at the start of each step before its
// update, as Brian2's StateMonitor records them. Slices have one entry per step, in SI units.
type Traces struct {
	VE, SEE, SIE []float64 // E unit: v (V), s_E (A), s_I (A)
	VI, SEI, SII []float64 // I unit: v (V), s_E (A), s_I (A)
}

func (t *Traces) resize(n int64) {
	for _, p := range []*[]float64{&t.VE, &t.SEE, &t.SIE, &t.VI, &t.SEI, &t.SII} {
		if int64(cap(*p)) < n {
			*p = make([]float64, n)
		}
		*p = (*p)[:n]
	}
}

// Result holds the measurements of one run. Its slices are reused by the next run that is given
// the same Result, so a worker that reuses one Result allocates nothing once they have grown.
type Result struct {
	SpikeStepsE []int64 // steps at which the E unit spiked; spike time = step·dt
	SpikeStepsI []int64 // steps at which the I unit spiked

	// Charges (pC): Σ over steps of the recorded current · dt (docs/MODEL.md §6).
	ChargeEEPC float64 // ∫ s_E of the E unit
	ChargeEIPC float64 // ∫ s_I of the E unit
	ChargeIEPC float64 // ∫ s_E of the I unit
	ChargeIIPC float64 // ∫ s_I of the I unit

	InputSpikesExc int64 // presynaptic excitatory spikes delivered (each reaches both units)
	InputSpikesInh int64 // presynaptic inhibitory spikes delivered

	RateEHz float64 // E unit output rate: spikes / duration
	RateIHz float64 // I unit output rate

	FinalE, FinalI State // state of each unit after the last step

	// Traces, when non-nil before the run, receives per-step recordings (see [Traces]).
	Traces *Traces

	// Stop, when non-nil, is checked every few thousand steps; once it is set the run returns
	// ErrStopped. It lets a sweep stop within milliseconds even in a long run.
	Stop *atomic.Bool
}

// Run simulates one run driven by the excitatory input exc and the inhibitory input inh, whose
// spikes reach both units, and stores its measurements in out (reusing out's buffers).
// It returns an error wrapping [ErrNumerical] if the state becomes NaN, infinite or runs away,
// or [ErrStopped] if out.Stop was set; out then holds the measurements up to that step.
func (x *Experiment) Run(exc, inh Input, out *Result) error {
	out.SpikeStepsE = out.SpikeStepsE[:0]
	out.SpikeStepsI = out.SpikeStepsI[:0]
	tr := out.Traces
	if tr != nil {
		tr.resize(x.steps)
	}
	ce, ci := &x.exc, &x.inh
	// The state of both units lives in local variables, so that it stays in registers: this loop
	// is unitStep.step and unitStep.reset written out for two units (TestRunMatchesPlain holds
	// it to runPlain, which calls them, bit for bit).
	var e, i State
	ce.init(&e)
	ci.init(&i)
	ve, iae, see, uee, sie, uie, laste := e.VVolt, e.IAdaptAmp, e.SEAmp, e.UEAmp, e.SIAmp, e.UIAmp, e.LastSpikeStep
	vi, iai, sei, uei, sii, uii, lasti := i.VVolt, i.IAdaptAmp, i.SEAmp, i.UEAmp, i.SIAmp, i.UIAmp, i.LastSpikeStep
	var qEE, qEI, qIE, qII float64
	var nExc, nInh int64
	nextExc, nextInh := exc.Next(), inh.Next()
	var err error
	n := int64(0)
	for ; n < x.steps; n++ {
		// start: monitors record the state before this step's update.
		qEE += see
		qEI += sie
		qIE += sei
		qII += sii
		if tr != nil {
			tr.VE[n], tr.SEE[n], tr.SIE[n] = ve, see, sie
			tr.VI[n], tr.SEI[n], tr.SII[n] = vi, sei, sii
		}
		// groups: forward Euler from the old values; v only when not refractory.
		// thresholds: v' ≥ v_thresh and not refractory.
		spikeE, spikeI := false, false
		if n-laste >= ce.refSteps {
			ve = ve + float64(ce.dt*(float64(ce.gL*(ce.eL-ve))+see-(iae+sie)))/ce.cm
			if ve >= ce.vThresh {
				laste, spikeE = n, true
			}
		}
		if n-lasti >= ci.refSteps {
			vi = vi + float64(ci.dt*(float64(ci.gL*(ci.eL-vi))+sei-(iai+sii)))/ci.cm
			if vi >= ci.vThresh {
				lasti, spikeI = n, true
			}
		}
		iae, see, sie, uee, uie = float64(ce.aAdapt*iae)+iae, float64(ce.aSE*(-see+uee))+see, float64(ce.aSI*(-sie+uie))+sie,
			float64(ce.aUE*uee)+uee, float64(ce.aUI*uie)+uie
		iai, sei, sii, uei, uii = float64(ci.aAdapt*iai)+iai, float64(ci.aSE*(-sei+uei))+sei, float64(ci.aSI*(-sii+uii))+sii,
			float64(ci.aUE*uei)+uei, float64(ci.aUI*uii)+uii
		// synapses: this step's input spikes, one addition per spike as Brian2 does.
		for nextExc == n {
			uee += ce.incExc
			uei += ci.incExc
			nExc++
			nextExc = exc.Next()
		}
		for nextInh == n {
			uie += ce.incInh
			uii += ci.incInh
			nInh++
			nextInh = inh.Next()
		}
		// resets
		if spikeE {
			ve = ce.vReset
			iae += ce.adaptJump
			out.SpikeStepsE = append(out.SpikeStepsE, n)
		}
		if spikeI {
			vi = ci.vReset
			iai += ci.adaptJump
			out.SpikeStepsI = append(out.SpikeStepsI, n)
		}
		if !(math.Abs(ve) <= RunawayVolt && math.Abs(vi) <= RunawayVolt) {
			err = runaway(n, x.dtSec, ve, vi)
			n++
			break
		}
		if n&(stopEvery-1) == stopEvery-1 && out.Stop != nil && out.Stop.Load() {
			err = ErrStopped
			n++
			break
		}
		if nextExc < n || nextInh < n {
			err = fmt.Errorf("input spike at step %d delivered after step %d: input steps must not decrease", min(nextExc, nextInh), n)
			n++
			break
		}
	}
	// (Σ s)·dt·1e12 in the seed's order: s.sum()*dt, in pC.
	out.ChargeEEPC = qEE * x.dtSec * 1e12
	out.ChargeEIPC = qEI * x.dtSec * 1e12
	out.ChargeIEPC = qIE * x.dtSec * 1e12
	out.ChargeIIPC = qII * x.dtSec * 1e12
	out.InputSpikesExc, out.InputSpikesInh = nExc, nInh
	out.RateEHz = float64(len(out.SpikeStepsE)) / x.cfg.DurationSec // the seed: spikes.size / duration
	out.RateIHz = float64(len(out.SpikeStepsI)) / x.cfg.DurationSec
	out.FinalE = State{VVolt: ve, IAdaptAmp: iae, SEAmp: see, UEAmp: uee, SIAmp: sie, UIAmp: uie, LastSpikeStep: laste}
	out.FinalI = State{VVolt: vi, IAdaptAmp: iai, SEAmp: sei, UEAmp: uei, SIAmp: sii, UIAmp: uii, LastSpikeStep: lasti}
	if tr != nil && n < x.steps {
		tr.VE, tr.SEE, tr.SIE = tr.VE[:n], tr.SEE[:n], tr.SIE[:n]
		tr.VI, tr.SEI, tr.SII = tr.VI[:n], tr.SEI[:n], tr.SII[:n]
	}
	return err
}

func runaway(n int64, dt float64, ve, vi float64) error {
	unit, v := "E", ve
	if math.Abs(ve) <= RunawayVolt {
		unit, v = "I", vi
	}
	return fmt.Errorf("%w: %s unit v = %g V at t = %g s (step %d); |v| must stay below %g V",
		ErrNumerical, unit, v, float64(n)*dt, n, RunawayVolt)
}
