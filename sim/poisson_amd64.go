//go:build amd64 && !purego

package sim

// fillRun is fillGo in assembly (poisson_amd64.s), with the generator's state in registers
// throughout: compiled from Go, the loop kept it on the stack around the multiplications'
// fixed registers, and a spike cost about twice as much (BenchmarkPoisson).
//
//go:noescape
func fillRun(st *poissonState, dst []int64) (k int, u uint64, rejected bool)
