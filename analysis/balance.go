package analysis

import "math"

// Balance is docs/MODEL.md §6 for one unit X of one run: its mean currents, the coefficients of the
// three balance models, the inhibitory weight each proposes, and the threshold–gain prediction.
type Balance struct {
	ExcPA float64 // mean excitatory current Ē_X = Q_XE/duration (pA)
	InhPA float64 // mean inhibitory current Ī_X = Q_XI/duration (pA)

	AdditiveBPA     float64 // additive model I = E + b: b = Ī − Ē (pA)
	MultiplicativeM float64 // multiplicative model I = m·E: m = Ī/Ē
	LinearBPA       float64 // linear model I = m·E + b with m = rate_exc/rate_inh fixed: b = Ī − m·Ē (pA)

	// The inhibitory weight (pA) that each model proposes to deliver its inhibition,
	// w = I/(n_inh·rate_inh·1 ms): Ē + b, m·Ē and m·Ē + b. In one run all three are Ī itself, so
	// they agree (the seed prints 136.709 pA three times); they differ only in fits across runs.
	AdditiveWPA, MultiplicativeWPA, LinearWPA float64

	// Threshold–gain prediction: the inhibition that holds the unit at its set point r* if its
	// rate were g·(Ē − Ī − θ) above threshold, Ī* = Ē − θ − r*/g (pA), and its weight (pA).
	ThresholdGainIPA, ThresholdGainWPA float64

	SetPointErrorHz float64 // rate − r* (Hz)
}

// UnitBalance computes a unit's Balance from its excitatory and inhibitory charges (pC) over
// durationSec, the linear model's slope (rate_exc/rate_inh), the unit's threshold θ (pA) and gain
// g (Hz/pA), its rate and set point r* (Hz), and the inhibitory input (n_inh sources at
// rateInhHz) through which a weight delivers current. Undefined quantities are NaN (m when
// Ē = 0; the weights with no inhibitory input; the prediction without θ or g).
func UnitBalance(qExcPC, qInhPC, durationSec, slope, thetaPA, gainHzPerPA, rateHz, setPointHz float64, nInh int, rateInhHz float64) Balance {
	var b Balance
	b.ExcPA = qExcPC / durationSec // pC/s = pA
	b.InhPA = qInhPC / durationSec
	b.AdditiveBPA = b.InhPA - b.ExcPA
	b.MultiplicativeM = b.InhPA / b.ExcPA
	if b.ExcPA == 0 {
		b.MultiplicativeM = math.NaN()
	}
	b.LinearBPA = b.InhPA - slope*b.ExcPA
	perPA := float64(nInh) * rateInhHz * 1e-3 // pA of current per pA of weight: n_inh·rate_inh·1 ms
	weight := func(iPA float64) float64 {
		if perPA == 0 {
			return math.NaN()
		}
		return iPA / perPA
	}
	b.AdditiveWPA = weight(b.ExcPA + b.AdditiveBPA)
	b.MultiplicativeWPA = weight(b.MultiplicativeM * b.ExcPA)
	b.LinearWPA = weight(slope*b.ExcPA + b.LinearBPA)
	b.ThresholdGainIPA = ThresholdGainInhibition(b.ExcPA, thetaPA, gainHzPerPA, setPointHz)
	b.ThresholdGainWPA = weight(b.ThresholdGainIPA)
	b.SetPointErrorHz = rateHz - setPointHz
	return b
}

// ThresholdGainInhibition is the mean-field prediction of the inhibitory current (pA) that holds
// a unit with threshold θ (pA) and gain g (Hz/pA), receiving excitation Ē (pA), at rate r* (Hz):
// from r* = g·(Ē − Ī − θ),
//
//	Ī* = Ē − θ − r*/g
//
// NaN if θ or g is undefined or g is not positive.
func ThresholdGainInhibition(excPA, thetaPA, gainHzPerPA, setPointHz float64) float64 {
	if !(gainHzPerPA > 0) || math.IsNaN(thetaPA) {
		return math.NaN()
	}
	return excPA - thetaPA - setPointHz/gainHzPerPA
}

// ThresholdGainExcitation is the same mean-field model solved for the excitation (pA) that
// holds the unit at r* against inhibition Ī: from r* = g·(Ē − Ī − θ),
//
//	Ē* = Ī + θ + r*/g
//
// NaN if θ or g is undefined or g is not positive.
func ThresholdGainExcitation(inhPA, thetaPA, gainHzPerPA, setPointHz float64) float64 {
	if !(gainHzPerPA > 0) || math.IsNaN(thetaPA) {
		return math.NaN()
	}
	return inhPA + thetaPA + setPointHz/gainHzPerPA
}
