package table

import (
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/eisweep/eisweep/buildinfo"
)

// WriterProperties are the Parquet settings of every file eisweep writes: zstd, row groups of at
// most maxRowGroup rows, small pages (they bound the memory a buffered row group holds per
// column), and no dictionaries: dictionary encoding hashes every value, most columns are
// measurements whose values are all distinct, and zstd compresses the constant columns as well.
func WriterProperties(maxRowGroup int64) *parquet.WriterProperties {
	return parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithMaxRowGroupLength(maxRowGroup),
		parquet.WithCreatedBy("eisweep "+buildinfo.Version()),
		parquet.WithDataPageSize(64<<10), parquet.WithDictionaryPageSizeLimit(64<<10),
		parquet.WithDictionaryDefault(false),
	)
}

// blockRows is how many rows a Buffer reads at a time, column by column: few enough that they
// stay in the core's cache while every column takes its values from them.
const blockRows = 256

// Write writes rows to w as one Parquet file with the columns cols, in row groups of at most
// maxRowGroup rows, with meta as key-value metadata. It does not close w.
func Write[T any](w io.Writer, cols []Column[T], rows []T, meta map[string]string, maxRowGroup int) error {
	b := &Buffer[T]{cols: cols, bufs: getBuffers(len(cols))}
	defer putBuffers(b.bufs)
	for i := range rows {
		b.Add(&rows[i])
	}
	return b.Write(w, meta, maxRowGroup)
}

// Buffer holds rows of a table as its columns: flat buffers of values, validity and string
// offsets, filled from the rows as they are added, a block at a time. The rows need not be kept
// (and the buffers hold no pointer for the garbage collector to scan); writing is only Parquet's
// encoding, of Arrow arrays over the buffers: no per-value builder, no per-value allocation.
type Buffer[T any] struct {
	cols    []Column[T]
	bufs    []columnBuffer
	pending []*T // added, not yet read
	n       int  // rows in bufs
}

// NewBuffer returns an empty buffer of the columns cols.
func NewBuffer[T any](cols []Column[T]) *Buffer[T] {
	return &Buffer[T]{cols: cols, bufs: make([]columnBuffer, len(cols))}
}

// Add adds the row r points to. The row is read by a later Add or by Write, so *r must not change
// until then.
func (b *Buffer[T]) Add(r *T) {
	b.pending = append(b.pending, r)
	if len(b.pending) == blockRows {
		b.take()
	}
}

// take reads the pending rows into the columns.
func (b *Buffer[T]) take() {
	if len(b.pending) == 0 {
		return
	}
	for c := range b.cols {
		fill(&b.bufs[c], &b.cols[c], b.pending)
	}
	b.n += len(b.pending)
	clear(b.pending)
	b.pending = b.pending[:0]
}

// Grow makes room for n more rows, so that adding them neither copies nor reallocates.
func (b *Buffer[T]) Grow(n int) {
	for c := range b.bufs {
		cb, col := &b.bufs[c], &b.cols[c]
		switch {
		case col.float != nil:
			cb.floats = slices.Grow(cb.floats, n)
		case col.int != nil:
			cb.ints = slices.Grow(cb.ints, n)
		case col.str != nil:
			cb.offsets = slices.Grow(cb.offsets, n+1)
		}
		nb := int(bitutil.BytesForBits(int64(b.Len() + n)))
		cb.valid = slices.Grow(cb.valid, nb-len(cb.valid))
		cb.bools = slices.Grow(cb.bools, nb-len(cb.bools))
	}
}

// Len returns the number of rows held.
func (b *Buffer[T]) Len() int { return b.n + len(b.pending) }

// Reset empties the buffer, keeping its memory.
func (b *Buffer[T]) Reset() {
	clear(b.pending)
	b.pending, b.n = b.pending[:0], 0
	for c := range b.bufs {
		b.bufs[c].reset()
	}
}

// Write writes the rows held to w as one Parquet file, in row groups of at most maxRowGroup rows,
// with meta as key-value metadata. It does not close w, and keeps the rows (Reset empties it).
func (b *Buffer[T]) Write(w io.Writer, meta map[string]string, maxRowGroup int) error {
	for _, c := range b.cols {
		if c.float == nil && c.int == nil && c.str == nil && c.boolean == nil {
			return fmt.Errorf("writing Parquet: column %s has no values (make columns with package table's constructors)", c.Name)
		}
	}
	b.take()
	schema := Schema(b.cols, meta)
	fw, err := pqarrow.NewFileWriter(schema, nopCloser{w}, WriterProperties(int64(maxRowGroup)), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return fmt.Errorf("writing Parquet: %w", err)
	}
	for start := 0; start < b.n; start += maxRowGroup {
		end := min(start+maxRowGroup, b.n)
		if err := fw.NewRowGroupChecked(); err != nil {
			fw.Close()
			return fmt.Errorf("writing Parquet: %w", err)
		}
		for c := range b.cols {
			if err := writeColumn(fw, &b.cols[c], &b.bufs[c], start, end); err != nil {
				fw.Close()
				return err
			}
		}
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("writing Parquet: %w", err)
	}
	return nil
}

// writeColumn writes rows [lo, hi) of column c as the row group's next column.
func writeColumn[T any](fw *pqarrow.FileWriter, c *Column[T], b *columnBuffer, lo, hi int) error {
	arr := b.array(c.Type, lo, hi)
	defer arr.Release()
	if arr.NullN() > 0 && !c.Nullable {
		return fmt.Errorf("writing Parquet: column %s is not nullable, but %d rows have no value", c.Name, arr.NullN())
	}
	if err := fw.WriteColumnData(arr); err != nil {
		return fmt.Errorf("writing Parquet column %s: %w", c.Name, err)
	}
	return nil
}

// columnBuffer holds one column's values (by type) and validity bitmap.
type columnBuffer struct {
	n       int // rows filled
	floats  []float64
	ints    []int64
	bytes   []byte  // strings' bytes
	offsets []int32 // strings: n+1 offsets into bytes
	bools   []byte  // booleans: a bitmap
	valid   []byte  // bitmap, bit set for a value
}

// reset empties b, keeping its memory.
func (b *columnBuffer) reset() {
	b.n = 0
	b.floats, b.ints, b.bytes = b.floats[:0], b.ints[:0], b.bytes[:0]
	b.offsets, b.valid, b.bools = b.offsets[:0], b.valid[:0], b.bools[:0]
}

// grow makes the bitmaps hold n rows, new bits clear.
func (b *columnBuffer) grow(n int) {
	nb := int(bitutil.BytesForBits(int64(n)))
	for len(b.valid) < nb {
		b.valid = append(b.valid, 0)
		b.bools = append(b.bools, 0)
	}
	if len(b.offsets) == 0 {
		b.offsets = append(b.offsets, 0)
	}
}

// fill appends column c's values of rows to b.
func fill[T any](b *columnBuffer, c *Column[T], rows []*T) {
	i := b.n
	b.grow(i + len(rows))
	switch {
	case c.float != nil:
		for k := range rows {
			v, ok := c.float(rows[k])
			b.floats = append(b.floats, v)
			b.mark(i+k, ok)
		}
	case c.int != nil:
		for k := range rows {
			v, ok := c.int(rows[k])
			b.ints = append(b.ints, v)
			b.mark(i+k, ok)
		}
	case c.str != nil:
		for k := range rows {
			var ok bool
			b.bytes, ok = c.str(b.bytes, rows[k])
			if !ok {
				b.bytes = b.bytes[:b.offsets[len(b.offsets)-1]]
			}
			b.offsets = append(b.offsets, int32(len(b.bytes)))
			b.mark(i+k, ok)
		}
	case c.boolean != nil:
		for k := range rows {
			v, ok := c.boolean(rows[k])
			if v && ok {
				bitutil.SetBit(b.bools, i+k)
			}
			b.mark(i+k, ok)
		}
	}
	b.n += len(rows)
}

// mark records whether row i has a value.
func (b *columnBuffer) mark(i int, ok bool) {
	if ok {
		bitutil.SetBit(b.valid, i)
	}
}

// array returns rows [lo, hi) of b as an Arrow array of type t, over b's buffers (valid until b
// is reset or filled again).
func (b *columnBuffer) array(t arrow.DataType, lo, hi int) arrow.Array {
	nulls := hi - lo - bitutil.CountSetBits(b.valid, lo, hi-lo)
	var valid *memory.Buffer
	if nulls > 0 {
		valid = memory.NewBufferBytes(b.valid)
	}
	var bufs []*memory.Buffer
	switch t.ID() {
	case arrow.FLOAT64:
		bufs = []*memory.Buffer{valid, memory.NewBufferBytes(arrow.Float64Traits.CastToBytes(b.floats))}
	case arrow.INT64:
		bufs = []*memory.Buffer{valid, memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(b.ints))}
	case arrow.STRING:
		bufs = []*memory.Buffer{valid, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(b.offsets)), memory.NewBufferBytes(b.bytes)}
	case arrow.BOOL:
		bufs = []*memory.Buffer{valid, memory.NewBufferBytes(b.bools)}
	default:
		panic(fmt.Sprintf("table: no column buffer for %s", t))
	}
	data := array.NewData(t, hi-lo, bufs, nil, nulls, lo)
	defer data.Release()
	return array.MakeFromData(data)
}

// buffers are column buffers kept between writes, so that a sweep's flushes reuse their memory.
var buffers sync.Pool

func getBuffers(n int) []columnBuffer {
	var b []columnBuffer
	if p, ok := buffers.Get().(*[]columnBuffer); ok {
		b = *p
	}
	if len(b) < n {
		b = append(b, make([]columnBuffer, n-len(b))...)
	}
	for i := range n {
		b[i].reset()
	}
	return b[:n]
}

func putBuffers(b []columnBuffer) {
	b = b[:cap(b)]
	buffers.Put(&b)
}

// nopCloser keeps the Parquet writer from closing the caller's file.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
