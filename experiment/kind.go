package experiment

import (
	"fmt"
	"io"
	"sync/atomic"

	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// Kind is an experiment as the engine knows it: the tables its runs write, how one run is
// simulated and measured, and which of its columns a summary describes. Package pipeline runs,
// resumes and shards any Kind, package aggregate summarises it, `eisweep schema` documents it;
// none of them knows what a Kind simulates.
type Kind interface {
	// Name is the kind as definitions choose it (experiment = "…").
	Name() sweep.Experiment
	// Tables are the tables its folders hold: "runs" (one row per run, keyed by run_id) first,
	// then its optional companions.
	Tables() []store.Table
	// Schemas documents every table's columns, runs first.
	Schemas() []TableSchema
	// SummaryMetrics are the runs columns whose statistics aggregate summarises per cell.
	SummaryMetrics() []string
	// NewSession prepares runs of def; have reports keys already written to a companion table
	// (so that shared rows, like f-I curves, are written once per folder).
	NewSession(def *sweep.Definition, have func(table string, key uint64) bool) Session
}

// TableSchema documents one table of a Kind.
type TableSchema struct {
	Name    string // folder name, e.g. "runs"
	Doc     string // what a row is, and when the table is written
	Columns []table.ColumnDoc
}

// Session is one invocation's runs of one definition: workers to simulate, buffers to hold rows
// until they are written. Workers of a session may share caches; a session is safe for
// concurrent use by its workers.
type Session interface {
	// NewWorker returns a worker with its own scratch, used by one goroutine at a time.
	NewWorker() Worker
	// NewBuffer returns an empty buffer of finished runs.
	NewBuffer() Buffer
}

// Worker simulates runs, one at a time.
type Worker interface {
	// SetStop makes runs return sim.ErrStopped soon after *stop becomes true.
	SetStop(stop *atomic.Bool)
	// Run simulates and measures one run. A run that fails numerically is an Output with status
	// "failed"; the error is for everything else.
	Run(r sweep.RunRef) (Output, error)
}

// BatchRunner is a Worker that can simulate several runs together (in lockstep where sim.Batch
// can), each giving exactly the rows Run gives it but for its wall time.
type BatchRunner interface {
	// Lanes is how many runs a batch gains from holding (1: batches gain nothing).
	Lanes() int
	// RunBatch simulates and measures the runs, returning their outputs in order.
	RunBatch(rs []sweep.RunRef) ([]Output, error)
}

// Output is one run's rows, for every table it writes.
type Output interface {
	// Status is the run's outcome, as its runs row holds it.
	Status() Status
}

// Buffer holds finished runs until they are written.
type Buffer interface {
	// Add appends one run's rows.
	Add(o Output)
	// Runs is the number of runs held.
	Runs() int
	// Full reports whether companion rows alone call for a write (e.g. millions of trace steps).
	Full() bool
	// Write writes every non-empty table through write, companions first and runs last (so that
	// a run's row never appears before the rows that join it), then empties the buffer.
	Write(write func(table string, rows func(w io.Writer, meta map[string]string) error) error) error
}

// FolderSession is implemented by sessions that keep state in the output folder between a run's
// start and its rows' commit (a training's checkpoints): the engine tells them the folder.
type FolderSession interface {
	SetFolder(dir string)
}

// ProgressWorker is implemented by workers whose runs are long (trainings): Fraction is how far
// the run in progress is, from 0 to 1, and 0 between runs. It may be called from any goroutine.
type ProgressWorker interface {
	Fraction() float64
}

// ReservingBuffer is implemented by buffers that can make room for a number of runs at once
// (the engine reserves one flush's worth, or the sweep's if smaller): growing a seed sweep's
// columns run by run copied them at each doubling.
type ReservingBuffer interface {
	Reserve(runs int)
}

// CommittedBuffer is implemented by buffers that act once the rows of their last Write are
// committed (removing the checkpoints of finished trainings); the engine calls Committed then.
type CommittedBuffer interface {
	Committed()
}

// Kinds are the experiment kinds, by name.
var kinds = map[sweep.Experiment]Kind{}

// register adds a kind; each kind's file registers itself.
func register(k Kind) { kinds[k.Name()] = k }

// For returns the kind of def's runs.
func For(def *sweep.Definition) Kind { return Lookup(def.Kind()) }

// Lookup returns the kind named name; it panics for a name the sweep package does not know,
// which is a programming error (definitions are validated when parsed).
func Lookup(name sweep.Experiment) Kind {
	k, ok := kinds[name]
	if !ok {
		panic(fmt.Sprintf("experiment kind %q has no implementation", name))
	}
	return k
}

// All returns every kind, in sweep.Experiments order.
func All() []Kind {
	var ks []Kind
	for _, e := range sweep.Experiments {
		ks = append(ks, Lookup(e))
	}
	return ks
}

// writeTable writes rows of one table through a Buffer.Write callback, with the columns cols.
func writeTable[T any](write func(string, func(io.Writer, map[string]string) error) error, name string, cols []table.Column[T], rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	return write(name, func(w io.Writer, meta map[string]string) error { return table.Write(w, cols, rows, meta, 1<<20) })
}
