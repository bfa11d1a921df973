"""Cache features for a world: python build.py FILE OUT START END STEP"""
import os
import datetime, sys, time
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
DIR = os.environ.get("RANKING_DIR", "/tmp/ranking")
from feat import WorldFeatures, days, CFG
from amparo.earlywarning import world as W

path, out, start, end, step = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
t = time.time()
w, r = W.from_interchange(path)
f = WorldFeatures(w, r)
print("loaded", time.time() - t, flush=True)
ds = days(datetime.date.fromisoformat(start), datetime.date.fromisoformat(end), step)
X = np.zeros((len(ds), f.n, len(f.names())), dtype=np.float32)
H = np.zeros((len(ds), f.n), dtype=np.float32)
for k, d in enumerate(ds):
    cands = w.scan(d, config=CFG)
    X[k] = f.features(d, cands)
    H[k] = f.hazard(d)
    if k % 20 == 0:
        print(k, d, time.time() - t, flush=True)
np.savez(out, X=X, H=H, days=np.array([d.toordinal() for d in ds]), live=f.live,
         e_def=f.e_def, e_date=f.e_date, names=np.array(f.names()), ids=np.array(f.ids),
         o_def=f.o_def, o_rep=f.o_rep, threat=(f.o_flags[:, 1] | f.o_flags[:, 2]))
print("done", time.time() - t)
