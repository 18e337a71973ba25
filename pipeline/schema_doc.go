package pipeline

import (
	"fmt"
	"io"
	"strings"
)

// WriteSchemaDoc writes the runs table's schema as a Markdown table: column, type, nullable,
// meaning.
func WriteSchemaDoc(w io.Writer) error {
	fmt.Fprintf(w, "| column | type | nullable | meaning |\n|---|---|---|---|\n")
	for _, c := range Columns {
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
