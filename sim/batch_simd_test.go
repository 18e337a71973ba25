//go:build goexperiment.simd && amd64

package sim

import (
	"simd/archsimd"
	"testing"
)

// BenchmarkStepBareLockstep is the lower bound of the lockstep path's step, as BenchmarkStepBare
// is of a run's: the Euler arithmetic of both units of four runs, one vector per state variable,
// without input delivery, refractoriness, spikes or checks. Per op: one step of the four runs.
func BenchmarkStepBareLockstep(b *testing.B) {
	x, err := NewExperiment(seedConfig())
	if err != nil {
		b.Fatal(err)
	}
	e := lanesOf([4]*unitStep{&x.exc, &x.exc, &x.exc, &x.exc})
	i := lanesOf([4]*unitStep{&x.inh, &x.inh, &x.inh, &x.inh})
	f := archsimd.BroadcastFloat64x4
	ve, iae, see, uee, sie, uie := f(x.exc.initialV), f(0), f(0), f(3e-10), f(0), f(1e-10)
	vi, iai, sei, uei, sii, uii := f(x.inh.initialV), f(0), f(0), f(3e-10), f(0), f(1e-10)
	b.ResetTimer()
	for range b.N {
		ve, iae, see, uee, sie, uie = ve.Add(e.dt.Mul(e.gL.Mul(e.eL.Sub(ve)).Add(see).Sub(iae.Add(sie))).Div(e.cm)),
			e.aAdapt.Mul(iae).Add(iae), e.aSE.Mul(uee.Sub(see)).Add(see), e.aUE.Mul(uee).Add(uee),
			e.aSI.Mul(uie.Sub(sie)).Add(sie), e.aUI.Mul(uie).Add(uie)
		vi, iai, sei, uei, sii, uii = vi.Add(i.dt.Mul(i.gL.Mul(i.eL.Sub(vi)).Add(sei).Sub(iai.Add(sii))).Div(i.cm)),
			i.aAdapt.Mul(iai).Add(iai), i.aSE.Mul(uei.Sub(sei)).Add(sei), i.aUE.Mul(uei).Add(uei),
			i.aSI.Mul(uii.Sub(sii)).Add(sii), i.aUI.Mul(uii).Add(uii)
	}
	var out [4]float64
	ve.Add(vi).Add(iae).Add(iai).Add(see).Add(sei).Add(sie).Add(sii).Add(uee).Add(uei).Add(uie).Add(uii).Store(&out)
	sinkState = out[0]
}
