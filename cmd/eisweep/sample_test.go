package main

import (
	"math"
	"strconv"
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
	code, stdout, errs = eisweep(t, "plan", writeDef(t, sobol16))
	if code != 0 || !strings.Contains(stdout, "[sample] (line 4): sobol, n = 16: 16 distinct points over 2 parameters") ||
		!strings.Contains(stdout, "input.rate_exc   3 Hz to 8 Hz, log scale") {
		t.Errorf("plan: exit %d:\n%s%s", code, stdout, errs)
	}
	lhs8 := strings.Replace(sobol8, "sobol", "lhs", 1)
	out = runSweep(t, lhs8)
	code, _, errs = eisweep(t, "run", "-o", out, writeDef(t, strings.Replace(lhs8, "n = 8", "n = 9", 1)))
	if code == 0 || !strings.Contains(errs, "Latin hypercube") {
		t.Errorf("a Latin hypercube grown in its folder: exit %d: %s", code, errs)
	}
}

// TestSensitivityCommand: a Saltelli sample's folder gets sensitivity.parquet, one row per output
// and parameter; the E rate depends on the excitatory input rate, and on the I unit's leak,
// which the E unit's equations do not contain, only through the noise. A Latin hypercube gets
// rank correlations that say the same; a grid, and a sample too small to regress on, are
// refused, saying why.
func TestSensitivityCommand(t *testing.T) {
	text := `name = "sens"
replicates = 2
[params]
"sim.duration" = "2 s"
[sample]
method = "saltelli"
n = 32
[sample.params]
"input.rate_exc" = { from = "4 Hz", to = "6 Hz" }
"inh.g_leak" = { from = "9 nS", to = "11 nS" }
`
	out := runSweep(t, text)
	code, stdout, errs := eisweep(t, "sensitivity", "--bootstrap", "200", out)
	if code != 0 {
		t.Fatalf("sensitivity: exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "sensitivity.parquet") {
		t.Errorf("no word of the file written: %s", errs)
	}
	var rateExc, gLeak []string
	for _, line := range strings.Split(stdout, "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && f[0] == "rate_e_hz" {
			if f[1] == "input.rate_exc" {
				rateExc = f
			} else {
				gLeak = f
			}
		}
	}
	if rateExc == nil || gLeak == nil {
		t.Fatalf("no rate_e_hz rows:\n%s", stdout)
	}
	if st, _ := strconv.ParseFloat(rateExc[5], 64); st < 0.5 {
		t.Errorf("rate_e_hz's total effect of input.rate_exc %v, want most of the variance: %v", st, rateExc)
	}
	// inh.g_leak does not enter the E unit's equations; it moves rate_e_hz only through the
	// noise (each design point is a run of its own seed).
	if st, _ := strconv.ParseFloat(gLeak[5], 64); st > 0.1 {
		t.Errorf("rate_e_hz's total effect of inh.g_leak %v, want noise only: %v", st, gLeak)
	}
	// A Latin hypercube: regression coefficients and rank correlations, no Sobol indices.
	lhs := strings.Replace(strings.Replace(strings.Replace(text, "saltelli", "lhs", 1), "n = 32", "n = 64", 1), "replicates = 2", "replicates = 1", 1)
	code, stdout, errs = eisweep(t, "sensitivity", "--bootstrap", "200", "--outputs", "rate_e_hz", runSweep(t, lhs))
	if code != 0 {
		t.Fatalf("sensitivity of a Latin hypercube: exit %d: %s", code, errs)
	}
	rateExc, gLeak = nil, nil
	for _, line := range strings.Split(stdout, "\n") {
		if f := strings.Fields(line); len(f) > 8 && f[0] == "rate_e_hz" {
			if f[1] == "input.rate_exc" {
				rateExc = f
			} else {
				gLeak = f
			}
		}
	}
	if rateExc == nil || gLeak == nil || strings.Contains(stdout, "s1 [") || strings.Contains(stdout, "rate_i_hz") {
		t.Fatalf("want src and prcc rows of rate_e_hz only (--outputs), and no s1:\n%s", stdout)
	}
	if prcc, _ := strconv.ParseFloat(rateExc[5], 64); prcc < 0.8 {
		t.Errorf("rate_e_hz's rank correlation with input.rate_exc %v, want near 1: %v", prcc, rateExc)
	}
	if prcc, _ := strconv.ParseFloat(gLeak[5], 64); math.Abs(prcc) > 0.4 {
		t.Errorf("rate_e_hz's rank correlation with inh.g_leak %v, want noise only: %v", prcc, gLeak)
	}
	code, _, errs = eisweep(t, "sensitivity", runSweep(t, "name = \"g\"\n[grid]\n\"weights.mult_ei\" = [0.9, 1.1]\n"))
	if code == 0 || !strings.Contains(errs, "[sample]") {
		t.Errorf("a grid: exit %d: %s", code, errs)
	}
	code, _, errs = eisweep(t, "sensitivity", runSweep(t, strings.Replace(lhs, "n = 64", "n = 6", 1)))
	if code == 0 || !strings.Contains(errs, "too few") || !strings.Contains(errs, "raise sample.n") {
		t.Errorf("6 points for 2 parameters: exit %d: %s", code, errs)
	}
}
