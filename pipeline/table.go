package pipeline

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Column describes one column of a table whose rows are T: name (with unit), Arrow type,
// nullability, meaning, and how to append a row's value.
type Column[T any] struct {
	Name     string
	Type     arrow.DataType
	Nullable bool
	Doc      string
	append   func(b array.Builder, r *T)
}

func (c Column[T]) field() arrow.Field {
	return arrow.Field{Name: c.Name, Type: c.Type, Nullable: c.Nullable,
		Metadata: arrow.NewMetadata([]string{"doc"}, []string{c.Doc})}
}

func schemaOf[T any](cols []Column[T], meta map[string]string) *arrow.Schema {
	fs := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fs[i] = c.field()
	}
	keys := sortedKeys(meta)
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = meta[k]
	}
	md := arrow.NewMetadata(keys, vals)
	return arrow.NewSchema(fs, &md)
}

// simple column constructors for tables other than runs.
func colF64[T any](name, doc string, get func(*T) float64) Column[T] {
	return Column[T]{Name: name, Type: arrow.PrimitiveTypes.Float64, Doc: doc,
		append: func(b array.Builder, r *T) { b.(*array.Float64Builder).Append(get(r)) }}
}

func colI64[T any](name, doc string, get func(*T) int64) Column[T] {
	return Column[T]{Name: name, Type: arrow.PrimitiveTypes.Int64, Doc: doc,
		append: func(b array.Builder, r *T) { b.(*array.Int64Builder).Append(get(r)) }}
}

func colStr[T any](name, doc string, get func(*T) string) Column[T] {
	return Column[T]{Name: name, Type: arrow.BinaryTypes.String, Doc: doc,
		append: func(b array.Builder, r *T) { b.(*array.StringBuilder).Append(get(r)) }}
}
