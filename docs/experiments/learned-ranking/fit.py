"""Fit logistic regressions on seed-1 2023 and score the daily top-10 % proxy on 2024."""
import datetime, os, sys, json
import numpy as np
DIR = os.environ.get("RANKING_DIR", "/tmp/ranking")

def logistic_fit(X, y, l2=1.0, iters=30):
    """IRLS with an L2 penalty (not on the intercept); X standardised by the caller."""
    n, p = X.shape
    A = np.column_stack([np.ones(n), X])
    beta = np.zeros(p + 1)
    beta[0] = np.log(y.mean() / (1 - y.mean()))
    pen = np.full(p + 1, l2); pen[0] = 0
    for _ in range(iters):
        eta = A @ beta
        mu = 1 / (1 + np.exp(-eta))
        w = mu * (1 - mu)
        grad = A.T @ (y - mu) - pen * beta
        hess = (A * w[:, None]).T @ A + np.diag(pen)
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return beta

def load(path):
    z = np.load(path)
    return {k: z[k] for k in z.files}

def labels(z, horizon):
    days = z["days"]; n = z["X"].shape[1]
    Y = np.zeros((len(days), n))
    for k, d in enumerate(days):
        m = (z["e_date"] > d) & (z["e_date"] <= d + horizon)
        Y[k, z["e_def"][m]] = 1
    return Y

def proxy(z, score, share=0.1, positive=False):
    """Share of 2024 grave attacks whose defender was in the day-before top share."""
    days = z["days"]; live = z["live"]
    k = round(share * live.sum())
    top = np.zeros(score.shape, dtype=bool)
    for i in range(len(days)):
        ok = live & (score[i] > 0) if positive else live
        s = np.where(ok, score[i], -np.inf)
        idx = np.argsort(-s, kind="stable")[:min(k, ok.sum())]
        top[i, idx] = True
    lo, hi = datetime.date(2024, 1, 1).toordinal(), datetime.date(2024, 12, 30).toordinal()
    m = (z["e_date"] >= lo) & (z["e_date"] <= hi)
    row = z["e_date"][m] - 1 - days[0]
    caught = top[row, z["e_def"][m]]
    return caught.mean(), m.sum()

if __name__ == "__main__":
    tr = load(f"{DIR}/s1_train.npz")
    names = list(tr["names"])
    for H in (7, 14, 30):
        keep = tr["days"] <= datetime.date(2023, 12, 31).toordinal() - H
        X = tr["X"][keep][:, tr["live"]].reshape(-1, len(names)).astype(float)
        Y = labels(tr, H)[keep][:, tr["live"]].reshape(-1)
        mu, sd = X.mean(0), X.std(0) + 1e-9
        beta = logistic_fit((X - mu) / sd, Y, l2=1.0)
        print(H, "rate", Y.mean())
        np.save(f"{DIR}/beta_H{H}.npy", np.concatenate([beta, mu, sd]))
        for s in sys.argv[1:]:
            ev = load(s)
            Xe = ev["X"].astype(float)
            sc = ((Xe - mu) / sd) @ beta[1:]
            print("  ", s, "learned %.3f" % proxy(ev, sc)[0], "hazard %.3f" % proxy(ev, ev["H"].astype(float), positive=True)[0])
