package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

func eisweep(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

// TestRunSeed is the README's main command (make run): the seed sweep, here into a temporary
// folder. It prints the table with eisweep's numbers beside the seed notebook's.
func TestRunSeed(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the full seed sweep")
	}
	dir := t.TempDir()
	code, out, errs := eisweep(t, "run", "-o", dir, "--quiet", "../../sweeps/seed.toml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"seed: 200 runs (200 now, 0 already done), 0 failed",
		"w_EE (pA)                      143.49509118  143.49509118",
		"θ_E (pA)                       124.1         124.1",
		"g_I (Hz/pA)                    1.50909091    1.50909091",
		"Q̂_EE predicted (pC)           286.990       286.990",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if errs != "" {
		t.Errorf("--quiet run wrote to stderr: %q", errs)
	}
	parts, _ := filepath.Glob(filepath.Join(dir, "runs", "*.parquet"))
	if len(parts) == 0 {
		t.Error("no Parquet written")
	}
	// Running again resumes: nothing left to do.
	code, out, _ = eisweep(t, "run", "-o", dir, "--quiet", "../../sweeps/seed.toml")
	if code != 0 || !strings.Contains(out, "(0 now, 200 already done)") {
		t.Errorf("rerun: exit %d, %q", code, out)
	}
	// The README's quick start ends with show: a header and the seed's summary line. (Its last
	// digit can differ between runs: the summary's means are accumulated in the order rows were
	// written, and 17.555 Hz sits on a rounding boundary; see the README's known limits.)
	code, out, _ = eisweep(t, "show", dir)
	line := regexp.MustCompile(`(?m)^\s+200\s+6\.18 ± 0\.25\s+17\.5\d ± 0\.71\s+-87\.5 ± 1\.1\s+0\.6860 ± 0\.0031$`)
	if code != 0 || !strings.Contains(out, "runs    rate_e_hz     rate_i_hz   b_add_e_pa         m_mult_e") || !line.MatchString(out) {
		t.Errorf("show: exit %d:\n%s", code, out)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("name = \"bad\"\n[params]\n\"input.rate_exc\" = \"5\"\n"), 0o644)
	fail := filepath.Join(dir, "fail.toml")
	os.WriteFile(fail, []byte("name = \"fail\"\nreplicates = 2\n[params]\n\"weights.j_ei\" = \"1000 nA\"\n\"fi.n_currents\" = 11\n"), 0o644)
	cases := []struct {
		reason string
		args   []string
		code   int
		errHas string
	}{
		{"no command", nil, exitUsage, ""},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"unknown flag", []string{"run", "--nope", "x.toml"}, exitUsage, "flag provided but not defined"},
		{"missing file argument", []string{"run"}, exitUsage, "missing argument: want one sweep definition file"},
		{"missing file is a bad command line", []string{"run", filepath.Join(dir, "none.toml")}, exitUsage, "none.toml: no such file: want a sweep definition"},
		{"two files: the second is named", []string{"run", bad, "extra.toml"}, exitUsage, `unexpected argument "extra.toml": want one sweep definition file`},
		{"flags after the file are flags", []string{"run", bad, "-o", filepath.Join(dir, "b2")}, exitUsage, `bad.toml:3:`},
		{"-- ends the flags", []string{"run", "--", "-o"}, exitUsage, "-o: no such file"},
		{"unknown command suggests the nearest", []string{"stauts"}, exitUsage, `did you mean "status"?`},
		{"help for an unknown command", []string{"help", "nope"}, exitUsage, `unknown command "nope"`},
		{"aggregate --by with a typo", []string{"aggregate", "--by", "input.rate_exx", dir}, exitUsage, "did you mean input.rate_exc?"},
		{"--max-runs 0", []string{"run", "--max-runs", "0", bad}, exitUsage, "--max-runs 0: want a number of runs ≥ 1"},
		{"bad definition names file, line, key and an example; exit 2, nothing runs", []string{"run", "-o", filepath.Join(dir, "b"), bad}, exitUsage, `bad.toml:3: params."input.rate_exc": "5" has no unit`},
		{"failed runs", []string{"run", "--quiet", "-o", filepath.Join(dir, "f"), fail}, exitRunFailed, "2 of 2 runs failed numerically"},
		{"help", []string{"help", "run"}, exitOK, ""},
		{"version", []string{"version"}, exitOK, ""},
		{"params", []string{"params"}, exitOK, ""},
		{"params toml", []string{"params", "--format", "toml"}, exitOK, ""},
		{"solve without [solve]", []string{"solve", "-o", filepath.Join(dir, "s"), fail}, exitUsage, "has no [solve] table; add one"},
		{"solve, missing file argument", []string{"solve"}, exitUsage, "want one sweep definition file"},
	}
	for _, c := range cases {
		code, _, errs := eisweep(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.errHas) {
			t.Errorf("%s: exit %d (want %d), stderr %q (want %q)", c.reason, code, c.code, errs, c.errHas)
		}
	}
	if exitCode(interrupted{syscall.SIGTERM}) != 143 || exitCode(interrupted{syscall.SIGINT}) != 130 {
		t.Error("signal exit codes")
	}
	if got := (interrupted{syscall.SIGINT}).Error(); got != "interrupted (SIGINT)" {
		t.Errorf("SIGINT reads %q", got)
	}
}

// TestHelpStreams: help asked for goes to stdout with exit 0, whichever way it is asked; help
// after a mistake goes to stderr with exit 2; the command list is aligned.
func TestHelpStreams(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"help", "run"}, {"run", "--help"}, {"run", "-h"}, {"aggregate", "x", "-h"}} {
		code, out, errs := eisweep(t, args...)
		if code != 0 || out == "" || errs != "" {
			t.Errorf("%v: exit %d, stdout %d bytes, stderr %q; want help on stdout", args, code, len(out), errs)
		}
	}
	code, out, errs := eisweep(t)
	if code != exitUsage || out != "" || !strings.Contains(errs, "Usage:") {
		t.Errorf("no command: exit %d, stdout %q", code, out)
	}
	_, out, _ = eisweep(t, "help")
	col := -1
	for _, c := range commands {
		line := ""
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "  eisweep "+c.name+" ") || l == "  eisweep "+c.name {
				line = l
			}
		}
		k := strings.Index(line, c.short)
		if k < 0 {
			t.Errorf("help lists no line for %s", c.name)
			continue
		}
		if col < 0 {
			col = k
		} else if k != col {
			t.Errorf("misaligned usage line %q: description at column %d, want %d", line, k, col)
		}
	}
}

// TestFlagsAnywhere: flags may follow the arguments, as people type them.
func TestFlagsAnywhere(t *testing.T) {
	dir := t.TempDir()
	def := filepath.Join(dir, "d.toml")
	os.WriteFile(def, []byte("name = \"d\"\nreplicates = 3\n[params]\n\"sim.duration\" = \"0.1 s\"\n\"fi.n_currents\" = 31\n"), 0o644)
	out := filepath.Join(dir, "out")
	if code, _, errs := eisweep(t, "run", def, "-o", out, "--quiet"); code != 0 || errs != "" {
		t.Fatalf("run FILE -o DIR --quiet: exit %d, stderr %q", code, errs)
	}
	if code, stdout, _ := eisweep(t, "status", out); code != 0 || !strings.Contains(stdout, "remaining  0") {
		t.Errorf("the run did not go into -o given after the file: %s", stdout)
	}
	if code, _, errs := eisweep(t, "aggregate", out, "--bootstrap", "20"); code != 0 {
		t.Errorf("aggregate DIR --bootstrap 20: exit %d: %s", code, errs)
	}
	if code, _, errs := eisweep(t, "plan", def, "--list", "2"); code != 0 {
		t.Errorf("plan FILE --list 2: exit %d: %s", code, errs)
	}
}

// TestParamsTOMLIsADefinition: `eisweep params --format toml` prints a definition that parses
// and runs the defaults.
func TestParamsTOMLIsADefinition(t *testing.T) {
	code, out, _ := eisweep(t, "params", "--format", "toml")
	if code != 0 {
		t.Fatal(code)
	}
	path := filepath.Join(t.TempDir(), "all.toml")
	os.WriteFile(path, []byte(strings.Replace(out, `"fi.n_currents" = 3001`, `"fi.n_currents" = 31`, 1)), 0o644)
	code, _, errs := eisweep(t, "run", "--quiet", "-o", filepath.Join(t.TempDir(), "o"), path)
	if code != 0 {
		t.Errorf("running the printed defaults: exit %d: %s", code, errs)
	}
}

// TestValidateSweeps: every definition in sweeps/ validates.
func TestValidateSweeps(t *testing.T) {
	files, _ := filepath.Glob("../../sweeps/*.toml")
	if len(files) < 4 {
		t.Fatalf("%d sweeps", len(files))
	}
	code, out, errs := eisweep(t, append([]string{"validate"}, files...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, f := range files {
		if !strings.Contains(out, f+": ok: ") {
			t.Errorf("no ok line for %s in %q", f, out)
		}
	}
}

// TestValidateBadCorpus: every bad definition makes validate exit 2 with its expected messages,
// and run refuses it without creating an output folder.
func TestValidateBadCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../sweep/testdata/bad/*.toml")
	if len(files) < 30 {
		t.Fatalf("%d bad definitions", len(files))
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		code, _, errs := eisweep(t, "validate", f)
		if code != exitUsage {
			t.Errorf("%s: validate exit %d, want 2", f, code)
		}
		for _, l := range strings.Split(string(b), "\n") {
			w, ok := strings.CutPrefix(l, "# want: ")
			if ok && !strings.Contains(errs, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", f, w, errs)
			}
		}
		out := filepath.Join(t.TempDir(), "out")
		if code, _, _ := eisweep(t, "run", "--quiet", "-o", out, f); code != exitUsage {
			t.Errorf("%s: run exit %d, want 2", f, code)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: run created %s", f, out)
		}
	}
}

func TestPlan(t *testing.T) {
	code, out, errs := eisweep(t, "plan", "--list", "3", "--calibrate", "4", "../../sweeps/setpoints.toml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"1. input.rate_exc  9 values  2 Hz, 3 Hz, 4 Hz, 5 Hz, … 1 more …, 7 Hz, 8 Hz, 9 Hz, 10 Hz",
		"81 cells × 20 replicates = 1620 runs",
		"first 3 runs:", "estimate (from 4 calibration runs", "ms per run",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "  2 Hz            6 Hz"); n != 3 {
		t.Errorf("--list 3 printed %d runs of the first cell:\n%s", n, out)
	}
}

// TestFigureWritesOnlyFigures: figure aggregates in memory: the summary and balance lines that
// aggregate wrote (here with its own bootstrap) stay byte for byte, and every file figure writes
// is under the figure folder.
func TestFigureWritesOnlyFigures(t *testing.T) {
	out := runSweep(t, "name = \"f\"\nreplicates = 6\n[params]\n\"sim.duration\" = \"0.2 s\"\n\"fi.n_currents\" = 31\n[grid]\n\"input.rate_exc\" = [\"4 Hz\", \"5 Hz\"]\n\"weights.mult_ei\" = [0.6, 1.0, 1.4]\n")
	if code, _, stderr := eisweep(t, "aggregate", "--bootstrap", "77", out); code != 0 {
		t.Fatalf("aggregate: exit %d: %s", code, stderr)
	}
	before := map[string][]byte{}
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			before[p], _ = os.ReadFile(p)
		}
		return nil
	})
	if code, _, stderr := eisweep(t, "figure", out); code != 0 {
		t.Fatalf("figure: exit %d: %s", code, stderr)
	}
	figs := filepath.Join(out, "figures") + string(filepath.Separator)
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(p)
		old, ok := before[p]
		switch {
		case !ok && !strings.HasPrefix(p, figs):
			t.Errorf("figure wrote %s, outside its figure folder", p)
		case ok && !bytes.Equal(old, b):
			t.Errorf("figure changed %s", p)
		}
		return nil
	})
	if _, ok := before[filepath.Join(out, "balance.parquet")]; !ok {
		t.Error("the sweep has no balance lines: the test does not test what it says")
	}
}

// TestAggregateNamesItsGrouping: aggregate --by writes its own file and leaves the per-cell
// summary; running aggregate again says it replaced the earlier one.
func TestAggregateNamesItsGrouping(t *testing.T) {
	out := runSweep(t, "name = \"g\"\nreplicates = 4\n[params]\n\"sim.duration\" = \"0.1 s\"\n\"fi.n_currents\" = 31\n[grid]\n\"input.rate_exc\" = [\"4 Hz\", \"5 Hz\"]\n\"input.rate_inh\" = [\"12 Hz\", \"14 Hz\"]\n")
	_, first, _ := eisweep(t, "aggregate", out)
	summary, _ := os.ReadFile(filepath.Join(out, "summary.parquet"))
	code, byOut, errs := eisweep(t, "aggregate", "--by", "input.rate_exc", out)
	if code != 0 || !strings.Contains(byOut, "summary-by-input_rate_exc.parquet: 2 groups") {
		t.Errorf("aggregate --by: exit %d: %s%s", code, byOut, errs)
	}
	if again, _ := os.ReadFile(filepath.Join(out, "summary.parquet")); !bytes.Equal(again, summary) {
		t.Error("aggregate --by replaced summary.parquet")
	}
	_, second, _ := eisweep(t, "aggregate", out)
	if strings.Contains(first, "replacing") || !strings.Contains(second, "4 groups, replacing the one an earlier aggregate wrote") {
		t.Errorf("first: %q; second: %q", first, second)
	}
}

// runSweep runs the definition text (quietly, in this process) into a new folder and returns it.
func runSweep(t *testing.T, text string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	if code, _, errs := eisweep(t, "run", "--quiet", "-o", out, writeDef(t, text)); code != 0 {
		t.Fatalf("run: exit %d: %s", code, errs)
	}
	return out
}
