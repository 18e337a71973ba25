//go:build amd64 && !purego

package sim

import (
	"math"
	"testing"
)

// TestLockKernLayout holds lockKern's field offsets to those batch_amd64.s uses.
func TestLockKernLayout(t *testing.T) {
	for name, o := range lockKernOffsets {
		if o[0] != o[1] {
			t.Errorf("lockKern.%s is at offset %d, the assembly reads it at %d", name, o[0], o[1])
		}
	}
}

// BenchmarkLockStepsBare is the lower bound of the lockstep path: lockSteps over stretches of
// 2,048 steps of four seed runs with no input spike and no output spike (v_thresh = +Inf), so
// that no step is handed back: both units' Euler update, the first-spike delivery of zero
// inputs, the charge sums and the runaway check of four runs. Per op: one step of the four.
func BenchmarkLockStepsBare(b *testing.B) {
	x, err := NewExperiment(seedConfig())
	if err != nil {
		b.Fatal(err)
	}
	var ls lockstep
	k := &ls.kern
	for l := range 4 {
		for u, c := range [2]*unitStep{&x.exc, &x.inh} {
			k.st[u][kV][l], k.st[u][kUE][l], k.st[u][kUI][l] = c.initialV, 3e-10, 1e-10
			k.last[u][l], k.ref[u][l] = NeverSpiked, c.refSteps
			for i, v := range [12]float64{c.aAdapt, c.aSE, c.aSI, c.aUE, c.aUI, c.dt, c.gL, c.eL, c.cm, math.Inf(1), c.incExc, c.incInh} {
				k.c[u][i][l] = v
			}
		}
		k.bound[0][l], k.bound[1][l] = RunawayVolt, -RunawayVolt
	}
	k.firstE, k.firstI, k.more = &ls.firstE[0], &ls.firstI[0], &ls.more[0]
	k.alive, k.nextFail = 0xf, math.MaxInt64
	start := k.st // each stretch starts here, so that the decaying currents never reach subnormals
	b.ResetTimer()
	for i := 0; i < b.N; i += batchChunk {
		k.st = start
		if n := lockSteps(k, 0, batchChunk); n != batchChunk {
			b.Fatalf("lockSteps stopped at step %d", n)
		}
	}
	sinkState = k.st[0][kV][0] + k.q[0][0]
}
