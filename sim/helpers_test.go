package sim

import (
	"strconv"
	"strings"
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
