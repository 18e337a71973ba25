//go:build !amd64 || purego

package sim

// haveAVX512 is false: this build has no assembly, and the network runs its scalar code.
const haveAVX512 = false

func netGroups(c *netConst, n int64, cnt int, v, ia, se, ue, si, ui *float64, last *int64, z *float64, sx, ux *float64, mbuf *uint16, rec *float64) {
	panic("sim: no assembly in this build")
}

func netGroupsDiv(c *netConst, n int64, cnt int, v, ia, se, ue, si, ui *float64, last *int64, z *float64, sx, ux *float64, mbuf *uint16, rec *float64) {
	panic("sim: no assembly in this build")
}

func netGroupsFull(c *netConst, n int64, cnt int, v, ia, se, ue, si, ui *float64, last *int64, z *float64, sx, ux *float64, mbuf *uint16, rec *float64) {
	panic("sim: no assembly in this build")
}

func netGroupsNoIA(c *netConst, n int64, cnt int, v, ia, se, ue, si, ui *float64, last *int64, z *float64, sx, ux *float64, mbuf *uint16, rec *float64) {
	panic("sim: no assembly in this build")
}

func zigBlocksAVX512(st *[32]uint64, z []float64, mbuf []uint8, rbuf []uint64) {
	panic("sim: no assembly in this build")
}

func laneWordsAVX512(st *[32]uint64, w []uint64) { panic("sim: no assembly in this build") }
