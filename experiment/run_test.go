package experiment

import (
	"fmt"
	"slices"
	"testing"

	"github.com/eisweep/eisweep/sweep"
)

// TestRunBatchEqualsRun: runs of three grid points, two replicates each, handed to RunBatch in
// an order that returns to earlier points and in batches of unlike sizes, give every run the row
// that Run gives it alone (run_ms aside): the worker's memory of the last point's model and
// f-I lookups must follow the point.
func TestRunBatchEqualsRun(t *testing.T) {
	d, err := sweep.Parse("batch.toml", `name = "batch"
replicates = 2
[params]
"sim.duration" = "0.05 s"
"fi.n_currents" = 31
[grid]
"exc.e_leak" = ["7.6 mV", "8 mV", "8.5 mV"]
`)
	if err != nil {
		t.Fatal(err)
	}
	var refs []sweep.RunRef
	for r := range d.RunsIn(0, d.Runs()) {
		r.Point = slices.Clone(r.Point) // RunsIn reuses it
		refs = append(refs, r)
	}
	if len(refs) != 6 {
		t.Fatalf("%d runs, want 6", len(refs))
	}
	order := []int{0, 1, 2, 0, 4, 5, 3, 3, 1, 2, 5, 4} // points A A B A C C B B A B C C
	cache := NewFICache()
	var alone UnitWorker
	want := map[int]Row{}
	for _, i := range order {
		res, err := alone.Run(d, refs[i], cache, nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Row.RunMs = 0
		want[i] = res.Row
	}
	var w BatchWorker
	for start, size := 0, 1; start < len(order); start, size = start+size, size%5+1 {
		var batch []sweep.RunRef
		for _, i := range order[start:min(start+size, len(order))] {
			batch = append(batch, refs[i])
		}
		got, err := w.RunBatch(d, batch, cache, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, res := range got {
			i := order[start+k]
			res.Row.RunMs = 0
			// Printed, so that NaNs (no balance line) compare equal.
			if g, w := fmt.Sprintf("%+v", res.Row), fmt.Sprintf("%+v", want[i]); g != w {
				j := 0
				for j < min(len(g), len(w)) && g[j] == w[j] {
					j++
				}
				t.Errorf("run %d (%s) in a batch: row differs from the run alone at\n%s\nwant\n%s", i, refs[i].ID, g[max(0, j-80):min(len(g), j+80)], w[max(0, j-80):min(len(w), j+80)])
			}
		}
	}
}
