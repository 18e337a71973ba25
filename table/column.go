package table

import (
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Column describes one column of a table whose rows are T: its name (with unit), Arrow type,
// nullability, meaning, and how to append a row's value to an Arrow builder of that type.
type Column[T any] struct {
	Name     string
	Type     arrow.DataType
	Nullable bool
	Doc      string
	// Append appends r's value to b, a builder of Type.
	Append func(b array.Builder, r *T)
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
		Append: func(b array.Builder, r *T) { b.(*array.Float64Builder).Append(get(r)) }}
}

// FloatOrNull is a float64 column that is null where the value is NaN (undefined).
func FloatOrNull[T any](name, doc string, get func(*T) float64) Column[T] {
	return Column[T]{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: true, Doc: doc,
		Append: func(b array.Builder, r *T) {
			if v := get(r); !math.IsNaN(v) {
				b.(*array.Float64Builder).Append(v)
				return
			}
			b.AppendNull()
		}}
}

// Int is a non-null int64 column.
func Int[T any](name, doc string, get func(*T) int64) Column[T] {
	return Column[T]{Name: name, Type: arrow.PrimitiveTypes.Int64, Doc: doc,
		Append: func(b array.Builder, r *T) { b.(*array.Int64Builder).Append(get(r)) }}
}

// IntOrNull is an int64 column that is null where ok is false.
func IntOrNull[T any](name, doc string, get func(*T) (v int64, ok bool)) Column[T] {
	return Column[T]{Name: name, Type: arrow.PrimitiveTypes.Int64, Nullable: true, Doc: doc,
		Append: func(b array.Builder, r *T) {
			if v, ok := get(r); ok {
				b.(*array.Int64Builder).Append(v)
				return
			}
			b.AppendNull()
		}}
}

// String is a non-null string column.
func String[T any](name, doc string, get func(*T) string) Column[T] {
	return Column[T]{Name: name, Type: arrow.BinaryTypes.String, Doc: doc,
		Append: func(b array.Builder, r *T) { b.(*array.StringBuilder).Append(get(r)) }}
}

// StringOrNull is a string column that is null where the value is "".
func StringOrNull[T any](name, doc string, get func(*T) string) Column[T] {
	return Column[T]{Name: name, Type: arrow.BinaryTypes.String, Nullable: true, Doc: doc,
		Append: func(b array.Builder, r *T) {
			if v := get(r); v != "" {
				b.(*array.StringBuilder).Append(v)
				return
			}
			b.AppendNull()
		}}
}

// Bool is a non-null boolean column.
func Bool[T any](name, doc string, get func(*T) bool) Column[T] {
	return Column[T]{Name: name, Type: arrow.FixedWidthTypes.Boolean, Doc: doc,
		Append: func(b array.Builder, r *T) { b.(*array.BooleanBuilder).Append(get(r)) }}
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
