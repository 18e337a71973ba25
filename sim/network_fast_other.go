//go:build !amd64 || purego

package sim

// haveAVX512 is false: this build has no assembly, and the network runs its scalar code.
const haveAVX512 = false

func zigBlocksAVX512(st *[32]uint64, z []float64, mbuf []uint8, rbuf []uint64) {
	panic("sim: no assembly in this build")
}

func laneWordsAVX512(st *[32]uint64, w []uint64) { panic("sim: no assembly in this build") }
