package sweep

import (
	"fmt"
	"strings"
	"testing"
)

// TestDefaultsAreTheSeed: the registry's defaults resolve to the seed's model, and its weights
// print as the seed prints them (docs/MODEL.md §4).
func TestDefaultsAreTheSeed(t *testing.T) {
	m, err := Defaults().Model()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		got  float64
		want string
	}{{m.Sim.W.EEAmp, "143.49509118"}, {m.Sim.W.IEAmp, "123.92226015"}, {m.Sim.W.EIAmp, "136.50692497"}, {m.Sim.W.IIAmp, "101.08023944"}} {
		if got := strings.TrimRight(fmt.Sprintf("%.8f", c.got*1e12), "0"); got != c.want {
			t.Errorf("weight %s pA, seed prints %s pA", got, c.want)
		}
	}
	if m.Sim.DtSec != 0.1*ms || m.Sim.DurationSec != 1 || m.Input.NExc != 400 || m.Input.NInh != 100 ||
		m.Input.RateExcHz != 5 || m.Input.RateInhHz != 14 || m.Sim.Exc.BetaAdaptAmpSec != 3*nA*ms ||
		m.Sim.Exc.CmFarad != 200*pF || m.Sim.Inh.ELeakVolt != 6.5*mV || m.FI.NCurrents != 3001 || m.FI.IMaxAmp != 300*pA {
		t.Errorf("defaults differ from docs/MODEL.md §4: %+v", m)
	}
}

// TestRegistryEntries: every parameter is documented, has a valid default within its range,
// and a unique column whose name carries its unit.
func TestRegistryEntries(t *testing.T) {
	cols := map[string]bool{}
	for _, p := range Registry {
		if p.Desc == "" || (p.Default == "" && p.Kind != KindText) {
			t.Errorf("%s: missing description or default", p.Name)
		}
		if p.Kind == KindQuantity && unitSuffix[p.Unit] == "" {
			t.Errorf("%s: display unit %q has no column suffix", p.Name, p.Unit)
		}
		c := p.Column()
		if cols[c] {
			t.Errorf("%s: duplicate column %s", p.Name, c)
		}
		cols[c] = true
	}
	if Lookup("exc.g_leak").Column() != "exc_g_leak_nsiemens" || Lookup("inh.beta_adapt").Column() != "inh_beta_adapt_pc" {
		t.Error("column names do not carry units")
	}
}

func TestParamParse(t *testing.T) {
	cases := []struct {
		name, in, errWant string
		si                float64
	}{
		{"exc.e_leak", "8 mV", "", 8 * mV},
		{"exc.e_leak", "0.008 V", "", 0.008},
		{"exc.e_leak", "8", "has no unit", 0},
		{"exc.e_leak", "8 ms", "is a time, want a voltage", 0},
		{"input.rate_exc", "5 Hzz", "unknown unit", 0},
		{"input.rate_exc", "-1 Hz", "outside the valid range", 0},
		{"input.n_exc", "400.5", "not a whole number", 0},
		{"input.n_exc", "400 Hz", "not a plain number", 0},
		{"input.mode", "poison", `is not one of "poisson", "regular"`, 0},
		{"weights.mult_ei", "0.9", "", 0.9},
	}
	for _, c := range cases {
		v, err := Lookup(c.name).Parse(c.in)
		switch {
		case c.errWant == "" && err != nil:
			t.Errorf("%s = %q: %v", c.name, c.in, err)
		case c.errWant == "" && v.Num != c.si:
			t.Errorf("%s = %q: got %v, want %v", c.name, c.in, v.Num, c.si)
		case c.errWant != "" && (err == nil || !strings.Contains(err.Error(), c.errWant)):
			t.Errorf("%s = %q: err = %v, want %q", c.name, c.in, err, c.errWant)
		}
	}
}
