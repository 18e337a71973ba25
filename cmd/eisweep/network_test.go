package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/internal/testsweep"
	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/sweep"
)

// smallNetwork is a network sweep over both inhibitory weights, small enough for tests: 200
// units, 0.6 s trials.
const smallNetwork = `name = "net"
experiment = "network"
replicates = 2
[params]
"net.n_units" = 200
"network.duration" = "0.6 s"
[grid]
"weights.mult_ei" = [0.9, 1.1]
"weights.mult_ii" = [0.9, 1.1]
[outputs]
psth = true
raster = true
unit_rates = true
`

// TestNetworkSweep runs a network sweep over mult_ei × mult_ii end to end through the commands a
// user types: run, status, show, aggregate, figure, schema, params.
func TestNetworkSweep(t *testing.T) {
	out := runSweep(t, smallNetwork)
	code, st, errs := eisweep(t, "status", out)
	if code != 0 || !strings.Contains(st, "done       8 (100.0%)") || !strings.Contains(st, "psth/ 1") {
		t.Errorf("status: exit %d: %s%s", code, st, errs)
	}
	code, shown, errs := eisweep(t, "show", out)
	if code != 0 || !strings.Contains(shown, "rate_up_e_hz") || !strings.Contains(shown, "weights.mult_ei") || strings.Count(shown, "\n") < 5 {
		t.Errorf("show: exit %d:\n%s%s", code, shown, errs)
	}
	if code, _, errs := eisweep(t, "show", "--columns", "rate_e_hz,up_count,b_add_e_pa", out); code != 2 || !strings.Contains(errs, `"b_add_e_pa" is not a measurement`) {
		t.Errorf("show of a single-unit column in a network folder: exit %d: %s", code, errs)
	}
	code, agg, errs := eisweep(t, "aggregate", out)
	if code != 0 || !strings.Contains(agg, "summary.parquet: 4 groups") {
		t.Errorf("aggregate: exit %d: %s%s", code, agg, errs)
	}
	if _, err := os.Stat(filepath.Join(out, "balance.parquet")); err == nil {
		t.Error("aggregate wrote single-unit balance lines for a network sweep")
	}
	for _, table := range []string{"unit_rates", "psth", "raster"} {
		if files, _ := filepath.Glob(filepath.Join(out, table, "*.parquet")); len(files) != 1 {
			t.Errorf("%s/: %d files, want 1 (compacted)", table, len(files))
		}
	}
	if code, _, errs := eisweep(t, "figure", out); code != 0 {
		t.Fatalf("figure: exit %d: %s", code, errs)
	}
	for _, f := range []string{"network-raster.png", "network-psth.png",
		"network-heatmap-rate-up-e-weights-mult-ii-vs-weights-mult-ei.png", "network-heatmap-rate-up-i-weights-mult-ii-vs-weights-mult-ei.png"} {
		if st, err := os.Stat(filepath.Join(out, "figures", f)); err != nil || st.Size() < 10_000 {
			t.Errorf("figure %s: %v", f, err)
		}
	}
	code, params, _ := eisweep(t, "params", "--experiment", "network")
	if code != 0 || !strings.Contains(params, "network.noise_sigma") || strings.Contains(params, "input.rate_exc") || strings.Contains(params, "fi.n_currents") {
		t.Errorf("params --experiment network: exit %d:\n%s", code, params)
	}
	code, schema, _ := eisweep(t, "schema")
	if code != 0 || !strings.Contains(schema, "rate_up_e_hz") || !strings.Contains(schema, "psth/") {
		t.Errorf("schema does not cover the network: exit %d", code)
	}
}

// TestNetworkParamsTOMLIsADefinition: `params --experiment network --format toml` prints a
// definition that runs.
func TestNetworkParamsTOMLIsADefinition(t *testing.T) {
	code, out, _ := eisweep(t, "params", "--experiment", "network", "--format", "toml")
	if code != 0 {
		t.Fatal(code)
	}
	small := strings.NewReplacer(`"net.n_units" = 1000`, `"net.n_units" = 100`, `"network.duration" = "1.5 s"`, `"network.duration" = "0.3 s"`).Replace(out)
	if small == out {
		t.Fatalf("the printed defaults lack net.n_units or network.duration:\n%s", out)
	}
	path := filepath.Join(t.TempDir(), "all.toml")
	os.WriteFile(path, []byte(small), 0o644)
	if code, _, errs := eisweep(t, "run", "--quiet", "-o", filepath.Join(t.TempDir(), "o"), path); code != 0 {
		t.Errorf("running the printed defaults: exit %d: %s", code, errs)
	}
}

// TestNetworkPlan: plan names the experiment and estimates a network sweep from network runs.
func TestNetworkPlan(t *testing.T) {
	code, out, errs := eisweep(t, "plan", "--calibrate", "2", writeDef(t, smallNetwork))
	if code != 0 || !strings.Contains(out, `experiment = "network"`) || !strings.Contains(out, "ms per run\n") ||
		strings.Contains(out, "f-I") || !strings.Contains(out, "also writes unit_rates/, psth/, raster/") {
		t.Errorf("plan: exit %d:\n%s%s", code, out, errs)
	}
}

// TestFigureFindsRelativeConnectivity: a definition naming its connectivity file relative to
// itself runs, and figure redraws the folder (which re-runs a trial) from another working
// directory: the folder's copy of the definition resolves the name against the definition the
// results were run from, which provenance records.
func TestFigureFindsRelativeConnectivity(t *testing.T) {
	dir := t.TempDir()
	def, err := sweep.Parse("c.toml", "name = \"c\"\nexperiment = \"network\"\n[params]\n\"net.n_units\" = 200\n")
	if err != nil {
		t.Fatal(err)
	}
	m, err := def.Base.Model()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sim.NewConnectivity(experiment.NetworkConfig(&m), 4)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := conn.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "conn.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "rel.toml")
	text := "name = \"rel\"\nexperiment = \"network\"\nreplicates = 2\n[params]\n\"net.n_units\" = 200\n\"network.duration\" = \"0.5 s\"\n\"network.connectivity\" = \"conn.csv\"\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if code, _, errs := eisweep(t, "run", "--quiet", "-o", out, path); code != 0 {
		t.Fatalf("run: exit %d: %s", code, errs)
	}
	if code, _, errs := eisweep(t, "figure", out); code != 0 {
		t.Fatalf("figure: exit %d: %s", code, errs)
	}
	if st, err := os.Stat(filepath.Join(out, "figures", "network-raster.png")); err != nil || st.Size() < 10_000 {
		t.Errorf("the raster: %v", err)
	}
}

// TestTrainingSweep: network runs that train, over two learning rates, end to end: run, status,
// show and figure (the trainings' rates and weights); the training and trajectory tables hold one
// row per run and one per trial, and no checkpoint is left once the sweep is done.
func TestTrainingSweep(t *testing.T) {
	out := runSweep(t, `name = "tr"
experiment = "network"
[params]
"net.n_units" = 200
"network.duration" = "0.5 s"
"train.trials" = 12
"train.checkpoint_every" = 5
[grid]
"train.alpha" = [0.005, 0.05]
`)
	code, st, errs := eisweep(t, "status", out)
	if code != 0 || !strings.Contains(st, "done       2 (100.0%)") || !strings.Contains(st, "training/ 1") || !strings.Contains(st, "trajectory/ 1") {
		t.Errorf("status: exit %d: %s%s", code, st, errs)
	}
	if code, shown, errs := eisweep(t, "show", "--columns", "rate_up_e_hz,rate_up_i_hz", out); code != 0 || !strings.Contains(shown, "train.alpha") {
		t.Errorf("show: exit %d:\n%s%s", code, shown, errs)
	}
	if entries, err := os.ReadDir(filepath.Join(out, "checkpoints")); err == nil && len(entries) > 0 {
		t.Errorf("%d checkpoints left after the sweep", len(entries))
	}
	if code, _, errs := eisweep(t, "figure", out); code != 0 {
		t.Errorf("figure: exit %d: %s", code, errs)
	}
	for _, f := range []string{"training-rates.png", "training-weights.png"} {
		if st, err := os.Stat(filepath.Join(out, "figures", f)); err != nil || st.Size() < 10_000 {
			t.Errorf("figure %s: %v", f, err)
		}
	}
	for table, want := range map[string]int{"training": 2, "trajectory": 24} {
		n := 0
		for _, f := range testsweep.Files(t, out, table) {
			n += len(testsweep.ReadFileRows(t, f))
		}
		if n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
}
