package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/report"
	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/sweep"
)

func init() {
	register(&command{
		name: "fi", args: "[--curve] FILE.toml", short: "f-I threshold and gain (or the whole curve) of a definition's units",
		long: `Print the f-I threshold θ and gain g of the E and I units of the definition's
base point (its [params]), found by a search of about 14 one-current
simulations that gives exactly what the full scan gives. With --curve, print
the whole curve instead: current (pA), spikes and rate (Hz) of both units at
every current of the f-I grid, as tab-separated columns.`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			curve := fs.Bool("curve", false, "print the whole curve")
			return func(_ context.Context, args []string, stdout, _ io.Writer) error {
				if err := wantArgs(args, 1, "one sweep definition file"); err != nil {
					return err
				}
				def, err := loadDefinition(args[0], sweep.Options{})
				if err != nil {
					return err
				}
				m, err := def.Base.Model()
				if err != nil {
					return err
				}
				currents := sim.FICurrents(nil, m.FI.IMinAmp, m.FI.IMaxAmp, m.FI.NCurrents)
				units := []struct {
					name string
					fi   sim.FI
				}{{"E", sim.FI{Unit: m.Sim.Exc, DtSec: m.Sim.DtSec, DurationSec: m.FI.DurationSec}},
					{"I", sim.FI{Unit: m.Sim.Inh, DtSec: m.Sim.DtSec, DurationSec: m.FI.DurationSec}}}
				if *curve {
					counts := [2][]int64{make([]int64, len(currents)), make([]int64, len(currents))}
					for k, u := range units {
						if err := u.fi.Counts(currents, counts[k], nil); err != nil {
							return err
						}
					}
					fmt.Fprintln(stdout, "current_pa\tn_spikes_e\trate_e_hz\tn_spikes_i\trate_i_hz")
					for k, c := range currents {
						fmt.Fprintf(stdout, "%.6g\t%d\t%g\t%d\t%g\n", c*1e12, counts[0][k], float64(counts[0][k])/m.FI.DurationSec, counts[1][k], float64(counts[1][k])/m.FI.DurationSec)
					}
					return nil
				}
				for _, u := range units {
					t0 := time.Now()
					probe := func(k int, firstOnly bool) (int64, error) { return u.fi.Count(currents[k], firstOnly, nil) }
					tg, probes, err := analysis.SearchThresholdGain(currents, m.FI.DurationSec, probe)
					if err != nil {
						return err
					}
					fmt.Fprintf(stdout, "%s unit: θ = %s pA, g = %s Hz/pA (%s; %d simulations, %s)\n", u.name, report.FormatLikeSeed(tg.ThresholdPA), report.FormatLikeSeed(tg.GainHzPerPA), tg.Status, probes, time.Since(t0).Round(10*time.Microsecond))
				}
				return nil
			}
		},
	})
}
