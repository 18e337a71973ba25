package sweep

// networkParams are the parameters only the network experiment has (docs/MODEL.md §8):
// the trial, the noise, the delays, the kick that starts an Up state, and how Ups are detected.
// Its size, units, synapses and weights are the shared parameters net.*, exc.*, inh.*, syn.*
// and weights.*.
func networkParams() []*Param {
	t := func(m *Model) *NetworkTrial { return &m.Trial }
	ps := []*Param{
		q("network.duration", "s", Time, "1.5 s", "1 ms", "100000 s", "simulated time of one network trial (the kick at network.kick_time, then the Up state)",
			func(m *Model, v float64) { t(m).DurationSec = v }),
		q("network.noise_sigma", "mV", Voltage, "2.5 mV", "0 mV", "1000 mV", "σ of each unit's white-noise drive σ·(C_m/g_L)^(−1/2)·ξ; 0 for none",
			func(m *Model, v float64) { t(m).NoiseSigmaVolt = v }),
		q("network.delay_exc", "ms", Time, "1 ms", "0 ms", "1 s", "largest delay of synapses from E units (EE, IE): each is (floor(U·d/dt) + 1)·dt",
			func(m *Model, v float64) { t(m).DelayMaxExcSec = v }),
		q("network.delay_inh", "ms", Time, "0.5 ms", "0 ms", "1 s", "largest delay of synapses from I units (EI, II): each is (floor(U·d/dt) + 1)·dt",
			func(m *Model, v float64) { t(m).DelayMaxInhSec = v }),
		q("network.kick_time", "ms", Time, "100 ms", "0 ms", "100000 s", "when the kick that starts an Up state arrives",
			func(m *Model, v float64) { t(m).KickTimeSec = v }),
		f("network.kick_fraction", "0.05", 0, 1, "fraction of the network kicked: the first round(fraction·net.n_units) E units",
			func(m *Model, v float64) { t(m).KickFraction = v }),
		q("network.kick_amp", "nA", Current, "0.98 nA", "-1000 nA", "1000 nA", "what the kick adds to each kicked unit's u_Ext (a rise-and-decay current with the E time constants)",
			func(m *Model, v float64) { t(m).KickAmp = v }),
		q("network.bin", "ms", Time, "10 ms", "0.001 ms", "100 s", "bin of the population rate histograms (the PSTH) that Up states are detected on",
			func(m *Model, v float64) { t(m).BinSec = v }),
		q("network.up_threshold", "Hz", Rate, "0.2 Hz", "0 Hz", "10 kHz", "a bin whose I population rate is at or above this is up",
			func(m *Model, v float64) { t(m).UpThresholdHz = v }),
		q("network.min_down", "ms", Time, "100 ms", "0 ms", "100000 s", "Downs shorter than this are removed and the Ups on either side merge",
			func(m *Model, v float64) { t(m).MinDownSec = v }),
		q("network.min_up", "ms", Time, "100 ms", "0 ms", "100000 s", "Ups not longer than this are removed (after the merge)",
			func(m *Model, v float64) { t(m).MinUpSec = v }),
		n("network.raster_units", "50", 0, 1e9, "units of each population, evenly spaced over it, whose spikes the raster table holds (outputs.raster)",
			func(m *Model, v int) { t(m).RasterUnits = v }),
		{Name: "network.connectivity", Kind: KindText, Default: "",
			Desc:  `a connectivity file to run instead of drawing synapses and delays from the run's seed ("" draws them): CSV, optionally gzipped, "# eisweep connectivity n_exc=… n_inh=… dt_s=…", then pathway,pre,post,delay_ms[,weight_pa] (docs/MODEL.md §8). A relative name is relative to the definition's folder`,
			apply: func(m *Model, v Value) { t(m).ConnectivityFile = v.Str }},
	}
	for _, p := range ps {
		p.Only = ExperimentNetwork
	}
	return ps
}
