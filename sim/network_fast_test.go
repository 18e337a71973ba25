package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// runBothPaths runs nw with seed on the default path (the AVX-512 kernel and normals where
// available) and with forceScalar (the reference update and the normals' scalar twin, as on a
// machine without AVX-512 or with -tags purego), and requires the same result: every spike, every
// unit's final state bit for bit, the mean currents, the steps run and the error.
func runBothPaths(t *testing.T, nw *Network, seed uint64) (NetworkResult, error) {
	t.Helper()
	var s [2]NetworkScratch
	var r [2]NetworkResult
	var err [2]error
	for k, force := range []bool{false, true} {
		forceScalar = force
		err[k] = nw.Run(seed, &s[k], &r[k])
		forceScalar = false
	}
	if fmt.Sprint(err[0]) != fmt.Sprint(err[1]) {
		t.Fatalf("seed %d: error %v on the default path, %v on the scalar one", seed, err[0], err[1])
	}
	a, b := r[0], r[1]
	if !slices.Equal(a.SpikeSteps, b.SpikeSteps) || !slices.Equal(a.SpikeUnits, b.SpikeUnits) {
		k := 0
		for k < min(len(a.SpikeSteps), len(b.SpikeSteps)) && a.SpikeSteps[k] == b.SpikeSteps[k] && a.SpikeUnits[k] == b.SpikeUnits[k] {
			k++
		}
		t.Fatalf("seed %d: %d spikes on the default path, %d on the scalar one; first difference at spike %d", seed,
			len(a.SpikeSteps), len(b.SpikeSteps), k)
	}
	if a.StepsRun != b.StepsRun || [4]float64{a.MeanSEOntoE, a.MeanSIOntoE, a.MeanSEOntoI, a.MeanSIOntoI} !=
		[4]float64{b.MeanSEOntoE, b.MeanSIOntoE, b.MeanSEOntoI, b.MeanSIOntoI} {
		t.Fatalf("seed %d: steps %d, means %v on the default path; %d, %v on the scalar one", seed, a.StepsRun,
			[4]float64{a.MeanSEOntoE, a.MeanSIOntoE, a.MeanSEOntoI, a.MeanSIOntoI}, b.StepsRun,
			[4]float64{b.MeanSEOntoE, b.MeanSIOntoE, b.MeanSEOntoI, b.MeanSIOntoI})
	}
	nExc, nInh := nw.Sizes()
	for i := range nExc + nInh {
		if x, y := s[0].Unit(i), s[1].Unit(i); !sameState(x, y) {
			t.Fatalf("seed %d: unit %d's final state\n default %+v\n  scalar %+v", seed, i, x, y)
		}
	}
	return a, err[0]
}

// TestNetworkFastMatchesScalar holds the default path (the AVX-512 update and normals) to the
// scalar one (the reference update, popStep.advance, and the normals' scalar twin), forced in the
// same process, over full runs with noise and without, in networks that exercise the kernel's
// cases: kicked groups and the group that straddles the kicked units, N and n_E not multiples of
// 8, adapting I units, per-synapse weights, refractory periods, silences long enough for subnormal
// fixed points, strong noise, a runaway.
func TestNetworkFastMatchesScalar(t *testing.T) {
	t.Logf("AVX-512: %v", haveAVX512)
	waved := func(c *Connectivity, _ NetworkConfig) { waveDelays(c) }
	cases := []struct {
		name  string
		cfg   func() NetworkConfig
		conn  func(*Connectivity, NetworkConfig)
		seeds int
	}{
		{"N 2000, p 0.25, the benchmark's network", func() NetworkConfig { return seedNetworkConfig(2000, 0.25) }, nil, 2},
		{"N 2000, no noise", func() NetworkConfig {
			c := seedNetworkConfig(2000, 0.25)
			c.NoiseSigmaVolt = 0
			return c
		}, nil, 1},
		{"N 1003, 7 % kicked, adapting I units, strong noise", func() NetworkConfig {
			c := seedNetworkConfig(1003, 0.3)
			c.DurationSec = 0.8
			c.KickFraction = 0.07
			c.Inh.BetaAdaptAmpSec = 1 * nA * ms
			c.NoiseSigmaVolt = 4 * mV
			return c
		}, nil, 2},
		{"N 205, per-synapse weights, no noise, strong recurrence", func() NetworkConfig {
			c := seedNetworkConfig(205, 0.5)
			c.DurationSec = 1
			c.NoiseSigmaVolt = 0
			c.W.EEAmp *= 1.6
			return c
		}, func(c *Connectivity, cfg NetworkConfig) {
			for p := EE; p <= II; p++ {
				w := make([]float64, len(c.Pre[p]))
				for k := range w {
					w[k] = cfg.W.weight(p) * (1 + 0.5*math.Sin(float64(7*k+int(p))))
				}
				c.WeightAmp[p] = w
			}
		}, 1},
		{"waves: subnormal fixed points", waves, waved, 1},
		{"waves with noise", func() NetworkConfig {
			c := waves()
			c.NoiseSigmaVolt = 0.5 * mV
			return c
		}, waved, 1},
		{"all E units kicked, N 101", func() NetworkConfig {
			c := seedNetworkConfig(101, 0.5)
			c.DurationSec = 0.5
			c.KickFraction = 0.8
			return c
		}, nil, 2},
		{"C_m and τ_m that fail divExactOK: true divisions", func() NetworkConfig {
			c := seedNetworkConfig(400, 0.4)
			c.DurationSec = 0.6
			for k := 1; ; k++ { // the first small change of C_m (E) and g_L (I) that fails
				f := 1 + float64(k)/1000
				e, i := c.Exc, c.Inh
				e.CmFarad *= f
				i.GLeakSiemens *= f
				if !divExactOK(e.CmFarad) && !divExactOK(math.Sqrt(i.CmFarad/i.GLeakSiemens)) {
					c.Exc, c.Inh = e, i
					return c
				}
			}
		}, nil, 1},
		{"runaway", func() NetworkConfig {
			c := seedNetworkConfig(300, 0.5)
			c.DurationSec = 0.5
			c.Exc.VThreshVolt = 5 // the kicked units climb past RunawayVolt
			c.KickAmp = 2000 * nA
			return c
		}, nil, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg()
			conn := mustConnectivity(t, cfg, 3)
			if tc.conn != nil {
				tc.conn(conn, cfg)
			}
			nw := mustNetwork(t, cfg, conn)
			if haveAVX512 && (!nw.fexc.ok || !nw.finh.ok) {
				t.Fatalf("the kernel cannot take this network (E %v, I %v): the test would not test it", nw.fexc.ok, nw.finh.ok)
			}
			if div := strings.HasPrefix(tc.name, "C_m"); nw.fexc.div != div || nw.finh.div != div {
				t.Fatalf("true divisions E %v, I %v, want %v", nw.fexc.div, nw.finh.div, div)
			}
			for seed := range uint64(tc.seeds) {
				r, err := runBothPaths(t, nw, seed+1)
				if tc.name == "runaway" {
					if !errors.Is(err, ErrNumerical) {
						t.Fatalf("want a runaway, got %v after %d steps", err, r.StepsRun)
					}
				} else if err != nil {
					t.Fatal(err)
				}
				if len(r.SpikeSteps) < 50 && tc.name != "runaway" {
					t.Fatalf("only %d spikes: the case does not test much", len(r.SpikeSteps))
				}
				t.Logf("seed %d: %d spikes, %d steps, identical (%v)", seed+1, len(r.SpikeSteps), r.StepsRun, err)
			}
		})
	}
}

// fastHarness is one population on both paths: the reference advance (without the fixed-point
// check) and advanceFast, from the same state.
type fastHarness struct {
	c     popStep
	fs    fastStep
	f     fastPop
	p, q  popView // reference, fast
	nKick int
}

func newFastHarness(u Unit, syn Synapses, dt, sigma float64, n, nKick int) *fastHarness {
	h := &fastHarness{c: newPopStep(u, syn, dt, sigma), nKick: nKick}
	h.fs = newFastStep(&h.c, true)
	mk := func() popView {
		k8 := (nKick + 7) &^ 7
		p := popView{v: make([]float64, n), ia: make([]float64, n), sE: make([]float64, n), uE: make([]float64, n),
			sI: make([]float64, n), uI: make([]float64, n), last: make([]int64, n), fixE: make([]synFix, n), fixI: make([]synFix, n),
			sExt: make([]float64, k8)[:nKick], uExt: make([]float64, k8)[:nKick]}
		for i := range p.last {
			p.last[i] = NeverSpiked
		}
		return p
	}
	h.p, h.q = mk(), mk()
	h.f.reset(n)
	return h
}

// sync copies the reference's state to the fast one.
func (h *fastHarness) sync() {
	for _, a := range [][2][]float64{{h.p.v, h.q.v}, {h.p.ia, h.q.ia}, {h.p.sE, h.q.sE}, {h.p.uE, h.q.uE}, {h.p.sI, h.q.sI},
		{h.p.uI, h.q.uI}, {h.p.sExt, h.q.sExt}, {h.p.uExt, h.q.uExt}} {
		copy(a[1], a[0])
	}
	copy(h.q.last, h.p.last)
}

// step runs step n on both and compares spikes, flags, sums and state; NaNs compare equal to NaNs
// (their payloads may differ).
func (h *fastHarness) step(t *testing.T, n int64, z []float64, accP, accQ *popSums, what string) (spiked, bad bool) {
	t.Helper()
	var zp []float64
	if z != nil {
		zp = z
	}
	sp, bp := h.c.reference(h.p, h.nKick, 0, len(h.p.v), n, 0, zp, nil, accP)
	sq, bq := h.c.advanceFast(&h.fs, &h.f, h.q, h.nKick, n, 0, zp, nil, accQ)
	if bp != bq || !slices.Equal(sp, sq) {
		t.Fatalf("%s, step %d: spikes %v, runaway %v (reference); %v, %v (fast)", what, n, sp, bp, sq, bq)
	}
	same := func(x, y float64) bool {
		return math.Float64bits(x) == math.Float64bits(y) || math.IsNaN(x) && math.IsNaN(y)
	}
	sameLanes := func(x, y [8]float64) bool {
		for l := range x {
			if !same(x[l], y[l]) {
				return false
			}
		}
		return true
	}
	if !sameLanes(accP.sE, accQ.sE) || !sameLanes(accP.sI, accQ.sI) {
		t.Fatalf("%s, step %d: sums %v (reference), %v (fast)", what, n, *accP, *accQ)
	}
	for i := range h.p.v {
		for k, a := range [][2][]float64{{h.p.v, h.q.v}, {h.p.ia, h.q.ia}, {h.p.sE, h.q.sE}, {h.p.uE, h.q.uE}, {h.p.sI, h.q.sI},
			{h.p.uI, h.q.uI}} {
			if !same(a[0][i], a[1][i]) {
				t.Fatalf("%s, step %d, unit %d: variable %d is %v (reference), %v (fast)", what, n, i, k, a[0][i], a[1][i])
			}
		}
		if i < h.nKick && (!same(h.p.sExt[i], h.q.sExt[i]) || !same(h.p.uExt[i], h.q.uExt[i])) {
			t.Fatalf("%s, step %d, unit %d: s_Ext, u_Ext %v %v (reference), %v %v (fast)", what, n, i, h.p.sExt[i], h.p.uExt[i],
				h.q.sExt[i], h.q.uExt[i])
		}
		if h.p.last[i] != h.q.last[i] {
			t.Fatalf("%s, step %d, unit %d: lastspike %d (reference), %d (fast)", what, n, i, h.p.last[i], h.q.last[i])
		}
	}
	return len(sp) > 0, bp
}

// TestFastKernelEdgeCases: random small populations (N 1 … 70, any number kicked) whose state
// holds ±0, subnormal numbers, 2⁻¹⁰⁰⁰, 1e-300 and physical values, some refractory, with E_L =
// v_reset = 0 in some (the kernel's guard hands such groups to the reference), adapting or not,
// with noise or without, v beyond the runaway bound in some; compared after every step.
func TestFastKernelEdgeCases(t *testing.T) {
	if !haveAVX512 {
		t.Skip("no AVX-512: advanceFast is not used")
	}
	cfg := seedNetworkConfig(100, 0.5)
	r := rand.New(rand.NewPCG(3, 4))
	special := []float64{0, math.Copysign(0, -1), 5e-324, -5e-324, 0x1p-1000, -0x1p-990, 0x1p-962, 0x1p-700, 1e-300, 0x1p-1022}
	pick := func(scale float64) float64 {
		if r.IntN(4) == 0 {
			return special[r.IntN(len(special))]
		}
		return (r.Float64()*2 - 0.5) * scale
	}
	runaways, divTrials := 0, 0
	for trial := range 60 {
		u := cfg.Exc
		if trial%2 == 1 {
			u = cfg.Inh
			if trial%4 == 1 {
				u.BetaAdaptAmpSec = 1 * nA * ms
			}
		}
		if trial%3 == 0 {
			u.ELeakVolt, u.VResetVolt = 0, 0
		}
		if trial%8 == 3 {
			u.CmFarad *= failingFactor(u.CmFarad) // true divisions
		}
		sigma := 2.5 * mV
		if trial%5 == 0 {
			sigma = 0
		}
		n := 1 + r.IntN(70)
		h := newFastHarness(u, cfg.Syn, cfg.DtSec, sigma, n, r.IntN(n+1))
		if h.fs.div {
			divTrials++
		}
		p := h.p
		scaleV := 0.02
		if trial%7 == 2 {
			scaleV = 3 // some beyond −RunawayVolt
		}
		for i := range n {
			p.v[i] = pick(scaleV)
			if h.c.adapt {
				p.ia[i] = pick(1e-11)
			}
			p.sE[i], p.uE[i], p.sI[i], p.uI[i] = pick(3e-10), pick(3e-10), pick(3e-10), pick(3e-10)
			if r.IntN(3) == 0 {
				p.last[i] = -1 - int64(r.IntN(40)) // refractory at the start
			}
		}
		for i := range h.nKick {
			p.sExt[i], p.uExt[i] = pick(3e-10), pick(3e-10)
		}
		h.sync()
		var accP, accQ popSums
		var z []float64
		if sigma != 0 {
			z = make([]float64, n)
		}
		for step := range int64(300) {
			for i := range z {
				z[i] = pick(3)
			}
			if _, bad := h.step(t, step, z, &accP, &accQ, fmt.Sprintf("trial %d (N %d, %d kicked)", trial, n, h.nKick)); bad {
				runaways++
			}
		}
	}
	if runaways == 0 || divTrials == 0 {
		t.Fatalf("%d runaway flags, %d trials with true divisions: the test does not cover them", runaways, divTrials)
	}
	t.Logf("%d steps with a runaway flag, %d trials with true divisions, identical", runaways, divTrials)
}

// failingFactor returns the first 1 + k/1000 that makes x·(1 + k/1000) fail divExactOK.
func failingFactor(x float64) float64 {
	for k := 1; ; k++ {
		if f := 1 + float64(k)/1000; !divExactOK(x * f) {
			return f
		}
	}
}

// TestFastKernelFixedPoints: synaptic pairs at 0, at subnormal fixed points, on their way there
// and at physical values, with inputs between steps that move them off their fixed points: the
// kernel, which skips groups whose pairs all sit at recorded fixed points, equals the reference.
func TestFastKernelFixedPoints(t *testing.T) {
	if !haveAVX512 {
		t.Skip("no AVX-512: advanceFast is not used")
	}
	cfg := seedNetworkConfig(100, 0.5)
	r := rand.New(rand.NewPCG(8, 9))
	frozenSteps := 0
	for trial := range 30 {
		u := cfg.Exc
		if trial%2 == 1 {
			u = cfg.Inh
		}
		sigma := 2.5 * mV
		if trial%3 == 0 {
			sigma = 0
		}
		n := 8 + r.IntN(90)
		h := newFastHarness(u, cfg.Syn, cfg.DtSec, sigma, n, r.IntN(n/2+1))
		c := &h.c
		fixed := func(s, u, as, au float64) (float64, float64) {
			for range 100000 {
				s1, u1 := float64(as*(u-s))+s, float64(au*u)+u
				if math.Float64bits(s1) == math.Float64bits(s) && math.Float64bits(u1) == math.Float64bits(u) {
					return s, u
				}
				s, u = s1, u1
			}
			panic("no fixed point")
		}
		pair := func(as, au float64) (float64, float64) {
			switch r.IntN(5) {
			case 0:
				return 0, 0
			case 1, 2:
				return fixed(1e-300*r.Float64(), 1e-300*r.Float64(), as, au)
			case 3:
				return 1e-310 * r.Float64(), 1e-309 * r.Float64()
			}
			return 1e-10 * r.Float64(), 1e-10 * r.Float64()
		}
		p := h.p
		for i := range n {
			p.v[i] = u.VResetVolt + (u.VThreshVolt-u.VResetVolt)*r.Float64()
			p.sE[i], p.uE[i] = pair(c.aSE, c.aUE)
			p.sI[i], p.uI[i] = pair(c.aSI, c.aUI)
			if r.IntN(4) == 0 {
				p.last[i] = -1 - int64(r.IntN(20))
			}
		}
		h.sync()
		var accP, accQ popSums
		var z []float64
		if sigma != 0 {
			z = make([]float64, n)
		}
		for step := range int64(400) {
			for i := range z {
				z[i] = r.NormFloat64()
			}
			h.step(t, step, z, &accP, &accQ, fmt.Sprintf("trial %d", trial))
			if h.f.frozen {
				frozenSteps++
			}
			for i := range n {
				// (the products rounded explicitly: a compiler may fuse one addition and not the other)
				if r.IntN(40) == 0 {
					x := float64(1e-11 * r.Float64())
					h.p.uE[i] += x
					h.q.uE[i] += x
				}
				if r.IntN(60) == 0 {
					x := float64(1e-11 * r.Float64())
					h.p.uI[i] += x
					h.q.uI[i] += x
				}
			}
		}
	}
	if frozenSteps == 0 {
		t.Fatal("no step found a frozen pair: the test does not cover the records")
	}
	t.Logf("%d steps with frozen pairs, identical", frozenSteps)
}

// TestFastDivision checks the kernel's division condition on the seed's divisors and the
// three-operation division itself, in scalar FMA arithmetic, against a/b on random numerators
// over 2⁻⁹⁶⁰ … 2⁹⁰⁰.
func TestFastDivision(t *testing.T) {
	cfg := seedNetworkConfig(100, 0.5)
	r := rand.New(rand.NewPCG(5, 6))
	for _, u := range []Unit{cfg.Exc, cfg.Inh} {
		c := newPopStep(u, cfg.Syn, cfg.DtSec, 2.5*mV)
		for _, b := range []float64{c.cm, c.sqrtTauM} {
			if !divExactOK(b) {
				t.Fatalf("divisor %g fails the condition: the kernel would not run the seed's network", b)
			}
			y := 1 / b
			cnt := 2_000_000
			if testing.Short() {
				cnt = 200_000
			}
			for range cnt {
				a := math.Float64frombits(r.Uint64()&0x800fffffffffffff | uint64(1023-960+r.IntN(1860))<<52)
				nq0 := a * -y
				q := math.FMA(math.FMA(nq0, b, a), -y, nq0)
				if -q != a/b {
					t.Fatalf("b = %g, a = %g: %g, want %g", b, a, -q, a/b)
				}
			}
		}
	}
	if divExactOK(0) || divExactOK(math.Inf(1)) || divExactOK(math.NaN()) || !divExactOK(3) {
		t.Error("divExactOK accepts 0, +Inf or NaN, or rejects 3 (|b·RN(1/b) − 1| exactly 2⁻⁵⁴)")
	}
	fail := 0
	for k := range 1000 {
		b := 1 + float64(k)/1000
		if ok := math.Abs(math.FMA(b, 1/b, -1)) <= 0x1p-54; divExactOK(b) != ok {
			t.Fatalf("divExactOK(%v) = %v", b, !ok)
		} else if !ok {
			fail++
		}
	}
	t.Logf("%d of 1000 divisors in [1, 2) fail the condition (their populations use vdivpd)", fail)
}

// BenchmarkNetworkKernel is one step of the update of 1600 E units and 400 I units (the benchmark
// network's populations) with noise numbers given, on the AVX-512 kernel and on the reference.
func BenchmarkNetworkKernel(b *testing.B) {
	cfg := seedNetworkConfig(2000, 0.25)
	for _, fast := range []bool{true, false} {
		name := "reference"
		if fast {
			name = "avx512"
		}
		b.Run(name, func(b *testing.B) {
			if fast && !haveAVX512 {
				b.Skip("no AVX-512")
			}
			he := newFastHarness(cfg.Exc, cfg.Syn, cfg.DtSec, 2.5*mV, 1600, 100)
			hi := newFastHarness(cfg.Inh, cfg.Syn, cfg.DtSec, 2.5*mV, 400, 0)
			r := rand.New(rand.NewPCG(1, 2))
			z := make([]float64, 1600)
			for i := range z {
				z[i] = r.NormFloat64()
			}
			for _, h := range []*fastHarness{he, hi} {
				for i := range h.q.v {
					h.q.v[i] = 0.014 + 0.006*r.Float64()
					h.q.sE[i], h.q.uE[i], h.q.sI[i], h.q.uI[i] = 1e-10, 1e-10, 1e-10, 1e-10
				}
			}
			var acc popSums
			sp := make([]int32, 0, 1600)
			for n := range int64(b.N) {
				for _, h := range []*fastHarness{he, hi} {
					if fast {
						sp, _ = h.c.advanceFast(&h.fs, &h.f, h.q, h.nKick, n, 0, z[:len(h.q.v)], sp[:0], &acc)
					} else {
						sp, _ = h.c.reference(h.q, h.nKick, 0, len(h.q.v), n, 0, z[:len(h.q.v)], sp[:0], &acc)
					}
				}
				if n%1000 == 999 { // keep the currents physical
					for _, h := range []*fastHarness{he, hi} {
						for i := range h.q.uE {
							h.q.uE[i], h.q.uI[i] = 1e-10, 1e-10
						}
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2000, "ns/unit-step")
		})
	}
}

// TestNetworkNoisyGolden pins a hash of a noisy run (its connectivity from NewConnectivity, every
// spike, the final state and the mean currents), so that builds and machines are held to the same
// numbers: plain go test (AVX-512 where the CPU has it), -tags purego, GOAMD64=v3 and other
// architectures must all give this hash.
func TestNetworkNoisyGolden(t *testing.T) {
	cfg := seedNetworkConfig(500, 0.3)
	cfg.DurationSec = 0.5
	conn := mustConnectivity(t, cfg, 11)
	h := uint64(14695981039346656037)
	mix := func(x uint64) { h = (h ^ x) * 1099511628211 }
	for p := EE; p <= II; p++ {
		for k := range conn.Pre[p] {
			mix(uint64(conn.Pre[p][k])<<40 | uint64(conn.Post[p][k])<<16 | uint64(conn.DelaySteps[p][k]))
		}
	}
	nw := mustNetwork(t, cfg, conn)
	var s NetworkScratch
	var r NetworkResult
	if err := nw.Run(12, &s, &r); err != nil {
		t.Fatal(err)
	}
	for k := range r.SpikeSteps {
		mix(uint64(r.SpikeSteps[k])<<32 | uint64(r.SpikeUnits[k]))
	}
	for i := range cfg.NUnits {
		u := s.Unit(i)
		for _, x := range []float64{u.VVolt, u.IAdaptAmp, u.SEAmp, u.UEAmp, u.SIAmp, u.UIAmp, u.SExtAmp, u.UExtAmp} {
			mix(math.Float64bits(x))
		}
	}
	for _, x := range []float64{r.MeanSEOntoE, r.MeanSIOntoE, r.MeanSEOntoI, r.MeanSIOntoI} {
		mix(math.Float64bits(x))
	}
	t.Logf("AVX-512 %v: %d spikes, hash %#x", haveAVX512, len(r.SpikeSteps), h)
	if h != noisyGoldenHash {
		t.Errorf("hash %#x, want %#x", h, noisyGoldenHash)
	}
}

const noisyGoldenHash uint64 = 0x6f712ede4220602e
