package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/solve"
	"github.com/eisweep/eisweep/sweep"
)

func init() {
	register(&command{
		name: "plan", args: "[--list N] [-j N] [--max-runs N] FILE.toml", short: "show a sweep's grid, size, and estimated time and output",
		long: `Show what "run" would do: each axis with its values, the parameters set in
[params], the number of cells and runs, and an estimate of the run time and
output size from a short calibration on this machine (a few runs and one f-I
curve). --list N prints the first N runs with their parameters and run ids.`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			list := fs.Int64("list", 0, "print the first N runs")
			jobs := fs.Int("j", 0, "workers the estimate assumes (default: the CPUs this process may use)")
			samples := fs.Int("calibrate", 24, "runs simulated for the estimate (0: no estimate)")
			maxRuns := fs.Int64("max-runs", sweep.DefaultMaxRuns, "largest sweep accepted")
			return func(_ context.Context, args []string, stdout, _ io.Writer) error {
				if err := wantArgs(args, 1, "one sweep definition file"); err != nil {
					return err
				}
				if *list < 0 || *jobs < 0 || *samples < 0 {
					return usageError{"--list, -j and --calibrate take numbers ≥ 0"}
				}
				if *maxRuns < 1 {
					return usageError{fmt.Sprintf("--max-runs %d: want a number of runs ≥ 1", *maxRuns)}
				}
				def, err := loadDefinition(args[0], sweep.Options{MaxRuns: *maxRuns})
				if err != nil {
					return err
				}
				printPlan(stdout, def)
				if *list > 0 {
					printRuns(stdout, def, *list)
				}
				if *samples > 0 {
					j := *jobs
					if j == 0 {
						j = runtime.GOMAXPROCS(0)
					}
					est, err := experiment.Calibrate(def, *samples)
					if err != nil {
						return fmt.Errorf("calibration: %w", err)
					}
					secs := est.Seconds(def.Runs(), j)
					fmt.Fprintf(stdout, "\nestimate (from %d calibration runs on this machine, %d workers):\n", est.Samples, j)
					if est.DistinctUnits > 0 {
						fmt.Fprintf(stdout, "  time    about %s: %.3g ms per run, %.0f ms per f-I curve × %d distinct units\n",
							roundDuration(secs), est.RunMs, est.FIMs, est.DistinctUnits)
					} else {
						fmt.Fprintf(stdout, "  time    about %s: %.3g ms per run\n", roundDuration(secs), est.RunMs)
					}
					fmt.Fprintf(stdout, "  output  about %s (Parquet, zstd)\n", bytesText(est.Bytes(def.Runs())))
					if def.Solve != nil {
						ms, err := solve.CalibrateSolve(def, *samples)
						if err != nil {
							return fmt.Errorf("calibration: %w", err)
						}
						sims := solveSims(def)
						fmt.Fprintf(stdout, "  solve   about %s: %.3g ms per single-unit simulation\n", roundDuration(float64(sims)*ms/1e3/float64(j)), ms)
					}
				}
				for _, w := range def.Warnings {
					fmt.Fprintf(stdout, "warning: %s\n", w)
				}
				return nil
			}
		},
	})
}

func printPlan(w io.Writer, def *sweep.Definition) {
	fmt.Fprintf(w, "%s: %s\n", def.Path, def.Name)
	if k := def.Kind(); k != sweep.ExperimentUnit {
		fmt.Fprintf(w, "  experiment = %q\n", k)
	}
	if def.Description != "" {
		fmt.Fprintf(w, "  %s\n", def.Description)
	}
	if len(def.Axes) > 0 {
		fmt.Fprintf(w, "\naxes (the last varies fastest):\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for k, a := range def.Axes {
			if a.Key == "sample" {
				continue // below, a line per parameter
			}
			fmt.Fprintf(tw, "  %d. %s\t%d %s\t%s\t(%s)\n", k+1, strings.Join(a.Names(), " + "), a.Len(), plural(int64(a.Len()), "value", "values"), a.Describe(8), where(a))
		}
		tw.Flush()
		if s := def.Sample; s != nil {
			for k, a := range def.Axes {
				if a.Key != "sample" {
					continue
				}
				rows := ""
				if s.Method == "saltelli" {
					rows = fmt.Sprintf(" (n·(d+2) = %d design rows)", s.N*(len(s.Params)+2))
				}
				fmt.Fprintf(w, "  %d. [sample] (line %d): %s, n = %d%s: %d distinct points over %d parameters\n", k+1, s.Line, s.Method, s.N, rows, a.Len(), len(s.Params))
				for j, i := range s.Params {
					p := sweep.Registry[i]
					scale := ""
					if s.Log[j] {
						scale = ", log scale"
					}
					fmt.Fprintf(tw, "       %s\t%s to %s%s\n", p.Name, p.FormatValue(s.From[j]), p.FormatValue(s.To[j]), scale)
				}
				tw.Flush()
			}
		}
	}
	if len(def.Overridden) > 0 {
		fmt.Fprintf(w, "\nfixed ([params]):\n")
		for _, name := range def.Overridden {
			p := sweep.Lookup(name)
			fmt.Fprintf(w, "  %s = %s\n", name, p.FormatValue(def.Base[indexOf(name)]))
		}
	}
	fmt.Fprintf(w, "\n%d %s × %d %s = %d %s", def.Cells(), plural(def.Cells(), "cell", "cells"), def.Replicates,
		plural(int64(def.Replicates), "replicate", "replicates"), def.Runs(), plural(def.Runs(), "run", "runs"))
	var outs []string
	if def.Outputs.FICurves {
		outs = append(outs, "fi/")
	}
	if def.Outputs.Traces {
		outs = append(outs, "traces/")
	}
	for _, o := range []struct {
		on   bool
		name string
	}{{def.Outputs.UnitRates, "unit_rates/"}, {def.Outputs.PSTH, "psth/"}, {def.Outputs.Raster, "raster/"}, {def.Outputs.Connectivity, "connectivity/"}} {
		if o.on {
			outs = append(outs, o.name)
		}
	}
	if len(outs) > 0 {
		fmt.Fprintf(w, "; also writes %s", strings.Join(outs, ", "))
	}
	fmt.Fprintln(w)
	if def.Solve != nil {
		printSolve(w, def)
	}
}

// solveSims estimates the single-unit simulations of `eisweep solve`.
func solveSims(def *sweep.Definition) int64 {
	return def.Cells() * int64(len(def.Solve.Units)) * int64(def.Solve.Replicates) * solve.SolveSimsPerReplicate
}

func printSolve(w io.Writer, def *sweep.Definition) {
	s := def.Solve
	fmt.Fprintf(w, "\nsolve (eisweep solve), %d replicates per candidate, %d bootstrap resamples:\n", s.Replicates, s.Bootstrap)
	for _, u := range s.Units {
		f := func(x float64) string { return u.Param.FormatValue(sweep.Value{Num: x}) }
		fmt.Fprintf(w, "  %s unit: %s from %s, within [%s, %s], to a bracket of %s\n", u.Unit, u.Param.Name,
			u.Param.FormatValue(def.Base[u.Index]), f(u.MinSI), f(u.MaxSI), f(u.TolSI))
	}
	fmt.Fprintf(w, "  about %d × %d replicates × %d %s × %d %s = %s single-unit simulations\n", solve.SolveSimsPerReplicate, s.Replicates,
		len(s.Units), plural(int64(len(s.Units)), "unit", "units"), def.Cells(), plural(def.Cells(), "cell", "cells"), commas(solveSims(def)))
}

func where(a sweep.Axis) string {
	if a.Line > 0 {
		return fmt.Sprintf("%s, line %d", a.Key, a.Line)
	}
	return a.Key
}

func printRuns(w io.Writer, def *sweep.Definition, n int64) {
	n = min(n, def.Runs())
	fmt.Fprintf(w, "\nfirst %d %s:\n", n, plural(n, "run", "runs"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "  run\tcell\treplicate\trun_id"
	for _, a := range def.Axes {
		head += "\t" + strings.Join(a.Names(), " + ")
	}
	fmt.Fprintln(tw, head)
	for r := range def.RunsIn(0, n) {
		pt := r.Point
		line := fmt.Sprintf("  %d\t%d\t%d\t%s", r.Index, r.Cell, r.Replicate, r.ID)
		for _, a := range def.Axes {
			var vs []string
			for _, p := range a.Params {
				vs = append(vs, sweep.Registry[p].FormatValue(pt[p]))
			}
			line += "\t" + strings.Join(vs, ", ")
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}

func indexOf(name string) int {
	for i, p := range sweep.Registry {
		if p.Name == name {
			return i
		}
	}
	return -1
}

func roundDuration(sec float64) string {
	d := time.Duration(sec * float64(time.Second))
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func bytesText(b float64) string {
	for _, u := range []string{"B", "kB", "MB", "GB"} {
		if b < 1000 {
			return fmt.Sprintf("%.3g %s", b, u)
		}
		b /= 1000
	}
	return fmt.Sprintf("%.3g TB", b)
}
