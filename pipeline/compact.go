package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/eisweep/eisweep/sweep"
)

// Tables are the tables of an output folder, each a directory of Parquet files.
var Tables = []string{"runs", "fi", "traces"}

const (
	// minRowGroup is the fewest rows a compacted row group holds (unless the file has fewer):
	// DuckDB reads many tiny row groups several times slower than few large ones.
	minRowGroup = 100_000
	// maxCompactRows is the most rows a compacted file holds.
	maxCompactRows = 5_000_000
	compactedFrom  = "eisweep.compacted_from"
)

// CompactSummary reports what compaction did to one table.
type CompactSummary struct {
	Table       string
	PartsBefore int
	FilesAfter  int
	Rows        int64
}

// Compact merges each table's part files in dir into few large files (up to 5 million rows each)
// whose row groups hold at least 100,000 rows (or all rows if fewer). It takes the folder's lock.
func Compact(dir string) ([]CompactSummary, error) {
	lock, err := LockFolder(dir, sweep.Shard{})
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	return compactFolder(dir)
}

func compactFolder(dir string) ([]CompactSummary, error) {
	var out []CompactSummary
	for _, t := range Tables {
		s, err := compactTable(filepath.Join(dir, t))
		if err != nil {
			return out, fmt.Errorf("compacting %s: %w", filepath.Join(dir, t), err)
		}
		if s.PartsBefore > 0 {
			s.Table = t
			out = append(out, s)
		}
	}
	return out, nil
}

// compactTable compacts one table directory. The merged file is published (complete, fsynced)
// before its sources are removed, so rows on disk are never fewer than before; and it records
// its sources, so that a crash between the two is repaired by recoverCompaction.
func compactTable(dir string) (CompactSummary, error) {
	var s CompactSummary
	if err := recoverCompaction(dir); err != nil {
		return s, err
	}
	parts, err := parquetFiles(dir)
	if err != nil || len(parts) == 0 {
		return s, err
	}
	s.PartsBefore = len(parts)
	rows := make([]int64, len(parts))
	for i, p := range parts {
		n, err := numRows(p)
		if err != nil {
			return s, err
		}
		rows[i] = n
		s.Rows += n
	}
	if len(parts) == 1 && goodRowGroups(parts[0]) {
		s.FilesAfter = 1
		return s, nil
	}
	prefix, err := partPrefix()
	if err != nil {
		return s, err
	}
	prefix = "compact" + strings.TrimPrefix(prefix, "part")
	// Cut into output files at part boundaries, so that each output contains whole parts.
	for start, k := 0, 0; start < len(parts); k++ {
		end, n := start, int64(0)
		for end < len(parts) && (end == start || n+rows[end] <= maxCompactRows) {
			n += rows[end]
			end++
		}
		out := filepath.Join(dir, fmt.Sprintf("%s-%04d.parquet", prefix, k))
		if err := mergeParts(out, parts[start:end], n); err != nil {
			return s, err
		}
		for _, p := range parts[start:end] {
			if err := os.Remove(p); err != nil {
				return s, err
			}
		}
		if err := syncDir(dir); err != nil {
			return s, err
		}
		s.FilesAfter++
		start = end
	}
	return s, nil
}

// recoverCompaction removes parts that a published compacted file already contains (left by a
// crash between publishing it and removing its sources).
func recoverCompaction(dir string) error {
	files, err := parquetFiles(dir)
	if err != nil {
		return err
	}
	removed := false
	for _, f := range files {
		if !strings.HasPrefix(filepath.Base(f), "compact-") {
			continue
		}
		srcs, err := compactSources(f)
		if err != nil {
			continue // an unreadable file is dealt with by whoever reads it
		}
		for _, src := range srcs {
			p := filepath.Join(dir, src)
			if _, err := os.Stat(p); err == nil && p != f {
				if err := os.Remove(p); err != nil {
					return fmt.Errorf("removing %s, already compacted into %s: %w", p, f, err)
				}
				removed = true
			}
		}
	}
	if removed {
		return syncDir(dir)
	}
	return nil
}

func compactSources(path string) ([]string, error) {
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, err
	}
	defer rdr.Close()
	v := rdr.MetaData().KeyValueMetadata().FindValue(compactedFrom)
	if v == nil {
		return nil, nil
	}
	return strings.Fields(*v), nil
}

// parquetFiles lists the complete Parquet files of a table directory (none if it is missing).
func parquetFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	var fs []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".parquet") {
			fs = append(fs, filepath.Join(dir, e.Name()))
		}
	}
	return fs, nil
}

func numRows(path string) (int64, error) {
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	defer rdr.Close()
	return rdr.NumRows(), nil
}

// goodRowGroups reports whether every row group of a file but a sole one holds at least
// minRowGroup rows.
func goodRowGroups(path string) bool {
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return false
	}
	defer rdr.Close()
	if rdr.NumRowGroups() == 1 {
		return true
	}
	for i := range rdr.NumRowGroups() {
		if rdr.MetaData().RowGroup(i).NumRows() < minRowGroup {
			return false
		}
	}
	return true
}

// mergeParts writes the rows of parts (n in all) to out in row groups of at least minRowGroup
// rows: g = max(1, n/minRowGroup) groups of ⌊n/g⌋ rows, the last taking the remainder.
func mergeParts(out string, parts []string, n int64) (err error) {
	ctx := context.Background()
	mem := memory.NewGoAllocator()
	groups := max(1, n/minRowGroup)
	size := n / groups
	var meta map[string]string
	var schema *arrow.Schema
	var fw *pqarrow.FileWriter
	tmp := out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			if fw != nil {
				fw.Close()
			}
			f.Close()
			os.Remove(tmp)
		}
	}()
	var written int64
	for _, p := range parts {
		rdr, err := file.OpenParquetFile(p, false)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 1 << 14}, mem)
		if err != nil {
			rdr.Close()
			return fmt.Errorf("%s: %w", p, err)
		}
		ps, err := fr.Schema()
		if err != nil {
			rdr.Close()
			return err
		}
		plain := arrow.NewSchema(ps.Fields(), nil)
		if schema == nil {
			schema = plain
			meta = kvMap(rdr)
			props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd),
				parquet.WithMaxRowGroupLength(1<<40), parquet.WithCreatedBy("eisweep "+Version()),
				// Small pages bound the memory a buffered row group holds per column.
				parquet.WithDataPageSize(64<<10), parquet.WithDictionaryPageSizeLimit(64<<10),
				parquet.WithDictionaryDefault(false)) // as for parts: see writeTable
			if fw, err = pqarrow.NewFileWriter(schema, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())); err != nil {
				rdr.Close()
				return err
			}
		} else if !schema.Equal(plain) {
			rdr.Close()
			return fmt.Errorf("%s has other columns than %s (written by another eisweep version?); compact them separately", p, parts[0])
		}
		rr, err := fr.GetRecordReader(ctx, nil, nil)
		if err != nil {
			rdr.Close()
			return err
		}
		for rr.Next() {
			rec := array.NewRecordBatch(schema, rr.RecordBatch().Columns(), rr.RecordBatch().NumRows())
			for off := int64(0); off < rec.NumRows(); {
				g := min(written/size, groups-1) // current row group
				end := (g + 1) * size
				if g == groups-1 {
					end = n // the last group takes the remainder
				}
				take := min(rec.NumRows()-off, end-written)
				sl := rec.NewSlice(off, off+take)
				err := fw.WriteBuffered(sl)
				sl.Release()
				if err != nil {
					rec.Release()
					rr.Release()
					rdr.Close()
					return err
				}
				off += take
				written += take
				if written == end && g < groups-1 {
					fw.NewBufferedRowGroup()
				}
			}
			rec.Release()
		}
		rerr := rr.Err()
		rr.Release()
		rdr.Close()
		if rerr != nil {
			return fmt.Errorf("%s: %w", p, rerr)
		}
	}
	if written != n {
		return fmt.Errorf("read %d rows of %d", written, n)
	}
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = filepath.Base(p)
	}
	meta[compactedFrom] = strings.Join(names, "\n")
	meta["eisweep.compacted_at"] = time.Now().UTC().Format(time.RFC3339)
	for _, k := range sortedKeys(meta) {
		if err := fw.AppendKeyValueMetadata(k, meta[k]); err != nil {
			return err
		}
	}
	if err = fw.Close(); err != nil {
		return err
	}
	if err = syncFile(tmp); err != nil {
		return err
	}
	if err = publish(tmp, out); err != nil {
		return err
	}
	return syncDir(filepath.Dir(out))
}

// kvMap returns a file's eisweep key-value metadata.
func kvMap(rdr *file.Reader) map[string]string {
	m := map[string]string{}
	kv := rdr.MetaData().KeyValueMetadata()
	for i, k := range kv.Keys() {
		if strings.HasPrefix(k, "eisweep.") && k != compactedFrom {
			m[k] = kv.Values()[i]
		}
	}
	return m
}
