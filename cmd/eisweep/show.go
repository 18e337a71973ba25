package main

import (
	"cmp"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/eisweep/eisweep/aggregate"
	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/pipeline"
	"github.com/eisweep/eisweep/sweep"
)

// defaultShow are the measurements show prints unless --columns names others, per experiment kind.
var defaultShow = map[sweep.Experiment][]string{
	sweep.ExperimentUnit:    {"rate_e_hz", "rate_i_hz", "b_add_e_pa", "m_mult_e"},
	sweep.ExperimentNetwork: {"up_count", "up_duration_s", "rate_up_e_hz", "rate_up_i_hz"},
}

func init() {
	register(&command{
		name: "show", args: "[--columns m1,m2] [--by p1,p2] [--format table|csv|tsv|markdown] DIR", short: "the per-cell summary of a folder as a table in the terminal",
		long: `Print the summary of the output folder DIR as a table, one row per grid cell
(or per --by group): the swept parameters, the number of runs, and for each
measurement its mean with the 95% interval of the mean, as benchstat prints
("6.18 ± 0.25" is a mean and the half-width of its interval). It computes what
aggregate would write, in memory, and changes nothing; it needs no Python.

--columns names the measurements (columns of runs/, e.g. rate_e_hz, q_ee_pc,
inh_current_e_pa; default rate_e_hz, rate_i_hz, b_add_e_pa, m_mult_e; eisweep
schema lists them under summary.parquet). --format csv, tsv and markdown print
for other programs: the mean and the interval's ends as separate columns.`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			columns := fs.String("columns", "", "measurements to show (comma-separated runs columns; default "+strings.Join(defaultShow[sweep.ExperimentUnit], ",")+
				", or "+strings.Join(defaultShow[sweep.ExperimentNetwork], ",")+" for the network)")
			by := fs.String("by", "", "group by these parameters (comma-separated dotted names) instead of by grid cell")
			format := fs.String("format", "table", "table, csv, tsv or markdown")
			return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
				if err := wantArgs(args, 1, "one output folder"); err != nil {
					return err
				}
				switch *format {
				case "table", "csv", "tsv", "markdown":
				default:
					return usageError{fmt.Sprintf("--format %q: want table, csv, tsv or markdown", *format)}
				}
				def, err := pipeline.LoadFolder(args[0])
				if err != nil {
					return err
				}
				metrics := defaultShow[def.Kind()]
				if *columns != "" {
					metrics = strings.Split(*columns, ",")
				}
				if err := wantNames("--columns", metrics, aggregate.SummaryMetrics(experiment.For(def)), "a measurement the summary holds"); err != nil {
					return err
				}
				byList, err := parseBy(*by)
				if err != nil {
					return err
				}
				res, err := aggregate.Compute(ctx, args[0], aggregate.Options{By: byList, Bootstrap: 1})
				if err != nil {
					return err
				}
				return printShow(stdout, def, res, byList, metrics, *format)
			}
		},
	})
}

// printShow prints the summary rows of res: the grouping's parameters (the swept ones for grid
// cells), n, and each metric's mean and interval.
func printShow(w io.Writer, def *sweep.Definition, res *aggregate.Result, by, metrics []string, format string) error {
	var params []*sweep.Param
	if len(by) > 0 {
		for _, n := range by {
			params = append(params, sweep.Lookup(n))
		}
	} else {
		for _, a := range def.Axes {
			if a.Len() > 1 {
				for _, i := range a.Params {
					params = append(params, sweep.Registry[i])
				}
			}
		}
	}
	names := []string{"n_runs", "n_failed"}
	for _, p := range params {
		if !p.Words() {
			names = append(names, p.Column())
		}
	}
	for _, m := range metrics {
		names = append(names, m+"_mean", m+"_ci_lo", m+"_ci_hi")
	}
	cols, err := res.Floats(names)
	if err != nil {
		return err
	}
	words, err := res.Words(params)
	if err != nil {
		return err
	}
	var head []string
	for _, p := range params {
		h := p.Name
		if p.Unit != "" {
			h += " (" + p.Unit + ")"
		}
		head = append(head, h)
	}
	head = append(head, "runs")
	for _, m := range metrics {
		if format == "table" || format == "markdown" {
			head = append(head, m)
		} else {
			head = append(head, m+"_mean", m+"_ci_lo", m+"_ci_hi")
		}
	}
	// Rows in the order of their parameters' values, as a grid reads.
	order := make([]int, res.Groups)
	for g := range order {
		order[g] = g
	}
	slices.SortStableFunc(order, func(a, b int) int {
		for k, p := range params {
			if p.Words() {
				if c := strings.Compare(words[k][a], words[k][b]); c != 0 {
					return c
				}
				continue
			}
			if c := cmp.Compare(cols[p.Column()][a], cols[p.Column()][b]); c != 0 {
				return c
			}
		}
		return 0
	})
	rows := make([][]string, 0, res.Groups)
	for _, g := range order {
		var r []string
		for k, p := range params {
			if p.Words() {
				r = append(r, words[k][g])
			} else {
				r = append(r, strconv.FormatFloat(cols[p.Column()][g], 'g', -1, 64))
			}
		}
		runs := fmt.Sprint(int64(cols["n_runs"][g]))
		if f := cols["n_failed"][g]; f > 0 {
			runs += fmt.Sprintf(" (%d failed)", int64(f))
		}
		r = append(r, runs)
		for _, m := range metrics {
			mean, lo, hi := cols[m+"_mean"][g], cols[m+"_ci_lo"][g], cols[m+"_ci_hi"][g]
			if format == "table" || format == "markdown" {
				r = append(r, meanCI(mean, lo, hi))
			} else {
				r = append(r, csvNum(mean), csvNum(lo), csvNum(hi))
			}
		}
		rows = append(rows, r)
	}
	switch format {
	case "csv", "tsv":
		cw := csv.NewWriter(w)
		if format == "tsv" {
			cw.Comma = '\t'
		}
		cw.Write(head)
		cw.WriteAll(rows)
		return cw.Error()
	case "markdown":
		fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
		for _, r := range rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
	}
	return tw.Flush()
}

// meanCI formats a mean with the half-width of its 95% interval, to two significant digits of
// the half-width: "6.18 ± 0.25".
func meanCI(mean, lo, hi float64) string {
	switch {
	case math.IsNaN(mean):
		return "-"
	case math.IsNaN(lo) || math.IsNaN(hi) || hi == lo:
		return strconv.FormatFloat(mean, 'g', 4, 64)
	}
	half := (hi - lo) / 2
	dec := max(0, 1-int(math.Floor(math.Log10(half))))
	return fmt.Sprintf("%.*f ± %.*f", dec, mean, dec, half)
}

func csvNum(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}
