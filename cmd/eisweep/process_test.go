package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds eisweep once for the tests that run it as a process.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "eisweep-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "eisweep")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func writeDef(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "def.toml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// longSweep takes several seconds: 4000 runs of 20 s of model time (about 3 s on two cores
// in lockstep; 4 s runs finished before TestSignals' signal at 700 ms).
const longSweep = `name = "long"
replicates = 4000
[params]
"sim.duration" = "20 s"
"fi.n_currents" = 301
`

func exitStatus(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestSignals: SIGTERM and SIGINT stop a sweep within 5 s with exit status 143 and 130, after
// writing the runs that finished; running again completes the sweep.
func TestSignals(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("runs eisweep as a process (not under -race: the process is not instrumented)")
	}
	bin := binary(t)
	def := writeDef(t, longSweep)
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}} {
		dir := t.TempDir()
		cmd := exec.Command(bin, "run", "--quiet", "-o", dir, def)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(700 * time.Millisecond)
		sent := time.Now()
		cmd.Process.Signal(c.sig)
		err := cmd.Wait()
		took := time.Since(sent)
		if code := exitStatus(err); code != c.code {
			t.Errorf("%v: exit %d, want %d (%s)", c.sig, code, c.code, stderr.String())
		}
		if took > 5*time.Second {
			t.Errorf("%v: took %v to stop", c.sig, took)
		}
		code, out, errs := eisweep(t, "status", dir)
		if code != 0 || strings.Contains(out, "done       0 ") || !strings.Contains(out, "remaining") {
			t.Errorf("%v: nothing written before exit? status exit %d: %s%s", c.sig, code, out, errs)
		}
		// What the run says it wrote is what is on disk.
		var said, done int
		if i := strings.Index(stderr.String(), "eisweep: "); i < 0 {
			t.Errorf("%v: no count of runs written in %q", c.sig, stderr.String())
		} else if _, err := fmt.Sscanf(stderr.String()[i+len("eisweep: "):], "%d runs written", &said); err != nil {
			t.Errorf("%v: no count of runs written in %q", c.sig, stderr.String())
		}
		fmt.Sscanf(strings.TrimSpace(strings.SplitN(out, "\n", 3)[1]), "done %d", &done)
		if said != done {
			t.Errorf("%v: the run said %d runs written, status finds %d", c.sig, said, done)
		}
		t.Logf("%v: stopped in %v; %s", c.sig, took.Round(time.Millisecond), strings.Fields(strings.SplitN(out, "\n", 3)[1])[1])
		if code, _, errs := eisweep(t, "run", "--quiet", "-o", dir, def); code != 0 {
			t.Fatalf("%v: resume: exit %d: %s", c.sig, code, errs)
		}
		if _, out, _ = eisweep(t, "status", dir); !strings.Contains(out, "remaining  0") {
			t.Errorf("%v: after resume: %s", c.sig, out)
		}
	}
}

// TestKillAndResume kills a running sweep with SIGKILL at 20 random moments, resuming each time,
// then compares the folder with an uninterrupted run of the same definition: every run exactly
// once, every value identical (but wall time).
func TestKillAndResume(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("runs eisweep as a process (not under -race: the process is not instrumented)")
	}
	duck := os.Getenv("EISWEEP_DUCKCHECK")
	if duck == "" {
		t.Skip("EISWEEP_DUCKCHECK not set (make test sets it)")
	}
	bin := binary(t)
	def := writeDef(t, strings.Replace(longSweep, "replicates = 4000", "replicates = 6000", 1)+"[outputs]\nfi_curves = true\n")
	ref, dir := t.TempDir(), t.TempDir()
	if out, err := exec.Command(bin, "run", "--quiet", "-o", ref, def).CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, out)
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	completed := 0
	for k := range 20 {
		cmd := exec.Command(bin, "run", "--quiet", "--flush-rows", "40", "--flush-interval", "100ms", "-o", dir, def)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("kill %d: run ended before the kill: %v", k, err)
			}
			completed++
		case <-time.After(time.Duration(50+rng.IntN(450)) * time.Millisecond):
			cmd.Process.Kill()
			<-done
		}
	}
	if out, err := exec.Command(bin, "run", "--quiet", "-o", dir, def).CombinedOutput(); err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	t.Logf("20 kills (%d invocations finished before their kill)", completed)
	q := func(sql string) string {
		out, err := exec.Command(duck, sql).CombinedOutput()
		if err != nil {
			t.Fatalf("duckdb: %v\n%s", err, out)
		}
		return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[1])
	}
	a := fmt.Sprintf("read_parquet('%s/runs/*.parquet')", dir)
	b := fmt.Sprintf("read_parquet('%s/runs/*.parquet')", ref)
	if got := q("SELECT count(*), count(DISTINCT run_id) FROM " + a); got != "6000\t6000" {
		t.Errorf("after kills: rows, distinct runs = %s, want 6000 6000", got)
	}
	diff := fmt.Sprintf("SELECT (SELECT count(*) FROM (SELECT * EXCLUDE run_ms FROM %s EXCEPT ALL SELECT * EXCLUDE run_ms FROM %s)) + (SELECT count(*) FROM (SELECT * EXCLUDE run_ms FROM %s EXCEPT ALL SELECT * EXCLUDE run_ms FROM %s))", a, b, b, a)
	if got := q(diff); got != "0" {
		t.Errorf("%s rows differ from the uninterrupted run", got)
	}
	fa := fmt.Sprintf("read_parquet('%s/fi/*.parquet')", dir)
	fb := fmt.Sprintf("read_parquet('%s/fi/*.parquet')", ref)
	if got := q(fmt.Sprintf("SELECT (SELECT count(*) FROM %s), (SELECT count(*) FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s))", fa, fa, fb)); got != "602\t0" {
		t.Errorf("fi/ after kills: rows, differing = %s, want 602 0", got)
	}
}

// TestSampleShardsKilledAndResumed: a Saltelli sample run as two shards started at the same
// instant into one folder, one of them killed partway and started again, gives the same runs and
// the same sensitivity indices as the sample run whole.
func TestSampleShardsKilledAndResumed(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("runs eisweep as a process (not under -race: the process is not instrumented)")
	}
	bin := binary(t)
	def := writeDef(t, `name = "sampled"
[params]
"sim.duration" = "4 s"
"fi.n_currents" = 301
[sample]
method = "saltelli"
n = 512
[sample.params]
"input.rate_exc" = { from = "4 Hz", to = "6 Hz" }
"inh.g_leak" = { from = "9 nS", to = "11 nS" }
`)
	ref, dir := t.TempDir(), t.TempDir()
	if out, err := exec.Command(bin, "run", "--quiet", "-o", ref, def).CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, out)
	}
	shard := func(k string) *exec.Cmd {
		return exec.Command(bin, "run", "--quiet", "--shard", k, "--flush-rows", "20", "--flush-interval", "50ms", "-o", dir, def)
	}
	start := make(chan struct{})
	errs := make(chan error, 2)
	killed := false
	for _, k := range []string{"1/2", "2/2"} {
		go func() {
			cmd := shard(k)
			<-start
			if err := cmd.Start(); err != nil {
				errs <- err
				return
			}
			if k == "1/2" {
				time.AfterFunc(300*time.Millisecond, func() { cmd.Process.Kill() })
			}
			err := cmd.Wait()
			if k == "1/2" && err != nil {
				killed = true
				err = nil
				if out, rerr := shard(k).CombinedOutput(); rerr != nil {
					err = fmt.Errorf("shard %s after its kill: %v\n%s", k, rerr, out)
				}
			}
			errs <- err
		}()
	}
	close(start)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if !killed {
		t.Error("shard 1/2 finished before its kill (300 ms): the test did not kill it; make the sample larger")
	}
	code, want, stderr := eisweep(t, "sensitivity", "--bootstrap", "100", ref)
	if code != 0 {
		t.Fatalf("sensitivity of the whole run: exit %d: %s", code, stderr)
	}
	code, got, stderr := eisweep(t, "sensitivity", "--bootstrap", "100", dir)
	if code != 0 {
		t.Fatalf("sensitivity of the shards: exit %d: %s", code, stderr)
	}
	if got != want {
		t.Errorf("the shards' indices differ from the whole run's:\n%s\nwant\n%s", got, want)
	}
	_, a, _ := eisweep(t, "show", "--format", "csv", ref)
	_, b, _ := eisweep(t, "show", "--format", "csv", dir)
	if a != b || strings.Count(a, "\n") < 2000 {
		t.Errorf("show differs or is short (%d and %d lines)", strings.Count(a, "\n"), strings.Count(b, "\n"))
	}
}
