package chaos

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// trainingDef is a sweep of two network runs that train for 800 trials each, checkpointing every
// 10: a few seconds of training per run.
const trainingDef = `name = "train"
experiment = "network"
replicates = 2
[params]
"net.n_units" = 200
"network.duration" = "0.5 s"
"train.trials" = 800
"train.checkpoint_every" = 10
"train.alpha" = 0.02
`

var (
	trainingTable   = table{name: "training", key: "run_id", noun: "training rows"}
	trajectoryTable = table{name: "trajectory", key: "run_id, trial", noun: "trajectory rows"}
)

// TestKillDuringTraining SIGKILLs `eisweep run -j 1` of a sweep of two trainings at 8 random
// moments (seeded), resuming each time, then resumes it to completion. The kills land inside
// trainings, which resume from their last checkpoint (a kill loses at most 10 trials); every run,
// training row and trajectory row must then be there exactly once and identical to an
// uninterrupted sweep's (run_ms aside), and no checkpoint may be left.
func TestKillDuringTraining(t *testing.T) {
	e := setup(t)
	ref := e.reference(trainingDef)
	def := writeDef(t, trainingDef)
	dir := filepath.Join(t.TempDir(), "out")
	rng := rand.New(rand.NewPCG(2026, 7))
	const kills = 8
	landed, midTraining := 0, 0
	progress := map[string]uint64{} // the last trial seen in each run's checkpoint
	for k := range kills {
		p := e.start(2*time.Minute, "run", "--quiet", "-j", "1", "-o", dir, def)
		if p.waitFor(time.Duration(100+rng.IntN(600)) * time.Millisecond) {
			if p.code() != 0 {
				t.Errorf("invocation %d ended before its kill: %s\n%s", k+1, p.status(), tail(p.stderr.String()))
			}
			continue
		}
		if ck := glob(filepath.Join(dir, "checkpoints"), "*.ckpt"); len(ck) > 0 {
			midTraining++
			for _, f := range ck { // names
				if n, ok := checkpointTrial(filepath.Join(dir, "checkpoints", f)); ok {
					if n < progress[f] {
						t.Errorf("kill %d: %s holds trial %d, an earlier kill saw %d: a resumed training went back", k+1, f, n, progress[f])
					}
					progress[f] = n
				}
			}
		}
		p.cmd.Process.Kill()
		p.wait()
		landed++
	}
	e.mustRun(2*time.Minute, "run", "--quiet", "-o", dir, def)
	cs := e.check("kill-during-training", dir, ref, runsTable, trainingTable, trajectoryTable)
	if cs[0].want != 2 || cs[2].want != 1600 {
		t.Fatalf("the reference has %d runs and %d trajectory rows, want 2 and 1600", cs[0].want, cs[2].want)
	}
	if left := glob(filepath.Join(dir, "checkpoints"), "*"); len(left) > 0 {
		t.Errorf("checkpoints left after the sweep: %v", left)
	}
	if midTraining == 0 {
		t.Errorf("no kill landed while a training had a checkpoint (%d landed)", landed)
	}
	t.Logf("kill-during-training: %d kills (%d landed, %d with a checkpoint on disk; trials checkpointed at the last kill %v), %s",
		kills, landed, midTraining, progress, accounts(cs))
}

// checkpointTrial reads the next trial of a training checkpoint (experiment's format: its magic
// line, then the four synapse counts, n_E and n_I, then the next trial, little-endian words).
func checkpointTrial(path string) (uint64, bool) {
	const magic = "eisweep training checkpoint 1\n"
	b, err := os.ReadFile(path)
	if err != nil || len(b) < len(magic)+7*8 || string(b[:len(magic)]) != magic {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[len(magic)+6*8:]), true
}
