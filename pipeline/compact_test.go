package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/eisweep/eisweep/sweep"
)

// traceParts writes parts of synthetic trace rows into dir/traces and returns the total of
// their steps, a checksum of the content.
func traceParts(t *testing.T, dir string, sizes ...int) (rows int, sum int64) {
	t.Helper()
	td := filepath.Join(dir, "traces")
	os.MkdirAll(td, 0o755)
	for p, n := range sizes {
		rs := make([]TraceRow, n)
		for i := range rs {
			rs[i] = TraceRow{RunID: fmt.Sprintf("%016x", p), Step: int64(i), VE: float64(i) * 1e-6}
			sum += int64(i)
		}
		rows += n
		if err := writeTable(filepath.Join(td, fmt.Sprintf("part-%d.parquet", p)), TraceColumns, rs, map[string]string{"eisweep.k": "v"}, 1<<20); err != nil {
			t.Fatal(err)
		}
	}
	return rows, sum
}

func rowGroups(t *testing.T, path string) []int64 {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	var gs []int64
	for i := range rdr.NumRowGroups() {
		gs = append(gs, rdr.MetaData().RowGroup(i).NumRows())
	}
	return gs
}

func stepSum(t *testing.T, dir string) (n int, sum int64) {
	t.Helper()
	paths, _ := tableParts(dir, "traces")
	cols, err := ReadFloatColumns(paths, []string{"step"})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range cols["step"] {
		sum += int64(v)
	}
	return len(cols["step"]), sum
}

// TestCompactRowGroups: many parts become one file whose row groups hold at least 100,000 rows,
// with every row kept.
func TestCompactRowGroups(t *testing.T) {
	dir := t.TempDir()
	n, sum := traceParts(t, dir, 70_000, 70_000, 40_000, 35_000)
	s, err := Compact(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := tableParts(dir, "traces")
	if len(files) != 1 || len(s) != 1 || s[0].PartsBefore != 4 || s[0].FilesAfter != 1 || s[0].Rows != int64(n) {
		t.Fatalf("compacted into %v, summary %+v", files, s)
	}
	gs := rowGroups(t, files[0])
	if len(gs) != 2 || gs[0] < minRowGroup || gs[1] < minRowGroup || gs[0]+gs[1] != int64(n) {
		t.Errorf("row groups %v, want 2 of at least %d summing to %d", gs, minRowGroup, n)
	}
	if m, got := stepSum(t, dir); m != n || got != sum {
		t.Errorf("after compaction %d rows (checksum %d), want %d (%d)", m, got, n, sum)
	}
	// Compacting a compacted table changes nothing.
	if s, err := Compact(dir); err != nil || s[0].FilesAfter != 1 {
		t.Errorf("second compaction: %v, %+v", err, s)
	}
	if f2, _ := tableParts(dir, "traces"); len(f2) != 1 || f2[0] != files[0] {
		t.Errorf("second compaction rewrote the file: %v", f2)
	}
}

// TestCompactCrashRecovery: a crash after the merged file is published but before its sources
// are removed leaves both; the next compaction (or run) removes the sources, so no row is lost
// or counted twice.
func TestCompactCrashRecovery(t *testing.T) {
	dir := t.TempDir()
	n, sum := traceParts(t, dir, 1000, 2000, 3000)
	parts, _ := tableParts(dir, "traces")
	if err := mergeParts(filepath.Join(dir, "traces", "compact-x-0000.parquet"), parts, int64(n)); err != nil {
		t.Fatal(err)
	}
	if m, _ := stepSum(t, dir); m != 2*n {
		t.Fatalf("after the crash %d rows on disk, want %d (both copies)", m, 2*n)
	}
	if err := recoverCompaction(filepath.Join(dir, "traces")); err != nil {
		t.Fatal(err)
	}
	if m, got := stepSum(t, dir); m != n || got != sum {
		t.Errorf("after recovery %d rows (checksum %d), want %d (%d)", m, got, n, sum)
	}
}

// TestSweepCompactsWhenComplete: a complete sweep ends compacted; an interrupted one does not.
func TestSweepCompactsWhenComplete(t *testing.T) {
	dir := t.TempDir()
	s, err := Run(context.Background(), small(t, "cmp", 40, ""), Options{OutDir: dir, FlushRows: 6})
	if err != nil {
		t.Fatal(err)
	}
	parts, _ := PartFiles(dir)
	if len(parts) != 1 || !strings.HasPrefix(filepath.Base(parts[0]), "compact-") || len(s.Compact) != 1 || s.Compact[0].PartsBefore != 7 {
		t.Errorf("after a complete sweep: parts %v, compaction %+v", parts, s.Compact)
	}
	if rows := readAll(t, dir); len(rows) != 40 {
		t.Errorf("%d rows after compaction, want 40", len(rows))
	}
}

// TestLock: one writer per folder; shards share it with each other but not with a whole-sweep
// writer; a released lock (as a dead process's is) is free again.
func TestLock(t *testing.T) {
	dir := t.TempDir()
	a, err := LockFolder(dir, sweep.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = LockFolder(dir, sweep.Shard{})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Errorf("second writer: %v, want ErrLocked naming the holder", err)
	}
	if _, err := LockFolder(dir, sweep.Shard{K: 1, N: 2}); !errors.Is(err, ErrLocked) {
		t.Errorf("shard beside a whole-sweep writer: %v", err)
	}
	if _, err := Run(context.Background(), small(t, "lk", 2, ""), Options{OutDir: dir}); !errors.Is(err, ErrLocked) {
		t.Errorf("Run on a locked folder: %v", err)
	}
	a.Release()
	s1, err := LockFolder(dir, sweep.Shard{K: 1, N: 2})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := LockFolder(dir, sweep.Shard{K: 2, N: 2})
	if err != nil {
		t.Errorf("two shards: %v", err)
	}
	if _, err := LockFolder(dir, sweep.Shard{K: 2, N: 2}); !errors.Is(err, ErrLocked) {
		t.Errorf("the same shard twice: %v", err)
	}
	if _, err := LockFolder(dir, sweep.Shard{}); !errors.Is(err, ErrLocked) {
		t.Errorf("whole-sweep writer beside shards: %v", err)
	}
	s1.Release()
	s2.Release()
	b, err := LockFolder(dir, sweep.Shard{})
	if err != nil {
		t.Errorf("after release: %v", err)
	}
	b.Release()
}
