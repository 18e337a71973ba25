package sweep

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Definition is a parsed sweep definition.
type Definition struct {
	Path        string // file it was read from ("" if parsed from text)
	Text        string // the definition as written
	Name        string // sweep name; the default output folder is results/<Name>
	Description string // free text
	Seed        uint64 // base seed; each run's seed derives from it and the run's identity
	Replicates  int    // independent Poisson realisations per point
	Base        Point  // the registry defaults with [params] applied
	Overridden  []string
}

// Error is a problem in a definition, located in its file.
type Error struct {
	Path string // file, or "" for text
	Line int    // 1-based line, or 0 if unknown
	Key  string // the offending key, e.g. `params."exc.e_leak"`, or ""
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
	} else {
		b.WriteString("definition")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Load reads and parses the definition in file path.
func Load(path string) (*Definition, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading sweep definition: %w", err)
	}
	return Parse(path, string(b))
}

// rawDefinition is the TOML shape of a definition.
type rawDefinition struct {
	Name        string         `toml:"name"`
	Description string         `toml:"description"`
	Seed        *int64         `toml:"seed"`
	Replicates  *int64         `toml:"replicates"`
	Params      map[string]any `toml:"params"`
}

var topKeys = []string{"name", "description", "seed", "replicates", "params"}

// Parse parses a definition's text; path names it in errors. All problems are reported before
// anything runs: syntax (with line and column), unknown keys (with the nearest known one),
// wrong units or types, and values outside a parameter's valid range.
func Parse(path, text string) (*Definition, error) {
	var raw rawDefinition
	md, err := toml.Decode(text, &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{Path: path, Line: pe.Position.Line, Msg: fmt.Sprintf("column %d: %s", pe.Position.Col, pe.Message)}
		}
		return nil, &Error{Path: path, Msg: err.Error()}
	}
	var errs []error
	fail := func(key toml.Key, msg string, args ...any) {
		errs = append(errs, &Error{Path: path, Line: lineOf(text, key), Key: key.String(), Msg: fmt.Sprintf(msg, args...)})
	}
	for _, k := range md.Undecoded() {
		if len(k) == 1 || k[0] != "params" {
			if s := nearest(k[len(k)-1], topKeys); s != "" && len(k) == 1 {
				fail(k, "unknown key (did you mean %q?)", s)
			} else {
				fail(k, "unknown key (a definition has %s)", strings.Join(topKeys, ", "))
			}
		}
	}
	d := &Definition{Path: path, Text: text, Name: raw.Name, Description: raw.Description, Seed: 1, Replicates: 1, Base: Defaults()}
	switch {
	case raw.Name == "":
		fail(nil, `missing name (add e.g. name = "my-sweep"; it names the output folder)`)
	case !nameRE.MatchString(raw.Name):
		fail(toml.Key{"name"}, "%q is not a folder name (use letters, digits, '.', '_', '-')", raw.Name)
	}
	if raw.Seed != nil {
		if *raw.Seed < 0 {
			fail(toml.Key{"seed"}, "%d is negative (want an integer ≥ 0)", *raw.Seed)
		}
		d.Seed = uint64(*raw.Seed)
	}
	if raw.Replicates != nil {
		if *raw.Replicates < 1 || *raw.Replicates > 1e9 {
			fail(toml.Key{"replicates"}, "%d is not a count of runs (want an integer from 1 to 10⁹)", *raw.Replicates)
		}
		d.Replicates = int(*raw.Replicates)
	}
	flat := map[string]flatValue{}
	flatten(toml.Key{"params"}, raw.Params, flat)
	names := make([]string, 0, len(flat))
	for name := range flat {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fv := flat[name]
		p := Lookup(name)
		if p == nil {
			if s := nearest(name, Names()); s != "" {
				fail(fv.key, "unknown parameter (did you mean %q? `eisweep params` lists them all)", s)
			} else {
				fail(fv.key, "unknown parameter (`eisweep params` lists them all)")
			}
			continue
		}
		v, err := valueOf(p, fv.v)
		if err != nil {
			fail(fv.key, "%v", err)
			continue
		}
		d.Base[index[name]] = v
		d.Overridden = append(d.Overridden, name)
	}
	if len(errs) == 0 {
		if _, err := d.Base.Model(); err != nil {
			errs = append(errs, &Error{Path: path, Key: "params", Msg: err.Error()})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return d, nil
}

type flatValue struct {
	key toml.Key
	v   any
}

// flatten turns nested tables ([params.exc] e_leak = …) into dotted names ("exc.e_leak").
func flatten(prefix toml.Key, m map[string]any, out map[string]flatValue) {
	for k, v := range m {
		key := append(append(toml.Key{}, prefix...), k)
		if sub, ok := v.(map[string]any); ok {
			flatten(key, sub, out)
			continue
		}
		out[strings.Join(key[1:], ".")] = flatValue{key: key, v: v}
	}
}

// valueOf converts a decoded TOML value into a value of p.
func valueOf(p *Param, v any) (Value, error) {
	switch x := v.(type) {
	case string:
		return p.Parse(x)
	case int64:
		return p.FromNumber(float64(x))
	case float64:
		return p.FromNumber(x)
	}
	return Value{}, fmt.Errorf("%v is a %T; write a quoted value such as %q", v, v, p.Default)
}

var index = func() map[string]int {
	m := make(map[string]int, len(Registry))
	for i, p := range Registry {
		m[p.Name] = i
	}
	return m
}()

// lineOf returns the 1-based line where key is written in text, or 0 if it cannot tell: the
// first line after its table's header that assigns the key's last piece (bare or quoted).
func lineOf(text string, key toml.Key) int {
	if len(key) == 0 {
		return 0
	}
	lines := strings.Split(text, "\n")
	start := 0
	if len(key) > 1 {
		for i, l := range lines {
			t := strings.TrimSpace(l)
			if strings.HasPrefix(t, "[") && strings.Contains(t, key[0]) {
				start = i
				break
			}
		}
	}
	last := key[len(key)-1]
	forms := []string{`"` + last + `"`, `'` + last + `'`, last}
	for i := start; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		for _, f := range forms {
			if rest, ok := strings.CutPrefix(t, f); ok && strings.HasPrefix(strings.TrimSpace(rest), "=") {
				return i + 1
			}
		}
	}
	return 0
}

// RunID returns the identity of a run: a hash of the point's canonical form and the replicate
// number. The canonical form lists, in name order, every parameter whose value differs from its
// default, as name=value with numbers in SI units to 15 significant digits — so it does not
// depend on key order, on how a value was written ("5 Hz" and "0.005 kHz" are the same), or on
// parameters added to the registry later with their defaults.
func RunID(pt Point, replicate int) string {
	h := sha256.New()
	for _, name := range Names() {
		i := index[name]
		p := Registry[i]
		c := canonical(p, pt[i])
		if c == canonical(p, p.def) {
			continue
		}
		fmt.Fprintf(h, "%s=%s\n", name, c)
	}
	fmt.Fprintf(h, "replicate=%d\n", replicate)
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func canonical(p *Param, v Value) string {
	if p.Kind == KindEnum {
		return strconv.Quote(v.Str)
	}
	if v.Num == 0 {
		return "0" // -0 and 0 are the same value
	}
	return strconv.FormatFloat(v.Num, 'g', 15, 64)
}

// RunSeed returns the random seed of the run runID in a sweep with base seed base.
func RunSeed(base uint64, runID string) uint64 {
	h := sha256.New()
	fmt.Fprintf(h, "eisweep seed %d %s", base, runID)
	return binary.LittleEndian.Uint64(h.Sum(nil)[:8]) & math.MaxInt64
}

// Hash returns the SHA-256 of the definition's text, hex-encoded.
func (d *Definition) Hash() string {
	h := sha256.Sum256([]byte(d.Text))
	return hex.EncodeToString(h[:])
}

// SameRuns reports whether d and o give every run the same parameters and seed, so that results
// of one may stand for the other: the same base seed and the same point. Names, descriptions,
// comments and replicate counts may differ (more replicates only add runs).
func (d *Definition) SameRuns(o *Definition) bool {
	if d.Seed != o.Seed || len(d.Base) != len(o.Base) {
		return false
	}
	return RunID(d.Base, 0) == RunID(o.Base, 0)
}
