package sweep

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestParseDefinition(t *testing.T) {
	d, err := Parse("x.toml", `
name = "setpoints"
seed = 7
replicates = 20

[params]
"sim.duration" = "2 s"
"weights.mult_ei" = 0.9
"input.n_exc" = 300

[params.inh]
e_leak = "7 mV"
`)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "setpoints" || d.Seed != 7 || d.Replicates != 20 {
		t.Errorf("header: %+v", d)
	}
	m, err := d.Base.Model()
	if err != nil {
		t.Fatal(err)
	}
	if m.Sim.DurationSec != 2 || m.Mult[2] != 0.9 || m.Input.NExc != 300 || m.Sim.Inh.ELeakVolt != 7*mV {
		t.Errorf("overrides not applied: %+v", m)
	}
	if len(d.Overridden) != 4 {
		t.Errorf("overridden %v", d.Overridden)
	}
}

func TestParseDefinitionErrors(t *testing.T) {
	cases := []struct {
		reason, text string
		want         []string
	}{
		{"syntax error with line and column", "name = \"x\"\nseed = = 3\n", []string{"x.toml:2:", "column"}},
		{"missing name", "seed = 1\n", []string{"missing name"}},
		{"unknown top-level key, suggested", "name = \"x\"\nreplicate = 3\n", []string{"x.toml:2:", `did you mean "replicates"`}},
		{"unknown parameter, suggested", "name = \"x\"\n[params]\n\"exc.e_lek\" = \"8 mV\"\n", []string{"x.toml:3:", `params."exc.e_lek"`, `did you mean "exc.e_leak"`}},
		{"missing unit names the key and an example", "name = \"x\"\n[params]\n\"input.rate_exc\" = \"5\"\n", []string{"x.toml:3:", "has no unit", `"5 Hz"`}},
		{"unquoted number for a quantity", "name = \"x\"\n[params]\n\"sim.dt\" = 0.1\n", []string{"has no unit", `"0.1 ms"`}},
		{"wrong dimension", "name = \"x\"\n[params]\n\"sim.dt\" = \"0.1 mV\"\n", []string{"is a voltage, want a time"}},
		{"fractional count", "name = \"x\"\n[params]\n\"input.n_exc\" = 3.5\n", []string{"not a whole number"}},
		{"bad replicates", "name = \"x\"\nreplicates = 0\n", []string{"x.toml:2:", "replicates"}},
		{"every error is reported", "name = \"x\"\n[params]\n\"a.b\" = 1\n\"sim.dt\" = \"1 V\"\n", []string{"a.b", "want a time"}},
		{"inconsistent f-I range", "name = \"x\"\n[params]\n\"fi.i_max\" = \"0 pA\"\n", []string{"fi.i_max"}},
	}
	for _, c := range cases {
		_, err := Parse("x.toml", c.text)
		if err == nil {
			t.Errorf("%s: accepted", c.reason)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", c.reason, err, w)
			}
		}
	}
}

// TestRunIdentity: run ids depend on values, not on how or in which order they were written,
// and seeds follow run ids.
func TestRunIdentity(t *testing.T) {
	a, err := Parse("", "name = \"a\"\n[params]\n\"input.rate_exc\" = \"5 Hz\"\n\"sim.duration\" = \"2 s\"\n")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("", "name = \"b\"\n[params]\n\"sim.duration\" = \"2000 ms\"\n\"input.rate_exc\" = \"0.005 kHz\"\n")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("", "name = \"c\"\n[params]\n\"sim.duration\" = \"2 s\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if a.Base.RunID(0) != b.Base.RunID(0) || a.Base.RunID(0) != c.Base.RunID(0) {
		t.Error("respelled or default-valued parameters changed the run id")
	}
	if a.Base.RunID(0) == a.Base.RunID(1) {
		t.Error("replicates share a run id")
	}
	if a.Base.RunID(0) == Defaults().RunID(0) {
		t.Error("duration change did not change the run id")
	}
	id := a.Base.RunID(3)
	if RunSeed(1, id) == RunSeed(2, id) || RunSeed(1, id) != RunSeed(1, id) {
		t.Error("run seeds do not follow the base seed")
	}
}

// TestIdentityFormat: typed identities print, parse and seed exactly as the hex strings that
// earlier releases wrote into run_id and cell_id, so existing folders resume. The values are
// those of the string-based implementation (commit 8d1530a) for the default point.
func TestIdentityFormat(t *testing.T) {
	d := Defaults()
	id, cell := d.RunID(3), d.CellID()
	if id.String() != "4790276524d385cc" || cell.String() != "0bc80c5fe8dd002f" {
		t.Errorf("run id %s, cell id %s; want 4790276524d385cc, 0bc80c5fe8dd002f", id, cell)
	}
	if s := RunSeed(7, id); s != 6691318932630260329 {
		t.Errorf("seed %d, want 6691318932630260329", s)
	}
	back, err := ParseRunID(id.String())
	if err != nil || back != id {
		t.Errorf("ParseRunID(%s) = %v, %v", id, back, err)
	}
	for _, bad := range []string{"", "4790276524d385c", "4790276524d385ccc", "4790276524d385cg", "../../victim.txt!"} {
		if _, err := ParseRunID(bad); err == nil {
			t.Errorf("ParseRunID(%q) accepted", bad)
		}
	}
}

// TestRepeatedValuesRefused: a value written twice on an axis (however it is spelled), a zip
// row written twice, or a range whose steps repeat a value, is refused naming both positions:
// the two cells would have one identity.
func TestRepeatedValuesRefused(t *testing.T) {
	for _, c := range []struct{ reason, text, want string }{
		{"numbers", `[grid]
"weights.mult_ei" = [1, 1.2, 1.0]`, "values 1 and 3"},
		{"units", `[grid]
"input.rate_exc" = ["5 Hz", "6 Hz", "0.005 kHz"]`, "values 1 and 3 (5 Hz and 5 Hz)"},
		{"a range from a value to itself", `[grid]
"weights.mult_ei" = { from = 1, to = 1, steps = 3 }`, "values 1 and 2"},
		{"zip rows", `[[zip]]
"exc.e_leak" = ["7.6 mV", "8 mV", "7.6 mV"]
"inh.e_leak" = ["6.5 mV", "7 mV", "6.5 mV"]`, "values 1 and 3"},
	} {
		_, err := Parse("r.toml", "name = \"r\"\n"+c.text+"\n")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "remove one") {
			t.Errorf("%s: %v, want an error naming %q", c.reason, err, c.want)
		}
	}
	// A zip may repeat one member's value while the rows differ.
	if _, err := Parse("r.toml", "name = \"r\"\n[[zip]]\n\"exc.e_leak\" = [\"7.6 mV\", \"7.6 mV\"]\n\"inh.e_leak\" = [\"6.5 mV\", \"7 mV\"]\n"); err != nil {
		t.Errorf("distinct zip rows refused: %v", err)
	}
	long := strings.Repeat("n", 201)
	if _, err := Parse("r.toml", "name = \""+long+"\"\n"); err == nil || !strings.Contains(err.Error(), "at most 200") {
		t.Errorf("a 201-character name: %v", err)
	}
}

// TestDisplayAsWritten: a value reads back in its display unit as it was written, not with the
// last bit of a unit conversion (1000 nA is 1e-06 A, and 1e-06/1e-09 = 1000.0000000000001).
func TestDisplayAsWritten(t *testing.T) {
	for _, c := range []struct {
		name, value string
		want        float64
	}{{"weights.j_ei", "1000 nA", 1000}, {"exc.e_leak", "7.6 mV", 7.6}, {"sim.dt", "0.1 ms", 0.1}, {"input.rate_exc", "0.005 kHz", 5}} {
		d, err := Parse("d.toml", fmt.Sprintf("name = \"d\"\n[params]\n%q = %q\n", c.name, c.value))
		if err != nil {
			t.Fatal(err)
		}
		p := Lookup(c.name)
		if got := p.Display(d.Base[index[c.name]]); got != c.want {
			t.Errorf("%s = %s reads back as %v, want %v", c.name, c.value, got, c.want)
		}
	}
}

// TestRunSeedBytes: the seed is the hash of the text the doc names, for bases of every length.
func TestRunSeedBytes(t *testing.T) {
	for _, base := range []uint64{0, 7, 1 << 40, math.MaxUint64} {
		for _, id := range []RunID{0, 1, 0xfedcba9876543210, math.MaxUint64} {
			sum := sha256.Sum256(fmt.Appendf(nil, "eisweep seed %d %016x", base, uint64(id)))
			if got, want := RunSeed(base, id), binary.LittleEndian.Uint64(sum[:8])&math.MaxInt64; got != want {
				t.Errorf("RunSeed(%d, %x) = %d, want %d", base, id, got, want)
			}
		}
	}
}

// TestRunsInIdentities: the identities RunsIn yields (from each cell's canonical form, made once)
// are those of Point.RunID, in a grid of parameters away from their defaults, and those of the
// implementation that hashed each run's point afresh (its ids for run 7, computed before the change).
func TestRunsInIdentities(t *testing.T) {
	d, err := Parse("g.toml", "name = \"g\"\nreplicates = 3\n[params]\n\"input.rate_exc\" = \"7 Hz\"\n[grid]\n\"weights.j_ee\" = [\"0.5 nA\", \"0.6 nA\"]\n\"weights.j_ei\" = [\"0.7 nA\", \"0.8 nA\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[RunID]bool{}
	for r := range d.AllRuns() {
		if want := r.Point.RunID(r.Replicate); r.ID != want {
			t.Errorf("run %d: id %s, Point.RunID %s", r.Index, r.ID, want)
		}
		if r.Index == 7 && (r.ID.String() != "2283e3e449cdbaa1" || r.Point.CellID().String() != "e3b53e8b863ab462") {
			t.Errorf("run 7: id %s, cell %s; want 2283e3e449cdbaa1, e3b53e8b863ab462", r.ID, r.Point.CellID())
		}
		seen[r.ID] = true
	}
	if len(seen) != 12 {
		t.Errorf("%d distinct ids, want 12", len(seen))
	}
}

// TestRange: a parameter's range is its base value, or the extremes of the axes that set it.
func TestRange(t *testing.T) {
	d, err := Parse("r.toml", "name = \"r\"\n[params]\n\"sim.duration\" = \"2 s\"\n[grid]\n\"input.rate_exc\" = [\"7 Hz\", \"3 Hz\", \"5 Hz\"]\n[[zip]]\n\"sim.dt\" = [\"0.05 ms\", \"0.2 ms\"]\n\"input.rate_inh\" = [\"1 Hz\", \"2 Hz\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		lo, hi float64
	}{{"sim.duration", 2, 2}, {"input.rate_exc", 3, 7}, {"sim.dt", 0.05e-3, 0.2e-3}, {"fi.n_currents", 3001, 3001}} {
		if lo, hi := d.Range(c.name); lo != c.lo || hi != c.hi {
			t.Errorf("Range(%s) = %g, %g; want %g, %g", c.name, lo, hi, c.lo, c.hi)
		}
	}
}

// TestParseKeyEqualsParseUint: the hand-written parser of 16 hex digits accepts and decodes
// exactly what strconv.ParseUint(s, 16, 64) does at that length.
func TestParseKeyEqualsParseUint(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789abcdefABCDEF+-_ xXgG\x00\xff"
	for i := range 200_000 {
		b := make([]byte, 16)
		for k := range b {
			if i%2 == 0 { // mostly hex, now and then anything
				b[k] = "0123456789abcdefABCDEF"[rng.IntN(22)]
			} else {
				b[k] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		s := string(b)
		got, err := parseKey(s)
		want, werr := strconv.ParseUint(s, 16, 64)
		if (err == nil) != (werr == nil) || (err == nil && got != want) {
			t.Fatalf("parseKey(%q) = %x, %v; strconv %x, %v", s, got, err, want, werr)
		}
	}
}
