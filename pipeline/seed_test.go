package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/eisweep/eisweep/analysis"
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
	if _, err := Run(context.Background(), def, Options{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, dir)
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
			if got := FormatLikeSeed(num(t, r[col])); got != want {
				t.Errorf("%s = %s, the seed prints %s", col, got, want)
			}
		}
		for col, want := range pred {
			if got := fmt.Sprintf("%.1f", num(t, r[col])); got != want {
				t.Errorf("%s = %s pC, the seed prints %s", col, got, want)
			}
		}
		for _, u := range []string{"ei", "ii"} {
			a, m, l := num(t, r["w_add_"+u+"_pa"]), num(t, r["w_mult_"+u+"_pa"]), num(t, r["w_lin_"+u+"_pa"])
			if !near(a, m, 1e-12) || !near(a, l, 1e-12) {
				t.Errorf("run %s: the three models propose %v, %v, %v pA for w_%s", r["run_id"], a, m, l, u)
			}
		}
		for q, m := range ours {
			m.Add(num(t, r[q]))
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
