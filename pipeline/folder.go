package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/eisweep/eisweep/sweep"
)

// prepareFolder creates the output folder and records the definition in sweep.toml. A folder
// that holds results of a definition whose runs def does not extend (another seed, other
// parameters, values removed) is refused with ErrDefinitionChanged; def may add replicates and
// grid points, and only those run.
func prepareFolder(dir string, def *sweep.Definition) error {
	if err := os.MkdirAll(filepath.Join(dir, "runs"), 0o755); err != nil {
		return fmt.Errorf("creating output folder: %w", err)
	}
	path := filepath.Join(dir, "sweep.toml")
	if b, err := os.ReadFile(path); err == nil {
		old, perr := sweep.ParseWith(path, string(b), sweep.Options{MaxRuns: 1 << 62})
		why := perr
		if perr == nil {
			why = def.Extends(old)
		}
		if why != nil {
			return fmt.Errorf("%w: %s holds results of the definition in %s, and %s does not extend it (%v); "+
				"write elsewhere with -o DIR, or remove %s to start again", ErrDefinitionChanged, dir, path, def.Path, why, dir)
		}
	} else if !os.IsNotExist(err) {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return writeFileAtomic(path, []byte(def.Text))
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// completedKeys returns the values of column col (run_id, fi_key) in the complete part files of
// dir. Leftover temporary files of an interrupted write are removed; a part file that cannot be
// read is moved aside to NAME.corrupt (its runs will run again) and reported on log. A missing
// dir holds nothing.
func completedKeys(dir, col string, log io.Writer) (map[string]bool, error) {
	done := map[string]bool{}
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return done, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, name)
		switch {
		case strings.HasSuffix(name, ".parquet.tmp"):
			if err := os.Remove(path); err != nil {
				return nil, fmt.Errorf("removing interrupted write: %w", err)
			}
		case strings.HasSuffix(name, ".parquet"):
			ids, err := readStrings(path, col)
			if err != nil {
				if log != nil {
					fmt.Fprintf(log, "eisweep: %s is unreadable (%v); moved aside to %s.corrupt, its runs will run again\n", path, err, name)
				}
				if err := os.Rename(path, path+".corrupt"); err != nil {
					return nil, fmt.Errorf("moving aside %s: %w", path, err)
				}
				continue
			}
			for _, id := range ids {
				done[id] = true
			}
		}
	}
	return done, nil
}

// ReadRunIDs returns the run_id column of a runs Parquet file.
func ReadRunIDs(path string) ([]string, error) { return readStrings(path, "run_id") }

// readStrings returns the string column col of a Parquet file.
func readStrings(path, col string) ([]string, error) {
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, err
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 1 << 16}, memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	schema, err := fr.Schema()
	if err != nil {
		return nil, err
	}
	idx := schema.FieldIndices(col)
	if len(idx) != 1 {
		return nil, fmt.Errorf("no %s column", col)
	}
	cr, err := fr.GetColumn(context.Background(), idx[0])
	if err != nil {
		return nil, err
	}
	chunked, err := cr.NextBatch(rdr.NumRows())
	if err != nil {
		return nil, err
	}
	defer chunked.Release()
	ids := make([]string, 0, rdr.NumRows())
	for _, c := range chunked.Chunks() {
		s, ok := c.(*array.String)
		if !ok {
			return nil, fmt.Errorf("%s column is %s, want string", col, c.DataType())
		}
		for i := range s.Len() {
			ids = append(ids, s.Value(i))
		}
	}
	if int64(len(ids)) != rdr.NumRows() {
		return nil, fmt.Errorf("read %d values of %d rows", len(ids), rdr.NumRows())
	}
	return ids, nil
}
