package sim

import (
	"errors"
	"fmt"
	"math"
)

// batchChunk is how many steps a batch draws its runs' input for at a time: enough to make the
// drawing a small share, little enough that the spike lists stay in cache.
const batchChunk = 2048

// Batch advances several independent runs in lockstep: step n of every run, then step n+1. A
// run is one chain of dependent arithmetic (each step's membrane potential waits for the last
// one's division), so alone it keeps the core waiting; the chains of several runs interleaved
// overlap. Each run gives exactly what [Experiment.Run] gives it, bit for bit (TestBatchEqualsRun).
//
// The zero value is ready; a Batch reuses its buffers from one call to the next and is not safe
// for concurrent use.
type Batch struct {
	lanes []lane
}

// lane is one run of a batch: its constants, its state (the locals of Experiment.Run) and its
// input for the current chunk of steps.
type lane struct {
	ce, ci     unitStep
	steps      int64
	exc, inh   Input
	out        *Result
	excBuf     []int64 // the chunk's input spike steps, then the first one at or after its end
	inhBuf     []int64
	pe, pi     int   // next spike in excBuf, inhBuf
	pendE      int64 // the first spike at or after the chunk's end, drawn but not buffered
	pendI      int64
	done       bool
	err        error
	n          int64 // steps taken
	nExc, nInh int64

	ve, iae, see, uee, sie, uie float64
	vi, iai, sei, uei, sii, uii float64
	laste, lasti                int64
	qEE, qEI, qIE, qII          float64
}

// ErrBatchTraces is returned for a run given to a [Batch] with Traces set: a batch records no
// traces (run it with [Experiment.Run]).
var ErrBatchTraces = errors.New("a batch records no traces")

// Run simulates len(xs) runs in lockstep, run k being xs[k].Run(exc[k], inh[k], outs[k]), and
// stores run k's error in errs[k] (nil, or what Experiment.Run would return: a numerical failure
// ends only its own run). The runs may differ in everything, their number of steps included.
// A run's Stop flag is checked every few thousand steps and stops the whole batch.
func (b *Batch) Run(xs []*Experiment, exc, inh []Input, outs []*Result, errs []error) {
	k := len(xs)
	if len(exc) != k || len(inh) != k || len(outs) != k || len(errs) != k {
		panic(fmt.Sprintf("sim: batch of %d experiments with %d, %d inputs, %d results, %d errors", k, len(exc), len(inh), len(outs), len(errs)))
	}
	if cap(b.lanes) < k {
		b.lanes = append(b.lanes[:cap(b.lanes)], make([]lane, k-cap(b.lanes))...)
	}
	lanes := b.lanes[:k]
	var steps int64
	for j, x := range xs {
		l := &lanes[j]
		*l = lane{ce: x.exc, ci: x.inh, steps: x.steps, exc: exc[j], inh: inh[j], out: outs[j],
			excBuf: l.excBuf[:0], inhBuf: l.inhBuf[:0]}
		o := outs[j]
		o.SpikeStepsE, o.SpikeStepsI = o.SpikeStepsE[:0], o.SpikeStepsI[:0]
		if o.Traces != nil {
			l.done, l.err = true, ErrBatchTraces
		}
		var e, i State
		l.ce.init(&e)
		l.ci.init(&i)
		l.ve, l.iae, l.see, l.uee, l.sie, l.uie, l.laste = e.VVolt, e.IAdaptAmp, e.SEAmp, e.UEAmp, e.SIAmp, e.UIAmp, e.LastSpikeStep
		l.vi, l.iai, l.sei, l.uei, l.sii, l.uii, l.lasti = i.VVolt, i.IAdaptAmp, i.SEAmp, i.UEAmp, i.SIAmp, i.UIAmp, i.LastSpikeStep
		if !l.done {
			l.pendE, l.pendI = l.exc.Next(), l.inh.Next()
		}
		steps = max(steps, x.steps)
	}
	for n0 := int64(0); n0 < steps; n0 += batchChunk {
		n1 := min(n0+batchChunk, steps)
		live := 0
		for j := range lanes {
			l := &lanes[j]
			if l.done {
				continue
			}
			if l.out.Stop != nil && l.out.Stop.Load() {
				for j := range lanes {
					if !lanes[j].done {
						lanes[j].done, lanes[j].err = true, ErrStopped
					}
				}
				live = 0
				break
			}
			l.fill(n1)
			live++
		}
		if live == 0 {
			break
		}
		for n := n0; n < n1; n++ {
			for j := range lanes {
				if l := &lanes[j]; !l.done {
					l.step(n)
				}
			}
		}
	}
	for j := range lanes {
		l := &lanes[j]
		l.finish(xs[j])
		errs[j] = l.err
		l.exc, l.inh, l.out = nil, nil, nil
	}
}

// fill buffers the lane's input spikes below step end, and the first one at or after it. A lane
// still running has delivered every spike of the chunk before (a spike that went back in time
// ended it), so the buffer starts anew.
func (l *lane) fill(end int64) {
	l.excBuf, l.pe = l.excBuf[:0], 0
	for l.pendE < end {
		l.excBuf = append(l.excBuf, l.pendE)
		l.pendE = l.exc.Next()
	}
	l.excBuf = append(l.excBuf, l.pendE)
	l.inhBuf, l.pi = l.inhBuf[:0], 0
	for l.pendI < end {
		l.inhBuf = append(l.inhBuf, l.pendI)
		l.pendI = l.inh.Next()
	}
	l.inhBuf = append(l.inhBuf, l.pendI)
}

// step is one step of Experiment.Run's loop for the lane (the same operations in the same order).
func (l *lane) step(n int64) {
	if n >= l.steps {
		l.done = true
		return
	}
	ce, ci := &l.ce, &l.ci
	l.qEE += l.see
	l.qEI += l.sie
	l.qIE += l.sei
	l.qII += l.sii
	ve, vi := l.ve, l.vi
	iae, see, sie, uee, uie := l.iae, l.see, l.sie, l.uee, l.uie
	iai, sei, sii, uei, uii := l.iai, l.sei, l.sii, l.uei, l.uii
	spikeE, spikeI := false, false
	if n-l.laste >= ce.refSteps {
		ve = ve + float64(ce.dt*(float64(ce.gL*(ce.eL-ve))+see-(iae+sie)))/ce.cm
		if ve >= ce.vThresh {
			l.laste, spikeE = n, true
		}
	}
	if n-l.lasti >= ci.refSteps {
		vi = vi + float64(ci.dt*(float64(ci.gL*(ci.eL-vi))+sei-(iai+sii)))/ci.cm
		if vi >= ci.vThresh {
			l.lasti, spikeI = n, true
		}
	}
	iae, see, sie, uee, uie = float64(ce.aAdapt*iae)+iae, float64(ce.aSE*(-see+uee))+see, float64(ce.aSI*(-sie+uie))+sie,
		float64(ce.aUE*uee)+uee, float64(ce.aUI*uie)+uie
	iai, sei, sii, uei, uii = float64(ci.aAdapt*iai)+iai, float64(ci.aSE*(-sei+uei))+sei, float64(ci.aSI*(-sii+uii))+sii,
		float64(ci.aUE*uei)+uei, float64(ci.aUI*uii)+uii
	for l.excBuf[l.pe] == n {
		uee += ce.incExc
		uei += ci.incExc
		l.nExc++
		l.pe++
	}
	for l.inhBuf[l.pi] == n {
		uie += ce.incInh
		uii += ci.incInh
		l.nInh++
		l.pi++
	}
	if spikeE {
		ve = ce.vReset
		iae += ce.adaptJump
		l.out.SpikeStepsE = append(l.out.SpikeStepsE, n)
	}
	if spikeI {
		vi = ci.vReset
		iai += ci.adaptJump
		l.out.SpikeStepsI = append(l.out.SpikeStepsI, n)
	}
	l.ve, l.vi = ve, vi
	l.iae, l.see, l.sie, l.uee, l.uie = iae, see, sie, uee, uie
	l.iai, l.sei, l.sii, l.uei, l.uii = iai, sei, sii, uei, uii
	l.n = n + 1
	if !(math.Abs(ve) <= RunawayVolt && math.Abs(vi) <= RunawayVolt) {
		l.done, l.err = true, runaway(n, ce.dt, ve, vi)
		return
	}
	if next := min(l.excBuf[l.pe], l.inhBuf[l.pi]); next < n {
		l.done, l.err = true, fmt.Errorf("input spike at step %d delivered after step %d: input steps must not decrease", next, n)
	}
}

// finish stores the lane's measurements in its Result, as Experiment.Run's end does.
func (l *lane) finish(x *Experiment) {
	dt, o := x.dtSec, l.out
	o.ChargeEEPC = l.qEE * dt * 1e12
	o.ChargeEIPC = l.qEI * dt * 1e12
	o.ChargeIEPC = l.qIE * dt * 1e12
	o.ChargeIIPC = l.qII * dt * 1e12
	o.InputSpikesExc, o.InputSpikesInh = l.nExc, l.nInh
	o.RateEHz = float64(len(o.SpikeStepsE)) / x.cfg.DurationSec
	o.RateIHz = float64(len(o.SpikeStepsI)) / x.cfg.DurationSec
	o.FinalE = State{VVolt: l.ve, IAdaptAmp: l.iae, SEAmp: l.see, UEAmp: l.uee, SIAmp: l.sie, UIAmp: l.uie, LastSpikeStep: l.laste}
	o.FinalI = State{VVolt: l.vi, IAdaptAmp: l.iai, SEAmp: l.sei, UEAmp: l.uei, SIAmp: l.sii, UIAmp: l.uii, LastSpikeStep: l.lasti}
}
