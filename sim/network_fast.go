package sim

import (
	"math"
	"math/bits"
	"unsafe"
)

// The network's fast path: an AVX-512 kernel (network_fast_amd64.s) that updates eight units at a
// time with Brian2's arithmetic, bit for bit the reference popStep.advance, which stays the code
// everywhere else (other CPUs, other architectures, the build tag purego, populations whose
// constants the kernel cannot take) and for the units the kernel hands back.
//
// The kernel does every operation of the reference, in the same order and unfused, except the
// divisions: a zmm division costs about 16 cycles per 8 lanes, so each quotient a/b is computed as
// −RN(a/b) = fma(r, −y, nq0), with y = RN(1/b), nq0 = a·(−y) and r = fma(nq0, b, a) (exact). That
// is the correctly rounded quotient when |b·y − 1| ≤ 2⁻⁵⁴ (divExactOK, checked per divisor: C_m and
// √τ_m; b in [2⁻⁶⁰, 2⁶⁰]) and 2⁻⁹⁶⁰ ≤ |a| ≤ 2⁹⁰⁰ or a = ±0: then |q0 − a/b| < 1 ulp, r is exact, the
// second FMA's error is below ulp·2⁻⁵⁴, and a/b is never closer than ulp/2⁵⁴ to a rounding
// midpoint. Smaller numerators (decayed currents) give quotients below 2⁻⁹⁰⁰ that may differ; a
// difference then stays below 2⁻⁷⁸⁰ through the few additions and the product with dt (≤ 2⁶⁰)
// that follow, and vanishes in the final v + dv, because the kernel hands back to the reference
// every group of 8 with a non-refractory |v| below 2⁻⁶⁰⁰; signed zeros vanish there the same way.
// Numerators stay below 2⁹⁰⁰ by an a priori bound that NewNetwork checks (fastBoundOK).
//
// The kernel also adds s_E and s_I to the sums in eight lanes (one vector addition per group, in
// the reference's order; see popSums), flags runaway units as the reference does, and skips synaptic pairs at subnormal fixed
// points (as the reference does with its synFix records; here each group of 8 has its own records,
// 384 bytes: the pairs' s and u and s/C_m).

// forceScalar makes the network run its scalar code (the reference update and the normals'
// scalar twin) even where the assembly is available, so that tests compare both in one process.
var forceScalar = false

// fastStep is what the kernel needs of a population besides its popStep: whether it may run it,
// whether with true divisions (div: a divisor fails divExactOK; netGroupsDiv, 3.1 ns per
// unit-step against 1.44 on the benchmark's populations, the reference 7.1), and the reciprocals
// of the divisors.
type fastStep struct {
	ok, div  bool
	rCm, rSq float64 // RN(1/C_m), RN(1/√τ_m)
}

func newFastStep(c *popStep, boundOK bool) fastStep {
	return fastStep{
		ok:  boundOK && math.Abs(c.dt) <= 0x1p60 && c.cm >= 0x1p-60 && c.sqrtTauM >= 0x1p-60,
		div: !divExactOK(c.cm) || c.sigma != 0 && !divExactOK(c.sqrtTauM),
		rCm: 1 / c.cm, rSq: 1 / c.sqrtTauM,
	}
}

// divExactOK reports whether, for divisor b, the kernel's three-operation division returns
// RN(a/b) for every numerator with 2⁻⁹⁶⁰ ≤ |a| ≤ 2⁹⁰⁰ and for a = ±0: a sufficient condition is
// |b·RN(1/b) − 1| ≤ 2⁻⁵⁴ (with b in [2⁻⁶⁰, 2⁶⁰]). The reference values pass: C_m = 200 pF and
// 100 pF at 0.656·2⁻⁵⁴, √τ_m = √0.02 at 0.483·2⁻⁵⁴ and √0.01 = 0.1 at exactly 2⁻⁵⁴.
func divExactOK(b float64) bool {
	if !(b >= 0x1p-60 && b <= 0x1p60) {
		return false
	}
	e := math.FMA(b, 1/b, -1) // b·y − 1, exact to 2⁻¹⁰⁶
	return math.Abs(e) <= 0x1p-54
}

// fastBoundOK reports whether every numerator of the kernel's divisions stays below 2⁹⁰⁰ in
// magnitude in every run of nw, by a priori bounds: the synaptic pairs decay (the decay factors
// are in [0, 1]) and receive at most, per step, every synapse of every pathway and the kick; the
// adaptation current at most one jump per step; |v| ≤ max(RunawayVolt, |v_reset|, |E_L|) before
// the step that would report it; |ξ| < 16 (the ziggurat's largest draw is below 15).
func fastBoundOK(nw *Network) bool {
	const limit = 0x1p880 // leaves room for the products below
	steps := float64(nw.steps + 1)
	in := math.Abs(nw.cfg.KickAmp)
	for p := EE; p <= II; p++ {
		o := &nw.out[p]
		m := math.Abs(o.uniform)
		for _, x := range o.inc {
			m = max(m, math.Abs(x))
		}
		in += float64(o.n) * m
	}
	if !(steps*in < limit) {
		return false
	}
	for _, c := range []*popStep{&nw.exc, &nw.inh} {
		for _, a := range []float64{c.aSE, c.aSI, -c.aUE, -c.aUI, -c.aAdapt} {
			if !(a >= 0 && a <= 1) {
				return false
			}
		}
		v := max(RunawayVolt, math.Abs(c.vReset), math.Abs(c.initialV))
		if !(steps*math.Abs(c.adaptJump) < limit && c.gL*v < limit && math.Abs(c.sigma)*c.sqrtDt*16 < limit) {
			return false
		}
	}
	return true
}

// netConst is the kernel's constant block (offsets in network_fast_amd64.s).
type netConst struct {
	a3, a4, a5, a6, a7, cm, ncm, ycm, nycm, sq, nysq, gl, el, dt, sqdt, sigma, thr, vres, jump, tiny float64
	abs                                                                                              uint64
	ref, flags                                                                                       int64
	run                                                                                              float64
	accE, accI                                                                                       [8]float64
	bad                                                                                              uint64
	end                                                                                              int64  // set by the kernel
	frozen                                                                                           uint64 // out: a pair is at a fixed point
}

// Flags of netConst.flags.
const (
	fastIA     = 1  // i_adapt is updated and its /C_m term added
	fastNoise  = 2  // the noise term is added
	fastKicked = 4  // the groups have s_Ext, u_Ext
	fastAcc    = 8  // add s_E and s_I to the sums
	fastCheck  = 16 // use and look for fixed points of the synaptic pairs
)

// fastRecWords is the size of a group's fixed-point records: 8 lanes × (s_E, u_E, s_E/C_m, s_I,
// u_I, s_I/C_m).
const fastRecWords = 48

// fastPop is the kernel's working state for one population in a NetworkScratch.
type fastPop struct {
	c       netConst
	mbuf    []uint16  // per group: its spike mask, or 0x100 if the reference must do it
	rec     []float64 // per group: fixed-point records; zero is the fixed point (0, 0)
	checkIn int       // steps until the next fixed-point check
	frozen  bool
}

// reset sizes f for n units and clears its records.
func (f *fastPop) reset(n int) {
	grow(&f.mbuf, n/8)
	grow(&f.rec, n/8*fastRecWords)
	clear(f.rec)
	f.checkIn = 0
}

// advanceFast is advance for a whole population p (its first nKick units kicked, with s_Ext and
// u_Ext of capacity rounded up to 8 and zero beyond nKick), on the kernel where it can: groups of
// 8 units, the kicked ones first; the last N mod 8 units, and any group with a non-refractory
// |v| < 2⁻⁶⁰⁰, go to the reference. Spikes, sums and the runaway flag are advance's, bit for bit.
// The fixed-point check runs in every step while the population has a pair at a fixed point, and
// otherwise every fixCheckEvery steps.
func (c *popStep) advanceFast(fs *fastStep, f *fastPop, p popView, nKick int, n int64, base int32, z []float64,
	spikes []int32, acc *popSums) ([]int32, bool) {
	N := len(p.v)
	n8 := N &^ 7
	k8 := min((nKick+7)&^7, n8)
	check := f.checkIn == 0
	f.frozen = false
	var bad, b bool
	spikes, bad = c.groupsFast(fs, f, p, nKick, 0, k8, n, base, z, spikes, acc, check)
	spikes, b = c.groupsFast(fs, f, p, nKick, k8, n8, n, base, z, spikes, acc, check)
	bad = bad || b
	spikes, b = c.reference(p, nKick, n8, N, n, base, z, spikes, acc)
	switch {
	case !check:
		f.checkIn--
	case !f.frozen:
		f.checkIn = fixCheckEvery - 1
	}
	return spikes, bad || b
}

// reference runs advance (without the fixed-point check) on units [lo, hi) of p, of which those
// below nKick are kicked; acc nil: do not add to the sums.
func (c *popStep) reference(p popView, nKick, lo, hi int, n int64, base int32, z []float64, spikes []int32, acc *popSums) ([]int32, bool) {
	if lo >= hi {
		return spikes, false
	}
	var none popSums
	if acc == nil {
		acc = &none
	}
	bad := false
	for _, r := range [2][2]int{{lo, min(hi, max(lo, nKick))}, {max(lo, nKick), hi}} {
		a, b := r[0], r[1]
		if a >= b {
			continue
		}
		v := popView{v: p.v[a:b], ia: p.ia[a:b], sE: p.sE[a:b], uE: p.uE[a:b], sI: p.sI[a:b], uI: p.uI[a:b], last: p.last[a:b],
			fixE: p.fixE[a:b], fixI: p.fixI[a:b]}
		if a < nKick {
			v.sExt, v.uExt = p.sExt[a:b], p.uExt[a:b]
		}
		var zz []float64
		if z != nil {
			zz = z[a:b]
		}
		var x bool
		spikes, x, _ = c.advance(v, n, base+int32(a), zz, spikes, acc, false)
		bad = bad || x
	}
	return spikes, bad
}

// groupsFast runs the kernel on units [lo, hi) of p (a multiple of 8 units; kicked if below k8).
func (c *popStep) groupsFast(fs *fastStep, f *fastPop, p popView, nKick, lo, hi int, n int64, base int32, z []float64,
	spikes []int32, acc *popSums, check bool) ([]int32, bool) {
	g := (hi - lo) / 8
	if g <= 0 {
		return spikes, false
	}
	k := &f.c
	*k = netConst{c.aAdapt, c.aSE, c.aSI, c.aUE, c.aUI, c.cm, -c.cm, fs.rCm, -fs.rCm, c.sqrtTauM, -fs.rSq, c.gL, c.eLgLOverCm,
		c.dt, c.sqrtDt, c.sigma, c.vThresh, c.vReset, c.adaptJump, 0x1p-600, math.MaxInt64, c.refSteps, fastAcc,
		RunawayVolt, acc.sE, acc.sI, 0, 0, 0}
	if c.adapt {
		k.flags |= fastIA
	}
	if check {
		k.flags |= fastCheck
	}
	var zp *float64
	if z != nil {
		k.flags |= fastNoise
		zp = &z[lo:hi][0]
	}
	var sx, ux *float64
	kicked := lo < nKick
	if kicked {
		k.flags |= fastKicked
		sx, ux = &p.sExt[:hi][lo], &p.uExt[:hi][lo] // within capacity: the zero padding
	}
	mb := f.mbuf[lo/8 : hi/8]
	rec := f.rec[lo/8*fastRecWords : hi/8*fastRecWords]
	v, ia, sE, uE, sI, uI, last := p.v[lo:hi], p.ia[lo:hi], p.sE[lo:hi], p.uE[lo:hi], p.sI[lo:hi], p.uI[lo:hi], p.last[lo:hi]
	const full = fastAcc | fastIA | fastNoise
	switch {
	case fs.div:
		netGroupsDiv(k, n, g, &v[0], &ia[0], &sE[0], &uE[0], &sI[0], &uI[0], &last[0], zp, sx, ux, &mb[0], &rec[0])
	case k.flags&full == full:
		netGroupsFull(k, n, g, &v[0], &ia[0], &sE[0], &uE[0], &sI[0], &uI[0], &last[0], zp, sx, ux, &mb[0], &rec[0])
	case k.flags&full == fastAcc|fastNoise:
		netGroupsNoIA(k, n, g, &v[0], &ia[0], &sE[0], &uE[0], &sI[0], &uI[0], &last[0], zp, sx, ux, &mb[0], &rec[0])
	default:
		netGroups(k, n, g, &v[0], &ia[0], &sE[0], &uE[0], &sI[0], &uI[0], &last[0], zp, sx, ux, &mb[0], &rec[0])
	}
	acc.sE, acc.sI = k.accE, k.accI
	f.frozen = f.frozen || k.frozen != 0
	bad := k.bad != 0
	for q := 0; q < len(mb); q++ {
		if q&3 == 0 && q+4 <= len(mb) && *(*uint64)(unsafe.Pointer(&mb[q])) == 0 {
			// Four groups without a spike or a failed guard, the common case, in one load. (This
			// runs only on amd64, where the load may be unaligned.)
			q += 3
			continue
		}
		m := mb[q]
		if m == 0 {
			continue
		}
		i := lo + 8*q
		if m&0x100 != 0 {
			// The guard failed: the reference (the kernel has added the group's sums).
			var b bool
			spikes, b = c.reference(p, nKick, i, i+8, n, base, z, spikes, nil)
			bad = bad || b
			continue
		}
		for b := uint(m); b != 0; b &= b - 1 {
			spikes = append(spikes, base+int32(i+bits.TrailingZeros(b)))
		}
	}
	return spikes, bad
}
