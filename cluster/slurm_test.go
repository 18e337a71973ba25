package cluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/eisweep/eisweep/sweep"
)

func TestChunks(t *testing.T) {
	for _, c := range []struct {
		tasks, max int
		want       string
	}{
		{4, 1001, "[{0 4}]"},
		{1001, 1001, "[{0 1001}]"},
		{2500, 1001, "[{0 1001} {1001 1001} {2002 498}]"},
		{5, 2, "[{0 2} {2 2} {4 1}]"},
	} {
		if got := fmt.Sprint(Options{Tasks: c.tasks, MaxArraySize: c.max}.Chunks()); got != c.want {
			t.Errorf("%d tasks, MaxArraySize %d: %s, want %s", c.tasks, c.max, got, c.want)
		}
	}
}

func TestParseMaxArraySize(t *testing.T) {
	if n, ok := parseMaxArraySize("Configuration data\nMaxArraySize            = 5001\nMaxJobCount = 10000\n"); n != 5001 || !ok {
		t.Errorf("got %d, %v", n, ok)
	}
	if n, ok := parseMaxArraySize("nothing here"); n != DefaultMaxArraySize || ok {
		t.Errorf("got %d, %v", n, ok)
	}
}

// TestWriteScripts: the scripts carry the options, forward SIGTERM and requeue, chunk the array,
// and are valid bash.
func TestWriteScripts(t *testing.T) {
	dir := t.TempDir()
	s, err := Write(filepath.Join(dir, "scripts"), Options{Definition: "/defs/my sweep.toml", OutDir: filepath.Join(dir, "out"), Eisweep: "/usr/bin/eisweep",
		Name: "eisweep-x", Tasks: 2500, CPUsPerTask: 4, Time: "2:00:00", Partition: "short", Mem: "2G", MaxArraySize: 1001})
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("bash", "-n", p).CombinedOutput(); err != nil {
			t.Errorf("%s is not valid bash: %v %s", p, err, out)
		}
		return string(b)
	}
	task, finish, submit := read(s.Task), read(s.Finish), read(s.Submit)
	for _, want := range []string{"#SBATCH --cpus-per-task=4", "#SBATCH --time=2:00:00", "#SBATCH --partition=short", "#SBATCH --mem=2G",
		"#SBATCH --signal=B:USR1@120", "#SBATCH --requeue", "export EISWEEP_SHARD_COUNT=2500", "run -j 4 -o ", "--shard-from-env '/defs/my sweep.toml'",
		`trap 'timelimit=1; stop=1; [ -n "$pid" ] && kill -TERM`, `trap 'stop=1; [ -n "$pid" ] && kill -TERM`, `[ "$stop" = 1 ] && kill -TERM "$pid"`, `if [ "$timelimit" = 1 ] && [ "$rc" -eq 143 ]`, "scontrol requeue"} {
		if !strings.Contains(task, want) {
			t.Errorf("task script lacks %q:\n%s", want, task)
		}
	}
	if !strings.Contains(finish, "compact") || !strings.Contains(finish, "aggregate") {
		t.Errorf("finish script:\n%s", finish)
	}
	for _, want := range []string{"--array=0-1000 --export=ALL,EISWEEP_SHARD_OFFSET=0 ", "--array=0-1000 --export=ALL,EISWEEP_SHARD_OFFSET=1001 ",
		"--array=0-497 --export=ALL,EISWEEP_SHARD_OFFSET=2002 ", "--dependency=afterany:"} {
		if !strings.Contains(submit, want) {
			t.Errorf("submit script lacks %q:\n%s", want, submit)
		}
	}
	if _, err := Write(dir, Options{Definition: "rel.toml", OutDir: dir, Eisweep: "/e", Tasks: 1, CPUsPerTask: 1}); err == nil {
		t.Error("a relative definition path was accepted")
	}
}

// The integration tests below run against a real SLURM: make test-slurm starts one on this
// machine (tools/slurm_local.sh) and sets EISWEEP_SLURM=1 and SLURM_CONF.

func needSlurm(t *testing.T) (bin, duck string) {
	t.Helper()
	if os.Getenv("EISWEEP_SLURM") == "" {
		t.Skip("no SLURM (make test-slurm starts one)")
	}
	duck = os.Getenv("EISWEEP_DUCKCHECK")
	if duck == "" {
		t.Fatal("EISWEEP_DUCKCHECK not set")
	}
	bin = filepath.Join(t.TempDir(), "eisweep")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/eisweep").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin, duck
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// waitGone waits until none of the jobs is in the queue any more.
func waitGone(t *testing.T, ids ...string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		out, _ := exec.Command("squeue", "-h", "-j", strings.Join(ids, ",")).Output()
		if strings.TrimSpace(string(out)) == "" {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("jobs %v still queued after 3 minutes:\n%s", ids, run(t, "squeue"))
}

// waitRunning waits up to a minute until task runs.
func waitRunning(t *testing.T, task string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		o, _ := exec.Command("squeue", "-h", "-j", task, "-o", "%T").Output()
		if strings.TrimSpace(string(o)) == "RUNNING" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s never ran:\n%s", task, run(t, "squeue"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// hasCheckpoint reports whether folder dir has a training checkpoint of a run of shard sh.
func hasCheckpoint(t *testing.T, dir string, sh sweep.Shard) bool {
	t.Helper()
	ckpts, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "*.ckpt"))
	for _, c := range ckpts {
		if strings.HasPrefix(filepath.Base(c), ".") {
			continue // a checkpoint being written (.tmp-<run_id>.ckpt)
		}
		id, err := sweep.ParseRunID(strings.TrimSuffix(filepath.Base(c), ".ckpt"))
		if err != nil {
			t.Fatalf("checkpoint %s: %v", c, err)
		}
		if sh.Has(id) {
			return true
		}
	}
	return false
}

// taskLog returns the output of array task task (job_index) of the folder dir.
func taskLog(t *testing.T, dir, task string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "slurm", task+".out"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var idsRE = regexp.MustCompile(`array jobs: (\S+)\nfollow-up job: (\S+)`)

// sameRuns checks with DuckDB that folder dir holds exactly the runs of folder ref: every run
// once, every value identical but the wall time.
func sameRuns(t *testing.T, duck, dir, ref string, runs int) {
	t.Helper()
	sameTable(t, duck, dir, ref, "runs", "run_ms", runs)
}

// sameTable checks with DuckDB that table of folder dir has the rows of ref's, each as often
// (exclude names the columns not compared, "" for none), and rows rows.
func sameTable(t *testing.T, duck, dir, ref, table, exclude string, rows int) {
	t.Helper()
	q := func(sql string) string {
		out := run(t, duck, sql)
		return strings.TrimSpace(strings.SplitN(out, "\n", 2)[1])
	}
	a := fmt.Sprintf("read_parquet('%s/%s/*.parquet')", dir, table)
	b := fmt.Sprintf("read_parquet('%s/%s/*.parquet')", ref, table)
	if table == "runs" {
		if got := q("SELECT count(*), count(DISTINCT run_id) FROM " + a); got != fmt.Sprintf("%d\t%d", rows, rows) {
			t.Errorf("rows, distinct runs = %s, want %d", got, rows)
		}
	} else if got := q("SELECT count(*) FROM " + a); got != fmt.Sprint(rows) {
		t.Errorf("%s: %s rows, want %d", table, got, rows)
	}
	sel := "*"
	if exclude != "" {
		sel = "* EXCLUDE " + exclude
	}
	diff := fmt.Sprintf("SELECT (SELECT count(*) FROM (SELECT %[1]s FROM %[2]s EXCEPT ALL SELECT %[1]s FROM %[3]s)) + (SELECT count(*) FROM (SELECT %[1]s FROM %[3]s EXCEPT ALL SELECT %[1]s FROM %[2]s))", sel, a, b)
	if got := q(diff); got != "0" {
		t.Errorf("%s: %s rows differ from the single-process run", table, got)
	}
}

func writeDef(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "def.toml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// submit runs eisweep slurm --submit with the given number of tasks and returns the match of idsRE:
// the array job id and the follow-up job id.
func submit(t *testing.T, bin, dir, def string, tasks int) []string {
	t.Helper()
	out := run(t, bin, "slurm", "-o", dir, "--tasks", fmt.Sprint(tasks), "--submit", def)
	m := idsRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no job ids in:\n%s", out)
	}
	return m
}

// TestSlurmArray submits a sweep as a 4-task array with its follow-up job and checks that the
// union of the shards is the single-process run, row by row, compacted and aggregated.
func TestSlurmArray(t *testing.T) {
	bin, duck := needSlurm(t)
	def := writeDef(t, "name = \"slurm\"\nreplicates = 30\n[params]\n\"sim.duration\" = \"0.5 s\"\n[grid]\n\"input.rate_exc\" = [\"4 Hz\", \"5 Hz\", \"6 Hz\", \"7 Hz\"]\n\"weights.mult_ei\" = [0.8, 1.0, 1.2]\n")
	dir, ref := filepath.Join(t.TempDir(), "out"), filepath.Join(t.TempDir(), "ref")
	m := submit(t, bin, dir, def, 4)
	run(t, bin, "run", "--quiet", "-o", ref, def)
	waitGone(t, m[1], m[2])
	sameRuns(t, duck, dir, ref, 360)
	st := run(t, bin, "status", dir)
	for k := 1; k <= 4; k++ {
		if !strings.Contains(st, fmt.Sprintf("shard %d/4", k)) && !strings.Contains(st, "files      runs/ 1,") {
			t.Errorf("status does not report shard %d:\n%s", k, st)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "runs", "*.parquet")); len(files) != 1 {
		t.Errorf("the follow-up job did not compact: %v", files)
	}
	if _, err := os.Stat(filepath.Join(dir, "summary.parquet")); err != nil {
		t.Errorf("the follow-up job did not aggregate: %v", err)
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "slurm", "*.out"))
	if len(logs) != 5 {
		t.Errorf("%d job logs, want 4 tasks and the follow-up", len(logs))
	}
}

// TestSlurmCancelAndResubmit cancels one task of a running array midway, resubmits it, and checks
// that nothing is lost or duplicated.
func TestSlurmCancelAndResubmit(t *testing.T) {
	bin, duck := needSlurm(t)
	def := writeDef(t, "name = \"cancel\"\nreplicates = 800\n[params]\n\"sim.duration\" = \"100 s\"\n") // a shard takes about 4 s
	dir, ref := filepath.Join(t.TempDir(), "out"), filepath.Join(t.TempDir(), "ref")
	m := submit(t, bin, dir, def, 4)
	array, finish := m[1], m[2]
	// Wait until task 1 (shard 2) runs, let it work a moment, cancel it.
	victim := array + "_1"
	waitRunning(t, victim)
	time.Sleep(time.Second)
	run(t, "scancel", victim)
	waitGone(t, array, finish)
	st := run(t, bin, "status", dir)
	if !strings.Contains(st, "remaining") || strings.Contains(st, "remaining  0\n") {
		t.Fatalf("after cancelling a task nothing remains? status:\n%s", st)
	}
	// Resubmit the cancelled task, as eisweep slurm's help says.
	task := filepath.Join(dir, "slurm", "eisweep-cancel.sbatch")
	again := strings.TrimSpace(strings.Split(run(t, "sbatch", "--parsable", "--array=1", "--export=ALL,EISWEEP_SHARD_OFFSET=0", task), ";")[0])
	run(t, bin, "run", "--quiet", "-o", ref, def)
	waitGone(t, again)
	sameRuns(t, duck, dir, ref, 800)
	if st := run(t, bin, "status", dir); !strings.Contains(st, "remaining  0\n") {
		t.Errorf("after resubmitting: %s", st)
	}
}

// TestSlurmTimeLimitRequeue sends a running task the signal SLURM sends before the time limit
// (USR1 to the batch shell): the task writes what finished, requeues itself and resumes; the union
// is the single-process run.
func TestSlurmTimeLimitRequeue(t *testing.T) {
	bin, duck := needSlurm(t)
	def := writeDef(t, "name = \"limit\"\nreplicates = 200\n[params]\n\"sim.duration\" = \"300 s\"\n")
	dir, ref := filepath.Join(t.TempDir(), "out"), filepath.Join(t.TempDir(), "ref")
	m := submit(t, bin, dir, def, 2)
	task := m[1] + "_0"
	waitRunning(t, task)
	time.Sleep(2 * time.Second)
	run(t, "scancel", "--signal=USR1", "--batch", task)
	run(t, bin, "run", "--quiet", "-o", ref, def)
	waitGone(t, m[1], m[2])
	log := taskLog(t, dir, m[1]+"_0")
	if !strings.Contains(log, "requeueing") || !strings.Contains(log, "already done before") {
		t.Errorf("the task did not requeue and resume:\n%s", log)
	}
	sameRuns(t, duck, dir, ref, 200)
}

// TestSlurmNetwork submits a network sweep over mult_ei × mult_ii as a 3-task array: the union of
// the shards is the single-process run, row by row, compacted and aggregated, with its psth/.
func TestSlurmNetwork(t *testing.T) {
	bin, duck := needSlurm(t)
	def := writeDef(t, "name = \"slurm-net\"\nexperiment = \"network\"\nreplicates = 2\n[params]\n\"net.n_units\" = 200\n\"network.duration\" = \"0.5 s\"\n"+
		"[grid]\n\"weights.mult_ei\" = [0.9, 1.0, 1.1]\n\"weights.mult_ii\" = [0.9, 1.1]\n[outputs]\npsth = true\n")
	dir, ref := filepath.Join(t.TempDir(), "out"), filepath.Join(t.TempDir(), "ref")
	m := submit(t, bin, dir, def, 3)
	run(t, bin, "run", "--quiet", "-o", ref, def)
	waitGone(t, m[1], m[2])
	sameRuns(t, duck, dir, ref, 12)
	for _, table := range []string{"runs", "psth"} {
		if files, _ := filepath.Glob(filepath.Join(dir, table, "*.parquet")); len(files) != 1 {
			t.Errorf("the follow-up job did not compact %s/: %v", table, files)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "summary.parquet")); err != nil {
		t.Errorf("the follow-up job did not aggregate: %v", err)
	}
	q := fmt.Sprintf("SELECT count(*) FROM read_parquet('%s/psth/*.parquet')", dir)
	// 49 bins per 0.5 s trial: the histogram's edges are numpy's arange(0, 0.5, 0.01), 50 edges,
	// as the seed's training code bins a trial (docs/MODEL.md §8).
	if out := strings.TrimSpace(strings.SplitN(run(t, duck, q), "\n", 2)[1]); out != "588" {
		t.Errorf("psth rows %s, want 12 trials × 49 bins", out)
	}
}

// TestSlurmTraining submits four trainings (two rules × two seeds) as a 2-task array and sends one
// task SLURM's time-limit signal inside a training: it requeues, resumes the training from its
// checkpoint, and the union is the single-process run in runs/, training/ and trajectory/, with
// no checkpoint left behind.
func TestSlurmTraining(t *testing.T) {
	bin, duck := needSlurm(t)
	def := writeDef(t, "name = \"slurm-train\"\nexperiment = \"network\"\nreplicates = 2\n[params]\n\"net.n_units\" = 200\n\"network.duration\" = \"0.5 s\"\n"+
		"\"train.trials\" = 500\n\"train.checkpoint_every\" = 25\n\"train.alpha\" = 0.05\n[grid]\n\"train.rule\" = [\"cross-homeo-local\", \"cross-homeo-population\"]\n")
	dir, ref := filepath.Join(t.TempDir(), "out"), filepath.Join(t.TempDir(), "ref")
	m := submit(t, bin, dir, def, 2)
	task := m[1] + "_0"
	waitRunning(t, task)
	// Signal once the task has a checkpoint of its own (the other task writes its runs'
	// checkpoints into the same folder), so that the requeued task resumes from one.
	deadline := time.Now().Add(time.Minute)
	for !hasCheckpoint(t, dir, sweep.Shard{K: 1, N: 2}) {
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of shard 1/2 within a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
	run(t, "scancel", "--signal=USR1", "--batch", task)
	run(t, bin, "run", "--quiet", "-o", ref, def)
	waitGone(t, m[1], m[2])
	if log := taskLog(t, dir, m[1]+"_0"); !strings.Contains(log, "requeueing") {
		t.Errorf("the task did not requeue:\n%s", log)
	}
	sameRuns(t, duck, dir, ref, 4)
	sameTable(t, duck, dir, ref, "training", "", 4)
	sameTable(t, duck, dir, ref, "trajectory", "", 4*500)
	if left, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "*")); len(left) != 0 {
		t.Errorf("checkpoints left: %v", left)
	}
}
