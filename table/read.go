package table

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// batchRows is the number of rows read at a time.
const batchRows = 1 << 16

// EachBatch calls f with successive batches (64k rows) of the named columns of a Parquet file;
// idx maps a column name to its index in the batch. With cols nil, every column is read.
func EachBatch(path string, cols []string, f func(rec arrow.RecordBatch, idx map[string]int) error) error {
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return err
	}
	defer rdr.Close()
	// Batches no longer than the file: the reader allocates a whole batch per column.
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: max(1, min(batchRows, rdr.NumRows()))}, memory.DefaultAllocator)
	if err != nil {
		return err
	}
	schema, err := fr.Schema()
	if err != nil {
		return err
	}
	var indices []int
	for _, c := range cols {
		ix := schema.FieldIndices(c)
		if len(ix) != 1 {
			return fmt.Errorf("no column %q (written by an older eisweep? rerun the sweep into a new folder)", c)
		}
		indices = append(indices, ix[0])
	}
	rr, err := fr.GetRecordReader(context.Background(), indices, nil)
	if err != nil {
		return err
	}
	defer rr.Release()
	idx := map[string]int{}
	for k, field := range rr.Schema().Fields() {
		idx[field.Name] = k
	}
	var n int64
	for rr.Next() {
		n += rr.RecordBatch().NumRows()
		if err := f(rr.RecordBatch(), idx); err != nil {
			return err
		}
	}
	if err := rr.Err(); err != nil {
		return err
	}
	if n != rdr.NumRows() {
		return fmt.Errorf("read %d rows of %d", n, rdr.NumRows())
	}
	return nil
}

// Row is one row of a batch, read by column name. Use it inside the callback of [EachRow] only.
type Row struct {
	rec arrow.RecordBatch
	idx map[string]int
	i   int
}

// Float returns the row's value of a numeric column as float64: NaN for null, integers converted.
func (r *Row) Float(name string) float64 {
	c := r.rec.Column(r.idx[name])
	if c.IsNull(r.i) {
		return math.NaN()
	}
	switch a := c.(type) {
	case *array.Float64:
		return a.Value(r.i)
	case *array.Int64:
		return float64(a.Value(r.i))
	}
	return math.NaN()
}

// String returns the row's value of a string column, "" for null.
func (r *Row) String(name string) string {
	if a, ok := r.rec.Column(r.idx[name]).(*array.String); ok && a.IsValid(r.i) {
		return a.Value(r.i)
	}
	return ""
}

// EachRow calls f for every row of the files, reading the named columns in batches.
func EachRow(paths []string, cols []string, f func(*Row) error) error {
	for _, path := range paths {
		if err := EachBatch(path, cols, func(rec arrow.RecordBatch, idx map[string]int) error {
			r := &Row{rec: rec, idx: idx}
			for r.i = 0; r.i < int(rec.NumRows()); r.i++ {
				if err := f(r); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
	}
	return nil
}

// EachString calls f with every value of the string column col of a Parquet file, in batches.
func EachString(path, col string, f func(string) error) error {
	return EachBatch(path, []string{col}, func(rec arrow.RecordBatch, _ map[string]int) error {
		s, ok := rec.Column(0).(*array.String)
		if !ok {
			return fmt.Errorf("%s column is %s, want string", col, rec.Column(0).DataType())
		}
		for i := range s.Len() {
			if err := f(s.Value(i)); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReadFloats reads the named numeric columns of the given files and returns them by name, rows
// in file order; nulls become NaN and integer columns are converted to float64.
func ReadFloats(paths []string, names []string) (map[string][]float64, error) {
	out := make(map[string][]float64, len(names))
	err := EachRow(paths, names, func(r *Row) error {
		for _, n := range names {
			out[n] = append(out[n], r.Float(n))
		}
		return nil
	})
	return out, err
}

// NumRows returns the number of rows of a Parquet file, from its footer.
func NumRows(path string) (int64, error) {
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	defer rdr.Close()
	return rdr.NumRows(), nil
}

// Metadata returns the key-value metadata of a Parquet file whose keys start with prefix.
func Metadata(path, prefix string) (map[string]string, error) {
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, err
	}
	defer rdr.Close()
	m := map[string]string{}
	kv := rdr.MetaData().KeyValueMetadata()
	for i, k := range kv.Keys() {
		if strings.HasPrefix(k, prefix) {
			m[k] = kv.Values()[i]
		}
	}
	return m, nil
}

// Decode reads every page of every column of a Parquet file and reports the first error: a
// check that the whole file decodes, not only its footer and key column.
func Decode(path string) error {
	return EachBatch(path, nil, func(arrow.RecordBatch, map[string]int) error { return nil })
}

// ColumnNames returns the names of a Parquet file's columns in order, from its footer.
func ColumnNames(path string) ([]string, error) {
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer rdr.Close()
	s := rdr.MetaData().Schema
	names := make([]string, s.NumColumns())
	for i := range names {
		names[i] = s.Column(i).Name()
	}
	return names, nil
}
