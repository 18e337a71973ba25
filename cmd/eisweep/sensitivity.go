package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/eisweep/eisweep/aggregate"
)

func init() {
	register(&command{
		name: "sensitivity", args: "[--bootstrap N] DIR", short: "Sobol indices of a Saltelli sample: which parameters move each output",
		long: `Read the runs of the output folder DIR, whose definition samples its
parameters with [sample] method = "saltelli" (and varies nothing else), and
write DIR/sensitivity.parquet: for every output (the rates, charges and balance
coefficients of the runs table) and every sampled parameter, the first-order
Sobol index s1 (Saltelli et al. 2010: the share of the output's variance the
parameter causes alone) and the total-effect index st (Jansen 1999: alone and
in every interaction), with bootstrap 95% intervals. Each design point's
output is the mean of its replicates. Then print them.`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			boot := fs.Int("bootstrap", 1000, "bootstrap resamples for the intervals")
			return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
				if err := wantArgs(args, 1, "one output folder"); err != nil {
					return err
				}
				if *boot < 1 {
					return usageError{"--bootstrap wants a count ≥ 1"}
				}
				rows, def, err := aggregate.Sensitivity(ctx, args[0], *boot)
				if err != nil {
					return err
				}
				path, err := aggregate.WriteSensitivity(args[0], def, rows)
				if err != nil {
					return err
				}
				fmt.Fprintf(stderr, "%s: %d outputs × %d parameters, from %d design points (%s, n = %d)\n",
					path, len(rows)/max(1, len(def.Sample.Params)), len(def.Sample.Params), def.Sample.N*(len(def.Sample.Params)+2), def.Sample.Method, def.Sample.N)
				tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
				fmt.Fprintln(tw, "output\tparameter\ts1 [95% CI]\tst [95% CI]\t")
				for _, r := range rows {
					fmt.Fprintf(tw, "%s\t%s\t%.3f [%.3f, %.3f]\t%.3f [%.3f, %.3f]\t\n", r.Output, r.Param, r.S1, r.S1Lo, r.S1Hi, r.ST, r.STLo, r.STHi)
				}
				return tw.Flush()
			}
		},
	})
}
