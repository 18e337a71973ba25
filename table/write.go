package table

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/eisweep/eisweep/buildinfo"
)

// WriterProperties are the Parquet settings of every file eisweep writes: zstd (at its fastest
// level, zstdCodec), row groups of at most maxRowGroup rows, small pages (16 KB: they bound what a
// buffered row group holds of a column uncompressed, and so what is left to compress when a file
// is closed; against 64 KB they make a sweep's runs file 1.5 % larger), and no dictionaries:
// dictionary encoding hashes every value, most columns are measurements whose values are all
// distinct, and zstd compresses the constant columns as well.
func WriterProperties(maxRowGroup int64) *parquet.WriterProperties {
	return parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithMaxRowGroupLength(maxRowGroup),
		parquet.WithCreatedBy("eisweep "+buildinfo.Version()),
		parquet.WithDataPageSize(16<<10), parquet.WithDictionaryPageSizeLimit(16<<10),
		parquet.WithDictionaryDefault(false),
	)
}

// blockRows is how many rows a Buffer reads at a time, column by column: few enough that they
// stay in the core's cache while every column takes its values from them.
const blockRows = 256

// encodeRows is how many rows a Buffer holds as columns before it hands them over to be encoded
// as Parquet pages: a multiple of Parquet's write batch (1,024 values), so that the pages are
// those of encoding the rows all at once, and few (1.6 MB of the runs table's columns), so that
// little is left to encode when the file is written.
const encodeRows = 2048

// Write writes rows to w as one Parquet file with the columns cols, in row groups of at most
// maxRowGroup rows, with meta as key-value metadata. It does not close w.
func Write[T any](w io.Writer, cols []Column[T], rows []T, meta map[string]string, maxRowGroup int) error {
	b := NewBuffer(cols, maxRowGroup)
	b.bufs = getBuffers(len(cols))
	defer func() { putBuffers(b.bufs) }()
	for i := range rows {
		b.Add(&rows[i])
	}
	return b.Write(w, meta)
}

// Buffer holds rows of a table on their way to one Parquet file: the latest as columns (flat
// buffers of values, validity and string offsets, filled from the rows as they are added, a block
// at a time), the earlier encoded and compressed as the file's pages by a goroutine of its own.
// The rows need not be kept, the buffers hold no pointer for the garbage collector to scan, and no
// value goes through a builder or an allocation of its own.
//
// Encoding as the rows come, beside whoever adds them, spreads it over the time they take to come
// and over the CPUs: encoded at the end, or by the goroutine that adds the rows, it was a pause in
// which the workers whose rows were not taken waited, and CPUs idled. Write or Reset ends the
// goroutine.
type Buffer[T any] struct {
	cols     []Column[T]
	rowGroup int            // rows per row group at most
	bufs     []columnBuffer // the columns being filled
	pending  []*T           // added, not yet read
	n        int            // rows in bufs
	every    int            // hand the columns over to be encoded at this many rows (encodeRows; tests change it)
	enc      *encoder[T]    // nil before the first rows are handed over
	handed   int            // rows handed to enc
	err      error          // a failure found before encoding
}

// encoder is the goroutine encoding a Buffer's rows into a Parquet file in memory, with the
// metadata left for the end (when it is known). It owns the columns handed to it until it gives
// them back, emptied.
type encoder[T any] struct {
	cols   []Column[T]
	schema *arrow.Schema // without metadata
	fw     *pqarrow.FileWriter
	file   sink
	todo   chan block          // columns to encode
	free   chan []columnBuffer // columns encoded, to be filled again
	done   chan struct{}       // closed when the goroutine has ended
	err    error               // the first failure, read after done
}

// block is rows handed over to be encoded: n rows of the columns bufs.
type block struct {
	bufs []columnBuffer
	n    int
}

// NewBuffer returns an empty buffer of the columns cols, for a file of row groups of at most
// maxRowGroup rows.
func NewBuffer[T any](cols []Column[T], maxRowGroup int) *Buffer[T] {
	return &Buffer[T]{cols: cols, rowGroup: maxRowGroup, bufs: make([]columnBuffer, len(cols)), every: encodeRows}
}

// Add adds the row r points to. The row is read by a later Add or by Write, so *r must not change
// until then.
func (b *Buffer[T]) Add(r *T) {
	b.pending = append(b.pending, r)
	if len(b.pending) < blockRows {
		return
	}
	b.take()
	if b.n >= b.every {
		b.hand()
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

// hand hands the rows held as columns over to be encoded, starting the encoder if it is not, and
// takes empty columns to fill: the other set, once encoded (two sets: one filled while the other
// is encoded).
func (b *Buffer[T]) hand() {
	if b.enc == nil {
		for _, c := range b.cols {
			if c.float == nil && c.int == nil && c.str == nil && c.boolean == nil {
				b.err = fmt.Errorf("writing Parquet: column %s has no values (make columns with package table's constructors)", c.Name)
			}
		}
		if b.err != nil {
			b.handed += b.n
			b.n = 0
			for c := range b.bufs {
				b.bufs[c].reset()
			}
			return
		}
		e := &encoder[T]{cols: b.cols, schema: Schema(b.cols, nil), todo: make(chan block, 1), free: make(chan []columnBuffer, 2), done: make(chan struct{})}
		e.free <- make([]columnBuffer, len(b.cols))
		// The schema is stored at the end, with the metadata (Write).
		fw, err := pqarrow.NewFileWriter(e.schema, &e.file, WriterProperties(int64(b.rowGroup)), pqarrow.DefaultWriterProps())
		if err != nil {
			e.err = fmt.Errorf("writing Parquet: %w", err)
		}
		e.fw, b.enc = fw, e
		go e.run()
	}
	if b.n > 0 {
		b.enc.todo <- block{b.bufs, b.n}
		b.handed += b.n
		b.bufs, b.n = <-b.enc.free, 0
	}
}

// run encodes the blocks handed over, until todo is closed.
func (e *encoder[T]) run() {
	defer close(e.done)
	for blk := range e.todo {
		if e.err == nil {
			e.err = e.encode(blk)
		}
		for c := range blk.bufs {
			blk.bufs[c].reset()
		}
		e.free <- blk.bufs
	}
}

// encode encodes a block's rows into the file's pages.
func (e *encoder[T]) encode(blk block) error {
	arrs := make([]arrow.Array, len(e.cols))
	defer func() {
		for _, a := range arrs {
			if a != nil {
				a.Release()
			}
		}
	}()
	for c := range e.cols {
		col := &e.cols[c]
		arrs[c] = blk.bufs[c].array(col.Type, 0, blk.n)
		if arrs[c].NullN() > 0 && !col.Nullable {
			return fmt.Errorf("writing Parquet: column %s is not nullable, but %d rows have no value", col.Name, arrs[c].NullN())
		}
	}
	rec := array.NewRecordBatch(e.schema, arrs, int64(blk.n))
	defer rec.Release()
	if err := e.fw.WriteBuffered(rec); err != nil {
		return fmt.Errorf("writing Parquet: %w", err)
	}
	return nil
}

// finish waits for e to encode what it was handed, and returns its error.
func (e *encoder[T]) finish() error {
	close(e.todo)
	<-e.done
	return e.err
}

// Grow makes room for n more rows, so that adding them neither copies nor reallocates (the
// columns hold at most a few thousand: the rest are handed over to be encoded).
func (b *Buffer[T]) Grow(n int) {
	n = min(n, b.every+blockRows-b.n)
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
		nb := int(bitutil.BytesForBits(int64(b.n + len(b.pending) + n)))
		cb.valid = slices.Grow(cb.valid, nb-len(cb.valid))
		cb.bools = slices.Grow(cb.bools, nb-len(cb.bools))
	}
}

// Len returns the number of rows held.
func (b *Buffer[T]) Len() int { return b.handed + b.n + len(b.pending) }

// Reset empties the buffer, keeping the columns' memory.
func (b *Buffer[T]) Reset() {
	clear(b.pending)
	b.pending, b.n = b.pending[:0], 0
	for c := range b.bufs {
		b.bufs[c].reset()
	}
	if e := b.enc; e != nil {
		e.finish()
		if e.fw != nil {
			e.fw.Close() // into memory: nothing to report
		}
		b.enc = nil
	}
	b.handed, b.err = 0, nil
}

// Write writes the rows held to w as one Parquet file, with meta as key-value metadata, and
// empties the buffer. It does not close w.
func (b *Buffer[T]) Write(w io.Writer, meta map[string]string) error {
	defer b.Reset()
	b.take()
	b.hand()
	if b.err != nil {
		return b.err
	}
	e := b.enc
	b.enc = nil
	closed := false
	defer func() {
		if !closed && e.fw != nil {
			e.fw.Close() // after a failure: into memory, nothing to report
		}
	}()
	if err := e.finish(); err != nil {
		return err
	}
	// The metadata and the Arrow schema, as pqarrow's WithStoreSchema would have stored them had
	// the metadata been known at the start (the schema's metadata, then ARROW:schema).
	schema := Schema(b.cols, meta)
	md := schema.Metadata()
	keys := slices.Concat(md.Keys(), []string{"ARROW:schema"})
	vals := slices.Concat(md.Values(), []string{base64.StdEncoding.EncodeToString(flight.SerializeSchema(schema, memory.DefaultAllocator))})
	for i, k := range keys {
		if err := e.fw.AppendKeyValueMetadata(k, vals[i]); err != nil {
			return fmt.Errorf("writing Parquet: %w", err)
		}
	}
	// What the file holds so far (its header, and any row group closed), then the rest straight
	// into w: each column's pages, from the memory they were encoded into.
	if _, err := w.Write(e.file.mem.Bytes()); err != nil {
		return fmt.Errorf("writing Parquet: %w", err)
	}
	e.file.w = w
	closed = true
	if err := e.fw.Close(); err != nil {
		return fmt.Errorf("writing Parquet: %w", err)
	}
	return nil
}

// sink is where an encoder's file goes: memory, until the file to write is known.
type sink struct {
	mem bytes.Buffer
	w   io.Writer
}

func (s *sink) Write(p []byte) (int, error) {
	if s.w != nil {
		return s.w.Write(p)
	}
	return s.mem.Write(p)
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
