package pipeline

import (
	"context"
	"fmt"
	"testing"

	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/sweep"
)

func benchDef(b *testing.B, replicates int, duration string) *sweep.Definition {
	b.Helper()
	d, err := sweep.Parse("bench.toml", fmt.Sprintf("name = \"bench\"\nreplicates = %d\n[params]\n\"sim.duration\" = %q\n", replicates, duration))
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkSweep10k is a 10,000-run sweep of the seed experiment end to end, Parquet and
// compaction included, with 1 and 2 workers.
func BenchmarkSweep10k(b *testing.B) {
	d := benchDef(b, 10_000, "1 s")
	for _, jobs := range []int{1, 2} {
		b.Run(fmt.Sprintf("j%d", jobs), func(b *testing.B) {
			for b.Loop() {
				if _, err := Run(context.Background(), d, Options{OutDir: b.TempDir(), Jobs: jobs}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSweepShortRuns is 100,000 runs of 10 ms of model time: the per-run cost of the
// pipeline itself (identity, model, row, Parquet) dominates.
func BenchmarkSweepShortRuns(b *testing.B) {
	d := benchDef(b, 100_000, "10 ms")
	for b.Loop() {
		if _, err := Run(context.Background(), d, Options{OutDir: b.TempDir(), Jobs: 2}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWorkerRun is one run through a worker (decode, identity, model, simulation,
// measurements, row) with the f-I results cached, as in a sweep: its allocations are what one
// row costs.
func BenchmarkWorkerRun(b *testing.B) {
	d := benchDef(b, 1000, "1 s")
	var w experiment.UnitWorker
	cache := experiment.NewFICache()
	b.ReportAllocs()
	i := int64(0)
	for b.Loop() {
		for r := range d.RunsIn(i%d.Runs(), i%d.Runs()+1) {
			if _, err := w.Run(d, r, cache, nil); err != nil {
				b.Fatal(err)
			}
		}
		i++
	}
}
