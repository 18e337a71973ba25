package chaos

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestShardsAtOnce starts the 8 shards of a sweep (--shard k/8) at the same instant into an output
// folder that does not exist yet: all 8 processes are prepared first, then started in a tight
// loop. Five rounds, each into a fresh folder. Every process must exit 0, and after
// `eisweep compact` every run must be there exactly once, identical to an uninterrupted run's.
func TestShardsAtOnce(t *testing.T) {
	e := setup(t)
	text := quickDef("shards", 8000)
	ref := e.reference(text)
	def := writeDef(t, text)
	const shards, rounds = 8, 5
	failedProcs := 0
	bad := 0
	for round := 1; round <= rounds; round++ {
		dir := filepath.Join(t.TempDir(), "out") // does not exist yet
		procs := make([]*proc, shards)
		for k := range procs {
			procs[k] = e.command(2*time.Minute, "run", "--quiet", "--shard", fmt.Sprintf("%d/%d", k+1, shards), "-o", dir, def)
		}
		for _, p := range procs {
			p.begin()
		}
		failed := 0
		for _, p := range procs {
			p.wait()
			if p.hung() {
				t.Errorf("round %d: hung: %s still running after its limit; killed", round, p)
			}
			if p.code() != 0 {
				failed++
				t.Errorf("round %d: %s: %s, want exit 0\n%s", round, p, p.status(), tail(p.stderr.String()))
			}
		}
		failedProcs += failed
		cs := e.check(fmt.Sprintf("round %d", round), dir, ref)
		if !cs[0].ok() || failed > 0 {
			bad++
		}
		t.Logf("shards-at-once: round %d: %d processes, %d failed, %s", round, shards, failed, accounts(cs))
	}
	t.Logf("shards-at-once: %d rounds of %d shards started together: %d processes failed, %d rounds lost, duplicated or changed runs or had a failed process", rounds, shards, failedProcs, bad)
}

// longRuns is the size of the sweeps that must last a while: 20,000 runs of 1 s (about 2 s of
// work on 2 cores; one shard of two with one worker takes about 2 s).
const longRuns = 20000

var longSweep = longDef("long", longRuns)

// TestShardsOfDifferentN runs --shard 1/2 of a sweep and, while it runs, starts --shard 1/3 into
// the same folder: the second splits the sweep differently, so its slice overlaps both halves,
// and it must be refused at once (a non-zero exit, expected 1, within 2 s) with a message that
// names the folder's split ("/2" on stderr). Shards 1/2 and 2/2 then run to completion: every run
// exactly once, identical to an uninterrupted run's. Finally a plain run (no --shard) of the same
// definition must exit 0 and change nothing: the same rows, wall times included (no run ran
// again).
func TestShardsOfDifferentN(t *testing.T) {
	e := setup(t)
	ref := e.reference(longSweep)
	def := writeDef(t, longSweep)
	dir := filepath.Join(t.TempDir(), "out")
	first := e.start(2*time.Minute, "run", "--quiet", "-j", "1", "--shard", "1/2", "-o", dir, def)
	time.Sleep(600 * time.Millisecond)
	if first.exited() {
		t.Fatalf("%s ended within 600 ms (%s): the sweep is too small for this case", first, first.status())
	}
	other := e.start(30*time.Second, "run", "--quiet", "--shard", "1/3", "-o", dir, def)
	refused := other.waitFor(2 * time.Second)
	if !refused {
		t.Errorf("%s beside a running --shard 1/2: still running after 2 s (it should have been refused at once)", other)
		other.wait()
	}
	if other.hung() {
		t.Errorf("hung: %s still running after 30 s; killed", other)
	}
	stopped := fmt.Sprintf("%s after %v (%s)", other.status(), other.took().Round(time.Millisecond), lastLine(other.stderr.String()))
	switch {
	case other.code() == 0:
		t.Errorf("%s beside a running --shard 1/2: exit 0, want it refused (exit 1)", other)
	case other.code() != 1:
		t.Errorf("%s beside a running --shard 1/2: %s, want exit 1\n%s", other, other.status(), tail(other.stderr.String()))
	}
	if other.code() != 0 && !strings.Contains(other.stderr.String(), "/2") {
		t.Errorf("%s: refused, but its message does not name the folder's split into 2 shards (no \"/2\"):\n%s", other, tail(other.stderr.String()))
	}
	first.wait()
	if first.hung() || first.code() != 0 {
		t.Errorf("%s: %s, want exit 0\n%s", first, first.status(), tail(first.stderr.String()))
	}
	e.mustRun(2*time.Minute, "run", "--quiet", "--shard", "2/2", "-o", dir, def)
	cs := e.check("shards 1/2 and 2/2", dir, ref)

	// A plain run of the completed folder changes nothing.
	before := filepath.Join(t.TempDir(), "before")
	copyDir(t, dir, before)
	r := e.run(2*time.Minute, "run", "--quiet", "-o", dir, def)
	if r.code != 0 {
		t.Errorf("plain run after shards 1/2 and 2/2: %s, want exit 0\n%s", r.status, tail(r.stderr))
	}
	all := table{name: "runs", key: "run_id", noun: "runs"} // run_ms included: a rerun changes it
	same := e.compare(dir, before, all)
	if !same.ok() {
		t.Errorf("plain run after shards 1/2 and 2/2 changed the folder: %s", same)
	}
	files := fmt.Sprint(glob(filepath.Join(dir, "runs"), "*"))
	if was := fmt.Sprint(glob(filepath.Join(before, "runs"), "*")); files != was {
		t.Logf("plain run: note: runs/ was %s, is %s", was, files)
	}
	t.Logf("shards-of-different-n: --shard 1/3 beside 1/2: %s; after 1/2 and 2/2: %s; plain run afterwards: %s, %d runs changed or re-run",
		stopped, accounts(cs), r, same.lost+same.extra+same.differ+same.dup)
}
