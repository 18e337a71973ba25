package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/internal/testsweep"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
)

// TestSweepCompactsWhenComplete: a complete sweep ends compacted (a single part too, so that
// every complete folder has one shape); an interrupted one does not. A sweep whose rows are all
// written by its last flush into an empty folder writes them once, compacted, with the rows a
// sweep of many parts ends with.
func TestSweepCompactsWhenComplete(t *testing.T) {
	dir := t.TempDir()
	s, err := Run(context.Background(), testsweep.Small(t, "cmp", 40, ""), Options{OutDir: dir, FlushRows: 6})
	if err != nil {
		t.Fatal(err)
	}
	parts := testsweep.Files(t, dir, "runs")
	if len(parts) != 1 || !strings.HasPrefix(filepath.Base(parts[0]), "compact-") || len(s.Compact) != 1 || s.Compact[0].FilesBefore != 7 {
		t.Errorf("after a complete sweep: parts %v, compaction %+v", parts, s.Compact)
	}
	if rows := testsweep.ReadAll(t, dir); len(rows) != 40 {
		t.Errorf("%d rows after compaction, want 40", len(rows))
	}
	// A sweep of one part ends compacted too, written once; compacting again rewrites nothing.
	one := t.TempDir()
	s, err = Run(context.Background(), testsweep.Small(t, "cmp", 40, ""), Options{OutDir: one})
	if err != nil {
		t.Fatal(err)
	}
	parts = testsweep.Files(t, one, "runs")
	if len(parts) != 1 || !strings.HasPrefix(filepath.Base(parts[0]), "compact-") {
		t.Errorf("a one-part sweep ends as %v, want one compact-* file", parts)
	}
	if len(s.Parts) != 1 || s.Parts[0] != parts[0] || len(s.Compact) != 1 || s.Compact[0].Rewritten || s.Compact[0].Rows != 40 {
		t.Errorf("a one-part sweep published %v and its compaction did %+v; want the compacted file written once", s.Parts, s.Compact)
	}
	if a, b := testsweep.ReadAll(t, dir), testsweep.ReadAll(t, one); len(a) != len(b) || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("rows written once differ from rows compacted from parts")
	}
	again, err := Compact(context.Background(), one, experiment.UnitTables, nil)
	if err != nil || len(again) != 1 || again[0].Rewritten {
		t.Errorf("compacting a compacted folder: %+v, %v", again, err)
	}
	if after := testsweep.Files(t, one, "runs"); len(after) != 1 || after[0] != parts[0] {
		t.Errorf("compacting again rewrote %v as %v", parts, after)
	}
}

// TestLock: one writer per folder; shards share it with each other but not with a whole-sweep
// writer; a shard of another n is refused with the layout in use; a released lock (as a dead
// process's is) is free again.
func TestLock(t *testing.T) {
	dir := t.TempDir()
	d := testsweep.Small(t, "lk", 2, "")
	open := func(sh sweep.Shard) (*store.Store, error) {
		return store.Open(dir, StoreOptions(dir, d, experiment.UnitTables, store.Shard(sh), "test", nil, nil))
	}
	a, err := open(sweep.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = open(sweep.Shard{})
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Errorf("second writer: %v, want ErrLocked naming the holder", err)
	}
	if _, err := open(sweep.Shard{K: 1, N: 2}); !errors.Is(err, store.ErrLocked) {
		t.Errorf("shard beside a whole-sweep writer: %v", err)
	}
	if _, err := Run(context.Background(), d, Options{OutDir: dir}); !errors.Is(err, store.ErrLocked) {
		t.Errorf("Run on a locked folder: %v", err)
	}
	a.Close(nil)
	s1, err := open(sweep.Shard{K: 1, N: 2})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := open(sweep.Shard{K: 2, N: 2})
	if err != nil {
		t.Errorf("two shards: %v", err)
	}
	if _, err := open(sweep.Shard{K: 2, N: 2}); !errors.Is(err, store.ErrLocked) {
		t.Errorf("the same shard twice: %v", err)
	}
	if _, err := open(sweep.Shard{K: 1, N: 3}); !errors.Is(err, store.ErrLayout) || !strings.Contains(err.Error(), "k/2") {
		t.Errorf("a shard of another n: %v, want ErrLayout naming k/2", err)
	}
	if _, err := open(sweep.Shard{}); !errors.Is(err, store.ErrLocked) {
		t.Errorf("whole-sweep writer beside shards: %v", err)
	}
	s1.Close(nil)
	s2.Close(nil)
	b, err := open(sweep.Shard{})
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	b.Close(nil)
	// The whole-folder writer reset the layout: another n may start now.
	c, err := open(sweep.Shard{K: 1, N: 3})
	if err != nil {
		t.Errorf("a new layout after a whole-folder writer: %v", err)
	} else {
		c.Close(nil)
	}
}
