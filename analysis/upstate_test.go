package analysis

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/eisweep/eisweep/internal/goldenfile"
)

// TestPSTHBinEdges: where numpy's histogram of the seed's float32 spike times puts spikes near
// bin edges (expected bins computed with numpy 1.24 on float32(step·1e-4)): a spike at exactly
// 10 ms is 0.0099999998 as a float32 and lands in bin 0; spikes from 1.49 s on are in no bin
// (numpy's arange(0, 1.5, 0.01) ends at 1.49).
func TestPSTHBinEdges(t *testing.T) {
	for _, tc := range []struct {
		step int64
		bin  int
	}{{100, 0}, {99, 0}, {101, 1}, {1000, 10}, {14899, 148}, {14900, -1}, {14901, -1}, {14999, -1}, {200, 1}, {300, 2}, {1100, 10}} {
		if got := binOf(spikeTime32(tc.step, 1e-4), 0.01, PSTHBins(0.01, 1.5)); got != tc.bin {
			t.Errorf("step %d: bin %d, numpy %d", tc.step, got, tc.bin)
		}
	}
	if n := PSTHBins(0.01, 1.5); n != 149 {
		t.Errorf("%d bins, numpy 149", n)
	}
	// Rates: count / bin / units, only units lo … hi−1.
	r := PSTH([]int64{5, 6, 150, 150, 14950}, []int32{0, 3, 1, 7, 2}, 0, 4, 1e-4, 0.01, 1.5)
	if len(r) != 149 || r[0] != 2/0.01/4 || r[1] != 1/0.01/4 || r[2] != 0 {
		t.Errorf("rates %v", r[:3])
	}
}

// TestUpStatesRules covers find_upstates's rules on made-up histograms (0.01 s bins, 0.2 Hz,
// 0.1 s and 0.1 s).
func TestUpStatesRules(t *testing.T) {
	seq := func(parts ...any) []float64 {
		var r []float64
		for i := 0; i < len(parts); i += 2 {
			for range parts[i+1].(int) {
				r = append(r, parts[i].(float64))
			}
		}
		return r
	}
	type iv [2]int
	for _, tc := range []struct {
		name string
		rate []float64
		want []iv
	}{
		{"one Up", seq(0.0, 2, 1.0, 15, 0.0, 20), []iv{{2, 17}}},
		{"at the threshold is up", seq(0.0, 2, 0.2, 15, 0.19, 20), []iv{{2, 17}}},
		{"an Up of exactly 0.1 s is removed", seq(0.0, 2, 1.0, 10, 0.0, 20), nil},
		{"an Up of 0.11 s stays", seq(0.0, 2, 1.0, 11, 0.0, 20), []iv{{2, 13}}},
		{"a Down of 0.1 s merges its Ups", seq(0.0, 2, 1.0, 5, 0.0, 10, 1.0, 5, 0.0, 20), []iv{{2, 22}}},
		{"a Down of 0.11 s separates them", seq(0.0, 2, 1.0, 15, 0.0, 11, 1.0, 15, 0.0, 20), []iv{{2, 17}, {28, 43}}},
		{"merged Ups long enough together", seq(0.0, 2, 1.0, 6, 0.0, 3, 1.0, 6, 0.0, 20), []iv{{2, 17}}},
		{"still up at the end", seq(0.0, 2, 1.0, 30), []iv{{2, 32}}},
		{"starting up: the first Down is dropped", seq(1.0, 5, 0.0, 20, 1.0, 15, 0.0, 20), []iv{{25, 40}}},
		{"starting up, up again at the end: no Up (the seed's quirk)", seq(1.0, 5, 0.0, 20, 1.0, 15), nil},
		{"always up", seq(1.0, 30), nil},
		{"never up", seq(0.0, 30), nil},
		{"empty", nil, nil},
	} {
		got := UpStates(tc.rate, 0.01, 0.2, 0.1, 0.1)
		var g []iv
		for _, u := range got {
			g = append(g, iv{u.StartBin, u.EndBin})
			if u.StartSec != float64(u.StartBin)*0.01 || u.EndSec != float64(u.EndBin)*0.01 || u.DurationSec != float64(u.EndBin-u.StartBin)*0.01 {
				t.Errorf("%s: %+v: seconds not bins·0.01", tc.name, u)
			}
		}
		if !slices.Equal(g, tc.want) {
			t.Errorf("%s: Ups %v, want %v", tc.name, g, tc.want)
		}
	}
}

// TestSumNumpy: numpy's pairwise sums (values computed with numpy 1.24 for
// x_i = 1/(i+1) + (i mod 7)·10⁻³); all but the first differ from a sequential sum in the last bit.
func TestSumNumpy(t *testing.T) {
	for _, tc := range []struct {
		n         int
		sum, mean float64
	}{
		{5, 2.2933333333333334, 0.45866666666666667}, // as a sequential sum
		{8, 2.738857142857143, 0.34235714285714286},  // the rest differ from one
		{9, 2.850968253968254, 0.3167742504409171},
		{100, 5.482377517639621, 0.05482377517639621},
		{129, 5.821899030573668, 0.04513100023700518},
		{1000, 10.482470860550345, 0.010482470860550345},
		{4097, 21.181347978001227, 0.00516996533512356},
	} {
		x := make([]float64, tc.n)
		for i := range x {
			x[i] = 1.0/float64(i+1) + float64(i%7)*1e-3
		}
		if s, m := SumNumpy(x), MeanNumpy(x); s != tc.sum || m != tc.mean {
			t.Errorf("n %d: sum %v, mean %v; numpy %v, %v", tc.n, s, m, tc.sum, tc.mean)
		}
	}
}

// TestSummarizeUpsSynthetic: one Up state with known spikes; rates inside, outside and per unit.
func TestSummarizeUpsSynthetic(t *testing.T) {
	// 4 E units, 2 I units, dt 1 ms, 1 s. The I units fire every 5 ms from 200 ms to 500 ms.
	var steps []int64
	var units []int32
	add := func(s int64, u int32) { steps = append(steps, s); units = append(units, u) }
	add(50, 0) // outside
	for s := int64(200); s < 500; s += 5 {
		add(s, 4)
		add(s, 5)
		if s%20 == 0 {
			add(s, 1)
		}
	}
	add(900, 2) // outside
	// order by step, then unit
	var u NetworkUps
	err := SummarizeUps(NetworkSpikes{Steps: steps, Units: units, NExc: 4, NInh: 2, NKicked: 1, DtSec: 1e-3, DurationSec: 1}, DefaultUpParams(), &u)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Ups) != 1 || u.Ups[0].StartBin != 20 || u.Ups[0].EndBin != 50 {
		t.Fatalf("Ups %+v, want bins 20 … 50", u.Ups)
	}
	// Spikes strictly inside (0.2, 0.5): the I spikes at 205 … 495 ms (59 each), E unit 1 at 220 … 480 ms (14).
	if u.UpRateIHz != 118/2.0/float64(float64(30)*0.01) {
		t.Errorf("I Up rate %v Hz, want %v", u.UpRateIHz, 118/2.0/0.3)
	}
	if want := 14 / 4.0 / (float64(30) * 0.01); u.UpRateEHz != want {
		t.Errorf("E Up rate %v Hz, want %v", u.UpRateEHz, want)
	}
	if u.UpRateEUnitsHz[1] != 14/(float64(30)*0.01) || u.UpRateEUnitsHz[0] != 0 {
		t.Errorf("E unit rates %v", u.UpRateEUnitsHz)
	}
	if u.FirstOnsetSec != 0.2 || u.MeanDurationSec != float64(30)*0.01 || !math.IsNaN(u.EventDurationSec) {
		t.Errorf("onset %v, duration %v, event %v", u.FirstOnsetSec, u.MeanDurationSec, u.EventDurationSec)
	}
	// Outside: E has 3 spikes outside (0.05, 0.2 on the boundary, 0.9), I 2 (at 0.2 s, on the boundary).
	if want := 3 / (1 - 0.3) / 4.0; math.Abs(u.OutsideRateEHz-want) > 1e-12 {
		t.Errorf("E rate outside %v, want %v", u.OutsideRateEHz, want)
	}
	if want := 2 / (1 - 0.3) / 2.0; math.Abs(u.OutsideRateIHz-want) > 1e-12 {
		t.Errorf("I rate outside %v, want %v", u.OutsideRateIHz, want)
	}
	if u.SpikesE != 17 || u.SpikesI != 120 {
		t.Errorf("%d E and %d I spikes", u.SpikesE, u.SpikesI)
	}
	if err := SummarizeUps(NetworkSpikes{Steps: steps, Units: units[1:], NExc: 4, NInh: 2, DtSec: 1e-3, DurationSec: 1}, DefaultUpParams(), &u); err == nil {
		t.Error("mismatched steps and units accepted")
	}
}

// Brian2's golden noise-free runs (sim/testdata/network, tools/network_goldens.py) carry the Up
// states of their spikes as the seed's Results and trainer compute them, with numpy.
type goldenUps struct {
	NExc     int     `json:"n_exc"`
	NInh     int     `json:"n_inh"`
	NKick    int     `json:"n_kick"`
	Dt       float64 `json:"dt"`
	Duration float64 `json:"duration"`
	Numpy    struct {
		SpikeSteps []int64 `json:"spike_steps"`
		SpikeUnits []int32 `json:"spike_units"`
		Ups        struct {
			RateEHist     []float64 `json:"rate_e_hist"`
			RateIHist     []float64 `json:"rate_i_hist"`
			Starts        []int     `json:"up_start_bins"`
			Ends          []int     `json:"up_end_bins"`
			NUps          int       `json:"n_ups"`
			UpRateE       float64   `json:"up_rate_e"`
			UpRateI       float64   `json:"up_rate_i"`
			UpRateEUnits  []float64 `json:"up_rate_e_units"`
			UpRateIUnits  []float64 `json:"up_rate_i_units"`
			MeanDuration  float64   `json:"mean_duration"`
			FirstOnset    *float64  `json:"first_onset"`
			EventDuration *float64  `json:"event_duration"`
		} `json:"ups"`
	} `json:"numpy"`
}

// TestSummarizeUpsMatchesSeedCode: SummarizeUps on Brian2's spikes gives, double for double,
// what the seed's code gives: the histograms, the Up states, the Up rates (population and per
// unit), the mean duration and onset, and without an Up state the event duration and fallback rates.
func TestSummarizeUpsMatchesSeedCode(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "sim", "testdata", "network", "det_*.json.gz"))
	if len(files) == 0 {
		t.Fatal("no golden files ../sim/testdata/network/det_*.json.gz (tools/network_goldens.py)")
	}
	sawNone, sawSome := false, false
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			var g goldenUps
			if err := goldenfile.Decode(path, "tools/network_goldens.py", &g); err != nil {
				t.Fatal(err)
			}
			w := g.Numpy.Ups
			var u NetworkUps
			err := SummarizeUps(NetworkSpikes{Steps: g.Numpy.SpikeSteps, Units: g.Numpy.SpikeUnits, NExc: g.NExc, NInh: g.NInh,
				NKicked: g.NKick, DtSec: g.Dt, DurationSec: g.Duration}, DefaultUpParams(), &u)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(u.RateEHistHz, w.RateEHist) || !slices.Equal(u.RateIHistHz, w.RateIHist) {
				t.Errorf("histograms differ from numpy's")
			}
			var starts, ends []int
			for _, up := range u.Ups {
				starts, ends = append(starts, up.StartBin), append(ends, up.EndBin)
			}
			if len(u.Ups) != w.NUps || !slices.Equal(starts, w.Starts) && len(starts)+len(w.Starts) > 0 || !slices.Equal(ends, w.Ends) && len(ends)+len(w.Ends) > 0 {
				t.Fatalf("Ups %v–%v, seed code %v–%v", starts, ends, w.Starts, w.Ends)
			}
			eq := func(name string, got, want float64) {
				t.Helper()
				if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
					t.Errorf("%s %.17g, seed code %.17g", name, got, want)
				}
			}
			eq("E Up rate", u.UpRateEHz, w.UpRateE)
			eq("I Up rate", u.UpRateIHz, w.UpRateI)
			eq("mean duration", u.MeanDurationSec, w.MeanDuration)
			if w.FirstOnset != nil {
				eq("first onset", u.FirstOnsetSec, *w.FirstOnset)
			}
			if w.EventDuration != nil {
				eq("event duration", u.EventDurationSec, *w.EventDuration)
			}
			if !slices.Equal(u.UpRateEUnitsHz, w.UpRateEUnits) || !slices.Equal(u.UpRateIUnitsHz, w.UpRateIUnits) {
				t.Errorf("per-unit Up rates differ from the seed code's")
			}
			if w.NUps == 0 {
				sawNone = true
			} else {
				sawSome = true
			}
			t.Logf("%d spikes, %d Ups %v–%v, E %.4g Hz, I %.4g Hz, duration %.3g s", len(g.Numpy.SpikeSteps), w.NUps, w.Starts, w.Ends, u.UpRateEHz, u.UpRateIHz, u.MeanDurationSec)
		})
	}
	if !sawNone || !sawSome {
		t.Errorf("the goldens have trials with Ups: %v, without: %v; want both", sawSome, sawNone)
	}
}
