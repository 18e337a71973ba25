package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/eisweep/eisweep/sweep"
)

// FolderStatus describes an output folder without changing it.
type FolderStatus struct {
	Def        *sweep.Definition
	Total      int64          // runs in the definition
	Done       int64          // runs of the definition with a row
	Failed     int64          // of those, rows with status "failed"
	Extra      int64          // rows whose run is not in the definition (from an older definition)
	Shards     int            // shard count seen in part names, 0 if unsharded
	PerShard   []ShardStatus  // per shard, when Shards > 0
	Parts      map[string]int // Parquet files per table
	Corrupt    []string       // files moved aside as unreadable
	Unreadable []string       // Parquet files that cannot be read now
	Writers    string         // who holds the folder's locks, "" if nobody
}

// ShardStatus counts one shard's runs.
type ShardStatus struct {
	Shard       sweep.Shard
	Total, Done int64
}

var shardTag = regexp.MustCompile(`-s(\d+)of(\d+)-`)

// ReadStatus reads an output folder's definition and rows and counts done, failed and remaining
// runs (per shard when the parts were written by shards). It writes nothing.
func ReadStatus(dir string) (*FolderStatus, error) {
	def, err := LoadFolder(dir)
	if err != nil {
		return nil, err
	}
	st := &FolderStatus{Def: def, Total: def.Runs(), Parts: map[string]int{}}
	for _, t := range Tables {
		fs, err := parquetFiles(filepath.Join(dir, t))
		if err != nil {
			return nil, err
		}
		st.Parts[t] = len(fs)
		corrupt, _ := filepath.Glob(filepath.Join(dir, t, "*.corrupt"))
		st.Corrupt = append(st.Corrupt, corrupt...)
	}
	parts, err := parquetFiles(filepath.Join(dir, "runs"))
	if err != nil {
		return nil, err
	}
	rows := map[uint64]bool{} // run id → failed
	for _, p := range parts {
		if m := shardTag.FindStringSubmatch(filepath.Base(p)); m != nil {
			st.Shards, _ = strconv.Atoi(m[2])
		}
		var keys []uint64
		err := eachString(p, "run_id", func(id string) error {
			k, err := strconv.ParseUint(id, 16, 64)
			keys = append(keys, k)
			return err
		})
		i := 0
		if err == nil {
			err = eachString(p, "status", func(s string) error {
				rows[keys[i]] = s == string(StatusFailed)
				i++
				return nil
			})
		}
		if err != nil {
			st.Unreadable = append(st.Unreadable, p)
		}
	}
	if st.Shards > 0 {
		st.PerShard = make([]ShardStatus, st.Shards)
		for k := range st.PerShard {
			st.PerShard[k].Shard = sweep.Shard{K: k + 1, N: st.Shards}
		}
	}
	seen := 0
	var pt sweep.Point
	for i := range def.Runs() {
		cell, rep := def.Run(i)
		pt = def.Point(cell, pt)
		id := sweep.RunID(pt, rep)
		k, _ := strconv.ParseUint(id, 16, 64)
		failed, ok := rows[k]
		var sh *ShardStatus
		if st.Shards > 0 {
			sh = &st.PerShard[sweep.ShardOf(id, st.Shards)-1]
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
	st.Extra = int64(len(rows) - seen)
	st.Writers = writers(dir)
	return st, nil
}

// writers describes who holds the folder's locks now, or "" if nobody.
func writers(dir string) string {
	l, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_RDWR, 0)
	if err != nil {
		return ""
	}
	defer l.Close()
	if err := syscall.Flock(int(l.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
		syscall.Flock(int(l.Fd()), syscall.LOCK_UN)
		return ""
	} else if !errors.Is(err, syscall.EWOULDBLOCK) {
		return ""
	}
	return strings.TrimSuffix(holder(dir), "; wait for it to finish or stop it")
}

// DryRun counts, without writing anything, what Run would do in opt.OutDir: runs in the
// sweep (or shard) and how many are already done.
func DryRun(def *sweep.Definition, opt Options) (total, done int64, err error) {
	opt.defaults(def)
	if b, err := os.ReadFile(filepath.Join(opt.OutDir, "sweep.toml")); err == nil {
		old, perr := sweep.ParseWith(filepath.Join(opt.OutDir, "sweep.toml"), string(b), sweep.Options{MaxRuns: 1 << 62})
		why := perr
		if perr == nil {
			why = def.Extends(old)
		}
		if why != nil {
			return 0, 0, fmt.Errorf("%w: %s holds results that %s does not extend (%v)", ErrDefinitionChanged, opt.OutDir, def.Path, why)
		}
	}
	ids := keySet{}
	parts, err := parquetFiles(filepath.Join(opt.OutDir, "runs"))
	if err != nil {
		return 0, 0, err
	}
	for _, p := range parts {
		file := keySet{}
		if err := eachString(p, "run_id", file.add); err != nil {
			continue // Run would move it aside and run its runs again
		}
		for k := range file {
			ids[k] = struct{}{}
		}
	}
	var pt sweep.Point
	for i := range def.Runs() {
		cell, rep := def.Run(i)
		pt = def.Point(cell, pt)
		id := sweep.RunID(pt, rep)
		if !opt.Shard.Has(id) {
			continue
		}
		total++
		if ids.has(id) {
			done++
		}
	}
	return total, done, nil
}
