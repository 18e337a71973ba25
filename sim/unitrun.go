package sim

import (
	"fmt"
	"math"
)

// UnitKind names one of the experiment's two units.
type UnitKind int

const (
	UnitE UnitKind = iota // the excitatory unit
	UnitI                 // the inhibitory unit
)

// String returns "E" or "I".
func (u UnitKind) String() string {
	if u == UnitI {
		return "I"
	}
	return "E"
}

// UnitResult holds the measurements of one unit in a run of [Experiment.RunUnit].
type UnitResult struct {
	Spikes      int64   // output spikes
	RateHz      float64 // spikes / duration
	ChargeExcPC float64 // ∫ s_E (pC): Q_EE of the E unit, Q_IE of the I unit
	ChargeInhPC float64 // ∫ s_I (pC): Q_EI of the E unit, Q_II of the I unit
	Final       State   // state after the last step
}

// RunUnit simulates only unit u of the experiment, driven by exc and inh. The two units do not
// interact (each sees only the input populations), so this is the same simulation as [Experiment.Run]
// restricted to one unit, bit for bit (TestRunUnitMatchesRun): what a solver that varies one unit's
// weights needs. From recorded input it takes 58% of a seed run's time (BenchmarkRunUnitReplay
// 96 µs against BenchmarkSeedRun 167 µs, which also draws the input). Inputs given as [Steps]
// replay the same spike trains for every call, after Reset.
func (x *Experiment) RunUnit(u UnitKind, exc, inh Input, out *UnitResult) error {
	c := &x.exc
	if u == UnitI {
		c = &x.inh
	}
	var st State
	c.init(&st)
	v, ia, sE, uE, sI, uI, last := st.VVolt, st.IAdaptAmp, st.SEAmp, st.UEAmp, st.SIAmp, st.UIAmp, st.LastSpikeStep
	var qE, qI float64
	var spikes int64
	nextExc, nextInh := exc.Next(), inh.Next()
	var err error
	for n := int64(0); n < x.steps; n++ {
		qE += sE
		qI += sI
		spike := false
		if n-last >= c.refSteps {
			v = v + float64(c.dt*(float64(c.gL*(c.eL-v))+sE-(ia+sI)))/c.cm
			if v >= c.vThresh {
				last, spike = n, true
			}
		}
		ia, sE, sI, uE, uI = float64(c.aAdapt*ia)+ia, float64(c.aSE*(-sE+uE))+sE, float64(c.aSI*(-sI+uI))+sI,
			float64(c.aUE*uE)+uE, float64(c.aUI*uI)+uI
		for nextExc == n {
			uE += c.incExc
			nextExc = exc.Next()
		}
		for nextInh == n {
			uI += c.incInh
			nextInh = inh.Next()
		}
		if spike {
			v = c.vReset
			ia += c.adaptJump
			spikes++
		}
		if !(math.Abs(v) <= RunawayVolt) {
			err = fmt.Errorf("%w: %s unit v = %g V at t = %g s (step %d); |v| must stay below %g V",
				ErrNumerical, u, v, float64(n)*x.dtSec, n, RunawayVolt)
			break
		}
		if nextExc < n || nextInh < n {
			err = fmt.Errorf("input spike at step %d delivered after step %d: input steps must not decrease", min(nextExc, nextInh), n)
			break
		}
	}
	out.Spikes = spikes
	out.RateHz = float64(spikes) / x.cfg.DurationSec
	out.ChargeExcPC = qE * x.dtSec * 1e12
	out.ChargeInhPC = qI * x.dtSec * 1e12
	out.Final = State{VVolt: v, IAdaptAmp: ia, SEAmp: sE, UEAmp: uE, SIAmp: sI, UIAmp: uI, LastSpikeStep: last}
	return err
}

// Record appends every spike step of in before step nSteps to dst and returns it, so that a
// random input can be replayed (with [NewSteps]) as often as needed: the common random numbers
// of a solver, which drives every candidate parameter value with the same spike trains.
func Record(dst []int64, in Input, nSteps int64) []int64 {
	for s := in.Next(); s < nSteps; s = in.Next() {
		dst = append(dst, s)
	}
	return dst
}
