package pipeline

import (
	"context"
	"maps"
	"path/filepath"
	"testing"

	"github.com/eisweep/eisweep/internal/testsweep"
	"github.com/eisweep/eisweep/sweep"
)

const networkDef = `name = "net"
experiment = "network"
seed = 3
replicates = 3
[params]
"net.n_units" = 120
"network.duration" = "0.4 s"
[grid]
"weights.mult_ei" = [0.9, 1.1]
[outputs]
psth = true
unit_rates = true
raster = true
`

// TestNetworkShardsAndResume: the runner serves the network experiment as it serves the single
// unit, through its Kind alone. Two shards, one of them interrupted and resumed, hold the same
// rows (and companion rows) as one whole run with two workers.
func TestNetworkShardsAndResume(t *testing.T) {
	def, err := sweep.Parse("net.toml", networkDef)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	whole := filepath.Join(t.TempDir(), "whole")
	s, err := Run(ctx, def, Options{OutDir: whole, Jobs: 2})
	if err != nil || s.OK+s.Failed != 6 {
		t.Fatalf("whole: %v, %+v", err, s)
	}
	sharded := filepath.Join(t.TempDir(), "sharded")
	for k := 1; k <= 2; k++ {
		if _, err := Run(ctx, def, Options{OutDir: sharded, Jobs: 1, Shard: sweep.Shard{K: k, N: 2}, FlushRows: 1}); err != nil {
			t.Fatalf("shard %d: %v", k, err)
		}
	}
	// Resuming finds every run done.
	if s, err := Run(ctx, def, Options{OutDir: sharded}); err != nil || s.Skipped != 6 || s.OK != 0 {
		t.Fatalf("resume: %v, %+v", err, s)
	}
	a, b := testsweep.ReadAll(t, whole), testsweep.ReadAll(t, sharded)
	if len(a) != 6 || !maps.EqualFunc(a, b, maps.Equal) {
		t.Errorf("sharded rows differ from the whole run's:\n%v\n%v", a, b)
	}
	for _, table := range []string{"psth", "unit_rates", "raster"} {
		ra, rb := companionRows(t, whole, table), companionRows(t, sharded, table)
		if len(ra) == 0 || len(ra) != len(rb) {
			t.Errorf("%s: %d rows whole, %d sharded", table, len(ra), len(rb))
		}
		for k, n := range ra {
			if rb[k] != n {
				t.Errorf("%s: row %s %d times whole, %d sharded", table, k, n, rb[k])
				break
			}
		}
	}
	ups := 0
	for _, r := range a {
		if r["status"] != "ok" {
			t.Errorf("run %s failed: %s", r["run_id"], r["error"])
		}
		if r["up_count"] != "0" && r["up_count"] != "" {
			ups++
		}
	}
	if ups == 0 {
		t.Error("no trial had an Up state: the test network is not the model's")
	}
}

// companionRows counts the rows of a companion table, each as its text.
func companionRows(t *testing.T, dir, table string) map[string]int {
	n := map[string]int{}
	for _, p := range testsweep.Files(t, dir, table) {
		for _, row := range testsweep.ReadFileRows(t, p) {
			key := ""
			for _, c := range []string{"run_id", "pop", "unit", "bin", "t_s", "t_start_s", "rate_e_hz", "rate_i_hz", "rate_hz", "rate_up_hz", "n_spikes", "up"} {
				key += row[c] + "|"
			}
			n[key]++
		}
	}
	return n
}
