package pipeline

import (
	"fmt"
	"io"
	"strings"
)

// WriteSchemaDoc writes the schemas of the runs, fi and traces tables as Markdown: for each
// column its name, type, nullability and meaning.
func WriteSchemaDoc(w io.Writer) error {
	fmt.Fprintf(w, "## runs/: one row per run\n\n")
	if err := columnsDoc(w, Columns); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## fi/: one row per current of each distinct unit's f-I curve (`[outputs] fi_curves = true`)\n\n")
	if err := columnsDoc(w, FIColumns); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## traces/: one row per step of every run (`[outputs] traces = true`)\n\n")
	return columnsDoc(w, TraceColumns)
}

func columnsDoc[T any](w io.Writer, cols []Column[T]) error {
	fmt.Fprintf(w, "| column | type | nullable | meaning |\n|---|---|---|---|\n")
	for _, c := range cols {
		null := ""
		if c.Nullable {
			null = "yes"
		}
		if _, err := fmt.Fprintf(w, "| `%s` | %s | %s | %s |\n", c.Name, c.Type, null, strings.ReplaceAll(c.Doc, "|", "\\|")); err != nil {
			return err
		}
	}
	return nil
}
