package aggregate

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/internal/testsweep"
	"github.com/eisweep/eisweep/pipeline"
	"github.com/eisweep/eisweep/sweep"
)

// aggregated is what aggregating a folder computed and wrote.
type aggregated struct {
	*Result
	Written
}

// aggregateDir computes and writes the aggregates of dir, as `eisweep aggregate` does.
func aggregateDir(dir string, opt Options) (aggregated, error) {
	r, err := Compute(context.Background(), dir, opt)
	if err != nil {
		return aggregated{}, err
	}
	w, err := Write(dir, r)
	return aggregated{r, w}, err
}

// TestAggregateSummary: summary.parquet holds, per grid cell, the statistics of the cell's runs
// as computed directly from them.
func TestAggregateSummary(t *testing.T) {
	dir := t.TempDir()
	d := testsweep.Small(t, "agg", 12, "[grid]\n\"input.rate_exc\" = [\"4 Hz\", \"7 Hz\"]\n")
	if _, err := pipeline.Run(context.Background(), d, pipeline.Options{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	res, err := aggregateDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Groups != 2 || res.BalancePath != "" {
		t.Fatalf("%d groups, balance %q", res.Groups, res.BalancePath)
	}
	runs := testsweep.ReadAll(t, dir)
	byCell := map[string][]map[string]string{}
	for _, r := range runs {
		byCell[r["cell_id"]] = append(byCell[r["cell_id"]], r)
	}
	sum := testsweep.ReadFileRows(t, res.SummaryPath)
	if len(sum) != 2 {
		t.Fatalf("%d summary rows", len(sum))
	}
	for _, s := range sum {
		rs := byCell[s["cell_id"]]
		if len(rs) != 12 || s["n_runs"] != "12" || s["n_failed"] != "0" || s["input_rate_exc_hz"] != rs[0]["input_rate_exc_hz"] {
			t.Fatalf("cell %s: %d runs, summary %v", s["cell_id"], len(rs), s["n_runs"])
		}
		for _, m := range []string{"rate_e_hz", "q_ee_pc", "inh_current_e_pa", "m_mult_i", "i_tg_e_pa"} {
			var xs []float64
			for _, r := range rs {
				xs = append(xs, testsweep.Num(t, r[m]))
			}
			want := analysis.Summarize(xs, math.NaN())
			for stat, w := range map[string]float64{"_mean": want.Mean, "_sd": want.SD, "_sem": want.SEM, "_ci_lo": want.CI95Lo, "_ci_hi": want.CI95Hi} {
				if got := testsweep.Num(t, s[m+stat]); !testsweep.Near(got, w, 1e-9) {
					t.Errorf("cell %s: %s%s = %v, from the runs %v", s["cell_id"], m, stat, got, w)
				}
			}
		}
		var within int
		target := testsweep.Num(t, rs[0]["input_rate_exc_hz"])
		for _, r := range rs {
			if math.Abs(testsweep.Num(t, r["rate_e_hz"])-target) <= 0.1*target {
				within++
			}
		}
		if got := testsweep.Num(t, s["frac_rate_e_within_10pct"]); !testsweep.Near(got, float64(within)/12, 1e-12) {
			t.Errorf("fraction within 10%%: %v, want %v", got, float64(within)/12)
		}
	}
	// --by: one group per excitation rate here too, but only that column.
	res, err = aggregateDir(dir, Options{By: []string{"input.rate_exc"}})
	if err != nil {
		t.Fatal(err)
	}
	by := testsweep.ReadFileRows(t, res.SummaryPath)
	if len(by) != 2 || by[0]["exc_e_leak_mv"] != "" || by[0]["input_rate_exc_hz"] == "" {
		t.Errorf("--by input.rate_exc: %d rows, columns %v", len(by), by[0])
	}
	if _, err := aggregateDir(dir, Options{By: []string{"input.rate_exx"}}); err == nil {
		t.Error("unknown --by parameter accepted")
	}
}

// TestAggregateBalance: a sweep of mult_ei at four excitation levels gives a crossing per level
// that lies between the two cells bracketing the set point, within its bootstrap interval; a
// level that never reaches its set point is reported as such; the fits use the crossed levels.
func TestAggregateBalance(t *testing.T) {
	dir := t.TempDir()
	d := testsweep.Small(t, "bal", 8, `"sim.duration" = "1 s"
[grid]
"input.rate_exc" = ["2 Hz", "4 Hz", "5 Hz", "6 Hz"]
"weights.mult_ei" = { from = 0.5, to = 1.7, step = 0.3 }
`)
	if _, err := pipeline.Run(context.Background(), d, pipeline.Options{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	res, err := aggregateDir(dir, Options{Bootstrap: 300})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Lines) != 1 || res.Lines[0].Unit != "E" {
		t.Fatalf("balance lines for %d units, want the E unit only", len(res.Lines))
	}
	u := res.Lines[0]
	views := u.View()
	if len(views) != 4 {
		t.Fatalf("%d levels", len(views))
	}
	crossed := 0
	for _, v := range views {
		switch {
		case v.Level == "input.rate_exc = 2 Hz":
			if v.Status != analysis.AlwaysBelow {
				t.Errorf("2 Hz level: %v, want the rate below its set point everywhere", v.Status)
			}
		case v.Status == analysis.Crossed:
			crossed++
			if !(v.CIW.Lo <= v.WCross && v.WCross <= v.CIW.Hi) || !(v.CIInh.Lo <= v.Inh && v.Inh <= v.CIInh.Hi) {
				t.Errorf("%s: crossing %v outside its interval %v", v.Level, v.WCross, v.CIW)
			}
			if v.Cells != 5 || v.Runs != 40 {
				t.Errorf("%s: %d cells, %d runs", v.Level, v.Cells, v.Runs)
			}
		default:
			t.Errorf("%s: %v", v.Level, v.Status)
		}
	}
	if crossed != 3 || u.Crossed != 3 || math.IsNaN(u.Fits[0].M) {
		t.Errorf("%d crossed, fits %+v", crossed, u.Fits)
	}
	rows := testsweep.ReadFileRows(t, res.BalancePath)
	if len(rows) != 4 || rows[0]["unit"] != "E" || rows[0]["best_model"] != u.Best {
		t.Errorf("balance.parquet: %d rows, %v", len(rows), rows[0])
	}
	// The crossing lies where the cell means say: between the bracketing cells' weights.
	for _, r := range rows {
		if r["status"] != "crossed" {
			if r["w_cross_pa"] != "(null)" {
				t.Errorf("%s: a weight for a level that did not cross", r["level"])
			}
			continue
		}
		w := testsweep.Num(t, r["w_cross_pa"])
		if w < 0.5*136.50692497 || w > 1.7*136.50692497 {
			t.Errorf("%s: crossing at %v pA, outside the grid", r["level"], w)
		}
	}
}

// TestAggregateIndependentOfOrder: the balance lines, bootstrap intervals included, are the same
// whatever order the workers wrote the rows in.
func TestAggregateIndependentOfOrder(t *testing.T) {
	d := testsweep.Small(t, "order", 6, "[grid]\n\"input.rate_exc\" = [\"4 Hz\", \"5 Hz\"]\n\"weights.mult_ei\" = [0.6, 1.0, 1.4]\n")
	var got []string
	for _, jobs := range []int{1, 2} {
		dir := t.TempDir()
		if _, err := pipeline.Run(context.Background(), d, pipeline.Options{OutDir: dir, Jobs: jobs, FlushRows: 5, NoCompact: true}); err != nil {
			t.Fatal(err)
		}
		res, err := aggregateDir(dir, Options{Bootstrap: 100})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%+v", res.Lines[0].View()))
	}
	if got[0] != got[1] {
		t.Errorf("balance lines differ between -j1 and -j2:\n%s\n%s", got[0], got[1])
	}
}

// TestAggregateSolveFolder: a solve folder has no runs; aggregate says where its results are.
func TestAggregateSolveFolder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "sweep.toml"), []byte("name = \"s\"\n"), 0o644)
	os.Mkdir(filepath.Join(dir, "solved"), 0o755)
	_, err := Compute(context.Background(), dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "solved.parquet") {
		t.Errorf("aggregate of a solve folder: %v, want a pointer to solved.parquet", err)
	}
}

// TestAggregateSample: a sample's design points are the groups, each with its replicates; a
// sampled inhibitory weight has no balance lines (no two points share a level), and a grid of
// weights beside a sample has one level per design point.
func TestAggregateSample(t *testing.T) {
	run := func(text string) *Result {
		t.Helper()
		d, err := sweep.Parse("s.toml", text)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if _, err := pipeline.Run(context.Background(), d, pipeline.Options{OutDir: dir}); err != nil {
			t.Fatal(err)
		}
		r, err := Compute(context.Background(), dir, Options{Bootstrap: 20})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	base := "name = \"s\"\nreplicates = 3\n[params]\n\"sim.duration\" = \"0.5 s\"\n\"fi.n_currents\" = 301\n[sample]\nmethod = \"sobol\"\nn = 8\n[sample.params]\n"
	r := run(base + "\"weights.mult_ei\" = { from = 0.8, to = 1.2 }\n\"input.rate_exc\" = { from = \"4 Hz\", to = \"6 Hz\" }\n")
	if r.Groups != 8 || len(r.Lines) != 0 {
		t.Errorf("sampled weight: %d groups, %d units' balance lines; want 8 and none", r.Groups, len(r.Lines))
	}
	for _, g := range r.groups {
		if g.runs != 3 {
			t.Errorf("a design point has %d runs, want its 3 replicates", g.runs)
			break
		}
	}
	r = run(base + "\"input.rate_exc\" = { from = \"4 Hz\", to = \"6 Hz\" }\n[grid]\n\"weights.mult_ei\" = [0.6, 1.0, 1.4]\n")
	if r.Groups != 24 || len(r.Lines) != 1 || len(r.Lines[0].Levels) != 8 {
		t.Errorf("grid of weights beside a sample: %d groups, %d units' lines; want 24 groups and the E unit's 8 levels", r.Groups, len(r.Lines))
	}
}
