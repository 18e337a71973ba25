package chaos

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// flipDef is the sweep whose files the byte-flipping case damages.
var flipDef = quickDef("flip", 4000)

// complete matches status output that says no run remains.
var complete = regexp.MustCompile(`remaining\s+0\b`)

// chunk is one column chunk of a Parquet file, from DuckDB's parquet_metadata.
type chunk struct {
	column     string
	start, end int64
}

// chunks lists the column chunks of a Parquet file in file order.
func (e *env) chunks(path string) []chunk {
	e.t.Helper()
	rows, err := e.sql(fmt.Sprintf(`SELECT path_in_schema, coalesce(dictionary_page_offset, data_page_offset) AS start, total_compressed_size
FROM parquet_metadata(%s) ORDER BY start`, quote(path)))
	if err != nil {
		e.t.Fatal(err)
	}
	var cs []chunk
	for _, r := range rows {
		start, err1 := strconv.ParseInt(r[1], 10, 64)
		size, err2 := strconv.ParseInt(r[2], 10, 64)
		if err1 != nil || err2 != nil {
			e.t.Fatalf("parquet_metadata(%s): row %v", path, r)
		}
		cs = append(cs, chunk{column: r[0], start: start, end: start + size})
	}
	return cs
}

// flipAt picks where to flip bytes of a Parquet file: "middle" is inside the column data of a
// column other than run_id, at half the file's size when that falls in such a chunk (else the
// middle of the nearest one); "start" is inside the first chunk of run_id, between offsets 4 and
// 100.
func (e *env) flipAt(path, where string, size int64) (int64, string) {
	e.t.Helper()
	cs := e.chunks(path)
	switch where {
	case "start":
		for _, c := range cs {
			if c.column == "run_id" {
				off := min(c.start+36, 100, c.end-8)
				if off < c.start || off < 4 {
					e.t.Fatalf("%s: run_id's first chunk %d..%d is too small to flip bytes at 4..100", path, c.start, c.end)
				}
				return off, c.column
			}
		}
	case "middle":
		best, bestDist := -1, int64(-1)
		for i, c := range cs {
			if c.column == "run_id" || c.end-c.start < 64 {
				continue
			}
			if c.start+32 <= size/2 && size/2 <= c.end-16 {
				return size / 2, c.column
			}
			d := abs((c.start+c.end)/2 - size/2)
			if best < 0 || d < bestDist {
				best, bestDist = i, d
			}
		}
		if best >= 0 {
			return (cs[best].start + cs[best].end) / 2, cs[best].column
		}
	}
	e.t.Fatalf("%s: no column chunk to flip bytes in (%s)", path, where)
	return 0, ""
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// flip XORs n bytes of path at off with 0xFF.
func flip(t *testing.T, path string, off int64, n int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		b[off+int64(i)] ^= 0xFF
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFlippedBytes damages one Parquet file of runs/ by flipping 8 bytes (XOR 0xFF), in a
// completed, compacted folder (one compact-* file) and in a complete but uncompacted one (8 parts, the
// middle one damaged); (a) in the middle of the file, inside the column data of a column other
// than run_id, and (b) near its start, inside the first chunk of run_id. Then `eisweep status`
// must exit 0 or 1 and not claim the folder complete; `eisweep run` must resume (exit 0) and
// leave every run exactly once, identical to an uninterrupted run's; `eisweep compact` and
// `eisweep aggregate` must exit 0; and the damaged file must have been moved aside (a *.corrupt
// file in runs/).
func TestFlippedBytes(t *testing.T) {
	e := setup(t)
	ref := e.reference(flipDef)
	def := writeDef(t, flipDef)
	folders := []struct{ name, src string }{
		{"compacted", e.compactedFixture(flipDef, "--no-compact", "--flush-rows", "500")},
		{"parts", e.partsFixture(flipDef, "--no-compact", "--flush-rows", "500")},
	}
	for _, f := range folders {
		for _, where := range []string{"middle", "start"} {
			t.Run(f.name+"/"+where, func(t *testing.T) {
				e := &env{t: t, bin: e.bin, duck: e.duck}
				dir := filepath.Join(t.TempDir(), "out")
				copyDir(t, f.src, dir)
				files := glob(filepath.Join(dir, "runs"), "*.parquet")
				if len(files) == 0 || (f.name == "parts" && len(files) < 3) {
					t.Fatalf("%s folder has %d files in runs/", f.name, len(files))
				}
				victim := filepath.Join(dir, "runs", files[len(files)/2])
				st, err := os.Stat(victim)
				if err != nil {
					t.Fatal(err)
				}
				off, col := e.flipAt(victim, where, st.Size())
				flip(t, victim, off, 8)
				label := fmt.Sprintf("flipped-bytes: %s/%s", f.name, where)
				what := fmt.Sprintf("8 bytes at %d of %d (column %s) of %s", off, st.Size(), col, filepath.Base(victim))

				s := e.run(time.Minute, "status", dir)
				claimed := complete.MatchString(s.stdout)
				switch {
				case s.code != 0 && s.code != 1:
					t.Errorf("%s: status: %s, want exit 0 or 1\n%s", label, s.status, tail(s.stderr))
				case claimed:
					t.Errorf("%s: status claims the folder complete with a damaged file:\n%s", label, s.stdout)
				}
				r := e.run(time.Minute, "run", "--quiet", "-o", dir, def)
				if r.code != 0 {
					t.Errorf("%s: resume: %s, want exit 0\n%s", label, r.status, tail(r.stderr))
				}
				cs := e.check(label, dir, ref)
				a := e.run(time.Minute, "aggregate", dir)
				if a.code != 0 {
					t.Errorf("%s: aggregate: %s, want exit 0\n%s", label, a.status, tail(a.stderr))
				}
				aside := glob(filepath.Join(dir, "runs"), "*.corrupt")
				if len(aside) == 0 {
					t.Errorf("%s: no *.corrupt file in runs/: the damaged file was not moved aside (runs/: %v)", label, glob(filepath.Join(dir, "runs"), "*"))
				}
				t.Logf("%s: %s: status %s (claims complete: %v), resume %s, aggregate %s, moved aside %v; %s",
					label, what, s, claimed, r, a, aside, accounts(cs))
			})
		}
	}
}
