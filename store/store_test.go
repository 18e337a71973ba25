package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/eisweep/eisweep/table"
)

// The tests use a folder of two tables: rows (the primary, keyed by id) and steps (a companion:
// several rows per id, as traces are per run).
var testTables = []Table{{Name: "rows", Key: "id"}, {Name: "steps", Key: "id"}}

type krow struct {
	id string
	v  int64
}

var kcols = []table.Column[krow]{
	table.String("id", "key", func(r *krow) string { return r.id }),
	table.Int("v", "value", func(r *krow) int64 { return r.v }),
}

const testDef = "name = \"t\"\n"

func key(i int) string { return fmt.Sprintf("%016x", i) }

func open(t *testing.T, dir string, sh Shard) *Store {
	t.Helper()
	s, err := Open(dir, Options{Tables: testTables, Shard: sh, Command: "test", Definition: testDef})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(nil) })
	return s
}

// writeBatch writes ids lo..hi-1 as one batch: one primary row and steps companion rows each.
func writeBatch(t *testing.T, s *Store, lo, hi, steps int) []string {
	t.Helper()
	var rows, comp []krow
	for i := lo; i < hi; i++ {
		rows = append(rows, krow{key(i), int64(i)})
		for k := range steps {
			comp = append(comp, krow{key(i), int64(k)})
		}
	}
	b := s.NewBatch()
	w := func(name string, rs []krow) {
		if err := b.Write(name, func(w io.Writer, m map[string]string) error { return table.Write(w, kcols, rs, m, 1<<20) }); err != nil {
			t.Fatal(err)
		}
	}
	if steps > 0 {
		w("steps", comp)
	}
	w("rows", rows)
	paths, err := b.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

// count returns, per table, rows per key over the files that count.
func count(t *testing.T, dir string) map[string]map[string]int {
	t.Helper()
	c, err := Read(dir, testTables)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]int{}
	for _, tb := range testTables {
		out[tb.Name] = map[string]int{}
		for _, p := range c.Files[tb.Name] {
			if err := table.EachString(p, "id", func(v string) error { out[tb.Name][v]++; return nil }); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

// exactlyOnce fails unless ids 0..n-1 have one row each and steps rows each in the companion.
func exactlyOnce(t *testing.T, dir string, n, steps int) {
	t.Helper()
	c := count(t, dir)
	if len(c["rows"]) != n {
		t.Errorf("%d ids, want %d", len(c["rows"]), n)
	}
	for i := range n {
		if c["rows"][key(i)] != 1 || steps > 0 && c["steps"][key(i)] != steps {
			t.Errorf("id %d: %d rows and %d steps, want 1 and %d", i, c["rows"][key(i)], c["steps"][key(i)], steps)
		}
	}
}

// snapshot returns every file under dir with its bytes.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			m[p] = string(b)
		}
		return nil
	})
	return m
}

// TestRefusesForeignFolder: a non-empty folder without sweep.toml is refused and left exactly as
// it was; an empty one is taken.
func TestRefusesForeignFolder(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "rows"), 0o755)
	os.WriteFile(filepath.Join(dir, "rows", "a.parquet"), []byte("theirs"), 0o644)
	os.WriteFile(filepath.Join(dir, "rows", "b.parquet.tmp"), []byte("theirs too"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("notes"), 0o644)
	before := snapshot(t, dir)
	_, err := Open(dir, Options{Tables: testTables, Command: "test", Definition: testDef})
	if !errors.Is(err, ErrNotAFolder) || !strings.Contains(err.Error(), "-o DIR") {
		t.Errorf("foreign folder: %v, want ErrNotAFolder naming the fix", err)
	}
	if after := snapshot(t, dir); !equalMaps(before, after) {
		t.Errorf("the folder changed: %v → %v", keys(before), keys(after))
	}
	open(t, t.TempDir(), Shard{})
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestSymlinksNotFollowed: a symbolic link where the store writes (.lock, a table directory) is
// refused and its target never written; a link named like an old temporary file is not followed.
func TestSymlinksNotFollowed(t *testing.T) {
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim.txt")
	os.WriteFile(victim, []byte("keep me"), 0o644)
	for _, c := range []struct{ name, reason string }{
		{".lock", "the lock file"},
		{"rows", "a table directory"},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, DefinitionFile), []byte("name = \"t\"\n"), 0o644)
		target := victim
		if c.name == "rows" {
			target = outside
		}
		if err := os.Symlink(target, filepath.Join(dir, c.name)); err != nil {
			t.Fatal(err)
		}
		s, err := Open(dir, Options{Tables: testTables, Command: "test", Definition: testDef})
		if err == nil {
			s.Close(nil)
			t.Errorf("%s as a link: opened", c.reason)
		} else if !strings.Contains(err.Error(), "link") {
			t.Errorf("%s as a link: %v, want an error that names the link", c.reason, err)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, DefinitionFile), []byte("name = \"t\"\n"), 0o644)
	os.Symlink(victim, filepath.Join(dir, "sweep.toml.tmp"))
	s := open(t, dir, Shard{})
	writeBatch(t, s, 0, 3, 0)
	if b, _ := os.ReadFile(victim); string(b) != "keep me" {
		t.Errorf("the victim outside the folder changed: %q", b)
	}
	if got, _ := os.ReadDir(outside); len(got) != 1 {
		t.Errorf("the folder outside gained files: %v", got)
	}
}

// TestLayout: shards of one n start together (at the same instant) and of them one registers the
// layout; a shard of another n is refused while it stands; a whole-folder writer resets it.
func TestLayout(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, 12)
	stores := make([]*Store, 12)
	start := make(chan struct{})
	for k := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			sh := Shard{K: k%8 + 1, N: 8}
			if k >= 8 {
				sh = Shard{K: k%4 + 1, N: 4}
			}
			stores[k], errs[k] = Open(dir, Options{Tables: testTables, Shard: sh, Command: "test", Definition: testDef})
		}()
	}
	close(start)
	wg.Wait()
	var ok8, ok4, layout int
	for k, err := range errs {
		switch {
		case err == nil && k < 8:
			ok8++
		case err == nil:
			ok4++
		case errors.Is(err, ErrLayout):
			layout++
		default:
			t.Errorf("shard %d: %v", k, err)
		}
		if err == nil {
			stores[k].Close(nil)
		}
	}
	if !(ok8 == 8 && ok4 == 0 && layout == 4 || ok4 == 4 && ok8 == 0 && layout == 8) {
		t.Errorf("8 shards of 8 and 4 of 4 at once: %d and %d opened, %d refused for the layout; want one layout only", ok8, ok4, layout)
	}
	if n := Layout(dir); n != 8 && n != 4 {
		t.Errorf("layout %d", n)
	}
	s := open(t, dir, Shard{})
	s.Close(nil)
	if n := Layout(dir); n != 0 {
		t.Errorf("after a whole-folder writer, layout %d, want none", n)
	}
}

// TestWritersTakesNoLock: status's look at the locks never makes a starting writer fail.
func TestWritersTakesNoLock(t *testing.T) {
	dir := t.TempDir()
	holder := open(t, dir, Shard{K: 1, N: 2})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 2000 {
			if w := Writers(dir); !strings.Contains(w, "shard 1/2") {
				t.Errorf("Writers = %q, want the shard named", w)
				return
			}
		}
	}()
	for range 50 {
		s, err := Open(dir, Options{Tables: testTables, Shard: Shard{K: 2, N: 2}, Command: "test", Definition: testDef})
		if err != nil {
			t.Fatalf("a shard starting while status looks: %v", err)
		}
		s.Close(nil)
	}
	<-done
	holder.Close(nil)
	if w := Writers(dir); w != "" {
		t.Errorf("after release: %q", w)
	}
}

// TestNoLocks: on a file system without locks, the error names the mount options that fix it.
func TestNoLocks(t *testing.T) {
	lockErrHook = func() error { return syscall.ENOSYS }
	defer func() { lockErrHook = nil }()
	_, err := Open(t.TempDir(), Options{Tables: testTables, Command: "test", Definition: testDef})
	if !errors.Is(err, ErrNoLocks) || !strings.Contains(err.Error(), "-o flock") || !strings.Contains(err.Error(), "localflock") {
		t.Errorf("without locks: %v", err)
	}
}

// flip XORs n bytes of path at the fraction at of its length.
func flip(t *testing.T, path string, at float64, n int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	off := int(float64(len(b)) * at)
	for i := off; i < off+n && i < len(b); i++ {
		b[i] ^= 0xff
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestVerification: a byte flipped anywhere in a file (its key column, another column, its
// footer) is found: a reader reports the file and leaves it, a writer moves it aside with its
// batch's other files, so that their rows are written again; a flipped companion takes its
// primary with it.
func TestVerification(t *testing.T) {
	for _, c := range []struct {
		table string
		at    float64
	}{{"rows", 0.01}, {"rows", 0.5}, {"rows", 0.97}, {"steps", 0.5}} {
		dir := t.TempDir()
		s := open(t, dir, Shard{K: 1, N: 1})
		writeBatch(t, s, 0, 10, 3)
		p2 := writeBatch(t, s, 10, 20, 3)
		victim := p2[1]
		if c.table == "steps" {
			victim = p2[0]
		}
		flip(t, victim, c.at, 2)
		r, err := Read(dir, testTables)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(r.Corrupt, victim) {
			t.Errorf("%s at %.0f%%: reader did not report it (%v)", c.table, 100*c.at, r.Corrupt)
		}
		if _, err := os.Stat(victim); err != nil {
			t.Errorf("%s at %.0f%%: a reader moved it", c.table, 100*c.at)
		}
		var log strings.Builder
		s.opt.Log = &log
		got, err := s.Scan("rows")
		if err != nil {
			t.Fatal(err)
		}
		if got.Keys["rows"].Len() != 10 || got.Keys["rows"].Has(10) {
			t.Errorf("%s at %.0f%%: %d keys count after the scan, want the first batch's 10", c.table, 100*c.at, got.Keys["rows"].Len())
		}
		if _, err := os.Stat(victim + ".corrupt"); err != nil || !strings.Contains(log.String(), "unreadable") {
			t.Errorf("%s at %.0f%%: not moved aside and reported (%v, %q)", c.table, 100*c.at, err, log.String())
		}
		writeBatch(t, s, 10, 20, 3) // the runs again
		exactlyOnce(t, dir, 20, 3)
	}
}

// TestOrphanedCompanion: a companion published without its primary (a crash between the two)
// does not count; a shard leaves it, a whole-folder writer removes it.
func TestOrphanedCompanion(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Shard{K: 1, N: 2})
	paths := writeBatch(t, s, 0, 5, 4)
	os.Remove(paths[1]) // as if the process died before publishing the primary
	c, err := s.Scan("rows")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Files["steps"]) != 0 || len(c.Orphans) != 1 {
		t.Errorf("orphan counted: files %v, orphans %v", c.Files, c.Orphans)
	}
	writeBatch(t, s, 0, 5, 4)
	exactlyOnce(t, dir, 5, 4)
	s.Close(nil)
	w := open(t, dir, Shard{})
	if _, err := w.Scan(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(paths[0]); !os.IsNotExist(err) {
		t.Errorf("orphan not removed by the whole-folder writer: %v", err)
	}
	exactlyOnce(t, dir, 5, 4)
}

// TestCompact: parts of several writers merge into one file per table, each id's rows kept once
// (from its first batch, in every table alike), with every writer's provenance.
func TestCompact(t *testing.T) {
	dir := t.TempDir()
	for k := 1; k <= 2; k++ {
		s := open(t, dir, Shard{K: k, N: 2})
		writeBatch(t, s, (k-1)*30, k*30, 5)
		writeBatch(t, s, (k-1)*30+10, k*30+10, 5) // 10 ids twice, as by two writers of one run
		s.Close(nil)
	}
	s := open(t, dir, Shard{})
	sums, err := s.Compact(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 2 || sums[0].FilesBefore != 4 || sums[0].FilesAfter != 1 || sums[0].Rows != 70 || sums[0].Dropped != 50 {
		t.Errorf("compaction %+v", sums)
	}
	exactlyOnce(t, dir, 70, 5)
	c, _ := Read(dir, testTables)
	meta, _ := table.Metadata(c.Files["rows"][0], "eisweep.")
	var ws []WriterInfo
	if err := json.Unmarshal([]byte(meta[metaWriters]), &ws); err != nil || len(ws) != 2 || ws[0].Writer == ws[1].Writer {
		t.Errorf("writers of the compacted file: %v (%v), want both shards'", ws, err)
	}
	for _, e := range []string{"rows", "steps"} {
		if n, _ := os.ReadDir(filepath.Join(dir, e)); len(n) != 1 {
			t.Errorf("%s/ holds %d files after compaction, want 1", e, len(n))
		}
	}
	// Again: nothing to do, the file stays.
	before := c.Files["rows"][0]
	if _, err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c2, _ := Read(dir, testTables); c2.Files["rows"][0] != before {
		t.Errorf("a compacted folder was rewritten")
	}
}

// TestCompactInterrupted: compaction stopped by a crash at each step, or by a cancelled context,
// leaves the folder as it was or compacted: after the next whole-folder writer, every id once.
func TestCompactInterrupted(t *testing.T) {
	for _, stage := range []string{"companion published", "primary published", "primary sources removed", "cancelled"} {
		dir := t.TempDir()
		s := open(t, dir, Shard{})
		for k := range 4 {
			writeBatch(t, s, k*10, k*10+10, 3)
		}
		ctx, cancel := context.WithCancel(context.Background())
		compactHook = func(at string) error {
			if stage == "cancelled" {
				cancel()
				return nil
			}
			if at == stage {
				return errors.New("crash")
			}
			return nil
		}
		_, err := s.Compact(ctx)
		compactHook = nil
		cancel()
		if err == nil {
			t.Errorf("%s: compaction went on", stage)
		}
		for _, tb := range testTables {
			entries, _ := os.ReadDir(filepath.Join(dir, tb.Name))
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), tmpPrefix) && stage == "cancelled" {
					t.Errorf("%s: temporary file %s left", stage, e.Name())
				}
			}
		}
		exactlyOnce(t, dir, 40, 3) // as a reader sees it, before any repair
		s.Close(nil)
		w := open(t, dir, Shard{})
		if _, err := w.Compact(context.Background()); err != nil {
			t.Fatalf("%s: next compaction: %v", stage, err)
		}
		exactlyOnce(t, dir, 40, 3)
		for _, tb := range testTables {
			if n, _ := os.ReadDir(filepath.Join(dir, tb.Name)); len(n) != 1 {
				t.Errorf("%s: %s/ holds %d files, want 1", stage, tb.Name, len(n))
			}
		}
	}
}

// TestCraftedSources: a file whose compaction sources name paths outside its table (../..)
// never makes the store remove them.
func TestCraftedSources(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "a", "out")
	victim := filepath.Join(root, "a", "victim.txt")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(victim, []byte("keep me"), 0o644)
	s := open(t, dir, Shard{})
	writeBatch(t, s, 0, 5, 0)
	// A crafted "compacted" file: a real file whose metadata names the victim.
	b := s.NewBatch()
	rows := []krow{{key(9), 9}}
	b.Write("rows", func(w io.Writer, m map[string]string) error {
		m[metaCompacted] = "../../victim.txt\n../victim.txt\n/etc/passwd"
		return table.Write(w, kcols, rows, m, 10)
	})
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Scan(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(victim); err != nil || string(got) != "keep me" {
		t.Errorf("victim outside the folder: %q, %v", got, err)
	}
}

// TestProvenanceRecord: every writing invocation leaves provenance/<writer>.json saying what it
// was and how it ended.
func TestProvenanceRecord(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{Tables: testTables, Command: "run", Args: []string{"eisweep", "run", "x.toml"}, Definition: testDef})
	if err != nil {
		t.Fatal(err)
	}
	writeBatch(t, s, 0, 3, 0)
	path := filepath.Join(dir, ProvenanceDir, s.Writer()+".json")
	var p Provenance
	b, _ := os.ReadFile(path)
	if json.Unmarshal(b, &p) != nil || p.Outcome != "running" {
		t.Errorf("while running: %s", b)
	}
	s.Close(errors.New("interrupted by terminated"))
	b, _ = os.ReadFile(path)
	if err := json.Unmarshal(b, &p); err != nil || p.Outcome != "interrupted by terminated" || p.Files != 1 || p.Host == "" || p.End == "" || p.Command != "run" || len(p.Args) != 3 {
		t.Errorf("after close: %+v (%v)", p, err)
	}
}

// TestForeignFiles: a .parquet file the store did not write is never counted, moved or removed,
// and is reported (DuckDB's *.parquet would read it).
func TestForeignFiles(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Shard{})
	writeBatch(t, s, 0, 4, 0)
	mine := filepath.Join(dir, "rows", "compact-x.parquet")
	os.WriteFile(mine, []byte("a user's copy"), 0o644)
	c, err := s.Scan("rows")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Foreign, []string{mine}) || c.Keys["rows"].Len() != 4 {
		t.Errorf("foreign %v, %d keys", c.Foreign, c.Keys["rows"].Len())
	}
	if _, err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(mine); err != nil || string(b) != "a user's copy" {
		t.Errorf("foreign file touched: %q, %v", b, err)
	}
}

// TestDefinitionSource: a writer records the definition file it read, and the newest provenance
// record (by name: writers are named by their start) that names one wins; a folder whose records
// name none, or that has none, gives "".
func TestDefinitionSource(t *testing.T) {
	dir := t.TempDir()
	if src, err := DefinitionSource(dir); err != nil || src != "" {
		t.Fatalf("an empty folder: %q, %v", src, err)
	}
	s, err := Open(dir, Options{Tables: testTables, Command: "test", Definition: testDef, DefinitionPath: "/defs/a.toml"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(nil); err != nil {
		t.Fatal(err)
	}
	if src, err := DefinitionSource(dir); err != nil || src != "/defs/a.toml" {
		t.Fatalf("after one writer: %q, %v", src, err)
	}
	// later writers: one naming another file, then one naming none
	for name, def := range map[string]string{"29991231T000000Z-00000001.json": "/defs/b.toml", "29991231T000001Z-00000002.json": ""} {
		b := []byte(`{"writer": "x", "command": "test", "outcome": "ok"` + map[bool]string{true: `, "definition": "` + def + `"`, false: ""}[def != ""] + `}`)
		if err := os.WriteFile(filepath.Join(dir, ProvenanceDir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if src, err := DefinitionSource(dir); err != nil || src != "/defs/b.toml" {
		t.Errorf("DefinitionSource = %q, %v; want the newest record naming one, /defs/b.toml", src, err)
	}
}

// TestWriteRunFile: a run file is written whole into its folder, over a temporary file a killed
// write left; another folder or a name with a separator is refused; RemoveRunFile removes it and
// is quiet about one that is not there.
func TestWriteRunFile(t *testing.T) {
	dir := t.TempDir()
	put := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	if err := os.MkdirAll(filepath.Join(dir, CheckpointDir), 0o755); err != nil {
		t.Fatal(err)
	}
	left := filepath.Join(dir, CheckpointDir, tmpPrefix+"a.ckpt")
	os.WriteFile(left, []byte("half"), 0o644)
	if err := WriteRunFile(dir, CheckpointDir, "a.ckpt", put("whole")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, CheckpointDir, "a.ckpt")); err != nil || string(b) != "whole" {
		t.Errorf("a.ckpt: %q, %v", b, err)
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("the temporary file is still there: %v", err)
	}
	if err := WriteRunFile(dir, "runs", "a.ckpt", put("x")); err == nil {
		t.Error("a run file in runs/ accepted")
	}
	if err := WriteRunFile(dir, ConnectivityDir, "../a", put("x")); err == nil {
		t.Error("a name with a separator accepted")
	}
	if err := RemoveRunFile(dir, CheckpointDir, "a.ckpt"); err != nil {
		t.Fatal(err)
	}
	if err := RemoveRunFile(dir, CheckpointDir, "a.ckpt"); err != nil {
		t.Errorf("removing it again: %v", err)
	}
}

// TestCompactedBatch: a compacted batch is only for a whole-folder writer in a folder with no
// table file; Compact leaves what it wrote as it is, and a reader sees its rows.
func TestCompactedBatch(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Shard{})
	b, err := s.NewCompactedBatch()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"steps", "rows"} {
		rs := []krow{{key(1), 1}, {key(2), 2}}
		if err := b.Write(name, func(w io.Writer, m map[string]string) error { return table.Write(w, kcols, rs, m, 1<<20) }); err != nil {
			t.Fatal(err)
		}
	}
	paths, err := b.Commit()
	if err != nil || len(paths) != 2 || !strings.HasPrefix(filepath.Base(paths[1]), "compact-") {
		t.Fatalf("published %v, %v; want two compact-* files", paths, err)
	}
	if _, err := s.NewCompactedBatch(); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("a second compacted batch: %v, want ErrNotEmpty", err)
	}
	sums, err := s.Compact(context.Background())
	if err != nil || len(sums) != 2 || sums[0].Rewritten || sums[0].Rows != 2 {
		t.Errorf("compacting it: %+v, %v; want it left as it is", sums, err)
	}
	if c := count(t, dir); c["rows"][key(1)] != 1 || c["steps"][key(2)] != 1 {
		t.Errorf("rows read back: %v", c)
	}
	sdir := t.TempDir()
	sh := open(t, sdir, Shard{K: 1, N: 2})
	if _, err := sh.NewCompactedBatch(); err == nil {
		t.Error("a shard started a compacted batch")
	}
}
