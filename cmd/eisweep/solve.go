package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/solve"
	"github.com/eisweep/eisweep/sweep"
)

func init() {
	register(&command{
		name: "solve", args: "[flags] FILE.toml", short: "solve for the weights that hold each unit at its set point",
		long: `For every grid cell of FILE.toml, find the value of the parameter named in
its [solve] table for each unit (e.g. weights.mult_ei for E, weights.mult_ii
for I) at which the unit's mean rate over the replicates equals its set point
(rate_exc for E, rate_inh for I), and write DIR/solved.parquet (DIR defaults to
results/<name>): per cell the solved value, multiplier and weight (pA) with
bootstrap 95% intervals over replicates, the rate reached, the unit's mean
currents, and the weights that the additive, multiplicative and linear balance
models (each fitted to the other cells) and the threshold-gain prediction give
for the cell, with their errors.

Every candidate value drives the unit with the same input spike trains per
replicate - those of the sweep's runs of the cell (common random numbers) - so
the mean rate is a monotone step function of the weight; a bracketing search
then ITP narrow the crossing to the tolerance. Cells are checkpointed in
DIR/solved/ as they finish: running again resumes.

  [solve]
  replicates = 200            # averaged per candidate (default: the definition's)
  bootstrap = 1000            # resamples for the intervals (0: none)
  [solve.e]
  param = "weights.mult_ei"   # or j_ei, mult_ee, j_ee
  tolerance = 0.0005          # final bracket width (default 0.1% of the default)
  min = 0                     # search range (default 0 to the largest valid)
  max = 5
  [solve.i]
  param = "weights.mult_ii"   # or j_ii, mult_ie, j_ie`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			out := fs.String("o", "", "output folder (default results/<name>)")
			jobs := fs.Int("j", 0, "concurrent workers (default: the CPUs this process may use)")
			quiet := fs.Bool("quiet", false, "no progress lines on stderr")
			maxCells := fs.Int("print", 30, "cells to print per unit (the file has them all)")
			return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
				if err := wantArgs(args, 1, "one sweep definition file"); err != nil {
					return err
				}
				if *jobs < 0 {
					return usageError{fmt.Sprintf("-j %d: want a number of workers ≥ 1", *jobs)}
				}
				def, err := loadDefinition(args[0], sweep.Options{})
				if err != nil {
					return err
				}
				if def.Solve == nil {
					return usageError{fmt.Sprintf("%s has no [solve] table; add one naming the parameter to adjust per unit, e.g.\n\n[solve.e]\nparam = \"weights.mult_ei\"\n\n[solve.i]\nparam = \"weights.mult_ii\"\n\n(`eisweep help solve` describes it)", args[0])}
				}
				opt := solve.Options{OutDir: *out, Jobs: *jobs}
				if !*quiet {
					opt.Progress = stderr
				}
				sum, err := solve.Solve(ctx, def, opt)
				if err != nil {
					if sum != nil && sum.Solved > 0 {
						fmt.Fprintf(stderr, "eisweep: %d cells solved and kept in %s/solved; run again to resume\n", sum.Solved, sum.OutDir)
					}
					return err
				}
				fmt.Fprintf(stdout, "%s: %d %s (%d now, %d already solved), %s single-unit simulations in %.1f s\n",
					sum.Path, sum.Cells, plural(sum.Cells, "cell", "cells"), sum.Solved, sum.Skipped, commas(sum.UnitSims), sum.Elapsed.Seconds())
				for _, u := range def.Solve.Units {
					printSolved(stdout, def, sum, u, *maxCells)
				}
				return nil
			}
		},
	})
}

// printSolved prints one unit's solutions and how well each model predicts them.
func printSolved(w io.Writer, def *sweep.Definition, sum *solve.Summary, u sweep.SolveUnit, maxCells int) {
	set := map[string]string{"E": "rate_exc", "I": "rate_inh"}[u.Unit.String()]
	fmt.Fprintf(w, "\n%s unit: %s solved for its set point (%s), %d replicates, tolerance %s\n",
		u.Unit, u.Param.Name, set, def.Solve.Replicates, u.Param.FormatValue(sweep.Value{Num: u.TolSI}))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var head []string
	for _, a := range def.Axes {
		head = append(head, strings.Join(a.Names(), ", "))
	}
	head = append(head, "value [95% CI]", "w* (pA) [95% CI]", "rate (Hz)", "start: w (pA)", "rate (Hz)", "sims", "errors (pA): add.", "mult.", "lin.", "θ–g")
	fmt.Fprintln(tw, "  "+strings.Join(head, "\t"))
	var errs [4][]float64
	solved := 0
	for k, r := range sum.Rows {
		s := r.Units[u.Unit]
		if s.Status == "ok" {
			solved++
			for j := range s.Err {
				if !math.IsNaN(s.Err[j]) {
					errs[j] = append(errs[j], s.Err[j])
				}
			}
		}
		if k >= maxCells {
			if k == maxCells {
				fmt.Fprintf(tw, "  … %d more cells in %s\n", len(sum.Rows)-maxCells, sum.Path)
			}
			continue
		}
		var cols []string
		for _, a := range def.Axes {
			var vs []string
			for _, i := range a.Params {
				p := sweep.Registry[i]
				if p.Words() {
					vs = append(vs, r.Words[i])
				} else {
					vs = append(vs, strings.TrimSpace(fmt.Sprintf("%.6g %s", r.Params[i], p.Unit)))
				}
			}
			cols = append(cols, strings.Join(vs, ", "))
		}
		if s.Status != "ok" {
			cols = append(cols, s.Status+": "+s.Error)
			fmt.Fprintln(tw, "  "+strings.Join(cols, "\t"))
			continue
		}
		cols = append(cols,
			fmt.Sprintf("%.4f [%.4f, %.4f]", s.Value, s.CILo, s.CIHi),
			fmt.Sprintf("%.2f [%.2f, %.2f]", s.WPA, s.WCILoPA, s.WCIHiPA),
			fmt.Sprintf("%.3f ± %.3f", s.RateHz, s.RateSEMHz),
			fmt.Sprintf("%.2f", s.StartWPA),
			fmt.Sprintf("%.3f", s.StartRateHz),
			commas(s.Sims))
		for j := range s.Err {
			cols = append(cols, signedNum(s.Err[j], 2))
		}
		fmt.Fprintln(tw, "  "+strings.Join(cols, "\t"))
	}
	tw.Flush()
	fits := sum.Fits[u.Unit]
	if len(errs[3]) > 0 && len(errs[0]) == 0 {
		fmt.Fprintf(w, "  threshold–gain prediction: error %s pA; the balance models are fitted across cells and need a grid of them (e.g. sweeps/solve-setpoints.toml)\n", signedNum(analysis.Summarize(errs[3], math.NaN()).Mean, 2))
		return
	}
	fmt.Fprintf(w, "  balance models fitted to all %d solved cells; errors in w* when each cell is predicted from the others (pA):\n", solved)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	none := analysis.Interval{Lo: math.NaN(), Hi: math.NaN()}
	eqs := []string{
		fmt.Sprintf("I = E %s pA", signed(fits[1].B, none)),
		fmt.Sprintf("I = %s·E", num(fits[2].M, 3)),
		fmt.Sprintf("I = %s·E %s pA", num(fits[0].M, 3), signed(fits[0].B, none)),
		"Ī* = Ē − θ − r*/g",
	}
	if u.Increasing {
		eqs[3] = "Ē* = Ī + θ + r*/g"
	}
	for j, name := range []string{"additive", "multiplicative", "linear", "threshold–gain"} {
		fmt.Fprintf(tw, "    %s\t%s\tRMS %s\tmean %s\tmax |error| %s\n", name, eqs[j], num(rms(errs[j]), 2), signedNum(analysis.Summarize(errs[j], math.NaN()).Mean, 2), num(maxAbs(errs[j]), 2))
	}
	tw.Flush()
}

func signedNum(v float64, prec int) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%+.*f", prec, v)
}

func rms(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range xs {
		s += x * x
	}
	return math.Sqrt(s / float64(len(xs)))
}

func maxAbs(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	var m float64
	for _, x := range xs {
		m = max(m, math.Abs(x))
	}
	return m
}

// commas writes n with thousands separators: 12,345.
func commas(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
