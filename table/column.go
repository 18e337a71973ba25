package table

import (
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Column describes one column of a table whose rows are T: its name (with unit), Arrow type,
// nullability, meaning, and how to read a row's value. Make one with a constructor of this
// package (Float, Int, String, Hex, Bool and their nullable forms); Write refuses any other.
type Column[T any] struct {
	Name     string
	Type     arrow.DataType
	Nullable bool
	Doc      string

	// Exactly one getter is set, by Type. A getter's false is a null.
	float   func(*T) (float64, bool)
	int     func(*T) (int64, bool)
	str     func(dst []byte, r *T) ([]byte, bool) // appends the value's bytes to dst
	boolean func(*T) (bool, bool)
}

// Append appends r's value to b, a builder of the column's Type.
func (c Column[T]) Append(b array.Builder, r *T) {
	switch {
	case c.float != nil:
		if v, ok := c.float(r); ok {
			b.(*array.Float64Builder).Append(v)
			return
		}
	case c.int != nil:
		if v, ok := c.int(r); ok {
			b.(*array.Int64Builder).Append(v)
			return
		}
	case c.str != nil:
		if v, ok := c.str(nil, r); ok {
			b.(*array.StringBuilder).BinaryBuilder.Append(v)
			return
		}
	case c.boolean != nil:
		if v, ok := c.boolean(r); ok {
			b.(*array.BooleanBuilder).Append(v)
			return
		}
	}
	b.AppendNull()
}

// Field returns the column as an Arrow field, its doc in the field metadata.
func (c Column[T]) Field() arrow.Field {
	return arrow.Field{Name: c.Name, Type: c.Type, Nullable: c.Nullable,
		Metadata: arrow.NewMetadata([]string{"doc"}, []string{c.Doc})}
}

// Schema returns the Arrow schema of cols with meta as schema metadata (keys sorted).
func Schema[T any](cols []Column[T], meta map[string]string) *arrow.Schema {
	fs := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fs[i] = c.Field()
	}
	keys := SortedKeys(meta)
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = meta[k]
	}
	md := arrow.NewMetadata(keys, vals)
	return arrow.NewSchema(fs, &md)
}

// Names returns the names of cols in order.
func Names[T any](cols []Column[T]) []string {
	ns := make([]string, len(cols))
	for i, c := range cols {
		ns[i] = c.Name
	}
	return ns
}

// ColumnDoc is what documentation says of a column: everything but how to fill it.
type ColumnDoc struct {
	Name     string
	Type     arrow.DataType
	Nullable bool
	Doc      string
}

// Docs returns the documentation of cols, in order.
func Docs[T any](cols []Column[T]) []ColumnDoc {
	ds := make([]ColumnDoc, len(cols))
	for i, c := range cols {
		ds[i] = ColumnDoc{Name: c.Name, Type: c.Type, Nullable: c.Nullable, Doc: c.Doc}
	}
	return ds
}

// Float is a non-null float64 column.
func Float[T any](name, doc string, get func(*T) float64) Column[T] {
	return Column[T]{Name: name, Type: arrow.PrimitiveTypes.Float64, Doc: doc,
		float: func(r *T) (float64, bool) { return get(r), true }}
}

// FloatOrNull is a float64 column that is null where the value is NaN (undefined).
func FloatOrNull[T any](name, doc string, get func(*T) float64) Column[T] {
	return FloatNullable(name, doc, func(r *T) (float64, bool) { v := get(r); return v, !math.IsNaN(v) })
}

// FloatNullable is a float64 column that is null where ok is false.
func FloatNullable[T any](name, doc string, get func(*T) (v float64, ok bool)) Column[T] {
	return Column[T]{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: true, Doc: doc, float: get}
}

// Int is a non-null int64 column.
func Int[T any](name, doc string, get func(*T) int64) Column[T] {
	return Column[T]{Name: name, Type: arrow.PrimitiveTypes.Int64, Doc: doc,
		int: func(r *T) (int64, bool) { return get(r), true }}
}

// IntOrNull is an int64 column that is null where ok is false.
func IntOrNull[T any](name, doc string, get func(*T) (v int64, ok bool)) Column[T] {
	return Column[T]{Name: name, Type: arrow.PrimitiveTypes.Int64, Nullable: true, Doc: doc, int: get}
}

// String is a non-null string column.
func String[T any](name, doc string, get func(*T) string) Column[T] {
	return Column[T]{Name: name, Type: arrow.BinaryTypes.String, Doc: doc,
		str: func(dst []byte, r *T) ([]byte, bool) { return append(dst, get(r)...), true }}
}

// StringOrNull is a string column that is null where the value is "".
func StringOrNull[T any](name, doc string, get func(*T) string) Column[T] {
	return StringNullable(name, doc, func(r *T) (string, bool) { v := get(r); return v, v != "" })
}

// StringNullable is a string column that is null where ok is false.
func StringNullable[T any](name, doc string, get func(*T) (v string, ok bool)) Column[T] {
	return Column[T]{Name: name, Type: arrow.BinaryTypes.String, Nullable: true, Doc: doc,
		str: func(dst []byte, r *T) ([]byte, bool) {
			v, ok := get(r)
			return append(dst, v...), ok
		}}
}

// Hex is a non-null string column of 16 lower-case hex digits: an identity (run_id, cell_id, a
// key), written as it is printed with %016x.
func Hex[T any](name, doc string, get func(*T) uint64) Column[T] {
	return Column[T]{Name: name, Type: arrow.BinaryTypes.String, Doc: doc,
		str: func(dst []byte, r *T) ([]byte, bool) { return AppendHex(dst, get(r)), true }}
}

// AppendHex appends v as 16 lower-case hex digits, as fmt's %016x prints it.
func AppendHex(dst []byte, v uint64) []byte {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[v&15]
		v >>= 4
	}
	return append(dst, b[:]...)
}

// Bool is a non-null boolean column.
func Bool[T any](name, doc string, get func(*T) bool) Column[T] {
	return Column[T]{Name: name, Type: arrow.FixedWidthTypes.Boolean, Doc: doc,
		boolean: func(r *T) (bool, bool) { return get(r), true }}
}

// SortedKeys returns m's keys in order.
func SortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
