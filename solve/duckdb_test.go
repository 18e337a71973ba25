package solve

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/eisweep/eisweep/internal/testsweep"
	"github.com/eisweep/eisweep/pipeline"
)

// TestDuckDBReadsSolved: solved.parquet joins to the runs table by cell_id, with typed columns
// and nulls for a unit that is not solved.
func TestDuckDBReadsSolved(t *testing.T) {
	if os.Getenv("EISWEEP_DUCKCHECK") == "" {
		t.Skip("EISWEEP_DUCKCHECK not set")
	}
	dir := t.TempDir()
	d := testsweep.Small(t, "ducksolve", 6, "\"sim.duration\" = \"0.5 s\"\n[grid]\n\"input.rate_exc\" = [\"4 Hz\", \"5 Hz\", \"6 Hz\"]\n[solve]\nbootstrap = 50\n[solve.e]\nparam = \"weights.mult_ei\"\ntolerance = 0.01\n")
	if _, err := Solve(context.Background(), d, Options{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Run(context.Background(), d, pipeline.Options{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	got := testsweep.DuckDB(t, fmt.Sprintf(`SELECT count(*), typeof(any_value(s.e_w_pa)), bool_and(s.e_status = 'ok'), bool_and(s.i_status IS NULL),
			bool_and(abs(s.e_start_rate_hz - r.m) < 1e-9), bool_and(s.e_sims > 0)
		FROM read_parquet('%[1]s/solved.parquet') s
		JOIN (SELECT cell_id, avg(rate_e_hz) AS m FROM read_parquet('%[1]s/runs/*.parquet') GROUP BY cell_id) r USING (cell_id)`, dir))
	if want := []string{"3", "DOUBLE", "true", "true", "true", "true"}; fmt.Sprint(got[0]) != fmt.Sprint(want) {
		t.Errorf("solved joined to runs: %v, want %v", got[0], want)
	}
}
