package sim

import (
	"strconv"
	"strings"
	"testing"
)

// fmtSeed formats x as Brian2 and numpy print it in the seed notebook: 8 decimals, trailing
// zeros trimmed.
func fmtSeed(x float64) string {
	s := strconv.FormatFloat(x, 'f', 8, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func fmtPA(amp float64) string { return fmtSeed(amp * 1e12) }

// recordedInput returns the steps of the seed input's excitatory and inhibitory spikes of x's run
// with the given seed, for replays.
func recordedInput(tb testing.TB, x *Experiment, seed uint64) (exc, inh []int64) {
	tb.Helper()
	var d Drive
	e, i, err := d.Inputs(x, seedInput, seed)
	if err != nil {
		tb.Fatal(err)
	}
	return Record(nil, e, x.Steps()), Record(nil, i, x.Steps())
}
