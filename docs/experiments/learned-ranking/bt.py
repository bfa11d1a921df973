"""Exact back-test with the learned score as the warning_budget ranking: bt.py WORLD WEIGHTS COLS [budget]"""
import os
import datetime, json, sys, time
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
DIR = os.environ.get("RANKING_DIR", "/tmp/ranking")
from feat import WorldFeatures
from additive import raw
from amparo.earlywarning import engine, world as W, backtest
from amparo.earlywarning.config import EngineConfig

path, wpath, cpath = sys.argv[1:4]
budget = float(sys.argv[4]) if len(sys.argv) > 4 else 0.1
w = np.load(wpath); cols = open(cpath).read().split(",")
t = time.time()
wo, ro = W.from_interchange(path)
f = WorldFeatures(wo, ro)
names = f.names(); idx = [names.index(c) for c in cols]

def learned_scores(as_of, config, candidates, store):
    X = raw(f.features(as_of, list(candidates))[:, idx], cols)
    s = w[0] + X @ w[1:]
    return {d: float(s[i]) for i, d in enumerate(f.ids)}

engine.warning_rank_scores = learned_scores
res, _ = backtest.backtest_world(wo, ro, start=datetime.date(2024, 1, 1), end=datetime.date(2024, 12, 30),
                                 config=EngineConfig(warning_budget=budget))
e = res["engine"]
out = {"world": path, "weights": wpath, "events": res["events"], "wall": time.time() - t,
       "watch+": [e["recall"], e["burden"], res["threat_rule_equal_burden"]["recall"], res["threat_rule_equal_burden"]["days"]],
       "random_mean": res["random"]["seeds"]["mean_recall"], "women": e["women"]["recall"],
       "lead": e["lead_days"], "by_level": e["by_level"], "by_kind": {k: [v["recall"], v["burden"], v["alerts"]] for k, v in e["by_kind"].items()},
       "alerts": e["alerts"]}
for p in e["by_level"]:
    print(p["min_level"], "recall %.3f burden %.4f TR %.3f (%s d) ratio %.3f" % (p["recall"], p["burden"], p["threat_rule_recall"], p["threat_rule_days"], p["recall"] / p["threat_rule_recall"]))
print(json.dumps(out, default=str))
