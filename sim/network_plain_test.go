package sim

import "math"

// runNetworkPlain is a second, literal implementation of the network's step, written to mirror
// Brian2's objects rather than to be fast, against which Network.Run is held bit for bit
// (TestNetworkMatchesPlain). Every unit computes the full expression Brian2 generates (the s_Ext,
// i_adapt/C_m and noise terms included, even when they are zero), and each pathway has a spike
// queue like Brian2's CSpikeQueue: a ring of lists of synapse indices, into which a step's spikes
// push their synapses (source by source, synapse by synapse) at the slot of each one's delay, and
// whose current slot is delivered in order, one addition per synapse. The noise is
// normalGen's stream, n_E + n_I numbers per step, unit i's the i-th. means are the mean currents, summed in
// order of step, then unit, from the state at the start of each step.
func runNetworkPlain(cfg NetworkConfig, conn *Connectivity, seed uint64) (steps []int64, units []int32, final []NetworkUnitState, means [4]float64) {
	nExc, nInh := cfg.Sizes()
	n := nExc + nInh
	nKick := cfg.KickedUnits()
	dt := cfg.DtSec
	nSteps := StepCount(cfg.DurationSec, dt)
	kickStep := Timestep(cfg.KickTimeSec, dt)
	type unit struct {
		v, ia, sE, uE, sI, uI, sExt, uExt float64
		last                              int64
	}
	type consts struct {
		ref                            int64
		aA, aSE, aSI, aUE, aUI         float64
		eL, gL, cm, vT, vR, jump       float64
		sigma, sqrtDt, sqrtTau, lioInv float64
	}
	mk := func(u Unit) consts {
		return consts{
			ref: Timestep(brian2Refractory(u.RefractorySec), dt),
			aA:  (-dt) / u.TauAdaptSec, aSE: dt / cfg.Syn.TauFallESec, aSI: dt / cfg.Syn.TauFallISec,
			aUE: (-dt) / cfg.Syn.TauRiseESec, aUI: (-dt) / cfg.Syn.TauRiseISec,
			eL: u.ELeakVolt, gL: u.GLeakSiemens, cm: u.CmFarad, vT: u.VThreshVolt, vR: u.VResetVolt,
			jump:  float64(1.0/u.TauAdaptSec) * u.BetaAdaptAmpSec,
			sigma: cfg.NoiseSigmaVolt, sqrtDt: math.Pow(dt, 0.5), sqrtTau: math.Pow(u.CmFarad/u.GLeakSiemens, 0.5),
		}
	}
	ce, ci := mk(cfg.Exc), mk(cfg.Inh)
	us := make([]unit, n)
	for i := range us {
		c := &ce
		if i >= nExc {
			c = &ci
		}
		us[i] = unit{v: c.eL, last: NeverSpiked}
	}
	var rng normalGen
	rng.seed(seed, noiseTag)
	noise := cfg.NoiseSigmaVolt != 0
	z := make([]float64, n)

	type queue struct {
		slots    [][]int32
		offset   int
		bySource [][]int32 // synapse indices of each presynaptic unit, in index order
		inc      []float64
	}
	var qs [4]queue
	for p := EE; p <= II; p++ {
		q := &qs[p]
		maxD := 0
		for _, d := range conn.DelaySteps[p] {
			maxD = max(maxD, int(d))
		}
		q.slots = make([][]int32, maxD+1)
		nPre, _ := cfg.pathwaySizes(p)
		q.bySource = make([][]int32, nPre)
		for k, j := range conn.Pre[p] {
			q.bySource[j] = append(q.bySource[j], int32(k))
		}
		tau := cfg.Syn.TauRiseESec
		if p.SourceInh() {
			tau = cfg.Syn.TauRiseISec
		}
		lio := 1.0 / (tau / 1e-3)
		q.inc = make([]float64, len(conn.Pre[p]))
		for k := range q.inc {
			w := cfg.W.weight(p)
			if conn.WeightAmp[p] != nil {
				w = conn.WeightAmp[p][k]
			}
			q.inc[k] = lio * w
		}
	}

	var sums [4][8]float64 // eight lanes each: unit i of a population in lane i mod 8
	for step := range nSteps {
		for i, u := range us {
			if i < nExc {
				sums[0][i%8] += u.sE
				sums[1][i%8] += u.sI
			} else {
				sums[2][(i-nExc)%8] += u.sE
				sums[3][(i-nExc)%8] += u.sI
			}
		}
		// groups
		if noise {
			rng.fill(z) // the step's numbers, unit i's in z[i], as Run draws them
		}
		notRef := make([]bool, n)
		for i := range us {
			c := &ce
			if i >= nExc {
				c = &ci
			}
			u := us[i]
			notRef[i] = step-u.last >= c.ref
			nu := u
			nu.ia = float64(c.aA*u.ia) + u.ia
			nu.sE = float64(c.aSE*((-u.sE)+u.uE)) + u.sE
			nu.sExt = float64(c.aSE*((-u.sExt)+u.uExt)) + u.sExt
			nu.sI = float64(c.aSI*((-u.sI)+u.uI)) + u.sI
			nu.uE = float64(c.aUE*u.uE) + u.uE
			nu.uExt = float64(c.aUE*u.uExt) + u.uExt
			nu.uI = float64(c.aUI*u.uI) + u.uI
			xi := 0.0
			if noise {
				xi = c.sqrtDt * z[i] // every unit draws, refractory or not, as in Brian2
			}
			if notRef[i] {
				nu.v = (float64(dt*(((float64(c.eL*c.gL)/c.cm+u.sE/c.cm)+u.sExt/c.cm)-((float64(c.gL*u.v)/c.cm+u.ia/c.cm)+u.sI/c.cm))) +
					float64(c.sigma*xi)/c.sqrtTau) + u.v
			}
			us[i] = nu
		}
		// thresholds
		var spE, spI []int32
		for i := range us {
			c := &ce
			if i >= nExc {
				c = &ci
			}
			if notRef[i] && us[i].v >= c.vT {
				us[i].last = step
				if i < nExc {
					spE = append(spE, int32(i))
				} else {
					spI = append(spI, int32(i-nExc))
				}
				steps = append(steps, step)
				units = append(units, int32(i))
			}
		}
		// synapses: push, then deliver the current slot, then advance
		for p := EE; p <= II; p++ {
			q := &qs[p]
			src := spE
			if p.SourceInh() {
				src = spI
			}
			for _, j := range src {
				for _, k := range q.bySource[j] {
					s := (q.offset + int(conn.DelaySteps[p][k])) % len(q.slots)
					q.slots[s] = append(q.slots[s], k)
				}
			}
			for _, k := range q.slots[q.offset] {
				t := int(conn.Post[p][k])
				if p.TargetInh() {
					t += nExc
				}
				if p.SourceInh() {
					us[t].uI += q.inc[k]
				} else {
					us[t].uE += q.inc[k]
				}
			}
			q.slots[q.offset] = q.slots[q.offset][:0]
			q.offset = (q.offset + 1) % len(q.slots)
		}
		if step == kickStep {
			for i := range nKick {
				us[i].uExt += cfg.KickAmp
			}
		}
		// resets
		for _, j := range spE {
			us[j].v = ce.vR
			us[j].ia += ce.jump
		}
		for _, j := range spI {
			us[int(j)+nExc].v = ci.vR
			us[int(j)+nExc].ia += ci.jump
		}
	}
	for _, u := range us {
		final = append(final, NetworkUnitState{VVolt: u.v, IAdaptAmp: u.ia, SEAmp: u.sE, UEAmp: u.uE, SIAmp: u.sI, UIAmp: u.uI,
			SExtAmp: u.sExt, UExtAmp: u.uExt, LastSpikeStep: u.last})
	}
	for k := range sums {
		pop := nExc
		if k >= 2 {
			pop = nInh
		}
		x := &sums[k]
		total := ((x[0] + x[1]) + (x[2] + x[3])) + ((x[4] + x[5]) + (x[6] + x[7]))
		means[k] = total / float64(nSteps) / float64(pop)
	}
	return steps, units, final, means
}
