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
reps=5; count=5
[ "${1:-}" = "--quick" ] && { reps=2; count=2; }
out=$(mktemp -d /tmp/eisweep-netbench-XXXXXX)
trap 'rm -rf "$out"' EXIT
go build -o "$out/eisweep" ./cmd/eisweep
echo "bench: Go network benchmarks" >&2
go test -run '^$' -bench 'Network2000$|NetworkConnectivity2000' -benchmem -count $count ./sim > "$out/go.txt"
echo "bench: eisweep run sweeps/network-2000.toml (5 trials, 1 and 2 workers)" >&2
for j in 1 2; do
  rm -rf "$out/res"
  /usr/bin/time -v "$out/eisweep" run --quiet -j $j -o "$out/res" sweeps/network-2000.toml > /dev/null 2> "$out/time_j$j.txt"
done
echo "bench: Brian2 cython (a few minutes; the first time it compiles)" >&2
/usr/bin/python3 tools/bench_network_brian2.py --reps $reps > "$out/brian2.json"
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
sim, conn = go["Network2000"], go["NetworkConnectivity2000"]
runs = b["runs"]
ratio = statistics.median(runs) / statistics.median(sim)
def tv(path, key):
    for line in open(path):
        if key in line:
            return line.rsplit("): ", 1)[-1].split(": ", 1)[-1].strip()
print("## The recurrent network: one trial of N = 2000, p = 0.25\n")
print("`bash tools/bench_network.sh` (part of `make bench-brian2`), on this machine, in one invocation.")
print("The trial: 1600 E and 400 I units, %s synapses, 2.5 mV noise, the kick at 100 ms, 1.5 s of model" % format(b.get("synapses", 1000000), ","))
print("time (15,000 steps). Both sides reuse one connectivity and time the simulation alone (Brian2:")
print("`net.restore()` and `net.run(1.5*second)` with a new seed; eisweep: `BenchmarkNetwork2000`).\n")
print("| | time per trial | |")
print("|---|---|---|")
print("| eisweep, simulation (`go test -bench Network2000`, %d runs) | %s | %.0f allocs/trial |" % (len(sim), fmt(sim), go.get("Network2000.mem", (0, 0))[1]))
print("| eisweep, drawing and compiling the connectivity (`NetworkConnectivity2000`) | %s | |" % fmt(conn))
print("| Brian2 2.5.1 cython, simulation (%d runs) | %s | |" % (len(runs), fmt(runs, 1, "s")))
print("| Brian2 2.5.1 cython, building the network | %.1f s | |" % b["build"])
print("| Brian2 2.5.1 cython, first run (code generation%s) | %.1f s | |" % (", compilation" if b.get("cold_cache") else ", cached compilation", b["first_run"]))
print()
print("**eisweep simulates the trial %.1f× faster than Brian2's cython target** (median against median;" % ratio)
print("with the connectivity drawn anew, as every sweep run does, %.1f×). Target: 20×, %s." % (
    statistics.median(runs) / (statistics.median(sim) + statistics.median(conn)), "met" if ratio >= 20 else "not met"))
print()
for j in (1, 2):
    p = os.path.join(out, "time_j%d.txt" % j)
    print("- `eisweep run -j %d sweeps/network-2000.toml` (5 trials, new connectivity each, Parquet, compaction): %s wall, %s kB peak RSS" %
          (j, tv(p, "Elapsed (wall clock)"), tv(p, "Maximum resident set size")))
PY
