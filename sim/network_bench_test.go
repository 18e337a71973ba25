package sim

import "testing"

// BenchmarkNetwork2000 is one trial of the 2022 paper's spiking network: N = 2000 units, p = 0.25
// (1.0 million synapses), the seed's weights, 2.5 mV of noise, the kick at 100 ms, 1.5 s of model
// time (15,000 steps). The connectivity is drawn once; each iteration runs a trial of another seed
// with a reused scratch and result. tools/bench_network_brian2.py times the same trial in Brian2.
func BenchmarkNetwork2000(b *testing.B) { benchNetwork2000(b, false) }

// BenchmarkNetwork2000NoiseAhead is BenchmarkNetwork2000 with NetworkScratch.NoiseAhead: the
// noise drawn on a second core.
func BenchmarkNetwork2000NoiseAhead(b *testing.B) { benchNetwork2000(b, true) }

func benchNetwork2000(b *testing.B, ahead bool) {
	cfg := seedNetworkConfig(2000, 0.25)
	nw := mustNetwork(b, cfg, mustConnectivity(b, cfg, 1))
	s := NetworkScratch{NoiseAhead: ahead}
	var r NetworkResult
	if err := nw.Run(0, &s, &r); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	spikes := 0
	for i := range b.N {
		if err := nw.Run(uint64(i+1), &s, &r); err != nil {
			b.Fatal(err)
		}
		spikes += len(r.SpikeSteps)
	}
	b.ReportMetric(float64(spikes)/float64(b.N), "spikes/trial")
}

// BenchmarkNetworkConnectivity2000 draws the connectivity of BenchmarkNetwork2000 and compiles
// the network.
func BenchmarkNetworkConnectivity2000(b *testing.B) {
	cfg := seedNetworkConfig(2000, 0.25)
	b.ReportAllocs()
	for i := range b.N {
		if _, err := NewNetwork(cfg, mustConnectivity(b, cfg, uint64(i))); err != nil {
			b.Fatal(err)
		}
	}
}
