// Package sim simulates eisweep's experiment: one excitatory (E) and one inhibitory (I) leaky
// integrate-and-fire unit with spike-triggered adaptation and rise/decay synapses, driven by an
// excitatory and an inhibitory input population (docs/MODEL.md §1–§3), and the f-I test that gives each
// unit's threshold and gain (docs/MODEL.md §5).
//
// # Brian2 exactness
//
// The reference is Brian2 2.5.1. Every step performs the arithmetic Brian2 generates for the
// seed's model, operation for operation, in SI units (volts, amperes, farads, siemens, seconds)
// as Brian2 holds them:
//
//	not_refractory = n − n_lastspike ≥ timestep(refractory)
//	i_adapt' = (−dt/τ_adapt)·i_adapt + i_adapt
//	s_E'     = (dt/τ_fall,E)·((−s_E) + u_E) + s_E        (s_I likewise)
//	u_E'     = (−dt/τ_rise,E)·u_E + u_E                   (u_I likewise)
//	v'       = v + (dt·(((g_L·(E_L − v)) + s_E) − (i_adapt + s_I)))/C_m   only if not_refractory
//	spike    = v' ≥ v_thresh and not_refractory
//	input:     u_E += (1/τ_rise,E[ms])·w, once per presynaptic spike
//	reset:     v ← v_reset, i_adapt += (1/τ_adapt)·β_adapt
//
// with the loop-invariant constants (−dt/τ_adapt, 1/τ_rise[ms], …) computed once, as Brian2 does.
// Floating-point expressions are written so that no multiply-add can be fused, so the results are
// the same on every architecture. Deterministic runs (frozen input, the f-I test) therefore
// reproduce Brian2's spikes exactly; tests compare them with golden data from Brian2 under
// testdata/brian2, produced by tools/brian2_goldens.py.
//
// # Runs in lockstep
//
// [Batch] runs several independent runs. On amd64 with AVX2 (golang.org/x/sys/cpu), it
// advances four runs of equal length in lockstep, one per lane of the vector registers, with an
// assembly kernel (lockSteps, batch_amd64.s) that keeps both units' state of the four runs in
// registers for a whole stretch of steps and hands back to Go only the steps with something
// rare to do (a spike, a lane's second input spike in a step, a runaway, a failing input): the
// element-wise vector operations round as the scalar ones do and none is fused, so each lane is
// exactly [Experiment.Run] (TestBatchEqualsRun, in both builds). A run alone is one chain of
// dependent arithmetic; four in one vector cost about what one does. Otherwise (other CPUs and
// architectures, the build tag purego) a Batch runs them one after another. Go 1.26's
// GOEXPERIMENT=simd (simd/archsimd) was the first version of this path: its register
// allocation kept most of the state on the stack, and the kernel is about 1.35 times faster
// per run (BenchmarkSeedBatch, side by side).
//
// A run's Poisson input is drawn ahead in blocks (Poisson.fill, its loop in assembly on amd64,
// poisson_amd64.s) with the numbers math/rand/v2's ExpFloat64 draws over PCG, bit for bit
// (expDraw, pcg): each run keeps its own random streams.
//
// # The recurrent network's fast path
//
// [Network.Run] updates its units with an AVX-512 kernel (network_fast_amd64.s) where the CPU
// and the OS support AVX-512 F, DQ, BW and VL (golang.org/x/sys/cpu), and with the reference,
// popStep.advance, everywhere else: other CPUs and architectures, the build tag purego, and the
// few units the kernel hands back (a population's last N mod 8 units, groups whose v is within
// 2⁻⁶⁰⁰ of 0). The kernel gives the reference's numbers bit for bit: every operation unfused and
// in Brian2's order, the divisions by C_m and √τ_m in three exact operations from a reciprocal
// when the divisor allows it (divExactOK, most do) and by vdivpd otherwise, the mean currents'
// sums added in eight lanes of units (popSums), the runaway rule, and synaptic pairs at subnormal
// fixed points skipped (network_fast.go explains why that is exact). The noise is one standard
// normal number per unit per step from a 1024-layer ziggurat over eight xoshiro256++ lanes (network_normal.go),
// drawn by AVX-512 or by its scalar twin, which gives the same stream: a seed's run is the same
// on every machine. Tests hold the two paths to each other, in one process, over full runs.
//
// The package is pure computation: no files, flags or goroutines. An [Experiment] is safe for
// concurrent use by several goroutines, each with its own [Result] and inputs; nothing in a run
// allocates once the Result's buffers have grown to size.
package sim
