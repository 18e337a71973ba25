package pipeline

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// FolderStatus describes a sweep's output folder without changing it.
type FolderStatus struct {
	Def        *sweep.Definition
	Total      int64          // runs in the definition
	Done       int64          // runs of the definition with a row
	Failed     int64          // of those, rows with status "failed"
	Extra      int64          // rows whose run is not in the definition (from an older definition)
	Duplicates int64          // rows of runs that have a row in another file too (compaction keeps one)
	Shards     int            // the registered shard layout, 0 if none
	PerShard   []ShardStatus  // per shard, when Shards > 0
	Files      map[string]int // Parquet files that count, per table
	Contents   *store.Contents
	Writers    string // who holds the folder's locks, "" if nobody
}

// ShardStatus counts one shard's runs.
type ShardStatus struct {
	Shard       sweep.Shard
	Total, Done int64
}

// ReadStatus reads an output folder's definition and rows and counts done, failed and remaining
// runs (per shard when the folder is sharded). It writes nothing and takes no lock: files that a
// writer would move aside or remove are reported, not touched.
func ReadStatus(ctx context.Context, dir string) (*FolderStatus, error) {
	def, err := LoadFolder(dir)
	if err != nil {
		return nil, err
	}
	c, err := store.Read(dir, Tables(def))
	if err != nil {
		return nil, err
	}
	st := &FolderStatus{Def: def, Total: def.Runs(), Files: map[string]int{}, Contents: c, Shards: store.Layout(dir), Writers: store.Writers(dir)}
	for _, t := range Tables(def) {
		st.Files[t.Name] = len(c.Files[t.Name])
	}
	rows := map[sweep.RunID]bool{} // run → failed
	err = table.EachRow(c.Files["runs"], []string{"run_id", "status"}, func(r *table.Row) error {
		id, err := sweep.ParseRunID(r.String("run_id"))
		if err != nil {
			return err
		}
		if _, dup := rows[id]; dup {
			st.Duplicates++
		}
		rows[id] = r.String("status") == string(experiment.StatusFailed)
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	if st.Shards > 0 {
		st.PerShard = make([]ShardStatus, st.Shards)
		for k := range st.PerShard {
			st.PerShard[k].Shard = sweep.Shard{K: k + 1, N: st.Shards}
		}
	}
	seen := int64(0)
	for r := range def.AllRuns() {
		if r.Index%65536 == 0 && ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		failed, ok := rows[r.ID]
		var sh *ShardStatus
		if st.Shards > 0 {
			sh = &st.PerShard[sweep.ShardOf(r.ID, st.Shards)-1]
			sh.Total++
		}
		if !ok {
			continue
		}
		seen++
		st.Done++
		if failed {
			st.Failed++
		}
		if sh != nil {
			sh.Done++
		}
	}
	st.Extra = int64(len(rows)) - seen
	return st, nil
}

// DryRun counts, without writing anything, what Run would do in opt.OutDir: runs in the
// sweep (or shard) and how many are already done. It stops when ctx is cancelled.
func DryRun(ctx context.Context, def *sweep.Definition, opt Options) (total, done int64, err error) {
	opt.defaults(def)
	if err := definitionExtends(opt.OutDir, def); err != nil {
		return 0, 0, err
	}
	keys := store.KeySet{}
	if _, err := filepath.Abs(opt.OutDir); err == nil {
		if c, err := store.Read(opt.OutDir, Tables(def), "runs"); err == nil {
			keys = c.Keys["runs"]
		}
	}
	for r := range def.AllRuns() {
		if r.Index%65536 == 0 && ctx.Err() != nil {
			return total, done, fmt.Errorf("counting the runs: %w", context.Cause(ctx))
		}
		if !opt.Shard.Has(r.ID) {
			continue
		}
		total++
		if keys.Has(uint64(r.ID)) {
			done++
		}
	}
	return total, done, nil
}
