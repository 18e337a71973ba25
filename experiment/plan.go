package experiment

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// Estimate is what a sweep will cost, extrapolated from a short calibration on this machine.
type Estimate struct {
	Samples       int     // runs simulated for the calibration
	RunMs         float64 // mean wall time of one run's simulation (ms)
	FIMs          float64 // wall time of one unit's f-I curve (ms)
	DistinctUnits int64   // f-I curves to compute (an upper bound when zips tie unit parameters)
	BytesPerRun   float64 // compressed Parquet bytes per run (runs/ row and traces/ rows)
	BytesPerPart  float64 // fixed bytes of a runs part file (footer, schema, metadata)
	FIBytes       float64 // compressed Parquet bytes of the fi/ table, when written
	FlushRows     int     // runs per part file
}

// Seconds returns the estimated wall time of the sweep with jobs workers.
func (e Estimate) Seconds(runs int64, jobs int) float64 {
	return (float64(runs)*e.RunMs + float64(e.DistinctUnits)*e.FIMs) / 1e3 / float64(max(jobs, 1))
}

// Bytes returns the estimated size of the sweep's output.
func (e Estimate) Bytes(runs int64) float64 {
	parts := (runs + int64(e.FlushRows) - 1) / int64(max(e.FlushRows, 1))
	return float64(runs)*e.BytesPerRun + float64(parts)*e.BytesPerPart + e.FIBytes
}

// Calibrate simulates up to samples runs spread over def's grid and one f-I curve, writes their
// rows to a temporary file, and extrapolates time and output size.
func Calibrate(def *sweep.Definition, samples int) (Estimate, error) {
	if def.Kind() != sweep.ExperimentUnit {
		return calibrateKind(def, samples)
	}
	runs := def.Runs()
	n := int(min(int64(samples), runs))
	est := Estimate{Samples: n, DistinctUnits: distinctUnits(def), FlushRows: 10_000}
	var w UnitWorker
	rows := make([]Row, 0, n)
	var traces []TraceRow
	var simTime time.Duration
	cache := NewFICache()
	var fiCurve *fiCurve
	refs := sampleRuns(def, n)
	for _, ref := range refs {
		m, err := ref.Point.Model()
		if err != nil {
			return est, err
		}
		if fiCurve == nil {
			// Time one unit's f-I test on its own; the runs below then find it cached.
			t0 := time.Now()
			if fiCurve, _, err = cache.get(fiKey{Unit: m.Sim.Exc, DtS: m.Sim.DtSec, FI: m.FI}, def.Outputs.FICurves, &w.fi); err != nil {
				return est, err
			}
			est.FIMs = float64(time.Since(t0).Microseconds()) / 1e3
		}
		// Every sample's curves before the runs are timed: their time is FIMs × DistinctUnits.
		for _, u := range []sim.Unit{m.Sim.Exc, m.Sim.Inh} {
			if _, _, err := cache.get(fiKey{Unit: u, DtS: m.Sim.DtSec, FI: m.FI}, def.Outputs.FICurves, &w.fi); err != nil {
				return est, err
			}
		}
	}
	// The runs as a sweep runs them: in lockstep groups where the simulation has them.
	lanes := 1
	if !def.Outputs.Traces {
		lanes = sim.BatchLanes()
	}
	var bw BatchWorker
	for j := 0; j < len(refs); j += lanes {
		group := refs[j:min(j+lanes, len(refs))]
		t0 := time.Now()
		if lanes > 1 {
			got, err := bw.RunBatch(def, group, cache, nil)
			simTime += time.Since(t0)
			if err != nil {
				return est, err
			}
			for _, r := range got {
				rows = append(rows, r.Row)
			}
			continue
		}
		res, err := w.Run(def, group[0], cache, nil)
		simTime += time.Since(t0)
		if err != nil {
			return est, err
		}
		rows = append(rows, res.Row)
		if j == 0 {
			traces = res.Traces // (traces are recorded only one at a time)
		}
	}
	est.RunMs = float64(simTime.Microseconds()) / 1e3 / float64(max(n, 1))
	dir, err := os.MkdirTemp("", "eisweep-plan-")
	if err != nil {
		return est, fmt.Errorf("calibration: %w", err)
	}
	defer os.RemoveAll(dir)
	size := func(name string, write func(io.Writer) error) (float64, error) {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			return 0, err
		}
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return 0, err
		}
		st, err := os.Stat(p)
		if err != nil {
			return 0, err
		}
		return float64(st.Size()), nil
	}
	// A part's size is a fixed overhead plus a cost per row: fit both from files of half and
	// all of the calibration rows.
	meta := map[string]string{"eisweep.definition": def.Text, "eisweep.definition_sha256": def.Hash()}
	full, err := size("runs.parquet", func(w io.Writer) error { return table.Write(w, Columns, rows, meta, 1<<20) })
	if err != nil {
		return est, err
	}
	half, err := size("half.parquet", func(w io.Writer) error { return table.Write(w, Columns, rows[:len(rows)/2], meta, 1<<20) })
	if err != nil {
		return est, err
	}
	est.BytesPerRun, est.BytesPerPart = fitSize(full, half, len(rows))
	if len(traces) > 0 {
		tb, err := size("traces.parquet", func(w io.Writer) error { return table.Write(w, TraceColumns, traces, nil, 1<<20) })
		if err != nil {
			return est, err
		}
		est.BytesPerRun += tb
	}
	if def.Outputs.FICurves && fiCurve != nil {
		fb, err := size("fi.parquet", func(w io.Writer) error { return table.Write(w, FIColumns, fiCurve.rows(), nil, 1<<20) })
		if err != nil {
			return est, err
		}
		est.FIBytes = fb * float64(est.DistinctUnits)
	}
	return est, nil
}

// distinctUnits bounds the number of distinct f-I curves of a sweep: for each unit, the product
// of the lengths of the axes that set one of its parameters, the clock or the f-I settings.
func distinctUnits(def *sweep.Definition) int64 {
	var total int64
	for _, unit := range []string{"exc.", "inh."} {
		n := int64(1)
		for _, a := range def.Axes {
			for _, name := range a.Names() {
				if strings.HasPrefix(name, unit) || name == "sim.dt" || strings.HasPrefix(name, "fi.") {
					n *= int64(a.Len())
					break
				}
			}
		}
		total += n
	}
	return total
}

// sampleRuns returns n of def's runs spread evenly over the sweep, their points their own.
func sampleRuns(def *sweep.Definition, n int) []sweep.RunRef {
	runs := def.Runs()
	refs := make([]sweep.RunRef, 0, n)
	for k := range n {
		i := int64(k) * runs / int64(n)
		for r := range def.RunsIn(i, i+1) {
			r.Point = slices.Clone(r.Point)
			refs = append(refs, r)
		}
	}
	return refs
}

// calibrateKind calibrates a sweep of any experiment kind through its Kind: it runs up to
// samples runs spread over the grid and writes their rows, as a sweep would, to temporary files.
func calibrateKind(def *sweep.Definition, samples int) (Estimate, error) {
	runs := def.Runs()
	n := int(min(int64(samples), runs))
	est := Estimate{Samples: n, FlushRows: 10_000}
	session := For(def).NewSession(def, nil)
	w := session.NewWorker()
	refs := sampleRuns(def, n)
	// As a sweep runs them: in lockstep groups where the worker has them.
	lanes := 1
	br, ok := w.(BatchRunner)
	if ok {
		lanes = max(1, br.Lanes())
	}
	var outs []Output
	var simTime time.Duration
	for j := 0; j < len(refs); j += lanes {
		group := refs[j:min(j+lanes, len(refs))]
		t0 := time.Now()
		var got []Output
		var err error
		if lanes > 1 {
			got, err = br.RunBatch(group)
		} else {
			var o Output
			o, err = w.Run(group[0])
			got = []Output{o}
		}
		simTime += time.Since(t0)
		if err != nil {
			return est, err
		}
		outs = append(outs, got...)
	}
	est.RunMs = float64(simTime.Microseconds()) / 1e3 / float64(max(n, 1))
	dir, err := os.MkdirTemp("", "eisweep-plan-")
	if err != nil {
		return est, fmt.Errorf("calibration: %w", err)
	}
	defer os.RemoveAll(dir)
	meta := map[string]string{"eisweep.definition": def.Text, "eisweep.definition_sha256": def.Hash()}
	// size writes outs through a buffer into files and returns their total size.
	size := func(tag string, outs []Output) (float64, error) {
		b := session.NewBuffer()
		for _, o := range outs {
			b.Add(o)
		}
		var total float64
		err := b.Write(func(name string, rows func(io.Writer, map[string]string) error) error {
			p := filepath.Join(dir, tag+"-"+name+".parquet")
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			m := map[string]string{}
			for k, v := range meta {
				m[k] = v
			}
			err = rows(f, m)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			st, err := os.Stat(p)
			if err == nil {
				total += float64(st.Size())
			}
			return err
		})
		return total, err
	}
	full, err := size("full", outs)
	if err != nil {
		return est, err
	}
	half, err := size("half", outs[:len(outs)/2])
	if err != nil {
		return est, err
	}
	est.BytesPerRun, est.BytesPerPart = fitSize(full, half, len(outs))
	return est, nil
}

// fitSize splits a part's size into a cost per row and a fixed overhead, from the sizes of files
// of all n calibration rows (full) and of the first n/2 (half).
func fitSize(full, half float64, n int) (perRun, perPart float64) {
	if d := n - n/2; d > 0 && full > half {
		perRun = (full - half) / float64(d)
	} else {
		perRun = full / float64(max(n, 1))
	}
	return perRun, max(0, full-perRun*float64(n))
}
