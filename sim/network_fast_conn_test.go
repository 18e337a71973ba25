package sim

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestCompileOutgoingUnsorted: a pathway whose synapses are not sorted by presynaptic unit (a
// loaded connectivity) compiles, by the general counting sort, to what the same synapses sorted
// stably by presynaptic unit compile to by the per-unit sort: the same groups, in synapse order.
func TestCompileOutgoingUnsorted(t *testing.T) {
	cfg := seedNetworkConfig(300, 0.3)
	c := mustConnectivity(t, cfg, 5)
	r := rand.New(rand.NewPCG(1, 2))
	for p := EE; p <= II; p++ {
		n := len(c.Pre[p])
		perm := r.Perm(n)
		pre, post, delay := make([]int32, n), make([]int32, n), make([]int32, n)
		w := make([]float64, n)
		for k, q := range perm {
			pre[k], post[k], delay[k], w[k] = c.Pre[p][q], c.Post[p][q], c.DelaySteps[p][q], float64(q)
		}
		u := &Connectivity{NExc: c.NExc, NInh: c.NInh, DtSec: c.DtSec}
		u.Pre[p], u.Post[p], u.DelaySteps[p], u.WeightAmp[p] = pre, post, delay, w
		st := u.scan(p)
		if st.sorted {
			t.Fatalf("%v: a shuffled pathway scans as sorted", p)
		}
		nPre, _ := cfg.pathwaySizes(p)
		got := compileOutgoing(pre, post, delay, w, st, nPre, cfg.NUnits, 1, 1)
		// the same synapses, stably sorted by presynaptic unit
		idx := make([]int, n)
		for k := range idx {
			idx[k] = k
		}
		slices.SortStableFunc(idx, func(a, b int) int { return int(pre[a]) - int(pre[b]) })
		sp, spo, sd, sw := make([]int32, n), make([]int32, n), make([]int32, n), make([]float64, n)
		for k, q := range idx {
			sp[k], spo[k], sd[k], sw[k] = pre[q], post[q], delay[q], w[q]
		}
		s := &Connectivity{}
		s.Pre[p], s.Post[p], s.DelaySteps[p] = sp, spo, sd
		sst := s.scan(p)
		if !sst.sorted || sst.maxDelay != st.maxDelay {
			t.Fatalf("%v: sorted stats %+v, shuffled %+v", p, sst, st)
		}
		want := compileOutgoing(sp, spo, sd, sw, sst, nPre, cfg.NUnits, 1, 1)
		if got.maxDelay != want.maxDelay || !slices.Equal(got.off, want.off) || !slices.Equal(got.target, want.target) || !slices.Equal(got.target16, want.target16) ||
			!slices.Equal(got.inc, want.inc) {
			t.Fatalf("%v: the general sort and the per-unit sort differ", p)
		}
	}
}

// TestConnectivityScan: scan finds the largest indices and delay (negative numbers as large) and
// whether the synapses are sorted, and validate names the first bad synapse.
func TestConnectivityScan(t *testing.T) {
	c := &Connectivity{NExc: 4, NInh: 2, DtSec: 1e-4}
	c.Pre[EE] = []int32{0, 0, 1, 3}
	c.Post[EE] = []int32{1, 2, 0, 2}
	c.DelaySteps[EE] = []int32{1, 7, 2, 0}
	if st := c.scan(EE); st != (pathwayStats{maxPre: 3, maxPost: 2, maxDelay: 7, sorted: true}) {
		t.Errorf("stats %+v", st)
	}
	c.Pre[EE][2] = -1
	if st := c.scan(EE); st.sorted || st.maxPre != 1<<32-1 {
		t.Errorf("with a negative index: stats %+v", st)
	}
	if err := c.Validate(); err == nil || err.Error() != "EE synapse 2: presynaptic unit -1, want 0 … 3" {
		t.Errorf("error %v", err)
	}
}

// TestOutgoingNarrowTargets: a pathway onto a population of at most 2¹⁶ units keeps 16-bit
// targets only; onto a larger one, 32-bit targets.
func TestOutgoingNarrowTargets(t *testing.T) {
	pre, post, delay := []int32{0, 0, 1}, []int32{5, 70000, 3}, []int32{1, 2, 1}
	st := pathwayStats{maxDelay: 2, sorted: true}
	big := compileOutgoing(pre, post, delay, nil, st, 2, 70001, 1, 1)
	if big.target16 != nil || !slices.Equal(big.target, []int32{5, 70000, 3}) {
		t.Errorf("onto 70001 units: target %v, target16 %v", big.target, big.target16)
	}
	small := compileOutgoing(pre, []int32{5, 9, 3}, delay, nil, st, 2, 1<<16, 1, 1)
	if small.target != nil || !slices.Equal(small.target16, []uint16{5, 9, 3}) {
		t.Errorf("onto 2^16 units: target %v, target16 %v", small.target, small.target16)
	}
}
