package pipeline

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/sweep"
)

// seedRef holds the seed notebook's printed numbers and Brian2 2.5.1's statistics over 200
// seeds (MODEL.md §4–§7), for the report after a run of the seed experiment.
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
// order, so the statistics do not depend on the order in which workers finished. It holds about
// 64 bytes per run; for large multi-cell sweeps use CountRuns.
func ReadFolderStats(outDir string) (FolderStats, error) {
	var fs FolderStats
	paths, err := PartFiles(outDir)
	if err != nil {
		return fs, err
	}
	var ids []uint64
	for _, p := range paths {
		got, err := ReadRunIDs(p)
		if err != nil {
			return fs, fmt.Errorf("reading %s: %w", p, err)
		}
		for _, id := range got {
			k, err := strconv.ParseUint(id, 16, 64)
			if err != nil {
				return fs, fmt.Errorf("reading %s: run_id %q", p, id)
			}
			ids = append(ids, k)
		}
	}
	names := []string{"rate_e_hz", "rate_i_hz", "q_ee_pc", "q_ei_pc", "q_ie_pc", "q_ii_pc"}
	cols, err := ReadFloatColumns(paths, names)
	if err != nil {
		return fs, err
	}
	order := make([]int32, len(ids))
	for i := range order {
		order[i] = int32(i)
	}
	sort.Slice(order, func(a, b int) bool { return ids[order[a]] < ids[order[b]] })
	fs.Rows = len(ids)
	for _, i := range order {
		if math.IsNaN(cols["rate_e_hz"][i]) { // failed run
			continue
		}
		fs.OK++
		fs.Stats.add(&Row{RateEHz: cols["rate_e_hz"][i], RateIHz: cols["rate_i_hz"][i],
			QEEPC: cols["q_ee_pc"][i], QEIPC: cols["q_ei_pc"][i], QIEPC: cols["q_ie_pc"][i], QIIPC: cols["q_ii_pc"][i]})
	}
	return fs, nil
}

// CountRuns counts the rows of outDir's runs and those that failed, reading only the status
// column in batches, in constant memory.
func CountRuns(outDir string) (rows, failed int64, err error) {
	paths, err := PartFiles(outDir)
	if err != nil {
		return 0, 0, err
	}
	for _, p := range paths {
		err := eachBatch(p, "status", func(a arrow.Array) error {
			s, ok := a.(*array.String)
			if !ok {
				return fmt.Errorf("status column is %s", a.DataType())
			}
			for i := range s.Len() {
				if s.Value(i) == string(StatusFailed) {
					failed++
				}
			}
			rows += int64(s.Len())
			return nil
		})
		if err != nil {
			return 0, 0, fmt.Errorf("reading %s: %w", p, err)
		}
	}
	return rows, failed, nil
}

// Report prints what a folder of runs of one point measured: weights, f-I threshold and gain,
// predicted and mean empirical charges, and rates. With seed set (the definition is the seed
// experiment) each line shows the seed notebook's numbers and Brian2's beside eisweep's.
func Report(w io.Writer, ex *Row, fs FolderStats, seed bool) error {
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
			line(name, fmt.Sprintf("%.3f", predicted(ex, k)), ref(seedRef.predicted[k]), "")
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

// DescribePoint returns a row describing def's point without simulating it: parameters,
// weights, and the f-I threshold and gain of both units.
func DescribePoint(def *sweep.Definition) (*Row, error) {
	m, err := def.Base.Model()
	if err != nil {
		return nil, err
	}
	r := &Row{Point: def.Base, Model: m, Status: StatusOK}
	var s sim.FIScratch
	for _, u := range []struct {
		unit sim.Unit
		out  *analysis.FIThresholdGain
	}{{m.Sim.Exc, &r.FIE}, {m.Sim.Inh, &r.FII}} {
		c, err := searchFI(fiKey{Unit: u.unit, DtS: m.Sim.DtSec, FI: m.FI}, &s)
		if err != nil {
			return nil, err
		}
		*u.out = c.thresholds
	}
	return r, nil
}
