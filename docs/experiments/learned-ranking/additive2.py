"""Additive intensity fit on non-urgent rows; proxy with urgent taken out (as the budget does)."""
import os
import datetime, sys
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
DIR = os.environ.get("RANKING_DIR", "/tmp/ranking")
from fit import load
from additive import raw, counts, em_fit

def urgent_mask(z, names):
    j = [names.index(c) for c in ("death_0_7", "death_8_14", "death_15_30")]
    return z["X"][:, :, j].max(2) > 0

def proxy2(z, score, urgent, share=0.1):
    days = z["days"]; live = z["live"]
    k = round(share * live.sum())
    top = np.zeros(score.shape, dtype=bool)
    for i in range(len(days)):
        u = urgent[i] & live
        ok = live & ~u
        s = np.where(ok, score[i], -np.inf)
        idx = np.argsort(-s, kind="stable")[:max(k - u.sum(), 0)]
        top[i, idx] = True
        top[i] |= u
    lo, hi = datetime.date(2024, 1, 1).toordinal(), datetime.date(2024, 12, 30).toordinal()
    m = (z["e_date"] >= lo) & (z["e_date"] <= hi)
    return top[z["e_date"][m] - 1 - days[0], z["e_def"][m]].mean()

if __name__ == "__main__":
    H = int(sys.argv[1]); cols = sys.argv[2].split(",") if sys.argv[2] else None
    tag = sys.argv[3]
    tr = load(f"{DIR}/s1_train.npz")
    names = list(tr["names"])
    keep = tr["days"] <= datetime.date(2023, 12, 31).toordinal() - H
    urg = urgent_mask(tr, names)[keep][:, tr["live"]].reshape(-1)
    X = raw(tr["X"][keep][:, tr["live"]], names).reshape(-1, len(names))
    Y = counts(tr, H)[keep][:, tr["live"]].reshape(-1)
    idx = list(range(len(names))) if cols is None else [names.index(c) for c in cols]
    Xs = np.column_stack([np.ones(len(X)), X[:, idx]])[~urg]
    w = em_fit(Xs, Y[~urg], iters=500)
    np.save(f"{DIR}/w_{tag}.npy", w)
    open(f"{DIR}/w_{tag}.cols", "w").write(",".join(names[i] for i in idx))
    print(tag, "H", H, "const", round(w[0], 5), " ".join(f"{names[i]}={w[j+1]:.4f}" for j, i in enumerate(idx) if w[j+1] > 1e-4))
    for s in sys.argv[4:]:
        ev = load(s)
        u = urgent_mask(ev, names)
        Xe = raw(ev["X"][:, :, idx], [names[i] for i in idx])
        sc = w[0] + Xe @ w[1:]
        print(s, "learned %.3f" % proxy2(ev, sc, u), "hazard %.3f" % proxy2(ev, np.maximum(ev["H"].astype(float), 0) + 0.0, u), flush=True)
