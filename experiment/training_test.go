package experiment

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/sweep"
)

const trainingDef = "name = \"t\"\nexperiment = \"network\"\nseed = 3\n[params]\n\"net.n_units\" = 200\n\"network.duration\" = \"0.5 s\"\n" +
	"\"train.trials\" = 40\n\"train.checkpoint_every\" = 4\n\"train.alpha\" = 0.05\n"

// trainingRun runs the definition's one run in a session whose folder is dir ("" for none), with
// stop as its Stop flag.
func trainingRun(t *testing.T, text, dir string, stop *atomic.Bool) (NetworkOutput, sweep.RunID, error) {
	t.Helper()
	def, err := sweep.Parse("t.toml", text)
	if err != nil {
		t.Fatal(err)
	}
	s := Network.NewSession(def, nil)
	if dir != "" {
		s.(FolderSession).SetFolder(dir)
	}
	w := s.NewWorker()
	if stop != nil {
		w.SetStop(stop)
	}
	for r := range def.AllRuns() {
		o, err := w.Run(r)
		if err != nil {
			return NetworkOutput{}, r.ID, err
		}
		return o.(NetworkOutput), r.ID, nil
	}
	t.Fatal("no run")
	return NetworkOutput{}, 0, nil
}

// sameOutput compares two outputs of one run, run_ms aside.
func sameOutput(t *testing.T, got, want NetworkOutput) {
	t.Helper()
	got.Row.RunMs, want.Row.RunMs = 0, 0
	if !reflect.DeepEqual(got.Training, want.Training) {
		t.Fatalf("training rows\n %+v\nwant\n %+v", got.Training, want.Training)
	}
	if !reflect.DeepEqual(got.Trajectory, want.Trajectory) {
		t.Fatalf("trajectories differ: %d and %d rows", len(got.Trajectory), len(want.Trajectory))
	}
	if got.Row.NSpikesE != want.Row.NSpikesE || got.Row.RateUpIHz != want.Row.RateUpIHz || got.Row.ExcCurrentEPA != want.Row.ExcCurrentEPA {
		t.Fatalf("the measured trial differs: %+v, want %+v", got.Row, want.Row)
	}
}

// TestTrainingRun: a network run with train.trials trains before its measured trial: a training
// row, one trajectory row per trial, weights that moved, and a measured trial at the trained
// weights (not at the point's).
func TestTrainingRun(t *testing.T) {
	o, id, err := trainingRun(t, trainingDef, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Training) != 1 || len(o.Trajectory) != 40 {
		t.Fatalf("%d training rows and %d trajectory rows, want 1 and 40", len(o.Training), len(o.Trajectory))
	}
	tr := o.Training[0]
	if tr.RunID != id || tr.TrialsRun != 40 || tr.Stop != "" || tr.Rule != "cross-homeo-local" {
		t.Errorf("training row %+v", tr)
	}
	for k, r := range o.Trajectory {
		if r.Index != k || r.RunID != id {
			t.Fatalf("trajectory row %d: trial %d of %v", k, r.Index, r.RunID)
		}
	}
	if last := o.Trajectory[39]; last.MeanWPA != tr.WeightPA || last.AvgEHz != tr.AvgEHz {
		t.Errorf("the last trajectory row %+v does not end where the training row does %+v", last, tr)
	}
	plain, _, err := trainingRun(t, "name = \"t\"\nexperiment = \"network\"\nseed = 3\n[params]\n\"net.n_units\" = 200\n\"network.duration\" = \"0.5 s\"\n", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(plain.Training) != 0 || len(plain.Trajectory) != 0 {
		t.Errorf("a run without training wrote %d training rows", len(plain.Training))
	}
	moved := false
	for q := range tr.WeightPA {
		moved = moved || tr.Mult[q] != 1 && tr.WeightPA[q] != o.Trajectory[0].MeanWPA[q]
	}
	if !moved {
		t.Errorf("40 trials moved no weight: %+v", tr)
	}
}

// TestTrainingResumes: a training stopped midway (its Stop flag set once a checkpoint exists)
// resumes from the checkpoint to the uninterrupted training's rows, bit for bit; a corrupted
// checkpoint is not used (the training starts over, to the same rows); Committed removes the
// checkpoints of committed runs.
func TestTrainingResumes(t *testing.T) {
	want, id, err := trainingRun(t, trainingDef, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ckpt := checkpointPath(dir, id)
	var stop atomic.Bool
	go func() {
		for range 20000 {
			if _, err := os.Stat(ckpt); err == nil {
				stop.Store(true)
				return
			}
			time.Sleep(100 * time.Microsecond)
		}
	}()
	_, _, err = trainingRun(t, trainingDef, dir, &stop)
	if !errors.Is(err, sim.ErrStopped) {
		t.Fatalf("the stopped training: %v, want ErrStopped", err)
	}
	head, err := os.ReadFile(ckpt)
	if err != nil {
		t.Fatalf("no checkpoint after the stop: %v", err)
	}
	// the next trial: the word after the magic, the four synapse counts and n_E, n_I
	if next := binary.LittleEndian.Uint64(head[len(ckptMagic)+6*8:]); next < 4 || next >= 40 || next%4 != 0 {
		t.Fatalf("the checkpoint holds trial %d, want a multiple of 4 below 40", next)
	}
	got, _, err := trainingRun(t, trainingDef, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameOutput(t, got, want)

	b, err := os.ReadFile(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x40
	if err := os.WriteFile(ckpt, b, 0o644); err != nil {
		t.Fatal(err)
	}
	again, _, err := trainingRun(t, trainingDef, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameOutput(t, again, want)

	def, _ := sweep.Parse("t.toml", trainingDef)
	s := Network.NewSession(def, nil)
	s.(FolderSession).SetFolder(dir)
	buf := s.NewBuffer()
	buf.Add(again)
	if err := buf.Write(func(string, func(w io.Writer, m map[string]string) error) error { return nil }); err != nil {
		t.Fatal(err)
	}
	buf.(CommittedBuffer).Committed()
	if _, err := os.Stat(ckpt); !os.IsNotExist(err) {
		t.Errorf("the checkpoint of a committed run is still there: %v", err)
	}
}

// TestTrainingConnectivityFile: outputs.connectivity writes a trained run's synapses with the
// trained weights (the last checkpoint's, bit for bit) and the drawn synapses and delays; the
// file runs as network.connectivity, and a network compiled from it gives the trained run's
// measured trial at the same seed. An untrained run's file has no weights (the point's weights apply).
func TestTrainingConnectivityFile(t *testing.T) {
	text := trainingDef + "[outputs]\nconnectivity = true\n"
	dir := t.TempDir()
	o, id, err := trainingRun(t, text, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(connectivityPath(dir, id))
	if err != nil {
		t.Fatal(err)
	}
	got, err := sim.ReadConnectivity(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	def, _ := sweep.Parse("t.toml", text)
	m, _ := def.Base.Model()
	cfg := NetworkConfig(&m)
	drawn, err := sim.NewConnectivity(cfg, o.Row.Seed)
	if err != nil {
		t.Fatal(err)
	}
	c, _, ok := readCheckpoint(checkpointPath(dir, id), drawn)
	if !ok || c.Next != 40 {
		t.Fatalf("no final checkpoint (ok %v, next %d)", ok, c.Next)
	}
	for q := sim.EE; q <= sim.II; q++ {
		if !reflect.DeepEqual(got.Pre[q], drawn.Pre[q]) || !reflect.DeepEqual(got.Post[q], drawn.Post[q]) || !reflect.DeepEqual(got.DelaySteps[q], drawn.DelaySteps[q]) {
			t.Fatalf("%v: the file's synapses are not the drawn ones", q)
		}
		if len(got.WeightAmp[q]) != len(c.WeightPA[q]) {
			t.Fatalf("%v: %d weights, want %d", q, len(got.WeightAmp[q]), len(c.WeightPA[q]))
		}
		for k, w := range got.WeightAmp[q] {
			if w != c.WeightPA[q][k]*1e-12 {
				t.Fatalf("%v synapse %d: %g A, trained %g pA", q, k, w, c.WeightPA[q][k])
			}
		}
	}
	net, err := sim.NewNetwork(cfg, got)
	if err != nil {
		t.Fatal(err)
	}
	var sc sim.NetworkScratch
	var res sim.NetworkResult
	if err := net.Run(o.Row.Seed, &sc, &res); err != nil {
		t.Fatal(err)
	}
	var nE, nI int64
	nExc, _ := cfg.Sizes()
	for _, u := range res.SpikeUnits {
		if int(u) < nExc {
			nE++
		} else {
			nI++
		}
	}
	if nE != o.Row.NSpikesE || nI != o.Row.NSpikesI || res.MeanSEOntoE*1e12 != o.Row.ExcCurrentEPA {
		t.Errorf("the file's network: %d/%d spikes, s_E onto E %g pA; the trained run's %d/%d, %g pA", nE, nI, res.MeanSEOntoE*1e12, o.Row.NSpikesE, o.Row.NSpikesI, o.Row.ExcCurrentEPA)
	}
	next, _, err := trainingRun(t, strings.Replace(text, "\"train.trials\" = 40", "\"network.connectivity\" = \""+connectivityPath(dir, id)+"\"", 1), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if next.Row.NSynapses != o.Row.NSynapses || next.Row.Status != StatusOK || len(next.Training) != 0 {
		t.Errorf("the run of the file: %d synapses, status %s, %d trainings", next.Row.NSynapses, next.Row.Status, len(next.Training))
	}
	untrained := strings.Replace(text, "\"train.trials\" = 40", "\"train.trials\" = 0", 1)
	_, id0, err := trainingRun(t, untrained, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err = os.Open(connectivityPath(dir, id0))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if c0, err := sim.ReadConnectivity(f); err != nil {
		t.Fatal(err)
	} else if c0.WeightAmp[sim.EE] != nil {
		t.Errorf("an untrained run's file has per-synapse weights")
	}
}

// TestTrainingFraction: a training worker's Fraction rises through a run (trials done of the
// trials and the measured one) and is 0 once the run returns.
func TestTrainingFraction(t *testing.T) {
	def, err := sweep.Parse("t.toml", trainingDef)
	if err != nil {
		t.Fatal(err)
	}
	w := Network.NewSession(def, nil).NewWorker()
	pw := w.(ProgressWorker)
	done := make(chan error)
	go func() {
		for r := range def.AllRuns() {
			_, err := w.Run(r)
			done <- err
		}
	}()
	var seen []float64
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			if f := pw.Fraction(); f != 0 {
				t.Errorf("Fraction %g after the run, want 0", f)
			}
			if len(seen) < 2 || !slices.IsSorted(seen) || seen[len(seen)-1] > 40.0/41 {
				t.Errorf("Fractions seen during the run: %v, want at least two, rising, at most 40/41", seen)
			}
			return
		default:
		}
		if f := pw.Fraction(); f > 0 && (len(seen) == 0 || f != seen[len(seen)-1]) {
			seen = append(seen, f)
		}
		time.Sleep(50 * time.Microsecond)
	}
}
