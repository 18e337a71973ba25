// Command netcompare sets the recurrent network's Up-state rates beside the single-unit
// experiment's rates at the same weights: at the seed's trained weights and at the weights
// `eisweep solve` finds for the 5/14 Hz set points. It reads three output folders (the seed
// sweep, the solve-seed solution, and the network-compare sweep, whose two cells are those two
// pairs of weights), prints a Markdown table and draws docs/network-vs-unit.png:
//
//	go run ./tools/netcompare results/seed results/solve-seed results/network-compare
//
// (make network-compare runs the three first.)
package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/eisweep/eisweep/aggregate"
	"github.com/eisweep/eisweep/figure"
	"github.com/eisweep/eisweep/solve"
)

// estimate is a mean with its 95% interval.
type estimate struct{ mean, lo, hi float64 }

func (e estimate) String() string {
	return fmt.Sprintf("%.2f [%.2f, %.2f]", e.mean, e.lo, e.hi)
}

// summary returns, for each of the cells cells of folder dir (in grid order, with the named
// parameter's value), the named metrics' means and intervals, and each cell's run count.
func summary(dir string, cells int, param string, metrics ...string) ([][]estimate, []float64, error) {
	res, err := aggregate.Compute(context.Background(), dir, aggregate.Options{Bootstrap: 1})
	if err != nil {
		return nil, nil, err
	}
	if res.Groups != cells {
		return nil, nil, fmt.Errorf("%s has %d grid cells, want %d", dir, res.Groups, cells)
	}
	var names []string
	for _, m := range metrics {
		names = append(names, m+"_mean", m+"_ci_lo", m+"_ci_hi")
	}
	names = append(names, "n_runs")
	if param != "" {
		names = append(names, param)
	}
	cols, err := res.Floats(names)
	if err != nil {
		return nil, nil, err
	}
	order := make([]int, cells)
	for g := range order {
		order[g] = g
	}
	if param != "" {
		sort.Slice(order, func(a, b int) bool { return cols[param][order[a]] < cols[param][order[b]] })
	}
	out := make([][]estimate, cells)
	runs := make([]float64, cells)
	for c, g := range order {
		for _, m := range metrics {
			out[c] = append(out[c], estimate{cols[m+"_mean"][g], cols[m+"_ci_lo"][g], cols[m+"_ci_hi"][g]})
		}
		runs[c] = cols["n_runs"][g]
	}
	return out, runs, nil
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: netcompare UNIT-SEED-DIR SOLVE-SEED-DIR NETWORK-COMPARE-DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "netcompare:", err)
		os.Exit(1)
	}
}

func run(unitDir, solveDir, netDir string) error {
	us, unitRuns, err := summary(unitDir, 1, "", "rate_e_hz", "rate_i_hz")
	if err != nil {
		return err
	}
	unitSeed := us[0]
	rows, err := solve.ReadSolvedFiles([]string{filepath.Join(solveDir, "solved.parquet")})
	if err != nil {
		return err
	}
	if len(rows) != 1 {
		return fmt.Errorf("%s solved %d cells, want 1", solveDir, len(rows))
	}
	var unitSolved [2]estimate
	for u := range 2 {
		s := rows[0].Units[u]
		unitSolved[u] = estimate{s.RateHz, s.RateHz - 1.96*s.RateSEMHz, s.RateHz + 1.96*s.RateSEMHz}
	}
	metrics := []string{"rate_up_e_hz", "rate_up_i_hz", "up_count", "up_duration_s"}
	net, netRuns, err := summary(netDir, 2, "weights_mult_ei", metrics...)
	if err != nil {
		return err
	}
	netSeed, netSolved := net[0], net[1] // the trained mult_ei is the smaller
	e, i := rows[0].Units[0], rows[0].Units[1]
	fmt.Printf("| weights | mult_ei | mult_ii | single unit r_E (Hz) | network Up r_E (Hz) | single unit r_I (Hz) | network Up r_I (Hz) | Ups per trial | Up duration (s) |\n")
	fmt.Printf("|---|---|---|---|---|---|---|---|---|\n")
	fmt.Printf("| trained (seed) | %.4f | %.4f | %s | %s | %s | %s | %.2f | %.3f |\n", e.Start, i.Start, unitSeed[0], netSeed[0], unitSeed[1], netSeed[1], netSeed[2].mean, netSeed[3].mean)
	fmt.Printf("| solved for 5/14 Hz (single unit) | %.4f | %.4f | %s | %s | %s | %s | %.2f | %.3f |\n", e.Value, i.Value, unitSolved[0], netSolved[0], unitSolved[1], netSolved[1], netSolved[2].mean, netSolved[3].mean)
	fmt.Printf("\n(means [95%% intervals]: single unit over %.0f runs at the trained weights and %d replicates at the solved ones; network over %.0f and %.0f trials)\n",
		unitRuns[0], rows[0].Replicates, netRuns[0], netRuns[1])

	// x: the pair of weights, by mult_ei; each series joins its two points.
	xs := []float64{e.Start, e.Value}
	series := func(label string, es []estimate, color int) []figure.Series {
		s := figure.Series{Label: label, Kind: figure.ErrorBars, X: xs, Color: color}
		for _, v := range es {
			s.Y, s.Lo, s.Hi = append(s.Y, v.mean), append(s.Lo, v.lo), append(s.Hi, v.hi)
		}
		return []figure.Series{s, {Kind: figure.Line, X: xs, Y: s.Y, Color: color}}
	}
	f := &figure.Figure{File: "network-vs-unit", Title: "Network Up-state rates against the single-unit experiment at the same weights",
		Desc:   "E and I rates of the single-unit experiment and of the recurrent network's Up states, at the trained weights and at the weights solved for 5/14 Hz with the single unit",
		XLabel: fmt.Sprintf("weights.mult_ei: %.4f trained, %.4f solved (mult_ii %.4f and %.4f)", e.Start, e.Value, i.Start, i.Value),
		YLabel: "rate (Hz)"}
	for _, ss := range [][]figure.Series{
		series("single-unit experiment, I unit", []estimate{unitSeed[1], unitSolved[1]}, 1),
		series("network Up state, I population", []estimate{netSeed[1], netSolved[1]}, 3),
		series("single-unit experiment, E unit", []estimate{unitSeed[0], unitSolved[0]}, 0),
		series("network Up state, E population", []estimate{netSeed[0], netSolved[0]}, 2),
	} {
		f.Series = append(f.Series, ss...)
	}
	f.Series = append(f.Series,
		figure.Series{Label: "set points 5 and 14 Hz", Kind: figure.HLine, Y: []float64{5}, Color: 6, Dashed: true},
		figure.Series{Kind: figure.HLine, Y: []float64{14}, Color: 6, Dashed: true})
	if math.IsNaN(netSeed[0].mean) {
		return fmt.Errorf("%s has no Up-state rates", netDir)
	}
	return figure.Render(f, filepath.Join("docs", f.File+".png"))
}
