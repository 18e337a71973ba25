package figure

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eisweep/eisweep/solve"
	"github.com/eisweep/eisweep/sweep"
)

// TestSolvedFigures: a folder that was only solved (no runs) gets the solved-weight and
// prediction figures of each unit; they show every cell, with the solved weights from
// solved.parquet, and render.
func TestSolvedFigures(t *testing.T) {
	d, err := sweep.Parse("s.toml", `name = "s"
replicates = 6
[params]
"sim.duration" = "0.5 s"
"fi.n_currents" = 301
"fi.duration" = "0.3 s"
[grid]
"input.rate_exc" = ["4 Hz", "5 Hz", "6 Hz"]
"input.rate_inh" = ["12 Hz", "16 Hz"]
[solve]
bootstrap = 50
[solve.e]
param = "weights.mult_ei"
tolerance = 0.01
[solve.i]
param = "weights.mult_ii"
tolerance = 0.01
`)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sum, err := solve.Solve(context.Background(), d, solve.Options{OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	figs, err := Build(dir, Options{Bootstrap: 50})
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string]*Figure{}
	for _, f := range figs {
		byFile[f.File] = f
	}
	for _, c := range []struct {
		file  string
		unit  int
		lines int // one per value of the other axis
	}{{"solved-w-ei-vs-input-rate-exc", 0, 2}, {"solved-w-ii-vs-input-rate-inh", 1, 3}} {
		f := byFile[c.file]
		if f == nil {
			t.Fatalf("no %s among %v", c.file, keys(byFile))
		}
		var n int
		for _, s := range f.Series {
			if s.Kind != ErrorBars {
				continue
			}
			n++
			for k := range s.X {
				if !inSolved(sum.Rows, c.unit, s.Y[k], s.Lo[k], s.Hi[k]) {
					t.Errorf("%s: point (%g, %g [%g, %g]) is not a solved weight", c.file, s.X[k], s.Y[k], s.Lo[k], s.Hi[k])
				}
			}
		}
		if n != c.lines {
			t.Errorf("%s: %d lines, want %d", c.file, n, c.lines)
		}
		if err := Render(f, filepath.Join(t.TempDir(), f.File+".png")); err != nil {
			t.Fatal(err)
		}
	}
	for _, file := range []string{"solved-predictions-w-ei", "solved-predictions-w-ii"} {
		f := byFile[file]
		if f == nil {
			t.Fatalf("no %s", file)
		}
		var labels []string
		for _, s := range f.Series {
			labels = append(labels, s.Label)
		}
		all := strings.Join(labels, "; ")
		for _, want := range []string{"additive", "multiplicative", "linear", "threshold–gain", "identity"} {
			if !strings.Contains(all, want) {
				t.Errorf("%s: no %s series in %s", file, want, all)
			}
		}
		if err := Render(f, filepath.Join(t.TempDir(), f.File+".svg")); err != nil {
			t.Fatal(err)
		}
	}
}

func inSolved(rows []solve.SolvedRow, unit int, w, lo, hi float64) bool {
	for _, r := range rows {
		s := r.Units[unit]
		if math.Abs(s.WPA-w) < 1e-9 && math.Abs(s.WCILoPA-lo) < 1e-9 && math.Abs(s.WCIHiPA-hi) < 1e-9 {
			return true
		}
	}
	return false
}

func keys(m map[string]*Figure) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
