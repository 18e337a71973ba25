package sim

import (
	"bytes"
	"compress/gzip"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestNewConnectivityRules: counts, no autapses, no repeated pair, indices and delays in range,
// sorted by (pre, post), deterministic per seed; at p 0.8 and 1 the pairs left out are drawn
// instead of the pairs kept.
func TestNewConnectivityRules(t *testing.T) {
	for _, p := range []float64{0.3, 0.8, 1} {
		t.Run(strconv.FormatFloat(p, 'g', -1, 64), func(t *testing.T) { testConnectivityRules(t, seedNetworkConfig(500, p)) })
	}
}

func testConnectivityRules(t *testing.T, cfg NetworkConfig) {
	c := mustConnectivity(t, cfg, 42)
	if err := c.Check(cfg); err != nil {
		t.Fatal(err)
	}
	for p := EE; p <= II; p++ {
		nPre, nPost := cfg.pathwaySizes(p)
		if c.Synapses(p) != cfg.SynapseCount(p) {
			t.Errorf("%v: %d synapses, want %d", p, c.Synapses(p), cfg.SynapseCount(p))
		}
		seen := make(map[[2]int32]bool)
		hist := make(map[int32]int)
		for k := range c.Pre[p] {
			a, b := c.Pre[p][k], c.Post[p][k]
			if int(a) >= nPre || int(b) >= nPost || a < 0 || b < 0 {
				t.Fatalf("%v synapse %d: %d → %d out of range", p, k, a, b)
			}
			if p.within() && a == b {
				t.Fatalf("%v synapse %d: autapse on %d", p, k, a)
			}
			if seen[[2]int32{a, b}] {
				t.Fatalf("%v: pair %d → %d twice", p, a, b)
			}
			seen[[2]int32{a, b}] = true
			if k > 0 && (c.Pre[p][k-1] > a || c.Pre[p][k-1] == a && c.Post[p][k-1] >= b) {
				t.Fatalf("%v: synapses %d and %d out of order", p, k-1, k)
			}
			hist[c.DelaySteps[p][k]]++
		}
		// Delays 1 … d_max/dt, uniform.
		hi := cfg.DelayMaxSteps(p)
		for d := int32(1); d <= int32(hi); d++ {
			want := float64(c.Synapses(p)) / float64(hi)
			if math.Abs(float64(hist[d])-want) > 5*math.Sqrt(want) {
				t.Errorf("%v: %d synapses with delay %d, want %.0f ± %.0f", p, hist[d], d, want, math.Sqrt(want))
			}
		}
		if len(hist) != hi {
			t.Errorf("%v: delays %v, want 1 … %d", p, hist, hi)
		}
	}
	again := mustConnectivity(t, cfg, 42)
	other := mustConnectivity(t, cfg, 43)
	for p := EE; p <= II; p++ {
		if !slices.Equal(c.Pre[p], again.Pre[p]) || !slices.Equal(c.Post[p], again.Post[p]) || !slices.Equal(c.DelaySteps[p], again.DelaySteps[p]) {
			t.Errorf("%v: seed 42 twice gave different synapses", p)
		}
		if cfg.PropConnect < 1 && slices.Equal(c.Post[p], other.Post[p]) {
			t.Errorf("%v: seeds 42 and 43 gave the same synapses", p)
		}
	}
}

// TestNewConnectivityUniform: every admissible pair is chosen with probability p, and in-degrees
// are hypergeometric around p·n_pre: checked over many draws of a small network.
func TestNewConnectivityUniform(t *testing.T) {
	cfg := seedNetworkConfig(10, 0.5) // 8 E, 2 I: EE has 56 admissible pairs and 32 synapses
	const draws = 4000
	counts := make([]int, 64)
	for s := range uint64(draws) {
		c := mustConnectivity(t, cfg, s)
		for k := range c.Pre[EE] {
			counts[int(c.Pre[EE][k])*8+int(c.Post[EE][k])]++
		}
	}
	p := float64(cfg.SynapseCount(EE)) / 56
	sd := math.Sqrt(draws * p * (1 - p))
	for pair, n := range counts {
		if pair/8 == pair%8 {
			if n != 0 {
				t.Errorf("autapse %d chosen %d times", pair/8, n)
			}
			continue
		}
		if math.Abs(float64(n)-draws*p) > 4.5*sd {
			t.Errorf("pair %d → %d chosen %d times in %d draws, want %.0f ± %.0f", pair/8, pair%8, n, draws, draws*p, sd)
		}
	}
}

func TestConnectivityCSVRoundTrip(t *testing.T) {
	cfg := seedNetworkConfig(60, 0.5)
	for _, weights := range []bool{false, true} {
		c := mustConnectivity(t, cfg, 9)
		if weights {
			for p := range c.Pre {
				c.WeightAmp[p] = make([]float64, len(c.Pre[p]))
				for k := range c.WeightAmp[p] {
					// weights as Brian2 gets them from pA values: x·pA = x × 1e-12
					c.WeightAmp[p][k] = (100 + 37.3*math.Sin(float64(k))) * 1e-12
				}
			}
		}
		for _, compress := range []bool{false, true} {
			var buf bytes.Buffer
			if compress {
				z := gzip.NewWriter(&buf)
				if err := c.WriteCSV(z); err != nil {
					t.Fatal(err)
				}
				z.Close()
			} else if err := c.WriteCSV(&buf); err != nil {
				t.Fatal(err)
			}
			if !compress && !strings.HasPrefix(buf.String(), "# eisweep connectivity n_exc=48 n_inh=12 dt_s=0.0001\npathway,pre,post,delay_ms") {
				t.Fatalf("CSV starts %q", buf.String()[:80])
			}
			got, err := ReadConnectivity(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if got.NExc != c.NExc || got.NInh != c.NInh || got.DtSec != c.DtSec {
				t.Fatalf("read %d/%d units, dt %g; wrote %d/%d, %g", got.NExc, got.NInh, got.DtSec, c.NExc, c.NInh, c.DtSec)
			}
			for p := range c.Pre {
				if !slices.Equal(got.Pre[p], c.Pre[p]) || !slices.Equal(got.Post[p], c.Post[p]) ||
					!slices.Equal(got.DelaySteps[p], c.DelaySteps[p]) || !slices.Equal(got.WeightAmp[p], c.WeightAmp[p]) {
					t.Errorf("weights %v, gzip %v: %v differs after the round trip", weights, compress, Pathway(p))
				}
			}
		}
	}
}

func TestReadConnectivityErrors(t *testing.T) {
	head := "# eisweep connectivity n_exc=4 n_inh=2 dt_s=0.0001\npathway,pre,post,delay_ms\n"
	for _, tc := range []struct {
		in, want string
	}{
		{"", "empty"},
		{"pathway,pre,post,delay_ms\n", "line 1"},
		{"# eisweep connectivity n_exc=4 dt_s=0.0001\n", "no n_inh"},
		{"# eisweep connectivity n_exc=4 n_inh=2 dt_s=0.0001\n", "no header"},
		{"# eisweep connectivity n_exc=4 n_inh=2 dt_s=0.0001\npre,post\n", "line 2: header"},
		{head + "EE,0,1,0.1\nEX,0,1,0.1\n", "line 4: pathway"},
		{head + "EE,0,4,0.1\n", "line 3: postsynaptic unit \"4\" of EE, want an integer 0 … 3"},
		{head + "IE,0,2,0.1\n", "line 3: postsynaptic"},
		{head + "EI,2,0,0.1\n", "line 3: presynaptic unit \"2\" of EI"},
		{head + "II,1,1,-0.1\n", "line 3: delay"},
		{head + "II,1,1,0.25\n", "whole number of steps"},
		{head + "II,1,1,0.1,3\n", "line 3: 5 fields, want 4"},
		{head + "II,1\n", "line 3: 2 fields"},
		{head + "II,a,1,0.1\n", "line 3: presynaptic unit \"a\""},
		{"# eisweep connectivity n_exc=4 n_inh=2 dt_s=0.0001\npathway,pre,post,delay_ms,weight_pa\nEE,0,1,0.1,x\n", "line 3: weight"},
	} {
		_, err := ReadConnectivity(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one containing %q", tc.in, err, tc.want)
		}
	}
	c, err := ReadConnectivity(strings.NewReader(head + "EE,0,1,0.3\r\nIE,3,1,0.1\n\nII,1,0,0\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.DelaySteps[EE], []int32{3}) || !slices.Equal(c.Post[IE], []int32{1}) || !slices.Equal(c.DelaySteps[II], []int32{0}) || c.WeightAmp[EE] != nil {
		t.Errorf("read %+v", c)
	}
}

func TestConnectivityCheck(t *testing.T) {
	cfg := seedNetworkConfig(100, 0.5)
	for _, tc := range []struct {
		want string
		mod  func(*Connectivity)
	}{
		{"the configuration 80 and 20", func(c *Connectivity) { c.NExc = 81 }},
		{"steps of", func(c *Connectivity) { c.DtSec = 5e-5 }},
		{"EE synapse 3: delay of 11 steps", func(c *Connectivity) { c.DelaySteps[EE][3] = 11 }},
		{"II synapse 0: delay of 0 steps", func(c *Connectivity) { c.DelaySteps[II][0] = 0 }},
		{"EI synapse 2: delay of 6", func(c *Connectivity) { c.DelaySteps[EI][2] = 6 }},
		{"IE synapse 5: postsynaptic unit 20", func(c *Connectivity) { c.Post[IE][5] = 20 }},
		{"EE: 3200 presynaptic indices, 3199 postsynaptic", func(c *Connectivity) { c.Post[EE] = c.Post[EE][1:] }},
		{"weight NaN", func(c *Connectivity) {
			c.WeightAmp[II] = make([]float64, len(c.Pre[II]))
			c.WeightAmp[II][1] = math.NaN()
		}},
	} {
		c := mustConnectivity(t, cfg, 1)
		tc.mod(c)
		err := c.Check(cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", err, tc.want)
		}
	}
	c := mustConnectivity(t, cfg, 1)
	c.DelaySteps[EE][0] = 0 // allowed by the structure, not by the rule
	if _, err := NewNetwork(cfg, c); err != nil {
		t.Errorf("a zero delay: %v", err)
	}
	c.DelaySteps[EE][0] = MaxNetworkDelaySteps + 1
	if _, err := NewNetwork(cfg, c); err == nil {
		t.Error("a delay beyond MaxNetworkDelaySteps was accepted")
	}
}
