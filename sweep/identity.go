package sweep

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/bits"
	"sort"
	"strconv"
)

// byNameOrder is the registry in name order: the order of the canonical form.
var byNameOrder = func() []int {
	o := make([]int, len(Registry))
	for i := range o {
		o[i] = i
	}
	sort.Slice(o, func(a, b int) bool { return Registry[o[a]].Name < Registry[o[b]].Name })
	return o
}()

// RunID is the identity of a run: the first 64 bits of a hash of its point's canonical form and
// its replicate number (see [Point.RunID]). Files carry it as 16 lowercase hex digits
// ([RunID.String]); [ParseRunID] reads them back.
type RunID uint64

// String returns id as files and the CLI show it: 16 lowercase hex digits.
func (id RunID) String() string { return fmt.Sprintf("%016x", uint64(id)) }

// ParseRunID parses 16 hex digits (as [RunID.String] writes them).
func ParseRunID(s string) (RunID, error) {
	k, err := parseKey(s)
	return RunID(k), err
}

// CellID is the identity of a grid cell: a hash of its point's canonical form without a replicate
// (see [Point.CellID]). Runs of one cell share it; aggregation groups by it.
type CellID uint64

// String returns id as files show it: 16 lowercase hex digits.
func (id CellID) String() string { return fmt.Sprintf("%016x", uint64(id)) }

// ParseCellID parses 16 hex digits (as [CellID.String] writes them).
func ParseCellID(s string) (CellID, error) {
	k, err := parseKey(s)
	return CellID(k), err
}

// parseKey parses a key of exactly 16 hex digits.
func parseKey(s string) (uint64, error) {
	if len(s) != 16 {
		return 0, fmt.Errorf("%q is not an identity of 16 hex digits", s)
	}
	// By hand: strconv.ParseUint was most of reading a folder's run ids back (resume, reports).
	var k uint64
	for i := range 16 {
		c := s[i]
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, fmt.Errorf("%q is not an identity of 16 hex digits", s)
		}
		k = k<<4 | uint64(d)
	}
	return k, nil
}

// RunID returns the identity of the run of pt with the given replicate number: a hash of the
// point's canonical form and the replicate number. The canonical form lists, in name order, every parameter whose value differs from its
// default, as name=value with numbers in SI units to 15 significant digits. So the id does not
// depend on key order, on how a value was written ("5 Hz" and "0.005 kHz" are the same), on
// where it was set ([params], [grid] or a zip), on the other points of the grid, or on
// parameters added to the registry later with their defaults.
func (pt Point) RunID(replicate int) RunID { return runID(pt.appendCanonical(nil), replicate) }

// runID is the identity of a run of the point whose canonical form is canon.
func runID(canon []byte, replicate int) RunID {
	var buf [32]byte
	line := strconv.AppendInt(append(buf[:0], "replicate="...), int64(replicate), 10)
	return RunID(canonHash(canon, append(line, '\n')))
}

// pointHash hashes the canonical form of pt followed by last (see canonHash).
func pointHash(pt Point, last []byte) uint64 { return canonHash(pt.appendCanonical(nil), last) }

// canonHash hashes a canonical form followed by last, and returns the first 8 bytes
// (big-endian, so that their hex is the digest's first 16 hex digits).
func canonHash(canon, last []byte) uint64 {
	var buf [512]byte
	sum := sha256.Sum256(append(append(buf[:0], canon...), last...))
	return binary.BigEndian.Uint64(sum[:8])
}

// appendCanonical appends pt's canonical form to dst: a line name=value for every parameter
// whose value differs from its default, in name order.
func (pt Point) appendCanonical(dst []byte) []byte {
	var buf []byte
	for _, i := range byNameOrder {
		p := Registry[i]
		v := pt[i]
		if v == p.def {
			continue
		}
		c := appendCanonical(buf[:0], p, v)
		if string(c) == string(appendCanonical(nil, p, p.def)) {
			continue
		}
		buf = c
		dst = append(append(append(dst, p.Name...), '='), c...)
		dst = append(dst, '\n')
	}
	return dst
}

// appendCanonical appends v's canonical text: a quoted word, or the SI number to 15 significant
// digits (enough to tell apart any two values written in decimal with up to 15 digits).
func appendCanonical(dst []byte, p *Param, v Value) []byte {
	if p.Words() {
		return strconv.AppendQuote(dst, v.Str)
	}
	if v.Num == 0 {
		return append(dst, '0') // -0 and 0 are the same value
	}
	return strconv.AppendFloat(dst, v.Num, 'g', 15, 64)
}

// RunSeed returns the random seed of the run (or cell) with identity id in a sweep with base
// seed base: the first 63 bits of SHA-256("eisweep seed <base> <id as 16 hex digits>").
func RunSeed[ID RunID | CellID](base uint64, id ID) uint64 {
	var b [64]byte // on the stack: a seed per run, no allocation
	var idb [8]byte
	binary.BigEndian.PutUint64(idb[:], uint64(id))
	buf := strconv.AppendUint(append(b[:0], "eisweep seed "...), base, 10)
	buf = hex.AppendEncode(append(buf, ' '), idb[:]) // %016x
	sum := sha256.Sum256(buf)
	return binary.LittleEndian.Uint64(sum[:8]) & math.MaxInt64
}

// Shard is one of N disjoint slices of a sweep: K from 1 to N. The zero value (N = 0) is the
// whole sweep.
type Shard struct{ K, N int }

// ParseShard parses "k/n" (1 ≤ k ≤ n).
func ParseShard(s string) (Shard, error) {
	var sh Shard
	if _, err := fmt.Sscanf(s, "%d/%d", &sh.K, &sh.N); err != nil || fmt.Sprintf("%d/%d", sh.K, sh.N) != s || sh.N < 1 || sh.K < 1 || sh.K > sh.N {
		return Shard{}, fmt.Errorf("shard %q: want k/n with 1 ≤ k ≤ n, e.g. 2/8", s)
	}
	return sh, nil
}

// String returns "k/n", or "all" for the whole sweep.
func (s Shard) String() string {
	if s.N == 0 {
		return "all"
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// Tag returns the shard as file names carry it: "s2of8", or "all".
func (s Shard) Tag() string {
	if s.N == 0 {
		return "all"
	}
	return fmt.Sprintf("s%dof%d", s.K, s.N)
}

// Has reports whether the run runID belongs to the shard. Runs are assigned by their identity,
// (id·N) >> 64 with id the run id's 64 bits, so shards are disjoint, balanced up to chance,
// independent of the order of axes, and a run keeps its shard when points are added to a grid.
func (s Shard) Has(id RunID) bool {
	return s.N == 0 || ShardOf(id, s.N) == s.K
}

// ShardOf returns the shard (1…n) of run id among n.
func ShardOf(id RunID, n int) int {
	hi, _ := bits.Mul64(uint64(id), uint64(n))
	return int(hi) + 1
}

// CellID returns the identity of pt's grid cell: the hash of the point's canonical form (as in
// RunID) without a replicate.
func (pt Point) CellID() CellID { return CellID(pointHash(pt, []byte("cell\n"))) }

// ShardFromEnv returns the shard of a SLURM array task from its environment (getenv), and
// whether the environment describes one (SLURM_ARRAY_TASK_ID is set). With EISWEEP_SHARD_COUNT
// set, as `eisweep slurm`'s scripts set it, array indices are absolute, 0-based within each array
// job, and EISWEEP_SHARD_OFFSET (default 0) places the job among the shards:
//
//	k = EISWEEP_SHARD_OFFSET + SLURM_ARRAY_TASK_ID + 1,  n = EISWEEP_SHARD_COUNT
//
// so that `sbatch --array=5 …` resubmits exactly shard 6. Without it, a plain array job's tasks
// are its shards in order:
//
//	k = SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN + 1,  n = SLURM_ARRAY_TASK_COUNT
func ShardFromEnv(getenv func(string) string) (Shard, bool, error) {
	id := getenv("SLURM_ARRAY_TASK_ID")
	if id == "" {
		return Shard{}, false, nil
	}
	num := func(name, def string) (int, error) {
		v := getenv(name)
		if v == "" {
			v = def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%s = %q is not a whole number ≥ 0", name, v)
		}
		return n, nil
	}
	task, err := num("SLURM_ARRAY_TASK_ID", "")
	if err != nil {
		return Shard{}, true, err
	}
	minTask, err := num("SLURM_ARRAY_TASK_MIN", "0")
	if err != nil {
		return Shard{}, true, err
	}
	offset, err := num("EISWEEP_SHARD_OFFSET", "0")
	if err != nil {
		return Shard{}, true, err
	}
	var sh Shard
	if getenv("EISWEEP_SHARD_COUNT") != "" {
		count, err := num("EISWEEP_SHARD_COUNT", "")
		if err != nil {
			return Shard{}, true, err
		}
		sh = Shard{K: offset + task + 1, N: count}
	} else {
		count, err := num("SLURM_ARRAY_TASK_COUNT", "")
		if err != nil {
			return Shard{}, true, fmt.Errorf("%w (set EISWEEP_SHARD_COUNT, or run as an array job)", err)
		}
		sh = Shard{K: task - minTask + 1, N: count}
	}
	if sh.N < 1 || sh.K < 1 || sh.K > sh.N {
		return Shard{}, true, fmt.Errorf("array task %d (min %d, offset %d) is not a shard 1…%d", task, minTask, offset, sh.N)
	}
	return sh, true, nil
}
