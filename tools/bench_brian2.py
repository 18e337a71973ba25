#!/usr/bin/env python3
"""Time Brian2 2.5.1 on eisweep's benchmark work; print one JSON object.

    /usr/bin/python3 tools/bench_brian2.py [--reps 5] [--sweep-runs 1000] [--skip-standalone]

Work (docs/MODEL.md's seed experiment, defaults, Poisson input, 1 s of model time):
  seed_run_<target>:   a fresh Python process per repetition, as a user's script runs: importing
                       Brian2, building the network (objects, code generation, loading compiled code
                       from the warm cache), and running it; targets cython and numpy. (In one process
                       a rebuilt network gets new object names, so its code misses the cache.)
  standalone:          C++ standalone: compile once, then run the binary --reps times: wall time
                       per execution (process start included) and the binary's own run time;
  fi_<target>:         the f-I test, 2 x 3001 units x 1 s, build and run, a fresh process each;
  sweep_cython:        --sweep-runs runs in one process (build once, store/restore, seed per run).
Times are seconds. tools/bench_brian2.sh runs this beside eisweep and prints the ratios.
"""
import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.dirname(__file__))
import brian2_goldens as g  # noqa: E402  (the model, built exactly as for the goldens)
from brian2 import (  # noqa: E402
    Hz, ms, second, prefs, seed, set_device, device, defaultclock, __version__ as brian2_version,
)


def stats(xs):
    """Median, min, max and count of repeated timings."""
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def seed_network():
    w = g.weights(g.SEED_E, g.SEED_I)
    return g.build(g.SEED_E, g.SEED_I, g.SEED_SYN, w, 0.1 * ms, ("poisson", 400, 5 * Hz), ("poisson", 100, 14 * Hz))


def one_seed_run(target):
    """In this (fresh) process: build the seed network and run it once; print the times."""
    prefs.codegen.target = target
    t0 = time.perf_counter()
    net, _ = seed_network()
    net.run(0 * second)  # code generation and loading: Brian2's build, before any step
    t1 = time.perf_counter()
    net.run(1 * second)
    t2 = time.perf_counter()
    return {"build": t1 - t0, "run": t2 - t1}


def one_fi(target):
    prefs.codegen.target = target
    t0 = time.perf_counter()
    g.fi_counts(g.SEED_E, 0.1 * ms)
    g.fi_counts(g.SEED_I, 0.1 * ms)
    return {"total": time.perf_counter() - t0}


def fresh(mode, target, reps):
    """Run `mode` in reps fresh processes, after one that warms the compile cache."""
    import subprocess
    cmd = [sys.executable, os.path.abspath(__file__), "--" + mode, target]
    subprocess.run(cmd, check=True, capture_output=True)
    rows = []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        row["process"] = time.perf_counter() - t0
        if "build" in row:
            row["total"] = row["build"] + row["run"]
        rows.append(row)
    return {k: stats([r[k] for r in rows]) for k in rows[0]}


def time_standalone(reps):
    d = tempfile.mkdtemp(prefix="eisweep-standalone-")
    try:
        set_device("cpp_standalone", build_on_run=False, directory=d)
        net, _ = seed_network()
        net.run(1 * second)
        t0 = time.perf_counter()
        device.build(directory=d, compile=True, run=False)
        compile_s = time.perf_counter() - t0
        walls, owns = [], []
        for _ in range(reps):
            t0 = time.perf_counter()
            device.run(d, with_output=False, run_args=[])
            walls.append(time.perf_counter() - t0)
            owns.append(float(device._last_run_time))
        return {"compile": compile_s, "per_run_wall": stats(walls), "per_run_own": stats(owns)}
    finally:
        set_device("runtime")
        device.reinit()
        device.activate()
        shutil.rmtree(d, ignore_errors=True)


def time_sweep(n):
    prefs.codegen.target = "cython"
    t0 = time.perf_counter()
    net, _ = seed_network()
    net.store()
    for s in range(1, n + 1):
        net.restore()
        seed(s)
        net.run(1 * second)
    return {"runs": n, "total": time.perf_counter() - t0}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--sweep-runs", type=int, default=1000)
    ap.add_argument("--skip-standalone", action="store_true")
    ap.add_argument("--seed-run", metavar="TARGET", help=argparse.SUPPRESS)  # one repetition, in a fresh process
    ap.add_argument("--fi", metavar="TARGET", help=argparse.SUPPRESS)
    a = ap.parse_args()
    defaultclock.dt = 0.1 * ms
    if a.seed_run:
        print(json.dumps(one_seed_run(a.seed_run)))
        return
    if a.fi:
        print(json.dumps(one_fi(a.fi)))
        return
    out = {"brian2": brian2_version, "reps": a.reps}
    for target in ("cython", "numpy"):
        print(f"brian2: seed runs, {target}", file=sys.stderr, flush=True)
        out["seed_run_" + target] = fresh("seed-run", target, a.reps)
    for target in ("cython", "numpy"):
        print(f"brian2: f-I test, {target}", file=sys.stderr, flush=True)
        out["fi_" + target] = fresh("fi", target, max(2, a.reps // 2))
    if not a.skip_standalone:
        print("brian2: C++ standalone", file=sys.stderr, flush=True)
        out["standalone"] = time_standalone(a.reps)
    print(f"brian2: {a.sweep_runs}-run sweep, cython", file=sys.stderr, flush=True)
    out["sweep_cython"] = time_sweep(a.sweep_runs)
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
