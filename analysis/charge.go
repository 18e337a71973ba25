package analysis

// PredictedChargePC returns the charge (pC) that nSources inputs at rateHz deliver over
// durationSec through weight wAmp, each spike delivering w·1 ms (docs/MODEL.md §6, the seed's
// "rough estimates"):
//
//	Q̂ = n · w · rate · duration · 1 ms
//
// At the defaults Q̂_EE = 400 · 143.495 pA · 5 Hz · 1 s · 1 ms = 287.0 pC.
func PredictedChargePC(nSources int, wAmp, rateHz, durationSec float64) float64 {
	return float64(nSources) * wAmp * rateHz * durationSec * 1e-3 * 1e12
}
