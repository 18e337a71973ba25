package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"

	"github.com/eisweep/eisweep/buildinfo"
	"github.com/eisweep/eisweep/sim"
)

func init() {
	register(&command{
		name: "version", short: "print eisweep's version",
		long: "Print eisweep's version (from the binary's build information) and Go's, and how the\nsingle-unit simulation runs: four runs at a time in lockstep on an amd64 CPU with AVX2,\nelse one at a time (the same rows either way).",
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			return func(_ context.Context, args []string, stdout, _ io.Writer) error {
				if len(args) > 0 {
					return usageError{"version takes no arguments"}
				}
				fmt.Fprintf(stdout, "eisweep %s (%s %s/%s)\n", buildinfo.Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
				if n := sim.BatchLanes(); n > 1 {
					fmt.Fprintf(stdout, "single-unit runs: %d at a time in lockstep (vector lanes)\n", n)
				} else {
					fmt.Fprintln(stdout, "single-unit runs: one at a time (an amd64 CPU with AVX2 runs 4 in lockstep)")
				}
				return nil
			}
		},
	})
}
