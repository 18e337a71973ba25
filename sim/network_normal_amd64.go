//go:build amd64 && !purego

package sim

// zigFill8 draws nblk blocks of 8 (network_normal_amd64.s).
//
//go:noescape
func zigFill8(st *[32]uint64, dst *float64, nblk int, w *float64, k *int64, rbuf *uint64, mbuf *uint8)

// laneFill8 writes the lanes' next nblk blocks of 8 raw words (network_normal_amd64.s).
//
//go:noescape
func laneFill8(st *[32]uint64, dst *uint64, nblk int)

// zigBlocksAVX512 is zigBlocksScalar in AVX-512: the same numbers, masks and words.
func zigBlocksAVX512(st *[32]uint64, z []float64, mbuf []uint8, rbuf []uint64) {
	nb := len(mbuf)
	if nb == 0 {
		return
	}
	_ = z[8*nb-1]
	_ = rbuf[8*nb-1]
	zigFill8(st, &z[0], nb, &nzW[0], &nzK[0], &rbuf[0], &mbuf[0])
}

// laneWordsAVX512 is laneWordsScalar in AVX-512.
func laneWordsAVX512(st *[32]uint64, w []uint64) {
	if nb := len(w) / 8; nb > 0 {
		laneFill8(st, &w[0], nb)
	}
}
