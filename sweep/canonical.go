package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// baseUnit spells each dimension in SI base units, whose scale is exactly 1, so that a value
// written as "<SI number> <base unit>" parses back to the same double.
var baseUnit = map[Dim]string{
	Time: "s", Rate: "Hz", Current: "A", Voltage: "V", Capacitance: "F", Conductance: "S", Charge: "C", Resistance: "ohm",
}

// Canonical returns the definition in a canonical TOML form that parses back to the same grid
// (the same cells in the same order, bit for bit): values in SI base units with every digit,
// every axis as a [[zip]] block in order, outputs explicit. Comments and spelling are lost.
func (d *Definition) Canonical() string {
	var b strings.Builder
	fmt.Fprintf(&b, "name = %s\n", strconv.Quote(d.Name))
	if d.Description != "" {
		fmt.Fprintf(&b, "description = %s\n", strconv.Quote(d.Description))
	}
	if k := d.Kind(); k != ExperimentUnit {
		fmt.Fprintf(&b, "experiment = %s\n", strconv.Quote(string(k)))
	}
	fmt.Fprintf(&b, "seed = %d\nreplicates = %d\n", d.Seed, d.Replicates)
	onAxis := map[int]bool{}
	for _, a := range d.Axes {
		for _, i := range a.Params {
			onAxis[i] = true
		}
	}
	var params []string
	for _, i := range byNameOrder {
		if !onAxis[i] && d.Base[i] != Registry[i].def && Registry[i].Name != ExperimentParam {
			params = append(params, fmt.Sprintf("%q = %s\n", Registry[i].Name, canonicalTOML(Registry[i], d.Base[i])))
		}
	}
	if len(params) > 0 {
		b.WriteString("\n[params]\n" + strings.Join(params, ""))
	}
	for _, a := range d.Axes {
		b.WriteString("\n[[zip]]\n")
		for k, i := range a.Params {
			vals := make([]string, len(a.Values[k]))
			for j, v := range a.Values[k] {
				vals[j] = canonicalTOML(Registry[i], v)
			}
			fmt.Fprintf(&b, "%q = [%s]\n", Registry[i].Name, strings.Join(vals, ", "))
		}
	}
	if d.Kind() == ExperimentNetwork {
		fmt.Fprintf(&b, "\n[outputs]\nunit_rates = %t\npsth = %t\nraster = %t\n", d.Outputs.UnitRates, d.Outputs.PSTH, d.Outputs.Raster)
		if d.Outputs.Connectivity { // written only when on, so that earlier folders' definitions read the same
			b.WriteString("connectivity = true\n")
		}
	} else {
		fmt.Fprintf(&b, "\n[outputs]\nfi_curves = %t\ntraces = %t\n", d.Outputs.FICurves, d.Outputs.Traces)
	}
	return b.String()
}

// canonicalTOML writes v as an exact TOML value of p.
func canonicalTOML(p *Param, v Value) string {
	switch p.Kind {
	case KindEnum, KindText:
		return strconv.Quote(v.Str)
	case KindQuantity:
		return strconv.Quote(strconv.FormatFloat(v.Num, 'g', -1, 64) + " " + baseUnit[p.Dim])
	case KindInt:
		return strconv.FormatInt(int64(v.Num), 10)
	}
	s := strconv.FormatFloat(v.Num, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0" // a TOML float, not an integer
	}
	return s
}

// Hash returns the SHA-256 of the definition's text, hex-encoded.
func (d *Definition) Hash() string {
	h := sha256.Sum256([]byte(d.Text))
	return hex.EncodeToString(h[:])
}

// Extends reports whether every run of old is also a run of d, with the same seed — so that a
// folder of old's results may be continued with d. It returns nil if so, and otherwise says what
// differs. d may add replicates, values to an axis, or axes over parameters whose old value
// is among the new axis's values; it may not change the base seed, any other parameter, or
// drop values.
func (d *Definition) Extends(old *Definition) error {
	if d.Seed != old.Seed {
		return fmt.Errorf("the base seed changed (%d → %d), which changes every run's seed", old.Seed, d.Seed)
	}
	if d.Replicates < old.Replicates {
		return fmt.Errorf("replicates went down (%d → %d)", old.Replicates, d.Replicates)
	}
	if os, ns := old.Sample, d.Sample; os != nil && ns != nil {
		switch {
		case os.Method != ns.Method:
			return fmt.Errorf("sample.method changed (%s → %s): the points are others", os.Method, ns.Method)
		case os.Seed != ns.Seed && (os.Method == "random" || os.Method == "lhs"):
			return fmt.Errorf("the sample's seed changed (%d → %d): the points are others", os.Seed, ns.Seed)
		case ns.N < os.N:
			return fmt.Errorf("sample.n went down (%d → %d)", os.N, ns.N)
		case ns.N != os.N && os.Method == "lhs":
			return fmt.Errorf("sample.n changed (%d → %d): a Latin hypercube of %d points is not part of one of %d (every point moves); "+
				"use method = \"sobol\" or \"random\" for a design that grows", os.N, ns.N, os.N, ns.N)
		}
	}
	oldAxis := map[int]*Axis{}
	for k := range old.Axes {
		for _, i := range old.Axes[k].Params {
			oldAxis[i] = &old.Axes[k]
		}
	}
	newAxis := map[int]*Axis{}
	for k := range d.Axes {
		for _, i := range d.Axes[k].Params {
			newAxis[i] = &d.Axes[k]
		}
	}
	for i, p := range Registry {
		oa, na := oldAxis[i], newAxis[i]
		switch {
		case oa == nil && na == nil:
			if !sameValue(p, old.Base[i], d.Base[i]) {
				return fmt.Errorf("%s changed (%s → %s)", p.Name, p.FormatValue(old.Base[i]), p.FormatValue(d.Base[i]))
			}
		case oa != nil && na == nil:
			return fmt.Errorf("%s is no longer varied (%s)", p.Name, oa.Key)
		}
	}
	for k := range d.Axes {
		na := &d.Axes[k]
		// Every old combination of this axis's parameters must be one of its positions.
		for _, tuple := range oldTuples(old, na.Params, oldAxis) {
			if !hasTuple(na, tuple) {
				return fmt.Errorf("%s lost a combination of values the folder already has (%s)", na.Key, formatTuple(na.Params, tuple))
			}
		}
	}
	// Parameters zipped together in old must still be zipped the same way.
	for k := range old.Axes {
		oa := &old.Axes[k]
		first := newAxis[oa.Params[0]]
		for _, i := range oa.Params[1:] {
			if newAxis[i] != first {
				return fmt.Errorf("%s is split: its parameters no longer vary together", oa.Key)
			}
		}
	}
	return nil
}

// oldTuples returns the combinations of the parameters ps that old's grid contains.
func oldTuples(old *Definition, ps []int, oldAxis map[int]*Axis) [][]Value {
	tuples := [][]Value{make([]Value, len(ps))}
	for k, i := range ps {
		tuples[0][k] = old.Base[i]
	}
	done := map[*Axis]bool{}
	for _, i := range ps {
		oa := oldAxis[i]
		if oa == nil || done[oa] {
			continue
		}
		done[oa] = true
		var next [][]Value
		for _, t := range tuples {
			for j := range oa.Len() {
				nt := append([]Value(nil), t...)
				for m, pi := range oa.Params {
					for k, i := range ps {
						if i == pi {
							nt[k] = oa.Values[m][j]
						}
					}
				}
				next = append(next, nt)
			}
		}
		tuples = next
	}
	return tuples
}

func hasTuple(a *Axis, t []Value) bool {
	for j := range a.Len() {
		ok := true
		for k, i := range a.Params {
			if !sameValue(Registry[i], a.Values[k][j], t[k]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func sameValue(p *Param, a, b Value) bool {
	return string(appendCanonical(nil, p, a)) == string(appendCanonical(nil, p, b))
}

func formatTuple(ps []int, t []Value) string {
	parts := make([]string, len(ps))
	for k, i := range ps {
		parts[k] = Registry[i].Name + " = " + Registry[i].FormatValue(t[k])
	}
	return strings.Join(parts, ", ")
}
