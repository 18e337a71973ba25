package experiment

import (
	"testing"

	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// BenchmarkWriteRuns writes 10,000 runs rows (a part file's worth) as Parquet to io.Discard.
func BenchmarkWriteRuns(b *testing.B) {
	d, err := sweep.Parse("bench.toml", "name = \"bench\"\nreplicates = 10000\n[params]\n\"sim.duration\" = \"200 ms\"\n")
	if err != nil {
		b.Fatal(err)
	}
	var w UnitWorker
	cache := NewFICache()
	var base []Row
	for r := range d.RunsIn(0, d.Runs()) {
		res, err := w.Run(d, r, cache, nil)
		if err != nil {
			b.Fatal(err)
		}
		base = append(base, res.Row)
	}
	rows := make([]Row, 10_000)
	for i := range rows {
		rows[i] = base[i%len(base)]
		rows[i].RunMs = float64(i) * 0.0137
	}
	b.ReportAllocs()
	var n countingWriter
	for b.Loop() {
		n = 0
		if err := table.Write(&n, Columns, rows, nil, 1<<20); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "file-bytes")
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
