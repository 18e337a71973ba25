// Command eisweep runs parameter sweeps of the single-unit E/I balance experiment and writes one
// Parquet row per run. Run "eisweep help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// defaultMemoryLimit is the Go runtime's soft memory limit unless GOMEMLIMIT says otherwise: a
// sweep holds tens of megabytes live, and without a limit the collector lets garbage grow to
// as much again.
const defaultMemoryLimit = 160 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		cancel(interrupted{s.(syscall.Signal)})
		<-sigs // a second signal: stop at once
		os.Exit(exitCode(interrupted{s.(syscall.Signal)}))
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}
