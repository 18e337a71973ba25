#!/usr/bin/env python3
"""Regenerate the recurrent network's Brian2 golden data (sim/testdata/network/).

Run with Debian's Brian2 2.5.1 (apt-get install python3-brian):

    /usr/bin/python3 tools/network_goldens.py [--only det,stats] [--cases ...] [--seeds 100] [--out DIR]

The model is docs/MODEL.md's recurrent network (the shared NETWORK.md): two NeuronGroups (E, I) of
the seed's units with the noise and external (kick) terms, four pathways with fixed-count random
connectivity (numpy's default_rng) and per-synapse delays, and a kick at 100 ms through a
SpikeGeneratorGroup. Outputs are committed and never edited by hand.

* det_<case>.json.gz + det_<case>_conn.csv.gz: noise off (noiseSigma = 0 in the same equations, so
  Brian2 computes the full expression). The connectivity Brian2 ran with, as eisweep's connectivity
  CSV; every spike (step, unit) and every unit's final state, from the numpy target (plain IEEE
  arithmetic), the cython target with Brian2's default flags (-ffast-math -march=native) and the
  cython target compiled with IEEE flags (-O3 -ffp-contract=off); the mean synaptic currents; and
  the Up-state analysis of Brian2's spikes computed as the Paradoxical2022 code's results.py and
  trainer.py compute it (re-implemented here from their semantics).
* stats_<case>.json.gz: noise on, one connectivity per seed (numpy's default_rng(seed)), cython
  target: per seed the number of Up states, mean duration, E and I Up rates, spike counts. The
  committed files hold seeds 1-400 (--seeds 200 run twice, with --first-seed 1 and 201, and merged
  with --merge; a trial depends on its seed only). About 20 minutes per 200 seeds and case.

Every number is in SI units exactly as Brian2 holds it; floats are written with Python's repr, so
Go parses the same doubles.
"""
import argparse
import gc
import gzip
import io
import json
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402
from brian2 import (  # noqa: E402
    NeuronGroup, Network, SpikeGeneratorGroup, SpikeMonitor, Synapses, defaultclock, prefs, seed,
    amp, volt, ms, mV, pA, nA, pF, nS, second, __version__ as brian2_version,
)

NET_MODEL = """
dv/dt = (gl * (eLeak - v) - iAdapt + sE - sI + sExt) / Cm + noiseSigma * (Cm / gl)**-0.5 * xi: volt (unless refractory)
diAdapt/dt = -iAdapt / tauAdapt : amp
dsE/dt = (-sE + uE) / tauFallE : amp
duE/dt = -uE / tauRiseE : amp
dsI/dt = (-sI + uI) / tauFallI : amp
duI/dt = -uI / tauRiseI : amp
dsExt/dt = (-sExt + uExt) / tauFallE : amp
duExt/dt = -uExt / tauRiseE : amp
eLeak : volt
vReset : volt
vThresh : volt
betaAdapt : amp * second
gl : siemens
Cm : farad
qSE : amp
qSI : amp
"""
# qSE, qSI are running sums of s_E and s_I at the start of each step (a run_regularly operation in
# the 'start' slot, as a StateMonitor would record them): parameters, so they change nothing in the
# generated state update.

RESET = "v = vReset\niAdapt += betaAdapt / tauAdapt"

# docs/MODEL.md §4, the seed's paramsJercog.
SEED_E = dict(e_leak=7.6 * mV, v_reset=14 * mV, v_thresh=20 * mV, c_m=200 * pF, g_leak=10 * nS,
              refractory=2.5 * ms, beta_adapt=3 * nA * ms, tau_adapt=500 * ms)
SEED_I = dict(e_leak=6.5 * mV, v_reset=14 * mV, v_thresh=20 * mV, c_m=100 * pF, g_leak=10 * nS,
              refractory=1 * ms, beta_adapt=0 * nA * ms, tau_adapt=500 * ms)
SEED_SYN = dict(tau_rise_e=8 * ms, tau_fall_e=23 * ms, tau_rise_i=1 * ms, tau_fall_i=1 * ms)
SEED_J = dict(j_ee=2.8 * nA, j_ie=5 * nA, j_ei=0.7 * nA, j_ii=1 * nA)
SEED_MULT = dict(mult_ee=1.0249649370098968, mult_ie=0.9913780811668145,
                 mult_ei=0.9750494640455015, mult_ii=1.0108023944074438)

PATHWAYS = ("EE", "IE", "EI", "II")  # onto X from Y


def si(q):
    return float(q)


def unit_si(u):
    return {k: si(v) for k, v in u.items()}


def weights(exc, inh, n_units, p, p_inh=0.2, j=SEED_J, mult=SEED_MULT):
    """The seed's weight formula in its order of operations, with the network's own fan-in."""
    n_inc_inh = int(p * p_inh * n_units)
    n_inc_exc = int(p * (1 - p_inh) * n_units)
    tau_e_ms = exc["c_m"] / exc["g_leak"] / ms
    tau_i_ms = inh["c_m"] / inh["g_leak"] / ms
    return dict(
        w_ee=si(j["j_ee"] / n_inc_exc * tau_e_ms * mult["mult_ee"]),
        w_ie=si(j["j_ie"] / n_inc_exc * tau_i_ms * mult["mult_ie"]),
        w_ei=si(j["j_ei"] / n_inc_inh * tau_e_ms * mult["mult_ei"]),
        w_ii=si(j["j_ii"] / n_inc_inh * tau_i_ms * mult["mult_ii"]),
    )


class Case:
    """One network setting, with everything in SI floats."""

    def __init__(self, name, n_units, p, noise_sigma=0.0, mult=SEED_MULT, exc=SEED_E, inh=SEED_I,
                 syn=SEED_SYN, dt=0.1 * ms, duration=1.5 * second, p_inh=0.2, delay_exc=1 * ms,
                 delay_inh=0.5 * ms, kick_time=100 * ms, kick_fraction=0.05, kick_amp=0.98 * nA,
                 weights_sd=None, shuffle=False):
        self.name, self.n_units, self.p, self.p_inh = name, n_units, p, p_inh
        # weights_sd: per-synapse weights, normal around the pathway's weight with this relative SD
        # (negative draws set to 0), written to the CSV in pA; shuffle: synapses in random order.
        self.weights_sd, self.shuffle = weights_sd, shuffle
        self.n_inh = int(p_inh * n_units)
        self.n_exc = n_units - self.n_inh
        self.exc, self.inh, self.syn = exc, inh, syn
        self.mult = mult
        self.w = weights(exc, inh, n_units, p, p_inh, mult=mult)
        self.dt, self.duration = si(dt), si(duration)
        self.noise_sigma = si(noise_sigma)
        self.delay_exc, self.delay_inh = si(delay_exc), si(delay_inh)
        self.kick_time, self.kick_fraction = si(kick_time), kick_fraction
        self.kick_amp = si(kick_amp)
        self.n_kick = int(np.round(kick_fraction * n_units))

    def describe(self):
        return {"case": self.name, "brian2": brian2_version, "n_units": self.n_units, "p_connect": self.p,
                "p_inh": self.p_inh, "n_exc": self.n_exc, "n_inh": self.n_inh, "dt": self.dt,
                "duration": self.duration, "exc": unit_si(self.exc), "inh": unit_si(self.inh),
                "syn": unit_si(self.syn), "mult": self.mult, "weights": self.w, "noise_sigma": self.noise_sigma,
                "delay_max_exc": self.delay_exc, "delay_max_inh": self.delay_inh,
                "kick_time": self.kick_time, "kick_fraction": self.kick_fraction, "kick_amp": self.kick_amp,
                "n_kick": self.n_kick, "weights_sd": self.weights_sd, "shuffled": self.shuffle}


# ---------------------------------------------------------------- connectivity (NETWORK.md §2)

def pairs(rng, n_pre, n_post, p, within):
    """A fixed count round(p*n_pre*n_post) of (pre, post) pairs, uniformly without replacement;
    within one population the pairs i == j are excluded (the count stays round(p*n^2), capped as the
    seed's code caps it when p > (n-1)/n). Returned sorted by (pre, post): that is the synapse order."""
    k = int(np.round(p * n_pre * n_post))
    if within:
        n = n_pre
        if p > (n - 1) / n:
            k -= int(np.round(n * n * (p - (n - 1) / n)))
        flat = rng.choice(n * (n - 1), k, replace=False)
        pre = flat // (n - 1)
        r = flat % (n - 1)
        post = r + (r >= pre)
    else:
        flat = rng.choice(n_pre * n_post, k, replace=False)
        pre, post = flat // n_post, flat % n_post
    order = np.lexsort((post, pre))
    return pre[order].astype(np.int64), post[order].astype(np.int64)


def connectivity(case, rng):
    """Per pathway (pre, post, delay steps): delay = floor(U*d_max/dt) + 1 steps, U ~ U[0, 1)."""
    ne, ni = case.n_exc, case.n_inh
    conn = {}
    for pw, (n_pre, n_post, within) in {"EE": (ne, ne, True), "IE": (ne, ni, False),
                                        "EI": (ni, ne, False), "II": (ni, ni, True)}.items():
        conn[pw] = pairs(rng, n_pre, n_post, case.p, within)
    for pw in PATHWAYS:
        dmax = case.delay_exc if pw[1] == "E" else case.delay_inh
        pre, post = conn[pw]
        steps = (rng.random(len(pre)) * dmax / case.dt).astype(int) + 1
        conn[pw] = (pre, post, steps)
    if case.shuffle:
        for pw in PATHWAYS:
            order = rng.permutation(len(conn[pw][0]))
            conn[pw] = tuple(x[order] for x in conn[pw])
    if case.weights_sd is not None:
        for pw in PATHWAYS:
            w_pa = case.w["w_" + pw.lower()] / 1e-12
            w = w_pa * (1 + case.weights_sd * rng.standard_normal(len(conn[pw][0])))
            w[w < 0] = 0
            conn[pw] = conn[pw] + (w,)
    return conn


def conn_csv(case, conn):
    """eisweep's connectivity CSV (sim.ReadConnectivity): a comment line with the sizes and the clock,
    then pathway,pre,post,delay_ms[,weight_pa] with population-local indices, in synapse order."""
    out = io.StringIO()
    dt_ms = case.dt / 1e-3
    out.write(f"# eisweep connectivity n_exc={case.n_exc} n_inh={case.n_inh} dt_s={case.dt!r}\n")
    with_w = case.weights_sd is not None
    out.write("pathway,pre,post,delay_ms,weight_pa\n" if with_w else "pathway,pre,post,delay_ms\n")
    for pw in PATHWAYS:
        pre, post, steps = conn[pw][:3]
        w = conn[pw][3].tolist() if with_w else [None] * len(pre)
        for a, b, d, x in zip(pre.tolist(), post.tolist(), steps.tolist(), w):
            out.write(f"{pw},{a},{b},{d * dt_ms:.6g}" + (f",{x!r}\n" if with_w else "\n"))
    return out.getvalue()


# ---------------------------------------------------------------- the network in Brian2

def build(case, conn, monitor_currents=False):
    defaultclock.dt = case.dt * second
    ns_common = dict(tauRiseE=case.syn["tau_rise_e"], tauFallE=case.syn["tau_fall_e"],
                     tauRiseI=case.syn["tau_rise_i"], tauFallI=case.syn["tau_fall_i"],
                     noiseSigma=case.noise_sigma * volt)

    def group(n, u):
        ns = dict(ns_common, tauAdapt=u["tau_adapt"])
        g = NeuronGroup(n, NET_MODEL, method="euler", threshold="v >= vThresh", reset=RESET,
                        refractory=u["refractory"], namespace=ns)
        g.v = u["e_leak"]
        g.eLeak = u["e_leak"]
        g.vReset = u["v_reset"]
        g.vThresh = u["v_thresh"]
        g.betaAdapt = u["beta_adapt"]
        g.Cm = u["c_m"]
        g.gl = u["g_leak"]
        return g

    ge, gi = group(case.n_exc, case.exc), group(case.n_inh, case.inh)
    syn_ns = dict(tauRiseEOverMS=case.syn["tau_rise_e"] / ms, tauRiseIOverMS=case.syn["tau_rise_i"] / ms)
    objs = [ge, gi]
    syns = {}
    for pw in PATHWAYS:
        src = ge if pw[1] == "E" else gi
        tgt = ge if pw[0] == "E" else gi
        var = "uE" if pw[1] == "E" else "uI"
        tau = "tauRiseEOverMS" if pw[1] == "E" else "tauRiseIOverMS"
        s = Synapses(src, tgt, model=f"j{pw}: amp", on_pre=f"{var}_post += j{pw} / {tau}", namespace=syn_ns)
        pre, post, steps = conn[pw][:3]
        s.connect(i=pre, j=post)
        if len(conn[pw]) > 3:
            setattr(s, f"j{pw}", conn[pw][3] * pA)  # pA values, as Brian2 converts them
        else:
            setattr(s, f"j{pw}", case.w["w_" + pw.lower()] * amp)
        s.delay = steps * case.dt * second
        syns[pw] = s
        objs.append(s)
    if case.n_kick > 0:
        idx = np.arange(case.n_kick)
        kick = SpikeGeneratorGroup(case.n_kick, idx, np.full(case.n_kick, case.kick_time) * second)
        ks = Synapses(kick, ge, on_pre="uExt_post += kickAmp", namespace=dict(kickAmp=case.kick_amp * amp))
        ks.connect(i=idx, j=idx)
        objs += [kick, ks]
    if monitor_currents:
        ge.run_regularly("qSE += sE\nqSI += sI", when="start")
        gi.run_regularly("qSE += sE\nqSI += sI", when="start")
    sm_e, sm_i = SpikeMonitor(ge), SpikeMonitor(gi)
    objs += [sm_e, sm_i]
    net = Network(*objs)
    return net, dict(ge=ge, gi=gi, sm_e=sm_e, sm_i=sm_i, syns=syns)


def spikes_of(case, obj):
    """All spikes as (step, global unit) in order of step, then unit: E units 0..nE-1, I nE..N-1."""
    se = np.rint(np.asarray(obj["sm_e"].t_) / case.dt).astype(np.int64)
    si_ = np.rint(np.asarray(obj["sm_i"].t_) / case.dt).astype(np.int64)
    ue = np.asarray(obj["sm_e"].i[:], dtype=np.int64)
    ui = np.asarray(obj["sm_i"].i[:], dtype=np.int64) + case.n_exc
    steps = np.concatenate([se, si_])
    units = np.concatenate([ue, ui])
    order = np.lexsort((units, steps))
    return steps[order], units[order]


def spike_times_f32(obj):
    """Spike times and units per population as the seed's Results holds them (float32)."""
    return (np.array(obj["sm_e"].t, dtype=np.single), np.array(obj["sm_e"].i, dtype=np.single),
            np.array(obj["sm_i"].t, dtype=np.single), np.array(obj["sm_i"].i, dtype=np.single))


def final_states(case, obj):
    out = {}
    for key, g in (("exc", obj["ge"]), ("inh", obj["gi"])):
        d = {k: np.asarray(getattr(g, k + "_")[:], dtype=float).tolist()
             for k in ("v", "iAdapt", "sE", "uE", "sI", "uI", "sExt", "uExt")}
        ls = np.asarray(g.lastspike_[:], dtype=float)
        d["last_spike_step"] = [int(round(x / case.dt)) if x > -1 else None for x in ls.tolist()]
        out[key] = d
    return out


def mean_currents(case, obj, n_steps):
    ge, gi = obj["ge"], obj["gi"]
    return {
        "mean_se_onto_e": float(np.sum(ge.qSE_[:])) / n_steps / case.n_exc,
        "mean_si_onto_e": float(np.sum(ge.qSI_[:])) / n_steps / case.n_exc,
        "mean_se_onto_i": float(np.sum(gi.qSE_[:])) / n_steps / case.n_inh,
        "mean_si_onto_i": float(np.sum(gi.qSI_[:])) / n_steps / case.n_inh,
    }


# ---------------------------------------------------------------- Up states (NETWORK.md §3)
# The semantics of the Paradoxical2022 code's Results.calculate_PSTH, calculate_upstates (through
# functions.find_upstates with v_thresh 0.2 Hz, dur_thresh 0.1 s, extension_thresh 0.1 s,
# last_up_must_end False), calculate_upFR_units and trainer.py's per-trial summary, re-implemented.
# Spike times are float32, as Results stores them.

UP_BIN, UP_THRESH, UP_MIN_UP, UP_MIN_DOWN = 0.01, 0.2, 0.1, 0.1


def find_ups(rate, bin_s):
    above = rate >= UP_THRESH
    below = rate < UP_THRESH
    ups = np.flatnonzero(np.concatenate([[False], below[:-1] & above[1:]]))
    downs = np.flatnonzero(np.concatenate([[False], above[:-1] & below[1:]]))
    empty = (np.array([], dtype=int), np.array([], dtype=int))
    if len(ups) - len(downs) == 1:
        downs = np.append(downs, len(rate))
    if len(ups) == 0 or len(downs) == 0:
        return empty
    if downs[0] < ups[0]:
        downs = downs[1:]
    if len(ups) == 0 or len(downs) == 0:
        return empty
    if ups[-1] > downs[-1]:
        downs = np.append(downs, len(rate))
    if len(ups) == 0 or len(downs) == 0:
        return empty
    assert len(ups) == len(downs)
    keep = (ups[1:] - downs[:-1]) > UP_MIN_DOWN / bin_s
    ups = ups[np.concatenate([[True], keep])]
    downs = downs[np.concatenate([keep, [True]])]
    long_ = (downs - ups) > UP_MIN_UP / bin_s
    return ups[long_], downs[long_]


def up_analysis(case, obj):
    te, ie, ti, ii = spike_times_f32(obj)
    ne, ni = case.n_exc, case.n_inh
    edges = np.arange(0, case.duration, UP_BIN)
    fr_e = np.histogram(te, edges)[0] / UP_BIN / ne
    fr_i = np.histogram(ti, edges)[0] / UP_BIN / ni
    ups_b, downs_b = find_ups(fr_i, UP_BIN)
    ups, downs = ups_b * UP_BIN, downs_b * UP_BIN
    durs = (downs_b - ups_b) * UP_BIN
    res = {"rate_e_hist": fr_e.tolist(), "rate_i_hist": fr_i.tolist(), "up_start_bins": ups_b.tolist(),
           "up_end_bins": downs_b.tolist(), "n_ups": int(len(ups_b))}
    if len(ups_b) > 0:
        pop_e, pop_i, units_e, units_i = [], [], [], []
        for k in range(len(ups_b)):
            in_e = (te > ups[k]) & (te < downs[k])
            in_i = (ti > ups[k]) & (ti < downs[k])
            pop_e.append(in_e.sum() / ne / durs[k])
            pop_i.append(in_i.sum() / ni / durs[k])
            units_e.append(np.bincount(ie[in_e].astype(int), minlength=ne) / durs[k])
            units_i.append(np.bincount(ii[in_i].astype(int), minlength=ni) / durs[k])
        res.update(up_rate_e=float(np.array(pop_e).mean()), up_rate_i=float(np.array(pop_i).mean()),
                   up_rate_e_units=np.array(units_e).mean(0).tolist(), up_rate_i_units=np.array(units_i).mean(0).tolist(),
                   mean_duration=float(durs.mean()), first_onset=float(ups[0]))
    else:
        per_e = np.bincount(ie.astype(int), minlength=ne)
        per_i = np.bincount(ii.astype(int), minlength=ni)
        event = np.fmax((fr_e > 0).sum(), (fr_i > 0).sum()) * UP_BIN
        with np.errstate(divide="ignore", invalid="ignore"):
            fe = per_e / event
            fi = per_i / event
            fe[:case.n_kick] = fe[case.n_kick:].mean()
        res.update(up_rate_e=float(fe.mean()), up_rate_i=float(fi.mean()), up_rate_e_units=fe.tolist(),
                   up_rate_i_units=fi.tolist(), mean_duration=float(event), event_duration=float(event))
    return res


# ---------------------------------------------------------------- noise off: spike for spike

DET_CASES = {
    # the seed's weights: one Up state (0.16 s to 0.52 s)
    "n200": dict(n_units=200, p=0.5, seed=200),
    # the training network. At the seed's weights and without noise the kick starts no Up state
    # (the kicked units fire and the rest stay silent), so E->E is raised to 1.1 and I->E to 1.3:
    # one Up state from 0.17 s to 0.95 s at 3.9 Hz (E) and 8.4 Hz (I)
    "n1000": dict(n_units=1000, p=0.5, seed=1000, extra=dict(mult=dict(SEED_MULT, mult_ee=1.1, mult_ei=1.3))),
    # per-synapse weights (20 % SD) in random synapse order, where the order of additions matters:
    # one Up state (0.16 s to 1.05 s)
    "n200_w": dict(n_units=200, p=0.5, seed=200, extra=dict(weights_sd=0.2, shuffle=True)),
    # the same rules, another draw: the kick starts no Up state (the no-Up fallback of the analysis)
    "n200_w_quiet": dict(n_units=200, p=0.5, seed=205, extra=dict(weights_sd=0.2, shuffle=True)),
}

TARGETS = {
    "numpy": ("numpy", None),
    "cython": ("cython", None),  # Brian2's defaults: -w -O3 -ffast-math -fno-finite-math-only -march=native
    "cython_ieee": ("cython", ["-w", "-O3", "-ffp-contract=off", "-std=c++11"]),
}


def set_target(name):
    """Select a code generation target. Brian2's cython cache keys a compiled module by its code,
    not by the compiler flags, and object names (hence code) repeat between builds, so each flag
    set gets a cache directory of its own, and each (case, target) runs in a process of its own."""
    target, flags = TARGETS[name]
    prefs.codegen.target = target
    if target == "cython":
        prefs.codegen.cpp.extra_compile_args_gcc = flags if flags is not None else DEFAULT_GCC_FLAGS
        base = os.path.join(os.path.expanduser("~"), ".cython", "brian_extensions")
        prefs.codegen.runtime.cython.cache_dir = base + "_eisweep_" + name


DEFAULT_GCC_FLAGS = list(prefs.codegen.cpp.extra_compile_args_gcc)


def det_one(name, tname, path):
    """One (case, target) of gen_det, in this process; writes its result to path as JSON."""
    c = DET_CASES[name]
    case = Case("det_" + name, c["n_units"], c["p"], **c.get("extra", {}))
    conn = connectivity(case, np.random.default_rng(c["seed"]))
    set_target(tname)
    n_steps = int(round(case.duration / case.dt))
    net, obj = build(case, conn, monitor_currents=True)
    t0 = time.time()
    net.run(case.duration * second)
    steps, units = spikes_of(case, obj)
    r = {"seconds": time.time() - t0, "spike_steps": steps.tolist(), "spike_units": units.tolist(),
         "final": final_states(case, obj), "gcc_flags": list(prefs.codegen.cpp.extra_compile_args_gcc)
         if TARGETS[tname][0] == "cython" else None}
    r.update(mean_currents(case, obj, n_steps))
    r["ups"] = up_analysis(case, obj)
    r["code"] = {"state_update": code_lines(obj["ge"].state_updater.codeobj),
                 "reset": code_lines(obj["ge"].resetter["spike"].codeobj),
                 "on_pre_EE": code_lines(obj["syns"]["EE"].pre.codeobj),
                 "on_pre_EI": code_lines(obj["syns"]["EI"].pre.codeobj)}
    with open(path, "w") as f:
        json.dump(r, f)


def code_lines(codeobj):
    """The arithmetic lines of the code Brian2 generated for a code object (for the record)."""
    code = codeobj.code
    lines = str(getattr(code, "run", code)).splitlines()
    keep = ("_lio_", "_v =", "not_refractory =", "xi =", "+=", "add.at", "v = vReset", "_iAdapt =", "_sE =",
            "_sI =", "_sExt =", "_uE =", "_uI =", "_uExt =")
    out = [l.strip() for l in lines if any(k in l for k in keep)]
    return [l for l in out if not l.startswith(("cdef", "#", "_var_", "_namespace"))]


def gen_det(out, cases, targets):
    import subprocess
    import tempfile
    for name in cases:
        c = DET_CASES[name]
        case = Case("det_" + name, c["n_units"], c["p"], **c.get("extra", {}))
        conn = connectivity(case, np.random.default_rng(c["seed"]))
        write_gz(out, f"det_{name}_conn.csv.gz", conn_csv(case, conn))
        res = case.describe()
        res["conn_seed"] = c["seed"]
        res["n_synapses"] = {pw: int(len(conn[pw][0])) for pw in PATHWAYS}
        res["n_steps"] = int(round(case.duration / case.dt))
        for tname in targets:
            with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
                subprocess.run([sys.executable, os.path.abspath(__file__), "--det-one", name, tname, tmp.name],
                               check=True)
                with open(tmp.name) as f:
                    r = json.load(f)
            res[tname] = r
            print(f"det {name} {tname}: {len(r['spike_steps'])} spikes "
                  f"({sum(u < case.n_exc for u in r['spike_units'])} E), {r['ups']['n_ups']} Ups, "
                  f"{r['seconds']:.1f} s", flush=True)
        ref = res.get("numpy")
        for tname in targets:
            if ref is None or tname == "numpy":
                continue
            r = res[tname]
            same = r["spike_steps"] == ref["spike_steps"] and r["spike_units"] == ref["spike_units"]
            first = first_difference(ref, r)
            n_diff = sum(a != b for pop in ("exc", "inh") for k in r["final"][pop]
                         for a, b in zip(r["final"][pop][k], ref["final"][pop][k]))
            r["agrees_with_numpy"] = same
            r["first_difference_step"] = first
            r["final_values_differing_from_numpy"] = n_diff
            if same:  # the numpy target's spikes and Up states stand for both
                for k in ("spike_steps", "spike_units", "ups"):
                    del r[k]
            print(f"det {name}: {tname} agrees with numpy spike for spike: {same}"
                  + ("" if same else f" (first difference at step {first})")
                  + f"; {n_diff} final state values differ", flush=True)
        write_gz(out, f"det_{name}.json.gz", json.dumps(res, separators=(",", ":")) + "\n")


def first_difference(a, b):
    sa = list(zip(a["spike_steps"], a["spike_units"]))
    sb = list(zip(b["spike_steps"], b["spike_units"]))
    for k in range(min(len(sa), len(sb))):
        if sa[k] != sb[k]:
            return min(sa[k][0], sb[k][0])
    if len(sa) != len(sb):
        return (sa + sb)[min(len(sa), len(sb))][0]
    return None


# ---------------------------------------------------------------- noise on: statistics over seeds

STATS_CASES = {
    # the seed's training network at the seed's weights
    "n1000": dict(n_units=1000, p=0.5),
    # a smaller network at the same weights (its fan-in normalisation gives weights twice as large)
    "n500": dict(n_units=500, p=0.5),
}


def gen_stats(out, cases, n_seeds, first_seed):
    set_target("cython")
    for name in cases:
        c = STATS_CASES[name]
        case = Case("stats_" + name, c["n_units"], c["p"], noise_sigma=2.5e-3, **c.get("extra", {}))
        rows = []
        t_all = time.time()
        for s in range(first_seed, first_seed + n_seeds):
            rng = np.random.default_rng(s)
            conn = connectivity(case, rng)
            net, obj = build(case, conn)
            seed(s)
            t0 = time.time()
            net.run(case.duration * second)
            t1 = time.time()
            u = up_analysis(case, obj)
            steps, units = spikes_of(case, obj)
            # Free the objects so that the next build reuses their names, hence their code, hence
            # the compiled modules (new names would mean a new compilation for every seed).
            del net, obj
            gc.collect()
            rows.append({"seed": s, "n_ups": u["n_ups"], "mean_duration": u["mean_duration"],
                         "up_rate_e": u["up_rate_e"], "up_rate_i": u["up_rate_i"],
                         "first_onset": u.get("first_onset"),
                         "n_spikes_e": int(np.sum(units < case.n_exc)), "n_spikes_i": int(np.sum(units >= case.n_exc)),
                         "seconds": t1 - t0})
            print(f"stats {name} seed {s}: {u['n_ups']} Ups, dur {u['mean_duration']:.3f} s, "
                  f"E {u['up_rate_e']:.2f} Hz, I {u['up_rate_i']:.2f} Hz, {t1 - t0:.1f} s", flush=True)
            res = case.describe()
            res.update(target="cython", first_seed=first_seed, runs=rows,
                       seconds_total=time.time() - t_all)
            write_gz(out, f"stats_{name}.json.gz", json.dumps(res, separators=(",", ":")) + "\n")


def merge_stats(paths, out):
    """One stats file from several of the same case over disjoint seeds (each seed's trial depends
    on its seed only: its connectivity is default_rng(seed)'s and Brian2 is seeded with it)."""
    parts = [json.load(gzip.open(p)) for p in paths]
    base = parts[0]
    for p in parts[1:]:
        for k in base:
            if k not in ("runs", "first_seed", "seconds_total") and p[k] != base[k]:
                raise SystemExit(f"merge: {k} differs between the files")
    runs = sorted((r for p in parts for r in p["runs"]), key=lambda r: r["seed"])
    seeds = [r["seed"] for r in runs]
    if len(set(seeds)) != len(seeds):
        raise SystemExit("merge: a seed appears twice")
    base.update(runs=runs, first_seed=seeds[0], seconds_total=sum(p["seconds_total"] for p in parts))
    name = base["case"]
    write_gz(out, f"{name}.json.gz", json.dumps(base, separators=(",", ":")) + "\n")
    print(f"{name}: {len(runs)} trials, seeds {seeds[0]}..{seeds[-1]}")


def write_gz(out, fname, text):
    path = os.path.join(out, fname)
    with open(path + ".tmp", "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0) as z:
            z.write(text.encode())
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="det,stats", help="comma-separated: det, stats")
    ap.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    ap.add_argument("--targets", default="numpy,cython,cython_ieee", help="targets of the det goldens")
    ap.add_argument("--seeds", type=int, default=100, help="seeds per stats case")
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "sim", "testdata", "network"))
    ap.add_argument("--det-one", nargs=3, metavar=("CASE", "TARGET", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--merge", nargs="+", metavar="FILE",
                    help="merge stats files of one case run over disjoint seeds (e.g. two machines) into --out")
    a = ap.parse_args()
    if a.det_one:
        det_one(*a.det_one)
        return
    if a.merge:
        merge_stats(a.merge, a.out)
        return
    if not brian2_version.startswith("2.5."):
        print(f"warning: goldens are defined against Brian2 2.5.1, this is {brian2_version}", file=sys.stderr)
    os.makedirs(a.out, exist_ok=True)
    parts = a.only.split(",")
    sel = [x for x in a.cases.split(",") if x]
    if "det" in parts:
        gen_det(a.out, [k for k in DET_CASES if not sel or k in sel], a.targets.split(","))
    if "stats" in parts:
        gen_stats(a.out, [k for k in STATS_CASES if not sel or k in sel], a.seeds, a.first_seed)


if __name__ == "__main__":
    main()
