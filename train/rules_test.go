package train

import (
	"math"
	"testing"

	"github.com/eisweep/eisweep/sim"

	"github.com/eisweep/eisweep/internal/goldenfile"
)

type goldenStep struct {
	AvgEUnits []float64          `json:"avg_e_units"`
	AvgIUnits []float64          `json:"avg_i_units"`
	AvgE      float64            `json:"avg_e"`
	AvgI      float64            `json:"avg_i"`
	MeanW     map[string]float64 `json:"mean_w"`
	MeanAbsDW map[string]float64 `json:"mean_abs_dw"`
}

type goldenRules struct {
	NExc      int                  `json:"n_exc"`
	NInh      int                  `json:"n_inh"`
	Tau       float64              `json:"tau_trials"`
	SetExc    float64              `json:"set_exc_hz"`
	SetInh    float64              `json:"set_inh_hz"`
	Floor     float64              `json:"floor_hz"`
	WMin      float64              `json:"w_min_pa"`
	WMax      float64              `json:"w_max_pa"`
	Pre, Post map[string][]int32   `json:"-"`
	PreRaw    map[string][]int32   `json:"pre"`
	PostRaw   map[string][]int32   `json:"post"`
	W0        map[string][]float64 `json:"w0"`
	Trials    []struct {
		ExcUnits []float64 `json:"exc_units_hz"`
		InhUnits []float64 `json:"inh_units_hz"`
		Exc      float64   `json:"exc_hz"`
		Inh      float64   `json:"inh_hz"`
	} `json:"trials"`
	Rules map[string]struct {
		Alpha  float64              `json:"alpha"`
		Steps  []goldenStep         `json:"steps"`
		FinalW map[string][]float64 `json:"final_w"`
	} `json:"rules"`
}

func loadGolden(t *testing.T) *goldenRules {
	t.Helper()
	var g goldenRules
	if err := goldenfile.Decode("testdata/rules.json.gz", "tools/training_goldens.py", &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

// near reports whether got equals want to 1e-12 relative.
func near(got, want float64) bool {
	return got == want || math.Abs(got-want) <= 1e-12*math.Abs(want)
}

// TestRulesMatchNumPy: over eight trials of recorded per-unit rates, every rule's moving
// averages, mean weights, mean |ΔW| and final per-synapse weights equal an independent NumPy
// implementation in the seed code's matrix form (tools/training_goldens.py) to 1e-12 relative.
func TestRulesMatchNumPy(t *testing.T) {
	g := loadGolden(t)
	conn := &sim.Connectivity{NExc: g.NExc, NInh: g.NInh, DtSec: 1e-4}
	for q := sim.EE; q <= sim.II; q++ {
		conn.Pre[q], conn.Post[q] = g.PreRaw[q.String()], g.PostRaw[q.String()]
		conn.DelaySteps[q] = make([]int32, len(conn.Pre[q]))
	}
	if len(g.Rules) != 3 {
		t.Fatalf("%d rules in the goldens, want 3", len(g.Rules))
	}
	for name, want := range g.Rules {
		t.Run(name, func(t *testing.T) {
			rule, err := ParseRule(name)
			if err != nil {
				t.Fatal(err)
			}
			p := Params{Rule: rule, Alpha: want.Alpha, TauTrials: g.Tau, SetExcHz: g.SetExc, SetInhHz: g.SetInh, FloorHz: g.Floor,
				WMinPA: g.WMin, WMaxPA: g.WMax}
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			u, err := NewUpdater(conn)
			if err != nil {
				t.Fatal(err)
			}
			var w [4][]float64
			for q := sim.EE; q <= sim.II; q++ {
				w[q] = append([]float64(nil), g.W0[q.String()]...)
			}
			var a Averages
			clipped := 0
			for k, tr := range g.Trials {
				if err := a.Observe(p, tr.ExcUnits, tr.InhUnits, tr.Exc, tr.Inh); err != nil {
					t.Fatal(err)
				}
				madw, err := u.Update(p, &a, &w)
				if err != nil {
					t.Fatal(err)
				}
				st := want.Steps[k]
				if !near(a.ExcHz, st.AvgE) || !near(a.InhHz, st.AvgI) {
					t.Fatalf("trial %d: population averages %v, %v, NumPy %v, %v", k, a.ExcHz, a.InhHz, st.AvgE, st.AvgI)
				}
				for i := range a.ExcUnitsHz {
					if !near(a.ExcUnitsHz[i], st.AvgEUnits[i]) {
						t.Fatalf("trial %d: E unit %d's average %v, NumPy %v", k, i, a.ExcUnitsHz[i], st.AvgEUnits[i])
					}
				}
				for i := range a.InhUnitsHz {
					if !near(a.InhUnitsHz[i], st.AvgIUnits[i]) {
						t.Fatalf("trial %d: I unit %d's average %v, NumPy %v", k, i, a.InhUnitsHz[i], st.AvgIUnits[i])
					}
				}
				for q := sim.EE; q <= sim.II; q++ {
					mean := 0.0
					for _, x := range w[q] {
						mean += x
						if x == g.WMin || x == g.WMax {
							clipped++
						}
					}
					mean /= float64(len(w[q]))
					if !near(mean, st.MeanW[q.String()]) || !near(madw[q], st.MeanAbsDW[q.String()]) {
						t.Fatalf("trial %d, %v: mean w %v, mean |dw| %v; NumPy %v, %v", k, q, mean, madw[q], st.MeanW[q.String()], st.MeanAbsDW[q.String()])
					}
				}
			}
			for q := sim.EE; q <= sim.II; q++ {
				for k, x := range w[q] {
					if want := want.FinalW[q.String()][k]; !near(x, want) {
						t.Fatalf("%v synapse %d: final weight %v pA, NumPy %v", q, k, x, want)
					}
				}
			}
			t.Logf("%d trials, %d weights at a clip bound along the way", len(g.Trials), clipped)
		})
	}
}

// TestPopulationRuleSigns: at the set points nothing moves; with I below its set point E→E
// grows and I→E shrinks, with E above its set point E→I grows, by α times the error.
func TestPopulationRuleSigns(t *testing.T) {
	conn := &sim.Connectivity{NExc: 2, NInh: 1, DtSec: 1e-4}
	conn.Pre[sim.EE], conn.Post[sim.EE] = []int32{0}, []int32{1}
	conn.Pre[sim.IE], conn.Post[sim.IE] = []int32{0}, []int32{0}
	conn.Pre[sim.EI], conn.Post[sim.EI] = []int32{0, 0}, []int32{0, 1}
	conn.Pre[sim.II], conn.Post[sim.II] = []int32{}, []int32{}
	u, err := NewUpdater(conn)
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	p.Rule, p.Alpha = CrossHomeoPopulation, 1
	w := [4][]float64{{100}, {100}, {100, 100}, {}}
	a := Averages{}
	if err := a.Observe(p, []float64{5, 5}, []float64{14}, 5, 14); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Update(p, &a, &w); err != nil {
		t.Fatal(err)
	}
	if w[sim.EE][0] != 100 || w[sim.IE][0] != 100 || w[sim.EI][0] != 100 {
		t.Fatalf("at the set points the weights moved: %v", w)
	}
	// I too low (12 Hz): ΔW_EE = α(14 − 12) = +2, ΔW_EI = −2; E too high (7 Hz): ΔW_IE = −α(5 − 7) = +2.
	a = Averages{}
	if err := a.Observe(p, []float64{7, 7}, []float64{12}, 7, 12); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Update(p, &a, &w); err != nil {
		t.Fatal(err)
	}
	if w[sim.EE][0] != 102 || w[sim.EI][0] != 98 || w[sim.IE][0] != 102 {
		t.Errorf("EE %v, EI %v, IE %v; want 102, 98, 102", w[sim.EE][0], w[sim.EI][0], w[sim.IE][0])
	}
}

// TestUpdaterNeedsPartners: a unit without partners for the presynaptic means is an error naming it.
func TestUpdaterNeedsPartners(t *testing.T) {
	conn := &sim.Connectivity{NExc: 2, NInh: 1, DtSec: 1e-4}
	conn.Pre[sim.EI], conn.Post[sim.EI] = []int32{0}, []int32{0}
	conn.Pre[sim.IE], conn.Post[sim.IE] = []int32{0}, []int32{0}
	if _, err := NewUpdater(conn); err == nil {
		t.Fatal("E unit 1 has no inhibitory input, and NewUpdater accepted it")
	}
}

func TestParamsValidate(t *testing.T) {
	if err := DefaultParams().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []func(*Params){
		func(p *Params) { p.Alpha = -1 },
		func(p *Params) { p.TauTrials = 0.5 },
		func(p *Params) { p.SetExcHz = 0 },
		func(p *Params) { p.WMaxPA = 1 },
		func(p *Params) { p.Rule = 7 },
		func(p *Params) { p.FloorHz = math.NaN() },
	} {
		p := DefaultParams()
		f(&p)
		if p.Validate() == nil {
			t.Errorf("%+v: accepted", p)
		}
	}
}

// TestPaperWeights: the paper's initial weights have its means (μ·500/(N·p)) and 20 % SDs, and
// none is negative.
func TestPaperWeights(t *testing.T) {
	cfg := sim.NetworkConfig{NUnits: 1000, PropConnect: 0.25, PropInh: 0.2}
	conn := &sim.Connectivity{NExc: 800, NInh: 200}
	for q := sim.EE; q <= sim.II; q++ {
		nPre, nPost := 800, 800
		if q.SourceInh() {
			nPre = 200
		}
		if q.TargetInh() {
			nPost = 200
		}
		n := int(cfg.PropConnect * float64(nPre*nPost))
		conn.Pre[q], conn.Post[q] = make([]int32, n), make([]int32, n)
	}
	w := PaperWeights(conn, cfg.NUnits, cfg.PropConnect, 1)
	for q := sim.EE; q <= sim.II; q++ {
		mu := PaperMeans[q] * 500 / (1000 * 0.25)
		var s, s2 float64
		for _, x := range w[q] {
			if x < 0 {
				t.Fatalf("%v: a negative weight %v", q, x)
			}
			s += x
			s2 += x * x
		}
		n := float64(len(w[q]))
		mean := s / n
		sd := math.Sqrt(s2/n - mean*mean)
		if math.Abs(mean-mu) > 5*0.2*mu/math.Sqrt(n) || math.Abs(sd-0.2*mu) > 0.02*mu {
			t.Errorf("%v: mean %.3f pA (want %.3f), SD %.3f (want %.3f)", q, mean, mu, sd, 0.2*mu)
		}
	}
	if again := PaperWeights(conn, cfg.NUnits, cfg.PropConnect, 1); again[sim.EI][7] != w[sim.EI][7] {
		t.Error("the same seed drew other weights")
	}
}
