package report

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/internal/testsweep"
	"github.com/eisweep/eisweep/pipeline"
	"github.com/eisweep/eisweep/sweep"
)

// TestSeedSweepReproducesTheSeed runs sweeps/seed.toml and checks every number the seed notebook
// prints that the sweep reproduces: the weights, θ and g, the predicted charges, the mean
// empirical charges (against Brian2 2.5.1's distribution over 1000 seeds, within 3 standard
// errors of the difference), and the proposed inhibitory weight of the three balance models,
// equal in every run (the seed prints 136.709 pA three times).
func TestSeedSweepReproducesTheSeed(t *testing.T) {
	def, err := sweep.Load("../sweeps/seed.toml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := pipeline.Run(context.Background(), def, pipeline.Options{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	rows := testsweep.ReadAll(t, dir)
	if len(rows) != 200 {
		t.Fatalf("%d runs", len(rows))
	}
	exact := map[string]string{
		"w_ee_pa": "143.49509118", "w_ie_pa": "123.92226015", "w_ei_pa": "136.50692497", "w_ii_pa": "101.08023944",
		"theta_e_pa": "124.1", "theta_i_pa": "135.1", "gain_e_hz_per_pa": "0.34659091", "gain_i_hz_per_pa": "1.50909091",
	}
	pred := map[string]string{"q_ee_pred_pc": "287.0", "q_ie_pred_pc": "247.8", "q_ei_pred_pc": "191.1", "q_ii_pred_pc": "141.5"}
	var brian struct {
		Runs []map[string]float64 `json:"runs"`
	}
	b, err := os.ReadFile("../sim/testdata/brian2/poisson_defaults.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &brian); err != nil {
		t.Fatal(err)
	}
	ours := map[string]*analysis.Moments{}
	for _, q := range []string{"q_ee_pc", "q_ei_pc", "q_ie_pc", "q_ii_pc"} {
		ours[q] = new(analysis.Moments)
	}
	for _, r := range rows {
		for col, want := range exact {
			if got := FormatLikeSeed(testsweep.Num(t, r[col])); got != want {
				t.Errorf("%s = %s, the seed prints %s", col, got, want)
			}
		}
		for col, want := range pred {
			if got := fmt.Sprintf("%.1f", testsweep.Num(t, r[col])); got != want {
				t.Errorf("%s = %s pC, the seed prints %s", col, got, want)
			}
		}
		for _, u := range []string{"ei", "ii"} {
			a, m, l := testsweep.Num(t, r["w_add_"+u+"_pa"]), testsweep.Num(t, r["w_mult_"+u+"_pa"]), testsweep.Num(t, r["w_lin_"+u+"_pa"])
			if !testsweep.Near(a, m, 1e-12) || !testsweep.Near(a, l, 1e-12) {
				t.Errorf("run %s: the three models propose %v, %v, %v pA for w_%s", r["run_id"], a, m, l, u)
			}
		}
		for q, m := range ours {
			m.Add(testsweep.Num(t, r[q]))
		}
	}
	for q, m := range ours {
		var theirs analysis.Moments
		for _, run := range brian.Runs {
			theirs.Add(run[q])
		}
		se := math.Sqrt(m.SD()*m.SD()/float64(m.N()) + theirs.SD()*theirs.SD()/float64(theirs.N()))
		if z := (m.Mean() - theirs.Mean()) / se; math.Abs(z) > 3 {
			t.Errorf("%s: mean %.2f pC over 200 runs, Brian2 %.2f over %d: %.1f standard errors apart", q, m.Mean(), theirs.Mean(), theirs.N(), z)
		}
	}
}

// TestFolderStatsIndependentOfWorkers: the report's statistics are the same to the last bit
// whatever the worker count (rows are accumulated in run_id order, not finishing order).
func TestFolderStatsIndependentOfWorkers(t *testing.T) {
	d := testsweep.Small(t, "stats", 60, "")
	var got []FolderStats
	for _, jobs := range []int{1, 3} {
		dir := t.TempDir()
		if _, err := pipeline.Run(context.Background(), d, pipeline.Options{OutDir: dir, Jobs: jobs, FlushRows: 11, NoCompact: true}); err != nil {
			t.Fatal(err)
		}
		fs, err := ReadFolderStats(dir)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fs)
	}
	a, b := got[0].Stats, got[1].Stats
	for i, pair := range [][2]*analysis.Moments{{&a.RateEHz, &b.RateEHz}, {&a.QEEPC, &b.QEEPC}, {&a.QIIPC, &b.QIIPC}} {
		if pair[0].Mean() != pair[1].Mean() || pair[0].SD() != pair[1].SD() || pair[0].N() != 60 {
			t.Errorf("statistic %d: %v ± %v (n %d) with -j1, %v ± %v with -j3", i, pair[0].Mean(), pair[0].SD(), pair[0].N(), pair[1].Mean(), pair[1].SD())
		}
	}
}
