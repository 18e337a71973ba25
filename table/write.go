package table

import (
	"fmt"
	"io"
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

// blockRows is how many rows Write reads at a time, column by column: few enough that they stay
// in the core's cache while every column takes its values from them.
const blockRows = 256

// Write writes rows to w as one Parquet file with the columns cols, in row groups of at most
// maxRowGroup rows, with meta as key-value metadata. It does not close w.
//
// Each row group's columns are filled straight into flat buffers (values, validity, string
// offsets), reused from one call to the next, and handed to Parquet as Arrow arrays over them:
// no per-value builder, no per-value allocation.
func Write[T any](w io.Writer, cols []Column[T], rows []T, meta map[string]string, maxRowGroup int) error {
	ptrs := make([]*T, len(rows))
	for i := range rows {
		ptrs[i] = &rows[i]
	}
	return WritePointers(w, cols, ptrs, meta, maxRowGroup)
}

// WritePointers is Write of the rows rows point to.
func WritePointers[T any](w io.Writer, cols []Column[T], rows []*T, meta map[string]string, maxRowGroup int) error {
	schema := Schema(cols, meta)
	fw, err := pqarrow.NewFileWriter(schema, nopCloser{w}, WriterProperties(int64(maxRowGroup)), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return fmt.Errorf("writing Parquet: %w", err)
	}
	bufs := getBuffers(len(cols))
	defer putBuffers(bufs)
	for start := 0; start < len(rows); start += maxRowGroup {
		end := min(start+maxRowGroup, len(rows))
		for c := range cols {
			bufs[c].reset(end - start)
		}
		for b := start; b < end; b += blockRows {
			block := rows[b:min(b+blockRows, end)]
			for c := range cols {
				fill(&bufs[c], &cols[c], block)
			}
		}
		if err := fw.NewRowGroupChecked(); err != nil {
			fw.Close()
			return fmt.Errorf("writing Parquet: %w", err)
		}
		for c := range cols {
			if err := writeColumn(fw, &cols[c], &bufs[c]); err != nil {
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

func writeColumn[T any](fw *pqarrow.FileWriter, c *Column[T], b *columnBuffer) error {
	if b.nulls > 0 && !c.Nullable {
		return fmt.Errorf("writing Parquet: column %s is not nullable, but %d rows have no value", c.Name, b.nulls)
	}
	arr := b.array(c.Type)
	err := fw.WriteColumnData(arr)
	arr.Release()
	if err != nil {
		return fmt.Errorf("writing Parquet column %s: %w", c.Name, err)
	}
	return nil
}

// columnBuffer holds one column of a row group: its values (by type), a validity bitmap and the
// count of nulls.
type columnBuffer struct {
	n       int // rows filled
	floats  []float64
	ints    []int64
	bytes   []byte  // strings' bytes
	offsets []int32 // strings: n+1 offsets into bytes
	bools   []byte  // booleans: a bitmap
	valid   []byte  // bitmap, bit set for a value
	nulls   int
}

// reset empties b for a row group of n rows.
func (b *columnBuffer) reset(n int) {
	b.n, b.nulls = 0, 0
	b.floats, b.ints, b.bytes = b.floats[:0], b.ints[:0], b.bytes[:0]
	b.offsets = append(b.offsets[:0], 0)
	nb := int(bitutil.BytesForBits(int64(n)))
	b.valid = resize(b.valid, nb)
	b.bools = resize(b.bools, nb)
}

// resize returns s with length n, zeroed.
func resize(s []byte, n int) []byte {
	if cap(s) < n {
		return make([]byte, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// fill appends column c's values of rows to b.
func fill[T any](b *columnBuffer, c *Column[T], rows []*T) {
	i := b.n
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
	default:
		b.nulls += len(rows)
	}
	b.n += len(rows)
}

// mark records whether row i has a value.
func (b *columnBuffer) mark(i int, ok bool) {
	if ok {
		bitutil.SetBit(b.valid, i)
	} else {
		b.nulls++
	}
}

// array returns b's values as an Arrow array of type t, over b's buffers (valid until b is
// reset).
func (b *columnBuffer) array(t arrow.DataType) arrow.Array {
	var valid *memory.Buffer
	if b.nulls > 0 {
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
	data := array.NewData(t, b.n, bufs, nil, b.nulls, 0)
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
	return b[:n]
}

func putBuffers(b []columnBuffer) {
	b = b[:cap(b)]
	buffers.Put(&b)
}

// nopCloser keeps the Parquet writer from closing the caller's file.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
