package pipeline

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// duckdb runs query through tools/duckcheck (DuckDB embedded through cgo, in its own module so
// that eisweep does not depend on it). `make test` builds it and sets EISWEEP_DUCKCHECK; plain
// `go test` skips these tests.
func duckdb(t *testing.T, query string) [][]string {
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

// TestDuckDBReadsRuns: DuckDB reads a folder of several part files with read_parquet and a
// glob, without union_by_name, with the documented types, and sees the same numbers eisweep wrote.
func TestDuckDBReadsRuns(t *testing.T) {
	dir := t.TempDir()
	d := small(t, "duck", 40, `"weights.mult_ei" = 0.9`)
	if _, err := Run(context.Background(), d, Options{OutDir: dir, Jobs: 2, FlushRows: 9, NoCompact: true}); err != nil {
		t.Fatal(err)
	}
	parts, _ := PartFiles(dir)
	if len(parts) < 2 {
		t.Fatalf("%d parts, want several", len(parts))
	}
	glob := filepath.Join(dir, "runs", "*.parquet")
	rows := readAll(t, dir)
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
	if len(desc) != len(Columns) {
		t.Fatalf("DuckDB sees %d columns, want %d", len(desc), len(Columns))
	}
	for i, c := range Columns {
		if desc[i][0] != c.Name {
			t.Errorf("column %d: DuckDB sees %s, want %s", i, desc[i][0], c.Name)
		}
	}
	meta := duckdb(t, fmt.Sprintf("SELECT count(*) FROM parquet_kv_metadata('%s') WHERE decode(key) = 'eisweep.definition_sha256' AND decode(value) = '%s'", glob, d.Hash()))
	if meta[0][0] != strconv.Itoa(len(parts)) {
		t.Errorf("definition hash in the metadata of %s of %d parts", meta[0][0], len(parts))
	}
}

// TestDuckDBReadsAggregates: DuckDB reads summary.parquet and balance.parquet, joins the summary
// to the runs by cell_id, and sees the balance rows aggregate wrote.
func TestDuckDBReadsAggregates(t *testing.T) {
	if os.Getenv("EISWEEP_DUCKCHECK") == "" {
		t.Skip("EISWEEP_DUCKCHECK not set")
	}
	dir := t.TempDir()
	d := small(t, "duckagg", 6, "[grid]\n\"input.rate_exc\" = [\"4 Hz\", \"5 Hz\"]\n\"weights.mult_ei\" = [0.6, 1.0, 1.4]\n")
	if _, err := Run(context.Background(), d, Options{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := Aggregate(dir, AggregateOptions{Bootstrap: 50}); err != nil {
		t.Fatal(err)
	}
	got := duckdb(t, fmt.Sprintf(`SELECT count(*), sum(s.n_runs), bool_and(abs(s.rate_e_hz_mean - r.m) < 1e-9)
		FROM read_parquet('%[1]s/summary.parquet') s
		JOIN (SELECT cell_id, avg(rate_e_hz) AS m FROM read_parquet('%[1]s/runs/*.parquet') GROUP BY cell_id) r USING (cell_id)`, dir))
	if got[0][0] != "6" || got[0][1] != "36" || got[0][2] != "true" {
		t.Errorf("summary joined to runs: %v", got[0])
	}
	bal := duckdb(t, fmt.Sprintf(`SELECT count(*), any_value(unit), typeof(any_value(inh_cross_pa)), any_value(best_model) IN ('linear', 'additive', 'multiplicative')
		FROM read_parquet('%s/balance.parquet')`, dir))
	if bal[0][0] != "2" || bal[0][1] != "E" || bal[0][2] != "DOUBLE" || bal[0][3] != "true" {
		t.Errorf("balance: %v", bal[0])
	}
}

// TestDuckDBReadsSolved: solved.parquet joins to the runs table by cell_id, with typed columns
// and nulls for a unit that is not solved.
func TestDuckDBReadsSolved(t *testing.T) {
	if os.Getenv("EISWEEP_DUCKCHECK") == "" {
		t.Skip("EISWEEP_DUCKCHECK not set")
	}
	dir := t.TempDir()
	d := small(t, "ducksolve", 6, "\"sim.duration\" = \"0.5 s\"\n[grid]\n\"input.rate_exc\" = [\"4 Hz\", \"5 Hz\", \"6 Hz\"]\n[solve]\nbootstrap = 50\n[solve.e]\nparam = \"weights.mult_ei\"\ntolerance = 0.01\n")
	if _, err := Solve(context.Background(), d, SolveOptions{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), d, Options{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	got := duckdb(t, fmt.Sprintf(`SELECT count(*), typeof(any_value(s.e_w_pa)), bool_and(s.e_status = 'ok'), bool_and(s.i_status IS NULL),
			bool_and(abs(s.e_start_rate_hz - r.m) < 1e-9), bool_and(s.e_sims > 0)
		FROM read_parquet('%[1]s/solved.parquet') s
		JOIN (SELECT cell_id, avg(rate_e_hz) AS m FROM read_parquet('%[1]s/runs/*.parquet') GROUP BY cell_id) r USING (cell_id)`, dir))
	if want := []string{"3", "DOUBLE", "true", "true", "true", "true"}; fmt.Sprint(got[0]) != fmt.Sprint(want) {
		t.Errorf("solved joined to runs: %v, want %v", got[0], want)
	}
}
