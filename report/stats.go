package report

import (
	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/experiment"
)

// Stats summarises the completed runs of a folder.
type Stats struct {
	RateEHz, RateIHz           analysis.Moments
	QEEPC, QEIPC, QIEPC, QIIPC analysis.Moments
}

func (s *Stats) add(r *experiment.Row) {
	s.RateEHz.Add(r.RateEHz)
	s.RateIHz.Add(r.RateIHz)
	s.QEEPC.Add(r.QEEPC)
	s.QEIPC.Add(r.QEIPC)
	s.QIEPC.Add(r.QIEPC)
	s.QIIPC.Add(r.QIIPC)
}
