package aggregate

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/eisweep/eisweep/internal/testsweep"
	"github.com/eisweep/eisweep/pipeline"
)

// TestDuckDBReadsAggregates: DuckDB reads summary.parquet and balance.parquet, joins the summary
// to the runs by cell_id, and sees the balance rows aggregate wrote.
func TestDuckDBReadsAggregates(t *testing.T) {
	if os.Getenv("EISWEEP_DUCKCHECK") == "" {
		t.Skip("EISWEEP_DUCKCHECK not set")
	}
	dir := t.TempDir()
	d := testsweep.Small(t, "duckagg", 6, "[grid]\n\"input.rate_exc\" = [\"4 Hz\", \"5 Hz\"]\n\"weights.mult_ei\" = [0.6, 1.0, 1.4]\n")
	if _, err := pipeline.Run(context.Background(), d, pipeline.Options{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	res, err := Compute(context.Background(), dir, Options{Bootstrap: 50})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, res); err != nil {
		t.Fatal(err)
	}
	got := testsweep.DuckDB(t, fmt.Sprintf(`SELECT count(*), sum(s.n_runs), bool_and(abs(s.rate_e_hz_mean - r.m) < 1e-9)
		FROM read_parquet('%[1]s/summary.parquet') s
		JOIN (SELECT cell_id, avg(rate_e_hz) AS m FROM read_parquet('%[1]s/runs/*.parquet') GROUP BY cell_id) r USING (cell_id)`, dir))
	if got[0][0] != "6" || got[0][1] != "36" || got[0][2] != "true" {
		t.Errorf("summary joined to runs: %v", got[0])
	}
	bal := testsweep.DuckDB(t, fmt.Sprintf(`SELECT count(*), any_value(unit), typeof(any_value(inh_cross_pa)), any_value(best_model) IN ('linear', 'additive', 'multiplicative')
		FROM read_parquet('%s/balance.parquet')`, dir))
	if bal[0][0] != "2" || bal[0][1] != "E" || bal[0][2] != "DOUBLE" || bal[0][3] != "true" {
		t.Errorf("balance: %v", bal[0])
	}
}
