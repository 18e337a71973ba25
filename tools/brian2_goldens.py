#!/usr/bin/env python3
"""Regenerate eisweep's Brian2 golden data (sim/testdata/brian2/*.json).

Run with Debian's Brian2 2.5.1 (apt-get install python3-brian):

    /usr/bin/python3 tools/brian2_goldens.py [--only fi,det,poisson] [--out DIR]

Outputs are committed and never edited by hand; `make goldens` reruns this script.

* fi_<cell>.json: spike counts of the f-I test (docs/MODEL.md §5), one unit per current in
  linspace(0, 300 pA, 3001), 1 s, for five cells, from the cython and numpy targets.
* det_<case>.json: runs of the two-unit experiment (docs/MODEL.md §1-§3) with frozen input spike
  times (SpikeGeneratorGroup), so results are deterministic: spike steps, charges and the final
  state of both units, from the cython and numpy targets.
* poisson_<case>.json: per-seed rates and charges of Poisson-input runs (1000 seeds), cython
  target, the network built once and restored for every seed.

Every number is in SI units (V, A, F, S, s) exactly as Brian2 holds it; floats are written with
Python's repr, so Go parses the same doubles.
"""
import argparse
import json
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402
from brian2 import (  # noqa: E402
    NeuronGroup, Network, PoissonGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor,
    Synapses, defaultclock, prefs, seed, set_device, ms, mV, pA, nA, pF, nS, Hz, second,
    __version__ as brian2_version,
)

UNIT_MODEL = """
dv/dt = (gl * (eLeak - v) - iAdapt + sE - sI) / Cm : volt (unless refractory)
diAdapt/dt = -iAdapt / tauAdapt : amp
dsE/dt = (-sE + uE) / tauFallE : amp
duE/dt = -uE / tauRiseE : amp
dsI/dt = (-sI + uI) / tauFallI : amp
duI/dt = -uI / tauRiseI : amp
eLeak : volt
vReset : volt
vThresh : volt
betaAdapt : amp * second
gl : siemens
Cm : farad
"""

FI_MODEL = """
dv/dt = (gl * (eLeak - v) - iAdapt + iExt) / Cm : volt (unless refractory)
diAdapt/dt = -iAdapt / tauAdapt : amp
iExt : amp
eLeak : volt
vReset : volt
vThresh : volt
betaAdapt : amp * second
gl : siemens
Cm : farad
"""

RESET = "v = vReset\niAdapt += betaAdapt / tauAdapt"

# docs/MODEL.md §4, the seed's paramsJercog, as Brian2 quantities.
SEED_E = dict(e_leak=7.6 * mV, v_reset=14 * mV, v_thresh=20 * mV, c_m=200 * pF, g_leak=10 * nS,
              refractory=2.5 * ms, beta_adapt=3 * nA * ms, tau_adapt=500 * ms)
SEED_I = dict(e_leak=6.5 * mV, v_reset=14 * mV, v_thresh=20 * mV, c_m=100 * pF, g_leak=10 * nS,
              refractory=1 * ms, beta_adapt=0 * nA * ms, tau_adapt=500 * ms)
# A cell unlike the seed's in every parameter. Its (1/tau_adapt)*beta_adapt differs from
# beta_adapt/tau_adapt in the last bit, so the goldens pin the form Brian2 generates.
OTHER = dict(e_leak=5 * mV, v_reset=10 * mV, v_thresh=18 * mV, c_m=150 * pF, g_leak=12 * nS,
             refractory=2 * ms, beta_adapt=1.5 * nA * ms, tau_adapt=410 * ms)
SEED_SYN = dict(tau_rise_e=8 * ms, tau_fall_e=23 * ms, tau_rise_i=1 * ms, tau_fall_i=1 * ms)
SEED_J = dict(j_ee=2.8 * nA, j_ie=5 * nA, j_ei=0.7 * nA, j_ii=1 * nA)
SEED_MULT = dict(mult_ee=1.0249649370098968, mult_ie=0.9913780811668145,
                 mult_ei=0.9750494640455015, mult_ii=1.0108023944074438)
SEED_NET = dict(n_units=1000, prop_connect=0.5, prop_inh=0.2)


def si(q):
    """A quantity's value in SI base units, as a float."""
    return float(q)


def unit_si(u):
    return {k: si(v) for k, v in u.items()}


def weights(exc, inh, j=SEED_J, mult=SEED_MULT, net=SEED_NET):
    """The notebook's weight formula, in its order of operations."""
    n_inc_inh = int(net["prop_connect"] * net["prop_inh"] * net["n_units"])
    n_inc_exc = int(net["prop_connect"] * (1 - net["prop_inh"]) * net["n_units"])
    tau_e_ms = exc["c_m"] / exc["g_leak"] / ms
    tau_i_ms = inh["c_m"] / inh["g_leak"] / ms
    return dict(
        w_ee=j["j_ee"] / n_inc_exc * tau_e_ms * mult["mult_ee"],
        w_ie=j["j_ie"] / n_inc_exc * tau_i_ms * mult["mult_ie"],
        w_ei=j["j_ei"] / n_inc_inh * tau_e_ms * mult["mult_ei"],
        w_ii=j["j_ii"] / n_inc_inh * tau_i_ms * mult["mult_ii"],
    )


def set_unit(group, u):
    group.v = u["e_leak"]
    group.eLeak = u["e_leak"]
    group.vReset = u["v_reset"]
    group.vThresh = u["v_thresh"]
    group.betaAdapt = u["beta_adapt"]
    group.Cm = u["c_m"]
    group.gl = u["g_leak"]


def new_unit(model, n, u, extra_ns):
    ns = dict(tauAdapt=u["tau_adapt"])
    ns.update(extra_ns)
    g = NeuronGroup(n, model, method="euler", threshold="v >= vThresh", reset=RESET,
                    refractory=u["refractory"], namespace=ns)
    set_unit(g, u)
    return g


def code_of(group):
    """The vector code Brian2 generated for a group's Euler step (for the record)."""
    lines = group.state_updater.codeobj.code
    lines = str(getattr(lines, "run", lines)).splitlines()
    keep = [l.strip() for l in lines if "_lio_" in l or l.strip().startswith(("_v =", "not_refractory ="))]
    return [l for l in keep if not l.startswith("cdef")]


# ---------------------------------------------------------------- f-I test (docs/MODEL.md §5)

def fi_counts(u, dt, i_max=0.3 * nA, n=3001, duration=1 * second):
    defaultclock.dt = dt
    currents = np.linspace(0, float(i_max / nA), n) * nA
    g = new_unit(FI_MODEL, n, u, {})
    g.iExt = currents
    sm = SpikeMonitor(g)
    net = Network(g, sm)
    net.run(duration)
    return np.asarray(sm.count, dtype=int).tolist(), [float(c) for c in currents], code_of(g)


FI_CELLS = {
    "seed_e": (SEED_E, 0.1 * ms),
    "seed_i": (SEED_I, 0.1 * ms),
    "e_no_adapt": (dict(SEED_E, beta_adapt=0 * nA * ms), 0.1 * ms),
    "seed_e_dt005": (SEED_E, 0.05 * ms),
    "other": (OTHER, 0.1 * ms),
}


def gen_fi(out):
    for name, (u, dt) in FI_CELLS.items():
        res = {"cell": name, "brian2": brian2_version, "unit": unit_si(u), "dt": si(dt),
               "duration": 1.0, "i_min": 0.0, "i_max": si(0.3 * nA), "n_currents": 3001}
        for target in ("cython", "numpy"):
            prefs.codegen.target = target
            t0 = time.time()
            counts, currents, code = fi_counts(u, dt)
            res[target] = {"counts": counts, "seconds": time.time() - t0, "code": code}
            res["currents"] = currents
        agree = res["cython"]["counts"] == res["numpy"]["counts"]
        res["targets_agree"] = agree
        write(out, f"fi_{name}.json", res)
        print(f"fi {name}: max count {max(res['cython']['counts'])}, targets agree: {agree}", flush=True)


# ---------------------------------------------------------------- the experiment (docs/MODEL.md §1-§3)

def build(exc, inh, syn, w, dt, exc_input, inh_input):
    """The seed notebook's network: two units, two input populations, four all-to-all pathways.

    exc_input/inh_input: ("poisson", n, rate) or ("times", n, indices, times_s)."""
    defaultclock.dt = dt
    syn_ns = dict(tauRiseE=syn["tau_rise_e"], tauFallE=syn["tau_fall_e"],
                  tauRiseI=syn["tau_rise_i"], tauFallI=syn["tau_fall_i"])
    ue = new_unit(UNIT_MODEL, 1, exc, syn_ns)
    ui = new_unit(UNIT_MODEL, 1, inh, syn_ns)

    def source(spec):
        if spec[0] == "poisson":
            return PoissonGroup(spec[1], rates=spec[2])
        return SpikeGeneratorGroup(spec[1], spec[2], spec[3] * second)

    pe, pi = source(exc_input), source(inh_input)
    ns = dict(tauRiseEOverMS=syn["tau_rise_e"] / ms, tauRiseIOverMS=syn["tau_rise_i"] / ms)
    s_ee = Synapses(pe, ue, model="jEE: amp", on_pre="uE_post += jEE / tauRiseEOverMS", namespace=ns)
    s_ie = Synapses(pe, ui, model="jIE: amp", on_pre="uE_post += jIE / tauRiseEOverMS", namespace=ns)
    s_ei = Synapses(pi, ue, model="jEI: amp", on_pre="uI_post += jEI / tauRiseIOverMS", namespace=ns)
    s_ii = Synapses(pi, ui, model="jII: amp", on_pre="uI_post += jII / tauRiseIOverMS", namespace=ns)
    for s in (s_ee, s_ie, s_ei, s_ii):
        s.connect()
    s_ee.jEE, s_ie.jIE, s_ei.jEI, s_ii.jII = w["w_ee"], w["w_ie"], w["w_ei"], w["w_ii"]
    sm_e, sm_i = SpikeMonitor(ue), SpikeMonitor(ui)
    st_e = StateMonitor(ue, ["sE", "sI"], record=True)
    st_i = StateMonitor(ui, ["sE", "sI"], record=True)
    net = Network(ue, ui, pe, pi, s_ee, s_ie, s_ei, s_ii, sm_e, sm_i, st_e, st_i)
    return net, dict(ue=ue, ui=ui, sm_e=sm_e, sm_i=sm_i, st_e=st_e, st_i=st_i)


def measure(obj, dt):
    """Spikes and charges (pC = sum of recorded current in A x dt in s x 1e12)."""
    q = lambda mon, var: float(np.sum(np.asarray(getattr(mon, var + "_")[0]))) * float(dt) * 1e12
    return dict(
        spike_steps_e=[int(round(float(t) / float(dt))) for t in obj["sm_e"].t_],
        spike_steps_i=[int(round(float(t) / float(dt))) for t in obj["sm_i"].t_],
        q_ee_pc=q(obj["st_e"], "sE"), q_ei_pc=q(obj["st_e"], "sI"),
        q_ie_pc=q(obj["st_i"], "sE"), q_ii_pc=q(obj["st_i"], "sI"),
        n_recorded=int(len(obj["st_e"].t_)),
    )


def final_state(g):
    return {k: float(getattr(g, k + "_")[0]) for k in ("v", "iAdapt", "sE", "uE", "sI", "uI")}


def bernoulli_times(rng, n, rate, dt, n_steps):
    """Frozen Poisson-like input: every source spikes in a step with probability rate*dt."""
    spikes = rng.random_sample((n_steps, n)) < float(rate * dt)
    steps, idx = np.nonzero(spikes)
    return idx, steps


def staggered_times(rng, n, rate, dt, n_steps):
    """n regular sources at one rate, each with a random phase."""
    period = int(round(float(1 / (rate * dt))))
    idx, steps = [], []
    for i in range(n):
        phase = rng.randint(period)
        s = np.arange(phase, n_steps, period)
        idx.append(np.full(len(s), i)); steps.append(s)
    idx, steps = np.concatenate(idx), np.concatenate(steps)
    order = np.lexsort((idx, steps))
    return idx[order], steps[order]


def regular_times(rate, duration):
    """The notebook's 'fixed' mode: one source tiling the run."""
    k = int(np.round(float(rate * duration)))
    return np.zeros(k, dtype=int), np.linspace(0, float(duration), k + 1)[:-1]


DET_CASES = {
    # the defaults, frozen Bernoulli input at the set points: both units fire from fluctuations
    "frozen_defaults": dict(kind="bernoulli", rates=(5 * Hz, 14 * Hz), n=(400, 100), dt=0.1 * ms, seed=2026),
    # the notebook's fixed mode at the defaults (one regular source per population)
    "regular_notebook": dict(kind="regular", rates=(5 * Hz, 14 * Hz), n=(1, 1), dt=0.1 * ms),
    # many regular sources with random phases, excitation above threshold for both units
    "staggered_8hz": dict(kind="staggered", rates=(8 * Hz, 14 * Hz), n=(400, 100), dt=0.1 * ms, seed=7),
    # a finer clock
    "frozen_dt005": dict(kind="bernoulli", rates=(6 * Hz, 14 * Hz), n=(400, 100), dt=0.05 * ms, seed=11),
    # other cells, other synapses (non-power-of-two rise times), other multipliers
    "frozen_other": dict(kind="bernoulli", rates=(10 * Hz, 12 * Hz), n=(300, 120), dt=0.1 * ms, seed=5,
                         exc=OTHER, inh=dict(SEED_I, refractory=2 * ms, e_leak=8 * mV),
                         syn=dict(tau_rise_e=3 * ms, tau_fall_e=15 * ms, tau_rise_i=0.5 * ms, tau_fall_i=5 * ms),
                         mult=dict(mult_ee=1.1, mult_ie=0.9, mult_ei=0.8, mult_ii=1.2)),
}


def gen_det(out):
    duration = 1 * second
    for name, c in DET_CASES.items():
        exc, inh = c.get("exc", SEED_E), c.get("inh", SEED_I)
        syn, mult = c.get("syn", SEED_SYN), c.get("mult", SEED_MULT)
        dt = c["dt"]
        n_steps = int(round(float(duration / dt)))
        w = weights(exc, inh, mult=mult)
        inputs = []
        for pop in (0, 1):
            n, rate = c["n"][pop], c["rates"][pop]
            if c["kind"] == "regular":
                idx, times = regular_times(rate, duration)
            else:
                rng = np.random.RandomState(c["seed"] + pop)
                f = bernoulli_times if c["kind"] == "bernoulli" else staggered_times
                idx, steps = f(rng, n, rate, dt, n_steps)
                times = steps * float(dt)
            inputs.append(("times", n, np.asarray(idx), np.asarray(times, dtype=float)))
        res = {"case": name, "brian2": brian2_version, "dt": si(dt), "duration": si(duration),
               "exc": unit_si(exc), "inh": unit_si(inh), "syn": unit_si(syn),
               "weights": {k: si(v) for k, v in w.items()},
               "input_exc": {"n": inputs[0][1], "times": inputs[0][3].tolist()},
               "input_inh": {"n": inputs[1][1], "times": inputs[1][3].tolist()}}
        for target in ("cython", "numpy"):
            prefs.codegen.target = target
            net, obj = build(exc, inh, syn, w, dt, inputs[0], inputs[1])
            t0 = time.time()
            net.run(duration)
            r = measure(obj, dt)
            r["seconds"] = time.time() - t0
            r["final_e"], r["final_i"] = final_state(obj["ue"]), final_state(obj["ui"])
            res[target] = r
        agree = all(res["cython"][k] == res["numpy"][k] for k in ("spike_steps_e", "spike_steps_i"))
        res["targets_agree_on_spikes"] = agree
        write(out, f"det_{name}.json", res)
        print(f"det {name}: E {len(res['numpy']['spike_steps_e'])} spikes, I {len(res['numpy']['spike_steps_i'])} spikes,"
              f" targets agree: {agree}", flush=True)


POISSON_CASES = {
    "defaults": dict(),
    "alt": dict(rates=(6 * Hz, 18 * Hz), syn=dict(SEED_SYN, tau_rise_e=3 * ms, tau_fall_e=15 * ms),
                exc=dict(SEED_E, beta_adapt=1.5 * nA * ms)),
}


def gen_poisson(out, n_seeds):
    prefs.codegen.target = "cython"
    duration, dt = 1 * second, 0.1 * ms
    for name, c in POISSON_CASES.items():
        exc, inh = c.get("exc", SEED_E), c.get("inh", SEED_I)
        syn = c.get("syn", SEED_SYN)
        rates = c.get("rates", (5 * Hz, 14 * Hz))
        w = weights(exc, inh)
        net, obj = build(exc, inh, syn, w, dt, ("poisson", 400, rates[0]), ("poisson", 100, rates[1]))
        net.store()
        rows = []
        t0 = time.time()
        for s in range(1, n_seeds + 1):
            net.restore()
            seed(s)
            net.run(duration)
            m = measure(obj, dt)
            rows.append(dict(seed=s, n_spikes_e=len(m["spike_steps_e"]), n_spikes_i=len(m["spike_steps_i"]),
                             q_ee_pc=m["q_ee_pc"], q_ei_pc=m["q_ei_pc"], q_ie_pc=m["q_ie_pc"], q_ii_pc=m["q_ii_pc"]))
        res = {"case": name, "brian2": brian2_version, "target": "cython", "dt": si(dt), "duration": si(duration),
               "exc": unit_si(exc), "inh": unit_si(inh), "syn": unit_si(syn),
               "weights": {k: si(v) for k, v in w.items()},
               "n_exc": 400, "n_inh": 100, "rate_exc": si(rates[0]), "rate_inh": si(rates[1]),
               "seconds_per_run": (time.time() - t0) / n_seeds, "runs": rows}
        write(out, f"poisson_{name}.json", res)
        re = np.array([r["n_spikes_e"] for r in rows]); ri = np.array([r["n_spikes_i"] for r in rows])
        print(f"poisson {name}: r_E {re.mean():.2f} ± {re.std(ddof=1):.2f} Hz, r_I {ri.mean():.2f} ± {ri.std(ddof=1):.2f} Hz",
              flush=True)


def write(out, fname, obj):
    path = os.path.join(out, fname)
    with open(path + ".tmp", "w") as f:
        json.dump(obj, f, indent=None, separators=(",", ":"))
        f.write("\n")
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="fi,det,poisson", help="comma-separated: fi, det, poisson")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "sim", "testdata", "brian2"))
    ap.add_argument("--seeds", type=int, default=1000, help="Poisson seeds per case")
    a = ap.parse_args()
    if not brian2_version.startswith("2.5."):
        print(f"warning: goldens are defined against Brian2 2.5.1, this is {brian2_version}", file=sys.stderr)
    os.makedirs(a.out, exist_ok=True)
    parts = a.only.split(",")
    if "fi" in parts:
        gen_fi(a.out)
    if "det" in parts:
        gen_det(a.out)
    if "poisson" in parts:
        gen_poisson(a.out, a.seeds)


if __name__ == "__main__":
    main()
