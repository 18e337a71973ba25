#!/usr/bin/env python3
"""Time Brian2 2.5.1 (cython target, its default flags) on one trial of the recurrent network; print JSON.

    /usr/bin/python3 tools/bench_network_brian2.py [--n-units 2000] [--p 0.25] [--reps 5] [--between CMD]

The trial is sim.BenchmarkNetwork2000's: N = 2000 units, p = 0.25 (1.0 million synapses), the
seed's units and weights, 2.5 mV of noise, delays up to 1 ms (E) and 0.5 ms (I), 5 % of the units
kicked with 0.98 nA at 100 ms, 1.5 s of model time, spike monitors on both populations (the
network of tools/network_goldens.py, built the same way).

Reported, in seconds:
  build:      constructing the network (objects, connectivity, delays), before any step;
  first_run:  the first net.run, which generates, compiles (on a cold cache) or loads the code;
  runs:       --reps further trials in the same process (net.restore(), a new noise seed,
              net.run(1.5 s)): the simulation alone, as a training loop runs it.
--between runs a shell command before each of those trials (tools/bench_network.sh times eisweep
there, so that each pair of figures is measured minutes apart at most, on a machine whose speed
drifts). The compile cache is the tool's own directory, so first_run includes the compilation the first
time the script runs on a machine and only loading after that (cold_cache says which).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.dirname(__file__))
import numpy as np  # noqa: E402
import network_goldens as g  # noqa: E402
from brian2 import prefs, seed, second, __version__ as brian2_version  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-units", type=int, default=2000)
    ap.add_argument("--p", type=float, default=0.25)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--between", default="", help="a shell command to run before each timed trial")
    ap.add_argument("--cache-dir", default="", help="Brian2's cython cache (default: network_goldens.py's); "
                    "an empty directory times a cold build")
    a = ap.parse_args()
    g.set_target("cython")
    if a.cache_dir:
        prefs.codegen.runtime.cython.cache_dir = a.cache_dir
    cache = prefs.codegen.runtime.cython.cache_dir
    cold = not os.path.isdir(cache) or not os.listdir(cache)
    case = g.Case("bench", a.n_units, a.p, noise_sigma=2.5e-3)
    t0 = time.perf_counter()
    conn = g.connectivity(case, np.random.default_rng(1))
    net, obj = g.build(case, conn)
    t1 = time.perf_counter()
    net.store()
    seed(1)
    net.run(case.duration * second)
    t2 = time.perf_counter()
    spikes = [len(obj["sm_e"].t) + len(obj["sm_i"].t)]
    runs = []
    for s in range(2, a.reps + 2):
        if a.between:
            subprocess.run(a.between, shell=True, check=True)
        net.restore()
        seed(s)
        t = time.perf_counter()
        net.run(case.duration * second)
        runs.append(time.perf_counter() - t)
        spikes.append(len(obj["sm_e"].t) + len(obj["sm_i"].t))
    out = {
        "brian2": brian2_version, "target": "cython", "gcc_flags": list(prefs.codegen.cpp.extra_compile_args_gcc),
        "n_units": a.n_units, "p_connect": a.p, "synapses": int(sum(len(conn[pw][0]) for pw in g.PATHWAYS)),
        "duration_s": case.duration, "build": t1 - t0, "first_run": t2 - t1, "cold_cache": cold,
        "runs": runs, "run_median": statistics.median(runs), "run_min": min(runs), "spikes_per_trial": spikes,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
