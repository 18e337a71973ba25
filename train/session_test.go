package train_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/train"
)

// smallNetwork is the seed's network at N 200, p 0.5, 1 s trials: its configuration and Up
// detection from a sweep definition's defaults, and a connectivity of seed 3.
func smallNetwork(t *testing.T) (sim.NetworkConfig, *sim.Connectivity, sweep.Model) {
	t.Helper()
	m := networkModel(t, "\"net.n_units\" = 200\n\"network.duration\" = \"1 s\"\n")
	cfg := experiment.NetworkConfig(&m)
	conn, err := sim.NewConnectivity(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, conn, m
}

// networkModel returns the model of the first run of a network definition with params.
func networkModel(t testing.TB, params string) sweep.Model {
	t.Helper()
	def, err := sweep.Parse("t.toml", "name = \"t\"\nexperiment = \"network\"\n[params]\n"+params)
	if err != nil {
		t.Fatal(err)
	}
	var m sweep.Model
	for r := range def.RunsIn(0, 1) {
		if m, err = r.Point.Model(); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func uniformWeights(cfg sim.NetworkConfig, conn *sim.Connectivity) [4][]float64 {
	var w [4][]float64
	for q := sim.EE; q <= sim.II; q++ {
		w[q] = make([]float64, conn.Synapses(q))
		for k := range w[q] {
			w[q][k] = cfg.W.Amp(q) / 1e-12
		}
	}
	return w
}

func session(t *testing.T, cfg sim.NetworkConfig, conn *sim.Connectivity, m sweep.Model, w0 *[4][]float64) *train.Session {
	t.Helper()
	nw, err := sim.NewNetwork(cfg, conn)
	if err != nil {
		t.Fatal(err)
	}
	s, err := train.NewSession(nw, conn, train.DefaultParams(), experiment.UpParams(&m), w0, 11)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSessionResumesExactly: a training checkpointed after three trials and resumed in a new
// session, on a network compiled anew, ends with the uninterrupted training's weights and
// averages, bit for bit, trial records included.
func TestSessionResumesExactly(t *testing.T) {
	cfg, conn, m := smallNetwork(t)
	w0 := uniformWeights(cfg, conn)
	whole := session(t, cfg, conn, m, &w0)
	var want []train.Trial
	for range 6 {
		tr, err := whole.Step()
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, tr)
	}
	first := session(t, cfg, conn, m, &w0)
	var got []train.Trial
	for range 3 {
		tr, err := first.Step()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tr)
	}
	cp := first.Checkpoint()
	second := session(t, cfg, conn, m, &w0)
	if err := second.Restore(cp); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		tr, err := second.Step()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tr)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("resumed trials\n %+v\nuninterrupted\n %+v", got, want)
	}
	a, b := whole.Checkpoint(), second.Checkpoint()
	for q := range a.WeightPA {
		if !slices.Equal(a.WeightPA[q], b.WeightPA[q]) {
			t.Fatalf("pathway %d: the resumed training's weights differ", q)
		}
	}
	if !slices.Equal(a.Averages.ExcUnitsHz, b.Averages.ExcUnitsHz) || a.Averages.InhHz != b.Averages.InhHz || a.Next != 6 || b.Next != 6 {
		t.Fatalf("averages or trial index differ: %d and %d", a.Next, b.Next)
	}
	moved := false
	for q := range a.WeightPA {
		moved = moved || !slices.Equal(a.WeightPA[q], w0[q])
	}
	if !moved || want[0].Ups == 0 {
		t.Fatalf("six trials moved no weight or had no Up state: %+v", want[0])
	}
}

// TestSessionRunaway: weights that drive a unit's v out of bounds (1 mA of inhibition per spike)
// end the step with sim's ErrNumerical and leave the session where it was.
func TestSessionRunaway(t *testing.T) {
	cfg, conn, m := smallNetwork(t)
	w0 := uniformWeights(cfg, conn)
	for k := range w0[sim.EI] {
		w0[sim.EI][k] = 1e9
	}
	s := session(t, cfg, conn, m, &w0)
	_, err := s.Step()
	if !errors.Is(err, sim.ErrNumerical) {
		t.Fatalf("err %v, want a runaway", err)
	}
	if s.Next() != 0 || math.IsNaN(s.WeightsPA()[sim.EI][0]) || s.WeightsPA()[sim.EI][0] != w0[sim.EI][0] {
		t.Errorf("after the failed trial: next %d, w_EI[0] %v", s.Next(), s.WeightsPA()[sim.EI][0])
	}
}

// BenchmarkTrainingTrial2000 is one training trial of the N 2000, p 0.25 network (the paper's
// training network) under the local rule: setting the weights, the 1.5 s trial on one core, its
// Up states and the update of 1.0 M weights. A 3000-trial training costs 3000 of these.
func BenchmarkTrainingTrial2000(b *testing.B) {
	m := networkModel(b, "\"net.n_units\" = 2000\n\"net.prop_connect\" = 0.25\n")
	cfg := experiment.NetworkConfig(&m)
	conn, err := sim.NewConnectivity(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	nw, err := sim.NewNetwork(cfg, conn)
	if err != nil {
		b.Fatal(err)
	}
	w0 := uniformWeights(cfg, conn)
	s, err := train.NewSession(nw, conn, train.DefaultParams(), experiment.UpParams(&m), &w0, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := s.Step(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N)*3000/60, "min/3000-trials")
}

// TestSessionRestoreRefuses: a checkpoint for another network (other synapse counts or unit
// counts, or an inconsistent trial index) is refused and leaves the session as it was.
func TestSessionRestoreRefuses(t *testing.T) {
	cfg, conn, m := smallNetwork(t)
	w0 := uniformWeights(cfg, conn)
	s := session(t, cfg, conn, m, &w0)
	if _, err := s.Step(); err != nil {
		t.Fatal(err)
	}
	good := s.Checkpoint()
	short := s.Checkpoint()
	short.WeightPA[sim.EI] = short.WeightPA[sim.EI][:1]
	odd := s.Checkpoint()
	odd.Next = 0
	units := s.Checkpoint()
	units.Averages.ExcUnitsHz = units.Averages.ExcUnitsHz[:3]
	for name, c := range map[string]train.Checkpoint{"too few EI weights": short, "trial 0 with averages": odd, "averages of 3 E units": units} {
		if err := s.Restore(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if got := s.Checkpoint(); got.Next != good.Next || !slices.Equal(got.WeightPA[sim.EI], good.WeightPA[sim.EI]) {
			t.Errorf("%s: the refused checkpoint changed the session", name)
		}
	}
}
