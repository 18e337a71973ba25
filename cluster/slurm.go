package cluster

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/template"
)

// DefaultMaxArraySize is SLURM's default MaxArraySize, used when `scontrol show config` cannot
// tell.
const DefaultMaxArraySize = 1001

// Options describe a sweep's job array.
type Options struct {
	Definition   string // the sweep definition (absolute path, on storage every node sees)
	OutDir       string // the output folder (absolute path, shared storage)
	Eisweep      string // the eisweep binary (absolute path)
	Name         string // job name
	Tasks        int    // array tasks, one shard each
	CPUsPerTask  int    // CPUs per task; eisweep runs with -j this
	Time         string // time limit per task (sbatch --time), "" for the partition's default
	Partition    string // partition, "" for the default
	Mem          string // memory per task (sbatch --mem), "" for the default
	SignalSec    int    // seconds before the time limit at which tasks stop and requeue; 0 means 120
	MaxArraySize int    // the cluster's MaxArraySize; 0 means DefaultMaxArraySize
}

// Chunk is one array job: tasks Offset+1 … Offset+Size of the sweep's shards.
type Chunk struct{ Offset, Size int }

// Chunks splits the tasks into array jobs whose indices (0 … Size−1) stay below MaxArraySize.
func (o Options) Chunks() []Chunk {
	maxSize := o.MaxArraySize
	if maxSize <= 0 {
		maxSize = DefaultMaxArraySize
	}
	var cs []Chunk
	for off := 0; off < o.Tasks; off += maxSize {
		cs = append(cs, Chunk{Offset: off, Size: min(maxSize, o.Tasks-off)})
	}
	return cs
}

func (o *Options) check() error {
	switch {
	case o.Tasks < 1:
		return fmt.Errorf("--tasks %d: want at least 1", o.Tasks)
	case o.CPUsPerTask < 1:
		return fmt.Errorf("--cpus-per-task %d: want at least 1", o.CPUsPerTask)
	}
	for _, p := range []string{o.Definition, o.OutDir, o.Eisweep} {
		if !filepath.IsAbs(p) {
			return fmt.Errorf("%s is not an absolute path", p)
		}
	}
	if o.SignalSec <= 0 {
		o.SignalSec = 120
	}
	if o.Name == "" {
		o.Name = "eisweep"
	}
	return nil
}

var taskScript = template.Must(template.New("task").Parse(`#!/bin/bash
# eisweep array task: one shard of {{.Definition}}, written by eisweep slurm.
# Submit with {{.Submit}} (it sets --array and EISWEEP_SHARD_OFFSET for each chunk).
#SBATCH --job-name={{.Name}}
#SBATCH --cpus-per-task={{.CPUsPerTask}}
{{- if .Time}}
#SBATCH --time={{.Time}}{{end}}
{{- if .Partition}}
#SBATCH --partition={{.Partition}}{{end}}
{{- if .Mem}}
#SBATCH --mem={{.Mem}}{{end}}
#SBATCH --signal=B:USR1@{{.SignalSec}}
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --output={{.OutDir}}/slurm/%A_%a.out
set -u
export EISWEEP_SHARD_COUNT={{.Tasks}}
# {{.SignalSec}} s before the time limit SLURM sends this shell USR1: stop eisweep (SIGTERM: it writes
# what finished and exits 143) and requeue the task, whose next attempt resumes. A SIGTERM from
# scancel stops eisweep the same way but does not requeue.
# The traps come first, so that a signal in the instant before eisweep starts is not lost.
pid=
timelimit=0
stop=0
trap 'timelimit=1; stop=1; [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null' USR1
trap 'stop=1; [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null' TERM
{{call .Q .Eisweep}} run -j {{.CPUsPerTask}} -o {{call .Q .OutDir}} --shard-from-env {{call .Q .Definition}} &
pid=$!
[ "$stop" = 1 ] && kill -TERM "$pid" 2>/dev/null
wait "$pid"; rc=$?
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; rc=$?; done
if [ "$timelimit" = 1 ] && [ "$rc" -eq 143 ]; then
  echo "eisweep: time limit near: requeueing ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
  scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
fi
exit "$rc"
`))

var finishScript = template.Must(template.New("finish").Parse(`#!/bin/bash
# eisweep follow-up job of {{.Definition}}, written by eisweep slurm: once every array task has
# ended, report the shards, merge the part files and aggregate.
#SBATCH --job-name={{.Name}}-finish
#SBATCH --cpus-per-task=1
{{- if .Partition}}
#SBATCH --partition={{.Partition}}{{end}}
#SBATCH --output={{.OutDir}}/slurm/finish_%j.out
set -u
{{call .Q .Eisweep}} status {{call .Q .OutDir}}
{{call .Q .Eisweep}} compact {{call .Q .OutDir}} && {{call .Q .Eisweep}} aggregate {{call .Q .OutDir}}
`))

var submitScript = template.Must(template.New("submit").Parse(`#!/bin/bash
# Submits {{.Definition}} as {{.Tasks}} array tasks in {{len .Chunks}} array job(s), then the
# follow-up job; written by eisweep slurm. Prints the job ids.
set -euo pipefail
ids=()
{{- range .Chunks}}
ids+=("$(sbatch --parsable --array=0-{{.Last}} --export=ALL,EISWEEP_SHARD_OFFSET={{.Offset}} {{call $.Q $.TaskPath}} | cut -d';' -f1)")
{{- end}}
dep=$(IFS=:; echo "${ids[*]}")
finish=$(sbatch --parsable --dependency=afterany:"$dep" {{call .Q .FinishPath}} | cut -d';' -f1)
echo "array jobs: ${ids[*]}"
echo "follow-up job: $finish"
`))

// Scripts are the paths of the written scripts.
type Scripts struct {
	Task, Finish, Submit string
	Chunks               []Chunk
}

// Write writes the task, follow-up and submit scripts into dir and returns their paths.
func Write(dir string, o Options) (Scripts, error) {
	if err := o.check(); err != nil {
		return Scripts{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Scripts{}, err
	}
	if err := os.MkdirAll(filepath.Join(o.OutDir, "slurm"), 0o755); err != nil {
		return Scripts{}, fmt.Errorf("creating %s: %w", filepath.Join(o.OutDir, "slurm"), err)
	}
	s := Scripts{Task: filepath.Join(dir, o.Name+".sbatch"), Finish: filepath.Join(dir, o.Name+"-finish.sbatch"),
		Submit: filepath.Join(dir, o.Name+"-submit.sh"), Chunks: o.Chunks()}
	type chunk struct{ Offset, Last int }
	var cs []chunk
	for _, c := range s.Chunks {
		cs = append(cs, chunk{c.Offset, c.Size - 1})
	}
	data := struct {
		Options
		Q                            func(string) string
		Submit, TaskPath, FinishPath string
		Chunks                       []chunk
	}{o, shellQuote, s.Submit, s.Task, s.Finish, cs}
	for _, f := range []struct {
		path string
		t    *template.Template
	}{{s.Task, taskScript}, {s.Finish, finishScript}, {s.Submit, submitScript}} {
		var b bytes.Buffer
		if err := f.t.Execute(&b, data); err != nil {
			return s, err
		}
		if err := os.WriteFile(f.path, b.Bytes(), 0o755); err != nil {
			return s, err
		}
	}
	return s, nil
}

// Submit submits the scripts with sbatch: each chunk as an array job, then the follow-up job
// depending on all of them. It returns the array job ids and the follow-up's.
func Submit(s Scripts) (arrays []string, finish string, err error) {
	for _, c := range s.Chunks {
		id, err := sbatch("--parsable", fmt.Sprintf("--array=0-%d", c.Size-1), fmt.Sprintf("--export=ALL,EISWEEP_SHARD_OFFSET=%d", c.Offset), s.Task)
		if err != nil {
			return arrays, "", err
		}
		arrays = append(arrays, id)
	}
	finish, err = sbatch("--parsable", "--dependency=afterany:"+strings.Join(arrays, ":"), s.Finish)
	return arrays, finish, err
}

func sbatch(args ...string) (string, error) {
	out, err := exec.Command("sbatch", args...).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = strings.TrimSpace(string(ee.Stderr))
		}
		return "", fmt.Errorf("sbatch %s: %v %s", strings.Join(args, " "), err, stderr)
	}
	id := strings.TrimSpace(string(out))
	if i := strings.IndexByte(id, ';'); i >= 0 { // "id;cluster"
		id = id[:i]
	}
	return id, nil
}

var maxArrayRE = regexp.MustCompile(`(?m)^MaxArraySize\s*=\s*(\d+)`)

// MaxArraySize asks `scontrol show config` for the cluster's MaxArraySize; it returns
// DefaultMaxArraySize and false when scontrol cannot tell.
func MaxArraySize() (int, bool) {
	out, err := exec.Command("scontrol", "show", "config").Output()
	if err != nil {
		return DefaultMaxArraySize, false
	}
	return parseMaxArraySize(string(out))
}

func parseMaxArraySize(config string) (int, bool) {
	m := maxArrayRE.FindStringSubmatch(config)
	if m == nil {
		return DefaultMaxArraySize, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n < 1 {
		return DefaultMaxArraySize, false
	}
	return n, true
}

// shellQuote quotes s for bash.
func shellQuote(s string) string {
	if regexp.MustCompile(`^[A-Za-z0-9_./:=@%+-]+$`).MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
