package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSolveCommand: `eisweep solve` on a small grid prints each unit's solutions and the
// models' leave-one-out errors, writes solved.parquet, and resumes.
func TestSolveCommand(t *testing.T) {
	dir := t.TempDir()
	def := filepath.Join(dir, "s.toml")
	os.WriteFile(def, []byte(`name = "s"
replicates = 8
[params]
"sim.duration" = "0.5 s"
"fi.n_currents" = 301
[grid]
"input.rate_exc" = ["4 Hz", "5 Hz", "6 Hz"]
[solve]
bootstrap = 100
[solve.e]
param = "weights.mult_ei"
tolerance = 0.005
[solve.i]
param = "weights.mult_ii"
tolerance = 0.005
`), 0o644)
	out := filepath.Join(dir, "out")
	code, stdout, stderr := eisweep(t, "solve", "--quiet", "-o", out, def)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		filepath.Join(out, "solved.parquet") + ": 3 cells (3 now, 0 already solved)",
		"E unit: weights.mult_ei solved for its set point (rate_exc), 8 replicates, tolerance 0.005",
		"I unit: weights.mult_ii solved for its set point (rate_inh)",
		"balance models fitted to all 3 solved cells",
		"additive", "multiplicative", "linear", "threshold–gain",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if stderr != "" {
		t.Errorf("--quiet wrote to stderr: %q", stderr)
	}
	code, stdout, _ = eisweep(t, "solve", "--quiet", "-o", out, def)
	if code != 0 || !strings.Contains(stdout, "(0 now, 3 already solved)") {
		t.Errorf("again: exit %d:\n%s", code, stdout)
	}
	// status and compact understand a solve folder; aggregate points to its results.
	code, stdout, _ = eisweep(t, "status", out)
	if code != 0 || !strings.Contains(stdout, "solved     3 of 3 cells (100.0%)") || !strings.Contains(stdout, "remaining  0 cells") {
		t.Errorf("status of a solve folder: exit %d:\n%s", code, stdout)
	}
	if code, _, stderr := eisweep(t, "compact", out); code != 0 {
		t.Errorf("compact of a solve folder: exit %d: %s", code, stderr)
	}
	if code, _, stderr := eisweep(t, "aggregate", out); code != 1 || !strings.Contains(stderr, "solved.parquet") {
		t.Errorf("aggregate of a solve folder: exit %d: %s", code, stderr)
	}
	code, stdout, _ = eisweep(t, "plan", "--calibrate", "4", def)
	for _, want := range []string{"E unit: weights.mult_ei from 0.975", "about 45 × 8 replicates × 2 units × 3 cells = 2,160 single-unit simulations", "ms per single-unit simulation"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("plan: exit %d, no %q in:\n%s", code, want, stdout)
		}
	}
}
