package report

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/pipeline"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// seedRef holds the seed notebook's printed numbers and Brian2 2.5.1's statistics over 200
// seeds (docs/MODEL.md §4–§7), for the report after a run of the seed experiment.
var seedRef = struct {
	weights, predicted [4]string // EE, IE, EI, II
	theta, gain        [2]string // E, I
	charges            [4]string // EE, IE, EI, II: the notebook's two runs
	brianCharge        [4]string // Brian2, mean over 200 seeds; expectation
	rates, brianRates  [2]string
}{
	weights:     [4]string{"143.49509118", "123.92226015", "136.50692497", "101.08023944"},
	predicted:   [4]string{"286.990", "247.845", "191.110", "141.512"},
	theta:       [2]string{"124.1", "135.1"},
	gain:        [2]string{"0.34659091", "1.50909091"},
	charges:     [4]string{"276.7, 289.9", "238.9, 250.3", "188.6, 193.6", "139.7, 143.4"},
	brianCharge: [4]string{"277.8 (expect. 278.1)", "239.9 (expect. 240.1)", "190.4 (expect. 190.7)", "141.0 (expect. 141.2)"},
	rates:       [2]string{"8", "18"},
	brianRates:  [2]string{"6.25 ± 1.93", "17.7 ± 5.4"},
}

// FolderStats are statistics over every completed run in an output folder.
type FolderStats struct {
	Rows, OK int
	Stats    Stats
}

// ReadFolderStats reads the rates and charges of every run in outDir. Runs are taken in run_id
// order, so the statistics do not depend on the order in which workers finished. It holds 64
// bytes per run; for large multi-cell sweeps use CountRuns. Rows counts the runs, OK those that
// did not fail.
func ReadFolderStats(outDir string) (FolderStats, error) {
	var fs FolderStats
	tables, err := pipeline.FolderTables(outDir)
	if err != nil {
		return fs, err
	}
	c, err := store.Read(outDir, tables)
	if err != nil {
		return fs, err
	}
	names := [6]string{"rate_e_hz", "rate_i_hz", "q_ee_pc", "q_ei_pc", "q_ie_pc", "q_ii_pc"}
	var n int64 // rows, from the footers: the slices are allocated once
	for _, p := range c.Files["runs"] {
		k, err := table.NumRows(p)
		if err != nil {
			return fs, err
		}
		n += k
	}
	vals := make([][6]float64, 0, n)
	// Sorted by run id as (id, row) pairs, which move faster than the rows.
	type key struct {
		id  sweep.RunID
		row int
	}
	keys := make([]key, 0, n)
	cols := append([]string{"run_id"}, names[:]...)
	for _, p := range c.Files["runs"] {
		err := table.EachBatch(p, cols, func(rec arrow.RecordBatch, idx map[string]int) error {
			ids, ok := rec.Column(idx["run_id"]).(*array.String)
			if !ok {
				return fmt.Errorf("column run_id is %s, not strings", rec.Column(idx["run_id"]).DataType())
			}
			var v [6]*array.Float64
			for k, name := range names {
				if v[k], ok = rec.Column(idx[name]).(*array.Float64); !ok {
					return fmt.Errorf("column %s is %s, not float64", name, rec.Column(idx[name]).DataType())
				}
			}
			for i := range int(rec.NumRows()) {
				id, err := sweep.ParseRunID(ids.Value(i))
				if err != nil {
					return err
				}
				var x [6]float64
				for k := range v {
					x[k] = math.NaN() // null: a failed run
					if v[k].IsValid(i) {
						x[k] = v[k].Value(i)
					}
				}
				keys = append(keys, key{id, len(vals)})
				vals = append(vals, x)
			}
			return nil
		})
		if err != nil {
			return fs, fmt.Errorf("reading %s: %w", p, err)
		}
	}
	slices.SortFunc(keys, func(a, b key) int { return cmp.Compare(a.id, b.id) })
	fs.Rows = len(keys)
	for _, k := range keys {
		v := vals[k.row]
		if math.IsNaN(v[0]) { // failed run
			continue
		}
		fs.OK++
		fs.Stats.add(&experiment.Row{RateEHz: v[0], RateIHz: v[1], QEEPC: v[2], QEIPC: v[3], QIEPC: v[4], QIIPC: v[5]})
	}
	return fs, nil
}

// CountRuns counts the rows of outDir's runs and those that failed, reading only the status
// column in batches, in constant memory.
func CountRuns(outDir string) (rows, failed int64, err error) {
	tables, err := pipeline.FolderTables(outDir)
	if err != nil {
		return 0, 0, err
	}
	c, err := store.Read(outDir, tables)
	if err != nil {
		return 0, 0, err
	}
	err = table.EachRow(c.Files["runs"], []string{"status"}, func(r *table.Row) error {
		rows++
		if r.String("status") == string(experiment.StatusFailed) {
			failed++
		}
		return nil
	})
	return rows, failed, err
}

// Report prints what a folder of runs of one point measured: weights, f-I threshold and gain,
// predicted and mean empirical charges, and rates. With seed set (the definition is the seed
// experiment) each line shows the seed notebook's numbers and Brian2's beside eisweep's.
func Report(w io.Writer, ex *experiment.Row, fs FolderStats, seed bool) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	ref := func(s string) string {
		if seed {
			return s
		}
		return ""
	}
	header := "quantity\teisweep"
	if seed {
		header += "\tseed notebook\tBrian2 2.5.1, 200 seeds"
	}
	fmt.Fprintln(tw, header)
	line := func(name, ours, nb, brian string) {
		fmt.Fprintf(tw, "%s\t%s", name, ours)
		if seed {
			fmt.Fprintf(tw, "\t%s\t%s", nb, brian)
		}
		fmt.Fprintln(tw)
	}
	if ex != nil {
		wts := [4]float64{ex.Model.Sim.W.EEAmp, ex.Model.Sim.W.IEAmp, ex.Model.Sim.W.EIAmp, ex.Model.Sim.W.IIAmp}
		for k, name := range []string{"w_EE (pA)", "w_IE (pA)", "w_EI (pA)", "w_II (pA)"} {
			line(name, FormatLikeSeed(wts[k]*1e12), ref(seedRef.weights[k]), "")
		}
		line("θ_E (pA)", FormatLikeSeed(ex.FIE.ThresholdPA), ref(seedRef.theta[0]), ref(seedRef.theta[0]))
		line("θ_I (pA)", FormatLikeSeed(ex.FII.ThresholdPA), ref(seedRef.theta[1]), ref(seedRef.theta[1]))
		line("g_E (Hz/pA)", FormatLikeSeed(ex.FIE.GainHzPerPA), ref(seedRef.gain[0]), ref(seedRef.gain[0]))
		line("g_I (Hz/pA)", FormatLikeSeed(ex.FII.GainHzPerPA), ref(seedRef.gain[1]), ref(seedRef.gain[1]))
		for k, name := range []string{"Q̂_EE predicted (pC)", "Q̂_IE predicted (pC)", "Q̂_EI predicted (pC)", "Q̂_II predicted (pC)"} {
			line(name, fmt.Sprintf("%.3f", experiment.Predicted(ex, k)), ref(seedRef.predicted[k]), "")
		}
	}
	st := &fs.Stats
	runs := fmt.Sprintf(" (pC, %d runs)", fs.OK)
	for k, m := range []*analysis.Moments{&st.QEEPC, &st.QIEPC, &st.QEIPC, &st.QIIPC} {
		line("Q_"+[]string{"EE", "IE", "EI", "II"}[k]+" mean ± SD"+runs, meanSD(m, 1), ref(seedRef.charges[k]), ref(seedRef.brianCharge[k]))
	}
	line("r_E mean ± SD (Hz)", meanSD(&st.RateEHz, 2), ref(seedRef.rates[0]), ref(seedRef.brianRates[0]))
	line("r_I mean ± SD (Hz)", meanSD(&st.RateIHz, 2), ref(seedRef.rates[1]), ref(seedRef.brianRates[1]))
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, l := range strings.SplitAfter(buf.String(), "\n") {
		if _, err := io.WriteString(w, strings.TrimRight(l, " \n")+strings.Repeat("\n", strings.Count(l, "\n"))); err != nil {
			return err
		}
	}
	return nil
}

func meanSD(m *analysis.Moments, prec int) string {
	if m.N() == 0 {
		return "-"
	}
	if m.N() == 1 {
		return strconv.FormatFloat(m.Mean(), 'f', prec, 64)
	}
	return fmt.Sprintf("%.*f ± %.*f", prec, m.Mean(), prec, m.SD())
}

// FormatLikeSeed prints x as the seed notebook prints numbers (numpy's default): 8 decimals,
// trailing zeros trimmed; "-" for NaN.
func FormatLikeSeed(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	s := strconv.FormatFloat(x, 'f', 8, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
