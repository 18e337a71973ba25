package chaos

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// killRuns is the size of the sweep the SIGKILL cases use: 3000 runs of 500 steps, 1.5 million
// trace rows, a few seconds of work whose compaction alone takes a second or two.
const killRuns = 3000

// killDef is that sweep (traces and f-I curves on).
var killDef = traceDef("kill", killRuns)

// TestKillDuringRun SIGKILLs `eisweep run` of a sweep with traces and f-I curves, flushing a part
// file every 10 runs or 100 ms, at 15 random moments (seeded), resuming each time, then resumes it
// to completion. The kills land in startup, mid-flush and in the end-of-sweep compaction. Every
// run must then be in runs/ exactly once and identical to an uninterrupted run's; traces/ must
// hold runs × 500 rows with no (run_id, step) twice, identical to the reference's; fi/ must equal
// the reference's.
func TestKillDuringRun(t *testing.T) {
	e := setup(t)
	ref := e.reference(killDef)
	def := writeDef(t, killDef)
	dir := filepath.Join(t.TempDir(), "out")
	rng := rand.New(rand.NewPCG(2026, 1))
	const kills = 15
	landed, finished := 0, 0
	for k := range kills {
		p := e.start(2*time.Minute, "run", "--quiet", "--flush-rows", "10", "--flush-interval", "100ms", "-o", dir, def)
		if p.waitFor(time.Duration(50+rng.IntN(650)) * time.Millisecond) {
			finished++
			if p.code() != 0 {
				t.Errorf("invocation %d ended before its kill: %s\n%s", k+1, p.status(), tail(p.stderr.String()))
			}
			continue
		}
		p.cmd.Process.Kill()
		p.wait()
		landed++
	}
	e.mustRun(2*time.Minute, "run", "--quiet", "-o", dir, def)
	cs := e.check("kill-during-run", dir, ref, runsTable, tracesTable, fiTable)
	if cs[0].want != killRuns || cs[1].want != killRuns*traceSteps {
		t.Fatalf("reference has %d runs and %d trace rows, want %d and %d", cs[0].want, cs[1].want, killRuns, killRuns*traceSteps)
	}
	if cs[1].err == nil && cs[1].rows != cs[0].distinct*traceSteps {
		t.Errorf("kill-during-run: traces/ has %d rows, want runs × steps = %d × %d", cs[1].rows, cs[0].distinct, traceSteps)
	}
	t.Logf("kill-during-run: %d kills (%d landed, %d invocations finished first), %s", kills, landed, finished, accounts(cs))
}

// TestKillDuringCompaction fills a folder with 3000 runs and their 1.5 million trace rows in
// small parts (--no-compact --flush-rows 10: 300 part files per table), times one uninterrupted
// `eisweep compact` of a copy, then SIGKILLs `eisweep compact` of the folder at 10 random moments
// (seeded) spread over the first 60% of that time, so that they land both in the scan before
// merging and in the merging of each table, and finally compacts to completion. Every run, trace row and f-I row
// must be there exactly once, identical to an uninterrupted run's.
func TestKillDuringCompaction(t *testing.T) {
	e := setup(t)
	ref := e.reference(killDef)
	fix := e.partsFixture(killDef, "--no-compact", "--flush-rows", "10")
	probe := filepath.Join(t.TempDir(), "probe")
	copyDir(t, fix, probe)
	whole := e.mustRun(2*time.Minute, "compact", probe).took
	os.RemoveAll(probe)
	dir := filepath.Join(t.TempDir(), "out")
	copyDir(t, fix, dir)
	parts := len(glob(filepath.Join(dir, "runs"), "*.parquet")) + len(glob(filepath.Join(dir, "traces"), "*.parquet"))
	rng := rand.New(rand.NewPCG(2026, 2))
	const kills = 10
	landed, finished := 0, 0
	for k := range kills {
		p := e.start(2*time.Minute, "compact", dir)
		// Within the first 60% of an uninterrupted compaction: a compaction that keeps what it
		// merged before a kill has less left to do each time.
		at := 50*time.Millisecond + time.Duration(rng.Float64()*float64(max(whole*60/100-50*time.Millisecond, 0)))
		if p.waitFor(at) {
			finished++
			if p.code() != 0 {
				t.Errorf("compaction %d ended before its kill: %s\n%s", k+1, p.status(), tail(p.stderr.String()))
			}
			continue
		}
		p.cmd.Process.Kill()
		p.wait()
		landed++
	}
	cs := e.check("kill-during-compaction", dir, ref, runsTable, tracesTable, fiTable)
	var left []string
	for _, tb := range []string{"runs", "traces", "fi"} {
		left = append(left, glob(filepath.Join(dir, tb), "*tmp*")...)
	}
	if len(left) > 0 {
		t.Logf("kill-during-compaction: note: %d temporary files left behind after the final compact: %v", len(left), left)
	}
	t.Logf("kill-during-compaction: %d kills of compact over %d part files, within 60%% of the %v an uninterrupted compaction takes (%d landed, %d compactions finished first), %s",
		kills, parts, whole.Round(time.Millisecond), landed, finished, accounts(cs))
}
