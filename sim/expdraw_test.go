package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestExpDrawEqualsExpFloat64 draws millions of exponentials both ways from generators of equal
// seeds: every number must be ExpFloat64's to the bit, on the fast path and the rejection path
// alike, and the generators must end in the same state (the same numbers consumed).
func TestExpDrawEqualsExpFloat64(t *testing.T) {
	n := 4_000_000
	if testing.Short() {
		n = 400_000
	}
	for _, seed := range []uint64{1, 0x45786369, 1 << 63} {
		ref, own := rand.NewPCG(seed, ^seed), &pcg{seed, ^seed}
		lib := rand.New(ref)
		var e expDraw
		slow := 0
		for k := range n {
			before := *own
			want, got := lib.ExpFloat64(), e.next(own)
			if math.Float64bits(want) != math.Float64bits(got) {
				t.Fatalf("seed %d, draw %d: ExpFloat64 %v, expDraw %v", seed, k, want, got)
			}
			if u := before.next(); uint32(u) >= expK[uint8(u>>32)] {
				slow++
			}
		}
		if a, b := ref.Uint64(), own.next(); a != b {
			t.Fatalf("seed %d: generators diverged after %d draws: next numbers %#x and %#x", seed, n, a, b)
		}
		// The rejection path must have been taken, or this test did not test it.
		if slow < n/1000 {
			t.Fatalf("seed %d: only %d of %d draws took the rejection path", seed, slow, n)
		}
	}
}

// TestExpTables checks the probed tables' shape: layer 1 has no fast positions (the ziggurat's
// base layer split), all others do, and the layers' widths grow from layer 1 on.
func TestExpTables(t *testing.T) {
	for i := range 256 {
		if (expK[i] == 0) != (i == 1) {
			t.Errorf("layer %d: k = %#x", i, expK[i])
		}
		if !(expW[i] > 0) {
			t.Errorf("layer %d: w = %v", i, expW[i])
		}
		if i > 1 && expW[i] <= expW[i-1] {
			t.Errorf("layer %d: w = %v not above layer %d's %v", i, expW[i], i-1, expW[i-1])
		}
	}
}

// BenchmarkExpDraw compares one exponential through ExpFloat64 and through expDraw.
func BenchmarkExpDraw(b *testing.B) {
	b.Run("ExpFloat64", func(b *testing.B) {
		r := rand.New(rand.NewPCG(1, 2))
		s := 0.0
		for b.Loop() {
			s += r.ExpFloat64()
		}
		sinkState = s
	})
	b.Run("expDraw", func(b *testing.B) {
		var e expDraw
		src := &pcg{1, 2}
		s := 0.0
		for b.Loop() {
			s += e.next(src)
		}
		sinkState = s
	})
}

// TestPCGEqualsRandPCG: pcg{hi, lo} gives rand.NewPCG(hi, lo)'s numbers.
func TestPCGEqualsRandPCG(t *testing.T) {
	for _, s := range [][2]uint64{{0, 0}, {1, 2}, {^uint64(0), 1 << 63}, {splitmix(7), splitmix(splitmix(7))}} {
		ref, own := rand.NewPCG(s[0], s[1]), &pcg{s[0], s[1]}
		for k := range 100_000 {
			if a, b := ref.Uint64(), own.next(); a != b {
				t.Fatalf("seed %#x: number %d is %#x, rand.PCG's %#x", s, k, b, a)
			}
		}
	}
}

// TestFillRunEqualsGo runs fillRun (the assembly on amd64) and fillGo from equal states, with
// buffers that fill up, streams that end inside a buffer, and rates whose draws the ziggurat
// rejects: the spikes, the returned draw and the states must be equal at every return.
func TestFillRunEqualsGo(t *testing.T) {
	rejections := 0
	for _, c := range []struct {
		n       int
		rateHz  float64
		steps   int64
		bufSize int
	}{{400, 5, 10_000, 32}, {100, 14, 10_000, 7}, {1, 9000, 50, 3}, {3000, 0.5, 2_000, 256}, {5, 1, 100, 1}} {
		for seed := range uint64(20) {
			var p Poisson
			if err := p.Reset(seed, seed*7+1, c.n, c.rateHz, 1e-4, c.steps); err != nil {
				t.Fatal(err)
			}
			asm, gost := p.st, p.st
			bufA, bufG := make([]int64, c.bufSize), make([]int64, c.bufSize)
			for call := 0; asm.pos < asm.end; call++ {
				ka, ua, ra := fillRun(&asm, bufA)
				kg, ug, rg := fillGo(&gost, bufG)
				if ka != kg || ra != rg || (ra && ua != ug) || asm != gost || !slices.Equal(bufA[:ka], bufG[:kg]) {
					t.Fatalf("%+v seed %d, call %d: fillRun gave %d spikes, draw %#x, rejected %v, state %+v; fillGo %d, %#x, %v, %+v",
						c, seed, call, ka, ua, ra, asm, kg, ug, rg, gost)
				}
				if ra { // step past the rejected draw as fill does
					asm.pos = skip(asm.pos, 0, asm.lambda, asm.end)
					gost = asm
					rejections++
				}
			}
		}
	}
	if rejections == 0 {
		t.Fatal("no draw was rejected: the test did not reach the rejection exit")
	}
}
