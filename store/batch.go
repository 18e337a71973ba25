package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/eisweep/eisweep/buildinfo"
)

// Metadata keys the store writes into every file.
const (
	metaBatch       = "eisweep.batch"   // the batch id
	metaWriters     = "eisweep.writers" // JSON list of the writers whose rows the file holds
	metaTables      = "eisweep.tables"  // primary files: the companion tables of the batch, space-separated
	metaCompacted   = "eisweep.compacted_from"
	metaCompactedAt = "eisweep.compacted_at"
)

// WriterInfo is what a file says of a writer whose rows it holds.
type WriterInfo struct {
	Writer    string `json:"writer"`
	Command   string `json:"command"`
	Shard     string `json:"shard"`
	Host      string `json:"host"`
	Version   string `json:"version"`
	GoVersion string `json:"go_version"`
	Start     string `json:"start"`
}

// Batch is rows written together: at most one file per table, published by Commit, companions
// first. Files of a batch share its id.
type Batch struct {
	s         *Store
	id        string
	compacted bool // the folder's compacted form (NewCompactedBatch)
	files     []pendingFile
}

type pendingFile struct {
	table    int
	tmp, dst string
}

// NewBatch starts a batch.
func (s *Store) NewBatch() *Batch {
	return &Batch{s: s, id: s.writer.batchID("part", s.opt.Shard.Tag(), s.nextSeq())}
}

func (s *Store) nextSeq() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return s.seq - 1
}

// ErrNotEmpty is returned by NewCompactedBatch for a folder that has table files.
var ErrNotEmpty = errors.New("the folder has table files")

// NewCompactedBatch starts a batch that is the folder's compacted form: what Compact would make
// of it, written once instead of as a part that Compact then reads back and rewrites. It is for
// the rows that complete a sweep in a folder whose tables have no file yet, written by a
// whole-folder writer; ErrNotEmpty (wrapped) otherwise. Its files are compact-* files whose row
// groups are as Compact wants them when the batch's files have at most one row group per
// MinRowGroup rows (table.Write of up to 1<<20 rows in one group does), and Compact leaves them
// as they are.
func (s *Store) NewCompactedBatch() (*Batch, error) {
	if s.opt.Shard.N != 0 {
		return nil, fmt.Errorf("store: a compacted batch needs the whole folder, not shard %s", s.opt.Shard.Tag())
	}
	for _, t := range s.opt.Tables {
		entries, err := os.ReadDir(filepath.Join(s.dir, t.Name))
		if err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("reading %s: %w", filepath.Join(s.dir, t.Name), err)
		}
		for _, e := range entries {
			if _, ok := parseName(e.Name()); ok {
				return nil, fmt.Errorf("%w: %s", ErrNotEmpty, filepath.Join(s.dir, t.Name, e.Name()))
			}
		}
	}
	return &Batch{s: s, id: s.writer.batchID("compact", "all", s.nextSeq()), compacted: true}, nil
}

// info describes this writer for file metadata.
func (s *Store) info() WriterInfo {
	host, _ := os.Hostname()
	return WriterInfo{Writer: s.writer.String(), Command: s.opt.Command, Shard: s.opt.Shard.Tag(), Host: host,
		Version: buildinfo.Version(), GoVersion: runtime.Version(), Start: s.start.UTC().Format(time.RFC3339)}
}

// Write writes the batch's file of table. write receives the file and the store's key-value
// metadata for it (batch, writer, and for the primary the batch's companions), to which it adds
// its own. Companions are written before the primary; the primary's write comes last.
func (b *Batch) Write(table string, write func(w io.Writer, meta map[string]string) error) error {
	ti, ok := b.s.keys[table]
	if !ok {
		return fmt.Errorf("store: no table %q", table)
	}
	for _, f := range b.files {
		if f.table == 0 {
			return fmt.Errorf("store: %s written after the batch's primary table", table)
		}
		if f.table == ti {
			return fmt.Errorf("store: %s written twice in one batch", table)
		}
	}
	ws, _ := json.Marshal([]WriterInfo{b.s.info()})
	meta := map[string]string{metaBatch: b.id, metaWriters: string(ws)}
	if b.compacted {
		// As Compact writes them: the sources (none) and the time.
		meta[metaCompacted] = ""
		meta[metaCompactedAt] = time.Now().UTC().Format(time.RFC3339)
	}
	if ti == 0 {
		var comp []string
		for _, f := range b.files {
			comp = append(comp, b.s.opt.Tables[f.table].Name)
		}
		meta[metaTables] = strings.Join(comp, " ")
	}
	dir := filepath.Join(b.s.dir, table)
	if err := ensureDir(dir); err != nil {
		return err
	}
	tmp := filepath.Join(dir, b.s.writer.tempName(b.id+".parquet"))
	h := sha256.New()
	if err := writeTemp(tmp, func(w io.Writer) error { return write(w, meta) }, h); err != nil {
		return err
	}
	b.files = append(b.files, pendingFile{table: ti, tmp: tmp, dst: filepath.Join(dir, b.id+"."+hashHex(h)+".parquet")})
	return nil
}

func hashHex(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)[:8]) }

// Commit publishes the batch's files, companions first and the primary last, and returns their
// paths. On error the files not yet published are removed; published companions without their
// primary are orphans that readers ignore.
func (b *Batch) Commit() ([]string, error) {
	var paths []string
	var err error
	for k, f := range b.files {
		if err == nil {
			if err = publish(f.tmp, f.dst); err == nil {
				paths = append(paths, f.dst)
				continue
			}
		}
		os.Remove(b.files[k].tmp)
	}
	b.s.mu.Lock()
	b.s.published += len(paths)
	b.s.mu.Unlock()
	b.files = nil
	return paths, err
}

// Abort removes the batch's unpublished files.
func (b *Batch) Abort() {
	for _, f := range b.files {
		os.Remove(f.tmp)
	}
	b.files = nil
}

// publish gives the finished file tmp its final name dst without ever replacing a file there (a
// hard link fails if dst exists), and fsyncs the directory.
func publish(tmp, dst string) error {
	if err := os.Link(tmp, dst); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("publishing %s: a file of that name exists (a writer id used twice?): %w", dst, err)
		}
		return fmt.Errorf("publishing %s: %w", dst, err)
	}
	if err := os.Remove(tmp); err != nil {
		return fmt.Errorf("publishing %s: %w", dst, err)
	}
	return syncDir(filepath.Dir(dst))
}
