package sim

import (
	"math"
	"math/bits"
)

// normalRand draws standard normal numbers for the network's membrane noise: a 256-layer ziggurat
// (Marsaglia & Tsang 2000, in Doornik's 2005 form, which samples the wedges exactly) over a PCG
// generator (xoshiro256++, Blackman & Vigna 2019). One 64-bit draw gives the layer (low 8 bits) and a signed uniform (high 56 bits), so
// the common case costs one PCG step, a multiply and a comparison. The stream is eisweep's own:
// Brian2's noise comes from numpy, so noisy runs agree in distribution, not draw for draw.
type normalRand struct{ s0, s1, s2, s3 uint64 }

// seed starts the stream of seed and tag: the four state words come from one SplitMix64 chain
// started at seed^tag<<32 (as seedPCG's), which never gives the all-zero state.
func (r *normalRand) seed(seed, tag uint64) {
	z := seed ^ tag<<32
	r.s0 = splitmix(z)
	r.s1 = splitmix(r.s0)
	r.s2 = splitmix(r.s1)
	r.s3 = splitmix(r.s2)
}

// uint64 returns the next 64 random bits (xoshiro256++).
func (r *normalRand) uint64() uint64 {
	out := bits.RotateLeft64(r.s0+r.s3, 23) + r.s0
	t := r.s1 << 17
	r.s2 ^= r.s0
	r.s3 ^= r.s1
	r.s1 ^= r.s2
	r.s0 ^= r.s3
	r.s2 ^= t
	r.s3 = bits.RotateLeft64(r.s3, 45)
	return out
}

const (
	zigLayers = 256
	zigR      = 3.6541528853610088 // the start of the tail for 256 layers of equal area zigV
	zigV      = 4.92867323399e-3   // the area of each layer (the base layer includes the tail)
)

// zigX[i] is the right edge of layer i (zigX[0] = zigV/f(zigR), the base strip's equivalent
// width; zigX[256] = 0); zigRatio[i] = zigX[i+1]/zigX[i]: |u| below it is inside the layer's
// rectangle under the curve.
var zigX, zigRatio, zigF = zigTables()

// zigTables returns the edges, the inner ratios and f(x_i) = exp(−x_i²/2) of the layers.
func zigTables() (x [zigLayers + 1]float64, ratio [zigLayers]float64, fx [zigLayers + 1]float64) {
	f := math.Exp(-0.5 * zigR * zigR)
	x[0] = zigV / f
	x[1] = zigR
	for i := 2; i < zigLayers; i++ {
		x[i] = math.Sqrt(-2 * math.Log(zigV/x[i-1]+f))
		f = math.Exp(-0.5 * x[i] * x[i])
	}
	x[zigLayers] = 0
	for i := range ratio {
		ratio[i] = x[i+1] / x[i]
	}
	for i := range fx {
		fx[i] = math.Exp(-0.5 * x[i] * x[i])
	}
	return x, ratio, fx
}

// zigInt[i] is zigRatio[i]·2⁵⁵: the fast case compares the 56-bit signed integer of a draw with
// it, which avoids taking a float's absolute value.
var zigInt = func() (t [zigLayers]int64) {
	for i, r := range zigRatio {
		t[i] = int64(r * 0x1p55)
	}
	return t
}()

// zigFast is a draw's common case from its 64 bits b: the layer k, the signed uniform u, the
// number z = u·x_k, and whether z is inside the layer's inner rectangle (then it is the result).
func zigFast(b uint64) (z, u float64, k uint64, ok bool) {
	k = b & (zigLayers - 1)
	j := int64(b) >> 8
	u = float64(j) * 0x1p-55 // uniform on [−1, 1)
	m := j >> 63
	return u * zigX[k], u, k, (j^m)-m < zigInt[k]
}

// norm returns a standard normal number.
func (r *normalRand) norm() float64 {
	z, u, k, ok := zigFast(r.uint64())
	if ok {
		return z
	}
	return r.normSlow(k, u)
}

// fill sets every element of z to the next standard normal number, the same numbers as as many
// calls of norm, with the generator's state in registers.
func (r *normalRand) fill(z []float64) {
	s0, s1, s2, s3 := r.s0, r.s1, r.s2, r.s3
	for i := range z {
		b := bits.RotateLeft64(s0+s3, 23) + s0
		t := s1 << 17
		s2 ^= s0
		s3 ^= s1
		s1 ^= s2
		s0 ^= s3
		s2 ^= t
		s3 = bits.RotateLeft64(s3, 45)
		x, u, k, ok := zigFast(b)
		if !ok {
			r.s0, r.s1, r.s2, r.s3 = s0, s1, s2, s3
			x = r.normSlow(k, u)
			s0, s1, s2, s3 = r.s0, r.s1, r.s2, r.s3
		}
		z[i] = x
	}
	r.s0, r.s1, r.s2, r.s3 = s0, s1, s2, s3
}

// float64 returns a uniform number in [0, 1) with 53 random bits.
func (r *normalRand) float64() float64 { return float64(r.uint64()>>11) * 0x1p-53 }

// normSlow finishes a draw that fell outside its layer's inner rectangle: the tail beyond zigR
// (base layer) or a wedge, and otherwise starts over.
func (r *normalRand) normSlow(i uint64, u float64) float64 {
	for {
		if i == 0 {
			// Marsaglia's tail method: x = −ln(U₁)/R, accepted if −2 ln(U₂) ≥ x².
			for {
				x := -math.Log(1-r.float64()) / zigR
				y := -math.Log(1 - r.float64())
				if 2*y >= x*x {
					if u < 0 {
						return -(zigR + x)
					}
					return zigR + x
				}
			}
		}
		// A wedge: x is in layer i's strip but outside its inner rectangle. A uniform height
		// between the strip's bottom f(x_i) and top f(x_{i+1}) below the curve accepts x.
		x := u * zigX[i]
		if zigF[i]+r.float64()*(zigF[i+1]-zigF[i]) < math.Exp(-0.5*x*x) {
			return x
		}
		var z float64
		var ok bool
		if z, u, i, ok = zigFast(r.uint64()); ok {
			return z
		}
	}
}
