package sim

import (
	"errors"
	"math"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// TestNoiseAheadSameRun: with the noise drawn on a second goroutine a run is the same, spike for
// spike and bit for bit, as without, for networks whose step count is and is not a multiple of a
// chunk's steps, and a scratch reused for runs of another size starts afresh.
func TestNoiseAheadSameRun(t *testing.T) {
	var ahead NetworkScratch
	ahead.NoiseAhead = true
	for _, c := range []struct {
		n   int
		dur float64
	}{{200, 0.5}, {1000, 0.3}, {200, 0.2}} {
		cfg := seedNetworkConfig(c.n, 0.5)
		cfg.DurationSec = c.dur
		nw := mustNetwork(t, cfg, mustConnectivity(t, cfg, 3))
		if per := max(1, aheadNumbers/c.n); nw.Steps()%int64(per) == 0 {
			t.Fatalf("N %d: %d steps, a multiple of a chunk's %d: pick another duration", c.n, nw.Steps(), per)
		}
		var plain NetworkScratch
		var want, got NetworkResult
		if err := nw.Run(7, &plain, &want); err != nil {
			t.Fatal(err)
		}
		if err := nw.Run(7, &ahead, &got); err != nil {
			t.Fatal(err)
		}
		if len(want.SpikeSteps) < 50 {
			t.Fatalf("N %d: %d spikes, too few to compare", c.n, len(want.SpikeSteps))
		}
		if !slices.Equal(got.SpikeSteps, want.SpikeSteps) || !slices.Equal(got.SpikeUnits, want.SpikeUnits) {
			t.Fatalf("N %d: %d spikes with the noise ahead, %d without", c.n, len(got.SpikeSteps), len(want.SpikeSteps))
		}
		for k, x := range [][2]float64{{got.MeanSEOntoE, want.MeanSEOntoE}, {got.MeanSIOntoE, want.MeanSIOntoE},
			{got.MeanSEOntoI, want.MeanSEOntoI}, {got.MeanSIOntoI, want.MeanSIOntoI}} {
			if math.Float64bits(x[0]) != math.Float64bits(x[1]) {
				t.Errorf("N %d: mean current %d is %v with the noise ahead, %v without", c.n, k, x[0], x[1])
			}
		}
		for i := range c.n {
			if ahead.Unit(i) != plain.Unit(i) {
				t.Fatalf("N %d: unit %d ends %+v with the noise ahead, %+v without", c.n, i, ahead.Unit(i), plain.Unit(i))
			}
		}
	}
}

// TestNoiseAheadStops: a run that stops early (a Stop flag, a runaway unit) stops its producer:
// no goroutine is left behind, and the scratch runs again as new.
func TestNoiseAheadStops(t *testing.T) {
	before := runtime.NumGoroutine()
	cfg := seedNetworkConfig(100, 0.5)
	nw := mustNetwork(t, cfg, mustConnectivity(t, cfg, 1))
	var stop atomic.Bool
	stop.Store(true)
	s := NetworkScratch{NoiseAhead: true}
	r := NetworkResult{Stop: &stop}
	if err := nw.Run(1, &s, &r); !errors.Is(err, ErrStopped) {
		t.Fatalf("err %v, want ErrStopped", err)
	}
	bad := cfg
	bad.W.EIAmp = 1e-3
	bad.NoiseSigmaVolt = 10 * mV
	nwBad := mustNetwork(t, bad, mustConnectivity(t, bad, 1))
	var r2 NetworkResult
	if err := nwBad.Run(1, &s, &r2); !errors.Is(err, ErrNumerical) {
		t.Fatalf("err %v, want ErrNumerical", err)
	}
	var want, got NetworkResult
	if err := nw.Run(2, &NetworkScratch{}, &want); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(2, &s, &got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.SpikeUnits, want.SpikeUnits) || !slices.Equal(got.SpikeSteps, want.SpikeSteps) {
		t.Errorf("after stopped runs: %d spikes, want %d", len(got.SpikeSteps), len(want.SpikeSteps))
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the runs, %d before", n, before)
	}
}
