package sim

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// normalGen draws the network's membrane noise: standard normal numbers from a 1024-layer ziggurat
// (Marsaglia & Tsang 2000, in Doornik's 2005 form) fed by eight xoshiro256++ generators (Blackman
// & Vigna 2019), the lanes, that advance together, one block of eight draws at a time: lane l's
// word r gives draw 8b+l of block b, the layer i = r & 1023 and a signed 53-bit integer
// j = int64(r) >> 11, and the draw is j·x_i·2⁻⁵² when |j| is below the layer's inner rectangle
// (99.6 % of draws). The others are finished one at a time, in order of block and then lane, from
// a ninth xoshiro256++ stream (aux): a wedge's uniform height, Marsaglia's tail, or a fresh word
// when a wedge rejects.
//
// The stream is a function of the seed only. With AVX-512 (see [haveAVX512]) the blocks are drawn
// eight lanes at a time in assembly (network_normal_amd64.s); otherwise, or with the build tag
// purego, scalar code draws the very same numbers, and fill hands out the next len(z) numbers of
// the stream however its calls split it (a partly used block waits for the next call). Every
// operation of the slow path is rounded as written (no fused multiply-add) and uses this file's
// portable exp and log, and the tables are computed with them, so the numbers are the same on
// every machine.
type normalGen struct {
	lanes [32]uint64 // the 8 lanes' states: s0[8] s1[8] s2[8] s3[8]
	aux   [4]uint64  // the aux stream's state
	pend  [8]float64 // the last block drawn; its last npend numbers are still to come
	npend int
	rbuf  [nzChunk]uint64
	mbuf  [nzChunk / 8]uint8
}

// nzChunk is the number of draws generated per call of the block kernel.
const nzChunk = 2048

// splitmix64 returns the next output of the SplitMix64 generator with state *x.
func splitmix64(x *uint64) uint64 {
	*x += 0x9e3779b97f4a7c15
	z := *x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// seedLanes sets 8 xoshiro256++ states from the SplitMix64 chain x (never all zero).
func seedLanes(lanes *[32]uint64, x *uint64) {
	for i := range lanes {
		lanes[i] = splitmix64(x)
	}
}

// seed starts the stream of seed and tag: the aux state and then the lanes' states are the
// outputs of one SplitMix64 chain started at seed^tag<<32.
func (g *normalGen) seed(seed, tag uint64) {
	x := seed ^ tag<<32
	for i := range g.aux {
		g.aux[i] = splitmix64(&x)
	}
	seedLanes(&g.lanes, &x)
	g.npend = 0
}

// uint64 returns the next word of the aux stream (xoshiro256++).
func (g *normalGen) uint64() uint64 {
	s := &g.aux
	r := bits.RotateLeft64(s[0]+s[3], 23) + s[0]
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = bits.RotateLeft64(s[3], 45)
	return r
}

// uniformOpen returns a uniform number in (0, 1) from the aux stream (exact arithmetic).
func (g *normalGen) uniformOpen() float64 {
	return (float64(int64(g.uint64()>>11)) + 0.5) * 0x1p-53
}

// fill sets z to the next len(z) numbers of the stream.
func (g *normalGen) fill(z []float64) { g.fillPath(z, haveAVX512 && !forceScalar) }

// fillPath is fill on the assembly path (vec) or the scalar one: the same numbers.
func (g *normalGen) fillPath(z []float64, vec bool) {
	if g.npend > 0 {
		k := copy(z, g.pend[8-g.npend:])
		g.npend -= k
		z = z[k:]
	}
	for len(z) >= 8 {
		m := min(len(z)&^7, nzChunk)
		g.blocks(z[:m], vec)
		z = z[m:]
	}
	if len(z) > 0 {
		g.blocks(g.pend[:], vec)
		g.npend = 8 - copy(z, g.pend[:])
	}
}

// blocks draws len(z)/8 ≤ nzChunk/8 blocks into z.
func (g *normalGen) blocks(z []float64, vec bool) {
	nb := len(z) / 8
	mb, rb := g.mbuf[:nb], g.rbuf[:8*nb]
	if vec {
		zigBlocksAVX512(&g.lanes, z, mb, rb)
	} else {
		zigBlocksScalar(&g.lanes, z, mb, rb)
	}
	// The draws that missed the fast case, in order: bit l of mbuf[b] is draw 8b+l, so in mbuf
	// read as little-endian 64-bit words bit k of word w is draw 64w+k.
	for w := 0; 8*w < nb; w++ {
		var m uint64
		if 8*w+8 <= nb {
			m = binary.LittleEndian.Uint64(mb[8*w:])
		} else {
			b := [8]uint8{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
			copy(b[:], mb[8*w:])
			m = binary.LittleEndian.Uint64(b[:])
		}
		for x := ^m; x != 0; x &= x - 1 {
			k := 64*w + bits.TrailingZeros64(x)
			z[k] = g.slow(rb[k])
		}
	}
}

// zigBlocksScalar is the scalar twin of zigBlocksAVX512: lane by lane (each lane's state stays in
// registers), block b's lane l goes to z[8b+l]; mbuf[b] gets bit l if that draw passed the fast
// test, and otherwise its word goes to rbuf[8b+l].
func zigBlocksScalar(st *[32]uint64, z []float64, mbuf []uint8, rbuf []uint64) {
	nb := len(mbuf)
	z, rbuf = z[:8*nb], rbuf[:8*nb]
	clear(mbuf)
	for l := range 8 {
		s0, s1, s2, s3 := st[l], st[8+l], st[16+l], st[24+l]
		bit := uint8(1) << l
		for b := range nb {
			r := bits.RotateLeft64(s0+s3, 23) + s0
			t := s1 << 17
			s2 ^= s0
			s3 ^= s1
			s1 ^= s2
			s0 ^= s3
			s2 ^= t
			s3 = bits.RotateLeft64(s3, 45)
			i := r & (nzLayers - 1)
			j := int64(r) >> 11
			k := 8*b + l
			if (j^(j>>63))-(j>>63) < nzK[i] {
				z[k] = float64(j) * nzW[i]
				mbuf[b] |= bit
			} else {
				rbuf[k] = r
			}
		}
		st[l], st[8+l], st[16+l], st[24+l] = s0, s1, s2, s3
	}
}

// laneWords sets w (len(w) a multiple of 8) to the lanes' next len(w)/8 words, block b's lane l at
// w[8b+l]: the raw xoshiro256++ outputs, for the connectivity's draws.
func laneWords(st *[32]uint64, w []uint64) {
	if haveAVX512 && !forceScalar {
		laneWordsAVX512(st, w)
		return
	}
	laneWordsScalar(st, w)
}

// laneWordsScalar is laneWords in scalar code.
func laneWordsScalar(st *[32]uint64, w []uint64) {
	nb := len(w) / 8
	w = w[:8*nb]
	for l := range 8 {
		s0, s1, s2, s3 := st[l], st[8+l], st[16+l], st[24+l]
		for b := range nb {
			w[8*b+l] = bits.RotateLeft64(s0+s3, 23) + s0
			t := s1 << 17
			s2 ^= s0
			s3 ^= s1
			s1 ^= s2
			s0 ^= s3
			s2 ^= t
			s3 = bits.RotateLeft64(s3, 45)
		}
		st[l], st[8+l], st[16+l], st[24+l] = s0, s1, s2, s3
	}
}

// The ziggurat's tables. nzX[i] is the right edge of layer i (nzX[0] = V/f(R), the base strip's
// equivalent width, nzX[1] = R, nzX[1024] = 0), nzF[i] = f(nzX[i]) with f(x) = exp(−x²/2),
// nzW[i] = nzX[i]·2⁻⁵², and nzK[i] = ⌈nzX[i+1]/nzX[i]·2⁵²⌉: |j| < nzK[i] is inside the layer's
// inner rectangle, where j·nzW[i] is the draw. They are computed with expPortable, logPortable
// and math.Sqrt, and are therefore the same on every machine.
const (
	nzLayers = 1024
	nzR      = 4.0388498461095045    // the start of the tail
	nzV      = 1.2263246463530881e-3 // the area of each layer (the base layer includes the tail)
)

var (
	nzX, nzF [nzLayers + 1]float64
	nzW      [nzLayers]float64
	nzK      [nzLayers]int64
	// The wedge squeeze (see nzSqueeze): 1/(x_i − x_{i+1}) and the bound on the curve's distance
	// from the chord; nzE[i] > 0 concave layers, < 0 convex, 0 the layer around the inflection.
	nzInvW, nzE [nzLayers]float64
)

// nzMargin covers the rounding of the squeeze's chord coordinate and of the tables.
const nzMargin = 1e-11

func init() {
	f := expPortable(float64(float64(-0.5*nzR) * nzR))
	nzX[0] = nzV / f
	nzX[1] = nzR
	for i := 2; i < nzLayers; i++ {
		nzX[i] = math.Sqrt(-2 * logPortable(nzV/nzX[i-1]+f))
		f = expPortable(float64(float64(-0.5*nzX[i]) * nzX[i]))
	}
	nzX[nzLayers] = 0
	for i := range nzF {
		nzF[i] = expPortable(float64(float64(-0.5*nzX[i]) * nzX[i]))
	}
	for i := range nzW {
		nzW[i] = nzX[i] * 0x1p-52
		nzK[i] = int64(math.Ceil(float64(nzX[i+1]/nzX[i]) * 0x1p52))
	}
	nzSqueeze()
}

// nzSqueeze sets nzInvW and nzE. Layer i ≥ 1's wedge is x in [x_{i+1}, x_i], y in [f_i, f_{i+1}].
// With s = (x_i − x)/(x_i − x_{i+1}) and Δ = f_{i+1} − f_i the chord is f_i + s·Δ, and the height
// y = f_i + u·Δ is under the curve iff u < s + gap(x)/Δ, gap = f − chord. Where f is concave
// (x_i ≤ 1), 0 ≤ gap/Δ ≤ nzE[i]; where it is convex (x_{i+1} ≥ 1), −|nzE[i]| ≤ gap/Δ ≤ 0. So a
// wedge point is decided by two comparisons unless u is within nzE[i] of s (0.8 % of them), and
// exp is computed only then. The shortcuts decide only where the exp test decides the same, so
// the distribution is the ziggurat's.
func nzSqueeze() {
	for i := 1; i < nzLayers; i++ {
		xi, xj := nzX[i], nzX[i+1]
		nzInvW[i] = 1 / (xi - xj)
		concave := xi <= 1
		if !concave && xj < 1 {
			continue // the inflection point is inside: always exp
		}
		d := nzF[i+1] - nzF[i]
		h := func(x float64) float64 { // gap/Δ, or −gap/Δ on convex layers: concave in x
			c := nzF[i] + float64(float64(float64(xi-x)*nzInvW[i])*d)
			g := (expPortable(float64(float64(-0.5*x)*x)) - c) / d
			if concave {
				return g
			}
			return -g
		}
		// golden-section search for the maximum
		const phi = 0.6180339887498949
		a, b := xj, xi
		c1, c2 := b-float64(phi*(b-a)), a+float64(phi*(b-a))
		h1, h2 := h(c1), h(c2)
		for range 60 {
			if h1 > h2 {
				b, c2, h2 = c2, c1, h1
				c1 = b - float64(phi*(b-a))
				h1 = h(c1)
			} else {
				a, c1, h1 = c1, c2, h2
				c2 = a + float64(phi*(b-a))
				h2 = h(c2)
			}
		}
		e := float64(max(h1, h2, 0)*1.001) + nzMargin
		if !concave {
			e = -e
		}
		nzE[i] = e
	}
}

// slow finishes a draw whose word r missed the fast case: Marsaglia's tail method beyond R for
// the base layer, a wedge test otherwise (the squeeze, then exp), and a fresh word from the aux
// stream when the wedge rejects. Every product that is added to something is rounded explicitly
// (float64(…)), so that no compiler fuses it into a multiply-add.
func (g *normalGen) slow(r uint64) float64 {
	for {
		i := r & (nzLayers - 1)
		j := int64(r) >> 11
		if (j^(j>>63))-(j>>63) < nzK[i] {
			return float64(j) * nzW[i]
		}
		if i == 0 {
			// Marsaglia's tail: x = −ln(U₁)/R, accepted if −2 ln(U₂) ≥ x².
			for {
				x := -logPortable(g.uniformOpen()) / nzR
				y := -logPortable(g.uniformOpen())
				if y+y >= float64(x*x) {
					if j < 0 {
						return -(nzR + x)
					}
					return nzR + x
				}
			}
		}
		x := float64(j) * nzW[i]
		u := g.uniformOpen()
		sq := float64(nzX[i]-math.Abs(x)) * nzInvW[i]
		switch e := nzE[i]; {
		case e > 0:
			if u < sq-nzMargin {
				return x
			}
			if u >= sq+e {
				r = g.uint64()
				continue
			}
		case e < 0:
			if u >= sq+nzMargin {
				r = g.uint64()
				continue
			}
			if u < sq+e {
				return x
			}
		}
		if nzF[i]+float64(u*(nzF[i+1]-nzF[i])) < expPortable(float64(float64(-0.5*x)*x)) {
			return x
		}
		r = g.uint64()
	}
}

// expPortable and logPortable are the portable versions of Go's math.Exp and math.Log (FreeBSD's
// msun, as in Go's math package), with every product that feeds an addition rounded explicitly
// so that no compiler fuses it into a multiply-add. math.Exp and math.Log run assembly on amd64
// (Exp also on arm64, and with FMA on some CPUs), whose results may differ in the last bit; these
// are the same on every machine, within 1 ulp of the exact values. Arguments must be rounded
// already (float64(a*b)) for the same reason.
func expPortable(x float64) float64 {
	const (
		ln2Hi     = 6.93147180369123816490e-01
		ln2Lo     = 1.90821492927058770002e-10
		log2e     = 1.44269504088896338700e+00
		overflow  = 7.09782712893383973096e+02
		underflow = -7.45133219101941108420e+02
		nearZero  = 1.0 / (1 << 28)
		p1        = 1.66666666666666657415e-01
		p2        = -2.77777777770155933842e-03
		p3        = 6.61375632143793436117e-05
		p4        = -1.65339022054652515390e-06
		p5        = 4.13813679705723846039e-08
	)
	switch {
	case math.IsNaN(x):
		return x
	case x > overflow:
		return math.Inf(1)
	case x < underflow:
		return 0
	case -nearZero < x && x < nearZero:
		return 1 + x
	}
	var k int
	switch {
	case x < 0:
		k = int(float64(log2e*x) - 0.5)
	case x > 0:
		k = int(float64(log2e*x) + 0.5)
	}
	hi := x - float64(float64(k)*ln2Hi)
	lo := float64(float64(k) * ln2Lo)
	r := hi - lo
	t := r * r
	c := r - float64(t*(p1+float64(t*(p2+float64(t*(p3+float64(t*(p4+float64(t*p5)))))))))
	y := 1 - ((lo - float64(r*c)/(2-c)) - hi)
	return math.Ldexp(y, k)
}

// logPortable: see expPortable.
func logPortable(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
		l1    = 6.666666666666735130e-01
		l2    = 3.999999999940941908e-01
		l3    = 2.857142874366239149e-01
		l4    = 2.222219843214978396e-01
		l5    = 1.818357216161805012e-01
		l6    = 1.531383769920937332e-01
		l7    = 1.479819860511658591e-01
	)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	}
	f1, ki := math.Frexp(x)
	if f1 < math.Sqrt2/2 {
		f1 *= 2
		ki--
	}
	f := f1 - 1
	k := float64(ki)
	s := f / (2 + f)
	s2 := s * s
	s4 := s2 * s2
	t1 := float64(s2 * (l1 + float64(s4*(l3+float64(s4*(l5+float64(s4*l7)))))))
	t2 := float64(s4 * (l2 + float64(s4*(l4+float64(s4*l6)))))
	R := t1 + t2
	hfsq := float64(float64(0.5*f) * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+R)) + float64(k*ln2Lo))) - f)
}
