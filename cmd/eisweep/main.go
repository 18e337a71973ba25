// Command eisweep runs parameter sweeps of the single-unit E/I balance experiment and writes one
// Parquet row per run. Run "eisweep help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
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
