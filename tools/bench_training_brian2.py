"""Time one training trial of the N 2000, p 0.25 network as the seed's code runs it: Brian2 2.5.1
(cython target) simulates the trial with the current per-synapse weights, NumPy finds the Up
states and updates the weights by the local rule in the seed code's matrix form
(tools/training_goldens.py's Trainer). Prints JSON, times in seconds.

    /usr/bin/python3 tools/bench_training_brian2.py [--trials 5] [--between CMD]

Reported: build (the network, once), first (the first trial: code generation or loading), and
for each further trial its simulation (sim), its Up analysis and update (update) and their sum
(trial). --between runs a shell command before each timed trial (tools/bench_network.sh times
eisweep's training trial there).
"""
import argparse
import json
import os
import subprocess
import sys
import time
import warnings

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.dirname(__file__))
import numpy as np  # noqa: E402
import network_goldens as g  # noqa: E402
import training_goldens as tg  # noqa: E402
from brian2 import pA, seed, second  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--between", default="")
    a = ap.parse_args()
    g.set_target("cython")
    case = g.Case("train", 2000, 0.25, noise_sigma=2.5e-3)
    rng = np.random.default_rng(1)
    conn = g.connectivity(case, rng)
    # the paper's initial weights, per synapse (pA)
    means = {"EE": 80, "IE": 100, "EI": 350, "II": 225}
    w = {}
    for pw in g.PATHWAYS:
        mu = means[pw] * 500 / (2000 * 0.25)
        x = rng.normal(mu, 0.2 * mu, size=len(conn[pw][0]))
        x[x < 0] = 0
        w[pw] = x
    t0 = time.perf_counter()
    net, obj = g.build(case, conn)
    net.store()
    t1 = time.perf_counter()
    trainer = tg.Trainer("cross-homeo-local", 0.005, {pw: (conn[pw][0], conn[pw][1]) for pw in g.PATHWAYS}, w,
                         case.n_exc, case.n_inh)

    def trial(k):
        net.restore()
        for pw in g.PATHWAYS:
            setattr(obj["syns"][pw], "j" + pw, trainer.w[pw] * pA)
        seed(k + 1)
        s0 = time.perf_counter()
        net.run(case.duration * second)
        s1 = time.perf_counter()
        res = g.up_analysis(case, obj)
        trainer.step(np.array(res["up_rate_e_units"]), np.array(res["up_rate_i_units"]), res["up_rate_e"], res["up_rate_i"])
        s2 = time.perf_counter()
        return s1 - s0, s2 - s1

    f0 = time.perf_counter()
    trial(0)
    first = time.perf_counter() - f0
    sims, updates = [], []
    for k in range(1, a.trials + 1):
        if a.between:
            subprocess.run(a.between, shell=True, check=True)
        s, u = trial(k)
        sims.append(s)
        updates.append(u)
    print(json.dumps({"n_units": 2000, "p_connect": 0.25, "build": t1 - t0, "first": first, "sim": sims,
                      "update": updates, "trial": [s + u for s, u in zip(sims, updates)]}))


if __name__ == "__main__":
    main()
