package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/eisweep/eisweep/experiment"
	"github.com/eisweep/eisweep/internal/testsweep"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
	"github.com/eisweep/eisweep/table"
)

// TestRunTablesMatch: the test helpers' copy of the tables is the single-unit experiment's.
func TestRunTablesMatch(t *testing.T) {
	if !slices.Equal(experiment.UnitTables, testsweep.RunTables) {
		t.Errorf("testsweep.RunTables %v, experiment.UnitTables %v", testsweep.RunTables, experiment.UnitTables)
	}
}

// TestResultsIndependentOfWorkers: -j1 one run at a time, -j4 in batches of 5 (sim.Batch: in
// lockstep on an AVX2 CPU) and the union of three shards written into one folder
// give the same rows, every column but run_ms.
func TestResultsIndependentOfWorkers(t *testing.T) {
	d := testsweep.Small(t, "jobs", 30, "")
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	if _, err := Run(context.Background(), d, Options{OutDir: a, Jobs: 1, Batch: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), d, Options{OutDir: b, Jobs: 4, FlushRows: 7, NoCompact: true, Batch: 5}); err != nil {
		t.Fatal(err)
	}
	for k := 3; k >= 1; k-- {
		if _, err := Run(context.Background(), d, Options{OutDir: c, Jobs: 2, Shard: sweep.Shard{K: k, N: 3}}); err != nil {
			t.Fatal(err)
		}
	}
	ra, rb, rc := testsweep.ReadAll(t, a), testsweep.ReadAll(t, b), testsweep.ReadAll(t, c)
	if len(ra) != 30 || len(rb) != 30 || len(rc) != 30 {
		t.Fatalf("%d, %d and %d rows, want 30", len(ra), len(rb), len(rc))
	}
	for id, row := range ra {
		for col, v := range row {
			if rb[id][col] != v || rc[id][col] != v {
				t.Errorf("run %s, %s: %q with -j1, %q with -j4, %q from shards", id, col, v, rb[id][col], rc[id][col])
			}
		}
	}
	parts := testsweep.Files(t, b, "runs")
	if len(parts) != 5 {
		t.Errorf("FlushRows 7 over 30 rows gave %d parts, want 5", len(parts))
	}
	for k := 1; k <= 3; k++ {
		if m, _ := filepath.Glob(filepath.Join(c, "runs", fmt.Sprintf("part-*-s%dof3-*.parquet", k))); len(m) != 1 {
			t.Errorf("shard %d/3 wrote %d parts named for it", k, len(m))
		}
	}
}

// TestRowContents checks a row against the model: parameters in display units, weights, f-I,
// and measurements consistent with each other.
func TestRowContents(t *testing.T) {
	d := testsweep.Small(t, "contents", 3, `"input.rate_exc" = "6 Hz"`)
	dir := t.TempDir()
	if _, err := Run(context.Background(), d, Options{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	rows := testsweep.ReadAll(t, dir)
	for _, r := range rows {
		want := map[string]string{
			"status": "ok", "error": "(null)", "input_rate_exc_hz": "6", "exc_e_leak_mv": "7.6", "sim_duration_s": "0.2",
			"input_mode": "poisson", "input_n_exc": "400", "exc_beta_adapt_pc": "3", "fi_n_currents": "301",
			"w_ee_pa": "143.49509118", "fi_status_e": "ok",
		}
		for col, v := range want {
			got := r[col]
			if col == "w_ee_pa" && len(got) > 12 {
				got = got[:12]
			}
			if col == "exc_beta_adapt_pc" || col == "exc_e_leak_mv" {
				var x float64
				fmt.Sscan(got, &x)
				got = fmt.Sprintf("%.12g", x)
			}
			if got != v {
				t.Errorf("%s = %q, want %q", col, got, v)
			}
		}
		var rate, n float64
		fmt.Sscan(r["rate_e_hz"], &rate)
		fmt.Sscan(r["n_spikes_e"], &n)
		if math.Abs(rate-n/0.2) > 1e-9 {
			t.Errorf("rate_e_hz %v with %v spikes in 0.2 s", rate, n)
		}
	}
}

// TestResume: running again skips finished runs; more replicates run only the new ones; a
// different seed is refused; leftover temporary files are removed and corrupt parts moved aside.
func TestResume(t *testing.T) {
	dir := t.TempDir()
	s, err := Run(context.Background(), testsweep.Small(t, "resume", 10, ""), Options{OutDir: dir})
	if err != nil || s.OK != 10 {
		t.Fatalf("first run: %v, %+v", err, s)
	}
	s, err = Run(context.Background(), testsweep.Small(t, "resume", 10, ""), Options{OutDir: dir})
	if err != nil || s.OK != 0 || s.Skipped != 10 {
		t.Fatalf("second run: %v, ran %d, skipped %d", err, s.OK, s.Skipped)
	}
	// A part left half-written by a crash, a corrupt one, and a file that is not the store's.
	os.WriteFile(filepath.Join(dir, "runs", ".tmp-0badc0de-1-part.parquet"), []byte("half"), 0o644)
	const bad = "part-20260101T000000Z-all-0badc0de-0000.0123456789abcdef.parquet"
	os.WriteFile(filepath.Join(dir, "runs", bad), []byte("PAR1 garbage"), 0o644)
	os.WriteFile(filepath.Join(dir, "runs", "notes.parquet"), []byte("a user's"), 0o644)
	var log strings.Builder
	s, err = Run(context.Background(), testsweep.Small(t, "resume", 25, ""), Options{OutDir: dir, Progress: &log})
	if err != nil || s.OK != 15 || s.Skipped != 10 {
		t.Fatalf("more replicates: %v, ran %d, skipped %d", err, s.OK, s.Skipped)
	}
	if _, err := os.Stat(filepath.Join(dir, "runs", bad+".corrupt")); err != nil || !strings.Contains(log.String(), bad+" is unreadable") {
		t.Errorf("corrupt part not moved aside and reported: %v; log %q", err, log.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "runs", ".tmp-0badc0de-1-part.parquet")); !os.IsNotExist(err) {
		t.Error("temporary file left behind")
	}
	if b, err := os.ReadFile(filepath.Join(dir, "runs", "notes.parquet")); err != nil || string(b) != "a user's" {
		t.Errorf("a file the store did not write was touched: %v", err)
	}
	if rows := testsweep.ReadAll(t, dir); len(rows) != 25 {
		t.Errorf("%d rows after resume, want 25", len(rows))
	}
	other := testsweep.Small(t, "resume", 10, "")
	other.Seed = 6
	if _, err := Run(context.Background(), other, Options{OutDir: dir}); !errors.Is(err, ErrDefinitionChanged) {
		t.Errorf("different seed in the same folder: err = %v, want ErrDefinitionChanged", err)
	}
}

// TestFailedRunsAreRows: numerically failing runs become rows with status "failed", an error,
// and null measurements; the sweep goes on.
func TestFailedRunsAreRows(t *testing.T) {
	dir := t.TempDir()
	s, err := Run(context.Background(), testsweep.Small(t, "fail", 4, `"weights.j_ei" = "1000 nA"`), Options{OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if s.Failed != 4 || s.OK != 0 {
		t.Fatalf("%d failed, %d ok; want 4 failed", s.Failed, s.OK)
	}
	for _, r := range testsweep.ReadAll(t, dir) {
		if r["status"] != "failed" || !strings.Contains(r["error"], "numerical failure") || r["rate_e_hz"] != "(null)" || r["q_ee_pc"] != "(null)" {
			t.Errorf("failed row: status %q, error %q, rate %q, q %q", r["status"], r["error"], r["rate_e_hz"], r["q_ee_pc"])
		}
	}
}

// TestInterruptLosesNothing cancels a sweep midway, its runs one at a time and in batches of
// four: the finished rows are on disk, and running again completes the sweep with every run
// exactly once.
func TestInterruptLosesNothing(t *testing.T) {
	for _, batch := range []int{1, 4} {
		t.Run(fmt.Sprintf("batch %d", batch), func(t *testing.T) { interruptLosesNothing(t, batch) })
	}
}

func interruptLosesNothing(t *testing.T, batch int) {
	dir := t.TempDir()
	d := testsweep.Small(t, "interrupt", 20000, `"sim.duration" = "1 s"`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel once the progress reports finished runs, not after a fixed time: under the race
	// detector a batch of four 1 s runs can take longer than any sleep short enough to interrupt.
	stop := &cancelAfterRuns{cancel: cancel}
	s, err := Run(ctx, d, Options{OutDir: dir, Jobs: 2, Batch: batch, Progress: stop, ProgressEvery: 10 * time.Millisecond})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled (sweep finished too fast to interrupt?)", err)
	}
	if el := time.Since(stop.at); el > 5*time.Second {
		t.Errorf("stopping took %v", el)
	}
	first := len(testsweep.ReadAll(t, dir))
	if int64(first) != s.OK || first == 0 || first == 20000 {
		t.Fatalf("%d rows on disk after interrupt, summary says %d", first, s.OK)
	}
	s, err = Run(context.Background(), d, Options{OutDir: dir, Jobs: 2, Batch: batch})
	if err != nil {
		t.Fatal(err)
	}
	if s.Skipped != int64(first) || s.OK != int64(20000-first) || len(testsweep.ReadAll(t, dir)) != 20000 {
		t.Errorf("resume: skipped %d ran %d, want %d and %d", s.Skipped, s.OK, first, 20000-first)
	}
}

// cancelAfterRuns is a progress writer that cancels its sweep at the first progress line
// counting a finished run, and remembers when.
type cancelAfterRuns struct {
	cancel context.CancelFunc
	once   sync.Once
	at     time.Time
}

var progressDone = regexp.MustCompile(`eisweep: ([0-9]+)/[0-9]+ runs`)

func (c *cancelAfterRuns) Write(b []byte) (int, error) {
	if m := progressDone.FindSubmatch(b); m != nil && string(m[1]) != "0" {
		c.once.Do(func() { c.at = time.Now(); c.cancel() })
	}
	return len(b), nil
}

// TestMetadata: every part carries the definition and provenance as key-value metadata.
func TestMetadata(t *testing.T) {
	dir := t.TempDir()
	d := testsweep.Small(t, "meta", 2, "")
	if _, err := Run(context.Background(), d, Options{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	paths := testsweep.Files(t, dir, "runs")
	rdr, err := file.OpenParquetFile(paths[0], false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	kv := rdr.MetaData().KeyValueMetadata()
	for _, k := range []string{"eisweep.definition", "eisweep.definition_sha256", "eisweep.writers", "eisweep.batch"} {
		if kv.FindValue(k) == nil || *kv.FindValue(k) == "" {
			t.Errorf("metadata %s missing", k)
		}
	}
	var ws []store.WriterInfo
	if err := json.Unmarshal([]byte(*kv.FindValue("eisweep.writers")), &ws); err != nil || len(ws) != 1 || ws[0].Host == "" || ws[0].Version == "" || ws[0].GoVersion == "" || ws[0].Start == "" || ws[0].Command != "run" {
		t.Errorf("writers %v (%v): want this invocation's host, version, Go version, start and command", ws, err)
	}
	if *kv.FindValue("eisweep.definition") != d.Text {
		t.Error("definition text not stored")
	}
	cc, err := rdr.MetaData().RowGroup(0).ColumnChunk(0)
	if err != nil {
		t.Fatal(err)
	}
	if got := cc.Compression().String(); got != "ZSTD" {
		t.Errorf("codec %v, want ZSTD", got)
	}
}

// TestSchemaIsFixed: column names are unique and carry units; Schema lists them in order.
func TestSchemaIsFixed(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range experiment.Columns {
		if seen[c.Name] {
			t.Errorf("duplicate column %s", c.Name)
		}
		seen[c.Name] = true
		if c.Doc == "" {
			t.Errorf("column %s undocumented", c.Name)
		}
		if c.Type.ID() == arrow.FLOAT64 && !hasUnitSuffix(c.Name) && !strings.HasPrefix(c.Name, "weights_mult") && !strings.HasPrefix(c.Name, "net_prop") &&
			!strings.HasPrefix(c.Name, "m_mult_") && c.Name != "slope_lin" {
			t.Errorf("float column %s has no unit in its name", c.Name)
		}
	}
	if s := experiment.Schema(map[string]string{"k": "v"}); s.NumFields() != len(experiment.Columns) {
		t.Error("schema length")
	}
}

func hasUnitSuffix(name string) bool {
	for _, u := range []string{"_hz", "_pc", "_pa", "_mv", "_ms", "_s", "_pf", "_nsiemens", "_na", "_hz_per_pa"} {
		if strings.HasSuffix(name, u) {
			return true
		}
	}
	return false
}

// TestTruncatedPart: a part cut short (as by a full disk) is reported, moved aside and its runs
// run again; nothing is counted twice.
func TestTruncatedPart(t *testing.T) {
	dir := t.TempDir()
	d := testsweep.Small(t, "trunc", 30, "")
	if _, err := Run(context.Background(), d, Options{OutDir: dir, FlushRows: 10, NoCompact: true}); err != nil {
		t.Fatal(err)
	}
	parts := testsweep.Files(t, dir, "runs")
	st, _ := os.Stat(parts[1])
	if err := os.Truncate(parts[1], st.Size()/2); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	s, err := Run(context.Background(), d, Options{OutDir: dir, Progress: &log})
	if err != nil {
		t.Fatal(err)
	}
	if s.OK != 10 || s.Skipped != 20 || !strings.Contains(log.String(), "is unreadable") {
		t.Errorf("ran %d, skipped %d; log %q", s.OK, s.Skipped, log.String())
	}
	if rows := testsweep.ReadAll(t, dir); len(rows) != 30 {
		t.Errorf("%d rows, want 30", len(rows))
	}
	if _, err := os.Stat(parts[1] + ".corrupt"); err != nil {
		t.Errorf("truncated part not moved aside: %v", err)
	}
}

// TestProgress: plain lines for logs, a bar redrawn in place for terminals.
func TestProgress(t *testing.T) {
	var plain, bar strings.Builder
	for _, c := range []struct {
		w   *strings.Builder
		bar bool
	}{{&plain, false}, {&bar, true}} {
		p := &Progress{w: c.w, unit: "runs", total: 1000, start: time.Now().Add(-2 * time.Second), bar: c.bar}
		p.Done.Store(300)
		p.Skipped.Store(100)
		p.report(false)
	}
	if !strings.HasPrefix(plain.String(), "eisweep: 400/1000 runs (40.0%), 150 runs/s, ETA 4s\n") {
		t.Errorf("plain: %q", plain.String())
	}
	if b := bar.String(); !strings.HasPrefix(b, "\r\x1b[K[############------------------]  40.0%  400/1000 runs  150 runs/s  ETA 4s") || strings.Contains(b, "\n") {
		t.Errorf("bar: %q", b)
	}
	// Runs of minutes: the parts of the runs in progress count, and the rate is a time per run.
	var slow strings.Builder
	p := &Progress{w: &slow, unit: "runs", total: 4, start: time.Now().Add(-100 * time.Second)}
	p.SetPartial(func() float64 { return 0.25 + 0.25 })
	p.report(false)
	if got := slow.String(); !strings.HasPrefix(got, "eisweep: 0/4 runs (12.5%), 3.3 min/run, ETA 11m4") {
		t.Errorf("slow: %q", got)
	}
	slow.Reset()
	p.Done.Store(1)
	p.SetPartial(func() float64 { return 0 })
	p.report(false)
	if got := slow.String(); !strings.HasPrefix(got, "eisweep: 1/4 runs (25.0%), 100 s/run, ETA 5m") {
		t.Errorf("slow, one done: %q", got)
	}
}

// TestRefusesOtherColumns: a folder whose runs/ was written with other columns (an earlier
// version's network runs, before the train_* columns) is refused, naming what differs; one with
// this version's columns is not.
func TestRefusesOtherColumns(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, cols []table.Column[experiment.NetworkRow]) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := table.Write(f, cols, nil, nil, 1000); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return p
	}
	var old []table.Column[experiment.NetworkRow]
	for _, c := range experiment.NetworkColumns {
		if !strings.HasPrefix(c.Name, "train_") {
			old = append(old, c)
		}
	}
	if len(old) == len(experiment.NetworkColumns) {
		t.Fatal("no train_ columns to leave out")
	}
	now, before := write("now.parquet", experiment.NetworkColumns), write("before.parquet", old)
	if err := checkColumns(dir, experiment.Network, &store.Contents{Files: map[string][]string{"runs": {now}}}); err != nil {
		t.Errorf("this version's columns: %v", err)
	}
	err := checkColumns(dir, experiment.Network, &store.Contents{Files: map[string][]string{"runs": {now, before}}})
	if err == nil || !strings.Contains(err.Error(), "before.parquet") || !strings.Contains(err.Error(), "no train_rule") || !strings.Contains(err.Error(), "new folder") {
		t.Errorf("an earlier version's columns: %v", err)
	}
	t.Log(err)
}

// TestBatchGroupsFor: default batches hold about the same simulated work whatever the runs'
// length: as many groups as make 32 seed runs' steps, from 32 down to 1, sized by the longest run.
func TestBatchGroupsFor(t *testing.T) {
	for _, c := range []struct {
		extra string
		want  int
	}{
		{`"sim.duration" = "1 s"`, 32},
		{`"sim.duration" = "0.01 s"`, 32},
		{`"sim.duration" = "10 s"`, 3},
		{`"sim.duration" = "100 s"`, 1},
		{"\"sim.duration\" = \"1 s\"\n[grid]\n\"sim.dt\" = [\"0.1 ms\", \"0.025 ms\"]", 8},
		{"[grid]\n\"sim.duration\" = [\"0.5 s\", \"4 s\"]", 8},
	} {
		if got := batchGroupsFor(testsweep.Small(t, "b", 1, c.extra)); got != c.want {
			t.Errorf("%q: %d groups, want %d", c.extra, got, c.want)
		}
	}
}
