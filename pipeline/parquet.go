package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// WriteParquet writes runs rows to path; see writeTable.
func WriteParquet(path string, rows []Row, meta map[string]string, maxRowGroup int) error {
	return writeTable(path, Columns, rows, meta, maxRowGroup)
}

// writeTable writes rows to path as one Parquet file with the columns cols, zstd-compressed, in
// row groups of at most maxRowGroup rows, with meta as key-value metadata. The file appears
// atomically: it is written to path+".tmp", fsynced, linked to path (which fails rather than
// replace an existing file) and its directory fsynced, so a crash leaves either the whole file
// or none of it, and no part ever replaces another.
func writeTable[T any](path string, cols []Column[T], rows []T, meta map[string]string, maxRowGroup int) (err error) {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	schema := schemaOf(cols, meta)
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithMaxRowGroupLength(int64(maxRowGroup)),
		parquet.WithCreatedBy("eisweep "+Version()),
		parquet.WithDataPageSize(64<<10), parquet.WithDictionaryPageSizeLimit(64<<10),
		// Dictionary encoding hashes every value, and most columns are measurements whose values
		// are all distinct; zstd alone compresses the constant columns as well.
		parquet.WithDictionaryDefault(false),
	)
	fw, err := pqarrow.NewFileWriter(schema, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	mem := memory.NewGoAllocator()
	for start := 0; start < len(rows); start += maxRowGroup {
		end := min(start+maxRowGroup, len(rows))
		b := array.NewRecordBuilder(mem, schema)
		b.Reserve(end - start)
		for i := start; i < end; i++ {
			for c, col := range cols {
				col.append(b.Field(c), &rows[i])
			}
		}
		rec := b.NewRecordBatch()
		b.Release()
		err = fw.Write(rec)
		rec.Release()
		if err != nil {
			fw.Close()
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	if err = fw.Close(); err != nil { // closes f too
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = syncFile(tmp); err != nil {
		return err
	}
	if err = publish(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// publish gives the finished file tmp its final name path without ever replacing a file
// already there: a hard link fails if path exists.
func publish(tmp, path string) error {
	if err := os.Link(tmp, path); err != nil {
		return fmt.Errorf("publishing %s: %w", path, err)
	}
	if err := os.Remove(tmp); err != nil {
		return fmt.Errorf("publishing %s: %w", path, err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
