package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"

	"github.com/eisweep/eisweep/buildinfo"
)

func init() {
	register(&command{
		name: "version", short: "print eisweep's version",
		long: "Print eisweep's version (from the binary's build information) and Go's.",
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			return func(_ context.Context, args []string, stdout, _ io.Writer) error {
				if len(args) > 0 {
					return usageError{"version takes no arguments"}
				}
				fmt.Fprintf(stdout, "eisweep %s (%s %s/%s)\n", buildinfo.Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
				return nil
			}
		},
	})
}
