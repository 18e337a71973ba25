package experiment

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"sync"

	"github.com/eisweep/eisweep/analysis"
	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// fiKey identifies an f-I computation: the curve depends only on the unit, the clock and the
// f-I settings, not on the run.
type fiKey struct {
	Unit sim.Unit
	DtS  float64
	FI   sweep.FISpec
}

// FIKey is the identity of an f-I computation, as the fi_key columns hold it: the first 64 bits
// of a hash of the unit's parameters, the clock and the f-I settings.
type FIKey uint64

// String returns the key as files hold it: 16 lowercase hex digits.
func (k FIKey) String() string { return fmt.Sprintf("%016x", uint64(k)) }

// id returns the key's identity: a hash of its values.
func (k fiKey) id() FIKey {
	var b []byte
	for _, x := range []float64{k.Unit.ELeakVolt, k.Unit.VResetVolt, k.Unit.VThreshVolt, k.Unit.CmFarad, k.Unit.GLeakSiemens,
		k.Unit.RefractorySec, k.Unit.BetaAdaptAmpSec, k.Unit.TauAdaptSec, k.DtS, k.FI.IMinAmp, k.FI.IMaxAmp, k.FI.DurationSec} {
		b = strconv.AppendFloat(b, x, 'g', -1, 64)
		b = append(b, ' ')
	}
	b = strconv.AppendInt(b, int64(k.FI.NCurrents), 10)
	sum := sha256.Sum256(b)
	return FIKey(binary.BigEndian.Uint64(sum[:8]))
}

// fiCurve is what the f-I test of a unit gave: threshold and gain, and the full curve when it
// was asked for.
type fiCurve struct {
	key        fiKey
	id         FIKey
	currentsA  []float64
	counts     []int64 // nil unless the full curve was computed
	thresholds analysis.FIThresholdGain
}

type fiEntry struct {
	done  chan struct{}
	curve *fiCurve
	err   error
}

// FICache computes each distinct unit's f-I curve once and shares it between workers: the
// first worker to ask computes it, the others wait for it.
type FICache struct {
	mu sync.Mutex
	m  map[fiKey]*fiEntry
}

// NewFICache returns an empty cache.
func NewFICache() *FICache { return &FICache{m: map[fiKey]*fiEntry{}} }

// get returns the f-I result of key, with the full curve if full; first is true for the one
// caller that computed it. All callers of one cache must agree on full.
func (c *FICache) get(key fiKey, full bool, scratch *sim.FIScratch) (curve *fiCurve, first bool, err error) {
	c.mu.Lock()
	e, ok := c.m[key]
	if !ok {
		e = &fiEntry{done: make(chan struct{})}
		c.m[key] = e
	}
	c.mu.Unlock()
	if ok {
		<-e.done
		return e.curve, false, e.err
	}
	if full {
		e.curve, e.err = computeFI(key, scratch)
	} else {
		e.curve, e.err = searchFI(key, scratch)
	}
	close(e.done)
	return e.curve, true, e.err
}

// searchFI finds θ and g with about 14 single-current simulations (analysis.SearchThresholdGain),
// which give exactly what the full scan gives (sim's TestFISearchEqualsScan).
func searchFI(key fiKey, scratch *sim.FIScratch) (*fiCurve, error) {
	c := &fiCurve{key: key, id: key.id()}
	c.currentsA = sim.FICurrents(nil, key.FI.IMinAmp, key.FI.IMaxAmp, key.FI.NCurrents)
	fi := sim.FI{Unit: key.Unit, DtSec: key.DtS, DurationSec: key.FI.DurationSec}
	probe := func(k int, firstOnly bool) (int64, error) { return fi.Count(c.currentsA[k], firstOnly, scratch.Stop) }
	var err error
	if c.thresholds, _, err = analysis.SearchThresholdGain(c.currentsA, key.FI.DurationSec, probe); err != nil {
		return nil, err
	}
	return c, nil
}

// computeFI runs the full f-I scan of docs/MODEL.md §5 and derives θ and g.
func computeFI(key fiKey, scratch *sim.FIScratch) (*fiCurve, error) {
	c := &fiCurve{key: key, id: key.id()}
	c.currentsA = sim.FICurrents(nil, key.FI.IMinAmp, key.FI.IMaxAmp, key.FI.NCurrents)
	c.counts = make([]int64, len(c.currentsA))
	fi := sim.FI{Unit: key.Unit, DtSec: key.DtS, DurationSec: key.FI.DurationSec}
	if err := fi.Counts(c.currentsA, c.counts, scratch); err != nil {
		return nil, err
	}
	var err error
	if c.thresholds, err = analysis.ThresholdGain(c.currentsA, c.counts, key.FI.DurationSec); err != nil {
		return nil, fmt.Errorf("f-I: %w", err)
	}
	return c, nil
}

// FIRow is one point of an f-I curve: a row of the fi/ table.
type FIRow struct {
	curve *fiCurve
	k     int
}

// FIColumns is the fi/ table's schema: one row per current of every distinct unit's curve.
var FIColumns = []table.Column[FIRow]{
	table.String("fi_key", "identity of the unit's f-I computation; runs.fi_key_e and runs.fi_key_i refer to it", func(r *FIRow) string { return r.curve.id.String() }),
	table.Float("e_leak_mv", "leak reversal potential of the unit (mV)", func(r *FIRow) float64 { return r.curve.key.Unit.ELeakVolt * 1e3 }),
	table.Float("v_reset_mv", "reset potential (mV)", func(r *FIRow) float64 { return r.curve.key.Unit.VResetVolt * 1e3 }),
	table.Float("v_thresh_mv", "threshold (mV)", func(r *FIRow) float64 { return r.curve.key.Unit.VThreshVolt * 1e3 }),
	table.Float("c_m_pf", "membrane capacitance (pF)", func(r *FIRow) float64 { return r.curve.key.Unit.CmFarad * 1e12 }),
	table.Float("g_leak_nsiemens", "leak conductance (nS)", func(r *FIRow) float64 { return r.curve.key.Unit.GLeakSiemens * 1e9 }),
	table.Float("refractory_ms", "refractory period (ms)", func(r *FIRow) float64 { return r.curve.key.Unit.RefractorySec * 1e3 }),
	table.Float("beta_adapt_pc", "adaptation strength β (nA·ms = pC)", func(r *FIRow) float64 { return r.curve.key.Unit.BetaAdaptAmpSec * 1e12 }),
	table.Float("tau_adapt_ms", "adaptation time constant (ms)", func(r *FIRow) float64 { return r.curve.key.Unit.TauAdaptSec * 1e3 }),
	table.Float("dt_ms", "clock step (ms)", func(r *FIRow) float64 { return r.curve.key.DtS * 1e3 }),
	table.Float("duration_s", "simulated time per current (s)", func(r *FIRow) float64 { return r.curve.key.FI.DurationSec }),
	table.Float("current_pa", "injected current (pA)", func(r *FIRow) float64 { return r.curve.currentsA[r.k] * 1e12 }),
	table.Int("n_spikes", "spikes at this current", func(r *FIRow) int64 { return r.curve.counts[r.k] }),
	table.Float("rate_hz", "rate at this current: spikes / duration (Hz)", func(r *FIRow) float64 {
		return float64(r.curve.counts[r.k]) / r.curve.key.FI.DurationSec
	}),
}

func (c *fiCurve) rows() []FIRow {
	rs := make([]FIRow, len(c.counts))
	for k := range rs {
		rs[k] = FIRow{curve: c, k: k}
	}
	return rs
}
