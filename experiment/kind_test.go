package experiment

import (
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/eisweep/eisweep/sweep"
)

// TestKindsKeepTheEngineContract: what pipeline, aggregate and the store rely on of every kind —
// a runs table first, keyed by run_id, with cell_id and status; companions keyed by a column they
// have; summary metrics that are numeric columns of runs; a schema for every table; and every
// parameter of the kind (and only those) in runs.
func TestKindsKeepTheEngineContract(t *testing.T) {
	for _, k := range All() {
		tables, schemas := k.Tables(), k.Schemas()
		if tables[0].Name != "runs" || tables[0].Key != "run_id" {
			t.Errorf("%s: first table %+v, want runs keyed by run_id", k.Name(), tables[0])
		}
		if len(schemas) != len(tables) {
			t.Fatalf("%s: %d tables, %d schemas", k.Name(), len(tables), len(schemas))
		}
		cols := map[string]map[string]arrow.DataType{}
		for i, s := range schemas {
			if s.Name != tables[i].Name {
				t.Errorf("%s: schema %d is %s, table %s", k.Name(), i, s.Name, tables[i].Name)
			}
			cols[s.Name] = map[string]arrow.DataType{}
			for _, c := range s.Columns {
				if _, dup := cols[s.Name][c.Name]; dup {
					t.Errorf("%s: %s has column %s twice", k.Name(), s.Name, c.Name)
				}
				cols[s.Name][c.Name] = c.Type
			}
			if _, ok := cols[s.Name][tables[i].Key]; !ok {
				t.Errorf("%s: %s has no key column %s", k.Name(), s.Name, tables[i].Key)
			}
		}
		runs := cols["runs"]
		for _, c := range []string{"run_id", "cell_id", "status", "replicate", "seed", "run_ms"} {
			if _, ok := runs[c]; !ok {
				t.Errorf("%s: runs has no %s", k.Name(), c)
			}
		}
		for _, m := range k.SummaryMetrics() {
			if typ, ok := runs[m]; !ok || (typ.ID() != arrow.FLOAT64 && typ.ID() != arrow.INT64) {
				t.Errorf("%s: summary metric %s is not a numeric runs column (%v)", k.Name(), m, typ)
			}
		}
		for _, p := range sweep.Registry {
			_, has := runs[p.Column()]
			if has != p.AppliesTo(k.Name()) {
				t.Errorf("%s: runs has column %s: %v, the parameter applies: %v", k.Name(), p.Column(), has, p.AppliesTo(k.Name()))
			}
		}
	}
	if !slices.Equal(Unit.Tables(), UnitTables) || For(&sweep.Definition{Base: sweep.Defaults()}) != Unit {
		t.Error("the default kind is not the single-unit experiment")
	}
}

// TestRasterRanks: the raster's units are spread over each population, each rank once.
func TestRasterRanks(t *testing.T) {
	rank := RasterRanks(800, 200, 50)
	seen := map[[2]int32]int{}
	for i, r := range rank {
		if r < 0 {
			continue
		}
		pop := int32(0)
		if i >= 800 {
			pop = 1
		}
		seen[[2]int32{pop, r}]++
	}
	if len(seen) != 100 || rank[0] != 0 || rank[16] != 1 || rank[784] != 49 || rank[800] != 0 || rank[804] != 1 || rank[996] != 49 {
		t.Errorf("ranks %d distinct, rank[16] %d rank[784] %d rank[804] %d rank[996] %d", len(seen), rank[16], rank[784], rank[804], rank[996])
	}
	if small := RasterRanks(10, 3, 50); small[12] != 2 || small[9] != 9 {
		t.Errorf("fewer units than the raster asks: %v", small)
	}
}
