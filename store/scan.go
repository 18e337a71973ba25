package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sync/errgroup"

	"github.com/eisweep/eisweep/table"
)

// KeySet is a set of keys (run ids, cell ids, f-I keys) as sorted 64-bit numbers: a million take
// 8 MB, not the 100 MB of strings or the 40 MB of a map. The zero value is the empty set.
type KeySet struct{ keys []uint64 }

// Has reports whether k is in the set.
func (s KeySet) Has(k uint64) bool { _, ok := slices.BinarySearch(s.keys, k); return ok }

// Len returns the number of keys in the set.
func (s KeySet) Len() int { return len(s.keys) }

// Contents is what a scan of a folder found.
type Contents struct {
	// Files are, per table, the files of complete batches in name order: what counts.
	Files map[string][]string
	// Keys are, per table asked for, the keys of those files.
	Keys map[string]KeySet
	// Corrupt are files that failed verification: moved aside to NAME.corrupt by a writer's
	// scan (their rows will be written again), left in place by a reader's.
	Corrupt []string
	// MovedAside are files moved aside earlier (NAME.corrupt).
	MovedAside []string
	// Orphans are companion files whose batch's primary file does not exist: an interrupted
	// write, ignored; the next whole-folder writer removes them.
	Orphans []string
	// Superseded are files a compacted file already holds (its sources, left by a compaction
	// interrupted before removing them), ignored.
	Superseded []string
	// Leftovers are temporary files: being written now, or left by a writer that died.
	Leftovers []string
	// Foreign are .parquet files in a table folder that the store did not write: never read as
	// results, moved or removed, but DuckDB's table/*.parquet reads them too.
	Foreign []string
	// Duplicates counts keys of the primary table found in more than one batch.
	Duplicates int64
}

// fileInfo is one published file found by a scan.
type fileInfo struct {
	table int
	name  string
	path  string
	pn    parsedName
	meta  map[string]string
	bad   error // why it failed verification
}

// Scan verifies every file of the folder's tables, moves aside those that fail (with their
// batch's primary, so that its rows are written again), and returns what counts, with the keys
// of the tables named in keysOf.
// A whole-folder writer also removes what no live writer can be using: temporary files,
// orphans and superseded compaction sources.
func (s *Store) Scan(keysOf ...string) (*Contents, error) {
	c, err := scan(s.dir, s.opt.Tables, true, s.opt.Log, keysOf)
	if err != nil || s.opt.Shard.N != 0 {
		return c, err
	}
	if err := s.repair(c); err != nil {
		return nil, err
	}
	c.Leftovers, c.Orphans, c.Superseded = nil, nil, nil
	return c, nil
}

// Read scans an output folder without changing it (no locks, no writes): what counts, as a
// writer's scan would find it, and what would be repaired.
func Read(dir string, tables []Table, keysOf ...string) (*Contents, error) {
	return scan(dir, tables, false, nil, keysOf)
}

func scan(dir string, tables []Table, repair bool, log io.Writer, keysOf []string) (*Contents, error) {
	var c *Contents
	var err error
	// A whole-folder writer may remove files while a reader lists them: list again.
	for range 5 {
		c, err = scanOnce(dir, tables, repair, log, keysOf)
		if !errors.Is(err, os.ErrNotExist) {
			break
		}
	}
	return c, err
}

func scanOnce(dir string, tables []Table, repair bool, log io.Writer, keysOf []string) (*Contents, error) {
	c := &Contents{Files: map[string][]string{}, Keys: map[string]KeySet{}}
	var files []*fileInfo
	for ti, t := range tables {
		tdir := filepath.Join(dir, t.Name)
		entries, err := os.ReadDir(tdir)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", tdir, err)
		}
		for _, e := range entries {
			name := e.Name()
			path := filepath.Join(tdir, name)
			switch {
			case strings.HasPrefix(name, tmpPrefix) || strings.HasSuffix(name, ".parquet.tmp") || strings.HasSuffix(name, ".parquet.new"):
				c.Leftovers = append(c.Leftovers, path)
				continue
			case strings.HasSuffix(name, ".corrupt"):
				c.MovedAside = append(c.MovedAside, path)
				continue
			}
			pn, ok := parseName(name)
			if !ok || !e.Type().IsRegular() {
				if strings.HasSuffix(name, ".parquet") {
					c.Foreign = append(c.Foreign, path)
				}
				continue // not the store's: never touched
			}
			files = append(files, &fileInfo{table: ti, name: name, path: path, pn: pn})
		}
	}
	// Verification reads every byte: spread it over the CPUs.
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, f := range files {
		g.Go(func() error {
			f.bad = verify(f)
			if errors.Is(f.bad, os.ErrNotExist) {
				return f.bad
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	// Sources of compacted files are superseded; compacted companions whose primary is missing,
	// and companions of missing primaries, are orphans.
	superseded := map[string]bool{} // table/name
	primaries := map[string]*fileInfo{}
	for _, f := range files {
		if f.bad == nil && f.table == 0 {
			primaries[f.pn.batch] = f
		}
	}
	for _, f := range files {
		if f.bad != nil || f.meta[metaCompacted] == "" {
			continue
		}
		if f.table != 0 && primaries[f.pn.batch] == nil {
			continue // an orphan itself: it supersedes nothing
		}
		for _, src := range strings.Fields(f.meta[metaCompacted]) {
			if _, ok := parseName(src); ok && plainName(src) && src != f.name {
				superseded[tables[f.table].Name+"/"+src] = true
			}
		}
	}
	// A primary is complete when each companion it lists verifies.
	companions := map[string]map[int]*fileInfo{} // batch → table → file
	for _, f := range files {
		if f.table != 0 {
			if companions[f.pn.batch] == nil {
				companions[f.pn.batch] = map[int]*fileInfo{}
			}
			companions[f.pn.batch][f.table] = f
		}
	}
	tableIndex := map[string]int{}
	for i, t := range tables {
		tableIndex[t.Name] = i
	}
	moveAside := func(f *fileInfo, why error) error {
		c.Corrupt = append(c.Corrupt, f.path)
		if !repair {
			return nil
		}
		if log != nil {
			fmt.Fprintf(log, "eisweep: %s is unreadable (%v); moved aside to %s.corrupt, its rows will be written again\n", f.path, why, f.name)
		}
		if err := os.Rename(f.path, f.path+".corrupt"); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("moving aside %s: %w", f.path, err)
		}
		return nil
	}
	complete := map[string]bool{}
	for _, f := range files {
		if f.table != 0 || superseded[tables[0].Name+"/"+f.name] {
			continue
		}
		if f.bad != nil {
			if err := moveAside(f, f.bad); err != nil {
				return nil, err
			}
			continue
		}
		ok := true
		for _, name := range strings.Fields(f.meta[metaTables]) {
			ti, known := tableIndex[name]
			if !known {
				continue // a table this reader does not know: not its business
			}
			cf := companions[f.pn.batch][ti]
			switch {
			case cf == nil:
				ok = false
				if err := moveAside(f, fmt.Errorf("its batch's %s file is missing", name)); err != nil {
					return nil, err
				}
			case cf.bad != nil:
				ok = false
				if err := moveAside(cf, cf.bad); err != nil {
					return nil, err
				}
				if err := moveAside(f, fmt.Errorf("its batch's %s file %s is unreadable", name, cf.name)); err != nil {
					return nil, err
				}
			}
			if !ok {
				break
			}
		}
		if ok {
			complete[f.pn.batch] = true
		}
	}
	for _, f := range files {
		key := tables[f.table].Name + "/" + f.name
		switch {
		case superseded[key]:
			c.Superseded = append(c.Superseded, f.path)
		case f.table == 0 && complete[f.pn.batch]:
			c.Files[tables[0].Name] = append(c.Files[tables[0].Name], f.path)
		case f.table == 0:
		case f.pn.legacy && f.bad == nil:
			// Older releases did not pair companions with their runs: they count as they are.
			c.Files[tables[f.table].Name] = append(c.Files[tables[f.table].Name], f.path)
		case complete[f.pn.batch]:
			c.Files[tables[f.table].Name] = append(c.Files[tables[f.table].Name], f.path)
		case f.bad != nil && primaries[f.pn.batch] == nil:
			c.Corrupt = append(c.Corrupt, f.path) // an unreadable orphan
		default:
			c.Orphans = append(c.Orphans, f.path)
		}
	}
	for _, t := range tables {
		slices.Sort(c.Files[t.Name])
	}
	for _, name := range keysOf {
		ti, ok := tableIndex[name]
		if !ok {
			return nil, fmt.Errorf("store: no table %q", name)
		}
		keys, dup, err := readKeys(c.Files[name], tables[ti].Key)
		if err != nil {
			return nil, err
		}
		c.Keys[name] = keys
		if ti == 0 {
			c.Duplicates = dup
		}
	}
	return c, nil
}

// verify checks a published file whole: its bytes against the hash in its name, or, for a
// legacy name, by decoding every page of every column. It also reads the file's metadata.
//
// A file that verified once in this process is not read again while its size, modification time
// and inode stay the same (a writer's scan at start and its compaction at the end, status and
// aggregate in one command).
func verify(f *fileInfo) error {
	st, err := os.Stat(f.path)
	if err != nil {
		return err
	}
	id := fileID{f.path, st.Size(), st.ModTime().UnixNano(), inode(st)}
	if m, ok := verified.Load(id); ok {
		f.meta = m.(map[string]string)
		return nil
	}
	if err := verifyBytes(f); err != nil {
		return err
	}
	verified.Store(id, f.meta)
	return nil
}

// fileID identifies a file's state for the verification cache.
type fileID struct {
	path        string
	size, mtime int64
	ino         uint64
}

// verified maps the fileIDs of files that verified to their metadata.
var verified sync.Map

func inode(st os.FileInfo) uint64 {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return s.Ino
	}
	return 0
}

func verifyBytes(f *fileInfo) error {
	if !f.pn.legacy {
		fh, err := os.Open(f.path)
		if err != nil {
			return err
		}
		h := sha256.New()
		_, err = io.Copy(h, fh)
		fh.Close()
		if err != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)[:8]); got != f.pn.hash {
			return fmt.Errorf("its content hash is %s, its name says %s: the file changed after it was written", got, f.pn.hash)
		}
	} else if err := table.Decode(f.path); err != nil {
		if _, serr := os.Stat(f.path); os.IsNotExist(serr) {
			return serr
		}
		return err
	}
	meta, err := table.Metadata(f.path, "eisweep.")
	if err != nil {
		return err
	}
	f.meta = meta
	return nil
}

// readKeys returns the set of keys of column col of files, and how many keys appear in more
// than one file.
func readKeys(files []string, col string) (KeySet, int64, error) {
	var all []uint64
	for _, p := range files {
		start := len(all)
		err := table.EachString(p, col, func(v string) error {
			k, err := parseKey(v)
			if err != nil {
				return err
			}
			all = append(all, k)
			return nil
		})
		if err != nil {
			return KeySet{}, 0, fmt.Errorf("reading %s of %s: %w", col, p, err)
		}
		own := all[start:]
		slices.Sort(own)
		all = append(all[:start], slices.Compact(own)...) // a key's rows in one file count once
	}
	slices.Sort(all)
	n := len(all)
	all = slices.Compact(all)
	return KeySet{keys: slices.Clip(all)}, int64(n - len(all)), nil
}

// parseKey parses a key written as 16 hex digits.
func parseKey(s string) (uint64, error) {
	if len(s) != 16 {
		return 0, fmt.Errorf("%q is not a key of 16 hex digits", s)
	}
	k, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a key of 16 hex digits", s)
	}
	return k, nil
}
