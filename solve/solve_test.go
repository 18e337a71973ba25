package solve

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eisweep/eisweep/internal/testsweep"
	"github.com/eisweep/eisweep/pipeline"
	"github.com/eisweep/eisweep/sim"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

func solveDef(t *testing.T, text string) *sweep.Definition {
	t.Helper()
	d, err := sweep.Parse("solve.toml", text)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func solveInto(t *testing.T, def *sweep.Definition, dir string, jobs int) *Summary {
	t.Helper()
	sum, err := Solve(context.Background(), def, Options{OutDir: dir, Jobs: jobs})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// scanRates is the mean rate of unit u over replicates at parameter value x (SI) of the cell at
// pt, computed the plain way: every replicate a full two-unit run from its own seed's inputs,
// independently of the solver's recorded, replayed inputs and single-unit runs.
func scanRates(t *testing.T, def *sweep.Definition, pt sweep.Point, idx int, x float64, u sim.UnitKind, reps int) float64 {
	t.Helper()
	p := append(sweep.Point(nil), pt...)
	p[idx] = sweep.Value{Num: x}
	m, err := p.Model()
	if err != nil {
		t.Fatal(err)
	}
	ex, err := sim.NewExperiment(m.Sim)
	if err != nil {
		t.Fatal(err)
	}
	var d sim.Drive
	var res sim.Result
	var sum float64
	for r := range reps {
		exc, inh, err := d.Inputs(ex, m.Input, sweep.RunSeed(def.Seed, pt.RunID(r)))
		if err != nil {
			t.Fatal(err)
		}
		if err := ex.Run(exc, inh, &res); err != nil {
			t.Fatal(err)
		}
		if u == sim.UnitE {
			sum += res.RateEHz
		} else {
			sum += res.RateIHz
		}
	}
	return sum / float64(reps)
}

// TestSolveMatchesFineScan: for an excitatory weight (E unit, mult_ee: the rate rises with it)
// and an inhibitory one (I unit, mult_ii: it falls), the solved value lies within the tolerance
// of the crossing that a fine scan of the same cell with the same seeds finds; the rate
// reported at the solution is the scan's rate there; and the rate at the start is the mean of
// `eisweep run`'s rows of the same definition (the solver drives its candidates with the
// sweep's own input spike trains).
func TestSolveMatchesFineScan(t *testing.T) {
	const reps, tol, step, half = 24, 0.002, 0.0005, 0.015
	def := solveDef(t, fmt.Sprintf(`name = "scan"
seed = 3
replicates = %d
[params]
"fi.n_currents" = 301
[solve]
bootstrap = 200
[solve.e]
param = "weights.mult_ee"
tolerance = %g
[solve.i]
param = "weights.mult_ii"
tolerance = %g
`, reps, tol, tol))
	dir := t.TempDir()
	sum := solveInto(t, def, dir, 2)
	if len(sum.Rows) != 1 {
		t.Fatalf("%d rows, want 1", len(sum.Rows))
	}
	row := sum.Rows[0]
	pt := def.Point(0, nil)
	if _, err := pipeline.Run(context.Background(), def, pipeline.Options{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	cols, err := table.ReadFloats(testsweep.Files(t, dir, "runs"), []string{"rate_e_hz", "rate_i_hz"})
	if err != nil {
		t.Fatal(err)
	}
	for _, su := range def.Solve.Units {
		s := row.Units[su.Unit]
		if s.Status != "ok" {
			t.Fatalf("%v unit: %s %s", su.Unit, s.Status, s.Error)
		}
		level := s.SetPointHz
		g := func(x float64) float64 {
			r := scanRates(t, def, pt, su.Index, x, su.Unit, reps)
			if su.Increasing {
				return r - level
			}
			return level - r
		}
		lScan, uScan := math.Inf(-1), math.Inf(1)
		for x := s.Value - half; x <= s.Value+half; x += step {
			if gx := g(x); gx < 0 {
				lScan = max(lScan, x)
			} else if gx > 0 {
				uScan = min(uScan, x)
			}
		}
		if math.IsInf(lScan, 0) || math.IsInf(uScan, 0) {
			t.Fatalf("%v unit: the scan of ±%g around %g does not cross the set point", su.Unit, half, s.Value)
		}
		want := (lScan + uScan) / 2
		t.Logf("%v unit: solved %s = %.5f [%.5f, %.5f] with %d evaluations, %d simulations; the scan crosses in [%.4f, %.4f]",
			su.Unit, su.Param.Name, s.Value, s.CILo, s.CIHi, s.Evaluations, s.Sims, lScan, uScan)
		if math.Abs(s.Value-want) > tol/2+step {
			t.Errorf("%v unit: solved %.5f, the scan says %.5f ± %g", su.Unit, s.Value, want, tol/2+step)
		}
		if r := scanRates(t, def, pt, su.Index, s.Value, su.Unit, reps); r != s.RateHz {
			t.Errorf("%v unit: rate at the solution %v, the plain runs give %v", su.Unit, s.RateHz, r)
		}
		if !(s.CILo < s.Value && s.Value < s.CIHi) || s.CIFracOutside > 0.01 {
			t.Errorf("%v unit: interval [%g, %g] around %g, %g of resamples outside", su.Unit, s.CILo, s.CIHi, s.Value, s.CIFracOutside)
		}
		runs := cols["rate_e_hz"]
		if su.Unit == sim.UnitI {
			runs = cols["rate_i_hz"]
		}
		var mean float64
		for _, r := range runs {
			mean += r / float64(len(runs))
		}
		if len(runs) != reps || math.Abs(mean-s.StartRateHz) > 1e-12 {
			t.Errorf("%v unit: start rate %v, the sweep's %d runs average %v", su.Unit, s.StartRateHz, len(runs), mean)
		}
		if want := s.Value * s.WPA / s.Mult; math.Abs(s.WPA-s.Mult*want/s.Value) > 1e-9 || s.Mult != s.Value {
			t.Errorf("%v unit: multiplier %v, value %v, weight %v", su.Unit, s.Mult, s.Value, s.WPA)
		}
	}
}

// TestSolveIndependentOfJobs: one worker and three give the same solved.parquet.
func TestSolveIndependentOfJobs(t *testing.T) {
	def := solveDef(t, `name = "jobs"
seed = 2
replicates = 10
[params]
"fi.n_currents" = 301
"sim.duration" = "0.5 s"
[grid]
"input.rate_exc" = ["4 Hz", "6 Hz"]
"input.rate_inh" = ["12 Hz", "16 Hz"]
[solve]
bootstrap = 100
[solve.e]
param = "weights.mult_ei"
tolerance = 0.002
[solve.i]
param = "weights.j_ii"
tolerance = "2 pA"
`)
	var files [2][]map[string]string
	for k, jobs := range []int{1, 3} {
		dir := t.TempDir()
		sum := solveInto(t, def, dir, jobs)
		if sum.Solved != 4 || len(sum.Rows) != 4 {
			t.Fatalf("-j%d: %d solved, %d rows", jobs, sum.Solved, len(sum.Rows))
		}
		files[k] = testsweep.ReadFileRows(t, filepath.Join(dir, "solved.parquet"))
		for _, r := range files[k] {
			delete(r, "solve_ms")
			if r["e_status"] != "ok" || r["i_status"] != "ok" {
				t.Errorf("-j%d: cell %s: %s %s / %s %s", jobs, r["cell"], r["e_status"], r["e_error"], r["i_status"], r["i_error"])
			}
		}
	}
	if !reflect.DeepEqual(files[0], files[1]) {
		t.Errorf("-j1 and -j3 differ:\n%v\n%v", files[0], files[1])
	}
}

// TestSolveWithoutCrossing: a crossing outside [min, max] is a row with a status and an error
// that says what to change, not a failure of the command.
func TestSolveWithoutCrossing(t *testing.T) {
	def := solveDef(t, `name = "none"
replicates = 5
[params]
"fi.n_currents" = 301
"weights.mult_ee" = 1.6
"weights.mult_ii" = 3
[solve]
bootstrap = 50
[solve.e]
param = "weights.mult_ei"
max = 1
[solve.i]
param = "weights.mult_ii"
min = 2.5
`)
	sum := solveInto(t, def, t.TempDir(), 2)
	e, i := sum.Rows[0].Units[0], sum.Rows[0].Units[1]
	if e.Status != "above_max" || !strings.Contains(e.Error, "still above its set point") || !strings.Contains(e.Error, "widen the range with max in [solve.e]") || !math.IsNaN(e.Value) || !(e.RateHz > 5) {
		t.Errorf("E: %s: %s (value %v, rate %v)", e.Status, e.Error, e.Value, e.RateHz)
	}
	if i.Status != "below_min" || !strings.Contains(i.Error, "still below its set point") || !strings.Contains(i.Error, "min in [solve.i]") || !(i.RateHz < 14) {
		t.Errorf("I: %s: %s (rate %v)", i.Status, i.Error, i.RateHz)
	}
}

// TestSolveResumes: solved cells are kept in solved/ and not solved again; other [solve]
// settings in the same folder are refused with the fix.
func TestSolveResumes(t *testing.T) {
	text := `name = "resume"
replicates = 6
[params]
"fi.n_currents" = 301
"sim.duration" = "0.5 s"
[grid]
"input.rate_exc" = ["4 Hz", "5 Hz", "6 Hz"]
[solve]
bootstrap = 50
[solve.e]
param = "weights.mult_ei"
tolerance = 0.005
`
	dir := t.TempDir()
	first := solveInto(t, solveDef(t, text), dir, 2)
	again := solveInto(t, solveDef(t, text), dir, 2)
	if first.Solved != 3 || again.Solved != 0 || again.Skipped != 3 || len(again.Rows) != 3 {
		t.Errorf("first %d solved; again %d solved, %d skipped, %d rows", first.Solved, again.Solved, again.Skipped, len(again.Rows))
	}
	for k := range first.Rows {
		a, b := first.Rows[k].Units[0], again.Rows[k].Units[0]
		if a.Value != b.Value || a.WPA != b.WPA || a.Pred[2] != b.Pred[2] && !(math.IsNaN(a.Pred[2]) && math.IsNaN(b.Pred[2])) {
			t.Errorf("cell %d: %+v, then %+v", k, a, b)
		}
	}
	_, err := Solve(context.Background(), solveDef(t, strings.Replace(text, "0.005", "0.001", 1)), Options{OutDir: dir})
	if err == nil || !strings.Contains(err.Error(), "other [solve] settings") || !strings.Contains(err.Error(), "remove") {
		t.Errorf("changed settings: %v", err)
	}
}

// TestPredict: leave-one-out predictions on constructed cells. With Ī* = 1.2·Ē* − 100 exactly,
// the linear model predicts every cell without error, and the additive and multiplicative ones
// with the errors their fits to the other cells imply; currents convert to weights with each
// cell's own current per unit weight.
func TestPredict(t *testing.T) {
	excs := []float64{250, 280, 300, 330}
	rows := make([]SolvedRow, len(excs))
	for k, e := range excs {
		s := nanSolvedUnit()
		s.Status, s.ExcPA, s.InhPA = "ok", e, 1.2*e-100
		s.WPA = 2 * s.InhPA // any current per unit weight; here 0.5 pA per pA
		s.ThetaPA, s.GainHzPerPA, s.SetPointHz = 124.1, 0.5, 5
		rows[k].Units[0] = s
	}
	su := sweep.SolveUnit{Unit: sim.UnitE}
	fits := predict(rows, su)
	if math.Abs(fits[0].M-1.2) > 1e-12 || math.Abs(fits[0].B+100) > 1e-9 {
		t.Errorf("linear fit %v·E + %v", fits[0].M, fits[0].B)
	}
	for k, r := range rows {
		s := r.Units[0]
		// additive from the others: b = mean over j≠k of (0.2·Ē_j − 100); Ī = Ē_k + b.
		var b float64
		for j, e := range excs {
			if j != k {
				b += (0.2*e - 100) / 3
			}
		}
		wantAdd := 2 * (excs[k] + b)
		wantTG := 2 * (excs[k] - 124.1 - 5/0.5)
		if math.Abs(s.Err[2]) > 1e-9 || math.Abs(s.Pred[0]-wantAdd) > 1e-9 || math.Abs(s.Pred[3]-wantTG) > 1e-9 || s.Err[0] != s.Pred[0]-s.WPA {
			t.Errorf("cell %d: predictions %v, errors %v; want additive %v, threshold-gain %v", k, s.Pred, s.Err, wantAdd, wantTG)
		}
	}
	// An excitatory weight: the models are inverted, Ē = (Ī − b)/m.
	su.Increasing = true
	for k := range rows {
		rows[k].Units[0].WPA = 3 * rows[k].Units[0].ExcPA
	}
	predict(rows, su)
	for k, r := range rows {
		s := r.Units[0]
		wantTG := 3 * (s.InhPA + 124.1 + 5/0.5)
		if math.Abs(s.Err[2]) > 1e-9 || math.Abs(s.Pred[3]-wantTG) > 1e-9 {
			t.Errorf("excitatory, cell %d: predictions %v, errors %v; want threshold-gain %v", k, s.Pred, s.Err, wantTG)
		}
	}
}

// cancelAfterFirst cancels a context once a progress line reports a solved cell.
type cancelAfterFirst struct {
	cancel context.CancelFunc
	mu     sync.Mutex
}

func (c *cancelAfterFirst) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !strings.HasPrefix(string(b), "eisweep: 0/") {
		c.cancel()
	}
	return len(b), nil
}

// TestSolveInterrupted: a solve stopped midway keeps the cells that finished in solved/, and the
// next solve skips them and completes the rest.
func TestSolveInterrupted(t *testing.T) {
	def := solveDef(t, `name = "stop"
replicates = 30
[params]
"fi.n_currents" = 301
[grid]
"input.rate_exc" = ["3 Hz", "4 Hz", "5 Hz", "6 Hz", "7 Hz", "8 Hz"]
[solve]
bootstrap = 50
[solve.e]
param = "weights.mult_ei"
tolerance = 0.002
`)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sum, err := Solve(ctx, def, Options{OutDir: dir, Jobs: 1, Progress: &cancelAfterFirst{cancel: cancel}, ProgressEvery: time.Millisecond})
	if err == nil || sum.Solved == 0 || sum.Solved == 6 {
		t.Fatalf("interrupted solve: %v, %d cells solved", err, sum.Solved)
	}
	c, err := store.Read(dir, SolveTables)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := ReadSolvedFiles(c.Files["solved"])
	if err != nil || int64(len(kept)) != sum.Solved {
		t.Fatalf("%d cells kept in solved/ (%v), %d solved", len(kept), err, sum.Solved)
	}
	again := solveInto(t, def, dir, 2)
	if again.Skipped != sum.Solved || again.Solved != 6-sum.Solved || len(again.Rows) != 6 {
		t.Errorf("resumed: %d skipped, %d solved, %d rows; %d were kept", again.Skipped, again.Solved, len(again.Rows), sum.Solved)
	}
}
