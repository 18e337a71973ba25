package sweep

import (
	"strings"
	"testing"
)

// TestNetworkDefinition: experiment = "network" selects the network's parameters and outputs;
// the single-unit experiment's own parameters are refused there, and the network's in a
// single-unit definition, each with the fix.
func TestNetworkDefinition(t *testing.T) {
	d, err := Parse("", `name = "n"
experiment = "network"
[params]
"net.n_units" = 200
"network.noise_sigma" = "0 mV"
[grid]
"weights.mult_ei" = [0.9, 1.0]
[outputs]
psth = true
raster = true
`)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind() != ExperimentNetwork || !d.Outputs.PSTH || !d.Outputs.Raster || d.Outputs.UnitRates {
		t.Fatalf("kind %q outputs %+v", d.Kind(), d.Outputs)
	}
	m, err := d.Point(0, nil).Model()
	if err != nil {
		t.Fatal(err)
	}
	if m.Experiment != ExperimentNetwork || m.Net.NUnits != 200 || m.Trial.NoiseSigmaVolt != 0 || m.Trial.DurationSec != 1.5 ||
		m.Trial.KickAmp != nanoamps(0.98) || m.Trial.DelayMaxInhSec != 0.5e-3 || m.Trial.BinSec != 0.01 {
		t.Errorf("model %+v", m.Trial)
	}
	for _, c := range []struct{ text, want string }{
		{`name = "n"` + "\nexperiment = \"network\"\n[params]\n\"input.rate_exc\" = \"6 Hz\"\n", `input.rate_exc belongs to experiment = "unit"`},
		{`name = "n"` + "\nexperiment = \"network\"\n[grid]\n\"fi.n_currents\" = [11, 21]\n", `fi.n_currents belongs to experiment = "unit"`},
		{`name = "n"` + "\n[params]\n\"network.noise_sigma\" = \"1 mV\"\n", `add experiment = "network" at the top`},
		{`name = "n"` + "\n[params]\nexperiment = \"network\"\n", `chosen once, at the top`},
		{`name = "n"` + "\nexperiment = \"netwrok\"\n", `did you mean "network"?`},
		{`name = "n"` + "\nexperiment = \"network\"\n[outputs]\ntraces = true\n", `outputs.traces belongs to experiment = "unit"`},
		{`name = "n"` + "\n[outputs]\npsth = true\n", `outputs.psth belongs to experiment = "network"`},
		{`name = "n"` + "\nexperiment = \"network\"\n[solve]\n", `[solve] finds weights with the single-unit experiment`},
	} {
		_, err := Parse("x.toml", c.text)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.text, err, c.want)
		}
	}
}

// TestNetworkIdentity: run ids of the single-unit experiment do not change with the network's
// parameters in the registry, and a network run never shares an id with a single-unit run.
func TestNetworkIdentity(t *testing.T) {
	unit, err := Parse("", "name = \"u\"\n")
	if err != nil {
		t.Fatal(err)
	}
	net, err := Parse("", "name = \"n\"\nexperiment = \"network\"\n")
	if err != nil {
		t.Fatal(err)
	}
	// The seed experiment's first run id, as every earlier release wrote it: a hash of the
	// canonical form of the defaults (nothing) and the replicate.
	if got := unit.Point(0, nil).RunID(0).String(); got != Defaults().RunID(0).String() {
		t.Errorf("unit run id %s, want %s", got, Defaults().RunID(0))
	}
	// The first run of sweeps/inhibition.toml, as the release before the network printed it
	// (eisweep plan --list 1): a non-default point keeps its id too.
	inh, err := Parse("", "name = \"inhibition\"\n[grid]\n\"input.rate_exc\" = [\"3 Hz\"]\n\"weights.mult_ei\" = [0.1]\n\"weights.mult_ii\" = [0.2]\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := inh.Point(0, nil).RunID(0).String(); got != "c10d0419c0be33e3" {
		t.Errorf("a single-unit run id changed: %s, the release before the network gave c10d0419c0be33e3", got)
	}
	if unit.Point(0, nil).RunID(0) == net.Point(0, nil).RunID(0) {
		t.Error("a network run shares its id with a single-unit run")
	}
	if !strings.Contains(net.Canonical(), "experiment = \"network\"") {
		t.Errorf("canonical form lacks the experiment:\n%s", net.Canonical())
	}
	again, err := Parse("", net.Canonical())
	if err != nil {
		t.Fatal(err)
	}
	if again.Point(0, nil).RunID(0) != net.Point(0, nil).RunID(0) {
		t.Error("the canonical form of a network definition does not keep its run ids")
	}
}

func nanoamps(x float64) float64 { return x * 1e-9 }
