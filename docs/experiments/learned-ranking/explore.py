import os
import datetime, sys
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
DIR = os.environ.get("RANKING_DIR", "/tmp/ranking")
from fit import logistic_fit, load, labels, proxy
tr = load(f"{DIR}/s1_train.npz"); ev = load(f"{DIR}/s1_eval.npz")
names = list(tr["names"]); F = len(names)
H = int(sys.argv[1]) if len(sys.argv) > 1 else 14
keep = tr["days"] <= datetime.date(2023, 12, 31).toordinal() - H
Xall = tr["X"][keep][:, tr["live"]].reshape(-1, F).astype(float)
Yall = labels(tr, H)[keep][:, tr["live"]].reshape(-1)
Htr = tr["H"][keep][:, tr["live"]].reshape(-1)
# in-sample proxy on train days (as an eval set)
def run(label, cols, rows=None, l2=1.0):
    idx = [names.index(c) for c in cols]
    X = Xall[:, idx]; Y = Yall
    if rows is not None: X, Y = X[rows], Y[rows]
    mu, sd = X.mean(0), X.std(0) + 1e-9
    beta = logistic_fit((X - mu) / sd, Y, l2=l2)
    sc = ((ev["X"][:, :, idx].astype(float) - mu) / sd) @ beta[1:]
    print(f"{label:40s} 2024 proxy {proxy(ev, sc)[0]:.3f}", flush=True)
    return beta, mu, sd
own = [n for n in names if n.startswith("own_")]
thr = [n for n in names if n.startswith("threat_") or n.startswith("death_")]
net = ["rel_any_h30","rel_grave_h30","col_grave_h15","col_grave_h60","col_threat_h30","col_distinct_grave_90","network_weight"]
cal = ["cal_peak","cal_short","cal_any","regional"]
static = [n for n in names if n.startswith("cat_") or n.startswith("country_") or n in ("log_org_size","no_org")]
print("hazard proxy", proxy(ev, ev["H"].astype(float), positive=True)[0])
run("own h30 only", [n for n in own if n.endswith("h30")])
run("own", own)
run("own+thr", own + thr)
run("own+thr+net", own + thr + net)
run("own+thr+net+cal", own + thr + net + cal)
run("all (no static)", own + thr + net + cal)
run("all", names)
pool = Htr > 0
run("own+thr+net+cal on hazard>0 rows", own + thr + net + cal, rows=pool)
