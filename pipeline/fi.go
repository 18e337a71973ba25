package pipeline

import (
	"fmt"
	"sync"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/sweep"
)

// fiKey identifies an f-I computation: the curve depends only on the unit, the clock and the
// f-I settings, not on the run.
type fiKey struct {
	Unit sim.Unit
	DtS  float64
	FI   sweep.FISpec
}

type fiEntry struct {
	done chan struct{}
	res  analysis.FIThresholdGain
	err  error
}

// fiCache computes each distinct unit's f-I threshold and gain once and shares it between
// workers: the first worker to ask computes it, the others wait for it.
type fiCache struct {
	mu sync.Mutex
	m  map[fiKey]*fiEntry
}

func newFICache() *fiCache { return &fiCache{m: map[fiKey]*fiEntry{}} }

func (c *fiCache) get(key fiKey, scratch *sim.FIScratch) (analysis.FIThresholdGain, error) {
	c.mu.Lock()
	e, ok := c.m[key]
	if !ok {
		e = &fiEntry{done: make(chan struct{})}
		c.m[key] = e
	}
	c.mu.Unlock()
	if ok {
		<-e.done
		return e.res, e.err
	}
	e.res, e.err = computeFI(key, scratch)
	close(e.done)
	return e.res, e.err
}

// computeFI runs the full f-I scan of MODEL.md §5 and derives θ and g.
func computeFI(key fiKey, scratch *sim.FIScratch) (analysis.FIThresholdGain, error) {
	currents := sim.FICurrents(nil, key.FI.IMinAmp, key.FI.IMaxAmp, key.FI.NCurrents)
	counts := make([]int64, len(currents))
	fi := sim.FI{Unit: key.Unit, DtSec: key.DtS, DurationSec: key.FI.DurationSec}
	if err := fi.Counts(currents, counts, scratch); err != nil {
		return analysis.FIThresholdGain{}, err
	}
	res, err := analysis.ThresholdGain(currents, counts, key.FI.DurationSec)
	if err != nil {
		return res, fmt.Errorf("f-I: %w", err)
	}
	return res, nil
}
