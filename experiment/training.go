package experiment

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
	"github.com/eisweep/eisweep/train"
)

// TrainingRow is the summary of one network run's training (train.trials > 0): a row of its
// training/ table.
type TrainingRow struct {
	RunID          sweep.RunID
	Rule           string
	Trials         int64   // train.trials
	TrialsRun      int64   // trials trained: Trials, or fewer if a trial ran away or was silent
	Stop           string  // why it stopped early: "" (it did not), "runaway" or "silent"
	Converged      bool    // the averages stayed within converge_tol of both set points for converge_window trials
	ConvergedTrial int64   // the first trial of the first such window; −1 if none
	AvgEHz, AvgIHz float64 // the moving averages at the end
	WeightPA       [4]float64
	Mult           [4]float64 // WeightPA over the pathway's weight at multiplier 1
}

// TrajectoryRow is one trial of a training: a row of its trajectory/ table.
type TrajectoryRow struct {
	RunID sweep.RunID
	train.Trial
}

// TrainingColumns is the training table's schema.
var TrainingColumns = func() []table.Column[TrainingRow] {
	cs := []table.Column[TrainingRow]{
		table.String("run_id", "the run; joins runs.run_id", func(r *TrainingRow) string { return r.RunID.String() }),
		table.String("rule", "train.rule", func(r *TrainingRow) string { return r.Rule }),
		table.Int("trials", "train.trials: the trials of training asked for", func(r *TrainingRow) int64 { return r.Trials }),
		table.Int("trials_run", "the trials trained: trials, or fewer if one ran away or was silent", func(r *TrainingRow) int64 { return r.TrialsRun }),
		table.String("stop", `why the training stopped early: "" (it did not), "runaway" (a unit's v left its bounds) or "silent" (a trial without a spike)`, func(r *TrainingRow) string { return r.Stop }),
		table.Bool("converged", "whether both moving averages stayed within train.converge_tol of their set points for train.converge_window trials", func(r *TrainingRow) bool { return r.Converged }),
		table.IntOrNull("converged_trial", "the first trial (from 0) of the first such window; null if none", func(r *TrainingRow) (int64, bool) { return r.ConvergedTrial, r.ConvergedTrial >= 0 }),
		table.Float("avg_e_hz", "the E population's moving average of the Up-state rate at the end (Hz)", func(r *TrainingRow) float64 { return r.AvgEHz }),
		table.Float("avg_i_hz", "the I population's moving average at the end (Hz)", func(r *TrainingRow) float64 { return r.AvgIHz }),
	}
	for q := sim.EE; q <= sim.II; q++ {
		n := strings.ToLower(q.String())
		cs = append(cs, table.Float("w_"+n+"_pa", "the trained mean weight of "+q.String()+" synapses (pA)", func(r *TrainingRow) float64 { return r.WeightPA[q] }))
	}
	for q := sim.EE; q <= sim.II; q++ {
		n := strings.ToLower(q.String())
		cs = append(cs, table.Float("mult_"+n, "w_"+n+"_pa over the "+q.String()+" weight at multiplier 1 (weights.mult_"+n+" = 1): the trained multiplier", func(r *TrainingRow) float64 { return r.Mult[q] }))
	}
	return cs
}()

// TrajectoryColumns is the trajectory table's schema.
var TrajectoryColumns = func() []table.Column[TrajectoryRow] {
	cs := []table.Column[TrajectoryRow]{
		table.String("run_id", "the run; joins runs.run_id", func(r *TrajectoryRow) string { return r.RunID.String() }),
		table.Int("trial", "the trial, from 0", func(r *TrajectoryRow) int64 { return int64(r.Index) }),
		table.Int("up_count", "the trial's Up states", func(r *TrajectoryRow) int64 { return int64(r.Ups) }),
		table.Float("up_duration_s", "their mean duration; without one, the event's (s)", func(r *TrajectoryRow) float64 { return r.UpDurationSec }),
		table.Float("rate_up_e_hz", "the trial's E Up-state rate (Hz), as the runs table's", func(r *TrajectoryRow) float64 { return r.UpRateEHz }),
		table.Float("rate_up_i_hz", "the trial's I Up-state rate (Hz)", func(r *TrajectoryRow) float64 { return r.UpRateIHz }),
		table.Float("avg_e_hz", "the E moving average after the trial (Hz)", func(r *TrajectoryRow) float64 { return r.AvgEHz }),
		table.Float("avg_i_hz", "the I moving average after the trial (Hz)", func(r *TrajectoryRow) float64 { return r.AvgIHz }),
	}
	for q := sim.EE; q <= sim.II; q++ {
		n := strings.ToLower(q.String())
		cs = append(cs, table.Float("w_"+n+"_pa", "the mean "+q.String()+" weight after the trial's update (pA)", func(r *TrajectoryRow) float64 { return r.MeanWPA[q] }))
	}
	for q := sim.EE; q <= sim.II; q++ {
		n := strings.ToLower(q.String())
		cs = append(cs, table.Float("dw_"+n+"_pa", "the mean |ΔW| of the trial's update of "+q.String()+" synapses, before the clip (pA)", func(r *TrajectoryRow) float64 { return r.MeanAbsDeltaPA[q] }))
	}
	return cs
}()

// trainParams returns the training parameters of model m.
func trainParams(m *sweep.Model) (train.Params, error) {
	t := &m.Train
	rule, err := train.ParseRule(t.Rule)
	if err != nil {
		return train.Params{}, err
	}
	p := train.Params{Rule: rule, Alpha: t.Alpha, TauTrials: t.TauTrials, SetExcHz: t.SetExcHz, SetInhHz: t.SetInhHz, FloorHz: t.FloorHz,
		WMinPA: t.WMinAmp * 1e12, WMaxPA: t.WMaxAmp * 1e12}
	return p, p.Validate()
}

// initialWeights returns a training's initial weights (pA per synapse).
func initialWeights(m *sweep.Model, cfg sim.NetworkConfig, conn *sim.Connectivity, seed uint64) [4][]float64 {
	if m.Train.Init == "paper" {
		return train.PaperWeights(conn, cfg.NUnits, cfg.PropConnect, seed)
	}
	var w [4][]float64
	for q := sim.EE; q <= sim.II; q++ {
		w[q] = make([]float64, conn.Synapses(q))
		for k := range w[q] {
			a := cfg.W.Amp(q)
			if conn.WeightAmp[q] != nil {
				a = conn.WeightAmp[q][k]
			}
			w[q][k] = a * 1e12
		}
	}
	return w
}

// convergence returns the first trial of the first window of win trials whose averages all lie
// within tol of both set points, or −1.
func convergence(traj []TrajectoryRow, setE, setI, tol float64, win int) int64 {
	run := 0
	for k, t := range traj {
		if math.Abs(t.AvgEHz-setE) <= tol*setE && math.Abs(t.AvgIHz-setI) <= tol*setI {
			run++
			if run == win {
				return int64(k - win + 1)
			}
		} else {
			run = 0
		}
	}
	return -1
}

// trainNetwork trains net (compiled from conn) as m asks and leaves it with the trained weights,
// which it also returns (A per synapse, in conn's synapse order). It resumes from and writes
// checkpoints in the session's folder (none without one). A trial that runs away or is silent
// ends the training early (row.Stop); sim.ErrStopped and other errors are returned.
func (w *networkWorker) trainNetwork(id sweep.RunID, m *sweep.Model, cfg sim.NetworkConfig, conn *sim.Connectivity, net *sim.Network, seed uint64) (TrainingRow, []TrajectoryRow, [4][]float64, error) {
	row := TrainingRow{RunID: id, Rule: m.Train.Rule, Trials: int64(m.Train.Trials), ConvergedTrial: -1}
	var wa [4][]float64
	p, err := trainParams(m)
	if err != nil {
		return row, nil, wa, err
	}
	w0 := initialWeights(m, cfg, conn, seed)
	s, err := train.NewSession(net, conn, p, UpParams(m), &w0, seed)
	if err != nil {
		return row, nil, wa, err
	}
	sc, res := s.Scratch()
	sc.NoiseAhead, res.Stop = w.scratch.NoiseAhead, w.res.Stop
	var traj []TrajectoryRow
	ckpt := ""
	if dir := w.s.folder; dir != "" {
		ckpt = checkpointPath(dir, id)
		if c, t, ok := readCheckpoint(ckpt, conn); ok {
			if err := s.Restore(c); err == nil {
				traj = t
			}
		}
	}
	for k := range traj {
		traj[k].RunID = id
	}
	for s.Next() < m.Train.Trials {
		t, err := s.Step()
		if errors.Is(err, sim.ErrNumerical) {
			row.Stop = "runaway"
			break
		}
		if errors.Is(err, train.ErrSilent) {
			row.Stop = "silent"
			break
		}
		if err != nil {
			return row, nil, wa, err
		}
		traj = append(traj, TrajectoryRow{RunID: id, Trial: t})
		w.frac.Store(math.Float64bits(float64(s.Next()) / float64(m.Train.Trials+1)))
		if ckpt != "" && (s.Next()%m.Train.CheckpointEvery == 0 || s.Next() == m.Train.Trials) {
			if err := writeCheckpoint(w.s.folder, id, s.Checkpoint(), traj); err != nil {
				return row, nil, wa, err
			}
		}
	}
	row.TrialsRun = int64(s.Next())
	c := s.Checkpoint()
	row.AvgEHz, row.AvgIHz = c.Averages.ExcHz, c.Averages.InhHz
	for q := sim.EE; q <= sim.II; q++ {
		wa[q] = make([]float64, len(c.WeightPA[q]))
		for k, x := range c.WeightPA[q] {
			wa[q][k] = x * 1e-12
		}
		if len(c.WeightPA[q]) > 0 {
			row.WeightPA[q] = analysis.MeanNumpy(c.WeightPA[q]) // as train.Trial's
		}
		if unit := cfg.W.Amp(q) / m.Mult[q]; unit != 0 && !math.IsInf(unit, 0) {
			row.Mult[q] = row.WeightPA[q] / (unit * 1e12)
		}
	}
	row.ConvergedTrial = convergence(traj, p.SetExcHz, p.SetInhHz, m.Train.ConvergeTol, m.Train.ConvergeWindow)
	row.Converged = row.ConvergedTrial >= 0
	return row, traj, wa, net.SetWeights(&wa)
}

// checkpointPath is the checkpoint file of run id in the output folder dir.
func checkpointPath(dir string, id sweep.RunID) string {
	return filepath.Join(dir, store.CheckpointDir, checkpointName(id))
}

// checkpointName is the checkpoint file's name in store.CheckpointDir.
func checkpointName(id sweep.RunID) string { return id.String() + ".ckpt" }

// The checkpoint file: ckptMagic, then little-endian words: the four pathways' synapse counts,
// n_E, n_I, the next trial, the averages' trial count, the two population averages, the per-unit
// averages (n_E, then n_I), every weight (pA, by pathway), the trajectory's length and rows
// (trial, Ups as float64s, then the row's 16 numbers), and last the SHA-256 of everything before.
const ckptMagic = "eisweep training checkpoint 1\n"

// writeCheckpoint writes run id's checkpoint in the output folder dir.
func writeCheckpoint(dir string, id sweep.RunID, c train.Checkpoint, traj []TrajectoryRow) error {
	var b bytes.Buffer
	b.WriteString(ckptMagic)
	u := func(x uint64) { binary.Write(&b, binary.LittleEndian, x) }
	f := func(x float64) { binary.Write(&b, binary.LittleEndian, math.Float64bits(x)) }
	for q := range c.WeightPA {
		u(uint64(len(c.WeightPA[q])))
	}
	u(uint64(len(c.Averages.ExcUnitsHz)))
	u(uint64(len(c.Averages.InhUnitsHz)))
	u(uint64(c.Next))
	u(uint64(c.Averages.Trials))
	f(c.Averages.ExcHz)
	f(c.Averages.InhHz)
	for _, x := range c.Averages.ExcUnitsHz {
		f(x)
	}
	for _, x := range c.Averages.InhUnitsHz {
		f(x)
	}
	for q := range c.WeightPA {
		for _, x := range c.WeightPA[q] {
			f(x)
		}
	}
	u(uint64(len(traj)))
	for _, t := range traj {
		u(uint64(t.Index))
		u(uint64(t.Ups))
		for _, x := range trialNumbers(&t.Trial) {
			f(*x)
		}
	}
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:])
	err := store.WriteRunFile(dir, store.CheckpointDir, checkpointName(id), func(w io.Writer) error { _, err := w.Write(b.Bytes()); return err })
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// connectivityPath is the connectivity file (outputs.connectivity) of run id in the output
// folder dir.
func connectivityPath(dir string, id sweep.RunID) string {
	return filepath.Join(dir, store.ConnectivityDir, id.String()+".csv.gz")
}

// writeConnectivity writes c as run id's connectivity file in the output folder dir: the CSV
// network.connectivity reads, gzipped.
func writeConnectivity(dir string, id sweep.RunID, c *sim.Connectivity) error {
	err := store.WriteRunFile(dir, store.ConnectivityDir, id.String()+".csv.gz", func(w io.Writer) error {
		zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
		if err != nil {
			return err
		}
		if err := c.WriteCSV(zw); err != nil {
			return err
		}
		return zw.Close()
	})
	if err != nil {
		return fmt.Errorf("outputs.connectivity: %w", err)
	}
	return nil
}

// trialNumbers are a trial's float fields, in the checkpoint's order.
func trialNumbers(t *train.Trial) []*float64 {
	return []*float64{&t.UpDurationSec, &t.UpRateEHz, &t.UpRateIHz, &t.AvgEHz, &t.AvgIHz,
		&t.MeanWPA[0], &t.MeanWPA[1], &t.MeanWPA[2], &t.MeanWPA[3],
		&t.MeanAbsDeltaPA[0], &t.MeanAbsDeltaPA[1], &t.MeanAbsDeltaPA[2], &t.MeanAbsDeltaPA[3]}
}

// readCheckpoint reads the checkpoint at path if there is one, it is intact (its hash) and it is
// a checkpoint of conn's network; otherwise ok is false and the training starts over.
func readCheckpoint(path string, conn *sim.Connectivity) (c train.Checkpoint, traj []TrajectoryRow, ok bool) {
	data, err := os.ReadFile(path)
	if err != nil || len(data) < len(ckptMagic)+32 || string(data[:len(ckptMagic)]) != ckptMagic {
		return c, nil, false
	}
	body, sum := data[:len(data)-32], data[len(data)-32:]
	if h := sha256.Sum256(body); !bytes.Equal(h[:], sum) {
		return c, nil, false
	}
	r := bytes.NewReader(body[len(ckptMagic):])
	bad := false
	u := func() uint64 {
		var x uint64
		if binary.Read(r, binary.LittleEndian, &x) != nil {
			bad = true
		}
		return x
	}
	f := func() float64 { return math.Float64frombits(u()) }
	var counts [4]uint64
	for q := range counts {
		counts[q] = u()
		if counts[q] != uint64(conn.Synapses(sim.Pathway(q))) {
			return c, nil, false
		}
	}
	nE, nI := u(), u()
	if nE > uint64(conn.NExc) || nI > uint64(conn.NInh) {
		return c, nil, false
	}
	c.Next, c.Averages.Trials = int(u()), int(u())
	c.Averages.ExcHz, c.Averages.InhHz = f(), f()
	c.Averages.ExcUnitsHz, c.Averages.InhUnitsHz = make([]float64, nE), make([]float64, nI)
	for i := range c.Averages.ExcUnitsHz {
		c.Averages.ExcUnitsHz[i] = f()
	}
	for i := range c.Averages.InhUnitsHz {
		c.Averages.InhUnitsHz[i] = f()
	}
	for q := range c.WeightPA {
		c.WeightPA[q] = make([]float64, counts[q])
		for k := range c.WeightPA[q] {
			c.WeightPA[q][k] = f()
		}
	}
	n := u()
	if bad || n != uint64(c.Next) {
		return c, nil, false
	}
	traj = make([]TrajectoryRow, n)
	for k := range traj {
		t := &traj[k].Trial
		t.Index, t.Ups = int(u()), int(u())
		for _, x := range trialNumbers(t) {
			*x = f()
		}
	}
	if bad || r.Len() != 0 {
		return c, nil, false
	}
	return c, traj, true
}
