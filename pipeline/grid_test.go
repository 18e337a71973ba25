package pipeline

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/internal/testsweep"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

func parse(t *testing.T, text string) *sweep.Definition {
	t.Helper()
	d, err := sweep.Parse("g.toml", text)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestGridRun: every cell of a grid runs its replicates, with its parameters in the columns;
// fi/ holds one curve per distinct unit, traces/ every step of every run.
func TestGridRun(t *testing.T) {
	d := parse(t, `name = "grid"
replicates = 2
[params]
"sim.duration" = "0.1 s"
"fi.n_currents" = 31
[grid]
"input.rate_exc" = ["4 Hz", "6 Hz"]
[[zip]]
"exc.e_leak" = ["7.6 mV", "8 mV", "8.5 mV"]
"exc.v_reset" = ["14 mV", "13 mV", "12 mV"]
[outputs]
fi_curves = true
traces = true
`)
	dir := t.TempDir()
	if _, err := Run(context.Background(), d, Options{OutDir: dir, Jobs: 2}); err != nil {
		t.Fatal(err)
	}
	rows := testsweep.ReadAll(t, dir)
	if len(rows) != 12 {
		t.Fatalf("%d rows, want 2 × 3 cells × 2 replicates", len(rows))
	}
	cells := map[string]int{}
	for _, r := range rows {
		cells[r["input_rate_exc_hz"]+"/"+r["exc_e_leak_mv"]+"/"+r["exc_v_reset_mv"]]++
	}
	for _, c := range []string{"4/7.6/14", "4/8/13", "4/8.5/12", "6/7.6/14", "6/8/13", "6/8.5/12"} {
		if cells[c] != 2 {
			t.Errorf("cell %s: %d rows, want 2 (cells %v)", c, cells[c], cells)
		}
	}
	// 3 distinct E units (the zip) and 1 I unit, 31 currents each.
	fi := countBy(t, dir, "fi", "fi_key")
	if len(fi) != 4 || fi[rowOf(rows, "4/8/13")["fi_key_e"]] != 31 {
		t.Errorf("fi/ curves: %v", fi)
	}
	tr := countBy(t, dir, "traces", "run_id")
	if len(tr) != 12 {
		t.Errorf("traces of %d runs, want 12", len(tr))
	}
	for id, n := range tr {
		if n != 1000 {
			t.Errorf("run %s: %d trace rows, want 1000 steps", id, n)
		}
	}
	// Resume with one more excitation level: only the new cells run, no curve is written twice.
	d2 := parse(t, strings.Replace(d.Text, `["4 Hz", "6 Hz"]`, `["4 Hz", "5 Hz", "6 Hz"]`, 1))
	s, err := Run(context.Background(), d2, Options{OutDir: dir, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if s.OK != 6 || s.Skipped != 12 {
		t.Errorf("resume with added points: ran %d, skipped %d; want 6 and 12", s.OK, s.Skipped)
	}
	if fi := countBy(t, dir, "fi", "fi_key"); len(fi) != 4 {
		t.Errorf("after resume, %d curves (some written twice?)", len(fi))
	}
	// A definition that drops points is refused.
	d3 := parse(t, strings.Replace(d.Text, `["4 Hz", "6 Hz"]`, `["4 Hz"]`, 1))
	if _, err := Run(context.Background(), d3, Options{OutDir: dir}); !errors.Is(err, ErrDefinitionChanged) || !strings.Contains(err.Error(), "lost a combination") {
		t.Errorf("dropping points: err = %v", err)
	}
}

func rowOf(rows map[string]map[string]string, cell string) map[string]string {
	for _, r := range rows {
		if r["input_rate_exc_hz"]+"/"+r["exc_e_leak_mv"]+"/"+r["exc_v_reset_mv"] == cell {
			return r
		}
	}
	return nil
}

// countBy counts rows of table (fi, traces) per value of key column, reading the Parquet
// parts directly.
func countBy(t *testing.T, dir, tbl, key string) map[string]int {
	t.Helper()
	paths := testsweep.Files(t, dir, tbl)
	counts := map[string]int{}
	for _, p := range paths {
		if err := table.EachString(p, key, func(v string) error { counts[v]++; return nil }); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	if len(paths) == 0 {
		t.Fatalf("no %s/ parts", tbl)
	}
	return counts
}

// TestCalibrateSize: plan's size estimate is within a factor of 2 of what the sweep writes.
func TestCalibrateSize(t *testing.T) {
	d := parse(t, `name = "cal"
replicates = 10
[params]
"sim.duration" = "0.2 s"
"fi.n_currents" = 31
[grid]
"input.rate_exc" = { from = "3 Hz", to = "8 Hz", steps = 6 }
"weights.mult_ei" = [0.8, 0.9, 1.0, 1.1, 1.2]
`)
	est, err := experiment.Calibrate(d, 24)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := Run(context.Background(), d, Options{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	paths := testsweep.Files(t, dir, "runs")
	var total int64
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		total += st.Size()
	}
	got := est.Bytes(d.Runs())
	if ratio := got / float64(total); ratio < 0.5 || ratio > 2 {
		t.Errorf("estimated %.0f bytes, wrote %d (ratio %.2f)", got, total, ratio)
	}
	if est.RunMs <= 0 || est.FIMs <= 0 || est.DistinctUnits != 2 {
		t.Errorf("estimate %+v", est)
	}
}
