package table

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

type testRow struct {
	x    float64
	n    int64
	s    string
	id   uint64
	flag bool
}

var testColumns = []Column[testRow]{
	Float("x", "a float", func(r *testRow) float64 { return r.x }),
	FloatOrNull("x_or_null", "null where NaN", func(r *testRow) float64 { return r.x }),
	Int("n", "an int", func(r *testRow) int64 { return r.n }),
	IntOrNull("n_odd", "null where n is even", func(r *testRow) (int64, bool) { return r.n, r.n%2 != 0 }),
	String("s", "a string", func(r *testRow) string { return r.s }),
	StringOrNull("s_or_null", "null where empty", func(r *testRow) string { return r.s }),
	Hex("id", "16 hex digits", func(r *testRow) uint64 { return r.id }),
	Bool("flag", "a boolean", func(r *testRow) bool { return r.flag }),
}

func testRows(n int) []testRow {
	rows := make([]testRow, n)
	for i := range rows {
		r := &rows[i]
		r.x = float64(i) * 0.37
		if i%5 == 3 {
			r.x = math.NaN()
		}
		r.n = int64(i*i - 50)
		if i%7 != 0 {
			r.s = fmt.Sprintf("v%d", i%13) + string(make([]byte, i%3))
		}
		r.id = uint64(i) * 0x9e3779b97f4a7c15
		r.flag = i%3 == 1
	}
	return rows
}

// TestWriteReadsBack writes rows across several row groups and blocks, with nulls in every
// nullable column, and reads each value back as Arrow's builders would have written it.
func TestWriteReadsBack(t *testing.T) {
	rows := testRows(1000)
	path := filepath.Join(t.TempDir(), "t.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(f, testColumns, rows, map[string]string{"k": "v"}, 300); err != nil {
		t.Fatal(err)
	}
	f.Close()

	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	if rdr.NumRowGroups() != 4 || rdr.NumRows() != 1000 {
		t.Fatalf("%d row groups, %d rows; want 4, 1000", rdr.NumRowGroups(), rdr.NumRows())
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 1 << 12}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	got, err := fr.ReadTable(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	if m, err := Metadata(path, "k"); err != nil || m["k"] != "v" {
		t.Errorf("metadata %v, %v; want k = v", m, err)
	}
	for c, col := range testColumns {
		want := array.NewBuilder(memory.DefaultAllocator, col.Type)
		for i := range rows {
			col.Append(want, &rows[i])
		}
		wa := want.NewArray()
		ch := got.Column(c).Data()
		ga, err := array.Concatenate(ch.Chunks(), memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		if ga.Len() != wa.Len() {
			t.Fatalf("column %s: %d values, want %d", col.Name, ga.Len(), wa.Len())
		}
		for i := range wa.Len() {
			// ValueStr prints floats with strconv's shortest exact form, NaN as NaN.
			if ga.IsNull(i) != wa.IsNull(i) || ga.ValueStr(i) != wa.ValueStr(i) {
				t.Errorf("column %s row %d: read back %s, want %s", col.Name, i, ga.ValueStr(i), wa.ValueStr(i))
				break
			}
		}
		if col.Nullable && ga.NullN() == 0 {
			t.Errorf("column %s: no nulls read back", col.Name)
		}
		if got.Schema().Field(c).Nullable != col.Nullable {
			t.Errorf("column %s: nullable %v, want %v", col.Name, got.Schema().Field(c).Nullable, col.Nullable)
		}
	}
}

// TestWriteNoRows writes a file with the schema and no row group.
func TestWriteNoRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(f, testColumns, nil, nil, 10); err != nil {
		t.Fatal(err)
	}
	f.Close()
	names, err := ColumnNames(path)
	if err != nil || len(names) != len(testColumns) {
		t.Fatalf("columns %v, %v", names, err)
	}
	if n, err := NumRows(path); n != 0 || err != nil {
		t.Fatalf("%d rows, %v", n, err)
	}
}

// TestWriteRefusesNullInRequiredColumn: a getter of a non-nullable column that has no value is
// an error naming the column, not a silently written zero.
func TestWriteRefusesNullInRequiredColumn(t *testing.T) {
	cols := []Column[testRow]{{Name: "bad", Type: arrow.PrimitiveTypes.Float64, Doc: "required",
		float: func(r *testRow) (float64, bool) { return 0, r.n > 0 }}}
	err := Write(discard{}, cols, testRows(20), nil, 10)
	if err == nil {
		t.Fatal("no error")
	}
	t.Log(err)
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestAppendHex(t *testing.T) {
	for _, v := range []uint64{0, 1, 0xdeadbeef, math.MaxUint64, 0x0123456789abcdef} {
		if got, want := string(AppendHex([]byte("x"), v)), "x"+fmt.Sprintf("%016x", v); got != want {
			t.Errorf("AppendHex(%x) = %q, want %q", v, got, want)
		}
	}
}

// TestBufferReset: a buffer is empty after a write (and after Reset), and filled again writes
// only its new rows.
func TestBufferReset(t *testing.T) {
	b := NewBuffer(testColumns, 1000)
	b.every = 128
	rows := testRows(900)
	for i := range rows[:300] {
		b.Add(&rows[i])
	}
	if err := b.Write(discard{}, nil); err != nil || b.Len() != 0 {
		t.Fatalf("after a write: %d rows, %v; want none", b.Len(), err)
	}
	for i := range rows[300:600] {
		b.Add(&rows[300+i])
	}
	if b.Len() != 300 {
		t.Fatalf("%d rows held, want 300", b.Len())
	}
	b.Reset()
	for i := range rows[600:] {
		b.Add(&rows[600+i])
	}
	path := filepath.Join(t.TempDir(), "t.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Write(f, nil); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var got []string
	if err := EachString(path, "id", func(s string) error { got = append(got, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 300 || got[0] != fmt.Sprintf("%016x", rows[600].id) || got[299] != fmt.Sprintf("%016x", rows[899].id) {
		t.Errorf("read back %d ids, first %s; want 300 from row 600", len(got), got[0])
	}
}

// TestBufferEncodesAsRowsCome: rows encoded a few thousand at a time as they are added make the
// same file, byte for byte, as the same rows encoded at once, metadata and stored Arrow schema
// included; and over several row groups the same rows.
func TestBufferEncodesAsRowsCome(t *testing.T) {
	rows := testRows(10_000)
	meta := map[string]string{"b.key": "two", "a.key": "one"}
	write := func(every, rowGroup int) []byte {
		b := NewBuffer(testColumns, rowGroup)
		b.every = every
		var buf bytes.Buffer
		for i := range rows {
			b.Add(&rows[i])
		}
		if every < len(rows) && b.handed == 0 {
			t.Fatalf("every %d: no rows encoded before the write", every)
		}
		if err := b.Write(&buf, meta); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	whole := write(1<<30, 1<<20)
	for _, every := range []int{1024, 4096, encodeRows} {
		if got := write(every, 1<<20); !bytes.Equal(got, whole) {
			t.Errorf("encoded %d rows at a time: %d bytes, differing from the %d of all at once", every, len(got), len(whole))
		}
	}
	rdr, err := file.NewParquetReader(bytes.NewReader(whole))
	if err != nil {
		t.Fatal(err)
	}
	kv := rdr.MetaData().KeyValueMetadata()
	if v := kv.FindValue("a.key"); v == nil || *v != "one" || kv.FindValue("ARROW:schema") == nil {
		t.Errorf("metadata %v: want a.key = one and the Arrow schema", kv)
	}
	// Row groups of 3,000 rows, encoded 1,024 at a time: groups end inside an encoding.
	path := filepath.Join(t.TempDir(), "g.parquet")
	if err := os.WriteFile(path, write(1024, 3000), 0o644); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := EachString(path, "id", func(s string) error { got = append(got, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("%d rows read back, want %d", len(got), len(rows))
	}
	for i := range rows {
		if got[i] != fmt.Sprintf("%016x", rows[i].id) {
			t.Fatalf("row %d: id %s, want %016x", i, got[i], rows[i].id)
		}
	}
	f, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.NumRowGroups() != 4 {
		t.Errorf("%d row groups, want 4 (3,000 rows each at most)", f.NumRowGroups())
	}
}

// TestBufferEncodingFailureReported: a row that cannot be encoded, met while rows are still being
// added, fails the write that follows.
func TestBufferEncodingFailureReported(t *testing.T) {
	cols := []Column[testRow]{{Name: "bad", Type: arrow.PrimitiveTypes.Float64, Doc: "required",
		float: func(r *testRow) (float64, bool) { return 0, r.n != 1500*1500-50 }}}
	b := NewBuffer(cols, 1<<20)
	b.every = 256
	rows := testRows(2000)
	for i := range rows {
		b.Add(&rows[i])
	}
	if err := b.Write(discard{}, nil); err == nil || !strings.Contains(err.Error(), "bad") {
		t.Fatalf("write: %v, want the failure naming the column", err)
	}
}
