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
}

// popSums accumulates s_E and s_I at the start of each step over units and steps.
type popSums struct{ sE, sI float64 }

// advance is one step n of the units of p: Brian2's "groups" (Euler), "thresholds" and "resets"
// slots (docs/MODEL.md, "The recurrent network"). It appends base + the index of each unit that
// spikes to spikes, adds every unit's s_E and s_I before the update to acc, and reports whether a
// unit's v became NaN or ran away. rng is nil when the noise is off. This is the whole unit update:
// a faster kernel replaces this function.
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
func (c *popStep) advance(p popView, n int64, base int32, rng *normalRand, spikes []int32, acc *popSums) ([]int32, bool) {
	v := p.v
	nu := len(v)
	ia, sE, uE, sI, uI, last := p.ia[:nu], p.sE[:nu], p.uE[:nu], p.sI[:nu], p.uI[:nu], p.last[:nu]
	ext := p.sExt != nil
	var sExt, uExt []float64
	if ext {
		sExt, uExt = p.sExt[:nu], p.uExt[:nu]
	}
	adapt, noise := c.adapt, rng != nil
	accE, accI := acc.sE, acc.sI
	bad := false
	for i := range v {
		vi, sEi, uEi, sIi, uIi := v[i], sE[i], uE[i], sI[i], uI[i]
		accE += sEi
		accI += sIi
		notRef := n-last[i] >= c.refSteps
		sE[i] = float64(c.aSE*(-sEi+uEi)) + sEi
		sI[i] = float64(c.aSI*(-sIi+uIi)) + sIi
		uE[i] = float64(c.aUE*uEi) + uEi
		uI[i] = float64(c.aUI*uIi) + uIi
		var iai, iaNew float64
		if adapt {
			iai = ia[i]
			iaNew = float64(c.aAdapt*iai) + iai
		}
		var sExti float64
		if ext {
			sExti = sExt[i]
			uExti := uExt[i]
			sExt[i] = float64(c.aSE*(-sExti+uExti)) + sExti
			uExt[i] = float64(c.aUE*uExti) + uExti
		}
		if notRef {
			pos := c.eLgLOverCm + sEi/c.cm
			if ext {
				pos += sExti / c.cm
			}
			neg := float64(c.gL*vi) / c.cm
			if adapt {
				neg += iai / c.cm
			}
			neg += sIi / c.cm
			dv := float64(c.dt * (pos - neg))
			if noise {
				// rng.norm(), its common case written out (the call is not inlined).
				b := rng.uint64()
				k := b & (zigLayers - 1)
				u := float64(int64(b)>>8) * 0x1p-55
				z := u * zigX[k]
				if !(math.Abs(u) < zigRatio[k]) {
					z = rng.normSlow(k, u)
				}
				xi := c.sqrtDt * z
				dv += float64(c.sigma*xi) / c.sqrtTauM
			}
			vi = dv + vi
			if vi >= c.vThresh {
				last[i] = n
				vi = c.vReset
				iaNew += c.adaptJump
				spikes = append(spikes, base+int32(i))
			} else if !(math.Abs(vi) <= RunawayVolt) {
				bad = true
			}
			v[i] = vi
		}
		if adapt {
			ia[i] = iaNew
		}
	}
	acc.sE, acc.sI = accE, accI
	return spikes, bad
}
