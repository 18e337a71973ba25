package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/eisweep/eisweep/aggregate"
	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/sweep"
)

func init() {
	register(&command{
		name: "aggregate", args: "[--by p1,p2] [--bootstrap N] DIR", short: "statistics per grid cell, and fitted balance lines",
		long: `Read every run of the output folder DIR and write:

  DIR/summary.parquet  per grid cell: n, mean, SD, SEM and 95% CI of rates,
                       charges, currents and balance coefficients, and the
                       fraction of runs within ±10% of the set points (with
                       --by p,q: DIR/summary-by-p-q.parquet, per group, so that
                       one grouping never replaces another);
  DIR/balance.parquet  when the sweep varies an inhibitory weight (mult_ei,
                       j_ei for the E unit; mult_ii, j_ii for the I unit): for
                       each excitation level, the weight and currents (Ē*, Ī*)
                       at which the mean rate crosses the unit's set point,
                       with bootstrap 95% intervals; the fits of Ī* against Ē*
                       by the linear (I = m·E + b), additive (I = E + b) and
                       multiplicative (I = m·E) models; and how far the
                       threshold-gain prediction lands from each crossing
                       (single-unit experiment only);

and print the balance lines. For a network folder (experiment = "network"),
summary.parquet holds the Up states and Up-state rates, and aggregate prints
them as show does.`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			by := fs.String("by", "", "group by these parameters (comma-separated dotted names) instead of by grid cell")
			boot := fs.Int("bootstrap", 1000, "bootstrap resamples for the crossings' intervals")
			return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
				if err := wantArgs(args, 1, "one output folder"); err != nil {
					return err
				}
				warnIncomplete(ctx, args[0], stderr)
				if *boot < 1 {
					return usageError{"--bootstrap wants a count ≥ 1"}
				}
				byList, err := parseBy(*by)
				if err != nil {
					return err
				}
				res, err := aggregate.Compute(ctx, args[0], aggregate.Options{By: byList, Bootstrap: *boot})
				if err != nil {
					return err
				}
				_, statErr := os.Stat(filepath.Join(args[0], aggregate.SummaryName(byList)))
				wr, err := aggregate.Write(args[0], res)
				if err != nil {
					return err
				}
				again := ""
				if statErr == nil {
					again = ", replacing the one an earlier aggregate wrote"
				}
				fmt.Fprintf(stdout, "%s: %d %s%s\n", wr.SummaryPath, res.Groups, plural(int64(res.Groups), "group", "groups"), again)
				if wr.BalancePath != "" {
					fmt.Fprintf(stdout, "%s:\n", wr.BalancePath)
				}
				for _, u := range res.Lines {
					printBalance(stdout, u)
				}
				if k := res.Def.Kind(); k != sweep.ExperimentUnit {
					fmt.Fprintln(stdout)
					return printShow(stdout, res.Def, res, byList, defaultShow[k], "table")
				}
				return nil
			}
		},
	})
}

func printBalance(w io.Writer, u *aggregate.UnitBalanceLines) {
	fmt.Fprintf(w, "\n%s unit: inhibitory weight %s; set point %s\n", u.Unit, u.Axis, map[string]string{"E": "rate_exc", "I": "rate_inh"}[u.Unit])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  level\tw* (pA)\tĒ* (pA)\tĪ* (pA) [95% CI]\tthreshold–gain Ī (pA)\tΔ (pA)")
	for _, lv := range u.View() {
		if lv.Status != analysis.Crossed {
			fmt.Fprintf(tw, "  %s\t%s\t\t\t\t\n", lv.Level, lv.Status)
			continue
		}
		fmt.Fprintf(tw, "  %s\t%.2f [%.2f, %.2f]\t%.1f\t%.1f [%.1f, %.1f]\t%s\t%s\n", lv.Level, lv.WCross, lv.CIW.Lo, lv.CIW.Hi,
			lv.ExcCross, lv.Inh, lv.CIInh.Lo, lv.CIInh.Hi, num(lv.ThresholdGainInh, 1), num(lv.ThresholdGainInh-lv.Inh, 1))
	}
	tw.Flush()
	fmt.Fprintf(w, "  fits of Ī* against Ē* over %d crossed levels:\n", u.Crossed)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range u.Fits {
		var eq string
		switch f.Model {
		case "linear":
			eq = fmt.Sprintf("Ī = %s·Ē %s pA", est(f.M, f.CIM, 3), signed(f.B, f.CIB))
		case "additive":
			eq = fmt.Sprintf("Ī = Ē %s pA", signed(f.B, f.CIB))
		case "multiplicative":
			eq = fmt.Sprintf("Ī = %s·Ē", est(f.M, f.CIM, 3))
		}
		best := ""
		if f.Model == u.Best {
			best = "  ← lowest AIC"
		}
		fmt.Fprintf(tw, "    %s\t%s\tR² %s\tRMS %s pA\tAIC %s%s\n", f.Model, eq, num(f.R2, 4), num(f.RMSPA, 2), num(f.AIC, 1), best)
	}
	tw.Flush()
}

// est formats an estimate with its 95% interval.
func est(v float64, ci analysis.Interval, prec int) string {
	if math.IsNaN(ci.Lo) || ci.Lo == ci.Hi {
		return num(v, prec)
	}
	return fmt.Sprintf("%s [%s, %s]", num(v, prec), num(ci.Lo, prec), num(ci.Hi, prec))
}

func signed(b float64, ci analysis.Interval) string {
	if math.IsNaN(b) {
		return "+ -"
	}
	sign := "+"
	if b < 0 {
		sign, b, ci = "−", -b, analysis.Interval{Lo: -ci.Hi, Hi: -ci.Lo}
	}
	return sign + " " + est(b, ci, 1)
}

func num(v float64, prec int) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.*f", prec, v)
}

// parseBy reads a --by list of parameters, refusing an unknown one with the nearest name.
func parseBy(text string) ([]string, error) {
	if text == "" {
		return nil, nil
	}
	names := strings.Split(text, ",")
	for _, name := range names {
		if sweep.Lookup(name) == nil {
			msg := fmt.Sprintf("--by %s: no such parameter", name)
			if near := sweep.Nearest(name, sweep.Names()); near != "" {
				msg += fmt.Sprintf("; did you mean %s?", near)
			}
			return nil, usageError{msg + " (eisweep params lists them)"}
		}
	}
	return names, nil
}
