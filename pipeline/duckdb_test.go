package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/internal/testsweep"
)

func duckdb(t *testing.T, query string) [][]string { t.Helper(); return testsweep.DuckDB(t, query) }

// TestDuckDBReadsRuns: DuckDB reads a folder of several part files with read_parquet and a
// glob, without union_by_name, with the documented types, and sees the same numbers eisweep wrote.
func TestDuckDBReadsRuns(t *testing.T) {
	dir := t.TempDir()
	d := testsweep.Small(t, "duck", 40, `"weights.mult_ei" = 0.9`)
	if _, err := Run(context.Background(), d, Options{OutDir: dir, Jobs: 2, FlushRows: 9, NoCompact: true}); err != nil {
		t.Fatal(err)
	}
	parts := testsweep.Files(t, dir, "runs")
	if len(parts) < 2 {
		t.Fatalf("%d parts, want several", len(parts))
	}
	glob := filepath.Join(dir, "runs", "*.parquet")
	rows := testsweep.ReadAll(t, dir)
	var spikes int64
	var theta float64
	for _, r := range rows {
		n, _ := strconv.ParseInt(r["n_spikes_e"], 10, 64)
		spikes += n
		theta, _ = strconv.ParseFloat(r["theta_e_pa"], 64)
	}
	got := duckdb(t, fmt.Sprintf(`SELECT count(*), count(DISTINCT run_id), sum(n_spikes_e), min(weights_mult_ei), max(weights_mult_ei),
		count(*) FILTER (WHERE status = 'ok' AND error IS NULL), min(theta_e_pa) = %v AND max(theta_e_pa) = %v, typeof(any_value(q_ee_pc)), typeof(any_value(replicate))
		FROM read_parquet('%s')`, strconv.FormatFloat(theta, 'g', 17, 64), strconv.FormatFloat(theta, 'g', 17, 64), glob))
	want := []string{"40", "40", strconv.FormatInt(spikes, 10), "0.9", "0.9", "40", "true", "DOUBLE", "BIGINT"}
	for i, w := range want {
		if got[0][i] != w {
			t.Errorf("column %d: DuckDB says %s, want %s (row %v)", i, got[0][i], w, got[0])
		}
	}
	// Every column DuckDB sees is one of Columns, in order.
	desc := duckdb(t, fmt.Sprintf("DESCRIBE SELECT * FROM read_parquet('%s')", glob))
	if len(desc) != len(experiment.Columns) {
		t.Fatalf("DuckDB sees %d columns, want %d", len(desc), len(experiment.Columns))
	}
	for i, c := range experiment.Columns {
		if desc[i][0] != c.Name {
			t.Errorf("column %d: DuckDB sees %s, want %s", i, desc[i][0], c.Name)
		}
	}
	meta := duckdb(t, fmt.Sprintf("SELECT count(*) FROM parquet_kv_metadata('%s') WHERE decode(key) = 'eisweep.definition_sha256' AND decode(value) = '%s'", glob, d.Hash()))
	if meta[0][0] != strconv.Itoa(len(parts)) {
		t.Errorf("definition hash in the metadata of %s of %d parts", meta[0][0], len(parts))
	}
}
