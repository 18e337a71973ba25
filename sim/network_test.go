package sim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// seedNetworkConfig is the seed's training network (NETWORK.md): N units at connection
// probability p, the seed's units, synapses and weights with the network's own fan-in, 2.5 mV of
// noise, delays up to 1 ms (E) and 0.5 ms (I), 5 % of the units kicked with 0.98 nA at 100 ms, 1.5 s.
func seedNetworkConfig(nUnits int, p float64) NetworkConfig {
	c := seedConfig()
	nIncExc, nIncInh := FanIn(nUnits, p, 0.2)
	return NetworkConfig{
		DtSec: c.DtSec, DurationSec: 1.5, NUnits: nUnits, PropConnect: p, PropInh: 0.2,
		Exc: c.Exc, Inh: c.Inh, Syn: c.Syn,
		W: Weights{
			EEAmp: JercogWeight(2.8*nA, nIncExc, c.Exc.MembraneTauMs(), 1.0249649370098968),
			IEAmp: JercogWeight(5*nA, nIncExc, c.Inh.MembraneTauMs(), 0.9913780811668145),
			EIAmp: JercogWeight(0.7*nA, nIncInh, c.Exc.MembraneTauMs(), 0.9750494640455015),
			IIAmp: JercogWeight(1*nA, nIncInh, c.Inh.MembraneTauMs(), 1.0108023944074438),
		},
		NoiseSigmaVolt: 2.5 * mV, DelayMaxExcSec: 1 * ms, DelayMaxInhSec: 0.5 * ms,
		KickTimeSec: 100 * ms, KickFraction: 0.05, KickAmp: 0.98 * nA,
	}
}

func mustNetwork(t testing.TB, cfg NetworkConfig, conn *Connectivity) *Network {
	t.Helper()
	nw, err := NewNetwork(cfg, conn)
	if err != nil {
		t.Fatal(err)
	}
	return nw
}

func mustConnectivity(t testing.TB, cfg NetworkConfig, seed uint64) *Connectivity {
	t.Helper()
	c, err := NewConnectivity(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sameState(a, b NetworkUnitState) bool {
	eq := func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }
	return eq(a.VVolt, b.VVolt) && eq(a.IAdaptAmp, b.IAdaptAmp) && eq(a.SEAmp, b.SEAmp) && eq(a.UEAmp, b.UEAmp) &&
		eq(a.SIAmp, b.SIAmp) && eq(a.UIAmp, b.UIAmp) && eq(a.SExtAmp, b.SExtAmp) && eq(a.UExtAmp, b.UExtAmp) &&
		a.LastSpikeStep == b.LastSpikeStep
}

// TestNetworkMatchesPlain holds Run to runNetworkPlain, a literal implementation of Brian2's
// objects (full expressions, a spike queue per pathway), bit for bit: every spike and the final
// state of every unit, in networks that exercise each of Run's paths.
func TestNetworkMatchesPlain(t *testing.T) {
	small := func() NetworkConfig {
		c := seedNetworkConfig(120, 0.5)
		c.DurationSec = 0.4
		c.KickTimeSec = 20 * ms
		c.KickFraction = 0.1
		return c
	}
	withWeights := func(conn *Connectivity, cfg NetworkConfig, spread float64) {
		for p := EE; p <= II; p++ {
			w := make([]float64, len(conn.Pre[p]))
			for k := range w {
				// A deterministic spread of ±spread around the pathway's weight, differing per synapse.
				w[k] = cfg.W.weight(p) * (1 + spread*math.Sin(float64(7*k+int(p))))
			}
			conn.WeightAmp[p] = w
		}
	}
	cases := []struct {
		name string
		cfg  func() NetworkConfig
		conn func(*Connectivity, NetworkConfig)
	}{
		{"seed weights, noise", small, nil},
		{"no noise, strong recurrence", func() NetworkConfig {
			c := small()
			c.NoiseSigmaVolt = 0
			c.W.EEAmp *= 1.6
			return c
		}, nil},
		{"per-synapse weights, noise", small, func(c *Connectivity, cfg NetworkConfig) { withWeights(c, cfg, 0.5) }},
		{"per-synapse weights, no noise", func() NetworkConfig {
			c := small()
			c.NoiseSigmaVolt = 0
			c.W.EEAmp *= 1.6
			return c
		}, func(c *Connectivity, cfg NetworkConfig) { withWeights(c, cfg, 0.5) }},
		{"zero and long delays, adapting I units", func() NetworkConfig {
			c := small()
			c.Inh.BetaAdaptAmpSec = 1 * nA * ms
			return c
		}, func(c *Connectivity, _ NetworkConfig) {
			for p := range c.DelaySteps {
				for k := range c.DelaySteps[p] {
					c.DelaySteps[p][k] = int32(k % 13) // 0 … 12 steps
				}
			}
		}},
		{"silences long enough for subnormal fixed points", waves, func(c *Connectivity, _ NetworkConfig) { waveDelays(c) }},
		{"no kick, strong noise", func() NetworkConfig {
			c := small()
			c.KickFraction = 0
			c.NoiseSigmaVolt = 6 * mV
			return c
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg()
			conn := mustConnectivity(t, cfg, 7)
			if tc.conn != nil {
				tc.conn(conn, cfg)
			}
			nw := mustNetwork(t, cfg, conn)
			var s NetworkScratch
			var r NetworkResult
			for _, seed := range []uint64{1, 2} {
				if err := nw.Run(seed, &s, &r); err != nil {
					t.Fatal(err)
				}
				steps, units, final, means := runNetworkPlain(cfg, conn, seed)
				if len(steps) < 100 {
					t.Fatalf("seed %d: only %d spikes: the case does not test much", seed, len(steps))
				}
				if !slices.Equal(r.SpikeSteps, steps) || !slices.Equal(r.SpikeUnits, units) {
					k := 0
					for k < min(len(steps), len(r.SpikeSteps)) && steps[k] == r.SpikeSteps[k] && units[k] == r.SpikeUnits[k] {
						k++
					}
					t.Fatalf("seed %d: %d spikes, plain %d; first difference at spike %d", seed, len(r.SpikeSteps), len(steps), k)
				}
				if got := [4]float64{r.MeanSEOntoE, r.MeanSIOntoE, r.MeanSEOntoI, r.MeanSIOntoI}; got != means {
					t.Errorf("seed %d: mean currents %v A, plain %v A", seed, got, means)
				}
				for i, want := range final {
					if got := s.Unit(i); !sameState(got, want) {
						t.Fatalf("seed %d: unit %d final state\n got %+v\nwant %+v", seed, i, got, want)
					}
				}
				t.Logf("seed %d: %d spikes", seed, len(steps))
			}
		})
	}
}

// waves is a network in which activity comes in waves 0.75 s apart (every delay is 1500 steps of
// 0.5 ms, see waveDelays), so that between waves the synaptic pairs decay, within 0.5 s (τ_I of
// 1 ms is two steps), to subnormal fixed points, and the next wave's inputs leave them again.
func waves() NetworkConfig {
	c := seedNetworkConfig(120, 0.5)
	c.DtSec, c.DurationSec = 0.5*ms, 2.5
	c.NoiseSigmaVolt = 0
	c.KickTimeSec, c.KickFraction, c.KickAmp = 20*ms, 0.1, 5*nA
	c.W.EEAmp *= 3
	c.W.IEAmp *= 3
	return c
}

func waveDelays(c *Connectivity) {
	for p := range c.DelaySteps {
		for k := range c.DelaySteps[p] {
			c.DelaySteps[p][k] = 1500
		}
	}
}

// TestNetworkSubnormalFixedPoints: in waves(), just before the fourth wave some units' s_I and
// u_I are subnormal numbers that a step leaves unchanged (after inputs in the second and third
// waves), and there, where Run skips them, the state of every unit is runNetworkPlain's.
func TestNetworkSubnormalFixedPoints(t *testing.T) {
	cfg := waves()
	cfg.DurationSec = 2.26
	conn := mustConnectivity(t, cfg, 7)
	waveDelays(conn)
	var s NetworkScratch
	var r NetworkResult
	if err := mustNetwork(t, cfg, conn).Run(1, &s, &r); err != nil {
		t.Fatal(err)
	}
	_, _, final, _ := runNetworkPlain(cfg, conn, 1)
	for i, want := range final {
		if got := s.Unit(i); !sameState(got, want) {
			t.Fatalf("unit %d state after %g s\n got %+v\nwant %+v", i, cfg.DurationSec, got, want)
		}
	}
	frozen := 0
	for i := range cfg.NUnits {
		u := s.Unit(i)
		if u.SIAmp > 0 && u.SIAmp < 0x1p-1022 && u.UIAmp > 0 && u.UIAmp < 0x1p-1022 {
			frozen++
		}
	}
	waves := map[int64]bool{}
	for _, st := range r.SpikeSteps {
		waves[st/1500] = true
	}
	if frozen < 10 || len(waves) < 3 {
		t.Errorf("%d units with subnormal s_I and u_I, spikes in %d waves: want at least 10 and 3", frozen, len(waves))
	}
}

// TestNetworkDelivery follows one spike: unit 0 is kicked hard enough to spike at once, its only
// synapse reaches unit 1 with a delay of d steps, and u_E of unit 1 must become w/τ_rise[ms] in
// the synapses slot of step (spike step + d), not before.
func TestNetworkDelivery(t *testing.T) {
	cfg := seedNetworkConfig(10, 0.5)
	cfg.NoiseSigmaVolt = 0
	cfg.KickFraction = 0.1 // unit 0
	cfg.KickAmp = 50 * nA
	cfg.KickTimeSec = 1 * ms
	for _, d := range []int32{0, 1, 4} {
		conn := &Connectivity{NExc: 8, NInh: 2, DtSec: cfg.DtSec}
		conn.Pre[EE], conn.Post[EE], conn.DelaySteps[EE] = []int32{0}, []int32{1}, []int32{d}
		nw := mustNetwork(t, cfg, conn)
		if nw.KickStep() != 10 {
			t.Fatalf("kick at step %d, want 10 (int((1 ms + 10⁻³·dt)/dt))", nw.KickStep())
		}
		var s NetworkScratch
		var r NetworkResult
		cfg.DurationSec = 0.02
		if err := mustNetwork(t, cfg, conn).Run(1, &s, &r); err != nil {
			t.Fatal(err)
		}
		if len(r.SpikeSteps) == 0 || r.SpikeUnits[0] != 0 {
			t.Fatalf("delay %d: spikes %v %v, want unit 0 to spike", d, r.SpikeSteps, r.SpikeUnits)
		}
		spike := r.SpikeSteps[0]
		want := float64(1.0/(cfg.Syn.TauRiseESec/1e-3)) * cfg.W.EEAmp
		for _, steps := range []int64{spike + int64(d), spike + int64(d) + 1} {
			c := cfg
			c.DurationSec = float64(steps) * c.DtSec
			if StepCount(c.DurationSec, c.DtSec) != steps {
				t.Fatalf("duration %g s is not %d steps", c.DurationSec, steps)
			}
			if err := mustNetwork(t, c, conn).Run(1, &s, &r); err != nil {
				t.Fatal(err)
			}
			got := s.Unit(1).UEAmp
			delivered := steps == spike+int64(d)+1 // steps 0 … spike+d have run
			if delivered && got != want || !delivered && got != 0 {
				t.Errorf("delay %d, after %d steps (spike at step %d): u_E of unit 1 = %g A, want %g A", d, steps, spike, got, map[bool]float64{true: want, false: 0}[delivered])
			}
		}
	}
}

// TestNetworkKick: the kick lands in step Timestep(t_kick): right after it u_Ext of every kicked
// unit is KickAmp exactly and s_Ext still 0; other units never see it.
func TestNetworkKick(t *testing.T) {
	cfg := seedNetworkConfig(200, 0.5)
	cfg.NoiseSigmaVolt = 0
	nw := mustNetwork(t, cfg, mustConnectivity(t, cfg, 1))
	if nw.KickedUnits() != 10 || nw.KickStep() != 1000 {
		t.Fatalf("%d kicked units at step %d, want 10 at step 1000", nw.KickedUnits(), nw.KickStep())
	}
	var s NetworkScratch
	var r NetworkResult
	for _, steps := range []int64{1000, 1001} {
		c := cfg
		c.DurationSec = float64(steps) * c.DtSec
		if err := mustNetwork(t, c, mustConnectivity(t, c, 1)).Run(1, &s, &r); err != nil {
			t.Fatal(err)
		}
		for i := range 12 {
			u := s.Unit(i)
			wantU := 0.0
			if i < 10 && steps == 1001 {
				wantU = cfg.KickAmp
			}
			if u.UExtAmp != wantU || u.SExtAmp != 0 {
				t.Errorf("after %d steps: unit %d u_Ext %g A, s_Ext %g A, want %g and 0", steps, i, u.UExtAmp, u.SExtAmp, wantU)
			}
		}
	}
}

// TestNetworkDeterministicAndConcurrent: the same seed gives the same trial, from one Network used
// by several goroutines at once; another seed gives another trial.
func TestNetworkDeterministicAndConcurrent(t *testing.T) {
	cfg := seedNetworkConfig(200, 0.5)
	cfg.DurationSec = 0.5
	nw := mustNetwork(t, cfg, mustConnectivity(t, cfg, 3))
	var ref NetworkResult
	var s NetworkScratch
	if err := nw.Run(5, &s, &ref); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s NetworkScratch
			var r NetworkResult
			for range 2 {
				if err := nw.Run(5, &s, &r); err != nil {
					errs <- err
					return
				}
				if !slices.Equal(r.SpikeSteps, ref.SpikeSteps) || !slices.Equal(r.SpikeUnits, ref.SpikeUnits) || r.MeanSEOntoE != ref.MeanSEOntoE {
					errs <- fmt.Errorf("goroutine %d: %d spikes, want the first run's %d", g, len(r.SpikeSteps), len(ref.SpikeSteps))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var other NetworkResult
	if err := nw.Run(6, &s, &other); err != nil {
		t.Fatal(err)
	}
	if slices.Equal(other.SpikeSteps, ref.SpikeSteps) && slices.Equal(other.SpikeUnits, ref.SpikeUnits) {
		t.Error("seeds 5 and 6 gave the same spikes")
	}
}

// TestNetworkNoAllocations: once its scratch and result have grown, a run allocates nothing.
func TestNetworkNoAllocations(t *testing.T) {
	cfg := seedNetworkConfig(200, 0.5)
	cfg.DurationSec = 0.5
	nw := mustNetwork(t, cfg, mustConnectivity(t, cfg, 3))
	var s NetworkScratch
	var r NetworkResult
	if err := nw.Run(1, &s, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.SpikeSteps) < 100 {
		t.Fatalf("%d spikes: too few to test spike recording", len(r.SpikeSteps))
	}
	if a := testing.AllocsPerRun(3, func() {
		if err := nw.Run(1, &s, &r); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("%v allocations per run, want 0", a)
	}
}

// TestNetworkStop: a set Stop flag ends the run with ErrStopped within a thousand steps.
func TestNetworkStop(t *testing.T) {
	cfg := seedNetworkConfig(100, 0.5)
	nw := mustNetwork(t, cfg, mustConnectivity(t, cfg, 1))
	var stop atomic.Bool
	stop.Store(true)
	var s NetworkScratch
	r := NetworkResult{Stop: &stop}
	if err := nw.Run(1, &s, &r); !errors.Is(err, ErrStopped) {
		t.Fatalf("err %v, want ErrStopped", err)
	}
	if r.StepsRun != networkStopEvery {
		t.Errorf("stopped after %d steps, want %d", r.StepsRun, networkStopEvery)
	}
}

// TestNetworkRunaway: absurd parameters are an ErrNumerical naming the unit, not a panic.
func TestNetworkRunaway(t *testing.T) {
	cfg := seedNetworkConfig(100, 0.5)
	cfg.W.EIAmp = 1e-3 // 1 mA per inhibitory spike
	cfg.NoiseSigmaVolt = 10 * mV
	nw := mustNetwork(t, cfg, mustConnectivity(t, cfg, 1))
	var s NetworkScratch
	var r NetworkResult
	err := nw.Run(1, &s, &r)
	if !errors.Is(err, ErrNumerical) || !strings.Contains(err.Error(), "E unit") {
		t.Fatalf("err %v, want ErrNumerical naming an E unit", err)
	}
	if r.StepsRun >= nw.Steps() {
		t.Errorf("ran all %d steps", r.StepsRun)
	}
}

func TestNetworkConfigValidate(t *testing.T) {
	if err := seedNetworkConfig(1000, 0.5).Validate(); err != nil {
		t.Fatalf("seed network: %v", err)
	}
	cases := []struct {
		field string
		mod   func(*NetworkConfig)
	}{
		{"DtSec", func(c *NetworkConfig) { c.DtSec = 0 }},
		{"DurationSec", func(c *NetworkConfig) { c.DurationSec = math.NaN() }},
		{"NUnits", func(c *NetworkConfig) { c.NUnits = 1 }},
		{"PropConnect", func(c *NetworkConfig) { c.PropConnect = 1.5 }},
		{"PropInh", func(c *NetworkConfig) { c.PropInh = 0 }},
		{"PropInh", func(c *NetworkConfig) { c.NUnits, c.PropInh = 4, 0.1 }},
		{"Exc: c_m", func(c *NetworkConfig) { c.Exc.CmFarad = 0 }},
		{"Inh: tau_adapt", func(c *NetworkConfig) { c.Inh.TauAdaptSec = -1 }},
		{"Syn: tau_rise_e", func(c *NetworkConfig) { c.Syn.TauRiseESec = 0 }},
		{"W: w_ii", func(c *NetworkConfig) { c.W.IIAmp = math.Inf(1) }},
		{"NoiseSigmaVolt", func(c *NetworkConfig) { c.NoiseSigmaVolt = -1e-3 }},
		{"DelayMaxExcSec", func(c *NetworkConfig) { c.DelayMaxExcSec = -1 }},
		{"DelayMaxInhSec", func(c *NetworkConfig) { c.DelayMaxInhSec = 1 }},
		{"KickTimeSec", func(c *NetworkConfig) { c.KickTimeSec = math.Inf(1) }},
		{"KickFraction", func(c *NetworkConfig) { c.KickFraction = -0.1 }},
		{"KickFraction", func(c *NetworkConfig) { c.KickFraction = 0.9 }},
		{"KickAmp", func(c *NetworkConfig) { c.KickAmp = math.NaN() }},
	}
	for _, tc := range cases {
		c := seedNetworkConfig(1000, 0.5)
		tc.mod(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: error %v, want one naming %s", tc.field, err, tc.field)
		}
	}
}

func TestNetworkSizes(t *testing.T) {
	for _, tc := range []struct {
		n, wantE, wantI, kicked int
		p                       float64
		counts                  [4]int
	}{
		{1000, 800, 200, 50, 0.5, [4]int{320000, 80000, 80000, 20000}},
		{2000, 1600, 400, 100, 0.25, [4]int{640000, 160000, 160000, 40000}},
		{10, 8, 2, 0, 0.5, [4]int{32, 8, 8, 2}},         // round(0.05·10) = round(0.5) = 0, half to even
		{10, 8, 2, 0, 1, [4]int{56, 16, 16, 2}},         // p = 1: within a population n(n−1)
		{30, 24, 6, 2, 0.99, [4]int{552, 143, 143, 30}}, // 0.99 > 23/24: capped by round(n²(p − (n−1)/n))
		{501, 401, 100, 25, 0.1, [4]int{16080, 4010, 4010, 1000}},
	} {
		c := seedNetworkConfig(tc.n, tc.p)
		e, i := c.Sizes()
		if e != tc.wantE || i != tc.wantI || c.KickedUnits() != tc.kicked {
			t.Errorf("N %d: %d E, %d I, %d kicked; want %d, %d, %d", tc.n, e, i, c.KickedUnits(), tc.wantE, tc.wantI, tc.kicked)
		}
		for p := EE; p <= II; p++ {
			if k := c.SynapseCount(p); k != tc.counts[p] {
				t.Errorf("N %d, p %g: %d %v synapses, want %d", tc.n, tc.p, k, p, tc.counts[p])
			}
		}
	}
	c := seedNetworkConfig(1000, 0.5)
	if c.DelayMaxSteps(EE) != 10 || c.DelayMaxSteps(IE) != 10 || c.DelayMaxSteps(EI) != 5 || c.DelayMaxSteps(II) != 5 {
		t.Errorf("longest delays %d %d %d %d steps, want 10 10 5 5", c.DelayMaxSteps(EE), c.DelayMaxSteps(IE), c.DelayMaxSteps(EI), c.DelayMaxSteps(II))
	}
}

func TestPathwayNames(t *testing.T) {
	for p := EE; p <= II; p++ {
		q, err := ParsePathway(p.String())
		if err != nil || q != p {
			t.Errorf("%v: parsed as %v, %v", p, q, err)
		}
	}
	if _, err := ParsePathway("XE"); err == nil {
		t.Error("XE parsed")
	}
	if EI.SourceInh() != true || EI.TargetInh() != false || IE.SourceInh() != false || IE.TargetInh() != true {
		t.Error("EI is onto E from I, IE onto I from E")
	}
}

// TestSynapticFixedPoints: advance with the fixed-point check gives, step after step, the same
// state as without it, for pairs at a recorded fixed point, pairs that reach one, a pair whose u
// equals a recorded u while its s does not, and ordinary pairs; the records it creates are fixed
// points with s/C_m.
func TestSynapticFixedPoints(t *testing.T) {
	cfg := seedNetworkConfig(100, 0.5)
	c := newPopStep(cfg.Inh, cfg.Syn, cfg.DtSec, 0)
	sub := func(k float64) float64 { return k * 0x1p-1074 }
	type pair struct{ s, u float64 }
	start := []pair{{0, 0}, {sub(8), sub(4)}, {sub(40), sub(4)}, {1e-10, 2e-10}, {sub(3000), sub(2000)}, {0, sub(5)}}
	mk := func() popView {
		n := len(start)
		p := popView{v: make([]float64, n), ia: make([]float64, n), sE: make([]float64, n), uE: make([]float64, n),
			sI: make([]float64, n), uI: make([]float64, n), last: make([]int64, n), fixE: make([]synFix, n), fixI: make([]synFix, n)}
		for i, st := range start {
			p.v[i], p.last[i] = 0.01, NeverSpiked
			p.sI[i], p.uI[i] = st.s, st.u
			p.sE[i], p.uE[i] = st.s, st.u
		}
		// unit 2: a record whose u is unit 2's u, but not its s
		p.fixI[2] = synFix{s: math.Float64bits(sub(8)), u: math.Float64bits(sub(4)), q: sub(8) / c.cm}
		return p
	}
	with, without := mk(), mk()
	var accW, accWo popSums
	for n := range int64(400) {
		c.advance(with, n, 0, nil, nil, &accW, true)
		c.advance(without, n, 0, nil, nil, &accWo, false)
		for i := range start {
			for _, x := range [][2]float64{{with.sI[i], without.sI[i]}, {with.uI[i], without.uI[i]}, {with.sE[i], without.sE[i]},
				{with.uE[i], without.uE[i]}, {with.v[i], without.v[i]}} {
				if math.Float64bits(x[0]) != math.Float64bits(x[1]) {
					t.Fatalf("step %d, unit %d: %v with the check, %v without", n, i, x[0], x[1])
				}
			}
		}
	}
	if accW != accWo {
		t.Errorf("sums %v with the check, %v without", accW, accWo)
	}
	for i := range start {
		for _, r := range []struct {
			f      synFix
			aS, aU float64
		}{{with.fixE[i], c.aSE, c.aUE}, {with.fixI[i], c.aSI, c.aUI}} {
			s, u := math.Float64frombits(r.f.s), math.Float64frombits(r.f.u)
			if i == 2 && r.f == with.fixI[2] && r.f.u == math.Float64bits(sub(4)) && r.f.s == math.Float64bits(sub(8)) {
				continue // the record set by hand
			}
			if s2, u2 := float64(r.aS*(u-s))+s, float64(r.aU*u)+u; s2 != s || u2 != u || r.f.q != s/c.cm {
				t.Errorf("unit %d: record %+v is not a fixed point with s/C_m", i, r.f)
			}
		}
	}
	if with.fixI[1].s != math.Float64bits(sub(8)) || with.fixI[1].u != math.Float64bits(sub(4)) {
		t.Errorf("unit 1 (at a fixed point from the start): record %+v", with.fixI[1])
	}
}

// TestNetworkSetWeights: a network whose weights are set after compiling runs as one compiled
// from a connectivity with those weights, spike for spike and bit for bit, and setting them again
// to the uniform weights gives the uniform network's run back.
func TestNetworkSetWeights(t *testing.T) {
	cfg := seedNetworkConfig(300, 0.4)
	cfg.DurationSec = 0.4
	conn := mustConnectivity(t, cfg, 5)
	var w [4][]float64
	withW := *conn
	for p := EE; p <= II; p++ {
		w[p] = make([]float64, conn.Synapses(p))
		for k := range w[p] {
			w[p][k] = cfg.W.weight(p) * (0.8 + 0.4*float64((k*7919)%1000)/1000)
		}
		withW.WeightAmp[p] = w[p]
	}
	run := func(nw *Network) (NetworkResult, *NetworkScratch) {
		var s NetworkScratch
		var r NetworkResult
		if err := nw.Run(9, &s, &r); err != nil {
			t.Fatal(err)
		}
		return r, &s
	}
	want, ws := run(mustNetwork(t, cfg, &withW))
	nw := mustNetwork(t, cfg, conn)
	uniform, _ := run(nw)
	if err := nw.SetWeights(&w); err != nil {
		t.Fatal(err)
	}
	got, gs := run(nw)
	if len(want.SpikeSteps) < 100 || slices.Equal(uniform.SpikeUnits, want.SpikeUnits) {
		t.Fatalf("%d spikes, and the weights changed nothing: pick other weights", len(want.SpikeSteps))
	}
	if !slices.Equal(got.SpikeSteps, want.SpikeSteps) || !slices.Equal(got.SpikeUnits, want.SpikeUnits) ||
		got.MeanSEOntoE != want.MeanSEOntoE || got.MeanSIOntoI != want.MeanSIOntoI {
		t.Fatalf("set weights: %d spikes, compiled with them: %d", len(got.SpikeSteps), len(want.SpikeSteps))
	}
	for i := range cfg.NUnits {
		if gs.Unit(i) != ws.Unit(i) {
			t.Fatalf("unit %d ends %+v, compiled with the weights %+v", i, gs.Unit(i), ws.Unit(i))
		}
	}
	var back [4][]float64
	for p := EE; p <= II; p++ {
		back[p] = make([]float64, conn.Synapses(p))
		for k := range back[p] {
			back[p][k] = cfg.W.weight(p)
		}
	}
	if err := nw.SetWeights(&back); err != nil {
		t.Fatal(err)
	}
	if again, _ := run(nw); !slices.Equal(again.SpikeUnits, uniform.SpikeUnits) || !slices.Equal(again.SpikeSteps, uniform.SpikeSteps) {
		t.Errorf("the uniform weights set back: %d spikes, the uniform network %d", len(again.SpikeSteps), len(uniform.SpikeSteps))
	}
	bad := [4][]float64{w[EE][:1], w[IE], w[EI], w[II]}
	if err := nw.SetWeights(&bad); err == nil {
		t.Error("SetWeights took one weight for a pathway of many")
	}
}
