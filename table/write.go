package table

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/eisweep/eisweep/buildinfo"
)

// WriterProperties are the Parquet settings of every file eisweep writes: zstd, row groups of at
// most maxRowGroup rows, small pages (they bound the memory a buffered row group holds per
// column), and no dictionaries: dictionary encoding hashes every value, most columns are
// measurements whose values are all distinct, and zstd compresses the constant columns as well.
func WriterProperties(maxRowGroup int64) *parquet.WriterProperties {
	return parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithMaxRowGroupLength(maxRowGroup),
		parquet.WithCreatedBy("eisweep "+buildinfo.Version()),
		parquet.WithDataPageSize(64<<10), parquet.WithDictionaryPageSizeLimit(64<<10),
		parquet.WithDictionaryDefault(false),
	)
}

// Write writes rows to w as one Parquet file with the columns cols, in row groups of at most
// maxRowGroup rows, with meta as key-value metadata. It does not close w.
func Write[T any](w io.Writer, cols []Column[T], rows []T, meta map[string]string, maxRowGroup int) error {
	schema := Schema(cols, meta)
	fw, err := pqarrow.NewFileWriter(schema, nopCloser{w}, WriterProperties(int64(maxRowGroup)), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return fmt.Errorf("writing Parquet: %w", err)
	}
	mem := memory.NewGoAllocator()
	for start := 0; start < len(rows); start += maxRowGroup {
		end := min(start+maxRowGroup, len(rows))
		b := array.NewRecordBuilder(mem, schema)
		b.Reserve(end - start)
		for i := start; i < end; i++ {
			for c, col := range cols {
				col.Append(b.Field(c), &rows[i])
			}
		}
		rec := b.NewRecordBatch()
		b.Release()
		err = fw.Write(rec)
		rec.Release()
		if err != nil {
			fw.Close()
			return fmt.Errorf("writing Parquet: %w", err)
		}
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("writing Parquet: %w", err)
	}
	return nil
}

// nopCloser keeps the Parquet writer from closing the caller's file.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
