//go:build amd64 && !purego

package sim

import (
	"fmt"
	"math"
	"unsafe"

	"golang.org/x/sys/cpu"
)

func init() {
	if cpu.X86.HasAVX2 {
		run4 = runLockstep
	}
}

// laneFlags[m] has 1 in the lanes whose bit is set in m, 0 in the others: lockSteps loads
// laneFlags[firstE[j]] as the vector of step j's first excitatory spikes.
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

// batchChunk is how many steps the lockstep path draws its runs' input for at a time: enough to
// make the drawing a small share, little enough that the per-step spike flags stay in cache.
const batchChunk = 2048

// lockstep is the scratch of the lockstep path: the kernel's state, and per step of the current
// chunk, the lanes with an input spike and per lane how many more arrive.
type lockstep struct {
	kern           lockKern
	firstE, firstI [batchChunk]uint8    // per step, the lanes (bits) with a spike
	moreE, moreI   [batchChunk][4]int32 // per step and lane, the spikes after the first (0 once used)
	more           [batchChunk]bool     // some lane has a second spike in this step
}

// Indices of lockKern's vectors.
const (
	kV, kIA, kSE, kUE, kSI, kUI = 0, 1, 2, 3, 4, 5 // st[u][·]

	// c[u][·]
	kAAdapt, kASE, kASI, kAUE, kAUI, kDt, kGL, kEL, kCm, kVThresh, kIncExc, kIncInh = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
)

// lockKern is what lockSteps (batch_amd64.s) reads and writes for four runs in lockstep, one
// per lane (lane k of every vector is run k): unit u = 0 is E, 1 is I. Its layout is the
// assembly's (TestLockKernLayout).
type lockKern struct {
	st    [2][6][4]float64  // v, i_adapt, s_E, u_E, s_I, u_I
	last  [2][4]int64       // last spike step
	ref   [2][4]int64       // refractory steps
	c     [2][12][4]float64 // a_adapt, a_sE, a_sI, a_uE, a_uI, dt, g_L, E_L, C_m, v_thresh, inc_exc, inc_inh
	q     [4][4]float64     // Σ s: EE, EI, IE, II
	cnt   [2][4]float64     // input spikes delivered: exc, inh
	bound [2][4]float64     // RunawayVolt, −RunawayVolt

	firstE, firstI *uint8 // the chunk's per-step lanes with a first input spike (lockstep.firstE, firstI)
	more           *bool  // the chunk's per-step "some lane has more" (lockstep.more)
	n0             int64  // the chunk's first step
	alive          int64  // lanes still running (bits)
	nextFail       int64  // a step at which some lane's input ends it

	spike [2]int64 // out: the lanes that spiked in the returned step (bits), E and I

	moreE, moreI *[4]int32 // the chunk's per-step counts of the lanes' other spikes (lockstep.moreE, moreI)
}

// lockSteps advances the four runs of k from step n until step n1 or an event, and returns the
// step it stopped at: n1, or a step after whose input spikes something is left for runLockstep
// to do (an alive lane spiked, a lane's v left [−RunawayVolt, RunawayVolt], or nextFail). Of an
// event's step it has done what Experiment.Run does before the resets; v and last are not reset
// and the spiking lanes are in k.spike. It does each operation of Experiment.Run on every lane,
// in its order, unfused: a step's input spikes are each lane's weight times 1 or 0 (adding 0
// leaves u as it is; no u is −0), once for the first spikes (firstE, firstI) and once more for
// every further spike of some lane (moreE, moreI, which it zeroes).
//
//go:noescape
func lockSteps(k *lockKern, n, n1 int64) int64

// runLockstep is Experiment.Run of four runs with equal step counts and no traces, one per
// vector lane (lockSteps), so that every lane gives exactly what Experiment.Run gives its run.
func runLockstep(b *lockstep, xs []*Experiment, exc, inh []Input, outs []*Result, errs []error) {
	k := &b.kern
	*k = lockKern{}
	for l, x := range xs {
		for u := range 2 {
			c := x.unit(u)
			k.st[u][kV][l] = c.initialV
			k.last[u][l] = NeverSpiked
			k.ref[u][l] = c.refSteps
			for i, v := range [12]float64{c.aAdapt, c.aSE, c.aSI, c.aUE, c.aUI, c.dt, c.gL, c.eL, c.cm, c.vThresh, c.incExc, c.incInh} {
				k.c[u][i][l] = v
			}
		}
		k.bound[0][l], k.bound[1][l] = RunawayVolt, -RunawayVolt
		outs[l].SpikeStepsE, outs[l].SpikeStepsI = outs[l].SpikeStepsE[:0], outs[l].SpikeStepsI[:0]
		errs[l] = nil
	}
	k.firstE, k.firstI, k.more = &b.firstE[0], &b.firstI[0], &b.more[0]
	k.moreE, k.moreI = &b.moreE[0], &b.moreI[0]
	k.alive = 0xf

	steps := xs[0].steps
	var pendE, pendI [4]int64 // each lane's first input spike not yet flagged
	var lastE, lastI [4]int64 // each lane's last flagged spike, to see a step that goes back
	var failAt [4]int64       // the step after which a lane's input went back in time
	var failErr [4]error
	for l := range 4 {
		pendE[l], pendI[l] = exc[l].Next(), inh[l].Next()
		lastE[l], lastI[l], failAt[l] = math.MinInt64, math.MinInt64, math.MaxInt64
	}
	// finish stores lane l's measurements, as Experiment.Run's end does, and ends the lane.
	finish := func(l int, err error) {
		x, o := xs[l], outs[l]
		o.ChargeEEPC = k.q[0][l] * x.dtSec * 1e12
		o.ChargeEIPC = k.q[1][l] * x.dtSec * 1e12
		o.ChargeIEPC = k.q[2][l] * x.dtSec * 1e12
		o.ChargeIIPC = k.q[3][l] * x.dtSec * 1e12
		o.InputSpikesExc, o.InputSpikesInh = int64(k.cnt[0][l]), int64(k.cnt[1][l])
		o.RateEHz = float64(len(o.SpikeStepsE)) / x.cfg.DurationSec
		o.RateIHz = float64(len(o.SpikeStepsI)) / x.cfg.DurationSec
		o.FinalE, o.FinalI = k.final(0, l), k.final(1, l)
		errs[l] = err
		k.alive &^= 1 << l
	}
	for n0 := int64(0); n0 < steps && k.alive != 0; n0 += batchChunk {
		n1 := min(n0+batchChunk, steps)
		for l := range 4 {
			if k.alive&(1<<l) != 0 && outs[l].Stop != nil && outs[l].Stop.Load() {
				for j := range 4 {
					if k.alive&(1<<j) != 0 {
						finish(j, ErrStopped)
					}
				}
			}
		}
		if k.alive == 0 {
			break
		}
		b.flag(n0, n1, exc, &pendE, &lastE, &failAt, &failErr, b.firstE[:], b.moreE[:], true)
		b.flag(n0, n1, inh, &pendI, &lastI, &failAt, &failErr, b.firstI[:], b.moreI[:], false)
		k.n0, k.nextFail = n0, min(failAt[0], failAt[1], failAt[2], failAt[3])
		for n := n0; ; n++ {
			if n = lockSteps(k, n, n1); n >= n1 {
				break
			}
			// The rest of step n, as Experiment.Run does it: the resets, the checks.
			if be, bi := k.spike[0]&k.alive, k.spike[1]&k.alive; be|bi != 0 {
				for l := range 4 {
					if be&(1<<l) != 0 {
						outs[l].SpikeStepsE = append(outs[l].SpikeStepsE, n)
					}
					if bi&(1<<l) != 0 {
						outs[l].SpikeStepsI = append(outs[l].SpikeStepsI, n)
					}
				}
				for u := range 2 {
					for l := range 4 {
						if k.spike[u]&(1<<l) != 0 {
							k.last[u][l] = n
							k.st[u][kV][l] = xs[l].unit(u).vReset
							k.st[u][kIA][l] += xs[l].unit(u).adaptJump
						}
					}
				}
			}
			for l := range 4 {
				ve, vi := k.st[0][kV][l], k.st[1][kV][l]
				if k.alive&(1<<l) != 0 && !(ve <= RunawayVolt && ve >= -RunawayVolt && vi <= RunawayVolt && vi >= -RunawayVolt) {
					finish(l, runaway(n, xs[l].dtSec, ve, vi))
				}
			}
			if n == k.nextFail {
				for l := range 4 {
					if failAt[l] == n && k.alive&(1<<l) != 0 {
						finish(l, failErr[l])
					}
				}
			}
			if k.alive == 0 {
				break
			}
		}
	}
	for l := range 4 {
		if k.alive&(1<<l) != 0 {
			finish(l, nil)
		}
	}
}

// unit returns the constants of unit u: 0 the E unit, 1 the I unit.
func (x *Experiment) unit(u int) *unitStep {
	if u == 0 {
		return &x.exc
	}
	return &x.inh
}

// final returns unit u's state in lane l.
func (k *lockKern) final(u, l int) State {
	s := &k.st[u]
	return State{VVolt: s[kV][l], IAdaptAmp: s[kIA][l], SEAmp: s[kSE][l], UEAmp: s[kUE][l], SIAmp: s[kSI][l], UIAmp: s[kUI][l], LastSpikeStep: k.last[u][l]}
}

// flag draws each lane's input spikes of steps [n0, n1) into first (1 for a step's first spike)
// and more (the count of the others), from pend, the lane's first spike not yet flagged. A spike
// before the lane's last one ends the lane after that step, as Experiment.Run ends a run whose
// input goes back in time; no spike after it is flagged.
func (b *lockstep) flag(n0, n1 int64, in []Input, pend, last, failAt *[4]int64, failErr *[4]error, first []uint8, more [][4]int32, exc bool) {
	m := n1 - n0
	clear(first[:m]) // more is all 0: lockSteps clears what it used
	if exc {
		clear(b.more[:m])
	}
	for l := range 4 {
		switch in := in[l].(type) {
		case *Poisson:
			pend[l] = b.flagPoisson(in, pend[l], n0, n1, first, more, l)
			continue
		case *Steps:
			pend[l] = b.flagSteps(in, pend[l], n0, n1, first, more, l)
			continue
		}
		for failAt[l] == math.MaxInt64 && pend[l] < n1 {
			s := pend[l]
			if s < last[l] {
				failAt[l] = last[l]
				failErr[l] = fmt.Errorf("input spike at step %d delivered after step %d: input steps must not decrease", s, last[l])
				break
			}
			b.mark(s-n0, l, first, more)
			last[l] = s
			pend[l] = in[l].Next()
		}
	}
}

// mark flags an input spike of lane l at step j of the chunk: the lane's first of the step in
// first, a later one counted in more (and the step in b.more).
func (b *lockstep) mark(j int64, l int, first []uint8, more [][4]int32) {
	if bit := uint8(1) << l; first[j]&bit == 0 {
		first[j] |= bit
	} else {
		more[j][l]++
		b.more[j] = true
	}
}

// flagPoisson is flag's loop for lane l, whose input is p and whose pending spike is at step s:
// it flags the spikes before n1, taking them from the block p drew ahead, and returns the
// pending one, the first at or after n1 (taken from p). A Poisson stream's steps never
// decrease, so the lane needs none of flag's checks.
func (b *lockstep) flagPoisson(p *Poisson, s, n0, n1 int64, first []uint8, more [][4]int32, l int) int64 {
	for s < n1 {
		b.mark(s-n0, l, first, more)
		ahead := p.ahead[p.i:p.m]
		i := 0
		for ; i < len(ahead) && ahead[i] < n1; i++ {
			b.mark(ahead[i]-n0, l, first, more)
		}
		if i < len(ahead) {
			p.i += i + 1
			return ahead[i]
		}
		p.i = p.m
		s = p.refill()
	}
	return s
}

// flagSteps is flagPoisson for a replayed input: NewSteps has checked that its steps never
// decrease, so the lane needs none of flag's checks and takes them from its slice.
func (b *lockstep) flagSteps(in *Steps, s, n0, n1 int64, first []uint8, more [][4]int32, l int) int64 {
	rest := in.steps[in.i:]
	i := 0
	for ; s < n1; i++ {
		b.mark(s-n0, l, first, more)
		if i == len(rest) {
			s = End
			break
		}
		s = rest[i]
	}
	in.i += min(i, len(rest))
	return s
}

// lockKernOffsets are lockKern's field offsets as batch_amd64.s has them.
var lockKernOffsets = map[string][2]uintptr{
	"st":     {unsafe.Offsetof(lockKern{}.st), 0},
	"last":   {unsafe.Offsetof(lockKern{}.last), 384},
	"ref":    {unsafe.Offsetof(lockKern{}.ref), 448},
	"c":      {unsafe.Offsetof(lockKern{}.c), 512},
	"q":      {unsafe.Offsetof(lockKern{}.q), 1280},
	"cnt":    {unsafe.Offsetof(lockKern{}.cnt), 1408},
	"bound":  {unsafe.Offsetof(lockKern{}.bound), 1472},
	"firstE": {unsafe.Offsetof(lockKern{}.firstE), 1536},
	"firstI": {unsafe.Offsetof(lockKern{}.firstI), 1544},
	"more":   {unsafe.Offsetof(lockKern{}.more), 1552},
	"n0":     {unsafe.Offsetof(lockKern{}.n0), 1560},
	"alive":  {unsafe.Offsetof(lockKern{}.alive), 1568},
	"next":   {unsafe.Offsetof(lockKern{}.nextFail), 1576},
	"spike":  {unsafe.Offsetof(lockKern{}.spike), 1584},
	"moreE":  {unsafe.Offsetof(lockKern{}.moreE), 1600},
	"moreI":  {unsafe.Offsetof(lockKern{}.moreI), 1608},
}
