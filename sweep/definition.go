package sweep

import (
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Definition is a parsed, validated sweep definition: a base point, the axes of a grid over it,
// and replicates of every cell.
type Definition struct {
	Path string // file it was read from ("" if parsed from text)
	// FilesDir is the folder relative file names in the definition (network.connectivity) are
	// relative to: Path's folder, or, for the copy an output folder keeps, the folder of the file
	// its results were run from ("" if unknown).
	FilesDir    string
	Text        string  // the definition as written
	Name        string  // sweep name; the default output folder is results/<Name>
	Description string  // free text
	Seed        uint64  // base seed; each run's seed derives from it and the run's identity
	Replicates  int     // independent realisations of every grid cell
	Base        Point   // the registry defaults with [params] applied
	Axes        []Axis  // [grid] entries and [[zip]] blocks, in file order
	Outputs     Outputs // optional tables beside the runs
	Solve       *Solve  // the [solve] table, or nil
	Sample      *Sample // the [sample] table, or nil; its points are the axis with Key "sample"
	Overridden  []string
	Warnings    []string // things that run but may not be what was meant

	cells int64
}

// Outputs are the optional tables a sweep writes beside its runs.
type Outputs struct {
	FICurves bool // fi/: the full f-I curve of every distinct unit (single-unit experiment)
	Traces   bool // traces/: v, s_E and s_I of both units at every step of every run (single-unit experiment)

	UnitRates bool // unit_rates/: every unit's rates, one row per unit per run (network experiment)
	PSTH      bool // psth/: the population rates in bins of network.bin (network experiment)
	Raster    bool // raster/: the spikes of network.raster_units units of each population (network experiment)

	// Connectivity writes connectivity/<run_id>.csv.gz: each run's synapses and delays, with the
	// trained per-synapse weights of a run that trains, in the format network.connectivity reads
	// (network experiment).
	Connectivity bool
}

// outputKinds says which experiment kind each output belongs to.
var outputKinds = map[string]Experiment{
	"fi_curves": ExperimentUnit, "traces": ExperimentUnit,
	"unit_rates": ExperimentNetwork, "psth": ExperimentNetwork, "raster": ExperimentNetwork,
	"connectivity": ExperimentNetwork,
}

// Kind returns the definition's experiment kind (its top-level key experiment).
func (d *Definition) Kind() Experiment { return Experiment(d.Base[index[ExperimentParam]].Str) }

// Cells returns the number of grid cells (1 without axes).
func (d *Definition) Cells() int64 { return d.cells }

// Runs returns the number of runs: cells × replicates.
func (d *Definition) Runs() int64 { return d.cells * int64(d.Replicates) }

// Run returns the grid cell and replicate of run i (0 ≤ i < Runs()): the replicates of a cell
// are consecutive.
func (d *Definition) Run(i int64) (cell int64, replicate int) {
	return i / int64(d.Replicates), int(i % int64(d.Replicates))
}

// RunRef is one run of a definition, as [Definition.RunsIn] yields it.
type RunRef struct {
	Index     int64 // position in the sweep, 0 ≤ Index < Runs()
	Cell      int64 // grid cell
	Replicate int
	Point     Point // the cell's parameter values; shared between iterations: clone to keep
	ID        RunID
}

// RunsIn yields the runs lo ≤ i < hi of the sweep in order (hi is clipped to Runs()), decoding
// each cell's point once for its replicates. The yielded Point is reused: callers that keep it
// clone it. Stop early by breaking out of the loop.
func (d *Definition) RunsIn(lo, hi int64) iter.Seq[RunRef] {
	return func(yield func(RunRef) bool) {
		hi = min(hi, d.Runs())
		var pt Point
		var canon []byte // pt's canonical form, which every run id of the cell hashes
		lastCell := int64(-1)
		for i := max(lo, 0); i < hi; i++ {
			cell, rep := d.Run(i)
			if cell != lastCell {
				pt, lastCell = d.Point(cell, pt), cell
				canon = pt.appendCanonical(canon[:0])
			}
			if !yield(RunRef{Index: i, Cell: cell, Replicate: rep, Point: pt, ID: runID(canon, rep)}) {
				return
			}
		}
	}
}

// AllRuns yields every run of the sweep in order; see [Definition.RunsIn].
func (d *Definition) AllRuns() iter.Seq[RunRef] { return d.RunsIn(0, d.Runs()) }

// Point writes the parameter values of grid cell `cell` into dst (allocated if too short) and
// returns it. The grid is never materialised: the cell decodes from its index.
func (d *Definition) Point(cell int64, dst Point) Point {
	if len(dst) != len(d.Base) {
		dst = make(Point, len(d.Base))
	}
	copy(dst, d.Base)
	decode(d.Axes, cell, dst)
	return dst
}

// maxNameLen is the longest definition name: it names the output folder (results/<name>) and
// SLURM jobs (eisweep-<name>), within the 255 bytes a file name may have.
const maxNameLen = 200

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

// DefaultMaxRuns is the largest sweep accepted unless Options.MaxRuns raises it: a guard against
// a typo that multiplies a grid.
const DefaultMaxRuns = 10_000_000

// Options adjust parsing.
type Options struct {
	MaxRuns int64 // largest number of runs accepted; 0 means DefaultMaxRuns
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Load reads and parses the definition in file path with default options.
func Load(path string) (*Definition, error) { return LoadWith(path, Options{}) }

// LoadWith reads and parses the definition in file path.
func LoadWith(path string, opt Options) (*Definition, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading sweep definition: %w", err)
	}
	return ParseWith(path, string(b), opt)
}

// Parse parses a definition's text with default options; path names it in errors.
func Parse(path, text string) (*Definition, error) { return ParseWith(path, text, Options{}) }

var topKeys = []string{"name", "description", "experiment", "seed", "replicates", "params", "grid", "zip", "sample", "outputs", "solve"}
var outputKeys = []string{"fi_curves", "traces", "unit_rates", "psth", "raster", "connectivity"}

// ParseWith parses a definition's text; path names it in errors. Every problem is reported, all
// before anything runs: TOML syntax (line and column), unknown keys and tables (with the nearest
// known name), wrong types, units and dimensions, values out of range, parameters set in two
// places, unequal zips, empty axes, combinations that cannot be simulated (checked over every
// cell), and grids above the run limit. The error joins one *Error per problem.
func ParseWith(path, text string, opt Options) (*Definition, error) {
	if opt.MaxRuns <= 0 {
		opt.MaxRuns = DefaultMaxRuns
	}
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{Path: path, Line: pe.Position.Line, Msg: fmt.Sprintf("column %d: TOML syntax: %s", pe.Position.Col, pe.Message)}
		}
		return nil, &Error{Path: path, Msg: err.Error()}
	}
	p := &parser{path: path, text: text, d: &Definition{Path: path, Text: text, Seed: 1, Replicates: 1, Base: Defaults()}}
	if path != "" {
		p.d.FilesDir = filepath.Dir(path)
	}
	p.parse(raw)
	d := p.d
	if len(p.errs) == 0 {
		n, err := cellCount(d.Axes)
		if err != nil {
			p.fail("grid", 0, "%v", err)
		}
		d.cells = n
		if runs := float64(n) * float64(d.Replicates); len(p.errs) == 0 && runs > float64(opt.MaxRuns) {
			p.fail("", 0, "%s cells × %d replicates = %.4g runs, above the limit of %d (a guard against typos); if you mean it, raise the limit with --max-runs",
				commas(n), d.Replicates, runs, opt.MaxRuns)
		}
	}
	if len(p.errs) == 0 {
		if pr, pt := checkGrid(d.Base, d.Axes); pr != nil {
			p.failProblem(pr, pt)
		}
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	d.Warnings = warnings(d)
	return d, nil
}

type parser struct {
	path, text string
	d          *Definition
	errs       []error
	where      map[string]place // parameter → where it is set
}

type place struct {
	key  string
	line int
}

func (p *parser) fail(key string, line int, format string, args ...any) {
	p.errs = append(p.errs, &Error{Path: p.path, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) parse(raw map[string]any) {
	d := p.d
	p.where = map[string]place{}
	keys := sortedMapKeys(raw)
	for _, k := range keys {
		if !contains(topKeys, k) {
			line := lineOf(p.text, []string{k})
			if s := Nearest(k, topKeys); s != "" {
				p.fail(quoteKey(k), line, "unknown key (did you mean %q?)", s)
			} else {
				p.fail(quoteKey(k), line, "unknown key (a definition has %s)", strings.Join(topKeys, ", "))
			}
		}
	}
	switch v := raw["name"].(type) {
	case nil:
		p.fail("", 0, `missing name (add e.g. name = "my-sweep" at the top; it names the output folder)`)
	case string:
		if !nameRE.MatchString(v) {
			p.fail("name", lineOf(p.text, []string{"name"}), "%q is not a folder name (use letters, digits, '.', '_', '-'; start with a letter or digit)", v)
		} else if len(v) > maxNameLen {
			p.fail("name", lineOf(p.text, []string{"name"}), "%q has %d characters; use at most %d (it names the output folder, and file systems allow 255 bytes per name, some of which eisweep's own names take)", v[:20]+"…", len(v), maxNameLen)
		}
		d.Name = v
	default:
		p.fail("name", lineOf(p.text, []string{"name"}), `%s is not a string (write name = "my-sweep")`, describe(v))
	}
	switch v := raw["description"].(type) {
	case nil:
	case string:
		d.Description = v
	default:
		p.fail("description", lineOf(p.text, []string{"description"}), "%s is not a string", describe(v))
	}
	if v, ok := raw["seed"]; ok {
		n, isInt := v.(int64)
		if !isInt || n < 0 {
			p.fail("seed", lineOf(p.text, []string{"seed"}), "%s is not a whole number ≥ 0 (write e.g. seed = 1)", describe(v))
		}
		d.Seed = uint64(n)
	}
	if v, ok := raw["replicates"]; ok {
		n, isInt := v.(int64)
		if !isInt || n < 1 || n > 1e9 {
			p.fail("replicates", lineOf(p.text, []string{"replicates"}), "%s is not a count of runs (want a whole number from 1 to 10⁹)", describe(v))
		} else {
			d.Replicates = int(n)
		}
	}
	p.experiment(raw["experiment"])
	p.params(raw["params"])
	p.grid(raw["grid"])
	p.zips(raw["zip"])
	p.sample(raw["sample"])
	p.outputs(raw["outputs"])
	sort.SliceStable(d.Axes, func(a, b int) bool { return d.Axes[a].Line < d.Axes[b].Line })
	if raw["solve"] != nil && d.Kind() != ExperimentUnit {
		p.fail("solve", lineOf(p.text, []string{"solve"}), "[solve] finds weights with the single-unit experiment; remove it, or remove experiment = %q", d.Kind())
		return
	}
	p.solve(raw["solve"])
}

// experiment reads the top-level key experiment (default "unit").
func (p *parser) experiment(v any) {
	if v == nil {
		return
	}
	line := lineOf(p.text, []string{"experiment"})
	s, ok := v.(string)
	var names []string
	for _, e := range Experiments {
		names = append(names, string(e))
	}
	switch {
	case !ok:
		p.fail("experiment", line, `%s is not a string (write experiment = "network", or leave it out for the single-unit experiment)`, describe(v))
	case !contains(names, s):
		if n := Nearest(s, names); n != "" {
			p.fail("experiment", line, "unknown experiment %q (did you mean %q? the experiments are %s)", s, n, quoteList(names))
		} else {
			p.fail("experiment", line, "unknown experiment %q (the experiments are %s)", s, quoteList(names))
		}
	default:
		p.d.Base[index[ExperimentParam]] = Value{Str: s}
	}
}

// table checks that v is a TOML table named name.
func (p *parser) table(name string, v any) (map[string]any, bool) {
	if v == nil {
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(name, lineOf(p.text, []string{name}), "%s is not a table (write [%s] on its own line, then its entries)", describe(v), name)
	}
	return m, ok
}

func (p *parser) params(v any) {
	m, ok := p.table("params", v)
	if !ok {
		return
	}
	for _, e := range p.flatten("params", m) {
		prm, val, ok := resolve(p, e, valueOf)
		if !ok {
			continue
		}
		p.d.Base[index[prm.Name]] = val
		p.d.Overridden = append(p.d.Overridden, prm.Name)
	}
}

func (p *parser) grid(v any) {
	m, ok := p.table("grid", v)
	if !ok {
		return
	}
	for _, e := range p.flatten("grid", m) {
		prm, vals, ok := resolve(p, e, axisValues)
		if !ok {
			continue
		}
		ax := Axis{Params: []int{index[prm.Name]}, Values: [][]Value{vals}, Key: e.keyText, Line: e.line}
		if msg := repeated(&ax); msg != "" {
			p.fail(e.keyText, e.line, "%s", msg)
			continue
		}
		p.d.Axes = append(p.d.Axes, ax)
	}
}

// repeated says which two positions of an axis hold the same value (the same tuple for a zip),
// "" if none do: they would be two cells with one identity, run twice under one run_id.
func repeated(a *Axis) string {
	seen := map[string]int{}
	for j := range a.Len() {
		var b []byte
		for k, i := range a.Params {
			b = appendCanonical(append(b, ' '), Registry[i], a.Values[k][j])
		}
		if first, dup := seen[string(b)]; dup {
			return fmt.Sprintf("values %d and %d (%s and %s) are the same: each value may appear once (two cells would share one identity); remove one",
				first+1, j+1, a.Position(first), a.Position(j))
		}
		seen[string(b)] = j
	}
	return ""
}

func (p *parser) zips(v any) {
	if v == nil {
		return
	}
	blocks, ok := v.([]map[string]any)
	if !ok {
		p.fail("zip", lineOf(p.text, []string{"zip"}), "write each zip block as [[zip]] (double brackets: an array of tables), with its lists of equal length")
		return
	}
	for z, m := range blocks {
		key := fmt.Sprintf("zip[%d]", z+1)
		header := zipLine(p.text, z)
		entries := p.flattenAt("zip", key, m, header)
		if len(entries) == 0 {
			p.fail(key, header, "empty zip block: list two or more parameters whose values vary together")
			continue
		}
		ax := Axis{Key: key, Line: header}
		bad := false
		for _, e := range entries {
			prm, vals, ok := resolve(p, e, axisValues)
			if !ok {
				bad = true
				continue
			}
			ax.Params = append(ax.Params, index[prm.Name])
			ax.Values = append(ax.Values, vals)
		}
		if bad {
			continue
		}
		for k := 1; k < len(ax.Values); k++ {
			if len(ax.Values[k]) != len(ax.Values[0]) {
				lens := make([]string, len(ax.Values))
				for j, vs := range ax.Values {
					lens[j] = fmt.Sprintf("%s has %d", Registry[ax.Params[j]].Name, len(vs))
				}
				p.fail(key, header, "members of a zip vary together and need the same number of values: %s", strings.Join(lens, ", "))
				bad = true
				break
			}
		}
		if !bad {
			if msg := repeated(&ax); msg != "" {
				p.fail(key, header, "%s", msg)
				continue
			}
			p.d.Axes = append(p.d.Axes, ax)
		}
	}
}

func (p *parser) outputs(v any) {
	m, ok := p.table("outputs", v)
	if !ok {
		return
	}
	for _, k := range sortedMapKeys(m) {
		key := "outputs." + quoteKey(k)
		line := lineOf(p.text, []string{"outputs", k})
		b, isBool := m[k].(bool)
		switch {
		case !contains(outputKeys, k):
			if s := Nearest(k, outputKeys); s != "" {
				p.fail(key, line, "unknown output (did you mean %q?)", s)
			} else {
				p.fail(key, line, "unknown output (the outputs are %s)", strings.Join(outputKeys, ", "))
			}
		case !isBool:
			p.fail(key, line, "%s is not true or false", describe(m[k]))
		case outputKinds[k] != p.d.Kind():
			p.fail(key, line, "outputs.%s belongs to experiment = %q; this definition runs experiment = %q", k, outputKinds[k], p.d.Kind())
		case k == "fi_curves":
			p.d.Outputs.FICurves = b
		case k == "traces":
			p.d.Outputs.Traces = b
		case k == "unit_rates":
			p.d.Outputs.UnitRates = b
		case k == "psth":
			p.d.Outputs.PSTH = b
		case k == "raster":
			p.d.Outputs.Raster = b
		case k == "connectivity":
			p.d.Outputs.Connectivity = b
		}
	}
}

// entry is one parameter entry of [params], [grid] or a zip block, flattened to its dotted name.
type entry struct {
	name    string // dotted parameter name
	v       any
	keyText string // e.g. params."exc.e_leak"
	line    int
}

func (p *parser) flatten(table string, m map[string]any) []entry {
	return p.flattenAt(table, table, m, 0)
}

// flattenAt flattens nested tables ([params.exc] e_leak = …) into dotted names ("exc.e_leak").
// Inline tables under [grid] and [[zip]] are ranges, not nesting.
func (p *parser) flattenAt(table, label string, m map[string]any, from int) []entry {
	var out []entry
	seen := map[string]string{}
	var walk func(prefix []string, m map[string]any)
	walk = func(prefix []string, m map[string]any) {
		for _, k := range sortedMapKeys(m) {
			v := m[k]
			path := append(append([]string{}, prefix...), k)
			name := strings.Join(path, ".")
			if sub, ok := v.(map[string]any); ok && !(table != "params" && isRange(sub)) && Lookup(name) == nil {
				walk(path, sub)
				continue
			}
			keyText := label + "." + quoteKey(name)
			line := lineAfter(p.text, from, table, path)
			if prev, dup := seen[name]; dup {
				p.fail(keyText, line, "%s is written twice in this table (also as %s)", name, prev)
				continue
			}
			seen[name] = keyText
			out = append(out, entry{name: name, v: v, keyText: keyText, line: line})
		}
	}
	walk(nil, m)
	return out
}

func isRange(m map[string]any) bool {
	for k := range m {
		if contains(rangeKeys, k) {
			return true
		}
	}
	return false
}

// resolve finds e's parameter, converts its value with conv and claims the parameter for e's
// place, reporting any problem; ok is false if there was one.
func resolve[T any](p *parser, e entry, conv func(*Param, any) (T, error)) (prm *Param, v T, ok bool) {
	if prm = p.lookup(e); prm == nil {
		return nil, v, false
	}
	v, err := conv(prm, e.v)
	if err != nil {
		p.fail(e.keyText, e.line, "%v", err)
		return nil, v, false
	}
	return prm, v, p.claim(prm.Name, e)
}

// lookup finds e's parameter, reporting an unknown name with the nearest known one.
func (p *parser) lookup(e entry) *Param {
	if prm := Lookup(e.name); prm != nil {
		k := p.d.Kind()
		switch {
		case prm.Name == ExperimentParam:
			p.fail(e.keyText, e.line, `the experiment is chosen once, at the top of the definition (experiment = "network"); it cannot be set in [params] or swept`)
			return nil
		case !prm.AppliesTo(k):
			hint := "leave it out"
			if k == ExperimentUnit {
				hint = fmt.Sprintf("add experiment = %q at the top to run the network", prm.Only)
			}
			p.fail(e.keyText, e.line, "%s belongs to experiment = %q, not to this definition's experiment = %q: %s", prm.Name, prm.Only, k, hint)
			return nil
		}
		return prm
	}
	if s := Nearest(e.name, Names()); s != "" {
		p.fail(e.keyText, e.line, "unknown parameter (did you mean %q? `eisweep params` lists them all)", s)
	} else {
		p.fail(e.keyText, e.line, "unknown parameter (`eisweep params` lists them all)")
	}
	return nil
}

// claim records where a parameter is set; a parameter set in two places is an error.
func (p *parser) claim(name string, e entry) bool {
	if prev, ok := p.where[name]; ok {
		at := prev.key
		if prev.line > 0 {
			at = fmt.Sprintf("%s (line %d)", prev.key, prev.line)
		}
		p.fail(e.keyText, e.line, "%s is also set at %s; a parameter may be set in one place only", name, at)
		return false
	}
	p.where[name] = place{e.keyText, e.line}
	return true
}

// failProblem reports a cell that cannot be simulated, at the place that sets the first
// responsible parameter, naming the cell.
func (p *parser) failProblem(pr *problem, pt Point) {
	key, line := "", 0
	for _, name := range pr.params {
		if w, ok := p.where[name]; ok {
			key, line = w.key, w.line
			break
		}
	}
	msg := pr.msg
	if cell := p.describeCell(pt, pr.params); cell != "" {
		msg += " (in the cell where " + cell + ")"
	}
	p.fail(key, line, "%s", msg)
}

// describeCell names the axis values of pt that differ between cells, for the parameters in
// names (or all axis parameters if none of them is on an axis).
func (p *parser) describeCell(pt Point, names []string) string {
	var parts []string
	for _, a := range p.d.Axes {
		if a.Len() < 2 {
			continue
		}
		for _, i := range a.Params {
			if len(names) == 0 || contains(names, Registry[i].Name) {
				parts = append(parts, fmt.Sprintf("%s = %s", Registry[i].Name, Registry[i].FormatValue(pt[i])))
			}
		}
	}
	return strings.Join(parts, ", ")
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
	case map[string]any, []any:
		return Value{}, fmt.Errorf("%s is not a single value of %s; ranges and lists belong in [grid] or [[zip]] (here write e.g. %s)", describe(v), p.Name, exampleValue(p))
	}
	return Value{}, fmt.Errorf("%s is not a value of %s (write e.g. %s)", describe(v), p.Name, exampleValue(p))
}

var index = func() map[string]int {
	m := make(map[string]int, len(Registry))
	for i, p := range Registry {
		m[p.Name] = i
	}
	return m
}()

// warnings lists what parses and runs but may not be what was meant.
func warnings(d *Definition) []string {
	var ws []string
	seen := map[string]bool{}
	note := func(s string) {
		if !seen[s] {
			seen[s] = true
			ws = append(ws, s)
		}
	}
	// offMicro reports whether v of parameter i is a refractory period that is not whole µs.
	offMicro := func(i int, v Value) bool {
		return strings.HasSuffix(Registry[i].Name, ".refractory") && roundMicro(v.Num) != v.Num
	}
	rounded := func(prm *Param, v Value) string { return prm.FormatValue(Value{Num: roundMicro(v.Num)}) }
	noteOne := func(prm *Param, v Value) {
		note(fmt.Sprintf("%s = %s: Brian2 rounds refractory periods to whole µs, and so does eisweep (%s)", prm.Name, prm.FormatValue(v), rounded(prm, v)))
	}
	for i, v := range d.Base {
		if offMicro(i, v) {
			noteOne(Registry[i], v)
		}
	}
	for _, a := range d.Axes {
		for k, i := range a.Params {
			prm := Registry[i]
			var off []Value
			for _, v := range a.Values[k] {
				if offMicro(i, v) {
					off = append(off, v)
				}
			}
			switch {
			case len(off) == 0:
			case a.Key == "sample": // many values, not chosen one by one: one line per parameter
				note(fmt.Sprintf("%s: %d of the sample's %d values are not whole µs; Brian2 rounds refractory periods to whole µs, and so does eisweep (%s runs as %s)",
					prm.Name, len(off), len(a.Values[k]), prm.FormatValue(off[0]), rounded(prm, off[0])))
			default:
				for _, v := range off {
					noteOne(prm, v)
				}
			}
		}
	}
	if d.Outputs.Traces {
		m := d.Base.model()
		steps := m.Sim.DurationSec / m.Sim.DtSec
		if rows := float64(d.Runs()) * steps; rows > 1e8 {
			note(fmt.Sprintf("outputs.traces records every step of every run: about %.3g rows (%d runs × %.0f steps)", rows, d.Runs(), steps))
		}
	}
	return ws
}

func roundMicro(sec float64) float64 {
	var r float64
	fmt.Sscanf(fmt.Sprintf("%.6f", sec), "%g", &r)
	return r
}

func sortedMapKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// quoteKey writes a key as TOML would need it: bare if it can be, else quoted.
func quoteKey(k string) string {
	if regexp.MustCompile(`^[A-Za-z0-9_-]+$`).MatchString(k) {
		return k
	}
	return fmt.Sprintf("%q", k)
}

func commas(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Range returns the smallest and largest value (SI units) the number parameter name takes in
// the sweep: its [params] or default value, or the extremes of the axes that set it. It panics
// if name is not a parameter.
func (d *Definition) Range(name string) (lo, hi float64) {
	p := Lookup(name)
	if p == nil {
		panic("sweep: no parameter " + name)
	}
	lo, hi, set := 0.0, 0.0, false
	for _, a := range d.Axes {
		for k, i := range a.Params {
			if Registry[i] != p {
				continue
			}
			for _, v := range a.Values[k] {
				if !set || v.Num < lo {
					lo = v.Num
				}
				if !set || v.Num > hi {
					hi = v.Num
				}
				set = true
			}
		}
	}
	if !set {
		v := d.Base[index[name]].Num
		return v, v
	}
	return lo, hi
}
