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


class Trainer:
    """One training's state in the seed code's matrix form: moving averages, weights per pathway
    (pA, in synapse order), and the adjacency matrices of the presynaptic means."""

    def __init__(self, rule, alpha, conn, w0, n_e, n_i):
        self.rule, self.alpha, self.conn, self.n_e, self.n_i = rule, alpha, conn, n_e, n_i
        self.w = {q: np.asarray(w0[q], dtype=float).copy() for q in w0}
        self.sizes = {"EE": (n_e, n_e), "IE": (n_e, n_i), "EI": (n_i, n_e), "II": (n_i, n_i)}
        self.aEI = np.zeros((n_i, n_e))
        np.add.at(self.aEI, (conn["EI"][0], conn["EI"][1]), 1.0)
        self.aIE = np.zeros((n_e, n_i))
        np.add.at(self.aIE, (conn["IE"][0], conn["IE"][1]), 1.0)
        self.nInhOntoExc, self.nExcOntoInh = self.aEI.sum(0), self.aIE.sum(0)
        self.mE = None

    def step(self, rE, rI, popE, popI):
        """Folds one trial's rates into the averages and updates the weights; returns mean |dW|."""
        alpha, conn = self.alpha, self.conn
        if self.mE is None:
            self.mE, self.mI, self.mEp, self.mIp = np.array(rE, dtype=float), np.array(rI, dtype=float), popE, popI
        else:
            self.mE += (-self.mE + rE) / TAU
            self.mI += (-self.mI + rI) / TAU
            self.mEp += (-self.mEp + popE) / TAU
            self.mIp += (-self.mIp + popI) / TAU
        mE, mI, mEp, mIp, w = self.mE, self.mI, self.mEp, self.mIp, self.w
        mats = {}
        for q, (npre, npost) in self.sizes.items():
            m = np.zeros((npre, npost))
            m[conn[q][0], conn[q][1]] = w[q]
            mats[q] = m
        if self.rule == "cross-homeo-population":
            dw = {"EE": alpha * (I_SET - mIp), "EI": -alpha * (I_SET - mIp),
                  "IE": -alpha * (E_SET - mEp), "II": alpha * (E_SET - mEp)}
            madw = {q: abs(dw[q]) for q in dw}
            for q in w:
                w[q] = w[q] + dw[q]
        else:
            Ibar = np.matmul(mI, self.aEI) / self.nInhOntoExc
            Ebar = np.matmul(mE, self.aIE) / self.nExcOntoInh
            mE[mE < FLOOR] = FLOOR
            mI[mI < FLOOR] = FLOOR
            dw = {"EE": alpha * np.outer(mE, E_SET - mE), "EI": -alpha * np.outer(mI, E_SET - mE),
                  "IE": alpha * np.outer(mE, I_SET - mI), "II": -alpha * np.outer(mI, I_SET - mI)}
            if self.rule == "cross-homeo-local":
                ch = {"EE": alpha * np.outer(mE, I_SET - Ibar), "EI": -alpha * np.outer(mI, I_SET - Ibar),
                      "IE": -alpha * np.outer(mE, E_SET - Ebar), "II": alpha * np.outer(mI, E_SET - Ebar)}
                dw = {q: ch[q] + dw[q] for q in dw}
            madw = {q: float(np.mean(np.fabs(dw[q][conn[q][0], conn[q][1]]))) for q in dw}
            for q in w:
                mats[q] += dw[q]
                w[q] = mats[q][conn[q][0], conn[q][1]]
        for q in w:
            w[q] = np.clip(w[q], WMIN, WMAX)
        return madw


def train(rule, conn, w0, trial_rates):
    t = Trainer(rule, ALPHA[rule], conn, w0, N_E, N_I)
    out = []
    for rE, rI in trial_rates:
        madw = t.step(rE, rI, rE.mean(), rI.mean())
        out.append({"avg_e_units": t.mE.tolist(), "avg_i_units": t.mI.tolist(), "avg_e": t.mEp, "avg_i": t.mIp,
                    "mean_w": {q: float(t.w[q].mean()) for q in t.w}, "mean_abs_dw": {q: float(madw[q]) for q in madw}})
    return out, {q: t.w[q].tolist() for q in t.w}


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
