"""Additive (Hawkes-like) intensity: lambda = sum_k w_k x_k, w >= 0, Poisson EM fit."""
import os
import datetime, sys
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
DIR = os.environ.get("RANKING_DIR", "/tmp/ranking")
from fit import load, proxy

LOGGED = lambda n: n.startswith(("own_", "rel_", "col_")) or n in ("network_weight", "log_org_size")

def raw(X, names):
    X = X.astype(float).copy()
    for j, n in enumerate(names):
        if LOGGED(n):
            X[..., j] = np.expm1(X[..., j])
    return X

def counts(z, horizon):
    days = z["days"]; n = z["X"].shape[1]
    Y = np.zeros((len(days), n))
    for k, d in enumerate(days):
        m = (z["e_date"] > d) & (z["e_date"] <= d + horizon)
        np.add.at(Y[k], z["e_def"][m], 1)
    return Y

def em_fit(X, y, iters=300):
    """Multiplicative EM for y ~ Poisson(X w), w >= 0 (X >= 0, with a constant column)."""
    w = np.full(X.shape[1], 1e-3)
    colsum = X.sum(0) + 1e-12
    for _ in range(iters):
        lam = X @ w + 1e-12
        w *= (X.T @ (y / lam)) / colsum
    return w

if __name__ == "__main__":
    H = int(sys.argv[1]); cols = sys.argv[2].split(",") if len(sys.argv) > 2 and sys.argv[2] else None
    tr = load(f"{DIR}/s1_train.npz")
    names = list(tr["names"])
    keep = tr["days"] <= datetime.date(2023, 12, 31).toordinal() - H
    X = raw(tr["X"][keep][:, tr["live"]], names).reshape(-1, len(names))
    Y = counts(tr, H)[keep][:, tr["live"]].reshape(-1)
    idx = list(range(len(names))) if cols is None else [names.index(c) for c in cols]
    Xs = np.column_stack([np.ones(len(X)), X[:, idx]])
    w = em_fit(Xs, Y)
    print("H", H, "const", round(w[0], 5))
    for j, i in enumerate(idx):
        print(f"  {names[i]:28s} {w[j+1]:.5f}")
    for s in sys.argv[3:] if len(sys.argv) > 3 else [f"{DIR}/s1_eval.npz"]:
        ev = load(s)
        Xe = raw(ev["X"][:, :, idx], [names[i] for i in idx])
        sc = w[0] + Xe @ w[1:]
        print(s, "additive proxy %.3f" % proxy(ev, sc)[0], "hazard %.3f" % proxy(ev, ev["H"].astype(float), positive=True)[0], flush=True)
    np.save(f"{DIR}/w_add_H{H}.npy", w)
    with open(f"{DIR}/w_add_H{H}.cols", "w") as fh:
        fh.write(",".join(names[i] for i in idx))
