package pipeline

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// PartFiles returns the complete part files of an output folder's runs/, sorted by name.
func PartFiles(outDir string) ([]string, error) { return tableParts(outDir, "runs") }

// tableParts returns the complete part files of one table (runs, fi, traces) of an output
// folder, sorted by name.
func tableParts(outDir, table string) ([]string, error) {
	dir := filepath.Join(outDir, table)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	var ps []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".parquet") {
			ps = append(ps, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(ps)
	return ps, nil
}

// ReadFloatColumns reads the named numeric columns of the given runs files and returns them by
// name, rows in file order; nulls become NaN and integer columns are converted to float64.
func ReadFloatColumns(paths []string, names []string) (map[string][]float64, error) {
	out := make(map[string][]float64, len(names))
	for _, path := range paths {
		if err := readFloatColumns(path, names, out); err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
	}
	return out, nil
}

func readFloatColumns(path string, names []string, out map[string][]float64) error {
	for _, name := range names {
		err := eachBatch(path, name, func(a arrow.Array) error {
			for i := range a.Len() {
				v := math.NaN()
				if a.IsValid(i) {
					switch x := a.(type) {
					case *array.Float64:
						v = x.Value(i)
					case *array.Int64:
						v = float64(x.Value(i))
					default:
						return fmt.Errorf("column %q is %s, want a number", name, a.DataType())
					}
				}
				out[name] = append(out[name], v)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// eachBatch calls f with successive batches (64k rows) of column col of a Parquet file.
func eachBatch(path, col string, f func(arrow.Array) error) error {
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return err
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 1 << 16}, memory.DefaultAllocator)
	if err != nil {
		return err
	}
	schema, err := fr.Schema()
	if err != nil {
		return err
	}
	idx := schema.FieldIndices(col)
	if len(idx) != 1 {
		return fmt.Errorf("no column %q", col)
	}
	rr, err := fr.GetRecordReader(context.Background(), idx, nil)
	if err != nil {
		return err
	}
	defer rr.Release()
	for rr.Next() {
		if err := f(rr.RecordBatch().Column(0)); err != nil {
			return err
		}
	}
	return rr.Err()
}
