// Command netcompare sets the recurrent network's Up-state rates beside the single-unit
// experiment's rates at the same weights: at the seed's trained weights and at the weights
// `eisweep solve` finds for the 5/14 Hz set points. It reads four output folders, prints a
// Markdown table and draws docs/network-vs-unit.png:
//
//	go run ./tools/netcompare results/seed results/solve-seed results/network-seed results/network-solved
//
// (make network-compare runs the four sweeps first.)
package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/eisweep/eisweep/aggregate"
	"github.com/eisweep/eisweep/figure"
	"github.com/eisweep/eisweep/solve"
)

// estimate is a mean with its 95% interval.
type estimate struct{ mean, lo, hi float64 }

func (e estimate) String() string {
	return fmt.Sprintf("%.2f [%.2f, %.2f]", e.mean, e.lo, e.hi)
}

// summary returns the named metrics' means and intervals of a one-cell folder.
func summary(dir string, metrics ...string) ([]estimate, error) {
	res, err := aggregate.Compute(context.Background(), dir, aggregate.Options{Bootstrap: 1})
	if err != nil {
		return nil, err
	}
	if res.Groups != 1 {
		return nil, fmt.Errorf("%s has %d grid cells, want 1", dir, res.Groups)
	}
	var names []string
	for _, m := range metrics {
		names = append(names, m+"_mean", m+"_ci_lo", m+"_ci_hi")
	}
	cols, err := res.Floats(append(names, "n_runs"))
	if err != nil {
		return nil, err
	}
	out := make([]estimate, len(metrics))
	for k, m := range metrics {
		out[k] = estimate{cols[m+"_mean"][0], cols[m+"_ci_lo"][0], cols[m+"_ci_hi"][0]}
	}
	return out, nil
}

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: netcompare UNIT-SEED-DIR SOLVE-SEED-DIR NETWORK-SEED-DIR NETWORK-SOLVED-DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3], os.Args[4]); err != nil {
		fmt.Fprintln(os.Stderr, "netcompare:", err)
		os.Exit(1)
	}
}

func run(unitDir, solveDir, netSeedDir, netSolvedDir string) error {
	unitSeed, err := summary(unitDir, "rate_e_hz", "rate_i_hz")
	if err != nil {
		return err
	}
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
	netSeed, err := summary(netSeedDir, metrics...)
	if err != nil {
		return err
	}
	netSolved, err := summary(netSolvedDir, metrics...)
	if err != nil {
		return err
	}
	e, i := rows[0].Units[0], rows[0].Units[1]
	fmt.Printf("| weights | mult_ei | mult_ii | single unit r_E (Hz) | network Up r_E (Hz) | single unit r_I (Hz) | network Up r_I (Hz) | Ups per trial | Up duration (s) |\n")
	fmt.Printf("|---|---|---|---|---|---|---|---|---|\n")
	fmt.Printf("| trained (seed) | %.4f | %.4f | %s | %s | %s | %s | %.2f | %.3f |\n", e.Start, i.Start, unitSeed[0], netSeed[0], unitSeed[1], netSeed[1], netSeed[2].mean, netSeed[3].mean)
	fmt.Printf("| solved for 5/14 Hz (single unit) | %.4f | %.4f | %s | %s | %s | %s | %.2f | %.3f |\n", e.Value, i.Value, unitSolved[0], netSolved[0], unitSolved[1], netSolved[1], netSolved[2].mean, netSolved[3].mean)

	series := func(label string, x float64, es []estimate, color int) figure.Series {
		s := figure.Series{Label: label, Kind: figure.ErrorBars, Color: color}
		for k, v := range es {
			s.X = append(s.X, x+float64(k))
			s.Y, s.Lo, s.Hi = append(s.Y, v.mean), append(s.Lo, v.lo), append(s.Hi, v.hi)
		}
		return s
	}
	// x: 1 and 2 for E (trained, solved), 4 and 5 for I; the single unit left of the network.
	f := &figure.Figure{File: "network-vs-unit", Title: "Network Up-state rates against the single-unit experiment at the same weights",
		Desc:   "E and I rates of the single-unit experiment and the recurrent network's Up states, at the trained weights and at the weights solved for 5/14 Hz with the single unit",
		XLabel: "weights: 1 trained, 2 solved (E units);  4 trained, 5 solved (I units)", YLabel: "rate (Hz)", LegendLeft: true}
	off := 0.12
	f.Series = append(f.Series,
		series("single-unit experiment, E", 1-off, []estimate{unitSeed[0], unitSolved[0]}, 0),
		series("network Up state, E", 1+off, []estimate{netSeed[0], netSolved[0]}, 2),
		series("single-unit experiment, I", 4-off, []estimate{unitSeed[1], unitSolved[1]}, 1),
		series("network Up state, I", 4+off, []estimate{netSeed[1], netSolved[1]}, 3),
		figure.Series{Label: "set points 5 and 14 Hz", Kind: figure.HLine, Y: []float64{5}, Color: 6, Dashed: true},
		figure.Series{Kind: figure.HLine, Y: []float64{14}, Color: 6, Dashed: true},
	)
	if math.IsNaN(netSeed[0].mean) {
		return fmt.Errorf("%s has no Up-state rates", netSeedDir)
	}
	return figure.Render(f, filepath.Join("docs", f.File+".png"))
}
