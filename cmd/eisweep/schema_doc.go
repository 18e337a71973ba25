package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/eisweep/eisweep/aggregate"
	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/solve"
	"github.com/eisweep/eisweep/sweep"
)

// WriteSchemaDoc writes the schemas of every experiment kind's tables and summary, then solved and
// balance (single-unit experiment), as Markdown: for each column its name, type, nullability
// and meaning.
func WriteSchemaDoc(w io.Writer) error {
	for _, k := range experiment.All() {
		what := map[sweep.Experiment]string{
			sweep.ExperimentUnit:    "the single-unit experiment (the default; docs/MODEL.md)",
			sweep.ExperimentNetwork: "the recurrent network (`experiment = \"network\"`; docs/MODEL.md §8)",
		}[k.Name()]
		fmt.Fprintf(w, "## Folders of %s\n\n", what)
		for _, t := range k.Schemas() {
			fmt.Fprintf(w, "### %s/: %s\n\n", t.Name, t.Doc)
			fmt.Fprintf(w, "| column | type | nullable | meaning |\n|---|---|---|---|\n")
			for _, c := range t.Columns {
				if err := docRow(w, "`"+c.Name+"`", c.Type.String(), c.Nullable, c.Doc); err != nil {
					return err
				}
			}
			fmt.Fprintln(w)
		}
		if err := summaryDoc(w, k); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "## solved.parquet: one row per grid cell (`eisweep solve`, single-unit experiment)\n\n"+
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
	fmt.Fprintf(w, "\n## balance.parquet: one row per unit and excitation level (`eisweep aggregate`, single-unit experiment, when the sweep varies an inhibitory weight)\n\n"+
		"Then every parameter column of runs/: the level's values, null for the parameters varied along the axis or pooled over.\n\n")
	fmt.Fprintf(w, "| column | type | nullable | meaning |\n|---|---|---|---|\n")
	for _, c := range aggregate.BalanceDocs() {
		if isParamColumn(c.Name) {
			continue
		}
		if err := docRow(w, "`"+c.Name+"`", c.Type.String(), c.Nullable, c.Doc); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\n## sensitivity.parquet: one row per output and sampled parameter (`eisweep sensitivity`, a `[sample]`)\n\n")
	fmt.Fprintf(w, "| column | type | nullable | meaning |\n|---|---|---|---|\n")
	for _, c := range aggregate.SensitivityDocs() {
		if err := docRow(w, "`"+c.Name+"`", c.Type.String(), c.Nullable, c.Doc); err != nil {
			return err
		}
	}
	return nil
}

// summaryDoc writes the summary.parquet section of experiment kind k.
func summaryDoc(w io.Writer, k experiment.Kind) error {
	fmt.Fprintf(w, "### summary.parquet: one row per grid cell (`eisweep aggregate`)\n\n"+
		"The cell (`cell_id`), every parameter column of runs/, the counts, then for each measurement\n"+
		"below its mean, standard deviation, standard error and 95%% interval over the cell's runs that\n"+
		"did not fail. `aggregate --by p,q` writes `summary-by-p-q.parquet` instead (dots become\n"+
		"underscores): one row per distinct value of the grouped parameters, with their columns in place of\n"+
		"`cell_id` and the other parameters'.\n\n")
	var metrics []string
	for _, m := range aggregate.SummaryMetrics(k) {
		metrics = append(metrics, "`"+m+"`")
	}
	fmt.Fprintf(w, "| column | type | nullable | meaning |\n|---|---|---|---|\n")
	for _, c := range aggregate.SummaryDocs(k) {
		if isParamColumn(c.Name) {
			continue
		}
		name, doc := "`"+c.Name+"`", c.Doc
		if m, ok := strings.CutSuffix(c.Name, "_mean"); ok && strings.HasPrefix(c.Doc, "mean of runs.") {
			name = "`<m>_mean`, `<m>_sd`, `<m>_sem`, `<m>_ci_lo`, `<m>_ci_hi`"
			doc = "mean, standard deviation (n−1), standard error of the mean, and the 95% interval of the mean (Student t) of runs.<m> over the cell's runs, for each measurement <m> of: " + strings.Join(metrics, ", ")
			if m != strings.Trim(metrics[0], "`") {
				continue
			}
		} else if isStatColumn(k, c.Name) {
			continue
		}
		if err := docRow(w, name, c.Type.String(), c.Nullable, doc); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	return nil
}

// isStatColumn reports whether name is a summary statistic of a measurement of kind k (m_mean, m_sd, …).
func isStatColumn(k experiment.Kind, name string) bool {
	for _, m := range aggregate.SummaryMetrics(k) {
		for _, s := range []string{"_mean", "_sd", "_sem", "_ci_lo", "_ci_hi"} {
			if name == m+s {
				return true
			}
		}
	}
	return false
}

func docRow(w io.Writer, name, typ string, nullable bool, doc string) error {
	null := ""
	if nullable {
		null = "yes"
	}
	_, err := fmt.Fprintf(w, "| %s | %s | %s | %s |\n", name, typ, null, strings.ReplaceAll(doc, "|", "\\|"))
	return err
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
