package sim

import "math/bits"

// pcg is the PCG-DXSM generator math/rand/v2's PCG is (a 128-bit linear congruential state
// with O'Neill's standard multiplier and increment, output by the "double xorshift multiply"
// permutation), as a plain value whose next method the compiler inlines: rand.PCG's Uint64 is
// a call of its own, and through a rand.Rand an indirect one too. pcg{hi, lo} gives exactly the
// numbers rand.NewPCG(hi, lo) gives (TestPCGEqualsRandPCG).
type pcg struct{ hi, lo uint64 }

// The generator's constants: the 128-bit LCG multiplier and increment of the PCG family's
// reference implementation, and DXSM's 64-bit multiplier.
const (
	pcgMulHi   = 0x2360ed051fc65da4
	pcgMulLo   = 0x4385df649fccf645
	pcgIncHi   = 0x5851f42d4c957f2d
	pcgIncLo   = 0x14057b7ef767814f
	pcgDXSMMul = 0xda942042e4dd58b5
)

// next advances the state (state·mul + inc, mod 2¹²⁸) and returns the new state's DXSM output.
func (p *pcg) next() uint64 {
	hi, lo := bits.Mul64(p.lo, pcgMulLo)
	hi += p.hi*pcgMulLo + p.lo*pcgMulHi
	lo, c := bits.Add64(lo, pcgIncLo, 0)
	hi, _ = bits.Add64(hi, pcgIncHi, c)
	p.hi, p.lo = hi, lo
	hi ^= hi >> 32
	hi *= pcgDXSMMul
	hi ^= hi >> 48
	return hi * (lo | 1)
}

// Uint64 implements rand.Source.
func (p *pcg) Uint64() uint64 { return p.next() }
