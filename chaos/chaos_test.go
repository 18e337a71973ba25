package chaos

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// scratch holds what the tests share: the binary, reference folders and fixtures. TestMain
// removes it.
var scratch string

func TestMain(m *testing.M) {
	var err error
	if scratch, err = os.MkdirTemp("", "eisweep-chaos-"); err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(scratch)
	os.Exit(code)
}

// env is what a chaos test works with: the eisweep binary and DuckDB.
type env struct {
	t    *testing.T
	bin  string // eisweep, built once
	duck string // tools/duckcheck
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// setup skips the test unless the chaos suite was asked for, and builds eisweep once per test
// binary, from the module root (go build -o SCRATCH/eisweep ./cmd/eisweep), unless
// EISWEEP_CHAOS_BIN names a binary to test instead.
func setup(t *testing.T) *env {
	t.Helper()
	if os.Getenv("EISWEEP_CHAOS") != "1" {
		t.Skip("the chaos suite runs with EISWEEP_CHAOS=1 (make test-chaos)")
	}
	duck := os.Getenv("EISWEEP_DUCKCHECK")
	if duck == "" {
		t.Skip("EISWEEP_DUCKCHECK (the path of tools/duckcheck) is not set (make test-chaos sets it)")
	}
	buildOnce.Do(func() {
		if bin := os.Getenv("EISWEEP_CHAOS_BIN"); bin != "" {
			// Another build (an older release, say), to see what the suite finds there.
			binPath = bin
			return
		}
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(scratch, "eisweep")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/eisweep")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/eisweep in %s: %v\n%s", root, err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return &env{t: t, bin: binPath, duck: duck}
}

// moduleRoot finds the eisweep module's root from the working directory (chaos/ under go test).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/eisweep/eisweep\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("module github.com/eisweep/eisweep not found above the working directory")
		}
		dir = parent
	}
}

// Definitions. Runs of 0.2 s of model time with a coarse f-I test cost about 50 µs each; runs of
// 1 s about 0.2 ms; runs of 0.05 s with traces write 500 trace rows each.

// quickDef is replicates runs of 0.2 s each (about 20,000 runs per second on 2 cores).
func quickDef(name string, replicates int) string {
	return fmt.Sprintf("name = %q\nreplicates = %d\n[params]\n\"sim.duration\" = \"0.2 s\"\n\"fi.n_currents\" = 31\n", name, replicates)
}

// longDef is replicates runs of 1 s each (about 5,000 runs per second per core).
func longDef(name string, replicates int) string {
	return fmt.Sprintf("name = %q\nreplicates = %d\n[params]\n\"sim.duration\" = \"1 s\"\n\"fi.n_currents\" = 31\n", name, replicates)
}

// traceSteps is the number of trace rows of one run of traceDef.
const traceSteps = 500

// traceDef is replicates runs of 0.05 s (500 steps) each, with traces and f-I curves.
func traceDef(name string, replicates int) string {
	return fmt.Sprintf("name = %q\nreplicates = %d\n[params]\n\"sim.duration\" = \"0.05 s\"\n\"fi.n_currents\" = 31\n[outputs]\ntraces = true\nfi_curves = true\n", name, replicates)
}

// writeDef writes a definition into a fresh temporary folder and returns its path.
func writeDef(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "def.toml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Processes.

// proc is one eisweep process. Its context kills it when its time limit passes, which counts as a
// hang.
type proc struct {
	args     []string
	cmd      *exec.Cmd
	ctx      context.Context
	stdout   bytes.Buffer
	stderr   bytes.Buffer
	done     chan struct{}
	err      error
	started  time.Time
	ended    time.Time
	limit    time.Duration
	startErr error
}

// command prepares (but does not start) eisweep with args, to be killed after limit. The test's
// cleanup kills it if it is still running.
func (e *env) command(limit time.Duration, args ...string) *proc {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	p := &proc{args: args, ctx: ctx, done: make(chan struct{}), limit: limit}
	p.cmd = exec.CommandContext(ctx, e.bin, args...)
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = &p.stderr
	p.cmd.WaitDelay = 2 * time.Second
	e.t.Cleanup(func() {
		if p.cmd.Process != nil && !p.exited() {
			p.cmd.Process.Kill()
			<-p.done
		}
		cancel()
	})
	return p
}

// begin starts a prepared process.
func (p *proc) begin() error {
	if err := p.cmd.Start(); err != nil {
		p.startErr = err
		close(p.done)
		return err
	}
	p.started = time.Now()
	go func() {
		p.err = p.cmd.Wait()
		p.ended = time.Now()
		close(p.done)
	}()
	return nil
}

// start starts eisweep with args, to be killed after limit.
func (e *env) start(limit time.Duration, args ...string) *proc {
	e.t.Helper()
	p := e.command(limit, args...)
	if err := p.begin(); err != nil {
		e.t.Fatalf("starting eisweep %s: %v", strings.Join(args, " "), err)
	}
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitFor waits up to d for the process to exit and reports whether it did.
func (p *proc) waitFor(d time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

func (p *proc) wait() { <-p.done }

// hung reports whether the process was killed for running past its limit.
func (p *proc) hung() bool { return p.exited() && errors.Is(p.ctx.Err(), context.DeadlineExceeded) }

// code is the exit status: 0..255, or -1 when a signal ended the process.
func (p *proc) code() int {
	if p.startErr != nil {
		return -2
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		return -1
	}
	return 0
}

// status describes how the process ended: "exit 1", "killed by signal: killed".
func (p *proc) status() string {
	if p.startErr != nil {
		return "not started: " + p.startErr.Error()
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return "killed by signal: " + ws.Signal().String()
		}
		return fmt.Sprintf("exit %d", ee.ExitCode())
	}
	if p.err != nil {
		return p.err.Error()
	}
	return "exit 0"
}

func (p *proc) took() time.Duration { return p.ended.Sub(p.started) }

func (p *proc) String() string { return "eisweep " + strings.Join(p.args, " ") }

// tail is the end of a process's stderr, for failure messages.
func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 1500 {
		s = "…" + s[len(s)-1500:]
	}
	if s == "" {
		return "(stderr empty)"
	}
	return s
}

// result is a finished process.
type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
	status         string
}

// String is the exit status, with the last line of stderr when it is not 0: "exit 1 (eisweep: …)".
func (r result) String() string {
	if r.code == 0 {
		return r.status
	}
	return r.status + " (" + lastLine(r.stderr) + ")"
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	if strings.TrimSpace(s) == "" {
		return "stderr empty"
	}
	lines := strings.Split(strings.TrimSpace(s), "\n")
	l := lines[len(lines)-1]
	if len(l) > 300 {
		l = l[:300] + "…"
	}
	return l
}

// run runs eisweep with args to its end. A process still running after limit is killed and the
// test fails as hung.
func (e *env) run(limit time.Duration, args ...string) result {
	e.t.Helper()
	p := e.start(limit, args...)
	p.wait()
	if p.hung() {
		e.t.Fatalf("hung: %s still running after %v; killed\n%s", p, limit, tail(p.stderr.String()))
	}
	return result{code: p.code(), stdout: p.stdout.String(), stderr: p.stderr.String(), took: p.took(), status: p.status()}
}

// mustRun runs eisweep with args and fails the test unless it exits 0.
func (e *env) mustRun(limit time.Duration, args ...string) result {
	e.t.Helper()
	r := e.run(limit, args...)
	if r.code != 0 {
		e.t.Fatalf("eisweep %s: %s, want exit 0\n%s", strings.Join(args, " "), r.status, tail(r.stderr))
	}
	return r
}

// compact runs eisweep compact DIR, which must exit 0, so that a folder is read in its final,
// compacted state.
func (e *env) compact(dir string) bool {
	e.t.Helper()
	r := e.run(3*time.Minute, "compact", dir)
	if r.code != 0 {
		e.t.Errorf("eisweep compact %s: %s, want exit 0\n%s", dir, r.status, tail(r.stderr))
		return false
	}
	return true
}

// DuckDB.

// sql runs a query through duckcheck and returns its rows (without the header).
func (e *env) sql(query string) ([][]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.duck, query)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("duckdb: %v: %s\nquery: %s", err, strings.TrimSpace(stderr.String()), query)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	var rows [][]string
	for _, l := range lines[1:] {
		rows = append(rows, strings.Split(l, "\t"))
	}
	return rows, nil
}

// one runs a query that returns one row and returns its fields; an error fails the test.
func (e *env) one(query string) []string {
	e.t.Helper()
	rows, err := e.sql(query)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(rows) != 1 {
		e.t.Fatalf("duckdb: %d rows, want 1: %s", len(rows), query)
	}
	return rows[0]
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// table is a table of an output folder and what identifies and compares its rows.
type table struct {
	name    string // folder under the output folder: runs, fi, traces
	key     string // columns identifying a row
	exclude string // columns that legitimately differ between runs (wall time), or ""
	noun    string // what a key identifies, for the log
}

var (
	runsTable   = table{name: "runs", key: "run_id", exclude: "run_ms", noun: "runs"}
	tracesTable = table{name: "traces", key: "run_id, step", noun: "trace rows"}
	fiTable     = table{name: "fi", key: "fi_key, current_pa", noun: "f-I rows"}
)

// tally is how one table of a folder compares with the reference.
type tally struct {
	noun      string
	want      int64 // rows of the reference
	rows      int64 // rows of the folder
	distinct  int64 // distinct keys of the folder
	lost      int64 // keys of the reference missing from the folder
	extra     int64 // keys of the folder not in the reference
	dup       int64 // rows - distinct
	differ    int64 // keys in both with a row that differs from the reference's
	exceptAll int64 // rows of EXCEPT ALL both ways
	err       error // DuckDB could not read the folder
}

func (c tally) ok() bool {
	return c.err == nil && c.lost == 0 && c.extra == 0 && c.dup == 0 && c.differ == 0 && c.exceptAll == 0
}

// String is the one-line account the cases log: "0 runs lost, 0 duplicated, 0 values differ".
func (c tally) String() string {
	if c.err != nil {
		return fmt.Sprintf("%s unreadable by DuckDB (%v)", c.noun, firstLine(c.err.Error()))
	}
	s := fmt.Sprintf("%d %s lost, %d duplicated, %d values differ", c.lost, c.noun, c.dup, c.differ)
	if c.extra > 0 {
		s += fmt.Sprintf(", %d not in the reference", c.extra)
	}
	if c.exceptAll > 0 && c.lost == 0 && c.dup == 0 && c.differ == 0 && c.extra == 0 {
		s += fmt.Sprintf(", %d rows differ (EXCEPT ALL)", c.exceptAll)
	}
	return s
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// source is the SELECT of a table of a folder, or of no rows when the folder has no file.
func source(dir string, tb table, like string) string {
	sel := "SELECT *"
	if tb.exclude != "" {
		sel += " EXCLUDE (" + tb.exclude + ")"
	}
	files, _ := filepath.Glob(filepath.Join(dir, tb.name, "*.parquet"))
	if len(files) == 0 {
		return "SELECT * FROM (" + like + ") LIMIT 0"
	}
	return sel + " FROM read_parquet(" + quote(filepath.Join(dir, tb.name, "*.parquet")) + ")"
}

// compareWith compares two row sources keyed by key.
func (e *env) compareWith(a, b, key, noun string) tally {
	c := tally{noun: noun}
	q := fmt.Sprintf(`WITH a AS MATERIALIZED (%s), b AS MATERIALIZED (%s),
  ka AS (SELECT DISTINCT %[3]s FROM a), kb AS (SELECT DISTINCT %[3]s FROM b)
SELECT (SELECT count(*) FROM b) AS want, (SELECT count(*) FROM a) AS rows, (SELECT count(*) FROM ka) AS distinct_keys,
  (SELECT count(*) FROM (SELECT * FROM kb EXCEPT SELECT * FROM ka)) AS lost,
  (SELECT count(*) FROM (SELECT * FROM ka EXCEPT SELECT * FROM kb)) AS extra,
  (SELECT count(*) FROM (SELECT DISTINCT %[3]s FROM (SELECT * FROM a EXCEPT SELECT * FROM b)) JOIN kb USING (%[3]s)) AS differ,
  (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b)) + (SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a)) AS except_all`,
		a, b, key)
	rows, err := e.sql(q)
	if err != nil {
		c.err = err
		return c
	}
	if len(rows) != 1 || len(rows[0]) != 7 {
		c.err = fmt.Errorf("unexpected answer %v", rows)
		return c
	}
	for i, p := range []*int64{&c.want, &c.rows, &c.distinct, &c.lost, &c.extra, &c.differ, &c.exceptAll} {
		if _, err := fmt.Sscan(rows[0][i], p); err != nil {
			c.err = fmt.Errorf("parsing %q: %v", rows[0][i], err)
			return c
		}
	}
	c.dup = c.rows - c.distinct
	return c
}

// compare compares table tb of dir with that of the reference folder ref.
func (e *env) compare(dir, ref string, tb table) tally {
	b := source(ref, tb, "")
	return e.compareWith(source(dir, tb, b), b, tb.key, tb.noun)
}

// check compacts dir (eisweep compact must exit 0) and compares the given tables with ref's;
// every difference fails the test. It returns the tallies, runs first, for the case's log line.
func (e *env) check(label, dir, ref string, tables ...table) []tally {
	e.t.Helper()
	e.compact(dir)
	if len(tables) == 0 {
		tables = []table{runsTable}
	}
	var out []tally
	for _, tb := range tables {
		c := e.compare(dir, ref, tb)
		if !c.ok() {
			e.t.Errorf("%s: %s/: %s (%d rows, %d distinct, reference %d rows)", label, tb.name, c, c.rows, c.distinct, c.want)
		}
		out = append(out, c)
	}
	return out
}

// accounts joins tallies into the log line's tail.
func accounts(cs []tally) string {
	var s []string
	for _, c := range cs {
		s = append(s, c.String())
	}
	return strings.Join(s, "; ")
}

// References and fixtures, shared by the tests of one test binary.

var cache struct {
	sync.Mutex
	dirs map[string]string
}

// cached returns the folder built under key, making it on first use.
func (e *env) cached(key string, build func(dir string)) string {
	e.t.Helper()
	cache.Lock()
	defer cache.Unlock()
	if cache.dirs == nil {
		cache.dirs = map[string]string{}
	}
	if d, ok := cache.dirs[key]; ok {
		return d
	}
	sum := sha256.Sum256([]byte(key))
	dir := filepath.Join(scratch, fmt.Sprintf("fixture-%x", sum[:6]))
	os.RemoveAll(dir)
	build(dir) // fails the test (FailNow) if it cannot
	cache.dirs[key] = dir
	return dir
}

// reference is an uninterrupted run of def (compacted, as a run leaves it), made once.
func (e *env) reference(def string) string {
	e.t.Helper()
	return e.cached("reference\x00"+def, func(dir string) {
		p := filepath.Join(scratch, fmt.Sprintf("def-%x.toml", sha256.Sum256([]byte(def))))
		if err := os.WriteFile(p, []byte(def), 0o644); err != nil {
			e.t.Fatal(err)
		}
		e.mustRun(5*time.Minute, "run", "--quiet", "-o", dir, p)
	})
}

// partsFixture is a complete but uncompacted folder of def, written with the given run flags
// (e.g. --no-compact --flush-rows 10), made once; tests copy it.
func (e *env) partsFixture(def string, flags ...string) string {
	e.t.Helper()
	return e.cached("parts\x00"+def+"\x00"+strings.Join(flags, " "), func(dir string) {
		p := filepath.Join(scratch, fmt.Sprintf("def-%x.toml", sha256.Sum256([]byte(def))))
		if err := os.WriteFile(p, []byte(def), 0o644); err != nil {
			e.t.Fatal(err)
		}
		args := append([]string{"run", "--quiet"}, flags...)
		e.mustRun(5*time.Minute, append(args, "-o", dir, p)...)
	})
}

// compactedFixture is partsFixture(def, flags...) after `eisweep compact`: a complete folder whose
// runs are in compact-* files that record their sources. Made once; tests copy it.
func (e *env) compactedFixture(def string, flags ...string) string {
	e.t.Helper()
	parts := e.partsFixture(def, flags...)
	return e.cached("compacted\x00"+def+"\x00"+strings.Join(flags, " "), func(dir string) {
		copyDir(e.t, parts, dir)
		e.mustRun(5*time.Minute, "compact", dir)
		if len(glob(filepath.Join(dir, "runs"), "compact-*.parquet")) == 0 {
			e.t.Fatalf("eisweep compact %s left no compact-*.parquet in runs/: %v", dir, glob(filepath.Join(dir, "runs"), "*"))
		}
	})
}

// Files.

// copyDir copies the tree src to dst (files, folders, symlinks).
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		default:
			return copyFile(p, to)
		}
	})
	if err != nil {
		t.Fatalf("copying %s to %s: %v", src, dst, err)
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// snapshot describes every entry under root: folders, symlinks (with their targets) and files
// (with a hash of their bytes), by path relative to root.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	snap := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case d.IsDir():
			snap[rel] = "folder"
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			snap[rel] = "symlink to " + target
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			snap[rel] = fmt.Sprintf("%d bytes, sha256 %x", len(b), sha256.Sum256(b))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("listing %s: %v", root, err)
	}
	return snap
}

// changes lists what differs between two snapshots.
func changes(before, after map[string]string) []string {
	var out []string
	for p, v := range before {
		w, ok := after[p]
		switch {
		case !ok:
			out = append(out, p+": removed")
		case v != w:
			out = append(out, fmt.Sprintf("%s: %s, was %s", p, w, v))
		}
	}
	for p, w := range after {
		if _, ok := before[p]; !ok {
			out = append(out, p+": new ("+w+")")
		}
	}
	sort.Strings(out)
	return out
}

// glob lists the names in dir matching pattern.
func glob(dir, pattern string) []string {
	paths, _ := filepath.Glob(filepath.Join(dir, pattern))
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	sort.Strings(names)
	return names
}
