package experiment

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// Network is the recurrent Up-state network (docs/MODEL.md §8): one trial of N units, kicked into
// an Up state, measured. Its folders hold runs/ and, as outputs ask, unit_rates/, psth/ and
// raster/, all keyed by run_id.
var Network Kind = networkKind{}

func init() { register(Network) }

type networkKind struct{}

// NetworkTables are the network experiment's tables: runs/ and its companions unit_rates/
// (outputs.unit_rates), psth/ (outputs.psth), raster/ (outputs.raster), and for runs that train
// (train.trials > 0) training/ and trajectory/.
var NetworkTables = []store.Table{{Name: "runs", Key: "run_id"}, {Name: "unit_rates", Key: "run_id"}, {Name: "psth", Key: "run_id"}, {Name: "raster", Key: "run_id"},
	{Name: "training", Key: "run_id"}, {Name: "trajectory", Key: "run_id"}}

// networkSummaryMetrics are the network runs columns that summary.parquet summarises per group.
var networkSummaryMetrics = []string{
	"up_count", "up_onset_s", "up_duration_s", "up_fraction",
	"rate_up_e_hz", "rate_up_i_hz", "rate_down_e_hz", "rate_down_i_hz", "rate_e_hz", "rate_i_hz",
	"exc_current_e_pa", "inh_current_e_pa", "exc_current_i_pa", "inh_current_i_pa",
	"setpoint_err_e_hz", "setpoint_err_i_hz",
}

// NetworkSetPoints are the set points the network was trained to (docs/MODEL.md §9): the Up
// state rates of E and I units (Hz) that setpoint_err_*_hz measure against.
var NetworkSetPoints = [2]float64{5, 14}

func (networkKind) Name() sweep.Experiment   { return sweep.ExperimentNetwork }
func (networkKind) Tables() []store.Table    { return slices.Clone(NetworkTables) }
func (networkKind) SummaryMetrics() []string { return slices.Clone(networkSummaryMetrics) }

func (networkKind) Schemas() []TableSchema {
	return []TableSchema{
		{"runs", "one row per trial: identity, every parameter of the network experiment, weights, Up states and rates", table.Docs(NetworkColumns)},
		{"unit_rates", "one row per unit per trial: its rates in and outside the Up states (outputs.unit_rates)", table.Docs(UnitRateColumns)},
		{"psth", "one row per bin per trial: the population rates, and whether the bin lies in an Up state (outputs.psth)", table.Docs(PSTHColumns)},
		{"raster", "one row per spike of network.raster_units units of each population, evenly spaced over it (outputs.raster)", table.Docs(RasterColumns)},
		{"training", "one row per run that trains (train.trials > 0): how the training went and the trained weights; the runs row measures a trial at those weights", table.Docs(TrainingColumns)},
		{"trajectory", "one row per training trial of a run that trains: its Up states, the moving averages and the mean weights after its update", table.Docs(TrajectoryColumns)},
	}
}

// NetworkRow is the result of one network trial: a row of its runs/ table.
type NetworkRow struct {
	RunID     sweep.RunID
	CellID    sweep.CellID
	Replicate int
	Seed      uint64
	Status    Status
	Error     string

	Point sweep.Point
	Model sweep.Model

	NExc, NInh, NSynapses int64
	NSpikesE, NSpikesI    int64
	UpCount               int64
	UpOnsetSec            float64 // start of the first Up state; NaN without one
	UpDurationSec         float64 // mean duration of the Up states; NaN without one
	UpFraction            float64 // fraction of the trial in Up states
	RateUpEHz, RateUpIHz  float64 // Up-state rates (docs/MODEL.md §8)
	RateDownEHz           float64 // rates outside the Up states
	RateDownIHz           float64
	ExcCurrentEPA         float64 // mean s_E onto E units over units and steps (pA)
	InhCurrentEPA         float64
	ExcCurrentIPA         float64
	InhCurrentIPA         float64
	RunMs                 float64
}

// NetworkOutput is one trial's rows.
type NetworkOutput struct {
	Row        NetworkRow
	Ups        []analysis.UpState // the trial's Up states
	UnitRates  []UnitRateRow
	PSTH       []PSTHRow
	Raster     []RasterRow
	Training   []TrainingRow // one row when the run trained
	Trajectory []TrajectoryRow
}

// Status returns the trial's outcome.
func (o NetworkOutput) Status() Status { return o.Row.Status }

// UnitRateRow is one unit's rates in one trial (outputs.unit_rates).
type UnitRateRow struct {
	RunID    sweep.RunID
	Unit     int32  // index within its population
	Pop      string // "E" or "I"
	Spikes   int64
	RateUpHz float64 // spikes inside the Ups / their duration (NaN without Ups)
	RateHz   float64 // spikes / trial duration
}

// PSTHRow is one bin of one trial's population rates (outputs.psth).
type PSTHRow struct {
	RunID            sweep.RunID
	Bin              int64
	TStartS          float64
	RateEHz, RateIHz float64
	Up               bool
}

// RasterRow is one spike (outputs.raster).
type RasterRow struct {
	RunID sweep.RunID
	Pop   string
	Unit  int32 // index within the population
	Rank  int32 // rank among the population's raster units
	TS    float64
}

func nf(name, doc string, get func(*NetworkRow) float64) table.Column[NetworkRow] {
	return table.FloatOrNull(name, doc, func(r *NetworkRow) float64 {
		if r.Status != StatusOK {
			return math.NaN()
		}
		return get(r)
	})
}

// NetworkColumns is the network experiment's runs table schema: identity, every parameter of
// the network experiment (display units), weights, then the trial's measurements.
var NetworkColumns = buildNetworkColumns()

func buildNetworkColumns() []table.Column[NetworkRow] {
	cs := []table.Column[NetworkRow]{
		table.String("run_id", "identity of the run: hash of its parameter values and replicate", func(r *NetworkRow) string { return r.RunID.String() }),
		table.String("cell_id", "identity of the run's grid cell: hash of its parameter values (runs of one cell differ only in replicate)", func(r *NetworkRow) string { return r.CellID.String() }),
		table.Int("replicate", "replicate number within its grid point, from 0", func(r *NetworkRow) int64 { return int64(r.Replicate) }),
		table.Int("seed", "random seed of the trial (connectivity, delays, noise), derived from the sweep's seed and run_id", func(r *NetworkRow) int64 { return int64(r.Seed) }),
		table.String("status", `"ok", or "failed" when the trial failed numerically (measurements are then null)`, func(r *NetworkRow) string { return string(r.Status) }),
		table.StringOrNull("error", "why the trial failed; null when status is ok", func(r *NetworkRow) string { return r.Error }),
	}
	cs = append(cs, PointColumns(sweep.ExperimentNetwork, func(r *NetworkRow) sweep.Point { return r.Point })...)
	cs = append(cs,
		table.Float("w_ee_pa", "weight of each E→E synapse, w_EE = J_EE/n_inc_exc·τ_m,E[ms]·mult_ee (pA)", func(r *NetworkRow) float64 { return r.Model.Sim.W.EEAmp * 1e12 }),
		table.Float("w_ie_pa", "weight of each E→I synapse, w_IE (pA)", func(r *NetworkRow) float64 { return r.Model.Sim.W.IEAmp * 1e12 }),
		table.Float("w_ei_pa", "weight of each I→E synapse, w_EI (pA)", func(r *NetworkRow) float64 { return r.Model.Sim.W.EIAmp * 1e12 }),
		table.Float("w_ii_pa", "weight of each I→I synapse, w_II (pA)", func(r *NetworkRow) float64 { return r.Model.Sim.W.IIAmp * 1e12 }),
		table.Int("n_exc", "E units: net.n_units − int(net.prop_inh·net.n_units)", func(r *NetworkRow) int64 { return r.NExc }),
		table.Int("n_inh", "I units: int(net.prop_inh·net.n_units)", func(r *NetworkRow) int64 { return r.NInh }),
		table.Int("n_synapses", "synapses of the four pathways together", func(r *NetworkRow) int64 { return r.NSynapses }),
		table.Int("n_spikes_e", "spikes of all E units in the trial", func(r *NetworkRow) int64 { return r.NSpikesE }),
		table.Int("n_spikes_i", "spikes of all I units in the trial", func(r *NetworkRow) int64 { return r.NSpikesI }),
		table.IntOrNull("up_count", "Up states detected on the I population's rate (docs/MODEL.md §8)", func(r *NetworkRow) (int64, bool) { return r.UpCount, r.Status == StatusOK }),
		nf("up_onset_s", "start of the first Up state (s); null without one", func(r *NetworkRow) float64 { return r.UpOnsetSec }),
		nf("up_duration_s", "mean duration of the Up states (s); null without one", func(r *NetworkRow) float64 { return r.UpDurationSec }),
		nf("up_fraction", "fraction of the trial spent in Up states", func(r *NetworkRow) float64 { return r.UpFraction }),
		nf("rate_up_e_hz", "mean rate of the E units inside the Up states: spikes strictly inside them / their duration / n_exc, the mean over Ups (Hz); without an Up, over the event duration (docs/MODEL.md §8)", func(r *NetworkRow) float64 { return r.RateUpEHz }),
		nf("rate_up_i_hz", "mean rate of the I units inside the Up states (Hz), as rate_up_e_hz", func(r *NetworkRow) float64 { return r.RateUpIHz }),
		nf("rate_down_e_hz", "mean rate of the E units outside the Up states (Hz); null when the Ups fill the trial", func(r *NetworkRow) float64 { return r.RateDownEHz }),
		nf("rate_down_i_hz", "mean rate of the I units outside the Up states (Hz)", func(r *NetworkRow) float64 { return r.RateDownIHz }),
		nf("rate_e_hz", "mean rate of the E units over the whole trial: spikes / n_exc / duration (Hz)", func(r *NetworkRow) float64 { return float64(r.NSpikesE) / float64(r.NExc) / r.Model.Trial.DurationSec }),
		nf("rate_i_hz", "mean rate of the I units over the whole trial (Hz)", func(r *NetworkRow) float64 { return float64(r.NSpikesI) / float64(r.NInh) / r.Model.Trial.DurationSec }),
		nf("exc_current_e_pa", "mean excitatory synaptic current s_E onto the E units, over units and steps of the trial, Ē (pA)", func(r *NetworkRow) float64 { return r.ExcCurrentEPA }),
		nf("inh_current_e_pa", "mean inhibitory synaptic current s_I onto the E units, Ī (pA)", func(r *NetworkRow) float64 { return r.InhCurrentEPA }),
		nf("exc_current_i_pa", "mean excitatory synaptic current s_E onto the I units (pA)", func(r *NetworkRow) float64 { return r.ExcCurrentIPA }),
		nf("inh_current_i_pa", "mean inhibitory synaptic current s_I onto the I units (pA)", func(r *NetworkRow) float64 { return r.InhCurrentIPA }),
		nf("setpoint_err_e_hz", "rate_up_e_hz minus the E set point, 5 Hz (Hz)", func(r *NetworkRow) float64 { return r.RateUpEHz - NetworkSetPoints[0] }),
		nf("setpoint_err_i_hz", "rate_up_i_hz minus the I set point, 14 Hz (Hz)", func(r *NetworkRow) float64 { return r.RateUpIHz - NetworkSetPoints[1] }),
		table.Float("run_ms", "wall time of the run: its connectivity, its training if it trains, and its trial (ms); the only column that depends on the machine", func(r *NetworkRow) float64 { return r.RunMs }),
	)
	return cs
}

// UnitRateColumns is the unit_rates table's schema.
var UnitRateColumns = []table.Column[UnitRateRow]{
	table.String("run_id", "the trial; joins runs.run_id", func(r *UnitRateRow) string { return r.RunID.String() }),
	table.String("pop", `the unit's population: "E" or "I"`, func(r *UnitRateRow) string { return r.Pop }),
	table.Int("unit", "the unit's index within its population, from 0 (the kicked E units are the first)", func(r *UnitRateRow) int64 { return int64(r.Unit) }),
	table.Int("n_spikes", "the unit's spikes in the trial", func(r *UnitRateRow) int64 { return r.Spikes }),
	table.FloatOrNull("rate_up_hz", "the unit's rate inside the Up states, the mean over Ups (Hz); null without an Up", func(r *UnitRateRow) float64 { return r.RateUpHz }),
	table.Float("rate_hz", "the unit's rate over the whole trial (Hz)", func(r *UnitRateRow) float64 { return r.RateHz }),
}

// PSTHColumns is the psth table's schema.
var PSTHColumns = []table.Column[PSTHRow]{
	table.String("run_id", "the trial; joins runs.run_id", func(r *PSTHRow) string { return r.RunID.String() }),
	table.Int("bin", "bin number, from 0", func(r *PSTHRow) int64 { return r.Bin }),
	table.Float("t_start_s", "start of the bin: bin·network.bin (s)", func(r *PSTHRow) float64 { return r.TStartS }),
	table.Float("rate_e_hz", "E population rate in the bin: spikes / network.bin / n_exc (Hz)", func(r *PSTHRow) float64 { return r.RateEHz }),
	table.Float("rate_i_hz", "I population rate in the bin (Hz)", func(r *PSTHRow) float64 { return r.RateIHz }),
	table.Bool("up", "whether the bin's start lies inside a detected Up state", func(r *PSTHRow) bool { return r.Up }),
}

// RasterColumns is the raster table's schema.
var RasterColumns = []table.Column[RasterRow]{
	table.String("run_id", "the trial; joins runs.run_id", func(r *RasterRow) string { return r.RunID.String() }),
	table.String("pop", `the spiking unit's population: "E" or "I"`, func(r *RasterRow) string { return r.Pop }),
	table.Int("unit", "the unit's index within its population", func(r *RasterRow) int64 { return int64(r.Unit) }),
	table.Int("rank", "the unit's rank among its population's raster units, from 0: network.raster_units units evenly spaced over the population (unit ⌊rank·n/k⌋)", func(r *RasterRow) int64 { return int64(r.Rank) }),
	table.Float("t_s", "spike time: step·dt (s)", func(r *RasterRow) float64 { return r.TS }),
}

func (networkKind) NewSession(def *sweep.Definition, _ func(string, uint64) bool) Session {
	return &networkSession{def: def, conns: map[string]*connEntry{}}
}

type networkSession struct {
	def     *sweep.Definition
	folder  string // the output folder, for trainings' checkpoints ("" for none)
	mu      sync.Mutex
	conns   map[string]*connEntry // loaded connectivity files, by path
	workers atomic.Int32          // workers made so far
}

type connEntry struct {
	once sync.Once
	c    *sim.Connectivity
	err  error
}

// connectivity loads a connectivity file once per session.
func (s *networkSession) connectivity(name string) (*sim.Connectivity, error) {
	path := name
	if !filepath.IsAbs(path) && s.def.FilesDir != "" {
		path = filepath.Join(s.def.FilesDir, path)
	}
	s.mu.Lock()
	e := s.conns[path]
	if e == nil {
		e = &connEntry{}
		s.conns[path] = e
	}
	s.mu.Unlock()
	e.once.Do(func() {
		f, err := os.Open(path)
		if err != nil {
			e.err = fmt.Errorf("network.connectivity: %w", err)
			return
		}
		defer f.Close()
		e.c, e.err = sim.ReadConnectivity(f)
		if e.err != nil {
			e.err = fmt.Errorf("network.connectivity %s: %w", path, e.err)
		}
	})
	return e.c, e.err
}

// NewWorker returns a worker of the session. Workers draw a run's noise on a second core
// (sim.NetworkScratch.NoiseAhead) while there is one for each of them (GOMAXPROCS at least twice
// the workers made), as when a sweep runs with -j 1 on two cores: the same numbers, in about three
// quarters of the time.
func (s *networkSession) NewWorker() Worker {
	s.workers.Add(1)
	return &networkWorker{s: s}
}
func (s *networkSession) NewBuffer() Buffer { return &networkBuffer{s: s} }

// SetFolder tells the session its output folder: trainings keep their checkpoints there
// (checkpoints/<run_id>.ckpt) until their rows are committed.
func (s *networkSession) SetFolder(dir string) { s.folder = dir }

type networkWorker struct {
	s       *networkSession
	frac    atomic.Uint64 // the run in progress's Fraction, as float64 bits
	scratch sim.NetworkScratch
	res     sim.NetworkResult
	ups     analysis.NetworkUps
}

func (w *networkWorker) SetStop(stop *atomic.Bool) { w.res.Stop = stop }

// Fraction is the share of the run in progress done: of a training's trials and its measured
// trial, those finished (0 for a run that does not train, and between runs).
func (w *networkWorker) Fraction() float64 { return math.Float64frombits(w.frac.Load()) }

// NetworkConfig returns the simulator's configuration of model m (a network point's model).
func NetworkConfig(m *sweep.Model) sim.NetworkConfig {
	t := &m.Trial
	return sim.NetworkConfig{
		DtSec: m.Sim.DtSec, DurationSec: t.DurationSec,
		NUnits: m.Net.NUnits, PropConnect: m.Net.PropConnect, PropInh: m.Net.PropInh,
		Exc: m.Sim.Exc, Inh: m.Sim.Inh, Syn: m.Sim.Syn, W: m.Sim.W,
		NoiseSigmaVolt: t.NoiseSigmaVolt, DelayMaxExcSec: t.DelayMaxExcSec, DelayMaxInhSec: t.DelayMaxInhSec,
		KickTimeSec: t.KickTimeSec, KickFraction: t.KickFraction, KickAmp: t.KickAmp,
	}
}

// UpParams returns the Up-state detection settings of model m.
func UpParams(m *sweep.Model) analysis.UpParams {
	t := &m.Trial
	return analysis.UpParams{BinSec: t.BinSec, ThresholdHz: t.UpThresholdHz, MinDownSec: t.MinDownSec, MinUpSec: t.MinUpSec}
}

func (w *networkWorker) Run(r sweep.RunRef) (Output, error) {
	defer w.frac.Store(0)
	def, pt, id := w.s.def, r.Point, r.ID
	m, err := pt.Model()
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	cfg := NetworkConfig(&m)
	seed := sweep.RunSeed(def.Seed, id)
	out := NetworkOutput{Row: NetworkRow{RunID: id, CellID: pt.CellID(), Replicate: r.Replicate, Seed: seed, Status: StatusOK, Point: pt, Model: m}}
	row := &out.Row
	t0 := time.Now()
	var conn *sim.Connectivity
	if f := m.Trial.ConnectivityFile; f != "" {
		if conn, err = w.s.connectivity(f); err != nil {
			return nil, fmt.Errorf("run %s: %w", id, err)
		}
		if err := conn.Check(cfg); err != nil {
			return nil, fmt.Errorf("run %s: network.connectivity %s: %w", id, f, err)
		}
	} else if conn, err = sim.NewConnectivity(cfg, seed); err != nil {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	net, err := sim.NewNetwork(cfg, conn)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	nExc, nInh := cfg.Sizes()
	row.NExc, row.NInh = int64(nExc), int64(nInh)
	for p := range conn.Pre {
		row.NSynapses += int64(len(conn.Pre[p]))
	}
	w.scratch.NoiseAhead = runtime.GOMAXPROCS(0) >= 2*int(w.s.workers.Load())
	if m.Train.Trials > 0 {
		tr, traj, wa, err := w.trainNetwork(id, &m, cfg, conn, net, seed)
		if err != nil {
			if errors.Is(err, sim.ErrStopped) {
				return nil, err
			}
			return nil, fmt.Errorf("run %s: training: %w", id, err)
		}
		out.Training, out.Trajectory = []TrainingRow{tr}, traj
		trained := *conn
		trained.WeightAmp = wa
		conn = &trained
	}
	if def.Outputs.Connectivity && w.s.folder != "" {
		if err := writeConnectivity(w.s.folder, id, conn); err != nil {
			return nil, fmt.Errorf("run %s: %w", id, err)
		}
	}
	if err := net.Run(seed, &w.scratch, &w.res); err != nil {
		if errors.Is(err, sim.ErrStopped) {
			return nil, err
		}
		if !errors.Is(err, sim.ErrNumerical) {
			return nil, fmt.Errorf("run %s: %w", id, err)
		}
		row.Status, row.Error = StatusFailed, err.Error()
	}
	res := &w.res
	for _, u := range res.SpikeUnits {
		if int(u) < nExc {
			row.NSpikesE++
		} else {
			row.NSpikesI++
		}
	}
	row.ExcCurrentEPA, row.InhCurrentEPA = res.MeanSEOntoE*1e12, res.MeanSIOntoE*1e12
	row.ExcCurrentIPA, row.InhCurrentIPA = res.MeanSEOntoI*1e12, res.MeanSIOntoI*1e12
	up := &w.ups
	err = analysis.SummarizeUps(analysis.NetworkSpikes{Steps: res.SpikeSteps, Units: res.SpikeUnits, NExc: nExc, NInh: nInh,
		NKicked: net.KickedUnits(), DtSec: cfg.DtSec, DurationSec: cfg.DurationSec}, UpParams(&m), up)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	row.UpCount = int64(len(up.Ups))
	row.UpOnsetSec, row.UpDurationSec = up.FirstOnsetSec, math.NaN()
	var upTime float64
	for _, u := range up.Ups {
		upTime += u.DurationSec
	}
	if len(up.Ups) > 0 {
		row.UpDurationSec = up.MeanDurationSec
	}
	row.UpFraction = upTime / cfg.DurationSec
	row.RateUpEHz, row.RateUpIHz = up.UpRateEHz, up.UpRateIHz
	row.RateDownEHz, row.RateDownIHz = up.OutsideRateEHz, up.OutsideRateIHz
	out.Ups = slices.Clone(up.Ups)
	row.RunMs = float64(time.Since(t0).Microseconds()) / 1000
	o := &def.Outputs
	if o.UnitRates {
		spikes := make([]int64, nExc+nInh)
		for _, u := range res.SpikeUnits {
			spikes[u]++
		}
		out.UnitRates = make([]UnitRateRow, nExc+nInh)
		for i := range out.UnitRates {
			pop, k, rate := "E", int32(i), math.NaN()
			if i < nExc {
				if i < len(up.UpRateEUnitsHz) {
					rate = up.UpRateEUnitsHz[i]
				}
			} else {
				pop, k = "I", int32(i-nExc)
				if int(k) < len(up.UpRateIUnitsHz) {
					rate = up.UpRateIUnitsHz[k]
				}
			}
			out.UnitRates[i] = UnitRateRow{RunID: id, Unit: k, Pop: pop, Spikes: spikes[i], RateUpHz: rate, RateHz: float64(spikes[i]) / cfg.DurationSec}
		}
	}
	if o.PSTH {
		out.PSTH = make([]PSTHRow, len(up.RateEHistHz))
		for b := range out.PSTH {
			inUp := false
			for _, u := range up.Ups {
				if b >= u.StartBin && b < u.EndBin {
					inUp = true
				}
			}
			out.PSTH[b] = PSTHRow{RunID: id, Bin: int64(b), TStartS: float64(b) * m.Trial.BinSec, RateEHz: up.RateEHistHz[b], RateIHz: up.RateIHistHz[b], Up: inUp}
		}
	}
	if o.Raster {
		rank := RasterRanks(nExc, nInh, m.Trial.RasterUnits)
		for j, u := range res.SpikeUnits {
			pop, idx := "E", u
			if int(u) >= nExc {
				pop, idx = "I", u-int32(nExc)
			}
			if r := rank[u]; r >= 0 {
				out.Raster = append(out.Raster, RasterRow{RunID: id, Pop: pop, Unit: idx, Rank: r, TS: float64(res.SpikeSteps[j]) * cfg.DtSec})
			}
		}
	}
	return out, nil
}

// RasterRanks returns, for every unit of a network (E units first), its rank among the units the
// raster table holds, −1 for the others: k units of each population evenly spaced over it
// (unit ⌊r·n/k⌋ for rank r), so that the raster samples the whole population and not only the
// kicked units, which are the first E units.
func RasterRanks(nExc, nInh, k int) []int32 {
	rank := make([]int32, nExc+nInh)
	for i := range rank {
		rank[i] = -1
	}
	for _, p := range []struct{ off, n int }{{0, nExc}, {nExc, nInh}} {
		kk := min(k, p.n)
		for r := range kk {
			rank[p.off+r*p.n/kk] = int32(r)
		}
	}
	return rank
}

type networkBuffer struct {
	s        *networkSession
	runs     []NetworkRow
	units    []UnitRateRow
	psth     []PSTHRow
	raster   []RasterRow
	training []TrainingRow
	traj     []TrajectoryRow
	written  []sweep.RunID // the trainings of the last Write, whose checkpoints Committed removes
}

// networkFlushRows bounds the companion rows buffered before a batch is written.
const networkFlushRows = 2_000_000

func (b *networkBuffer) Add(o Output) {
	n := o.(NetworkOutput)
	b.runs = append(b.runs, n.Row)
	b.units = append(b.units, n.UnitRates...)
	b.psth = append(b.psth, n.PSTH...)
	b.raster = append(b.raster, n.Raster...)
	b.training = append(b.training, n.Training...)
	b.traj = append(b.traj, n.Trajectory...)
}

func (b *networkBuffer) Runs() int { return len(b.runs) }
func (b *networkBuffer) Full() bool {
	return len(b.units)+len(b.psth)+len(b.raster)+len(b.traj) >= networkFlushRows
}

func (b *networkBuffer) Write(write func(string, func(io.Writer, map[string]string) error) error) error {
	if err := writeTable(write, "unit_rates", UnitRateColumns, b.units); err != nil {
		return err
	}
	if err := writeTable(write, "psth", PSTHColumns, b.psth); err != nil {
		return err
	}
	if err := writeTable(write, "raster", RasterColumns, b.raster); err != nil {
		return err
	}
	if err := writeTable(write, "training", TrainingColumns, b.training); err != nil {
		return err
	}
	if err := writeTable(write, "trajectory", TrajectoryColumns, b.traj); err != nil {
		return err
	}
	if err := writeTable(write, "runs", NetworkColumns, b.runs); err != nil {
		return err
	}
	b.written = b.written[:0]
	for _, t := range b.training {
		b.written = append(b.written, t.RunID)
	}
	b.runs, b.units, b.psth, b.raster, b.training, b.traj = b.runs[:0], b.units[:0], b.psth[:0], b.raster[:0], b.training[:0], b.traj[:0]
	return nil
}

// Committed removes the checkpoints of the trainings whose rows the last Write wrote, once the
// engine has committed them.
func (b *networkBuffer) Committed() {
	if b.s.folder == "" {
		return
	}
	for _, id := range b.written {
		store.RemoveRunFile(b.s.folder, store.CheckpointDir, checkpointName(id)) // best effort: a leftover is only space, and it is replaced or unused
	}
	b.written = b.written[:0]
}
