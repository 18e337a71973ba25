package main

import (
	"encoding/csv"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/eisweep/eisweep/table"
)

// TestShow: show prints the per-cell summary that aggregate writes, rows in grid order, as a
// table and as CSV whose numbers are summary.parquet's.
func TestShow(t *testing.T) {
	out := runSweep(t, "name = \"s\"\nreplicates = 4\n[params]\n\"sim.duration\" = \"0.2 s\"\n\"fi.n_currents\" = 31\n[grid]\n\"input.rate_exc\" = [\"6 Hz\", \"4 Hz\", \"5 Hz\"]\n")
	code, tbl, errs := eisweep(t, "show", out)
	lines := strings.Split(strings.TrimSpace(tbl), "\n")
	if code != 0 || len(lines) != 4 || !strings.Contains(lines[0], "input.rate_exc (Hz)") || !strings.Contains(lines[0], "rate_e_hz") {
		t.Fatalf("show: exit %d: %s%s", code, tbl, errs)
	}
	for k, want := range []string{"4", "5", "6"} {
		if f := strings.Fields(lines[k+1]); f[0] != want || f[1] != "4" || !strings.Contains(lines[k+1], "±") {
			t.Errorf("row %d: %q, want rate_exc %s, 4 runs, means with intervals", k+1, lines[k+1], want)
		}
	}
	code, text, errs := eisweep(t, "show", "--format", "csv", "--columns", "q_ee_pc", out)
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if code != 0 || err != nil || len(recs) != 4 || strings.Join(recs[0], ",") != "input.rate_exc (Hz),runs,q_ee_pc_mean,q_ee_pc_ci_lo,q_ee_pc_ci_hi" {
		t.Fatalf("show --format csv: exit %d, %v: %q %s", code, err, text, errs)
	}
	if code, _, errs := eisweep(t, "aggregate", out); code != 0 {
		t.Fatal(errs)
	}
	sum, err := table.ReadFloats([]string{filepath.Join(out, "summary.parquet")}, []string{"input_rate_exc_hz", "q_ee_pc_mean"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		rate, _ := strconv.ParseFloat(r[0], 64)
		mean, _ := strconv.ParseFloat(r[2], 64)
		found := false
		for i, x := range sum["input_rate_exc_hz"] {
			if x == rate {
				found = sum["q_ee_pc_mean"][i] == mean
			}
		}
		if !found {
			t.Errorf("show's %v is not summary.parquet's", r)
		}
	}
	if code, _, errs := eisweep(t, "show", "--columns", "rate_e", out); code != exitUsage || !strings.Contains(errs, "did you mean rate_e_hz?") {
		t.Errorf("a misspelt column: exit %d: %s", code, errs)
	}
}
