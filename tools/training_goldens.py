"""Goldens for package train: the cross-homeostatic rules, written independently in NumPy in the
matrix form of the seed's training code (weights as pre x post matrices, np.outer, np.matmul).

    /usr/bin/python3 tools/training_goldens.py     (writes train/testdata/rules.json.gz)

A random network of 160 E and 40 I units (each pathway's pairs drawn without repetition, p 0.3),
weights drawn around the paper's initial means, and 8 trials of random per-unit Up rates (some
units silent, a few far above the set points). For each rule the file holds, after each trial,
the moving averages, the mean weight and mean |dW| of each pathway, and the final weights.
NumPy only; no Brian2.
"""
import gzip
import json
import os

import numpy as np

N_E, N_I, P = 160, 40, 0.3
ALPHA = {"cross-homeo-local": 0.005, "homeo": 0.005, "cross-homeo-population": 2.0}
TAU, E_SET, I_SET, FLOOR, WMIN, WMAX = 2.0, 5.0, 14.0, 1.0, 5.0, 750.0
TRIALS = 8
# pathway: (pre population size, post population size, initial mean pA); XY = onto X from Y
PATHWAYS = {"EE": (N_E, N_E, 80 * 500 / (200 * P)), "IE": (N_E, N_I, 100 * 500 / (200 * P)),
            "EI": (N_I, N_E, 350 * 500 / (200 * P)), "II": (N_I, N_I, 225 * 500 / (200 * P))}


def pairs(rng, n_pre, n_post, within):
    cand = [(a, b) for a in range(n_pre) for b in range(n_post) if not (within and a == b)]
    k = int(round(P * len(cand)))
    idx = np.sort(rng.choice(len(cand), size=k, replace=False))
    pre = np.array([cand[i][0] for i in idx], dtype=np.int64)
    post = np.array([cand[i][1] for i in idx], dtype=np.int64)
    return pre, post


def rates(rng, n, setp):
    r = rng.gamma(4.0, setp / 4.0, size=n)
    r[rng.random(n) < 0.05] = 0.0  # silent units
    r[rng.random(n) < 0.03] *= 6.0  # a few far above
    return r


def train(rule, conn, w0, trial_rates):
    alpha = ALPHA[rule]
    w = {q: w0[q].copy() for q in w0}
    mats = {}
    # adjacency matrices and partner counts for the presynaptic means
    aEI = np.zeros((N_I, N_E))
    np.add.at(aEI, (conn["EI"][0], conn["EI"][1]), 1.0)
    aIE = np.zeros((N_E, N_I))
    np.add.at(aIE, (conn["IE"][0], conn["IE"][1]), 1.0)
    nInhOntoExc, nExcOntoInh = aEI.sum(0), aIE.sum(0)
    mE = mI = None
    out = []
    for rE, rI in trial_rates:
        popE, popI = rE.mean(), rI.mean()
        if mE is None:
            mE, mI, mEp, mIp = rE.copy(), rI.copy(), popE, popI
        else:
            mE += (-mE + rE) / TAU
            mI += (-mI + rI) / TAU
            mEp += (-mEp + popE) / TAU
            mIp += (-mIp + popI) / TAU
        for q, (npre, npost, _) in PATHWAYS.items():
            m = np.zeros((npre, npost))
            m[conn[q][0], conn[q][1]] = w[q]
            mats[q] = m
        if rule == "cross-homeo-population":
            dw = {"EE": alpha * (I_SET - mIp), "EI": -alpha * (I_SET - mIp),
                  "IE": -alpha * (E_SET - mEp), "II": alpha * (E_SET - mEp)}
            madw = {q: abs(dw[q]) for q in dw}
            for q in w:
                w[q] = w[q] + dw[q]
        else:
            Ibar = np.matmul(mI, aEI) / nInhOntoExc
            Ebar = np.matmul(mE, aIE) / nExcOntoInh
            mE[mE < FLOOR] = FLOOR
            mI[mI < FLOOR] = FLOOR
            dw = {"EE": alpha * np.outer(mE, E_SET - mE), "EI": -alpha * np.outer(mI, E_SET - mE),
                  "IE": alpha * np.outer(mE, I_SET - mI), "II": -alpha * np.outer(mI, I_SET - mI)}
            if rule == "cross-homeo-local":
                ch = {"EE": alpha * np.outer(mE, I_SET - Ibar), "EI": -alpha * np.outer(mI, I_SET - Ibar),
                      "IE": -alpha * np.outer(mE, E_SET - Ebar), "II": alpha * np.outer(mI, E_SET - Ebar)}
                dw = {q: ch[q] + dw[q] for q in dw}
            madw = {q: float(np.mean(np.fabs(dw[q][conn[q][0], conn[q][1]]))) for q in dw}
            for q in w:
                mats[q] += dw[q]
                w[q] = mats[q][conn[q][0], conn[q][1]]
        for q in w:
            w[q] = np.clip(w[q], WMIN, WMAX)
        out.append({"avg_e_units": mE.tolist(), "avg_i_units": mI.tolist(), "avg_e": mEp, "avg_i": mIp,
                    "mean_w": {q: float(w[q].mean()) for q in w}, "mean_abs_dw": {q: float(madw[q]) for q in madw}})
    return out, {q: w[q].tolist() for q in w}


def main():
    rng = np.random.default_rng(2022)
    conn = {q: pairs(rng, npre, npost, q in ("EE", "II")) for q, (npre, npost, _) in PATHWAYS.items()}
    w0 = {}
    for q, (_, _, mu) in PATHWAYS.items():
        x = rng.normal(mu, 0.2 * mu, size=len(conn[q][0]))
        x[x < 0] = 0
        w0[q] = x
    trial_rates = [(rates(rng, N_E, E_SET), rates(rng, N_I, I_SET)) for _ in range(TRIALS)]
    doc = {
        "n_exc": N_E, "n_inh": N_I, "tau_trials": TAU, "set_exc_hz": E_SET, "set_inh_hz": I_SET,
        "floor_hz": FLOOR, "w_min_pa": WMIN, "w_max_pa": WMAX,
        "pre": {q: conn[q][0].tolist() for q in conn}, "post": {q: conn[q][1].tolist() for q in conn},
        "w0": {q: w0[q].tolist() for q in w0},
        "trials": [{"exc_units_hz": rE.tolist(), "inh_units_hz": rI.tolist(), "exc_hz": float(rE.mean()),
                    "inh_hz": float(rI.mean())} for rE, rI in trial_rates],
        "rules": {},
    }
    for rule in ALPHA:
        steps, final = train(rule, conn, w0, trial_rates)
        doc["rules"][rule] = {"alpha": ALPHA[rule], "steps": steps, "final_w": final}
    path = os.path.join(os.path.dirname(__file__), "..", "train", "testdata", "rules.json.gz")
    with gzip.open(path, "wt") as f:
        json.dump(doc, f)
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
