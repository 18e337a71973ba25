package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/eisweep/eisweep/buildinfo"
)

// Table is one table of a folder: a directory of Parquet files whose key column identifies what
// a row belongs to (a run, an f-I curve, a cell), as 16 hex digits.
type Table struct {
	Name string // directory in the folder, e.g. "runs"
	Key  string // key column, e.g. "run_id"
}

// Shard is the slice of a sweep a writer runs: K of N, or the whole folder with N = 0.
type Shard struct{ K, N int }

// Tag is the shard as names carry it: "s2of8", or "all".
func (s Shard) Tag() string {
	if s.N == 0 {
		return "all"
	}
	return fmt.Sprintf("s%dof%d", s.K, s.N)
}

// Options say how Open opens a folder for writing.
type Options struct {
	// Tables are the folder's tables; Tables[0] is the primary (runs, solved), whose rows say
	// what is done, the others its companions, written in the same batches.
	Tables []Table
	// Shard: the zero value writes the whole folder with an exclusive lock; a shard holds the
	// folder shared and its shard exclusively, and the folder's shard layout must be its N.
	Shard Shard
	// Command names what writes, for provenance and lock notes, e.g. "run" or "solve".
	Command string
	// Args are recorded in the provenance record (e.g. the command line); nil for none.
	Args []string
	// DefinitionPath, the absolute path of the definition file the writer read, is recorded in
	// the provenance record ("" for none): the folder's copy resolves relative file names
	// against its folder (DefinitionSource).
	DefinitionPath string
	// Log receives reports of what the store repaired (files moved aside, leftovers removed);
	// nil for none.
	Log io.Writer
	// Definition is the definition text to record in sweep.toml before anything else is
	// created in a new folder (so that a folder with tables always has one); "" leaves sweep.toml
	// as it is and requires the folder to have one.
	Definition string
	// Extends, if not nil, is called with the text of the folder's sweep.toml, when it has one
	// and it differs from Definition: an error refuses the folder.
	Extends func(old string) error
}

// Store is an output folder opened for writing. Its methods are safe for use by one goroutine at
// a time, except [Store.Commit] of distinct batches, which may run concurrently.
type Store struct {
	dir    string
	opt    Options
	writer writerID
	locks  locks
	start  time.Time

	mu        sync.Mutex
	seq       int
	published int
	keys      map[string]int // table name → index in opt.Tables
}

// ErrNotAFolder is returned for a non-empty folder that is not an eisweep output folder.
var ErrNotAFolder = errors.New("not an eisweep output folder")

// ErrLayout is returned when a shard's n differs from the folder's registered shard layout.
var ErrLayout = errors.New("the folder is sharded differently")

// Open opens (creating if needed) the output folder dir for writing, takes its locks, registers
// the shard layout, and, for a whole-folder writer, repairs what earlier writers left: temporary
// files, orphaned companions, and sources of a compaction that finished publishing.
func Open(dir string, opt Options) (*Store, error) {
	if len(opt.Tables) == 0 {
		return nil, errors.New("store.Open: no tables")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating output folder: %w", err)
	}
	if err := checkOwned(dir); err != nil {
		return nil, err
	}
	w, err := newWriterID()
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, opt: opt, writer: w, start: time.Now(), keys: map[string]int{}}
	for i, t := range opt.Tables {
		s.keys[t.Name] = i
	}
	note := lockNote("eisweep " + opt.Command)
	if opt.Shard.N == 0 {
		err = s.locks.take(filepath.Join(dir, lockName), lockExclusive, note)
	} else {
		err = s.locks.take(filepath.Join(dir, lockName), lockShared, "")
		if err == nil {
			err = s.locks.take(filepath.Join(dir, lockName+"-"+opt.Shard.Tag()), lockExclusive, note+", shard "+strconv.Itoa(opt.Shard.K)+"/"+strconv.Itoa(opt.Shard.N))
		}
	}
	if err != nil {
		s.locks.release()
		return nil, err
	}
	if err := s.init(); err != nil {
		s.locks.release()
		return nil, err
	}
	return s, nil
}

func (s *Store) init() error {
	old, ok, err := ReadDefinition(s.dir)
	switch {
	case err != nil:
		return err
	case s.opt.Definition == "" && !ok:
		return fmt.Errorf("%w: %s has no %s", ErrNotAFolder, s.dir, DefinitionFile)
	case s.opt.Definition != "" && ok && old != s.opt.Definition && s.opt.Extends != nil:
		if err := s.opt.Extends(old); err != nil {
			return err
		}
		fallthrough
	case s.opt.Definition != "" && (!ok || old != s.opt.Definition):
		if err := s.WriteDefinition(s.opt.Definition); err != nil {
			return err
		}
	}
	if err := ensureDir(filepath.Join(s.dir, ProvenanceDir)); err != nil {
		return err
	}
	// Table folders are created when a batch first writes into one; one that exists must be a
	// real folder.
	for _, d := range s.tableNames() {
		if err := checkDir(filepath.Join(s.dir, d)); err != nil {
			return err
		}
	}
	if s.opt.Shard.N > 0 {
		if err := s.registerLayout(); err != nil {
			return err
		}
	} else if err := os.Remove(filepath.Join(s.dir, layoutName)); err != nil && !os.IsNotExist(err) {
		// No shard runs beside a whole-folder writer: the layout can start afresh.
		return fmt.Errorf("resetting the shard layout: %w", err)
	}
	return s.record("running")
}

func (s *Store) tableNames() []string {
	ns := make([]string, len(s.opt.Tables))
	for i, t := range s.opt.Tables {
		ns[i] = t.Name
	}
	return ns
}

// Dir returns the folder's path.
func (s *Store) Dir() string { return s.dir }

// Writer returns this invocation's writer id, as provenance records and file metadata name it.
func (s *Store) Writer() string { return s.writer.String() }

// Close records the outcome (nil for success) in the provenance record and releases the locks.
func (s *Store) Close(outcome error) error {
	o := "ok"
	if outcome != nil {
		o = outcome.Error()
	}
	err := s.record(o)
	s.locks.release()
	return err
}

// CheckOwned returns ErrNotAFolder for a non-empty folder that is not an eisweep output folder
// (nil for a missing one), without changing anything.
func CheckOwned(dir string) error {
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return nil
	}
	return checkOwned(dir)
}

// checkOwned refuses a non-empty folder that is not an eisweep output folder: one without
// sweep.toml holding anything but the lock and temporary files of a writer starting now.
func checkOwned(dir string) error {
	if st, err := os.Lstat(filepath.Join(dir, DefinitionFile)); err == nil {
		if !st.Mode().IsRegular() {
			return fmt.Errorf("%s is not a regular file: eisweep never follows links where it writes; remove it", filepath.Join(dir, DefinitionFile))
		}
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	var foreign []string
	for _, e := range entries {
		n := e.Name()
		if n == DefinitionFile && e.Type().IsRegular() {
			return nil // another writer starting now recorded it since the look above
		}
		if strings.HasPrefix(n, lockName) || strings.HasPrefix(n, tmpPrefix) || (n == ProvenanceDir && e.IsDir()) {
			continue
		}
		foreign = append(foreign, n)
	}
	if len(foreign) > 0 {
		if len(foreign) > 3 {
			foreign = append(foreign[:3], "…")
		}
		return fmt.Errorf("%w: %s is not empty (%s) and has no %s; eisweep writes only into new or empty folders and its own: choose another with -o DIR",
			ErrNotAFolder, dir, strings.Join(foreign, ", "), DefinitionFile)
	}
	return nil
}

// MakeDir creates the directory dir inside an output folder if it is missing, and refuses
// anything but a real directory there (a symbolic link out of the folder, a file).
func MakeDir(dir string) error { return ensureDir(dir) }

// checkDir refuses anything but a real directory at dir, if something is there.
func checkDir(dir string) error {
	st, err := os.Lstat(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory (a symbolic link?): eisweep writes only inside its folder and never follows links there; remove it", dir)
	}
	return nil
}

// ensureDir creates dir if missing and refuses anything but a real directory there.
func ensureDir(dir string) error {
	st, err := os.Lstat(dir)
	if os.IsNotExist(err) {
		if err := os.Mkdir(dir, 0o755); err != nil && !os.IsExist(err) {
			return fmt.Errorf("creating %s: %w", dir, err)
		}
		st, err = os.Lstat(dir)
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory (a symbolic link?): eisweep writes only inside its folder and never follows links there; remove it", dir)
	}
	return nil
}

// ReadDefinition returns the text of the folder's sweep.toml, and false if it has none.
func ReadDefinition(dir string) (string, bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, DefinitionFile))
	if os.IsNotExist(err) || errors.Is(err, syscall.ENOTDIR) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("reading %s: %w", filepath.Join(dir, DefinitionFile), err)
	}
	return string(b), true, nil
}

// WriteDefinition records the definition as run in sweep.toml, replacing the one there
// atomically (the caller has checked that the new one extends it).
func (s *Store) WriteDefinition(text string) error {
	return s.writeReplacing(s.dir, DefinitionFile, func(w io.Writer) error {
		_, err := io.WriteString(w, text)
		return err
	})
}

// WriteDerived writes a file computed from the tables (summary.parquet, solved.parquet) at the
// top of the folder, replacing the previous one atomically. It needs no lock: it reads what is
// published and publishes whole.
func WriteDerived(dir, name string, write func(io.Writer) error) error {
	if !plainName(name) || strings.HasPrefix(name, ".") {
		return fmt.Errorf("derived file %q: want a plain file name", name)
	}
	w, err := newWriterID()
	if err != nil {
		return err
	}
	return replaceFile(w, dir, name, write)
}

// WriteRunFile writes one run's file beside the tables, dir/sub/name, where sub is CheckpointDir
// (a training's state) or ConnectivityDir (a run's synapses): whole or not at all, replacing an
// earlier one, through sub/.tmp-<name>, which a killed write leaves for the next to replace (a
// run is run by one worker at a time, so the name is this run's alone).
func WriteRunFile(dir, sub, name string, write func(io.Writer) error) error {
	if sub != CheckpointDir && sub != ConnectivityDir {
		return fmt.Errorf("run file in %q: want %s or %s", sub, CheckpointDir, ConnectivityDir)
	}
	if !plainName(name) || strings.HasPrefix(name, ".") {
		return fmt.Errorf("run file %q: want a plain file name", name)
	}
	d := filepath.Join(dir, sub)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(d, tmpPrefix+name)
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := writeTemp(tmp, write, nil); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(d, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", filepath.Join(d, name), err)
	}
	return syncDir(d)
}

// RemoveRunFile removes dir/sub/name (see WriteRunFile) if it is there.
func RemoveRunFile(dir, sub, name string) error {
	if err := os.Remove(filepath.Join(dir, sub, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func (s *Store) writeReplacing(dir, name string, write func(io.Writer) error) error {
	return replaceFile(s.writer, dir, name, write)
}

// replaceFile writes dir/name through a temporary file of writer w and renames it over the old
// one: the file is replaced whole or not at all.
func replaceFile(w writerID, dir, name string, write func(io.Writer) error) error {
	tmp := filepath.Join(dir, w.tempName(name))
	if err := writeTemp(tmp, write, nil); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", filepath.Join(dir, name), err)
	}
	return syncDir(dir)
}

// writeTemp creates tmp (which must not exist, and is never followed if a link), writes it with
// write, and fsyncs it; on failure it removes it. Bytes written also go to tee, if not nil.
func writeTemp(tmp string, write func(io.Writer) error, tee io.Writer) (err error) {
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return fmt.Errorf("creating %s: %w", tmp, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	var w io.Writer = f
	if tee != nil {
		w = io.MultiWriter(f, tee)
	}
	if err = write(w); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}

// registerLayout records the shard layout (n) if the folder has none, and refuses another n.
func (s *Store) registerLayout() error {
	path := filepath.Join(s.dir, layoutName)
	want := strconv.Itoa(s.opt.Shard.N) + "\n"
	tmp := filepath.Join(s.dir, s.writer.tempName(layoutName))
	if err := writeTemp(tmp, func(w io.Writer) error { _, err := io.WriteString(w, want); return err }, nil); err != nil {
		return err
	}
	// A link is atomic and never replaces: of shards starting together, one registers the layout
	// and the others read it whole.
	err := os.Link(tmp, path)
	os.Remove(tmp)
	if err == nil {
		return syncDir(s.dir)
	}
	if !os.IsExist(err) {
		return fmt.Errorf("registering the shard layout in %s: %w", path, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading the shard layout %s: %w", path, err)
	}
	if string(b) == want {
		return nil
	}
	n := strings.TrimSpace(string(b))
	return fmt.Errorf("%w: %s is being run as %s shards (--shard k/%s), and shard %d/%d would run some of their runs a second time; "+
		"run the remaining shards as k/%s, or, once no shard is running, run without --shard to finish in one process (which resets the layout)",
		ErrLayout, s.dir, n, n, s.opt.Shard.K, s.opt.Shard.N, n)
}

// Layout returns the folder's registered shard count, 0 if none.
func Layout(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, layoutName))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// Provenance is one writing invocation's record in provenance/.
type Provenance struct {
	Writer     string   `json:"writer"`
	Command    string   `json:"command"`
	Args       []string `json:"args,omitempty"`
	Definition string   `json:"definition,omitempty"` // the definition file the writer read (absolute), if any
	Shard      string   `json:"shard"`
	Host       string   `json:"host"`
	PID        int      `json:"pid"`
	Version    string   `json:"version"`
	GoVersion  string   `json:"go_version"`
	Start      string   `json:"start"`
	End        string   `json:"end,omitempty"`
	Outcome    string   `json:"outcome"` // "running", "ok", or the error that ended it
	Files      int      `json:"files"`   // files published
}

// record writes this invocation's provenance record: at start ("running") and at Close.
func (s *Store) record(outcome string) error {
	host, _ := os.Hostname()
	p := Provenance{Writer: s.writer.String(), Command: s.opt.Command, Args: s.opt.Args, Definition: s.opt.DefinitionPath, Shard: s.opt.Shard.Tag(), Host: host,
		PID: os.Getpid(), Version: buildinfo.Version(), GoVersion: runtime.Version(), Start: s.start.UTC().Format(time.RFC3339), Outcome: outcome}
	s.mu.Lock()
	p.Files = s.published
	s.mu.Unlock()
	if outcome != "running" {
		p.End = time.Now().UTC().Format(time.RFC3339)
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return s.writeReplacing(filepath.Join(s.dir, ProvenanceDir), s.writer.String()+".json", func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// DefinitionSource returns the definition file recorded by the newest provenance record of the
// folder dir that has one (records are named by start time), or "" if none has.
func DefinitionSource(dir string) (string, error) {
	pdir := filepath.Join(dir, ProvenanceDir)
	entries, err := os.ReadDir(pdir)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", pdir, err)
	}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(pdir, e.Name()))
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", filepath.Join(pdir, e.Name()), err)
		}
		var p Provenance
		if json.Unmarshal(b, &p) == nil && p.Definition != "" {
			return p.Definition, nil
		}
	}
	return "", nil
}
