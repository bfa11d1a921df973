"""Features per (defender, day), as of the day, for a learned warning ranking (experiment)."""
import os

import datetime
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
DIR = os.environ.get("RANKING_DIR", "/tmp/ranking")
import setup_dj  # noqa: F401,E402

from amparo.earlywarning.config import EngineConfig  # noqa: E402
from amparo.earlywarning.models import AlertKind  # noqa: E402

CFG = EngineConfig()
GRAVE = CFG.grave_violations
THREATS = {"threat", "intimidation"}
HALF_LIVES = (7.0, 30.0, 120.0)
LOOK_BACK = 365
GROUPS = ("grave", "death", "threat", "other")
THREAT_BINS = ((0, 7), (8, 14), (15, 30), (31, 60))


def ordinal(d):
    return d.toordinal()


class WorldFeatures:
    def __init__(self, world, roster):
        self.world = world
        self.roster = roster
        reg = world.registry
        self.ids = sorted(reg.defenders)
        self.index = {d: i for i, d in enumerate(self.ids)}
        self.n = len(self.ids)
        self.live = np.array([reg.defenders[d].live for d in self.ids])
        # own incidents: one record per (incident, victim)
        own = []
        rel = []
        for inc in world.store.items:
            g = inc.violations & GRAVE
            flags = (
                bool(g),
                "death_threat" in inc.violations,
                bool(inc.violations & THREATS) and "death_threat" not in inc.violations,
                not g and not (inc.violations & (THREATS | {"death_threat"})),
            )
            for v in inc.victims:
                own.append((self.index[v], inc.date.toordinal(), inc.reported_on.toordinal(), *flags))
            for v in inc.relatives_of:
                if v in self.index:
                    rel.append((self.index[v], inc.date.toordinal(), inc.reported_on.toordinal(), flags[0]))
        own = np.array(own, dtype=np.int64)
        self.o_def, self.o_date, self.o_rep = own[:, 0], own[:, 1], own[:, 2]
        self.o_flags = own[:, 3:7].astype(bool)
        rel = np.array(rel, dtype=np.int64)
        self.r_def, self.r_date, self.r_rep, self.r_grave = rel[:, 0], rel[:, 1], rel[:, 2], rel[:, 3].astype(bool)
        # colleagues: every incident on a member, expanded to the other members of their orgs
        col = []
        for k in range(len(self.o_def)):
            v = self.ids[self.o_def[k]]
            orgs = reg.orgs_of.get(v, ())
            mates = set().union(*(reg.members[o] for o in orgs)) - {v} if orgs else set()
            for m in mates:
                col.append((self.index[m], self.o_def[k], self.o_date[k], self.o_rep[k], self.o_flags[k, 0], self.o_flags[k, 1] | self.o_flags[k, 2]))
        col = np.array(col, dtype=np.int64)
        self.c_def, self.c_vic, self.c_date, self.c_rep = col[:, 0], col[:, 1], col[:, 2], col[:, 3]
        self.c_grave, self.c_threat = col[:, 4].astype(bool), col[:, 5].astype(bool)
        # static
        org_size = np.zeros(self.n)
        for d, orgs in reg.orgs_of.items():
            org_size[self.index[d]] = max(len(reg.members[o]) for o in orgs)
        cats = sorted({c for f in reg.defenders.values() for c in f.categories})
        countries = sorted({f.country for f in reg.defenders.values()})
        self.static_names = ["log_org_size", "no_org"] + [f"cat_{c}" for c in cats] + [f"country_{c}" for c in countries[1:]]
        static = [np.log1p(org_size), (org_size == 0).astype(float)]
        for c in cats:
            static.append(np.array([c in reg.defenders[d].categories for d in self.ids], dtype=float))
        for c in countries[1:]:
            static.append(np.array([reg.defenders[d].country == c for d in self.ids], dtype=float))
        self.static = np.column_stack(static)
        # grave events for labels
        ev = self.o_flags[:, 0]
        self.e_def, self.e_date = self.o_def[ev], self.o_date[ev]

    def names(self):
        names = []
        for h in HALF_LIVES:
            names += [f"own_{g}_h{int(h)}" for g in GROUPS]
        names += [f"threat_{a}_{b}" for a, b in THREAT_BINS]
        names += [f"death_{a}_{b}" for a, b in THREAT_BINS]
        names += ["rel_any_h30", "rel_grave_h30"]
        names += ["col_grave_h15", "col_grave_h60", "col_threat_h30", "col_distinct_grave_90"]
        names += ["cal_peak", "cal_short", "cal_any", "regional", "network_weight"]
        return names + self.static_names

    def _decayed(self, d, dates, reps, defs, h, mask=None, look=LOOK_BACK):
        m = (reps <= d) & (dates >= d - look) & (dates <= d)
        if mask is not None:
            m &= mask
        w = 0.5 ** ((d - dates[m]) / h)
        return np.bincount(defs[m], weights=w, minlength=self.n)

    def features(self, day, candidates):
        d = day.toordinal()
        cols = []
        known = (self.o_rep <= d) & (self.o_date >= d - LOOK_BACK) & (self.o_date <= d)
        age = d - self.o_date
        for h in HALF_LIVES:
            w = np.where(known, 0.5 ** (age / h), 0.0)
            for g in range(4):
                cols.append(np.log1p(np.bincount(self.o_def, weights=w * self.o_flags[:, g], minlength=self.n)))
        # days since last report of a threat / death threat (by report date)
        for flag in (self.o_flags[:, 2], self.o_flags[:, 1]):
            m = flag & (self.o_rep <= d) & (self.o_rep >= d - 60)
            last = np.full(self.n, -10**9)
            np.maximum.at(last, self.o_def[m], self.o_rep[m])
            since = d - last
            for a, b in THREAT_BINS:
                cols.append(((since >= a) & (since <= b)).astype(float))
        cols.append(np.log1p(self._decayed(d, self.r_date, self.r_rep, self.r_def, 30.0)))
        cols.append(np.log1p(self._decayed(d, self.r_date, self.r_rep, self.r_def, 30.0, self.r_grave)))
        cols.append(np.log1p(self._decayed(d, self.c_date, self.c_rep, self.c_def, 15.0, self.c_grave)))
        cols.append(np.log1p(self._decayed(d, self.c_date, self.c_rep, self.c_def, 60.0, self.c_grave)))
        cols.append(np.log1p(self._decayed(d, self.c_date, self.c_rep, self.c_def, 30.0, self.c_threat)))
        m = self.c_grave & (self.c_rep <= d) & (self.c_date >= d - 90) & (self.c_date <= d)
        pairs = np.unique(self.c_def[m] * self.n + self.c_vic[m])
        cols.append(np.log1p(np.bincount(pairs // self.n, minlength=self.n).astype(float)))
        peak = np.zeros(self.n)
        short = np.zeros(self.n)
        anycal = np.zeros(self.n)
        regional = np.zeros(self.n)
        network = np.zeros(self.n)
        for c in candidates:
            idx = [self.index[x] for x in c.defender_ids if x in self.index]
            if c.kind == AlertKind.CALENDAR.value:
                anycal[idx] = 1
                if c.dedupe_key.startswith("calendar-peak:"):
                    peak[idx] = 1
                elif c.level != "watch":
                    short[idx] = 1
            elif c.kind == AlertKind.REGIONAL.value:
                regional[idx] = 1
            elif c.kind == AlertKind.NETWORK.value:
                network[idx] = np.maximum(network[idx], float(c.evidence.get("weight", 0.0)))
        cols += [peak, short, anycal, regional, np.log1p(network)]
        return np.column_stack([*cols, self.static])

    def labels(self, day, horizon):
        d = day.toordinal()
        m = (self.e_date > d) & (self.e_date <= d + horizon)
        y = np.zeros(self.n)
        y[self.e_def[m]] = 1
        return y

    def hazard(self, day):
        """The engine's hazard score (weights grave 1 / threat 2 / other 1, half-life 30)."""
        d = day.toordinal()
        known = (self.o_rep <= d) & (self.o_date >= d - LOOK_BACK) & (self.o_date <= d)
        thr = self.o_flags[:, 1] | self.o_flags[:, 2]
        wg = np.where(self.o_flags[:, 0], 1.0, np.where(thr, 2.0, 1.0))
        w = np.where(known, wg * 0.5 ** ((d - self.o_date) / 30.0), 0.0)
        return np.bincount(self.o_def, weights=w, minlength=self.n)


def days(start, end, step=1):
    out = []
    d = start
    while d <= end:
        out.append(d)
        d += datetime.timedelta(days=step)
    return out
