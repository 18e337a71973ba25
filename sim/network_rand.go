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
var zigX, zigRatio = zigTables()

func zigTables() (x [zigLayers + 1]float64, ratio [zigLayers]float64) {
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
	return x, ratio
}

// norm returns a standard normal number.
func (r *normalRand) norm() float64 {
	b := r.uint64()
	i := b & (zigLayers - 1)
	u := float64(int64(b)>>8) * 0x1p-55 // uniform on [−1, 1)
	if math.Abs(u) < zigRatio[i] {
		return u * zigX[i]
	}
	return r.normSlow(i, u)
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
		x := u * zigX[i]
		f0 := math.Exp(-0.5 * (zigX[i]*zigX[i] - x*x))
		f1 := math.Exp(-0.5 * (zigX[i+1]*zigX[i+1] - x*x))
		if f1+r.float64()*(f0-f1) < 1 {
			return x
		}
		b := r.uint64()
		i = b & (zigLayers - 1)
		u = float64(int64(b)>>8) * 0x1p-55
		if math.Abs(u) < zigRatio[i] {
			return u * zigX[i]
		}
	}
}
