package pipeline

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

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

// LoadFolder reads the definition an output folder was written by (DIR/sweep.toml), without a
// run limit.
func LoadFolder(dir string) (*sweep.Definition, error) {
	path := filepath.Join(dir, "sweep.toml")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s is not an eisweep output folder: %w", dir, err)
	}
	return sweep.ParseWith(path, string(b), sweep.Options{MaxRuns: 1 << 62})
}

// completedKeys returns the values of column col (run_id, fi_key) in the complete part files of
// dir. Leftover temporary files of an interrupted write are removed; a part file that cannot be
// read is moved aside to NAME.corrupt (its runs will run again) and reported on log. A missing
// dir holds nothing.
func completedKeys(dir, col string, log io.Writer) (keySet, error) {
	done := keySet{}
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
			// Keys join the set only once the whole file has been read: a file that fails
			// midway is moved aside and none of its runs count as done.
			var keys []uint64
			err := eachString(path, col, func(id string) error {
				k, err := strconv.ParseUint(id, 16, 64)
				if err != nil {
					return fmt.Errorf("%q is not a key of 16 hex digits", id)
				}
				keys = append(keys, k)
				return nil
			})
			if err != nil {
				if log != nil {
					fmt.Fprintf(log, "eisweep: %s is unreadable (%v); moved aside to %s.corrupt, its runs will run again\n", path, err, name)
				}
				if err := os.Rename(path, path+".corrupt"); err != nil {
					return nil, fmt.Errorf("moving aside %s: %w", path, err)
				}
				continue
			}
			for _, k := range keys {
				done[k] = struct{}{}
			}
		}
	}
	return done, nil
}

// ReadRunIDs returns the run_id column of a runs Parquet file.
func ReadRunIDs(path string) ([]string, error) {
	var ids []string
	err := eachString(path, "run_id", func(id string) error {
		ids = append(ids, id)
		return nil
	})
	return ids, err
}

// eachString calls f with every value of the string column col of a Parquet file, reading it in
// batches so that memory does not grow with the file.
func eachString(path, col string, f func(string) error) error {
	n := int64(0)
	err := eachBatch(path, col, func(a arrow.Array) error {
		s, ok := a.(*array.String)
		if !ok {
			return fmt.Errorf("%s column is %s, want string", col, a.DataType())
		}
		for i := range s.Len() {
			if err := f(s.Value(i)); err != nil {
				return err
			}
		}
		n += int64(s.Len())
		return nil
	})
	if err != nil {
		return err
	}
	if rows, err := numRows(path); err != nil || rows != n {
		return fmt.Errorf("read %d values of %d rows (%v)", n, rows, err)
	}
	return nil
}

// keySet is a set of run ids or f-I keys (16 hex digits), held as 64-bit numbers: a million
// entries take about 20 MB, not the 100 MB of strings.
type keySet map[uint64]struct{}

func (s keySet) add(hexKey string) error {
	k, err := strconv.ParseUint(hexKey, 16, 64)
	if err != nil {
		return fmt.Errorf("%q is not a key of 16 hex digits", hexKey)
	}
	s[k] = struct{}{}
	return nil
}

func (s keySet) has(hexKey string) bool {
	k, err := strconv.ParseUint(hexKey, 16, 64)
	if err != nil {
		return false
	}
	_, ok := s[k]
	return ok
}
