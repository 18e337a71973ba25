//go:build amd64 && !purego

package sim

import "testing"

// TestLockKernLayout holds lockKern's field offsets to those batch_amd64.s uses.
func TestLockKernLayout(t *testing.T) {
	for name, o := range lockKernOffsets {
		if o[0] != o[1] {
			t.Errorf("lockKern.%s is at offset %d, the assembly reads it at %d", name, o[0], o[1])
		}
	}
}
