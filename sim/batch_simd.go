//go:build goexperiment.simd && amd64

package sim

import (
	"fmt"
	"math"
	"simd/archsimd"
)

func init() {
	if archsimd.X86.AVX2() {
		run4 = runLockstep
	}
}

type f4 = archsimd.Float64x4

// laneFlags[m] has 1 in the lanes whose bit is set in m, 0 in the others.
var laneFlags = func() (t [16][4]float64) {
	for m := range t {
		for k := range 4 {
			if m&(1<<k) != 0 {
				t[m][k] = 1
			}
		}
	}
	return t
}()

// unitLanes is one unit's constants of the four runs, a vector each (docs/MODEL.md §3, as
// unitStep holds them).
type unitLanes struct {
	ref                                   archsimd.Int64x4
	aAdapt, aSE, aSI, aUE, aUI            f4
	dt, gL, eL, cm, vThresh, vReset, jump f4
	incExc, incInh                        f4
	incExcS, incInhS                      [4]float64 // the same, by lane, for extra spikes
}

func lanesOf(cs [4]*unitStep) unitLanes {
	var ref [4]int64
	var a [14][4]float64
	var u unitLanes
	for k, c := range cs {
		ref[k] = c.refSteps
		for i, v := range []float64{c.aAdapt, c.aSE, c.aSI, c.aUE, c.aUI, c.dt, c.gL, c.eL, c.cm, c.vThresh, c.vReset, c.adaptJump, c.incExc, c.incInh} {
			a[i][k] = v
		}
		u.incExcS[k], u.incInhS[k] = c.incExc, c.incInh
	}
	u.ref = archsimd.LoadInt64x4(&ref)
	l := func(i int) f4 { return archsimd.LoadFloat64x4(&a[i]) }
	u.aAdapt, u.aSE, u.aSI, u.aUE, u.aUI = l(0), l(1), l(2), l(3), l(4)
	u.dt, u.gL, u.eL, u.cm, u.vThresh, u.vReset, u.jump = l(5), l(6), l(7), l(8), l(9), l(10), l(11)
	u.incExc, u.incInh = l(12), l(13)
	return u
}

// unitState is one unit's state in the four runs.
type unitState struct {
	v, ia, sE, uE, sI, uI f4
	last                  archsimd.Int64x4
}

func initState(cs [4]*unitStep) unitState {
	var v [4]float64
	for k, c := range cs {
		v[k] = c.initialV
	}
	z := archsimd.BroadcastFloat64x4(0)
	return unitState{v: archsimd.LoadFloat64x4(&v), ia: z, sE: z, uE: z, sI: z, uI: z, last: archsimd.BroadcastInt64x4(NeverSpiked)}
}

// step is unitStep.step of the four runs at step n: the Euler update (v only where not
// refractory) and the threshold. It returns the lanes that spike.
func (s *unitState) step(c *unitLanes, n archsimd.Int64x4) archsimd.Mask64x4 {
	notRef := n.Sub(s.last).GreaterEqual(c.ref)
	// v + (dt·(((g_L·(E_L − v)) + s_E) − (i_adapt + s_I)))/C_m, as Experiment.Run computes it.
	cand := s.v.Add(c.dt.Mul(c.gL.Mul(c.eL.Sub(s.v)).Add(s.sE).Sub(s.ia.Add(s.sI))).Div(c.cm))
	spike := notRef.And(cand.GreaterEqual(c.vThresh))
	s.v = cand.Merge(s.v, notRef)
	s.last = n.Merge(s.last, spike)
	s.ia = c.aAdapt.Mul(s.ia).Add(s.ia)
	s.sE = c.aSE.Mul(s.uE.Sub(s.sE)).Add(s.sE)
	s.sI = c.aSI.Mul(s.uI.Sub(s.sI)).Add(s.sI)
	s.uE = c.aUE.Mul(s.uE).Add(s.uE)
	s.uI = c.aUI.Mul(s.uI).Add(s.uI)
	return spike
}

// reset is unitStep.reset in the lanes that spiked.
func (s *unitState) reset(c *unitLanes, spike archsimd.Mask64x4) {
	s.v = c.vReset.Merge(s.v, spike)
	s.ia = s.ia.Add(c.jump).Merge(s.ia, spike)
}

// final returns lane k's state.
func (s *unitState) final(k int) State {
	var v, ia, sE, uE, sI, uI [4]float64
	var last [4]int64
	s.v.Store(&v)
	s.ia.Store(&ia)
	s.sE.Store(&sE)
	s.uE.Store(&uE)
	s.sI.Store(&sI)
	s.uI.Store(&uI)
	s.last.Store(&last)
	return State{VVolt: v[k], IAdaptAmp: ia[k], SEAmp: sE[k], UEAmp: uE[k], SIAmp: sI[k], UIAmp: uI[k], LastSpikeStep: last[k]}
}

// runLockstep is Experiment.Run of four runs with equal step counts and no traces, one per
// vector lane. The operations are Experiment.Run's, in its order, element by element (each
// vector operation rounds as its scalar one does, and none is fused), so every lane gives
// exactly what Experiment.Run gives its run.
func runLockstep(b *lockstep, xs []*Experiment, exc, inh []Input, outs []*Result, errs []error) {
	var ce, ci [4]*unitStep
	for k, x := range xs {
		ce[k], ci[k] = &x.exc, &x.inh
		outs[k].SpikeStepsE, outs[k].SpikeStepsI = outs[k].SpikeStepsE[:0], outs[k].SpikeStepsI[:0]
		errs[k] = nil
	}
	le, li := lanesOf(ce), lanesOf(ci)
	e, i := initState(ce), initState(ci)
	z := archsimd.BroadcastFloat64x4(0)
	qEE, qEI, qIE, qII, nExc, nInh := z, z, z, z, z, z
	one := archsimd.BroadcastFloat64x4(RunawayVolt)
	minusOne := archsimd.BroadcastFloat64x4(-RunawayVolt)

	steps := xs[0].steps
	var pendE, pendI [4]int64 // each lane's first input spike not yet flagged
	var lastE, lastI [4]int64 // each lane's last flagged spike, to see a step that goes back
	var failAt [4]int64       // the step after which a lane's input went back in time
	var failErr [4]error
	alive := uint8(0xf)
	for k := range 4 {
		pendE[k], pendI[k] = exc[k].Next(), inh[k].Next()
		lastE[k], lastI[k], failAt[k] = math.MinInt64, math.MinInt64, math.MaxInt64
	}
	// finish stores lane k's measurements, as Experiment.Run's end does, and ends the lane.
	finish := func(k int, err error) {
		var q [4][4]float64
		var cnt [2][4]float64
		qEE.Store(&q[0])
		qEI.Store(&q[1])
		qIE.Store(&q[2])
		qII.Store(&q[3])
		nExc.Store(&cnt[0])
		nInh.Store(&cnt[1])
		x, o := xs[k], outs[k]
		o.ChargeEEPC = q[0][k] * x.dtSec * 1e12
		o.ChargeEIPC = q[1][k] * x.dtSec * 1e12
		o.ChargeIEPC = q[2][k] * x.dtSec * 1e12
		o.ChargeIIPC = q[3][k] * x.dtSec * 1e12
		o.InputSpikesExc, o.InputSpikesInh = int64(cnt[0][k]), int64(cnt[1][k])
		o.RateEHz = float64(len(o.SpikeStepsE)) / x.cfg.DurationSec
		o.RateIHz = float64(len(o.SpikeStepsI)) / x.cfg.DurationSec
		o.FinalE, o.FinalI = e.final(k), i.final(k)
		errs[k] = err
		alive &^= 1 << k
	}
	for n0 := int64(0); n0 < steps && alive != 0; n0 += batchChunk {
		n1 := min(n0+batchChunk, steps)
		for k := range 4 {
			if alive&(1<<k) != 0 && outs[k].Stop != nil && outs[k].Stop.Load() {
				for j := range 4 {
					if alive&(1<<j) != 0 {
						finish(j, ErrStopped)
					}
				}
			}
		}
		if alive == 0 {
			break
		}
		b.flag(n0, n1, exc, &pendE, &lastE, &failAt, &failErr, b.firstE[:], b.moreE[:], true)
		b.flag(n0, n1, inh, &pendI, &lastI, &failAt, &failErr, b.firstI[:], b.moreI[:], false)
		nextFail := min(failAt[0], failAt[1], failAt[2], failAt[3]) // a step at which some lane's input ends it
		for n := n0; n < n1; n++ {
			j := n - n0
			qEE, qEI, qIE, qII = qEE.Add(e.sE), qEI.Add(e.sI), qIE.Add(i.sE), qII.Add(i.sI)
			nv := archsimd.BroadcastInt64x4(n)
			spikeE := e.step(&le, nv)
			spikeI := i.step(&li, nv)
			// synapses: the first spike of each lane as its weight times 1 or 0 (adding 0 leaves
			// u as it is; no u is −0), then any others one by one, as Experiment.Run adds them.
			fe, fi := archsimd.LoadFloat64x4(&laneFlags[b.firstE[j]]), archsimd.LoadFloat64x4(&laneFlags[b.firstI[j]])
			e.uE = e.uE.Add(le.incExc.Mul(fe))
			i.uE = i.uE.Add(li.incExc.Mul(fe))
			e.uI = e.uI.Add(le.incInh.Mul(fi))
			i.uI = i.uI.Add(li.incInh.Mul(fi))
			nExc, nInh = nExc.Add(fe), nInh.Add(fi)
			if b.more[j] {
				b.deliverMore(j, &e, &i, &le, &li, &nExc, &nInh)
			}
			if be, bi := spikeE.ToBits()&alive, spikeI.ToBits()&alive; be|bi != 0 {
				for k := range 4 {
					if be&(1<<k) != 0 {
						outs[k].SpikeStepsE = append(outs[k].SpikeStepsE, n)
					}
					if bi&(1<<k) != 0 {
						outs[k].SpikeStepsI = append(outs[k].SpikeStepsI, n)
					}
				}
				e.reset(&le, spikeE)
				i.reset(&li, spikeI)
			}
			ok := e.v.LessEqual(one).And(e.v.GreaterEqual(minusOne)).And(i.v.LessEqual(one)).And(i.v.GreaterEqual(minusOne))
			if bad := ^ok.ToBits() & alive; bad != 0 {
				var ve, vi [4]float64
				e.v.Store(&ve)
				i.v.Store(&vi)
				for k := range 4 {
					if bad&(1<<k) != 0 {
						finish(k, runaway(n, xs[k].dtSec, ve[k], vi[k]))
					}
				}
			}
			if n == nextFail {
				for k := range 4 {
					if failAt[k] == n && alive&(1<<k) != 0 {
						finish(k, failErr[k])
					}
				}
			}
		}
	}
	for k := range 4 {
		if alive&(1<<k) != 0 {
			finish(k, nil)
		}
	}
}

// flag draws each lane's input spikes of steps [n0, n1) into first (1 for a step's first spike)
// and more (the count of the others), from pend, the lane's first spike not yet flagged. A spike
// before the lane's last one ends the lane after that step, as Experiment.Run ends a run whose
// input goes back in time; no spike after it is flagged.
func (b *lockstep) flag(n0, n1 int64, in []Input, pend, last, failAt *[4]int64, failErr *[4]error, first []uint8, more [][4]int32, exc bool) {
	m := n1 - n0
	clear(first[:m]) // more is all 0: deliverMore clears what it used
	if exc {
		clear(b.more[:m])
	}
	for k := range 4 {
		if p, ok := in[k].(*Poisson); ok {
			// A Poisson stream's steps never decrease: the lane needs no check, and it takes
			// the spikes the stream drew ahead itself (Next, inlined by hand).
			s, bit := pend[k], uint8(1)<<k
			for s < n1 {
				if j := s - n0; first[j]&bit == 0 {
					first[j] |= bit
				} else {
					more[j][k]++
					b.more[j] = true
				}
				if p.i < p.m {
					s = p.ahead[p.i]
					p.i++
				} else {
					s = p.refill()
				}
			}
			pend[k] = s
			continue
		}
		for failAt[k] == math.MaxInt64 && pend[k] < n1 {
			s := pend[k]
			if s < last[k] {
				failAt[k] = last[k]
				failErr[k] = fmt.Errorf("input spike at step %d delivered after step %d: input steps must not decrease", s, last[k])
				break
			}
			if j := s - n0; first[j]&(1<<k) == 0 {
				first[j] |= 1 << k
			} else {
				more[j][k]++
				b.more[j] = true
			}
			last[k] = s
			pend[k] = in[k].Next()
		}
	}
}

// deliverMore adds the spikes after the first of step j of the chunk, one at a time.
func (b *lockstep) deliverMore(j int64, e, i *unitState, le, li *unitLanes, nExc, nInh *f4) {
	var ueE, ueI, uiE, uiI, ne, ni [4]float64
	e.uE.Store(&ueE)
	i.uE.Store(&ueI)
	e.uI.Store(&uiE)
	i.uI.Store(&uiI)
	nExc.Store(&ne)
	nInh.Store(&ni)
	for k := range 4 {
		for range b.moreE[j][k] {
			ueE[k] += le.incExcS[k]
			ueI[k] += li.incExcS[k]
			ne[k]++
		}
		for range b.moreI[j][k] {
			uiE[k] += le.incInhS[k]
			uiI[k] += li.incInhS[k]
			ni[k]++
		}
	}
	b.moreE[j], b.moreI[j] = [4]int32{}, [4]int32{}
	e.uE, i.uE = archsimd.LoadFloat64x4(&ueE), archsimd.LoadFloat64x4(&ueI)
	e.uI, i.uI = archsimd.LoadFloat64x4(&uiE), archsimd.LoadFloat64x4(&uiI)
	*nExc, *nInh = archsimd.LoadFloat64x4(&ne), archsimd.LoadFloat64x4(&ni)
}
