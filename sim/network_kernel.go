package sim

import "math"

// popStep holds the constants of one population's update, computed once as Brian2 computes its
// loop invariants (docs/MODEL.md, "The recurrent network").
type popStep struct {
	refSteps        int64   // timestep(refractory)
	aAdapt          float64 // (−dt)/τ_adapt
	aSE, aSI        float64 // dt/τ_fall,E (also s_Ext's), dt/τ_fall,I
	aUE, aUI        float64 // (−dt)/τ_rise,E (also u_Ext's), (−dt)/τ_rise,I
	dt              float64
	eLgLOverCm      float64 // (E_L·g_L)/C_m: per unit in Brian2, constant in time, so the same bits
	gL, cm          float64
	vThresh, vReset float64
	adaptJump       float64 // (1/τ_adapt)·β
	adapt           bool    // β ≠ 0; with β = 0, i_adapt stays exactly 0
	sigma           float64 // σ (V)
	sqrtDt          float64 // dt**0.5
	sqrtTauM        float64 // (C_m/g_L)**0.5
	initialV        float64
}

func newPopStep(u Unit, syn Synapses, dt, sigma float64) popStep {
	return popStep{
		refSteps:   Timestep(brian2Refractory(u.RefractorySec), dt),
		aAdapt:     (-dt) / u.TauAdaptSec,
		aSE:        dt / syn.TauFallESec,
		aSI:        dt / syn.TauFallISec,
		aUE:        (-dt) / syn.TauRiseESec,
		aUI:        (-dt) / syn.TauRiseISec,
		dt:         dt,
		eLgLOverCm: float64(u.ELeakVolt*u.GLeakSiemens) / u.CmFarad,
		gL:         u.GLeakSiemens,
		cm:         u.CmFarad,
		vThresh:    u.VThreshVolt,
		vReset:     u.VResetVolt,
		adaptJump:  float64(1.0/u.TauAdaptSec) * u.BetaAdaptAmpSec,
		adapt:      u.BetaAdaptAmpSec != 0,
		sigma:      sigma,
		sqrtDt:     math.Sqrt(dt),
		sqrtTauM:   math.Sqrt(u.CmFarad / u.GLeakSiemens),
		initialV:   u.ELeakVolt,
	}
}

// popView is a range of units of one population: slices of the state arrays, all of one length.
// sExt and uExt are nil for units the kick does not reach (their s_Ext and u_Ext stay 0).
type popView struct {
	v, ia, sE, uE, sI, uI []float64
	last                  []int64
	sExt, uExt            []float64
	fixE, fixI            []synFix
}

// synFix is a fixed point of a unit's synaptic pair (s, u): the bits of an s and a u that one
// Euler step leaves unchanged, and s/C_m. Without input a pair decays, within a second (τ 1 ms),
// to subnormal numbers such as 4·10⁻³²³ A that the step no longer changes (the decrement rounds
// to 0), and arithmetic on subnormals is some hundred times slower than on normal numbers: a
// silent network would spend most of its time there. So the pass that updates a pair skips it
// while it is at its recorded fixed point, and the v pass takes s/C_m from the record: the same
// numbers, without the arithmetic. A delivery changes u, which ends the skipping. The initial
// state (0, 0) is a fixed point.
type synFix struct {
	s, u uint64  // math.Float64bits of s and u
	q    float64 // s/C_m
}

// popSums accumulates s_E and s_I at the start of each step over units and steps, in eight
// lanes: unit i of a population (counted from its first unit) adds to lane i mod 8, in order of
// step and then unit, and the total adds the lanes in a fixed order (laneTotal). The AVX-512
// kernel keeps the lanes in one register each, so that its sums are one vector addition per
// group of eight units rather than a chain of sixteen dependent ones.
type popSums struct{ sE, sI [8]float64 }

// laneTotal returns the sum of the eight lanes, pairwise: ((0+1)+(2+3))+((4+5)+(6+7)).
func laneTotal(x *[8]float64) float64 {
	return ((x[0] + x[1]) + (x[2] + x[3])) + ((x[4] + x[5]) + (x[6] + x[7]))
}

// advance is one step n of the units of p: Brian2's "groups" (Euler), "thresholds" and "resets"
// slots (docs/MODEL.md, "The recurrent network"). It appends base + the index of each unit that
// spikes to spikes, adds every unit's s_E and s_I before the update to acc (base is the index of
// p's first unit in its population, which picks the lanes), and reports whether a
// unit's v became NaN or ran away. z holds the step's standard normal numbers, one per unit of p
// (every unit draws one in every step, refractory or not, as in Brian2), or is nil when the noise
// is off. This is the reference of the unit update: the AVX-512 kernel (network_fast.go) gives the
// same numbers, and a test holds it to that.
//
// The arithmetic is Brian2 2.5.1's generated code, operation by operation, with every product
// converted to float64 before it is added so that no multiply-add is fused:
//
//	not_refractory = n − lastspike ≥ timestep(refractory)
//	i_adapt' = ((−dt)/τ_adapt)·i_adapt + i_adapt
//	s_E'     = (dt/τ_fall,E)·((−s_E) + u_E) + s_E       (s_I, s_Ext likewise)
//	u_E'     = ((−dt)/τ_rise,E)·u_E + u_E               (u_I, u_Ext likewise)
//	v'       = ((dt·((((E_L·g_L)/C_m + s_E/C_m) + s_Ext/C_m) − (((g_L·v)/C_m + i_adapt/C_m) + s_I/C_m)))
//	            + (σ·(dt**0.5·z))/(C_m/g_L)**0.5) + v,   only if not_refractory
//	spike    = v' ≥ v_thresh and not_refractory  →  v ← v_reset, i_adapt += (1/τ_adapt)·β
//
// Terms skipped, each bit-identical to computing it (x + 0 = x; only the sign of an exact zero
// could differ, and v + (±0) = v for every v ≠ 0):
//   - s_Ext/C_m, s_Ext and u_Ext for units the kick never reaches: they stay exactly 0;
//   - i_adapt/C_m and i_adapt's update when β = 0: i_adapt stays exactly 0;
//   - the noise term when σ = 0: Brian2 adds (0·ξ)/… = ±0.
//
// The step is done in two passes over the units, which is the same arithmetic (each pass reads
// only the old values the other does not write): first v, threshold and reset, from the old
// v, i_adapt, s_E, s_I and s_Ext; then the synaptic and adaptation variables (and the reset's
// i_adapt jump for the units that spiked).
//
// With check, the passes use and look for fixed points of the synaptic pairs (see synFix) and
// advance returns how many pairs were at one; without, they compute every pair. Both give the
// same numbers: the check only saves time, when many pairs sit at subnormal fixed points.
func (c *popStep) advance(p popView, n int64, base int32, z []float64, spikes []int32, acc *popSums, check bool) ([]int32, bool, int) {
	spikes, bad := c.advanceV(p, n, base, z, spikes, check)
	frozen := c.advanceSyn(p, n, int(base)&7, acc, check)
	return spikes, bad, frozen
}

// advanceV is the first pass of advance: v, threshold and reset (v ← v_reset, lastspike ← n).
func (c *popStep) advanceV(p popView, n int64, base int32, z []float64, spikes []int32, check bool) ([]int32, bool) {
	v := p.v
	nu := len(v)
	ia, sE, sI, last := p.ia[:nu], p.sE[:nu], p.sI[:nu], p.last[:nu]
	fixE, fixI := p.fixE[:nu], p.fixI[:nu]
	var sExt []float64
	ext := p.sExt != nil
	if ext {
		sExt = p.sExt[:nu]
	}
	adapt, noise := c.adapt, z != nil
	if noise {
		z = z[:nu]
	}
	refSteps, cm, gL, eLgL, dt := c.refSteps, c.cm, c.gL, c.eLgLOverCm, c.dt
	bad := false
	for i := range v {
		if n-last[i] < refSteps {
			continue
		}
		vi := v[i]
		var qE, qI float64 // s_E/C_m and s_I/C_m, from the fixed points' records when there
		if sEi := sE[i]; !check || math.Float64bits(sEi) != fixE[i].s {
			qE = sEi / cm
		} else {
			qE = fixE[i].q
		}
		if sIi := sI[i]; !check || math.Float64bits(sIi) != fixI[i].s {
			qI = sIi / cm
		} else {
			qI = fixI[i].q
		}
		pos := eLgL + qE
		if ext {
			pos += sExt[i] / cm
		}
		neg := float64(gL*vi) / cm
		if adapt {
			neg += ia[i] / cm
		}
		neg += qI
		dv := float64(dt * (pos - neg))
		if noise {
			xi := c.sqrtDt * z[i]
			dv += float64(c.sigma*xi) / c.sqrtTauM
		}
		vi = dv + vi
		if vi >= c.vThresh {
			last[i] = n
			vi = c.vReset
			spikes = append(spikes, base+int32(i))
		} else if !(math.Abs(vi) <= RunawayVolt) {
			bad = true
		}
		v[i] = vi
	}
	return spikes, bad
}

// advanceSyn is the second pass of advance: s_E, u_E, s_I, u_I, s_Ext, u_Ext and i_adapt, with the
// reset's jump of i_adapt for the units that spiked in this step (lastspike = n), after adding
// the old s_E and s_I to acc (unit i to lane (lane0 + i) mod 8). Brian2's (−s) + u is written u − s: IEEE subtraction is the addition
// of the negation, so the two are the same number, signed zeros included.
func (c *popStep) advanceSyn(p popView, n int64, lane0 int, acc *popSums, check bool) (frozen int) {
	sE := p.sE
	nu := len(sE)
	uE, sI, uI := p.uE[:nu], p.sI[:nu], p.uI[:nu]
	fixE, fixI := p.fixE[:nu], p.fixI[:nu]
	aSE, aSI, aUE, aUI, cm := c.aSE, c.aSI, c.aUE, c.aUI, c.cm
	accE, accI := acc.sE, acc.sI
	if !check {
		for i := range sE {
			sEi, uEi, sIi, uIi := sE[i], uE[i], sI[i], uI[i]
			accE[(lane0+i)&7] += sEi
			accI[(lane0+i)&7] += sIi
			sE[i] = float64(aSE*(uEi-sEi)) + sEi
			sI[i] = float64(aSI*(uIi-sIi)) + sIi
			uE[i] = float64(aUE*uEi) + uEi
			uI[i] = float64(aUI*uIi) + uIi
		}
	}
	for i := range sE {
		if !check {
			break
		}
		sEi, uEi, sIi, uIi := sE[i], uE[i], sI[i], uI[i]
		accE[(lane0+i)&7] += sEi
		accI[(lane0+i)&7] += sIi
		if f := &fixE[i]; math.Float64bits(uEi) != f.u || math.Float64bits(sEi) != f.s {
			s, u := float64(aSE*(uEi-sEi))+sEi, float64(aUE*uEi)+uEi
			sE[i], uE[i] = s, u
			if s == sEi && u == uEi && math.Float64bits(s) == math.Float64bits(sEi) && math.Float64bits(u) == math.Float64bits(uEi) {
				*f = synFix{s: math.Float64bits(s), u: math.Float64bits(u), q: s / cm}
				frozen++
			}
		} else {
			frozen++
		}
		if f := &fixI[i]; math.Float64bits(uIi) != f.u || math.Float64bits(sIi) != f.s {
			s, u := float64(aSI*(uIi-sIi))+sIi, float64(aUI*uIi)+uIi
			sI[i], uI[i] = s, u
			if s == sIi && u == uIi && math.Float64bits(s) == math.Float64bits(sIi) && math.Float64bits(u) == math.Float64bits(uIi) {
				*f = synFix{s: math.Float64bits(s), u: math.Float64bits(u), q: s / cm}
				frozen++
			}
		} else {
			frozen++
		}
	}
	acc.sE, acc.sI = accE, accI
	if p.sExt != nil {
		sExt, uExt := p.sExt[:nu], p.uExt[:nu]
		for i := range sExt {
			s, u := sExt[i], uExt[i]
			sExt[i] = float64(aSE*(u-s)) + s
			uExt[i] = float64(aUE*u) + u
		}
	}
	if c.adapt {
		ia, last := p.ia[:nu], p.last[:nu]
		aA, jump := c.aAdapt, c.adaptJump
		for i := range ia {
			x := float64(aA*ia[i]) + ia[i]
			if last[i] == n {
				x += jump
			}
			ia[i] = x
		}
	}
	return frozen
}
