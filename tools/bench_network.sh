#!/usr/bin/env bash
# Side-by-side benchmark of eisweep's recurrent network and Brian2 2.5.1's, on this machine, in one
# invocation: one 1.5 s trial of N = 2000, p = 0.25 (1.0 M synapses, 2.5 mV noise).
#
#   bash tools/bench_network.sh [--quick]       (make bench-brian2 appends its output to BENCHMARKS.md)
#
# Needs Go and Debian's python3-brian. Prints Markdown: the commands, every figure (median and
# min–max), the ratio, and peak memory of a whole sweep. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=10; count=5
[ "${1:-}" = "--quick" ] && { reps=2; count=2; }
out=$(mktemp -d /tmp/eisweep-netbench-XXXXXX)
trap 'rm -rf "$out"' EXIT
go build -o "$out/eisweep" ./cmd/eisweep
go test -c -o "$out/sim.test" ./sim
echo "bench: drawing and compiling the connectivity" >&2
"$out/sim.test" -test.run '^$' -test.bench 'NetworkConnectivity2000$' -test.benchmem -test.count $count > "$out/conn.txt"
echo "bench: eisweep run sweeps/network-2000.toml (5 trials, 1 and 2 workers)" >&2
for j in 1 2; do
  rm -rf "$out/res"
  /usr/bin/time -v "$out/eisweep" run --quiet -j $j -o "$out/res" sweeps/network-2000.toml > /dev/null 2> "$out/time_j$j.txt"
done
# Brian2's trials and eisweep's alternate: before each Brian2 trial, 10 eisweep trials on one core
# and 10 with the noise on the second (the same seeds 1-10 each round).
echo "bench: Brian2 cython, $reps trials, each after 2 x 10 eisweep trials (a few minutes; the first time it compiles)" >&2
between="'$out/sim.test' -test.run '^\$' -test.bench 'Network2000(NoiseAhead)?\$' -test.benchtime 10x -test.benchmem >> '$out/go.txt'"
/usr/bin/python3 tools/bench_network_brian2.py --reps $reps --between "$between" > "$out/brian2.json"
cat "$out/conn.txt" >> "$out/go.txt"
# A training trial (the weights set, the trial, its Up states, the local rule's update of 1.0 M
# weights): Brian2 + NumPy as the seed's code does it, alternating with eisweep's (train package).
go test -c -o "$out/train.test" ./train
echo "bench: a training trial, Brian2 + NumPy against eisweep, $reps rounds" >&2
between="'$out/train.test' -test.run '^\$' -test.bench 'TrainingTrial2000\$' -test.benchtime 10x -test.benchmem >> '$out/go.txt'"
/usr/bin/python3 tools/bench_training_brian2.py --trials $reps --between "$between" > "$out/brian2_train.json"
python3 - "$out" <<'PY'
import json, re, statistics, sys, os
out = sys.argv[1]
go = {}
for line in open(os.path.join(out, "go.txt")):
    m = re.match(r"Benchmark(\S+?)-\d+\s+\d+\s+([\d.]+) ns/op(.*)", line)
    if m:
        go.setdefault(m.group(1), []).append(float(m.group(2)) / 1e9)
        extra = m.group(3)
        mem = re.search(r"([\d.]+) B/op\s+([\d.]+) allocs/op", extra)
        if mem:
            go[m.group(1) + ".mem"] = (float(mem.group(1)), float(mem.group(2)))
b = json.load(open(os.path.join(out, "brian2.json")))
def fmt(xs, unit=1e3, u="ms"):
    return "%.1f %s (%.1f–%.1f)" % (statistics.median(xs) * unit, u, min(xs) * unit, max(xs) * unit)
sim, ahead, conn = go["Network2000"], go["Network2000NoiseAhead"], go["NetworkConnectivity2000"]
runs = b["runs"]
ratio = statistics.median(runs) / statistics.median(sim)
ratio_ahead = statistics.median(runs) / statistics.median(ahead)
pairs = sorted(r / s for r, s in zip(runs, sim))
def tv(path, key):
    for line in open(path):
        if key in line:
            return line.rsplit("): ", 1)[-1].split(": ", 1)[-1].strip()
print("## The recurrent network: one trial of N = 2000, p = 0.25\n")
print("`bash tools/bench_network.sh` (part of `make bench-brian2`), on this machine, in one invocation.")
print("The trial: 1600 E and 400 I units, %s synapses, 2.5 mV noise, the kick at 100 ms, 1.5 s of model" % format(b.get("synapses", 1000000), ","))
print("time (15,000 steps). Both sides reuse one connectivity and time the simulation alone (Brian2:")
print("`net.restore()` and `net.run(1.5*second)` with a new seed; eisweep: `BenchmarkNetwork2000`, seeds 1–10).")
print("The two alternate: before each Brian2 trial, ten eisweep trials on one core and ten with the noise")
print("drawn on the second core (`BenchmarkNetwork2000NoiseAhead`), so that each pair is measured seconds")
print("apart on a machine whose speed drifts.\n")
print("| | time per trial | |")
print("|---|---|---|")
print("| eisweep, simulation on one core (%d rounds of 10 trials) | %s | %.0f allocs/trial |" % (len(sim), fmt(sim), go.get("Network2000.mem", (0, 0))[1]))
print("| eisweep, the noise drawn on a second core (`NoiseAhead`, %d rounds of 10) | %s | |" % (len(ahead), fmt(ahead)))
print("| eisweep, drawing and compiling the connectivity (`NetworkConnectivity2000`) | %s | |" % fmt(conn))
print("| Brian2 2.5.1 cython, simulation (%d trials, one core) | %s | |" % (len(runs), fmt(runs, 1, "s")))
print("| Brian2 2.5.1 cython, building the network | %.1f s | |" % b["build"])
print("| Brian2 2.5.1 cython, first run (code generation%s) | %.1f s | |" % (", compilation" if b.get("cold_cache") else ", cached compilation", b["first_run"]))
print()
print("**On one core, as Brian2 runs, eisweep simulates the trial %.1f× faster than Brian2's cython target**" % ratio)
print("(median against median; the %d rounds' own ratios %.1f–%.1f×; with the connectivity drawn anew, as" % (len(pairs), pairs[0], pairs[-1]))
print("every sweep run does, %.1f×). Target: 20×, %s. With the noise on a second core, %.1f×." % (
    statistics.median(runs) / (statistics.median(sim) + statistics.median(conn)), "met" if ratio >= 20 else "not met", ratio_ahead))
print()
bt = json.load(open(os.path.join(out, "brian2_train.json")))
tr = go["TrainingTrial2000"]
print("A training trial (`BenchmarkTrainingTrial2000`; Brian2: tools/bench_training_brian2.py, the seed code's")
print("loop: weights set, trial, Up states and the local rule's update in NumPy's matrix form), %d rounds:\n" % len(tr))
print("| | time per trial | 3000 trials |")
print("|---|---|---|")
print("| eisweep, one core | %s | %.1f min |" % (fmt(tr), statistics.median(tr) * 3000 / 60))
print("| Brian2 2.5.1 cython + NumPy | %s (simulation %s, update %s) | %.0f min |" % (
    fmt(bt["trial"], 1, "s"), fmt(bt["sim"], 1, "s"), fmt(bt["update"], 1e3, "ms"), statistics.median(bt["trial"]) * 3000 / 60))
print()
print("**A training trial takes %.1f× less time in eisweep** (target for 3000 trials: 15 minutes, %s)." % (
    statistics.median(bt["trial"]) / statistics.median(tr), "met" if statistics.median(tr) * 3000 / 60 <= 15 else "not met"))
print()
for j in (1, 2):
    p = os.path.join(out, "time_j%d.txt" % j)
    print("- `eisweep run -j %d sweeps/network-2000.toml` (5 trials, new connectivity each, Parquet, compaction): %s wall, %s kB peak RSS" %
          (j, tv(p, "Elapsed (wall clock)"), tv(p, "Maximum resident set size")))
PY
