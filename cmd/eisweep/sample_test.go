package main

import (
	"strings"
	"testing"
)

const sampleSweep = `name = "sampled"
[params]
"sim.duration" = "1 s"
[sample]
method = "%s"
n = %s
[sample.params]
"weights.mult_ei" = { from = 0.8, to = 1.2 }
"input.rate_exc" = { from = "3 Hz", to = "8 Hz", scale = "log" }
`

// TestSampleSweep: a Sobol sample runs, grows from 8 to 16 points over the same folder running
// only the new 8, and shows one row per point; a Latin hypercube's n cannot change in a folder.
func TestSampleSweep(t *testing.T) {
	sobol8 := strings.Replace(strings.Replace(sampleSweep, "%s", "sobol", 1), "%s", "8", 1)
	sobol16 := strings.Replace(strings.Replace(sampleSweep, "%s", "sobol", 1), "%s", "16", 1)
	out := runSweep(t, sobol8)
	code, _, errs := eisweep(t, "run", "-o", out, writeDef(t, sobol16))
	if code != 0 || !strings.Contains(errs, "8 runs done") || !strings.Contains(errs, "8 already done before") {
		t.Fatalf("growing the sample: exit %d: %s", code, errs)
	}
	code, stdout, errs := eisweep(t, "show", "--format", "csv", out)
	if code != 0 || strings.Count(strings.TrimSpace(stdout), "\n") != 16 {
		t.Errorf("show: exit %d, %d lines (want a header and 16 points): %s%s", code, strings.Count(stdout, "\n"), stdout, errs)
	}
	lhs8 := strings.Replace(sobol8, "sobol", "lhs", 1)
	out = runSweep(t, lhs8)
	code, _, errs = eisweep(t, "run", "-o", out, writeDef(t, strings.Replace(lhs8, "n = 8", "n = 9", 1)))
	if code == 0 || !strings.Contains(errs, "Latin hypercube") {
		t.Errorf("a Latin hypercube grown in its folder: exit %d: %s", code, errs)
	}
}
