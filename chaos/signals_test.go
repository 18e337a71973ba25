package chaos

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"
)

// hugeDef is a grid of 4 axes of 1000 values: 10¹² runs, which only --dry-run can face.
const hugeDef = `name = "huge"
[params]
"sim.duration" = "0.2 s"
"fi.n_currents" = 31
[grid]
"input.rate_exc" = { from = "1 Hz", to = "10 Hz", steps = 1000 }
"input.rate_inh" = { from = "5 Hz", to = "20 Hz", steps = 1000 }
"weights.mult_ei" = { from = 0.9, to = 1.1, steps = 1000 }
"weights.mult_ii" = { from = 0.9, to = 1.1, steps = 1000 }
`

// solveDef solves 6 cells of 200 replicates: about 5 s on 2 cores.
const solveDef = `name = "solve"
replicates = 200
[grid]
"input.rate_exc" = ["4 Hz", "5 Hz", "6 Hz"]
"input.rate_inh" = ["12 Hz", "14 Hz"]
[solve.e]
param = "weights.mult_ei"
tolerance = 0.0005
[solve.i]
param = "weights.mult_ii"
tolerance = 0.0005
`

// solveCells is the number of cells of solveDef.
const solveCells = 6

// solvedTable compares solved.parquet, one row per cell, but the wall time of each.
var solvedTable = table{name: "solved.parquet", key: "cell_id", exclude: "solve_ms", noun: "cells"}

// solvedSource selects the rows of DIR/solved.parquet.
func solvedSource(dir string) string {
	return "SELECT * EXCLUDE (solve_ms) FROM read_parquet(" + quote(filepath.Join(dir, "solved.parquet")) + ")"
}

// solveReference is an uninterrupted solve of solveDef, made once.
func (e *env) solveReference() string {
	e.t.Helper()
	return e.cached("solve\x00"+solveDef, func(dir string) {
		p := filepath.Join(scratch, "solve-def.toml")
		if err := os.WriteFile(p, []byte(solveDef), 0o644); err != nil {
			e.t.Fatal(err)
		}
		e.mustRun(5*time.Minute, "solve", "--quiet", "-o", dir, p)
	})
}

// phase is one phase of eisweep's work in which a signal may land.
type phase struct {
	name string
	// prepare sets the folder up and returns the command to signal and the delay before the
	// signal.
	prepare func(e *env, dir, def string) (args []string, delay time.Duration)
	def     string
	// compaction: the phase compacts the folder; the log says which files were new in the table
	// folders at the signal.
	compaction bool
	// fromCompaction: the delay counts from the moment compaction visibly begins (a new file in
	// runs/, traces/ or fi/), not from the start.
	fromCompaction bool
	// after resumes the work and checks the folder; it returns the log line's account.
	after func(e *env, dir, def string) string
}

// tableFiles lists the entries of the table folders of dir, as table/name.
func tableFiles(dir string) map[string]bool {
	names := map[string]bool{}
	for _, tb := range []string{"runs", "traces", "fi"} {
		for _, n := range glob(filepath.Join(dir, tb), "*") {
			names[tb+"/"+n] = true
		}
	}
	return names
}

// newFiles lists the entries of the table folders of dir that were not in before.
func newFiles(dir string, before map[string]bool) []string {
	var out []string
	for n := range tableFiles(dir) {
		if !before[n] {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// TestSignalsInEveryPhase sends SIGTERM and SIGINT to eisweep in each phase of its work: (a) a
// sweep's runs; (b) `run --dry-run` of a 10¹²-run grid, counting; (c) `eisweep compact` of a
// folder of 600 part files and 1.5 million trace rows, once 300–700 ms after its start and once
// 300–700 ms after the first new file appears in a table folder (in the merging, not the scan
// before it); (d) the compaction that ends `eisweep run` when it finds every run done
// (signalled 300 ms after the first new file appears in a table folder); (e) `eisweep solve`.
// Otherwise the signal comes 300–700 ms after the start (seeded). The process must exit with 143
// (SIGTERM) or 130 (SIGINT) within 1 s of the signal. Afterwards the work must resume: the next run, compact or
// solve exits 0, and the folder holds every run (trace, f-I row, solved cell) exactly once,
// identical to an uninterrupted run's; a dry run must have written nothing.
func TestSignalsInEveryPhase(t *testing.T) {
	e := setup(t)
	rng := rand.New(rand.NewPCG(2026, 8))
	randomDelay := func() time.Duration { return time.Duration(300+rng.IntN(400)) * time.Millisecond }
	bigParts := func(e *env) string { return e.partsFixture(killDef, "--no-compact", "--flush-rows", "10") }
	phases := []phase{
		{
			name: "run",
			def:  longSweep,
			prepare: func(e *env, dir, def string) ([]string, time.Duration) {
				return []string{"run", "--quiet", "-o", dir, def}, randomDelay()
			},
			after: func(e *env, dir, def string) string {
				r := e.run(2*time.Minute, "run", "--quiet", "-o", dir, def)
				if r.code != 0 {
					e.t.Errorf("resume: %s, want exit 0\n%s", r.status, tail(r.stderr))
				}
				return "resume " + r.String() + "; " + accounts(e.check("after the signal", dir, e.reference(longSweep)))
			},
		},
		{
			name: "dry-run",
			def:  hugeDef,
			prepare: func(e *env, dir, def string) ([]string, time.Duration) {
				return []string{"run", "--dry-run", "--max-runs", "1000000000000000", "-o", dir, def}, randomDelay()
			},
			after: func(e *env, dir, def string) string {
				if _, err := os.Lstat(dir); err == nil {
					e.t.Errorf("dry run wrote into %s: %v", dir, glob(dir, "*"))
					return "the dry run wrote " + fmt.Sprint(glob(dir, "*"))
				}
				return "nothing written"
			},
		},
		{
			name: "compact",
			def:  killDef,
			prepare: func(e *env, dir, def string) ([]string, time.Duration) {
				copyDir(e.t, bigParts(e), dir)
				return []string{"compact", dir}, randomDelay()
			},
			compaction: true,
			after: func(e *env, dir, def string) string {
				return accounts(e.check("after the signal", dir, e.reference(killDef), runsTable, tracesTable, fiTable))
			},
		},
		{
			name: "compact-merging",
			def:  killDef,
			prepare: func(e *env, dir, def string) ([]string, time.Duration) {
				copyDir(e.t, bigParts(e), dir)
				return []string{"compact", dir}, randomDelay()
			},
			compaction:     true,
			fromCompaction: true,
			after: func(e *env, dir, def string) string {
				return accounts(e.check("after the signal", dir, e.reference(killDef), runsTable, tracesTable, fiTable))
			},
		},
		{
			name: "end-of-run-compaction",
			def:  killDef,
			prepare: func(e *env, dir, def string) ([]string, time.Duration) {
				copyDir(e.t, bigParts(e), dir)
				return []string{"run", "--quiet", "-o", dir, def}, 300 * time.Millisecond
			},
			compaction:     true,
			fromCompaction: true,
			after: func(e *env, dir, def string) string {
				r := e.run(2*time.Minute, "run", "--quiet", "-o", dir, def)
				if r.code != 0 {
					e.t.Errorf("resume: %s, want exit 0\n%s", r.status, tail(r.stderr))
				}
				return "resume " + r.String() + "; " + accounts(e.check("after the signal", dir, e.reference(killDef), runsTable, tracesTable, fiTable))
			},
		},
		{
			name: "solve",
			def:  solveDef,
			prepare: func(e *env, dir, def string) ([]string, time.Duration) {
				return []string{"solve", "--quiet", "-o", dir, def}, randomDelay()
			},
			after: func(e *env, dir, def string) string {
				ref := e.solveReference()
				r := e.run(2*time.Minute, "solve", "--quiet", "-o", dir, def)
				if r.code != 0 {
					e.t.Errorf("resume: solve: %s, want exit 0\n%s", r.status, tail(r.stderr))
					return "resume " + r.String()
				}
				c := e.compareWith(solvedSource(dir), solvedSource(ref), solvedTable.key, solvedTable.noun)
				if !c.ok() || c.want != solveCells {
					e.t.Errorf("after the signal: solved.parquet: %s (%d rows, reference %d, want %d cells)", c, c.rows, c.want, solveCells)
				}
				return "resume " + r.String() + "; " + c.String()
			},
		},
	}
	for _, ph := range phases {
		for _, sig := range []struct {
			sig  syscall.Signal
			name string
			code int
		}{{syscall.SIGTERM, "SIGTERM", 143}, {syscall.SIGINT, "SIGINT", 130}} {
			t.Run(ph.name+"/"+sig.name, func(t *testing.T) {
				e := &env{t: t, bin: e.bin, duck: e.duck}
				if ph.name == "run" {
					e.reference(longSweep) // before the clock starts
				}
				def := writeDef(t, ph.def)
				dir := filepath.Join(t.TempDir(), "out")
				args, delay := ph.prepare(e, dir, def)
				initial := tableFiles(dir)
				p := e.start(2*time.Minute, args...)
				var seen string
				if ph.fromCompaction {
					for !p.exited() && len(newFiles(dir, initial)) == 0 && time.Since(p.started) < 20*time.Second {
						time.Sleep(5 * time.Millisecond)
					}
					seen = fmt.Sprintf("compaction began %v after the start; ", time.Since(p.started).Round(time.Millisecond))
				}
				if p.waitFor(delay) {
					t.Fatalf("signals: %s: %s ended before the %v signal, %v in (%s): the case must be made bigger\n%s",
						ph.name, p, sig.name, delay, p.status(), tail(p.stderr.String()))
				}
				if ph.compaction {
					seen += fmt.Sprintf("new in the table folders at the signal: %v; ", newFiles(dir, initial))
				}
				sent := time.Now()
				p.cmd.Process.Signal(sig.sig)
				stopped := "stopped"
				if !p.waitFor(5 * time.Second) {
					t.Errorf("signals: %s: %s still running 5 s after %s (want exit %d within 1 s); killed", ph.name, p, sig.name, sig.code)
					p.cmd.Process.Kill()
					p.wait()
					stopped = "did not stop (killed 5 s after the signal)"
				}
				took := p.ended.Sub(sent)
				if stopped == "stopped" {
					if p.code() != sig.code {
						t.Errorf("signals: %s: %s after %s: %s, want exit %d\n%s", ph.name, p, sig.name, p.status(), sig.code, tail(p.stderr.String()))
					}
					if took > time.Second {
						t.Errorf("signals: %s: %s took %v to stop after %s, want ≤ 1 s", ph.name, p, took.Round(time.Millisecond), sig.name)
					}
					stopped = fmt.Sprintf("%s %v after it", p.status(), took.Round(time.Millisecond))
				}
				account := ph.after(e, dir, def)
				when := "in"
				if ph.fromCompaction {
					when = "after compaction began"
				}
				t.Logf("signals: %s: %s %v %s: %s%s; %s", ph.name, sig.name, delay, when, seen, stopped, account)
			})
		}
	}
}
