package sweep

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func mustParse(t testing.TB, text string) *Definition {
	t.Helper()
	d, err := Parse("t.toml", text)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// axisText returns the values of the axis over name, as written for people.
func axisText(t *testing.T, d *Definition, name string) []string {
	t.Helper()
	for _, a := range d.Axes {
		for k, i := range a.Params {
			if Registry[i].Name == name {
				var out []string
				for _, v := range a.Values[k] {
					out = append(out, Registry[i].FormatValue(v))
				}
				return out
			}
		}
	}
	t.Fatalf("no axis over %s", name)
	return nil
}

func TestRanges(t *testing.T) {
	cases := []struct {
		reason, spec, name string
		want               []string
	}{
		{"list", `["3 Hz", "5 Hz", "8 Hz"]`, "input.rate_exc", []string{"3 Hz", "5 Hz", "8 Hz"}},
		{"steps: numpy.linspace, ends exact", `{ from = "10 Hz", to = "20 Hz", steps = 6 }`, "input.rate_inh", []string{"10 Hz", "12 Hz", "14 Hz", "16 Hz", "18 Hz", "20 Hz"}},
		{"step: from + j·step while ≤ to", `{ from = 0.9, to = 1.1, step = 0.05 }`, "weights.mult_ei", []string{"0.9", "0.95", "1", "1.05", "1.1"}},
		{"step that does not land on to", `{ from = 1, to = 2, step = 0.4 }`, "weights.mult_ei", []string{"1", "1.4", "1.8"}},
		{"log scale", `{ from = "1 Hz", to = "100 Hz", steps = 3, scale = "log" }`, "input.rate_exc", []string{"1 Hz", "10 Hz", "100 Hz"}},
		{"integer range", `{ from = 100, to = 400, steps = 4 }`, "input.n_exc", []string{"100", "200", "300", "400"}},
		{"words", `["poisson", "regular"]`, "input.mode", []string{"poisson", "regular"}},
		{"mixed spellings in a list", `["0.005 kHz", "6000 mHz"]`, "input.rate_exc", []string{"5 Hz", "6 Hz"}},
	}
	for _, c := range cases {
		d, err := Parse("t.toml", fmt.Sprintf("name = \"r\"\n[grid]\n%q = %s\n", c.name, c.spec))
		if err != nil {
			t.Errorf("%s: %v", c.reason, err)
			continue
		}
		got := axisText(t, d, c.name)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: %v, want %v", c.reason, got, c.want)
		}
	}
}

// TestGridDecode: cells decode in mixed radix, the last axis fastest, zips moving together;
// replicates of a cell are consecutive runs.
func TestGridDecode(t *testing.T) {
	d := mustParse(t, `name = "g"
replicates = 2
[grid]
"input.rate_exc" = ["3 Hz", "5 Hz", "8 Hz"]
[[zip]]
"exc.e_leak" = ["7.6 mV", "8 mV"]
"inh.e_leak" = ["6.5 mV", "7 mV"]
`)
	if d.Cells() != 6 || d.Runs() != 12 {
		t.Fatalf("%d cells, %d runs; want 6, 12", d.Cells(), d.Runs())
	}
	re, ee, ie := index["input.rate_exc"], index["exc.e_leak"], index["inh.e_leak"]
	var got []string
	var pt Point
	for i := range d.Runs() {
		cell, rep := d.Run(i)
		pt = d.Point(cell, pt)
		got = append(got, fmt.Sprintf("%g/%.1f/%.1f/%d", pt[re].Num, pt[ee].Num*1e3, pt[ie].Num*1e3, rep))
	}
	want := "[3/7.6/6.5/0 3/7.6/6.5/1 3/8.0/7.0/0 3/8.0/7.0/1 5/7.6/6.5/0 5/7.6/6.5/1 5/8.0/7.0/0 5/8.0/7.0/1 8/7.6/6.5/0 8/7.6/6.5/1 8/8.0/7.0/0 8/8.0/7.0/1]"
	if fmt.Sprint(got) != want {
		t.Errorf("runs\n got %v\nwant %s", got, want)
	}
	// Everything else stays at the base.
	if pt[index["sim.dt"]] != Defaults()[index["sim.dt"]] {
		t.Error("an unswept parameter changed")
	}
}

// TestHugeGridIsNotMaterialised: a 10^12-cell grid plans instantly and decodes any cell.
func TestHugeGridIsNotMaterialised(t *testing.T) {
	d, err := ParseWith("t.toml", `name = "huge"
[grid]
"weights.mult_ee" = { from = 0.5, to = 1.5, steps = 10000 }
"weights.mult_ie" = { from = 0.5, to = 1.5, steps = 10000 }
"weights.mult_ei" = { from = 0.5, to = 1.5, steps = 10000 }
`, Options{MaxRuns: math.MaxInt64})
	if err != nil {
		t.Fatal(err)
	}
	if d.Cells() != 1e12 {
		t.Fatalf("%d cells", d.Cells())
	}
	pt := d.Point(d.Cells()-1, nil)
	if pt[index["weights.mult_ee"]].Num != 1.5 || pt[index["weights.mult_ei"]].Num != 1.5 {
		t.Error("last cell is not at the ends of every axis")
	}
}

func runIDs(d *Definition) map[RunID]uint64 {
	ids := map[RunID]uint64{}
	for r := range d.AllRuns() {
		ids[r.ID] = RunSeed(d.Seed, r.ID)
	}
	return ids
}

// TestRunIdentityWithGrids: reordering keys, respelling values, moving a parameter between
// [params] and a one-value axis, or adding points to an axis leaves existing run ids and seeds
// unchanged.
func TestRunIdentityWithGrids(t *testing.T) {
	base := mustParse(t, `name = "a"
seed = 3
replicates = 2
[params]
"sim.duration" = "2 s"
"weights.mult_ee" = 1.02
[grid]
"input.rate_exc" = ["3 Hz", "5 Hz"]
"weights.mult_ei" = { from = 0.9, to = 1.1, steps = 3 }
`)
	same := []struct{ reason, text string }{
		{"keys reordered, values respelled", `name = "b"
replicates = 2
seed = 3
[grid]
"weights.mult_ei" = [0.9, 1.0, 1.1]
"input.rate_exc" = ["0.003 kHz", "5000 mHz"]
[params]
"weights.mult_ee" = 1.020
"sim.duration" = "2000 ms"
`},
		{"nested tables instead of dotted keys", `name = "c"
seed = 3
replicates = 2
[params.sim]
duration = "2 s"
[params.weights]
mult_ee = 1.02
[grid.input]
rate_exc = ["3 Hz", "5 Hz"]
[grid.weights]
mult_ei = { from = 0.9, to = 1.1, step = 0.1 }
`},
	}
	want := runIDs(base)
	if len(want) != 12 {
		t.Fatalf("%d distinct run ids, want 12", len(want))
	}
	for _, c := range same {
		got := runIDs(mustParse(t, c.text))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: run ids or seeds changed", c.reason)
		}
	}
	bigger := mustParse(t, `name = "d"
seed = 3
replicates = 3
[params]
"sim.duration" = "2 s"
"weights.mult_ee" = 1.02
[grid]
"input.rate_exc" = ["3 Hz", "4 Hz", "5 Hz", "8 Hz"]
"weights.mult_ei" = { from = 0.8, to = 1.1, step = 0.1 }
"input.n_exc" = [400, 300]
`)
	got := runIDs(bigger)
	for id, seed := range want {
		if s, ok := got[id]; !ok || s != seed {
			t.Errorf("run %s lost or reseeded when points, replicates and an axis including the old value were added", id)
		}
	}
	if err := bigger.Extends(base); err != nil {
		t.Errorf("Extends: %v", err)
	}
	for _, c := range []struct{ reason, text, want string }{
		{"seed changed", "name = \"e\"\nseed = 4\nreplicates = 2\n[params]\n\"sim.duration\" = \"2 s\"\n\"weights.mult_ee\" = 1.02\n[grid]\n\"input.rate_exc\" = [\"3 Hz\", \"5 Hz\"]\n\"weights.mult_ei\" = [0.9, 1.0, 1.1]\n", "base seed changed"},
		{"value dropped", "name = \"e\"\nseed = 3\nreplicates = 2\n[params]\n\"sim.duration\" = \"2 s\"\n\"weights.mult_ee\" = 1.02\n[grid]\n\"input.rate_exc\" = [\"3 Hz\"]\n\"weights.mult_ei\" = [0.9, 1.0, 1.1]\n", "lost a combination"},
		{"fixed parameter changed", "name = \"e\"\nseed = 3\nreplicates = 2\n[params]\n\"sim.duration\" = \"1 s\"\n\"weights.mult_ee\" = 1.02\n[grid]\n\"input.rate_exc\" = [\"3 Hz\", \"5 Hz\"]\n\"weights.mult_ei\" = [0.9, 1.0, 1.1]\n", "sim.duration changed"},
		{"fewer replicates", "name = \"e\"\nseed = 3\n[params]\n\"sim.duration\" = \"2 s\"\n\"weights.mult_ee\" = 1.02\n[grid]\n\"input.rate_exc\" = [\"3 Hz\", \"5 Hz\"]\n\"weights.mult_ei\" = [0.9, 1.0, 1.1]\n", "replicates went down"},
		{"new axis without the old value", "name = \"e\"\nseed = 3\nreplicates = 2\n[params]\n\"sim.duration\" = \"2 s\"\n\"weights.mult_ee\" = 1.02\n[grid]\n\"input.rate_exc\" = [\"3 Hz\", \"5 Hz\"]\n\"weights.mult_ei\" = [0.9, 1.0, 1.1]\n\"input.n_exc\" = [300, 500]\n", "lost a combination"},
	} {
		err := mustParse(t, c.text).Extends(base)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Extends = %v, want %q", c.reason, err, c.want)
		}
	}
}

// TestShards: shards partition the runs, are balanced, and do not depend on the order of axes.
func TestShards(t *testing.T) {
	a := mustParse(t, "name = \"s\"\nreplicates = 10\n[grid]\n\"input.rate_exc\" = { from = \"1 Hz\", to = \"10 Hz\", steps = 10 }\n\"weights.mult_ei\" = { from = 0.5, to = 1.5, steps = 30 }\n")
	b := mustParse(t, "name = \"s\"\nreplicates = 10\n[grid]\n\"weights.mult_ei\" = { from = 0.5, to = 1.5, steps = 30 }\n\"input.rate_exc\" = { from = \"1 Hz\", to = \"10 Hz\", steps = 10 }\n")
	const n = 4
	count := func(d *Definition) map[RunID]int {
		m := map[RunID]int{}
		for id := range runIDs(d) {
			k := 0
			for s := 1; s <= n; s++ {
				if (Shard{s, n}).Has(id) {
					k++
					m[id] = s
				}
			}
			if k != 1 {
				t.Fatalf("run %s is in %d shards", id, k)
			}
		}
		return m
	}
	ma, mb := count(a), count(b)
	per := make([]int, n+1)
	for id, s := range ma {
		if mb[id] != s {
			t.Fatalf("run %s: shard %d, or %d with the axes swapped", id, s, mb[id])
		}
		per[s]++
	}
	for s := 1; s <= n; s++ { // 3000 runs: 750 ± 24 per shard
		if per[s] < 650 || per[s] > 850 {
			t.Errorf("shard %d has %d of 3000 runs", s, per[s])
		}
	}
	for _, bad := range []string{"0/3", "4/3", "1/0", "a/b", "1/3x", "2"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
	if sh, err := ParseShard("2/3"); err != nil || sh != (Shard{2, 3}) || sh.Tag() != "s2of3" {
		t.Errorf("ParseShard(2/3) = %v, %v", sh, err)
	}
}

func TestShardFromEnv(t *testing.T) {
	cases := []struct {
		reason string
		env    map[string]string
		want   Shard
		isTask bool
		err    bool
	}{
		{"not an array task", map[string]string{}, Shard{}, false, false},
		{"sbatch --array=0-7, task 0", map[string]string{"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "8"}, Shard{1, 8}, true, false},
		{"sbatch --array=1-4, task 4", map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"}, Shard{4, 4}, true, false},
		{"second chunk of a split sweep", map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "1000",
			"EISWEEP_SHARD_OFFSET": "1000", "EISWEEP_SHARD_COUNT": "1500"}, Shard{1004, 1500}, true, false},
		{"task beyond the count", map[string]string{"SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_COUNT": "8"}, Shard{}, true, true},
		{"one task resubmitted with sbatch --array=1: still shard 2", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "1",
			"EISWEEP_SHARD_COUNT": "4"}, Shard{2, 4}, true, false},
		{"no count", map[string]string{"SLURM_ARRAY_TASK_ID": "0"}, Shard{}, true, true},
		{"garbage", map[string]string{"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "2"}, Shard{}, true, true},
	}
	for _, c := range cases {
		sh, isTask, err := ShardFromEnv(func(k string) string { return c.env[k] })
		if sh != c.want || isTask != c.isTask || (err != nil) != c.err {
			t.Errorf("%s: %v, %v, %v; want %v, %v, error %v", c.reason, sh, isTask, err, c.want, c.isTask, c.err)
		}
	}
}
