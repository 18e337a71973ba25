package sweep

// TrainSpec holds the training parameters of a network run (docs/MODEL.md §9). With Trials 0 (the
// default) a network run is one trial at the point's weights; with Trials > 0 it first trains the
// network for that many trials and then measures a trial at the trained weights.
type TrainSpec struct {
	Rule               string  // "cross-homeo-local", "cross-homeo-population" or "homeo"
	Alpha              float64 // learning rate: pA/Hz² (per-synapse rules) or pA/Hz (population rule)
	TauTrials          float64 // τ of the moving averages, in trials
	SetExcHz, SetInhHz float64 // the set points E* and I*
	FloorHz            float64 // the per-unit averages' floor in the per-synapse rules
	WMinAmp, WMaxAmp   float64 // every weight is clipped to [WMinAmp, WMaxAmp] after an update
	Trials             int     // trials of training; 0 for none
	Init               string  // initial weights: "equal" (the point's weights) or "paper"
	CheckpointEvery    int     // trials between checkpoints of a training in progress
	ConvergeWindow     int     // a training has converged once its averages stay near the set points this many trials
	ConvergeTol        float64 // ... within this fraction of each set point
}

// trainParams are the training parameters, which apply to the network experiment.
func trainParams() []*Param {
	t := func(m *Model) *TrainSpec { return &m.Train }
	ps := []*Param{
		{Name: "train.rule", Kind: KindEnum, Default: "cross-homeo-local", Choices: []string{"cross-homeo-local", "cross-homeo-population", "homeo"},
			Desc:  "the training's weight update (docs/MODEL.md §9): the 2022 paper's local cross-homeostatic rule, its population form (one change per pathway), or the plain homeostatic rule",
			apply: func(m *Model, v Value) { t(m).Rule = v.Str }},
		f("train.alpha", "0.005", 0, 1e6, "learning rate α: pA per Hz² for the per-synapse rules, pA per Hz for cross-homeo-population",
			func(m *Model, v float64) { t(m).Alpha = v }),
		f("train.tau_trials", "2", 1, 1e9, "τ of the moving averages of the Up-state rates, in trials: m ← m + (r − m)/τ",
			func(m *Model, v float64) { t(m).TauTrials = v }),
		q("train.set_exc", "Hz", Rate, "5 Hz", "0.001 Hz", "10 kHz", "the E population's set point E*", func(m *Model, v float64) { t(m).SetExcHz = v }),
		q("train.set_inh", "Hz", Rate, "14 Hz", "0.001 Hz", "10 kHz", "the I population's set point I*", func(m *Model, v float64) { t(m).SetInhHz = v }),
		q("train.floor", "Hz", Rate, "1 Hz", "0 Hz", "10 kHz", "the per-synapse rules floor every unit's moving average at this rate (after the presynaptic means)",
			func(m *Model, v float64) { t(m).FloorHz = v }),
		q("train.w_min", "pA", Current, "5 pA", "0 pA", "1000 nA", "after each update every weight is raised to at least this", func(m *Model, v float64) { t(m).WMinAmp = v }),
		q("train.w_max", "pA", Current, "750 pA", "0 pA", "1000 nA", "after each update every weight is lowered to at most this", func(m *Model, v float64) { t(m).WMaxAmp = v }),
		n("train.trials", "0", 0, 1e7, "trials of training before the run's measured trial; 0 runs the network at the point's weights without training",
			func(m *Model, v int) { t(m).Trials = v }),
		{Name: "train.init", Kind: KindEnum, Default: "equal", Choices: []string{"equal", "paper"},
			Desc:  `initial weights: "equal", every synapse of a pathway the point's weight (weights.*, or the connectivity file's per-synapse weights); "paper", the 2022 paper's normal draws (mean μ·500/(N·p) pA, SD 20 %)`,
			apply: func(m *Model, v Value) { t(m).Init = v.Str }},
		n("train.checkpoint_every", "100", 1, 1e7, "trials between checkpoints of a training in progress (checkpoints/ in the output folder): a killed training resumes from the last one",
			func(m *Model, v int) { t(m).CheckpointEvery = v }),
		n("train.converge_window", "100", 1, 1e7, "a training has converged once both moving averages stay within train.converge_tol of their set points for this many trials",
			func(m *Model, v int) { t(m).ConvergeWindow = v }),
		f("train.converge_tol", "0.1", 0, 10, "the fraction of each set point within which a converged training's moving averages stay",
			func(m *Model, v float64) { t(m).ConvergeTol = v }),
	}
	for _, p := range ps {
		p.Only = ExperimentNetwork
	}
	return ps
}
