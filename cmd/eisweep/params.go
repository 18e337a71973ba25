package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/eisweep/eisweep/sweep"
)

func init() {
	register(&command{
		name: "params", args: "[--experiment unit|network] [--format table|toml]", short: "list every parameter with unit, default, range",
		long: `Print the parameter registry: every parameter a definition may set under
[params], with its unit, default (the seed's value), valid range and meaning.
--experiment network lists the recurrent network's parameters (experiment =
"network") instead of the single-unit experiment's. --format toml prints a
definition with every default, commented.`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			format := fs.String("format", "table", "table or toml")
			kindName := fs.String("experiment", string(sweep.ExperimentUnit), "the experiment kind: unit or network")
			return func(_ context.Context, args []string, stdout, _ io.Writer) error {
				if len(args) > 0 {
					return usageError{"params takes no arguments"}
				}
				kind := sweep.Experiment(*kindName)
				if !slices.Contains(sweep.Experiments, kind) {
					return usageError{fmt.Sprintf("--experiment %q: want unit or network", *kindName)}
				}
				switch *format {
				case "table":
					tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
					fmt.Fprintln(tw, "NAME\tDEFAULT\tRANGE\tCOLUMN\tDESCRIPTION")
					for _, p := range sweep.Registry {
						if p.AppliesTo(kind) {
							fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Name, p.Default, p.RangeText(), p.Column(), p.Desc)
						}
					}
					return tw.Flush()
				case "toml":
					fmt.Fprintf(stdout, "# A sweep definition with every parameter at its default (the seed's value).\n")
					fmt.Fprintf(stdout, "name = \"defaults\"\n")
					if kind != sweep.ExperimentUnit {
						fmt.Fprintf(stdout, "experiment = %q\n", kind)
					}
					fmt.Fprintf(stdout, "seed = 1\nreplicates = 1\n\n[params]\n")
					group := ""
					for _, p := range sweep.Registry {
						if !p.AppliesTo(kind) {
							continue
						}
						if g, _, _ := strings.Cut(p.Name, "."); g != group {
							fmt.Fprintln(stdout)
							group = g
						}
						v := fmt.Sprintf("%q", p.Default)
						if p.Kind == sweep.KindFloat || p.Kind == sweep.KindInt {
							v = p.Default
						}
						fmt.Fprintf(stdout, "# %s; valid %s\n%q = %s\n", p.Desc, p.RangeText(), p.Name, v)
					}
					if kind == sweep.ExperimentNetwork {
						fmt.Fprint(stdout, optionalNetworkTables)
					} else {
						fmt.Fprint(stdout, optionalTables)
					}
					return nil
				}
				return usageError{fmt.Sprintf("--format %q: want table or toml", *format)}
			}
		},
	})
}

// optionalTables ends `params --format toml`: the tables a definition may add, commented out.
const optionalTables = `
# Optional tables beside runs/.
# [outputs]
# fi_curves = false   # fi/: each distinct unit's whole f-I curve
# traces = false      # traces/: v, s_E, s_I of both units at every step of every run

# For eisweep solve: per grid cell, the weight that holds each unit at its set point.
# [solve]
# replicates = 200    # averaged at every candidate value (default: replicates above)
# bootstrap = 1000    # resamples for the 95% intervals
# [solve.e]
# param = "weights.mult_ei"   # or weights.j_ei, weights.mult_ee, weights.j_ee
# tolerance = 0.001           # width of the final bracket (parameter's unit)
# [solve.i]
# param = "weights.mult_ii"   # or weights.j_ii, weights.mult_ie, weights.j_ie
`

// optionalNetworkTables ends `params --experiment network --format toml`.
const optionalNetworkTables = `
# Optional tables beside runs/.
# [outputs]
# unit_rates = false  # unit_rates/: every unit's rates in and outside the Up states
# psth = false        # psth/: the population rates in bins of network.bin, with the Ups marked
# raster = false      # raster/: the spikes of network.raster_units units of each population
`
