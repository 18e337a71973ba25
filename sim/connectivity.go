package sim

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// Connectivity is the synapses of a recurrent network: for each pathway (indexed by [Pathway]),
// synapse k connects presynaptic unit Pre[p][k] to postsynaptic unit Post[p][k], both indices
// within their own population (0 … n_E−1 or 0 … n_I−1), with a delay of DelaySteps[p][k] steps of
// DtSec. The synapse order is Brian2's synapse order: with per-synapse weights it fixes the order
// in which a unit's inputs are added.
type Connectivity struct {
	NExc, NInh int
	DtSec      float64 // the clock step the delays count
	Pre, Post  [4][]int32
	DelaySteps [4][]int32
	// WeightAmp[p], when non-nil, holds a weight (A) per synapse of pathway p; nil means every
	// synapse of p has the configuration's weight (NetworkConfig.W).
	WeightAmp [4][]float64
}

// Synapses returns the number of synapses of pathway p.
func (c *Connectivity) Synapses(p Pathway) int { return len(c.Pre[p]) }

// Tags of the connectivity's random streams, one per pathway and purpose.
const (
	connPairsTag = 0x436f6e50 // "ConP"
	connDelayTag = 0x436f6e44 // "ConD"
)

// NewConnectivity draws a connectivity by cfg's rules (docs/MODEL.md, "The recurrent network"),
// deterministically from seed: each pathway's SynapseCount pairs chosen uniformly without
// replacement among all pairs (without i = j within a population), sorted by presynaptic then
// postsynaptic unit, and per synapse a delay of floor(U·d_max/dt) + 1 steps. Each pathway draws its
// pairs and its delays from streams of their own, so changing one pathway's d_max leaves the others
// unchanged. Brian2's goldens draw theirs with numpy, so the two agree in distribution only.
//
// The random words come from the 8-lane xoshiro256++ generator of the noise (laneStream), which
// the assembly draws at a fraction of a nanosecond per word; its scalar twin gives the same words,
// so a seed's connectivity is the same on every machine.
func NewConnectivity(cfg NetworkConfig, seed uint64) (*Connectivity, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	nExc, nInh := cfg.Sizes()
	c := &Connectivity{NExc: nExc, NInh: nInh, DtSec: cfg.DtSec}
	r := new(laneStream)
	var grid []uint64
	for p := EE; p <= II; p++ {
		nPre, nPost := cfg.pathwaySizes(p)
		k := cfg.SynapseCount(p)
		r.seed(seed, connPairsTag<<4|uint64(p))
		var pre, post []int32
		pre, post, grid = choosePairs(r, nPre, nPost, p.within(), k, grid)
		r.seed(seed, connDelayTag<<4|uint64(p))
		delay := make([]int32, k)
		dMax, dt := cfg.delayMax(p), cfg.DtSec
		for s := 0; s < k; {
			ws := r.batch()
			m := min(len(ws), k-s)
			for q, w := range ws[:m] {
				// U = (word >> 11)·2⁻⁵³ (through int64: the same number, one instruction)
				delay[s+q] = int32(delaySteps(float64(int64(w>>11))*0x1p-53, dMax, dt))
			}
			r.unread(len(ws) - m)
			s += m
		}
		c.Pre[p], c.Post[p], c.DelaySteps[p] = pre, post, delay
	}
	return c, nil
}

// drawPairs marks grid positions drawn from the words ws until left more are newly marked, and
// returns how many words it used and how many positions are still to mark. It is choosePairs'
// inner loop, on its own so that its few variables stay in registers.
func drawPairs(ws, grid []uint64, words int, nPre, nPost uint64, tPre, tPost uint32, left int) (used, _ int) {
	for k, w := range ws {
		mi, mj := uint64(uint32(w))*nPre, (w>>32)*nPost
		if uint32(mi) < tPre || uint32(mj) < tPost {
			continue
		}
		j := mj >> 32
		g := &grid[int(mi>>32)*words+int(j>>6)]
		old := *g
		*g = old | 1<<(j&63)
		left -= int(^old >> (j & 63) & 1) // without a branch: whether the position was free is a coin flip
		if left == 0 {
			return k + 1, 0
		}
	}
	return len(ws), left
}

// laneStream hands out the 8-lane generator's words (laneWords) one at a time.
type laneStream struct {
	lanes [32]uint64
	buf   [nzChunk]uint64
	i     int
}

// seed starts the stream of seed and tag: the lanes' states are the outputs of a SplitMix64
// chain started at seed^tag<<32.
func (r *laneStream) seed(seed, tag uint64) {
	x := seed ^ tag<<32
	seedLanes(&r.lanes, &x)
	r.i = len(r.buf)
}

// batch returns the next words of the stream (block by block, lane 0 to 7 within a block), at
// least one, as consumed; unread(n) gives the last n of them back. A caller that loops over a
// batch keeps its position in a register.
func (r *laneStream) batch() []uint64 {
	if r.i == len(r.buf) {
		laneWords(&r.lanes, r.buf[:])
		r.i = 0
	}
	b := r.buf[r.i:]
	r.i = len(r.buf)
	return b
}

// unread gives the last n words of the last batch back.
func (r *laneStream) unread(n int) { r.i -= n }

// choosePairs returns k distinct (pre, post) pairs of an nPre × nPost grid (without the diagonal
// when within), every k-subset equally likely, sorted by pre then post. It draws uniform grid
// positions and rejects those not allowed or already taken, which gives a uniform k-subset; when k
// is more than half the allowed pairs it so chooses the pairs left out instead, so that at most
// half the draws are rejected either way. A position is a row (pre) and a column (post), each drawn
// from one half of a 64-bit word by Lemire's multiply-and-reject; the grid is a bitmap of rows of
// whole 64-bit words, so reading it row by row gives the sorted pairs without a division. grid is
// a buffer for the bitmap (returned for reuse).
func choosePairs(r *laneStream, nPre, nPost int, within bool, k int, grid []uint64) (pre, post []int32, _ []uint64) {
	words := (nPost + 63) / 64
	grow(&grid, nPre*words)
	clear(grid) // a set bit: drawn, or not allowed
	allowed := nPre * nPost
	if within {
		allowed -= nPre
		for i := range nPre {
			grid[i*words+i/64] |= 1 << (i % 64)
		}
	}
	pick := k
	complement := 2*k > allowed
	if complement {
		pick = allowed - k
	}
	// i = ⌊lo32·nPre/2³²⌋ and j = ⌊hi32·nPost/2³²⌋, accepted only if both products' low halves
	// are at least 2³² mod n (Lemire): then i and j are exactly uniform and independent.
	tPre, tPost := uint32(-uint32(nPre)%uint32(nPre)), uint32(-uint32(nPost)%uint32(nPost))
	for left := pick; left > 0; {
		ws := r.batch()
		var used int
		used, left = drawPairs(ws, grid, words, uint64(nPre), uint64(nPost), tPre, tPost, left)
		r.unread(len(ws) - used)
	}
	pre, post = make([]int32, k), make([]int32, k)
	n := 0
	for i := range nPre {
		row := grid[i*words : (i+1)*words]
		for w, x := range row {
			if complement {
				x = ^x // the allowed pairs not drawn (the diagonal is set)
				if w == words-1 && nPost%64 != 0 {
					x &= 1<<(nPost%64) - 1
				}
			} else if within && w == i/64 {
				x &^= 1 << (i % 64)
			}
			for ; x != 0; x &= x - 1 {
				pre[n], post[n] = int32(i), int32(64*w+bits.TrailingZeros64(x))
				n++
			}
		}
	}
	return pre, post, grid
}

// Validate checks c's structure: positive sizes and clock, equal lengths per pathway, indices
// within their populations, delays from 0 to MaxNetworkDelaySteps, finite weights. Errors name the
// pathway and synapse.
func (c *Connectivity) Validate() error {
	_, err := c.validate()
	return err
}

// validate is Validate, and returns each pathway's stats.
func (c *Connectivity) validate() (stats [4]pathwayStats, _ error) {
	if c.NExc < 1 || c.NInh < 1 {
		return stats, fmt.Errorf("connectivity has %d E and %d I units, want at least one of each", c.NExc, c.NInh)
	}
	if !(c.DtSec > 0) || math.IsInf(c.DtSec, 0) {
		return stats, fmt.Errorf("connectivity's dt is %g s, want a positive time", c.DtSec)
	}
	for p := EE; p <= II; p++ {
		nPre, nPost := c.NExc, c.NExc
		if p.SourceInh() {
			nPre = c.NInh
		}
		if p.TargetInh() {
			nPost = c.NInh
		}
		n := len(c.Pre[p])
		if len(c.Post[p]) != n || len(c.DelaySteps[p]) != n || c.WeightAmp[p] != nil && len(c.WeightAmp[p]) != n {
			return stats, fmt.Errorf("%v: %d presynaptic indices, %d postsynaptic, %d delays, %d weights: want equal counts",
				p, n, len(c.Post[p]), len(c.DelaySteps[p]), len(c.WeightAmp[p]))
		}
		// One fast scan first; the loop below, which names the first bad synapse, runs only if it
		// fails.
		stats[p] = c.scan(p)
		if st := stats[p]; st.maxPre < uint32(nPre) && st.maxPost < uint32(nPost) && st.maxDelay <= MaxNetworkDelaySteps &&
			allFinite(c.WeightAmp[p]) {
			continue
		}
		for k := range n {
			if a := c.Pre[p][k]; a < 0 || int(a) >= nPre {
				return stats, fmt.Errorf("%v synapse %d: presynaptic unit %d, want 0 … %d", p, k, a, nPre-1)
			}
			if b := c.Post[p][k]; b < 0 || int(b) >= nPost {
				return stats, fmt.Errorf("%v synapse %d: postsynaptic unit %d, want 0 … %d", p, k, b, nPost-1)
			}
			if d := c.DelaySteps[p][k]; d < 0 || d > MaxNetworkDelaySteps {
				return stats, fmt.Errorf("%v synapse %d: delay of %d steps, want 0 … %d", p, k, d, MaxNetworkDelaySteps)
			}
			if c.WeightAmp[p] != nil {
				if w := c.WeightAmp[p][k]; math.IsNaN(w) || math.IsInf(w, 0) {
					return stats, fmt.Errorf("%v synapse %d: weight %v A, want a finite current", p, k, w)
				}
			}
		}
	}
	return stats, nil
}

// pathwayStats are what one scan of a pathway's synapses finds: the largest presynaptic and
// postsynaptic indices and delay, read as uint32 (a negative number is large), and whether the
// synapses are sorted by presynaptic unit.
type pathwayStats struct {
	maxPre, maxPost, maxDelay uint32
	sorted                    bool
}

// scan returns pathway p's stats (its slices must have equal lengths) in one pass.
func (c *Connectivity) scan(p Pathway) pathwayStats {
	pre := c.Pre[p]
	n := len(pre)
	post, delay := c.Post[p][:n], c.DelaySteps[p][:n]
	var st pathwayStats
	var unsorted uint64
	prev := int64(math.MinInt32)
	for k, a := range pre {
		st.maxPre = max(st.maxPre, uint32(a))
		st.maxPost = max(st.maxPost, uint32(post[k]))
		st.maxDelay = max(st.maxDelay, uint32(delay[k]))
		unsorted |= uint64(int64(a)-prev) >> 63 // 1 if a < the previous one
		prev = int64(a)
	}
	st.sorted = unsorted == 0
	return st
}

// allFinite reports whether no element of x is NaN or infinite: x − x is 0 for every finite x and
// NaN otherwise, and NaN stays NaN in a sum.
func allFinite(x []float64) bool {
	var s float64
	for _, v := range x {
		s += v - v
	}
	return s == 0
}

// Check reports whether c is consistent with cfg: its sizes and clock are cfg's, its structure is
// valid (see Validate), and every delay is one cfg's delay rule can give (1 … DelayMaxSteps). It
// does not check the synapse counts or the absence of autapses, which a loaded connectivity may
// legitimately differ in.
func (c *Connectivity) Check(cfg NetworkConfig) error {
	nExc, nInh := cfg.Sizes()
	if c.NExc != nExc || c.NInh != nInh {
		return fmt.Errorf("connectivity has %d E and %d I units, the configuration %d and %d", c.NExc, c.NInh, nExc, nInh)
	}
	if c.DtSec != cfg.DtSec {
		return fmt.Errorf("connectivity's delays count steps of %g s, the configuration's dt is %g s", c.DtSec, cfg.DtSec)
	}
	if err := c.Validate(); err != nil {
		return err
	}
	for p := EE; p <= II; p++ {
		hi := cfg.DelayMaxSteps(p)
		for k, d := range c.DelaySteps[p] {
			if d < 1 || int(d) > hi {
				return fmt.Errorf("%v synapse %d: delay of %d steps, the configuration's d_max %g s allows 1 … %d",
					p, k, d, cfg.delayMax(p), hi)
			}
		}
	}
	return nil
}

// The connectivity CSV (WriteCSV, ReadConnectivity): a comment line with the sizes and the clock,
//
//	# eisweep connectivity n_exc=800 n_inh=200 dt_s=0.0001
//
// then the header pathway,pre,post,delay_ms[,weight_pa] and one synapse per line, e.g.
// "EE,12,345,0.3" or "EI,3,17,0.2,136.5", indices within their populations, in synapse order per
// pathway (pathways may interleave). Delays are in ms, multiples of dt; weights in pA, converted to
// amperes as Brian2 converts w·pA (w × 10⁻¹²).
const connMagic = "# eisweep connectivity"

// WriteCSV writes c in the connectivity CSV format (see ReadConnectivity). Weights are written
// when the pathways have per-synapse weights (all of them must then, or none).
func (c *Connectivity) WriteCSV(w io.Writer) error {
	withW := 0
	for p := EE; p <= II; p++ {
		if c.WeightAmp[p] != nil {
			withW++
		}
	}
	if withW != 0 && withW != 4 {
		return fmt.Errorf("write connectivity: %d of 4 pathways have per-synapse weights, want all or none", withW)
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("write connectivity: %w", err)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintf(bw, "%s n_exc=%d n_inh=%d dt_s=%s\n", connMagic, c.NExc, c.NInh, strconv.FormatFloat(c.DtSec, 'g', -1, 64))
	if withW == 4 {
		bw.WriteString("pathway,pre,post,delay_ms,weight_pa\n")
	} else {
		bw.WriteString("pathway,pre,post,delay_ms\n")
	}
	dtMs := c.DtSec / 1e-3
	var buf []byte
	for p := EE; p <= II; p++ {
		name := p.String()
		for k := range c.Pre[p] {
			buf = append(buf[:0], name...)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(c.Pre[p][k]), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(c.Post[p][k]), 10)
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, float64(c.DelaySteps[p][k])*dtMs, 'g', 12, 64)
			if withW == 4 {
				buf = append(buf, ',')
				buf = strconv.AppendFloat(buf, weightPA(c.WeightAmp[p][k]), 'g', -1, 64)
			}
			buf = append(buf, '\n')
			if _, err := bw.Write(buf); err != nil {
				return fmt.Errorf("write connectivity: %w", err)
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write connectivity: %w", err)
	}
	return nil
}

// weightPA returns the weight in pA that reads back as w (x·10⁻¹² == w) if a neighbour of w/10⁻¹²
// does, else the nearest.
func weightPA(w float64) float64 {
	x := w / 1e-12
	for _, y := range []float64{x, math.Nextafter(x, math.Inf(1)), math.Nextafter(x, math.Inf(-1))} {
		if y*1e-12 == w {
			return y
		}
	}
	return x
}

// ReadConnectivity reads a connectivity CSV (see WriteCSV), gzip-compressed or not (detected by
// the gzip magic number). Errors name the line.
func ReadConnectivity(r io.Reader) (*Connectivity, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("connectivity: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 1<<16)
	}
	c := &Connectivity{}
	line := 0
	next := func() ([]byte, error) {
		b, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return nil, fmt.Errorf("connectivity line %d: longer than %d bytes", line+1, br.Size())
		}
		if len(b) == 0 && err != nil {
			return nil, err
		}
		line++
		return bytes.TrimRight(b, "\r\n"), nil
	}
	// The comment line.
	b, err := next()
	if err != nil {
		return nil, fmt.Errorf("connectivity: empty input (%w)", noEOF(err))
	}
	if !bytes.HasPrefix(b, []byte(connMagic)) {
		return nil, fmt.Errorf("connectivity line 1: want %q followed by n_exc=, n_inh= and dt_s=", connMagic)
	}
	seen := map[string]bool{}
	for _, f := range strings.Fields(string(b[len(connMagic):])) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("connectivity line 1: %q is not key=value", f)
		}
		var err error
		switch k {
		case "n_exc":
			c.NExc, err = strconv.Atoi(v)
		case "n_inh":
			c.NInh, err = strconv.Atoi(v)
		case "dt_s":
			c.DtSec, err = strconv.ParseFloat(v, 64)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("connectivity line 1: %s: %w", k, err)
		}
		seen[k] = true
	}
	for _, k := range []string{"n_exc", "n_inh", "dt_s"} {
		if !seen[k] {
			return nil, fmt.Errorf("connectivity line 1: no %s=", k)
		}
	}
	if c.NExc < 1 || c.NInh < 1 || c.NExc > 1<<30 || c.NInh > 1<<30 {
		return nil, fmt.Errorf("connectivity line 1: n_exc=%d n_inh=%d, want 1 … 2^30 each", c.NExc, c.NInh)
	}
	if !(c.DtSec > 0) || math.IsInf(c.DtSec, 0) {
		return nil, fmt.Errorf("connectivity line 1: dt_s=%g, want a positive time", c.DtSec)
	}
	// The header.
	if b, err = next(); err != nil {
		return nil, fmt.Errorf("connectivity: no header line (%w)", noEOF(err))
	}
	header := string(b)
	withW := false
	switch header {
	case "pathway,pre,post,delay_ms":
	case "pathway,pre,post,delay_ms,weight_pa":
		withW = true
		for p := range c.WeightAmp {
			c.WeightAmp[p] = []float64{}
		}
	default:
		return nil, fmt.Errorf("connectivity line %d: header %q, want pathway,pre,post,delay_ms[,weight_pa]", line, header)
	}
	nFields := 4
	if withW {
		nFields = 5
	}
	var fields [5][]byte
	for {
		b, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("connectivity line %d: %w", line+1, err)
		}
		if len(b) == 0 {
			continue
		}
		nf := 0
		for {
			if nf == len(fields) {
				nf++ // one too many
				break
			}
			i := bytes.IndexByte(b, ',')
			if i < 0 {
				fields[nf] = b
				nf++
				break
			}
			fields[nf] = b[:i]
			nf++
			b = b[i+1:]
		}
		if nf != nFields {
			return nil, fmt.Errorf("connectivity line %d: %d fields, want %d", line, nf, nFields)
		}
		p, err := ParsePathway(string(fields[0]))
		if err != nil {
			return nil, fmt.Errorf("connectivity line %d: %w", line, err)
		}
		nPre, nPost := c.NExc, c.NExc
		if p.SourceInh() {
			nPre = c.NInh
		}
		if p.TargetInh() {
			nPost = c.NInh
		}
		pre, err := strconv.Atoi(string(fields[1]))
		if err != nil || pre < 0 || pre >= nPre {
			return nil, fmt.Errorf("connectivity line %d: presynaptic unit %q of %v, want an integer 0 … %d", line, fields[1], p, nPre-1)
		}
		post, err := strconv.Atoi(string(fields[2]))
		if err != nil || post < 0 || post >= nPost {
			return nil, fmt.Errorf("connectivity line %d: postsynaptic unit %q of %v, want an integer 0 … %d", line, fields[2], p, nPost-1)
		}
		dMs, err := strconv.ParseFloat(string(fields[3]), 64)
		if err != nil || !(dMs >= 0) || math.IsInf(dMs, 0) {
			return nil, fmt.Errorf("connectivity line %d: delay %q ms, want a time ≥ 0", line, fields[3])
		}
		// Brian2's spike queue turns a delay into steps as int(delay/dt + 0.5).
		x := float64(dMs*1e-3) / c.DtSec
		if x > MaxNetworkDelaySteps+0.5 {
			return nil, fmt.Errorf("connectivity line %d: delay %s ms is %.0f steps of %g s, want at most %d", line, fields[3], x, c.DtSec, MaxNetworkDelaySteps)
		}
		d := int32(x + 0.5)
		if math.Abs(x-float64(d)) > 1e-3 {
			return nil, fmt.Errorf("connectivity line %d: delay %s ms is %.6g steps of %g s, want a whole number of steps", line, fields[3], x, c.DtSec)
		}
		c.Pre[p] = append(c.Pre[p], int32(pre))
		c.Post[p] = append(c.Post[p], int32(post))
		c.DelaySteps[p] = append(c.DelaySteps[p], d)
		if withW {
			wPA, err := strconv.ParseFloat(string(fields[4]), 64)
			if err != nil || math.IsInf(wPA, 0) || math.IsNaN(wPA) {
				return nil, fmt.Errorf("connectivity line %d: weight %q pA, want a finite number", line, fields[4])
			}
			c.WeightAmp[p] = append(c.WeightAmp[p], wPA*1e-12)
		}
		if len(c.Pre[p]) > maxSynapses {
			return nil, fmt.Errorf("connectivity line %d: more than %d %v synapses", line, maxSynapses, p)
		}
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("connectivity: %w", err)
	}
	return c, nil
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return errors.New("unexpected end of input")
	}
	return err
}
