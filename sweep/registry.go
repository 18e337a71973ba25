package sweep

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/eisweep/eisweep/sim"
)

// Kind is how a parameter's value is written and held.
type Kind int

const (
	KindQuantity Kind = iota // a number with a unit, e.g. "7.6 mV"; held in SI units
	KindFloat                // a dimensionless number, e.g. a multiplier
	KindInt                  // a whole number, e.g. a count of sources
	KindEnum                 // one of a fixed set of words, e.g. "poisson"
	KindText                 // free text, e.g. a file name
)

// Experiment names an experiment kind: what one run of a definition simulates. A definition
// chooses it with its top-level key experiment; the default is the single-unit experiment.
type Experiment string

const (
	ExperimentUnit    Experiment = "unit"    // one E and one I unit driven by Poisson sources (docs/MODEL.md)
	ExperimentNetwork Experiment = "network" // the recurrent Up-state network (docs/MODEL.md §8)
)

// Experiments are the experiment kinds, the default first.
var Experiments = []Experiment{ExperimentUnit, ExperimentNetwork}

// ExperimentParam is the name of the registry entry that holds a point's experiment kind. It is
// set by a definition's top-level key experiment, never in [params] or on an axis, and is part of
// a run's identity only when it is not the default, so that single-unit run ids are unchanged.
const ExperimentParam = "experiment"

// Param is one entry of the parameter registry: everything a definition, a Parquet column and
// the simulation need to know about a parameter.
type Param struct {
	Name    string     // dotted name used in definitions, e.g. "exc.e_leak"
	Kind    Kind       // how values are written
	Dim     Dim        // dimension (KindQuantity only)
	Unit    string     // display unit, e.g. "mV"; values in columns and tables are in this unit
	Default string     // the seed's value, as a definition would write it
	Min     float64    // smallest valid value, in SI units (inclusive)
	Max     float64    // largest valid value, in SI units (inclusive)
	Choices []string   // valid words (KindEnum only)
	Desc    string     // one line: what it is
	Only    Experiment // the one experiment kind it applies to; "" for every kind

	scale        float64             // SI value of 1 display unit
	crossChecked bool                // checkModel looks at it
	def          Value               // Default, parsed
	apply        func(*Model, Value) // writes the value into a model
}

// Words reports whether the parameter's values are words (Value.Str): KindEnum and KindText.
func (p *Param) Words() bool { return p.Kind == KindEnum || p.Kind == KindText }

// AppliesTo reports whether the parameter is one of experiment kind k's: set in its definitions
// and written in its rows. The experiment entry itself applies to none (it is a top-level key).
func (p *Param) AppliesTo(k Experiment) bool {
	return p.Name != ExperimentParam && (p.Only == "" || p.Only == k)
}

// Column returns the parameter's Parquet column name: the dotted name with "_" for ".", plus the
// display unit when it has one ("exc.e_leak" → "exc_e_leak_mv", "exc.beta_adapt" → "…_pc").
func (p *Param) Column() string {
	c := strings.ReplaceAll(p.Name, ".", "_")
	if s := unitSuffix[p.Unit]; s != "" {
		c += "_" + s
	}
	return c
}

// unitSuffix spells display units in column names; nS becomes "nsiemens" so that it is not
// read as nanoseconds, and nA·ms (= pC) is written as pc.
var unitSuffix = map[string]string{
	"ms": "ms", "s": "s", "Hz": "hz", "mV": "mv", "pF": "pf", "nS": "nsiemens", "nA": "na",
	"pA": "pa", "nA*ms": "pc",
}

// Display returns v in the parameter's display unit (mV, ms, …), or as is when dimensionless.
func (p *Param) Display(v Value) float64 {
	if p.Kind == KindQuantity {
		// To 15 significant digits, so that a value written in decimal reads back as written
		// ("1000 nA" is 1e-06 A, and 1e-06/1e-09 is 1000.0000000000001 in float64).
		return snap15(v.Num / p.scale)
	}
	return v.Num
}

// Value is a parameter's value: a number in SI units, or a word for KindEnum.
type Value struct {
	Num float64
	Str string
}

// Model is a fully resolved parameter set: what one run simulates, and how its units' f-I
// curves are measured.
type Model struct {
	Sim   sim.Config
	Input sim.InputSpec
	FI    FISpec
	Net   Network
	J     [4]float64 // network totals J_EE, J_IE, J_EI, J_II (A)
	Mult  [4]float64 // trained multipliers of EE, IE, EI, II

	Experiment Experiment   // the experiment kind
	Trial      NetworkTrial // the network experiment's own parameters (ExperimentNetwork)
	Train      TrainSpec    // the network experiment's training (ExperimentNetwork)
}

// NetworkTrial holds the parameters of one trial of the recurrent network (docs/MODEL.md §8)
// that the single-unit experiment does not have. The network's size is Model.Net, its units and
// synapses Model.Sim's, its weights Model.Sim.W.
type NetworkTrial struct {
	DurationSec      float64 // simulated time of the trial
	NoiseSigmaVolt   float64 // σ of each unit's white noise (V); 0 for none
	DelayMaxExcSec   float64 // largest synaptic delay from E units (EE, IE)
	DelayMaxInhSec   float64 // largest synaptic delay from I units (EI, II)
	KickTimeSec      float64 // when the kick that starts an Up state arrives
	KickFraction     float64 // kicked E units: the first round(KickFraction·n_units)
	KickAmp          float64 // what the kick adds to each kicked unit's u_Ext (A)
	BinSec           float64 // histogram bin of the population rates
	UpThresholdHz    float64 // a bin of the I population at or above this rate is "up"
	MinDownSec       float64 // Downs shorter than this are removed (their Ups merge)
	MinUpSec         float64 // Ups not longer than this are removed
	RasterUnits      int     // units per population in the raster table (outputs.raster)
	ConnectivityFile string  // connectivity to load instead of drawing it ("" draws it from the run's seed)
}

// Network is the recurrent network the weights were trained in, which sets the fan-in.
type Network struct {
	NUnits      int
	PropConnect float64
	PropInh     float64
}

// FISpec is the f-I test: currents linspace(IMinAmp, IMaxAmp, NCurrents), each for DurationSec.
type FISpec struct {
	IMinAmp, IMaxAmp float64
	NCurrents        int
	DurationSec      float64
}

// finish derives the weights (docs/MODEL.md §4) once every parameter is set.
func (m *Model) finish() {
	nExc, nInh := sim.FanIn(m.Net.NUnits, m.Net.PropConnect, m.Net.PropInh)
	te, ti := m.Sim.Exc.MembraneTauMs(), m.Sim.Inh.MembraneTauMs()
	m.Sim.W = sim.Weights{
		EEAmp: sim.JercogWeight(m.J[0], nExc, te, m.Mult[0]),
		IEAmp: sim.JercogWeight(m.J[1], nExc, ti, m.Mult[1]),
		EIAmp: sim.JercogWeight(m.J[2], nInh, te, m.Mult[2]),
		IIAmp: sim.JercogWeight(m.J[3], nInh, ti, m.Mult[3]),
	}
}

// Registry is the parameter registry, in display order. It is the contract between definitions,
// output columns and the model: every parameter of docs/MODEL.md §4, the clock, the inputs, the
// training network, the weights, and the f-I test. Do not modify it.
var Registry = buildRegistry()

var byName map[string]*Param

// Lookup returns the parameter named name, or nil.
func Lookup(name string) *Param { return byName[name] }

func q(name, unit string, dim Dim, def string, lo, hi string, desc string, apply func(*Model, float64)) *Param {
	return &Param{Name: name, Kind: KindQuantity, Dim: dim, Unit: unit, Default: def, Min: mustSI(lo), Max: mustSI(hi), Desc: desc,
		apply: func(m *Model, v Value) { apply(m, v.Num) }}
}

func f(name, def string, lo, hi float64, desc string, apply func(*Model, float64)) *Param {
	return &Param{Name: name, Kind: KindFloat, Default: def, Min: lo, Max: hi, Desc: desc,
		apply: func(m *Model, v Value) { apply(m, v.Num) }}
}

func n(name, def string, lo, hi float64, desc string, apply func(*Model, int)) *Param {
	return &Param{Name: name, Kind: KindInt, Default: def, Min: lo, Max: hi, Desc: desc,
		apply: func(m *Model, v Value) { apply(m, int(v.Num)) }}
}

func mustSI(s string) float64 {
	v, err := ParseQuantity(s)
	if err != nil {
		panic(err)
	}
	return v.SI
}

// unitParams are the eight parameters of one unit (docs/MODEL.md §4), for "exc" or "inh".
func unitParams(p string, u func(*Model) *sim.Unit, eL, cm, ref, beta string) []*Param {
	who := map[string]string{"exc": "excitatory", "inh": "inhibitory"}[p] + " unit"
	return []*Param{
		q(p+".e_leak", "mV", Voltage, eL, "-200 mV", "200 mV", "leak reversal potential E_L of the "+who+"; also its initial v",
			func(m *Model, v float64) { u(m).ELeakVolt = v }),
		q(p+".v_reset", "mV", Voltage, "14 mV", "-200 mV", "200 mV", "potential after a spike of the "+who,
			func(m *Model, v float64) { u(m).VResetVolt = v }),
		q(p+".v_thresh", "mV", Voltage, "20 mV", "-200 mV", "200 mV", "spike threshold of the "+who,
			func(m *Model, v float64) { u(m).VThreshVolt = v }),
		q(p+".c_m", "pF", Capacitance, cm, "1 pF", "100 nF", "membrane capacitance C_m of the "+who,
			func(m *Model, v float64) { u(m).CmFarad = v }),
		q(p+".g_leak", "nS", Conductance, "10 nS", "0.01 nS", "10 uS", "leak conductance g_L of the "+who,
			func(m *Model, v float64) { u(m).GLeakSiemens = v }),
		q(p+".refractory", "ms", Time, ref, "0 ms", "1 s", "refractory period of the "+who+" (Brian2 rounds it to whole µs)",
			func(m *Model, v float64) { u(m).RefractorySec = v }),
		q(p+".beta_adapt", "nA*ms", Charge, beta, "0 nA*ms", "1000 nA*ms", "adaptation strength β of the "+who+": each spike adds β/τ_adapt to i_adapt",
			func(m *Model, v float64) { u(m).BetaAdaptAmpSec = v }),
		q(p+".tau_adapt", "ms", Time, "500 ms", "0.01 ms", "1000 s", "adaptation time constant τ_adapt of the "+who,
			func(m *Model, v float64) { u(m).TauAdaptSec = v }),
	}
}

func buildRegistry() []*Param {
	exc := func(m *Model) *sim.Unit { return &m.Sim.Exc }
	inh := func(m *Model) *sim.Unit { return &m.Sim.Inh }
	ps := []*Param{
		q("sim.dt", "ms", Time, "0.1 ms", "0.001 ms", "10 ms", "clock step of the forward-Euler integration (also of the f-I test)",
			func(m *Model, v float64) { m.Sim.DtSec = v }),
		q("sim.duration", "s", Time, "1 s", "1 ms", "100000 s", "simulated time of one run",
			func(m *Model, v float64) { m.Sim.DurationSec = v }),
		{Name: "input.mode", Kind: KindEnum, Default: "poisson", Choices: []string{"poisson", "regular"},
			Desc: `input spikes: "poisson" (independent sources, p = rate·dt per step) or "regular" (the notebook's fixed mode)`,
			apply: func(m *Model, v Value) {
				mode, err := sim.ParseInputMode(v.Str)
				if err != nil {
					panic(err) // values are checked against Choices before they are applied
				}
				m.Input.Mode = mode
			}},
		n("input.n_exc", "400", 0, 1e7, "number of excitatory input sources (poisson mode)", func(m *Model, v int) { m.Input.NExc = v }),
		n("input.n_inh", "100", 0, 1e7, "number of inhibitory input sources (poisson mode)", func(m *Model, v int) { m.Input.NInh = v }),
		q("input.rate_exc", "Hz", Rate, "5 Hz", "0 Hz", "10 kHz", "rate of each excitatory source; the E set point",
			func(m *Model, v float64) { m.Input.RateExcHz = v }),
		q("input.rate_inh", "Hz", Rate, "14 Hz", "0 Hz", "10 kHz", "rate of each inhibitory source; the I set point",
			func(m *Model, v float64) { m.Input.RateInhHz = v }),
	}
	ps = append(ps, unitParams("exc", exc, "7.6 mV", "200 pF", "2.5 ms", "3 nA*ms")...)
	ps = append(ps, unitParams("inh", inh, "6.5 mV", "100 pF", "1 ms", "0 nA*ms")...)
	ps = append(ps,
		q("syn.tau_rise_e", "ms", Time, "8 ms", "0.01 ms", "10 s", "rise time constant of excitatory synaptic current",
			func(m *Model, v float64) { m.Sim.Syn.TauRiseESec = v }),
		q("syn.tau_fall_e", "ms", Time, "23 ms", "0.01 ms", "10 s", "decay time constant of excitatory synaptic current",
			func(m *Model, v float64) { m.Sim.Syn.TauFallESec = v }),
		q("syn.tau_rise_i", "ms", Time, "1 ms", "0.01 ms", "10 s", "rise time constant of inhibitory synaptic current",
			func(m *Model, v float64) { m.Sim.Syn.TauRiseISec = v }),
		q("syn.tau_fall_i", "ms", Time, "1 ms", "0.01 ms", "10 s", "decay time constant of inhibitory synaptic current",
			func(m *Model, v float64) { m.Sim.Syn.TauFallISec = v }),
		n("net.n_units", "1000", 1, 1e9, "units of the trained network; sets the fan-in that scales the weights (the network experiment: its size)",
			func(m *Model, v int) { m.Net.NUnits = v }),
		f("net.prop_connect", "0.5", 0, 1, "connection probability of the trained network", func(m *Model, v float64) { m.Net.PropConnect = v }),
		f("net.prop_inh", "0.2", 0, 1, "fraction of inhibitory units in the trained network", func(m *Model, v float64) { m.Net.PropInh = v }),
		q("weights.j_ee", "nA", Current, "2.8 nA", "-1000 nA", "1000 nA", "network total J_EE (E→E); w_EE = J_EE/n_inc_exc·τ_m,E[ms]·mult_ee",
			func(m *Model, v float64) { m.J[0] = v }),
		q("weights.j_ie", "nA", Current, "5 nA", "-1000 nA", "1000 nA", "network total J_IE (E→I); w_IE = J_IE/n_inc_exc·τ_m,I[ms]·mult_ie",
			func(m *Model, v float64) { m.J[1] = v }),
		q("weights.j_ei", "nA", Current, "0.7 nA", "-1000 nA", "1000 nA", "network total J_EI (I→E); w_EI = J_EI/n_inc_inh·τ_m,E[ms]·mult_ei",
			func(m *Model, v float64) { m.J[2] = v }),
		q("weights.j_ii", "nA", Current, "1 nA", "-1000 nA", "1000 nA", "network total J_II (I→I); w_II = J_II/n_inc_inh·τ_m,I[ms]·mult_ii",
			func(m *Model, v float64) { m.J[3] = v }),
		f("weights.mult_ee", "1.0249649370098968", 0, 100, "trained multiplier of w_EE", func(m *Model, v float64) { m.Mult[0] = v }),
		f("weights.mult_ie", "0.9913780811668145", 0, 100, "trained multiplier of w_IE", func(m *Model, v float64) { m.Mult[1] = v }),
		f("weights.mult_ei", "0.9750494640455015", 0, 100, "trained multiplier of w_EI", func(m *Model, v float64) { m.Mult[2] = v }),
		f("weights.mult_ii", "1.0108023944074438", 0, 100, "trained multiplier of w_II", func(m *Model, v float64) { m.Mult[3] = v }),
		q("fi.i_min", "pA", Current, "0 pA", "-100 nA", "100 nA", "lowest current of the f-I test", func(m *Model, v float64) { m.FI.IMinAmp = v }),
		q("fi.i_max", "pA", Current, "300 pA", "-100 nA", "100 nA", "highest current of the f-I test", func(m *Model, v float64) { m.FI.IMaxAmp = v }),
		n("fi.n_currents", "3001", 2, 1e6, "number of currents of the f-I test, evenly spaced", func(m *Model, v int) { m.FI.NCurrents = v }),
		q("fi.duration", "s", Time, "1 s", "1 ms", "1000 s", "simulated time per current of the f-I test", func(m *Model, v float64) { m.FI.DurationSec = v }),
	)
	for _, p := range ps {
		if strings.HasPrefix(p.Name, "input.") || strings.HasPrefix(p.Name, "fi.") || p.Name == "sim.duration" {
			p.Only = ExperimentUnit
		}
	}
	ps = append(ps, networkParams()...)
	ps = append(ps, trainParams()...)
	ps = append(ps, &Param{Name: ExperimentParam, Kind: KindEnum, Default: string(ExperimentUnit), Choices: []string{string(ExperimentUnit), string(ExperimentNetwork)},
		Desc:  "the experiment kind, set by the definition's top-level key experiment",
		apply: func(m *Model, v Value) { m.Experiment = Experiment(v.Str) }})
	byName = make(map[string]*Param, len(ps))
	checked := []string{"sim.", "syn.", "net.", "fi.", "network.", "train.", ExperimentParam, "input.rate", "exc.tau_adapt", "inh.tau_adapt", "exc.c_m", "inh.c_m",
		"exc.g_leak", "inh.g_leak", "exc.refractory", "inh.refractory", "exc.v_", "inh.v_"}
	for _, p := range ps {
		for _, c := range checked {
			if strings.HasPrefix(p.Name, c) {
				p.crossChecked = true
			}
		}
		if p.Kind == KindQuantity {
			p.scale = mustSI("1 " + p.Unit)
		}
		v, err := p.Parse(p.Default)
		if err != nil {
			panic(fmt.Sprintf("registry default: %v", err))
		}
		p.def = v
		byName[p.Name] = p
	}
	return ps
}

// Parse parses a value of p written as text, as in a definition ("7.6 mV", "400", "poisson"),
// and checks its dimension, integrality, choices and bounds.
func (p *Param) Parse(s string) (Value, error) {
	switch p.Kind {
	case KindText:
		if strings.ContainsRune(s, 0) {
			return Value{}, fmt.Errorf("%q holds a NUL byte", s)
		}
		return Value{Str: s}, nil
	case KindEnum:
		for _, c := range p.Choices {
			if s == c {
				return Value{Str: s}, nil
			}
		}
		return Value{}, fmt.Errorf("%q is not one of %s", s, quoteList(p.Choices))
	case KindQuantity:
		qv, err := ParseQuantity(s)
		if err != nil {
			return Value{}, fmt.Errorf("%v (want e.g. %q)", err, p.Default)
		}
		if qv.Dim != p.Dim {
			if qv.Dim == Dimensionless {
				return Value{}, fmt.Errorf("%q has no unit; %s is a %s (want e.g. %q)", s, p.Name, p.Dim.Name(), p.Default)
			}
			return Value{}, fmt.Errorf("%q is a %s, want a %s (e.g. %q)", s, qv.Dim.Name(), p.Dim.Name(), p.Default)
		}
		return p.check(Value{Num: qv.SI}, s)
	default:
		qv, err := ParseQuantity(s)
		if err != nil || qv.Dim != Dimensionless {
			return Value{}, fmt.Errorf("%q is not a plain number (want e.g. %s)", s, p.Default)
		}
		return p.check(Value{Num: qv.SI}, s)
	}
}

// FromNumber makes a value of p from a number written without quotes in TOML (a multiplier,
// a count). Quantities need a unit and are refused.
func (p *Param) FromNumber(x float64) (Value, error) {
	switch p.Kind {
	case KindQuantity:
		return Value{}, fmt.Errorf("%v has no unit; %s is a %s (want e.g. %q)", x, p.Name, p.Dim.Name(), p.Default)
	case KindEnum:
		return Value{}, fmt.Errorf("%v is not one of %s", x, quoteList(p.Choices))
	case KindText:
		return Value{}, fmt.Errorf("%v is not text; write it in quotes", x)
	}
	return p.check(Value{Num: x}, fmt.Sprint(x))
}

func (p *Param) check(v Value, text string) (Value, error) {
	if math.IsNaN(v.Num) || math.IsInf(v.Num, 0) {
		return Value{}, fmt.Errorf("%s is not finite", text)
	}
	if p.Kind == KindInt && v.Num != math.Trunc(v.Num) {
		return Value{}, fmt.Errorf("%s is not a whole number; %s counts something", text, p.Name)
	}
	if v.Num < p.Min || v.Num > p.Max {
		return Value{}, fmt.Errorf("%s is outside the valid range %s", text, p.RangeText())
	}
	return v, nil
}

// RangeText returns p's valid range for messages and tables, e.g. "[-200, 200] mV".
func (p *Param) RangeText() string {
	switch p.Kind {
	case KindText:
		return "text"
	case KindEnum:
		return quoteList(p.Choices)
	case KindQuantity:
		return fmt.Sprintf("[%.12g, %.12g] %s", p.Min/p.scale, p.Max/p.scale, p.Unit)
	}
	return fmt.Sprintf("[%g, %g]", p.Min, p.Max)
}

// FormatValue writes v as a definition would ("7.6 mV", "400", "poisson").
func (p *Param) FormatValue(v Value) string {
	switch p.Kind {
	case KindText:
		return strconv.Quote(v.Str)
	case KindEnum:
		return v.Str
	case KindQuantity:
		return fmt.Sprintf("%.12g %s", p.Display(v), p.Unit)
	}
	return strconv.FormatFloat(v.Num, 'g', -1, 64)
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// Point is one value per registry parameter, in registry order.
type Point []Value

// Defaults returns the point of the seed's values.
func Defaults() Point {
	pt := make(Point, len(Registry))
	for i, p := range Registry {
		pt[i] = p.def
	}
	return pt
}

// Model resolves the point into the model it describes, and checks the combinations single
// parameters cannot (for example that sim.dt is below every time constant).
func (pt Point) Model() (Model, error) {
	m := pt.model()
	if pr := checkModel(&m); pr != nil {
		return m, errors.New(pr.msg)
	}
	return m, nil
}

// model resolves the point without checking it.
func (pt Point) model() Model {
	var m Model
	for i, p := range Registry {
		p.apply(&m, pt[i])
	}
	m.finish()
	return m
}

// Nearest returns the candidate closest to name (by edit distance), or "" if none is close, for
// suggestions ("did you mean"). An abbreviation (a prefix of exactly one candidate, three letters
// or more) suggests that candidate.
func Nearest(name string, candidates []string) string {
	if len(name) >= 3 {
		var pre []string
		for _, c := range candidates {
			if strings.HasPrefix(c, name) && c != name {
				pre = append(pre, c)
			}
		}
		if len(pre) == 1 {
			return pre[0]
		}
	}
	best, bestD := "", math.MaxInt
	for _, c := range candidates {
		if d := editDistance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	if bestD > len(name)/2+2 {
		return ""
	}
	return best
}

// Names returns the registry's parameter names, sorted.
func Names() []string {
	ns := make([]string, len(Registry))
	for i, p := range Registry {
		ns[i] = p.Name
	}
	sort.Strings(ns)
	return ns
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
