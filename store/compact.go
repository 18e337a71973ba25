package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/eisweep/eisweep/table"
)

const (
	// MinRowGroup is the fewest rows a compacted row group holds (unless the file has fewer):
	// DuckDB reads many tiny row groups several times slower than few large ones.
	MinRowGroup = 100_000
	// maxCompactRows is the most primary rows a compacted file holds.
	maxCompactRows = 5_000_000
)

// CompactSummary reports what compaction did to one table.
type CompactSummary struct {
	Table       string
	FilesBefore int
	FilesAfter  int
	Rows        int64 // rows kept
	Dropped     int64 // rows dropped as duplicates of rows in earlier batches
	Rewritten   bool  // the table's files were merged into new ones (false: already compacted)
}

// repair removes what no live writer can be using, for a whole-folder writer: temporary files,
// orphaned companions and superseded compaction sources. It resets the shard layout.
func (s *Store) repair(c *Contents) error {
	dirs := map[string]bool{}
	for _, list := range [][]string{c.Leftovers, c.Orphans, c.Superseded} {
		for _, p := range list {
			if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("removing %s: %w", p, err)
			}
			dirs[filepath.Dir(p)] = true
		}
	}
	for d := range dirs {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// Compact merges each table's files into few large ones (up to 5 million primary rows each) whose
// row groups hold at least 100,000 rows, keeping each key's rows from the first batch that has
// it (so a row written twice is kept once, in every table alike). A batch's companions are
// published before its primary, and sources are removed only after both: a crash or a signal at
// any moment leaves the folder as it was or compacted, and the next whole-folder writer removes
// what was left over. It needs the whole folder (an exclusive store) and stops when ctx is
// cancelled, removing its temporary files.
func (s *Store) Compact(ctx context.Context) ([]CompactSummary, error) {
	if s.opt.Shard.N != 0 {
		return nil, fmt.Errorf("store: compaction needs the whole folder, not shard %s", s.opt.Shard.Tag())
	}
	c, err := s.Scan()
	if err != nil {
		return nil, err
	}
	primary := c.Files[s.opt.Tables[0].Name]
	if len(primary) == 0 {
		return nil, nil
	}
	// Batches in order, with their files per table.
	type batch struct {
		id    string
		files []string // per table; "" if none
	}
	var batches []batch
	index := map[string]int{}
	for _, p := range primary {
		pn, _ := parseName(filepath.Base(p))
		index[pn.batch] = len(batches)
		b := batch{id: pn.batch, files: make([]string, len(s.opt.Tables))}
		b.files[0] = p
		batches = append(batches, b)
	}
	var legacy []string // companions of older releases, not paired with a batch
	for ti, t := range s.opt.Tables[1:] {
		for _, p := range c.Files[t.Name] {
			pn, _ := parseName(filepath.Base(p))
			if k, ok := index[pn.batch]; ok {
				batches[k].files[ti+1] = p
			} else {
				legacy = append(legacy, p)
			}
		}
	}
	// Legacy companions (not paired with a batch) go with the first output file.

	// Which batch keeps each key, per table; rows kept per batch and table.
	sums := make([]CompactSummary, len(s.opt.Tables))
	kept := make([][]int64, len(batches))
	for bi := range kept {
		kept[bi] = make([]int64, len(s.opt.Tables))
	}
	winners := make([]map[uint64]int, len(s.opt.Tables)) // per table, the keys in several batches
	// A folder that is one compacted batch already stays as it is; a single part is still
	// rewritten, so that every compacted folder has the same shape (compact-* files).
	simple := len(batches) == 1 && len(legacy) == 0 && strings.HasPrefix(batches[0].id, "compact-")
	for ti, t := range s.opt.Tables {
		sums[ti].Table = t.Name
		files := make([]string, len(batches))
		for bi, b := range batches {
			files[bi] = b.files[ti]
			if b.files[ti] != "" {
				sums[ti].FilesBefore++
				if bi == 0 && !goodRowGroups(b.files[ti]) {
					simple = false
				}
			}
		}
		var w winnerSet
		var rows []int64
		if len(batches) == 1 {
			// One batch has no key in another: the footer's row count is all there is to know.
			w.dropped, rows = make([]int64, 1), make([]int64, 1)
			if files[0] != "" {
				if rows[0], err = table.NumRows(files[0]); err != nil {
					return nil, err
				}
			}
		} else if w, rows, err = keyWinners(ctx, files, t.Key); err != nil {
			return nil, fmt.Errorf("compacting %s: %w", filepath.Join(s.dir, t.Name), err)
		}
		winners[ti] = w.winner
		for bi := range batches {
			kept[bi][ti] = rows[bi] - w.dropped[bi]
			sums[ti].Dropped += w.dropped[bi]
		}
		if sums[ti].Dropped > 0 {
			simple = false
		}
	}
	for _, p := range legacy {
		ti := s.keys[filepath.Base(filepath.Dir(p))]
		sums[ti].FilesBefore++
	}
	if simple {
		for ti := range sums {
			sums[ti].FilesAfter = sums[ti].FilesBefore
			sums[ti].Rows = kept[0][ti]
		}
		return summaries(sums), nil
	}
	// Cut into output files at batch boundaries.
	for start := 0; start < len(batches); {
		end, n := start, int64(0)
		for end < len(batches) && (end == start || n+kept[end][0] <= maxCompactRows) {
			n += kept[end][0]
			end++
		}
		id := s.writer.batchID("compact", "all", s.nextSeq())
		group := batches[start:end]
		extra := map[int][]string{}
		if start == 0 {
			for _, p := range legacy {
				ti := s.keys[filepath.Base(filepath.Dir(p))]
				extra[ti] = append(extra[ti], p)
			}
		}
		var published, companions []string
		sources := make([][]string, len(s.opt.Tables))
		// Companions first, then the primary.
		for _, ti := range append(seqFrom(1, len(s.opt.Tables)), 0) {
			var srcs []string
			var srcBatch []int
			var rows int64
			for k, b := range group {
				if b.files[ti] != "" {
					srcs, srcBatch = append(srcs, b.files[ti]), append(srcBatch, start+k)
					rows += kept[start+k][ti]
				}
			}
			for _, p := range extra[ti] {
				srcs, srcBatch = append(srcs, p), append(srcBatch, -1)
				n, err := table.NumRows(p)
				if err != nil {
					return nil, err
				}
				rows += n
			}
			if len(srcs) == 0 {
				continue
			}
			t := s.opt.Tables[ti]
			extraMeta := map[string]string{metaBatch: id}
			if ti == 0 {
				extraMeta[metaTables] = strings.Join(companions, " ")
			}
			dir := filepath.Join(s.dir, t.Name)
			tmp := filepath.Join(dir, s.writer.tempName(id+".parquet"))
			h := sha256.New()
			err := writeTemp(tmp, func(w io.Writer) error {
				return merge(ctx, w, srcs, srcBatch, t.Key, winners[ti], rows, extraMeta)
			}, h)
			if err != nil {
				return nil, fmt.Errorf("compacting %s: %w", dir, err)
			}
			dst := filepath.Join(dir, id+"."+hashHex(h)+".parquet")
			if err := publish(tmp, dst); err != nil {
				os.Remove(tmp)
				return nil, err
			}
			published = append(published, dst)
			if ti != 0 {
				companions = append(companions, t.Name)
			}
			if err := hook(map[bool]string{true: "primary published", false: "companion published"}[ti == 0]); err != nil {
				return nil, err
			}
			sources[ti] = srcs
			sums[ti].FilesAfter++
			sums[ti].Rows += rows
			sums[ti].Rewritten = true
		}
		// Sources go once the primary is published: the primary's first, so that a crash leaves
		// companions that are superseded or orphans, never a batch without its companions.
		for _, ti := range append([]int{0}, seqFrom(1, len(s.opt.Tables))...) {
			for _, p := range sources[ti] {
				if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
					return nil, fmt.Errorf("removing %s, compacted into %s: %w", p, published[len(published)-1], err)
				}
			}
			if len(sources[ti]) > 0 {
				if err := syncDir(filepath.Join(s.dir, s.opt.Tables[ti].Name)); err != nil {
					return nil, err
				}
			}
			if ti == 0 {
				if err := hook("primary sources removed"); err != nil {
					return nil, err
				}
			}
		}
		start = end
	}
	return summaries(sums), nil
}

// compactHook, when set by a test, is called at each step of a compaction; an error stops it
// there, as a crash would.
var compactHook func(stage string) error

func hook(stage string) error {
	if compactHook == nil {
		return nil
	}
	return compactHook(stage)
}

// winnerSet says which batch keeps the rows of keys found in more than one batch.
type winnerSet struct {
	winner  map[uint64]int // key → the first batch that has it, for keys in several batches only
	dropped []int64        // rows per batch dropped because an earlier batch has their key
}

// keyWinners reads the key column of each batch's file (files[b], "" for none) and returns, for
// keys in more than one batch, the first batch that has them, and the rows each batch has and
// drops. It holds one (key, batch, rows) entry per run of equal keys in a file, so a table with
// many rows per key (traces) costs what its primary does.
func keyWinners(ctx context.Context, files []string, col string) (winnerSet, []int64, error) {
	type span struct {
		k    uint64
		b, n int32
	}
	var spans []span
	rows := make([]int64, len(files))
	for bi, p := range files {
		if p == "" {
			continue
		}
		if err := ctx.Err(); err != nil {
			return winnerSet{}, nil, err
		}
		last := -1
		err := table.EachString(p, col, func(v string) error {
			k, err := parseKey(v)
			if err != nil {
				return err
			}
			rows[bi]++
			if last >= 0 && spans[last].k == k {
				spans[last].n++
				return nil
			}
			spans = append(spans, span{k, int32(bi), 1})
			last = len(spans) - 1
			return nil
		})
		if err != nil {
			return winnerSet{}, nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	slices.SortFunc(spans, func(a, b span) int {
		if c := cmp.Compare(a.k, b.k); c != 0 {
			return c
		}
		return cmp.Compare(a.b, b.b)
	})
	w := winnerSet{winner: map[uint64]int{}, dropped: make([]int64, len(files))}
	for i := 0; i < len(spans); {
		j := i + 1
		for j < len(spans) && spans[j].k == spans[i].k {
			j++
		}
		if spans[j-1].b != spans[i].b { // in several batches: the first keeps it
			w.winner[spans[i].k] = int(spans[i].b)
			for _, sp := range spans[i:j] {
				if sp.b != spans[i].b {
					w.dropped[sp.b] += int64(sp.n)
				}
			}
		}
		i = j
	}
	return w, rows, nil
}

func summaries(sums []CompactSummary) []CompactSummary {
	var out []CompactSummary
	for _, s := range sums {
		if s.FilesBefore > 0 {
			out = append(out, s)
		}
	}
	return out
}

func seqFrom(lo, hi int) []int {
	var xs []int
	for i := lo; i < hi; i++ {
		xs = append(xs, i)
	}
	return xs
}

// goodRowGroups reports whether every row group of a file but a sole one holds at least
// MinRowGroup rows.
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
		if rdr.MetaData().RowGroup(i).NumRows() < MinRowGroup {
			return false
		}
	}
	return true
}

// merge writes to w the rows of srcs (n in all after filtering) in row groups of at least
// MinRowGroup rows: g = max(1, n/MinRowGroup) groups of ⌊n/g⌋ rows, the last taking the
// remainder. A row of srcs[k] is kept when its key's winner is srcBatch[k] (or srcBatch[k] < 0:
// keep all). The metadata merges the sources': their writers, the last source's definition,
// the sources' names, and extra.
func merge(ctx context.Context, w io.Writer, srcs []string, srcBatch []int, key string, winners map[uint64]int, n int64, extra map[string]string) (err error) {
	mem := memory.NewGoAllocator()
	groups := max(1, n/MinRowGroup)
	size := max(1, n/groups)
	var schema *arrow.Schema
	var fw *pqarrow.FileWriter
	defer func() {
		if err != nil && fw != nil {
			fw.Close()
		}
	}()
	meta := map[string]string{}
	var writers []WriterInfo
	seen := map[string]bool{}
	var names []string
	var written int64
	for k, p := range srcs {
		names = append(names, filepath.Base(p))
		rdr, err := file.OpenParquetFile(p, false)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		err = func() error {
			defer rdr.Close()
			kv := rdr.MetaData().KeyValueMetadata()
			for i, key := range kv.Keys() {
				switch {
				case key == metaWriters:
					var ws []WriterInfo
					if json.Unmarshal([]byte(kv.Values()[i]), &ws) == nil {
						for _, wi := range ws {
							if !seen[wi.Writer] {
								seen[wi.Writer] = true
								writers = append(writers, wi)
							}
						}
					}
				case key == metaCompacted || key == metaBatch || key == metaTables:
				case strings.HasPrefix(key, "eisweep."):
					meta[key] = kv.Values()[i]
				}
			}
			if kv.FindValue(metaWriters) == nil {
				// An older release's file: its writer from its own keys.
				wi := WriterInfo{Writer: "legacy:" + filepath.Base(p), Host: valueOr(kv.FindValue("eisweep.host")), Version: valueOr(kv.FindValue("eisweep.version")),
					GoVersion: valueOr(kv.FindValue("eisweep.go_version")), Start: valueOr(kv.FindValue("eisweep.start_time"))}
				if !seen[wi.Writer] {
					seen[wi.Writer] = true
					writers = append(writers, wi)
				}
			}
			fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 1 << 14}, mem)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			ps, err := fr.Schema()
			if err != nil {
				return err
			}
			plain := arrow.NewSchema(ps.Fields(), nil)
			if schema == nil {
				schema = plain
				if fw, err = pqarrow.NewFileWriter(schema, nopCloser{w}, table.WriterProperties(1<<40), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())); err != nil {
					return err
				}
			} else if !schema.Equal(plain) {
				return fmt.Errorf("%s has other columns than %s (written by another eisweep version?); move one of them to another folder", p, srcs[0])
			}
			keyIdx := schema.FieldIndices(key)
			if len(keyIdx) != 1 {
				return fmt.Errorf("%s has no column %q", p, key)
			}
			rr, err := fr.GetRecordReader(ctx, nil, nil)
			if err != nil {
				return err
			}
			defer rr.Release()
			for rr.Next() {
				if err := ctx.Err(); err != nil {
					return err
				}
				rec := array.NewRecordBatch(schema, rr.RecordBatch().Columns(), rr.RecordBatch().NumRows())
				err := writeKept(rec, keyIdx[0], srcBatch[k], winners, func(sl arrow.RecordBatch) error {
					for off := int64(0); off < sl.NumRows(); {
						g := min(written/size, groups-1)
						end := (g + 1) * size
						if g == groups-1 {
							end = n
						}
						take := min(sl.NumRows()-off, end-written)
						part := sl.NewSlice(off, off+take)
						err := fw.WriteBuffered(part)
						part.Release()
						if err != nil {
							return err
						}
						off += take
						written += take
						if written == end && g < groups-1 {
							fw.NewBufferedRowGroup()
						}
					}
					return nil
				})
				rec.Release()
				if err != nil {
					return err
				}
			}
			return rr.Err()
		}()
		if err != nil {
			return err
		}
	}
	if written != n {
		return fmt.Errorf("read %d rows of %d", written, n)
	}
	ws, _ := json.Marshal(writers)
	meta[metaWriters] = string(ws)
	meta[metaCompacted] = strings.Join(names, "\n")
	meta[metaCompactedAt] = time.Now().UTC().Format(time.RFC3339)
	for k, v := range extra {
		meta[k] = v
	}
	for _, k := range table.SortedKeys(meta) {
		if err := fw.AppendKeyValueMetadata(k, meta[k]); err != nil {
			return err
		}
	}
	return fw.Close()
}

// writeKept calls write with the runs of consecutive rows of rec that are kept.
func writeKept(rec arrow.RecordBatch, keyCol, batch int, winners map[uint64]int, write func(arrow.RecordBatch) error) error {
	if batch < 0 || len(winners) == 0 {
		return write(rec) // nothing to drop
	}
	keys, ok := rec.Column(keyCol).(*array.String)
	if !ok {
		return fmt.Errorf("key column is %s, want string", rec.Column(keyCol).DataType())
	}
	from := int64(-1)
	flush := func(to int64) error {
		if from < 0 {
			return nil
		}
		sl := rec.NewSlice(from, to)
		defer sl.Release()
		from = -1
		return write(sl)
	}
	for i := range int64(rec.NumRows()) {
		k, err := parseKey(keys.Value(int(i)))
		if err != nil {
			return err
		}
		if w, dup := winners[k]; !dup || w == batch {
			if from < 0 {
				from = i
			}
			continue
		}
		if err := flush(i); err != nil {
			return err
		}
	}
	return flush(rec.NumRows())
}

func valueOr(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// nopCloser keeps the Parquet writer from closing the store's file.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
