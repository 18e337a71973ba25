package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/eisweep/eisweep/figure"
	"github.com/eisweep/eisweep/store"
)

func init() {
	register(&command{
		name: "figure", args: "[-o FIGDIR] [--format png|svg] [--run RUN_ID] DIR", short: "draw the seed's plots and the sweep's answers",
		long: `Draw the figures of the output folder DIR into FIGDIR (default DIR/figures),
with an index, figures.md:

  one run (--run, default the sweep's first): the membrane potential of both
    units with their spikes, the excitatory and inhibitory currents onto the E
    unit, and its net current (the run is simulated again from its seed, which
    reproduces it exactly);
  each distinct pair of units: the f-I curves with the thresholds, and at 90%
    of the current range the voltage and the interspike intervals;
  a sweep with axes: mean-rate heatmaps over each pair of axes with the
    set-point contour, each unit's rate against its inhibitory weight with 95%
    bands per excitation level, the fitted balance lines beside the
    threshold-gain prediction, and empirical against predicted charge (it
    aggregates DIR in memory: summary.parquet and balance.parquet, which
    "aggregate" writes, are left as they are).

It writes only into FIGDIR.`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			out := fs.String("o", "", "figure folder (default DIR/figures)")
			format := fs.String("format", "png", "png or svg")
			run := fs.String("run", "", "run id for the run figures (default: the sweep's first run)")
			return func(_ context.Context, args []string, stdout, _ io.Writer) error {
				if err := wantArgs(args, 1, "one output folder"); err != nil {
					return err
				}
				if *format != "png" && *format != "svg" {
					return usageError{fmt.Sprintf("--format %q: want png or svg", *format)}
				}
				dir := *out
				if dir == "" {
					dir = filepath.Join(args[0], "figures")
				}
				figs, err := figure.Build(args[0], figure.Options{Run: *run})
				if err != nil {
					return err
				}
				if *out == "" {
					// Inside the output folder: never through a link out of it.
					if err := store.MakeDir(dir); err != nil {
						return err
					}
				} else if err := os.MkdirAll(dir, 0o755); err != nil {
					return fmt.Errorf("creating %s: %w", dir, err)
				}
				for _, f := range figs {
					if err := figure.Render(f, filepath.Join(dir, f.File+"."+*format)); err != nil {
						return err
					}
				}
				if err := figure.WriteIndex(dir, figs, "."+*format); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "%d figures in %s (index: %s)\n", len(figs), dir, filepath.Join(dir, "figures.md"))
				return nil
			}
		},
	})
}
