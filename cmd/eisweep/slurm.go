package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/eisweep/eisweep/cluster"
	"github.com/eisweep/eisweep/pipeline"
	"github.com/eisweep/eisweep/store"
	"github.com/eisweep/eisweep/sweep"
)

func init() {
	register(&command{
		name: "slurm", args: "[flags] FILE.toml", short: "write (and submit) a SLURM job array for a sweep",
		long: `Write sbatch scripts that run the sweep FILE.toml as a SLURM job array, one
task per shard, all writing into one output folder on shared storage:

  NAME.sbatch         the array task: eisweep run -j C --shard-from-env. SLURM
                      signals it (USR1) before the time limit; eisweep writes
                      what finished and exits, and the task requeues itself
                      (the next attempt resumes). scancel stops a task without
                      requeueing it;
  NAME-finish.sbatch  the follow-up job, after every task has ended: status,
                      compact, aggregate;
  NAME-submit.sh      submits the array (in chunks below the cluster's
                      MaxArraySize, read from scontrol show config, else 1001)
                      and the follow-up job.

--submit submits them now and prints the job ids. Paths in the scripts are
absolute: the output folder and the definition must be on storage every node
sees. Resubmit a failed or cancelled task with
  sbatch --array=I --export=ALL,EISWEEP_SHARD_OFFSET=OFFSET NAME.sbatch
(eisweep status DIR names the shards that are incomplete).`,
		setup: func(fs *flag.FlagSet) func(context.Context, []string, io.Writer, io.Writer) error {
			out := fs.String("o", "", "output folder (default results/<name>)")
			scripts := fs.String("scripts", "", "where to write the scripts (default DIR/slurm)")
			tasks := fs.Int("tasks", 4, "array tasks (shards)")
			cpus := fs.Int("cpus-per-task", 1, "CPUs per task; eisweep runs with -j this")
			timeLimit := fs.String("time", "", "time limit per task, as sbatch --time (default: the partition's)")
			partition := fs.String("partition", "", "partition (default: the cluster's)")
			mem := fs.String("mem", "", "memory per task, as sbatch --mem (default: the cluster's)")
			signal := fs.Int("signal-seconds", 120, "seconds before the time limit at which tasks stop, write what finished, and requeue")
			submit := fs.Bool("submit", false, "submit with sbatch and print the job ids")
			return func(_ context.Context, args []string, stdout, stderr io.Writer) error {
				if err := wantArgs(args, 1, "one sweep definition file"); err != nil {
					return err
				}
				def, err := loadDefinition(args[0], sweep.Options{})
				if err != nil {
					return err
				}
				if *tasks < 1 || *cpus < 1 || *signal < 1 {
					return usageError{"--tasks, --cpus-per-task and --signal-seconds want numbers ≥ 1"}
				}
				if int64(*tasks) > def.Runs() {
					fmt.Fprintf(stderr, "eisweep: warning: %d tasks for %d runs; some shards will be empty\n", *tasks, def.Runs())
				}
				dir := *out
				if dir == "" {
					dir = filepath.Join("results", def.Name)
				}
				abs := func(p string) (string, error) { return filepath.Abs(p) }
				var o cluster.Options
				if o.OutDir, err = abs(dir); err != nil {
					return err
				}
				if o.Definition, err = abs(args[0]); err != nil {
					return err
				}
				if o.Eisweep, err = os.Executable(); err != nil {
					return fmt.Errorf("finding the eisweep binary: %w", err)
				}
				if o.Eisweep, err = filepath.EvalSymlinks(o.Eisweep); err != nil {
					return err
				}
				o.Name = "eisweep-" + def.Name
				o.Tasks, o.CPUsPerTask, o.Time, o.Partition, o.Mem, o.SignalSec = *tasks, *cpus, *timeLimit, *partition, *mem, *signal
				var known bool
				o.MaxArraySize, known = cluster.MaxArraySize()
				if !known {
					if _, err := exec.LookPath("scontrol"); err != nil {
						fmt.Fprintf(stderr, "eisweep: SLURM is not installed here (no scontrol): the scripts assume the cluster's MaxArraySize is %d; write them on the cluster's login node to use its own\n", o.MaxArraySize)
					} else {
						fmt.Fprintf(stderr, "eisweep: scontrol show config did not say MaxArraySize; assuming %d\n", o.MaxArraySize)
					}
				}
				// The tasks will write into the folder: refuse now, not in every task, one they may not
				// write, and make a new one an eisweep folder before its scripts go in.
				if err := pipeline.CheckFolder(dir, def); err != nil {
					return err
				}
				sdir := *scripts
				if sdir == "" {
					if _, ok, err := store.ReadDefinition(dir); err != nil {
						return err
					} else if !ok {
						st, err := store.Open(dir, pipeline.StoreOptions(dir, def, pipeline.Tables(def), store.Shard{}, "slurm", os.Args, nil))
						if err != nil {
							return err
						}
						if err := st.Close(nil); err != nil {
							return err
						}
					}
					sdir = filepath.Join(o.OutDir, "slurm")
					if err := store.MakeDir(sdir); err != nil {
						return err
					}
				}
				s, err := cluster.Write(sdir, o)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "%s: %d runs in %d tasks (%d array job(s)), %d CPU(s) each, into %s\n  %s\n  %s\n  %s\n",
					def.Name, def.Runs(), *tasks, len(s.Chunks), *cpus, o.OutDir, s.Task, s.Finish, s.Submit)
				if !*submit {
					fmt.Fprintf(stdout, "submit with: bash %s\n", s.Submit)
					return nil
				}
				arrays, finish, err := cluster.Submit(s)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "array jobs: %s\nfollow-up job: %s\n", strings.Join(arrays, " "), finish)
				return nil
			}
		},
	})
}
