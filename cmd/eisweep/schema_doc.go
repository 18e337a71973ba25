package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/solve"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// WriteSchemaDoc writes the schemas of the runs, fi, traces and solved tables as Markdown: for each
// column its name, type, nullability and meaning.
func WriteSchemaDoc(w io.Writer) error {
	fmt.Fprintf(w, "## runs/: one row per run\n\n")
	if err := columnsDoc(w, experiment.Columns); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## fi/: one row per current of each distinct unit's f-I curve (`[outputs] fi_curves = true`)\n\n")
	if err := columnsDoc(w, experiment.FIColumns); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## traces/: one row per step of every run (`[outputs] traces = true`)\n\n")
	if err := columnsDoc(w, experiment.TraceColumns); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## solved.parquet: one row per grid cell (`eisweep solve`)\n\n"+
		"The cell, every parameter column of runs/ (the value each parameter has in the cell; the solved\n"+
		"parameter's is its start), then for each unit the same columns with prefix `e_` (E unit) or `i_`\n"+
		"(I unit), null for a unit without a [solve] problem. solved/ holds the same rows as checkpoints,\n"+
		"without the predictions, which need every cell.\n\n")
	fmt.Fprintf(w, "| column | type | nullable | meaning |\n|---|---|---|---|\n")
	for _, c := range solve.SolvedColumns {
		name, doc := "`"+c.Name+"`", c.Doc
		switch {
		case strings.HasPrefix(c.Name, "i_"):
			continue
		case strings.HasPrefix(c.Name, "e_"):
			name = fmt.Sprintf("`%s`, `i_%s`", c.Name, c.Name[2:])
			doc = strings.TrimPrefix(doc, "E unit: ")
		case isParamColumn(c.Name):
			continue
		}
		null := ""
		if c.Nullable {
			null = "yes"
		}
		if _, err := fmt.Fprintf(w, "| %s | %s | %s | %s |\n", name, c.Type, null, strings.ReplaceAll(doc, "|", "\\|")); err != nil {
			return err
		}
	}
	return nil
}

// isParamColumn reports whether name is a registry parameter's column.
func isParamColumn(name string) bool {
	for _, p := range sweep.Registry {
		if p.Column() == name {
			return true
		}
	}
	return false
}

func columnsDoc[T any](w io.Writer, cols []table.Column[T]) error {
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
