package sim

import (
	"fmt"
	"math"
	"sync/atomic"
)

// NetworkConfig describes the recurrent network of the seed's units (docs/MODEL.md, "The recurrent
// network"): n_I = int(PropInh·NUnits) inhibitory and n_E = NUnits − n_I excitatory units, four
// pathways of random fixed-count connectivity with per-synapse delays, white membrane noise, and a
// kick that starts an Up state. All values are in SI units.
type NetworkConfig struct {
	DtSec       float64 // clock step dt (s); the seed uses 0.1 ms
	DurationSec float64 // simulated time (s); a training trial is 1.5 s

	NUnits      int     // N, all units
	PropConnect float64 // p: each pathway has round(p·n_pre·n_post) synapses
	PropInh     float64 // proportion of inhibitory units (n_I = int(PropInh·N)); the seed uses 0.2

	Exc, Inh Unit     // the parameters of every E and every I unit
	Syn      Synapses // synaptic time constants, shared by all units
	// W holds one weight per pathway (A), used for every synapse of a pathway whose Connectivity
	// has no per-synapse weights.
	W Weights

	// NoiseSigmaVolt is σ (V) of the membrane noise σ·(C_m/g_L)^(−1/2)·ξ; 0 turns the noise off
	// (no random numbers are drawn at all then). The seed's training uses 2.5 mV.
	NoiseSigmaVolt float64

	// DelayMaxExcSec and DelayMaxInhSec are d_max of excitatory sources (EE, IE) and inhibitory
	// sources (EI, II): a synapse's delay is (floor(U·d_max/dt) + 1)·dt, U uniform on [0, 1). The
	// seed uses 1 ms and 0.5 ms.
	DelayMaxExcSec, DelayMaxInhSec float64

	// The kick: at KickTimeSec the first round(KickFraction·NUnits) E units each receive one spike
	// that adds KickAmp (A) to u_Ext. The seed kicks 5 % of the units with 0.98 nA at 100 ms.
	KickTimeSec, KickFraction, KickAmp float64
}

// MaxNetworkDelaySteps bounds a synaptic delay in steps (a delay of d steps keeps d + 1 steps of
// spikes in memory).
const MaxNetworkDelaySteps = 1 << 12

// maxSynapses bounds the synapses of one pathway (indices are int32).
const maxSynapses = math.MaxInt32

// Sizes returns the number of excitatory and inhibitory units: n_I = int(PropInh·NUnits),
// n_E = NUnits − n_I, truncated as the seed does.
func (c NetworkConfig) Sizes() (nExc, nInh int) {
	nInh = int(c.PropInh * float64(c.NUnits))
	return c.NUnits - nInh, nInh
}

// KickedUnits returns the number of E units the kick reaches: round(KickFraction·NUnits),
// rounding half to even as numpy does.
func (c NetworkConfig) KickedUnits() int {
	return int(math.RoundToEven(c.KickFraction * float64(c.NUnits)))
}

// SynapseCount returns the number of synapses of pathway p: round(p·n_pre·n_post) (half to even,
// as numpy), where within one population (EE, II) the pairs i = j are excluded; if p exceeds
// (n−1)/n the count is reduced by round(n²·(p − (n−1)/n)), as the seed's code does, so that it
// never exceeds n(n−1).
func (c NetworkConfig) SynapseCount(p Pathway) int {
	nPre, nPost := c.pathwaySizes(p)
	k := math.RoundToEven(c.PropConnect * float64(nPre) * float64(nPost))
	if p.within() {
		n := float64(nPre)
		if c.PropConnect > (n-1)/n {
			k -= math.RoundToEven(n * n * (c.PropConnect - (n-1)/n))
		}
	}
	return int(k)
}

// DelayMaxSteps returns the longest delay, in steps, that the delay rule can give pathway p:
// floor(U·d_max/dt) + 1 at the largest U below 1.
func (c NetworkConfig) DelayMaxSteps(p Pathway) int {
	return delaySteps(math.Nextafter(1, 0), c.delayMax(p), c.DtSec)
}

// delaySteps is the delay rule in steps, in the seed's order of operations: int(U·d_max/dt) + 1.
func delaySteps(u, dMaxSec, dtSec float64) int {
	return int(float64(u*dMaxSec)/dtSec) + 1
}

func (c NetworkConfig) delayMax(p Pathway) float64 {
	if p.SourceInh() {
		return c.DelayMaxInhSec
	}
	return c.DelayMaxExcSec
}

func (c NetworkConfig) pathwaySizes(p Pathway) (nPre, nPost int) {
	nExc, nInh := c.Sizes()
	nPre, nPost = nExc, nExc
	if p.SourceInh() {
		nPre = nInh
	}
	if p.TargetInh() {
		nPost = nInh
	}
	return nPre, nPost
}

// Validate reports the first problem with c, naming the field.
func (c NetworkConfig) Validate() error {
	if !(c.DtSec > 0) || math.IsInf(c.DtSec, 0) {
		return fmt.Errorf("DtSec is %g s, want a positive time", c.DtSec)
	}
	if !(c.DurationSec > 0) || math.IsInf(c.DurationSec, 0) {
		return fmt.Errorf("DurationSec is %g s, want a positive time", c.DurationSec)
	}
	if n := c.DurationSec / c.DtSec; n > 1<<40 {
		return fmt.Errorf("DurationSec %g s at DtSec %g s is %.3g steps, want at most 2^40", c.DurationSec, c.DtSec, n)
	}
	if c.NUnits < 2 || c.NUnits > 1<<30 {
		return fmt.Errorf("NUnits is %d, want 2 … 2^30", c.NUnits)
	}
	if !(c.PropConnect >= 0 && c.PropConnect <= 1) {
		return fmt.Errorf("PropConnect is %g, want a proportion in [0, 1]", c.PropConnect)
	}
	if !(c.PropInh > 0 && c.PropInh < 1) {
		return fmt.Errorf("PropInh is %g, want a proportion in (0, 1)", c.PropInh)
	}
	nExc, nInh := c.Sizes()
	if nExc < 1 || nInh < 1 {
		return fmt.Errorf("NUnits %d with PropInh %g gives %d E and %d I units, want at least one of each", c.NUnits, c.PropInh, nExc, nInh)
	}
	for p := EE; p <= II; p++ {
		if k := c.SynapseCount(p); k > maxSynapses {
			return fmt.Errorf("NUnits %d with PropConnect %g gives %d %v synapses, want at most %d", c.NUnits, c.PropConnect, k, p, maxSynapses)
		}
	}
	if err := c.Exc.Validate(); err != nil {
		return fmt.Errorf("Exc: %w", err)
	}
	if err := c.Inh.Validate(); err != nil {
		return fmt.Errorf("Inh: %w", err)
	}
	if err := c.Syn.Validate(); err != nil {
		return fmt.Errorf("Syn: %w", err)
	}
	if err := c.W.Validate(); err != nil {
		return fmt.Errorf("W: %w", err)
	}
	if !(c.NoiseSigmaVolt >= 0) || math.IsInf(c.NoiseSigmaVolt, 0) {
		return fmt.Errorf("NoiseSigmaVolt is %g V, want ≥ 0 and finite", c.NoiseSigmaVolt)
	}
	for _, d := range []struct {
		name string
		v    float64
		p    Pathway
	}{{"DelayMaxExcSec", c.DelayMaxExcSec, EE}, {"DelayMaxInhSec", c.DelayMaxInhSec, EI}} {
		if !(d.v >= 0) || math.IsInf(d.v, 0) {
			return fmt.Errorf("%s is %g s, want ≥ 0 and finite", d.name, d.v)
		}
		if k := c.DelayMaxSteps(d.p); k > MaxNetworkDelaySteps {
			return fmt.Errorf("%s is %g s, %d steps of %g s, want at most %d steps", d.name, d.v, k, c.DtSec, MaxNetworkDelaySteps)
		}
	}
	if !(c.KickTimeSec >= 0) || math.IsInf(c.KickTimeSec, 0) {
		return fmt.Errorf("KickTimeSec is %g s, want ≥ 0 and finite", c.KickTimeSec)
	}
	if !(c.KickFraction >= 0 && c.KickFraction <= 1) {
		return fmt.Errorf("KickFraction is %g, want a proportion in [0, 1]", c.KickFraction)
	}
	if k := c.KickedUnits(); k > nExc {
		return fmt.Errorf("KickFraction %g kicks %d units, more than the %d E units", c.KickFraction, k, nExc)
	}
	if math.IsNaN(c.KickAmp) || math.IsInf(c.KickAmp, 0) {
		return fmt.Errorf("KickAmp is %v A, want a finite current", c.KickAmp)
	}
	return nil
}

// Pathway names one of the four recurrent pathways, XY = onto X from Y, as the weights are named.
type Pathway int

// The four pathways, in the order of Connectivity's arrays.
const (
	EE Pathway = iota // E → E
	IE                // E → I
	EI                // I → E
	II                // I → I
)

// String returns the pathway's name, "EE", "IE", "EI" or "II".
func (p Pathway) String() string {
	switch p {
	case EE:
		return "EE"
	case IE:
		return "IE"
	case EI:
		return "EI"
	case II:
		return "II"
	}
	return fmt.Sprintf("Pathway(%d)", int(p))
}

// ParsePathway returns the pathway named s ("EE", "IE", "EI" or "II").
func ParsePathway(s string) (Pathway, error) {
	for p := EE; p <= II; p++ {
		if s == p.String() {
			return p, nil
		}
	}
	return 0, fmt.Errorf("pathway %q: want EE, IE, EI or II", s)
}

// SourceInh reports whether the pathway's presynaptic units are inhibitory (EI, II).
func (p Pathway) SourceInh() bool { return p == EI || p == II }

// TargetInh reports whether the pathway's postsynaptic units are inhibitory (IE, II).
func (p Pathway) TargetInh() bool { return p == IE || p == II }

// within reports whether the pathway connects a population to itself (EE, II).
func (p Pathway) within() bool { return p == EE || p == II }

// Amp returns pathway p's weight in w (A).
func (w Weights) Amp(p Pathway) float64 { return w.weight(p) }

// weight returns the pathway's weight in w.
func (w Weights) weight(p Pathway) float64 {
	switch p {
	case EE:
		return w.EEAmp
	case IE:
		return w.IEAmp
	case EI:
		return w.EIAmp
	}
	return w.IIAmp
}

// Network is a compiled recurrent network: the configuration's constants and, per pathway, its
// synapses grouped by presynaptic unit and delay. It is immutable and safe for concurrent use by
// several goroutines, each with its own [NetworkScratch] and [NetworkResult].
type Network struct {
	cfg        NetworkConfig
	nExc, nInh int
	nKick      int
	steps      int64
	kickStep   int64 // the step of the kick, or −1 for none
	exc, inh   popStep
	fexc, finh fastStep // the AVX-512 kernel's constants (network_fast.go)
	noise      bool
	maxDelay   int // over all pathways
	out        [4]outgoing
}

// outgoing holds one pathway's synapses in the order Brian2 delivers them: for presynaptic unit j
// and delay d, the synapses off[j·(maxDelay+1)+d] … off[j·(maxDelay+1)+d+1]−1, in synapse order.
//
// The targets are indices into the postsynaptic population, 16-bit when it has at most 2¹⁶ units
// (target16; target is nil then): half the bytes to read per delivered synapse, which is what a
// delivery mostly waits for, as a network's synapses do not fit in the cache.
type outgoing struct {
	maxDelay int
	n        int // synapses
	off      []int32
	target   []int32   // index of the postsynaptic unit in its population, or nil
	target16 []uint16  // the same, when the population has at most 2¹⁶ units
	inc      []float64 // per-synapse increment of u, or nil: every synapse adds uniform
	uniform  float64   // (1/τ_rise[ms])·w of Config.W
	invTauMs float64   // 1/τ_rise[ms], the factor of a weight in its increment
	src      []int32   // the synapse (index in the connectivity) at each position
}

// NewNetwork validates cfg and conn (see [Connectivity.Validate]; [Connectivity.Check] is the
// stricter test that conn is what cfg's rules generate) and compiles them.
func NewNetwork(cfg NetworkConfig, conn *Connectivity) (*Network, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if conn == nil {
		return nil, fmt.Errorf("network: no connectivity")
	}
	nExc, nInh := cfg.Sizes()
	if conn.NExc != nExc || conn.NInh != nInh {
		return nil, fmt.Errorf("connectivity has %d E and %d I units, the configuration %d and %d", conn.NExc, conn.NInh, nExc, nInh)
	}
	stats, err := conn.validate()
	if err != nil {
		return nil, err
	}
	if conn.DtSec != cfg.DtSec {
		return nil, fmt.Errorf("connectivity's delays count steps of %g s, the configuration's dt is %g s", conn.DtSec, cfg.DtSec)
	}
	steps := StepCount(cfg.DurationSec, cfg.DtSec)
	nw := &Network{
		cfg: cfg, nExc: nExc, nInh: nInh, nKick: cfg.KickedUnits(), steps: steps, kickStep: -1,
		exc:   newPopStep(cfg.Exc, cfg.Syn, cfg.DtSec, cfg.NoiseSigmaVolt),
		inh:   newPopStep(cfg.Inh, cfg.Syn, cfg.DtSec, cfg.NoiseSigmaVolt),
		noise: cfg.NoiseSigmaVolt != 0,
	}
	// Brian2's SpikeGeneratorGroup puts a spike at time t in step int((t + 10⁻³·dt)/dt), and the
	// kick's zero-delay synapse delivers it in that step's synapses slot.
	if k := Timestep(cfg.KickTimeSec, cfg.DtSec); nw.nKick > 0 && k < steps {
		nw.kickStep = k
	}
	for p := EE; p <= II; p++ {
		nPre, nPost := cfg.pathwaySizes(p)
		tauRise := cfg.Syn.TauRiseESec
		if p.SourceInh() {
			tauRise = cfg.Syn.TauRiseISec
		}
		nw.out[p] = compileOutgoing(conn.Pre[p], conn.Post[p], conn.DelaySteps[p], conn.WeightAmp[p], stats[p], nPre, nPost,
			float64(1.0/(tauRise/1e-3)), cfg.W.weight(p))
		nw.maxDelay = max(nw.maxDelay, nw.out[p].maxDelay)
	}
	boundOK := fastBoundOK(nw)
	nw.fexc, nw.finh = newFastStep(&nw.exc, boundOK), newFastStep(&nw.inh, boundOK)
	return nw, nil
}

// compileOutgoing groups one pathway's synapses by presynaptic unit, then delay, keeping synapse
// order within a group (a stable counting sort). Brian2's spike queue delivers in that order: a
// spike pushes its unit's synapses in synapse order into the slot of each one's delay, and a slot
// is delivered in the order it was filled. st is the pathway's stats from validate: its largest
// delay, and whether it is sorted by presynaptic unit, as NewConnectivity's are (then the sort
// runs one unit's synapses at a time, in cache).
func compileOutgoing(pre, post, delay []int32, w []float64, st pathwayStats, nPre, nPost int, invTauMs, wUniform float64) (o outgoing) {
	o.uniform, o.invTauMs = invTauMs*wUniform, invTauMs
	defer o.narrow(nPost) // on the result, after every return below
	n := len(pre)
	o.n = n
	post, delay = post[:n], delay[:n]
	if n > 0 {
		o.maxDelay = int(st.maxDelay)
	}
	stride := o.maxDelay + 1
	o.off = make([]int32, nPre*stride+1)
	o.target = make([]int32, n)
	o.src = make([]int32, n)
	if w != nil {
		w = w[:n]
		o.inc = make([]float64, n)
	}
	if !st.sorted {
		for k := range pre {
			o.off[int(pre[k])*stride+int(delay[k])+1]++
		}
		for i := 1; i < len(o.off); i++ {
			o.off[i] += o.off[i-1]
		}
		next := make([]int32, len(o.off)-1)
		copy(next, o.off)
		for k := range pre {
			g := int(pre[k])*stride + int(delay[k])
			at := next[g]
			next[g]++
			o.target[at], o.src[at] = post[k], int32(k)
			if w != nil {
				o.inc[at] = invTauMs * w[k]
			}
		}
		return o
	}
	// Sorted by presynaptic unit (NewConnectivity's are): the same stable sort, one unit's
	// synapses at a time, with its delays' counts and next positions in a small table.
	next := make([]int32, stride)
	a := 0
	for j := range nPre {
		b := a
		for b < n && int(pre[b]) == j {
			b++
		}
		clear(next)
		for _, d := range delay[a:b] {
			next[d]++
		}
		at, off := int32(a), o.off[j*stride:(j+1)*stride]
		for d, c := range next {
			off[d], next[d] = at, at
			at += c
		}
		for k := a; k < b; k++ {
			d := delay[k]
			at := next[d]
			next[d]++
			o.target[at], o.src[at] = post[k], int32(k)
			if w != nil {
				o.inc[at] = invTauMs * w[k]
			}
		}
		a = b
	}
	o.off[nPre*stride] = int32(n)
	return o
}

// narrow replaces target by target16 if the postsynaptic population has at most 2¹⁶ units.
func (o *outgoing) narrow(nPost int) {
	if nPost > 1<<16 {
		return
	}
	o.target16 = make([]uint16, len(o.target))
	for k, t := range o.target {
		o.target16[k] = uint16(t)
	}
	o.target = nil
}

// SetWeights sets the weight of every synapse (A; w[p][k] for synapse k of pathway p, in the
// connectivity's order), as a connectivity with those WeightAmp would: the network then runs as
// if compiled from it. It must not run concurrently with Run. A training sets its weights this way
// between trials.
func (nw *Network) SetWeights(w *[4][]float64) error {
	for p := EE; p <= II; p++ {
		if len(w[p]) != nw.out[p].n {
			return fmt.Errorf("%v: %d weights for %d synapses", p, len(w[p]), nw.out[p].n)
		}
		for k, x := range w[p] {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("%v synapse %d: weight %v A, want a finite current", p, k, x)
			}
		}
	}
	for p := EE; p <= II; p++ {
		o := &nw.out[p]
		if o.inc == nil {
			o.inc = make([]float64, o.n)
		}
		for at, k := range o.src {
			o.inc[at] = o.invTauMs * w[p][k]
		}
	}
	boundOK := fastBoundOK(nw)
	nw.fexc, nw.finh = newFastStep(&nw.exc, boundOK), newFastStep(&nw.inh, boundOK)
	return nil
}

// Config returns the network's configuration.
func (nw *Network) Config() NetworkConfig { return nw.cfg }

// Steps returns the number of clock steps in one run (Brian2's count, see [StepCount]).
func (nw *Network) Steps() int64 { return nw.steps }

// Sizes returns the number of excitatory and inhibitory units.
func (nw *Network) Sizes() (nExc, nInh int) { return nw.nExc, nw.nInh }

// KickedUnits returns the number of E units the kick reaches (units 0 … KickedUnits()−1).
func (nw *Network) KickedUnits() int { return nw.nKick }

// KickStep returns the step in which the kick's spikes are delivered, or −1 if the run has no kick
// (no kicked units, or the kick falls after the end).
func (nw *Network) KickStep() int64 { return nw.kickStep }

// NetworkResult holds what one run of a network recorded. Its slices are reused by the next run
// given the same NetworkResult.
type NetworkResult struct {
	// Stop, when non-nil, is checked every thousand steps; once it is set the run returns
	// ErrStopped. It lets a sweep stop within milliseconds.
	Stop *atomic.Bool

	// Every spike, in order of step, then unit: SpikeSteps[k] is the step (time = step·dt) and
	// SpikeUnits[k] the unit, E units 0 … n_E−1 and I units n_E … N−1.
	SpikeSteps []int64
	SpikeUnits []int32

	// Mean over units and steps of the synaptic currents (A), each unit's state taken at the start
	// of each step as a monitor records it (the single unit's charges are the same sums): s_E and
	// s_I of the E units, s_E and s_I of the I units. Divide by nothing more to get Ē and Ī. The
	// sums run in eight lanes of units (see popSums), the same on every machine.
	MeanSEOntoE, MeanSIOntoE, MeanSEOntoI, MeanSIOntoI float64

	// StepsRun is the number of steps simulated: Steps(), or fewer if the run stopped or failed.
	StepsRun int64
}

// NetworkScratch is the per-worker state of network runs: the state of every unit and the spikes
// still in flight. The zero value is ready to use; once it has grown to a network's size a run
// allocates nothing. A NetworkScratch is not safe for concurrent use.
type NetworkScratch struct {
	// NoiseAhead, when set, has each run with noise draw its noise on a second goroutine, a few
	// thousand steps ahead of the steps that use it. The numbers are the same; the run takes about a
	// quarter less time when a core is idle for it (BENCHMARKS.md), and more when none is.
	NoiseAhead bool

	v, ia, sE, uE, sI, uI []float64  // all units: E 0 … n_E−1, I n_E … N−1
	last                  []int64    // step of each unit's last spike
	sExt, uExt            []float64  // the kicked units
	fixE, fixI            []synFix   // fixed points of each unit's (s_E, u_E) and (s_I, u_I)
	checkIn               [3]int     // steps until the kicked, other E and I units look for fixed points
	ringE, ringI          [][]int32  // spikes of the last maxDelay+1 steps, by step mod (maxDelay+1)
	noise                 normalGen  // the noise's stream
	z                     []float64  // the step's normal numbers, one per unit
	ahead                 noiseAhead // the noise drawn on a second goroutine
	fast                  [2]fastPop // the AVX-512 kernel's state of the E and the I units
}

// NetworkUnitState is the dynamic state of one unit of a network, in SI units.
type NetworkUnitState struct {
	VVolt, IAdaptAmp, SEAmp, UEAmp, SIAmp, UIAmp float64
	SExtAmp, UExtAmp                             float64 // the kick's current; 0 for units it does not reach
	LastSpikeStep                                int64   // NeverSpiked before the first spike
}

// Unit returns the state of unit i (E units first) as the last run left it.
func (s *NetworkScratch) Unit(i int) NetworkUnitState {
	u := NetworkUnitState{VVolt: s.v[i], IAdaptAmp: s.ia[i], SEAmp: s.sE[i], UEAmp: s.uE[i], SIAmp: s.sI[i], UIAmp: s.uI[i],
		LastSpikeStep: s.last[i]}
	if i < len(s.sExt) {
		u.SExtAmp, u.UExtAmp = s.sExt[i], s.uExt[i]
	}
	return u
}

func grow[T any](p *[]T, n int) {
	if cap(*p) < n {
		*p = make([]T, n)
	}
	*p = (*p)[:n]
}

// reset sizes s for nw and puts every unit in the initial state: v = E_L, everything else 0,
// never spiked.
func (s *NetworkScratch) reset(nw *Network) {
	n := nw.nExc + nw.nInh
	for _, p := range []*[]float64{&s.v, &s.ia, &s.sE, &s.uE, &s.sI, &s.uI} {
		grow(p, n)
		clear(*p)
	}
	grow(&s.last, n)
	for i := range s.last {
		s.last[i] = NeverSpiked
	}
	for i := range nw.nExc {
		s.v[i] = nw.exc.initialV
	}
	for i := nw.nExc; i < n; i++ {
		s.v[i] = nw.inh.initialV
	}
	grow(&s.fixE, n)
	grow(&s.fixI, n)
	clear(s.fixE) // (0, 0), with 0/C_m = 0
	clear(s.fixI)
	s.checkIn = [3]int{}
	// s_Ext and u_Ext have a capacity rounded up to 8 units, zero beyond the kicked ones, for the
	// AVX-512 kernel's groups of 8.
	k8 := (nw.nKick + 7) &^ 7
	for _, p := range []*[]float64{&s.sExt, &s.uExt} {
		grow(p, k8)
		clear(*p)
		*p = (*p)[:nw.nKick]
	}
	grow(&s.z, n)
	s.fast[0].reset(nw.nExc)
	s.fast[1].reset(nw.nInh)
	slots := nw.maxDelay + 1
	for _, r := range []*[][]int32{&s.ringE, &s.ringI} {
		if len(*r) < slots {
			*r = append(*r, make([][]int32, slots-len(*r))...)
		}
		*r = (*r)[:slots]
		for k := range *r {
			(*r)[k] = (*r)[k][:0]
		}
	}
}

// fixCheckEvery is how often (in steps) a population without synaptic pairs at a fixed point
// looks for new ones: a pair that reaches one meanwhile costs at most that many slow steps.
const fixCheckEvery = 32

// networkStopEvery is how many steps pass between checks of a Stop flag (a millisecond or less).
const networkStopEvery = 1 << 10

// noiseTag is mixed into a run's seed for its noise stream ("Nois").
const noiseTag = 0x4e6f6973

// Run simulates one trial from the initial state, with the noise stream of seed (unused when the
// noise is off), and stores what it recorded in out (reusing out's slices). The step is Brian2's
// (docs/MODEL.md, "The recurrent network"): every unit's Euler update and threshold, then this
// step's synaptic deliveries and the kick, then the resets. It returns an error wrapping
// [ErrNumerical] if a unit's v becomes NaN or runs away, or [ErrStopped] if out.Stop was set; out
// then holds what was recorded up to that step.
func (nw *Network) Run(seed uint64, s *NetworkScratch, out *NetworkResult) error {
	s.reset(nw)
	if nw.noise {
		s.noise.seed(seed, noiseTag)
	}
	out.SpikeSteps = out.SpikeSteps[:0]
	out.SpikeUnits = out.SpikeUnits[:0]
	nExc, nKick := nw.nExc, nw.nKick
	slots := int64(nw.maxDelay + 1)
	view := func(lo, hi int) popView {
		return popView{v: s.v[lo:hi], ia: s.ia[lo:hi], sE: s.sE[lo:hi], uE: s.uE[lo:hi], sI: s.sI[lo:hi], uI: s.uI[lo:hi],
			last: s.last[lo:hi], fixE: s.fixE[lo:hi], fixI: s.fixI[lo:hi]}
	}
	kicked, exc, inh := view(0, nKick), view(nKick, nExc), view(nExc, nExc+nw.nInh)
	kicked.sExt, kicked.uExt = s.sExt, s.uExt
	allE := view(0, nExc)
	allE.sExt, allE.uExt = s.sExt, s.uExt
	var zE, zK, zX, zI []float64 // the noise of all E, the kicked, the other E, and the I units; nil without noise
	var ahead *noiseAhead
	if nw.noise && s.NoiseAhead {
		ahead = &s.ahead
		ahead.start(&s.noise, nExc+nw.nInh, nw.steps)
		defer ahead.stop()
	}
	// The AVX-512 kernel (network_fast.go) where the CPU has it and it can take the population,
	// otherwise the reference; the two give the same numbers.
	fastE := haveAVX512 && !forceScalar && nw.fexc.ok
	fastI := haveAVX512 && !forceScalar && nw.finh.ok
	var accE, accI popSums
	var err error
	n := int64(0)
	slot := int64(-1) // n mod slots, kept without a division
	for ; n < nw.steps; n++ {
		if slot++; slot == slots {
			slot = 0
		}
		// groups, thresholds and resets (resets touch only v and i_adapt, which the synapses slot
		// does not, so doing them at once is Brian2's order).
		// Each population looks for synaptic fixed points (synFix) in every step while it has
		// some, and otherwise every fixCheckEvery steps.
		if nw.noise {
			z := s.z
			if ahead != nil {
				z = ahead.step(n)
			} else {
				s.noise.fill(z) // every unit draws one number in every step, as in Brian2
			}
			zE, zK, zX, zI = z[:nExc], z[:nKick], z[nKick:nExc], z[nExc:]
		}
		var check [3]bool
		for k := range check {
			check[k] = s.checkIn[k] == 0
		}
		spE := s.ringE[slot][:0]
		var bad, badE, badI bool
		var frozen [3]int
		if fastE {
			spE, badE = nw.exc.advanceFast(&nw.fexc, &s.fast[0], allE, nKick, n, 0, zE, spE, &accE)
		} else {
			spE, bad, frozen[0] = nw.exc.advance(kicked, n, 0, zK, spE, &accE, check[0])
			spE, badE, frozen[1] = nw.exc.advance(exc, n, int32(nKick), zX, spE, &accE, check[1])
		}
		spI := s.ringI[slot][:0]
		if fastI {
			spI, badI = nw.inh.advanceFast(&nw.finh, &s.fast[1], inh, 0, n, 0, zI, spI, &accI)
		} else {
			spI, badI, frozen[2] = nw.inh.advance(inh, n, 0, zI, spI, &accI, check[2])
		}
		for k := range check {
			switch {
			case !check[k]:
				s.checkIn[k]--
			case frozen[k] == 0:
				s.checkIn[k] = fixCheckEvery - 1
			}
		}
		s.ringE[slot], s.ringI[slot] = spE, spI
		for _, j := range spE {
			out.SpikeSteps = append(out.SpikeSteps, n)
			out.SpikeUnits = append(out.SpikeUnits, j)
		}
		for _, j := range spI {
			out.SpikeSteps = append(out.SpikeSteps, n)
			out.SpikeUnits = append(out.SpikeUnits, j+int32(nExc))
		}
		// synapses: each pathway delivers the spikes of step n−d through its synapses of delay d,
		// oldest first (the order in which Brian2's queue slot for step n was filled).
		for p := EE; p <= II; p++ {
			o := &nw.out[p]
			ring, u := s.ringE, s.uE
			if p.SourceInh() {
				ring = s.ringI
			}
			if p == EI || p == II {
				u = s.uI
			}
			if p.TargetInh() {
				u = u[nExc:]
			} else {
				u = u[:nExc]
			}
			for d := min(o.maxDelay, int(n)); d >= 0; d-- {
				k := slot - int64(d) // (n − d) mod slots
				if k < 0 {
					k += slots
				}
				if spikes := ring[k]; len(spikes) > 0 {
					o.deliver(spikes, d, u)
				}
			}
		}
		if n == nw.kickStep {
			for i := range s.uExt {
				s.uExt[i] += nw.cfg.KickAmp
			}
		}
		if bad || badE || badI {
			err = nw.runaway(s, n)
			n++
			break
		}
		if n%networkStopEvery == networkStopEvery-1 && out.Stop != nil && out.Stop.Load() {
			err = ErrStopped
			n++
			break
		}
	}
	out.StepsRun = n
	steps := float64(max(n, 1))
	out.MeanSEOntoE = laneTotal(&accE.sE) / steps / float64(nExc)
	out.MeanSIOntoE = laneTotal(&accE.sI) / steps / float64(nExc)
	out.MeanSEOntoI = laneTotal(&accI.sE) / steps / float64(nw.nInh)
	out.MeanSIOntoI = laneTotal(&accI.sI) / steps / float64(nw.nInh)
	return err
}

// deliver adds, for every presynaptic unit j of spikes, the increments of its synapses of delay d
// to u of their targets (u is the postsynaptic population's), one addition per synapse in synapse
// order, as Brian2 does.
func (o *outgoing) deliver(spikes []int32, d int, u []float64) {
	if o.target16 != nil {
		deliverTo(o, o.target16, spikes, d, u)
	} else {
		deliverTo(o, o.target, spikes, d, u)
	}
}

func deliverTo[T uint16 | int32](o *outgoing, target []T, spikes []int32, d int, u []float64) {
	stride := o.maxDelay + 1
	if o.inc == nil {
		inc := o.uniform
		for _, j := range spikes {
			g := int(j)*stride + d
			for _, t := range target[o.off[g]:o.off[g+1]] {
				u[t] += inc
			}
		}
		return
	}
	for _, j := range spikes {
		g := int(j)*stride + d
		lo, hi := o.off[g], o.off[g+1]
		incs := o.inc[lo:hi]
		for k, t := range target[lo:hi] {
			u[t] += incs[k]
		}
	}
}

// runaway returns the error of a run whose state failed at step n, naming the first bad unit.
func (nw *Network) runaway(s *NetworkScratch, n int64) error {
	for i, v := range s.v {
		if !(math.Abs(v) <= RunawayVolt) {
			pop, k := "E", i
			if i >= nw.nExc {
				pop, k = "I", i-nw.nExc
			}
			return fmt.Errorf("%w: %s unit %d (unit %d of the network) v = %g V at t = %g s (step %d); |v| must stay below %g V",
				ErrNumerical, pop, k, i, v, float64(n)*nw.cfg.DtSec, n, RunawayVolt)
		}
	}
	return fmt.Errorf("%w at step %d", ErrNumerical, n)
}
