package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/eisweep/eisweep/aggregate"
	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/pipeline"
)

func init() {
	register(&command{
		name: "sensitivity", args: "[--bootstrap N] [--outputs m1,m2] DIR", short: "which sampled parameters move each output: Sobol indices, SRC and PRCC",
		long: `Read the runs of the output folder DIR, whose definition samples its
parameters with [sample] (and varies nothing else), and write
DIR/sensitivity.parquet: for every output (the rates, charges and balance
coefficients of the runs table) and every sampled parameter, with bootstrap
95% intervals,

  src   the standardized regression coefficient (the output's change, in
        standard deviations, per standard deviation of the parameter, in a
        linear fit on all of them; r2 says how much that fit explains);
  prcc  the partial rank correlation (any monotone effect, the others'
        removed);
  s1    for method = "saltelli" only: the first-order Sobol index (Saltelli
        et al. 2010), the share of the output's variance the parameter
        causes alone;
  st    for method = "saltelli" only: the total-effect index (Jansen 1999),
        alone and in every interaction.

Each design point's output is the mean of its replicates. Then print them
(only the --outputs named; the file holds all), the parameters of each output
by importance. "eisweep figure DIR" draws them.`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			boot := fs.Int("bootstrap", aggregate.SensitivityBootstrap, "bootstrap resamples for the intervals")
			outputs := fs.String("outputs", "", "comma-separated outputs to print (default: all)")
			return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
				if err := wantArgs(args, 1, "one output folder"); err != nil {
					return err
				}
				if *boot < 1 {
					return usageError{"--bootstrap wants a count ≥ 1"}
				}
				var show []string
				if *outputs != "" {
					show = strings.Split(*outputs, ",")
				}
				def, err := pipeline.LoadFolder(args[0])
				if err != nil {
					return err
				}
				if err := wantNames("--outputs", show, experiment.For(def).SummaryMetrics(), "an output of the runs table"); err != nil {
					return err
				}
				res, err := aggregate.Sensitivity(ctx, args[0], *boot)
				if err != nil {
					return err
				}
				rows := res.Rows
				for _, n := range res.Notes {
					fmt.Fprintf(stderr, "eisweep sensitivity: %s\n", n)
				}
				path, err := aggregate.WriteSensitivity(args[0], def, rows)
				if err != nil {
					return err
				}
				d := len(def.Sample.Params)
				fmt.Fprintf(stderr, "%s: %d outputs × %d parameters, from %d design rows (%s, n = %d)\n",
					path, len(rows)/max(1, d), d, rows[0].Points, def.Sample.Method, def.Sample.N)
				saltelli := def.Sample.Method == "saltelli"
				tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
				if saltelli {
					fmt.Fprintln(tw, "output\tparameter\ts1 [95% CI]\tst [95% CI]\tsrc [95% CI]\tprcc [95% CI]\t")
				} else {
					fmt.Fprintln(tw, "output\tparameter\tsrc [95% CI]\tprcc [95% CI]\tr2\t")
				}
				for _, out := range aggregate.ByImportance(rows) {
					if show != nil && !slices.Contains(show, out[0].Output) {
						continue
					}
					for _, r := range out {
						ci := func(x, lo, hi float64) string { return fmt.Sprintf("%.3f [%.3f, %.3f]", x, lo, hi) }
						if saltelli {
							fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Output, r.Param, ci(r.S1, r.S1Lo, r.S1Hi), ci(r.ST, r.STLo, r.STHi),
								ci(r.SRC, r.SRCLo, r.SRCHi), ci(r.PRCC, r.PRCCLo, r.PRCCHi))
						} else {
							fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.3f\t\n", r.Output, r.Param, ci(r.SRC, r.SRCLo, r.SRCHi), ci(r.PRCC, r.PRCCLo, r.PRCCHi), r.R2)
						}
					}
				}
				return tw.Flush()
			}
		},
	})
}
