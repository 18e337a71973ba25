package figure

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eisweep/eisweep/pipeline"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

var update = flag.Bool("update", false, "rewrite testdata/figures.json")

// smallSweep runs a sweep with every kind of figure: two axes (heatmaps), an inhibitory weight
// at several excitation levels (rates, balance lines), short runs and a coarse f-I grid.
func smallSweep(t *testing.T, extra string) string {
	t.Helper()
	return runDefinition(t, `name = "small"
replicates = 4
[params]
"sim.duration" = "0.2 s"
"fi.n_currents" = 301
"fi.duration" = "0.3 s"
`+extra+`
[grid]
"input.rate_exc" = ["4 Hz", "5 Hz", "6 Hz"]
"weights.mult_ei" = { from = 0.5, to = 1.7, step = 0.3 }
`)
}

// runDefinition runs the sweep definition text into a new folder and returns the folder.
func runDefinition(t *testing.T, text string) string {
	t.Helper()
	d, err := sweep.Parse("def.toml", text)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := pipeline.Run(context.Background(), d, pipeline.Options{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestFigures builds every figure of a small sweep, renders each as PNG and SVG, and compares the
// plotted data with testdata/figures.json (regenerate with go test ./figure -update).
func TestFigures(t *testing.T) {
	dir := smallSweep(t, "")
	figs, err := Build(dir, Options{Bootstrap: 50})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, f := range figs {
		kind := strings.SplitN(f.File, "-", 3)[0]
		if strings.HasPrefix(f.File, "run-") {
			kind += "-" + f.File[strings.LastIndex(f.File, "-")+1:]
		}
		kinds[kind] = true
		if f.Title == "" || f.Desc == "" || f.XLabel == "" || f.YLabel == "" {
			t.Errorf("%s: missing title, description or axis label", f.File)
		}
		for _, format := range []string{"png", "svg"} {
			path := filepath.Join(t.TempDir(), f.File+"."+format)
			if err := Render(f, path); err != nil {
				t.Fatalf("%s: %v", f.File, err)
			}
			b, err := os.ReadFile(path)
			if err != nil || len(b) < 2000 {
				t.Fatalf("%s: %d bytes, %v", path, len(b), err)
			}
			if format == "png" {
				cfg, err := png.DecodeConfig(bytes.NewReader(b))
				if err != nil || cfg.Width != 1050 || cfg.Height != 675 {
					t.Errorf("%s: %v, %dx%d, want a 1050x675 PNG", path, err, cfg.Width, cfg.Height)
				}
			} else if !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte(`width="504pt"`)) {
				t.Errorf("%s: not a 504pt-wide SVG", path)
			}
		}
	}
	for _, k := range []string{"run-voltage", "run-currents", "run-current", "fi", "heatmap", "rate", "balance", "charge"} {
		if !kinds[k] {
			t.Errorf("no %s figure among %v", k, kinds)
		}
	}
	// The plotted data, rounded to 9 significant digits, against the golden file.
	got, err := json.MarshalIndent(round(figs), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "figures.json")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (create it with go test ./figure -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("plotted data differ from %s (if the change is intended: go test ./figure -update)", golden)
	}
	if err := WriteIndex(t.TempDir(), figs, ".png"); err != nil {
		t.Fatal(err)
	}
}

// round returns a copy of figs' data with every number to 9 significant digits, so that the
// golden comparison is not at the mercy of the last bit of a library's arithmetic.
func round(figs []*Figure) []*Figure {
	r := func(xs []float64) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
				out[i] = x
				continue
			}
			e := math.Pow(10, 8-math.Floor(math.Log10(math.Abs(x))))
			out[i] = math.Round(x*e) / e
		}
		return out
	}
	nan := func(xs []float64) []float64 { // JSON has no NaN
		for i, x := range xs {
			if math.IsNaN(x) {
				xs[i] = -1e300
			}
		}
		return xs
	}
	var out []*Figure
	for _, f := range figs {
		g := *f
		g.Series = nil
		for _, s := range f.Series {
			s.X, s.Y, s.Lo, s.Hi = nan(r(s.X)), nan(r(s.Y)), nan(r(s.Lo)), nan(r(s.Hi))
			g.Series = append(g.Series, s)
		}
		if f.Heat != nil {
			h := *f.Heat
			h.Z, h.C = nil, nil
			for _, row := range f.Heat.Z {
				h.Z = append(h.Z, nan(r(row)))
			}
			for _, row := range f.Heat.C {
				h.C = append(h.C, nan(r(row)))
			}
			g.Heat = &h
		}
		out = append(out, &g)
	}
	return out
}

// TestResimulationEqualsTraces: the run figures simulate the run again from its seed; that gives
// exactly the traces the sweep recorded.
func TestResimulationEqualsTraces(t *testing.T) {
	d, err := sweep.Parse("t.toml", "name = \"t\"\nseed = 9\n[params]\n\"sim.duration\" = \"0.3 s\"\n\"fi.n_currents\" = 31\n[outputs]\ntraces = true\n")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := pipeline.Run(context.Background(), d, pipeline.Options{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	pt, _, id, err := findRun(d, "")
	if err != nil {
		t.Fatal(err)
	}
	tr, _, _, err := Resimulate(d, pt, id)
	if err != nil {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "traces", "*.parquet"))
	cols, err := table.ReadFloats(paths, []string{"v_e_mv", "s_inh_e_pa", "v_i_mv"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cols["v_e_mv"]) != len(tr.VE) {
		t.Fatalf("%d recorded steps, %d simulated", len(cols["v_e_mv"]), len(tr.VE))
	}
	for n := range tr.VE {
		if cols["v_e_mv"][n] != tr.VE[n]*1e3 || cols["s_inh_e_pa"][n] != tr.SIE[n]*1e12 || cols["v_i_mv"][n] != tr.VI[n]*1e3 {
			t.Fatalf("step %d: recorded %v %v %v, simulated again %v %v %v", n, cols["v_e_mv"][n], cols["s_inh_e_pa"][n], cols["v_i_mv"][n],
				tr.VE[n]*1e3, tr.SIE[n]*1e12, tr.VI[n]*1e3)
		}
	}
}
