//go:build !amd64 || purego

package sim

// fillRun is fillGo where there is no assembly.
func fillRun(st *poissonState, dst []int64) (k int, u uint64, rejected bool) {
	return fillGo(st, dst)
}
