// Package testsweep has the helpers that tests of several packages share: small definitions
// that run in milliseconds, and readers that return a folder's rows as text for comparison.
package testsweep

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
)

// Small returns a quick definition: 0.2 s runs (unless extra sets sim.duration) and a coarse
// f-I test, with extra appended to its [params] table (extra may open further tables).
func Small(t testing.TB, name string, replicates int, extra string) *sweep.Definition {
	t.Helper()
	duration := "\"sim.duration\" = \"0.2 s\"\n"
	if strings.Contains(extra, "sim.duration") {
		duration = ""
	}
	text := fmt.Sprintf("name = %q\nseed = 5\nreplicates = %d\n[params]\n\"fi.n_currents\" = 301\n%s%s\n", name, replicates, duration, extra)
	d, err := sweep.Parse(name+".toml", text)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// RunTables are a single-unit sweep folder's tables, as experiment.UnitTables (repeated here so
// that the tests of experiment itself can use this package).
var RunTables = []store.Table{{Name: "runs", Key: "run_id"}, {Name: "fi", Key: "fi_key"}, {Name: "traces", Key: "run_id"}}

// NetworkTables are a network sweep folder's tables, as experiment.NetworkTables.
var NetworkTables = []store.Table{{Name: "runs", Key: "run_id"}, {Name: "unit_rates", Key: "run_id"}, {Name: "psth", Key: "run_id"}, {Name: "raster", Key: "run_id"},
	{Name: "training", Key: "run_id"}, {Name: "trajectory", Key: "run_id"}}

// tablesOf returns the tables of the folder dir, by the experiment of its definition.
func tablesOf(dir string) []store.Table {
	if text, ok, err := store.ReadDefinition(dir); err == nil && ok {
		if d, err := sweep.ParseWith(dir, text, sweep.Options{MaxRuns: 1 << 62}); err == nil && d.Kind() == sweep.ExperimentNetwork {
			return NetworkTables
		}
	}
	return RunTables
}

// Files returns the files of table that count in the folder dir, as store.Read finds them.
func Files(t testing.TB, dir, table string) []string {
	t.Helper()
	c, err := store.Read(dir, tablesOf(dir))
	if err != nil {
		t.Fatal(err)
	}
	return c.Files[table]
}

// ReadAll reads every row of the folder's runs that count, keyed by run_id, each row as column
// → value text, leaving out run_ms (wall time). It fails on duplicate run ids.
func ReadAll(t testing.TB, dir string) map[string]map[string]string {
	t.Helper()
	rows := map[string]map[string]string{}
	for _, p := range Files(t, dir, "runs") {
		for _, row := range ReadFileRows(t, p) {
			delete(row, "run_ms")
			id := row["run_id"]
			if _, dup := rows[id]; dup {
				t.Fatalf("run %s written twice", id)
			}
			rows[id] = row
		}
	}
	return rows
}

// ReadFileRows reads every row of one Parquet file, each as column → value text.
func ReadFileRows(t testing.TB, path string) []map[string]string {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	tr := array.NewTableReader(tbl, -1)
	defer tr.Release()
	var rows []map[string]string
	for tr.Next() {
		rec := tr.RecordBatch()
		for i := range int(rec.NumRows()) {
			row := map[string]string{}
			for c, f := range rec.Schema().Fields() {
				row[f.Name] = rec.Column(c).ValueStr(i)
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// DuckDB runs query through tools/duckcheck (DuckDB embedded through cgo, in its own module so
// that eisweep does not depend on it) and returns the result rows as text. `make test` builds it
// and sets EISWEEP_DUCKCHECK; without it the test is skipped.
func DuckDB(t testing.TB, query string) [][]string {
	t.Helper()
	bin := os.Getenv("EISWEEP_DUCKCHECK")
	if bin == "" {
		t.Skip("EISWEEP_DUCKCHECK not set (make test builds tools/duckcheck and sets it)")
	}
	out, err := exec.Command(bin, query).CombinedOutput()
	if err != nil {
		t.Fatalf("duckdb: %v\n%s", err, out)
	}
	var rows [][]string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n")[1:] {
		rows = append(rows, strings.Split(l, "\t"))
	}
	return rows
}

// Num parses a value as ReadFileRows writes it: NaN for "(null)".
func Num(t testing.TB, s string) float64 {
	t.Helper()
	if s == "(null)" {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return v
}

// Near reports whether a and b agree within tol relative to max(1, |b|) (NaN equals NaN).
func Near(a, b, tol float64) bool {
	return a == b || math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}
