"""The engine recovers each mechanism the generator plants, and beats both baselines at equal
burden: a back-test on a small generated world held in memory (world.from_interchange, no
database), default configuration. Floors are stated per mechanism; the figures are measured in
docs/early-warning-backtest.md."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from amparo.earlywarning.backtest import Replay, backtest_world
from amparo.earlywarning.config import EngineConfig
from amparo.earlywarning.generator import Parameters, generate, truth_path
from amparo.earlywarning.metrics import coverage, lead_days
from amparo.earlywarning.world import World, from_interchange

D = datetime.date
START, END = D(2024, 1, 1), D(2024, 12, 30)
# A small world with more regional outbreaks than the default (2 per 1,000 defenders would
# plant one), so that the regional detector has something to find.
PARAMETERS = Parameters(defenders=400, seed=5, outbreaks_per_1000=10.0)
# Floors, measured on this world with the default configuration (figures in the comments).
ESCALATION_FLOOR = 0.5  # 5 of 10 planted attacks in the window
ELECTION_FLOOR = 0.9  # 35 of 38 election incidents
BURST_FLOOR = 0.45  # 115 of 226 burst incidents, escalation alerts on 8.1 % of defender-days
CONTAGION_FLOOR = 0.3  # 57 of 134 contagion incidents, network alerts on 9.2 % of defender-days
BURDEN_CEILING = 0.21  # watch+ 20.2 %
WARNING_BURDEN_CEILING = 0.10  # warning+ 9.9 %
# At warning+ (the 10 % budget): 33.1 % against 29.4 % for the threat rule stretched to 9.9 %.
THREAT_RULE_RATIO = 1.1


class Run:
    def __init__(self, path: Path) -> None:
        self.truth: dict[str, Any] = json.loads(Path(truth_path(str(path))).read_text())
        self.world: World
        self.world, roster = from_interchange(path)
        self.result, self.replay = backtest_world(
            self.world, roster, start=START, end=END, config=EngineConfig()
        )
        self.incidents = {i.code: i for i in self.world.store.items}

    def mechanism(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.truth["mechanisms"] if m["kind"] == kind]

    def recall(self, codes: list[str], kind: str) -> tuple[int, int]:
        """(covered with lead >= 1 by an alert of this kind, total) over the incidents' victim
        defenders, for the incidents dated in the window."""
        replay: Replay = self.replay
        cov = coverage(replay.segments, lambda s: s.kind == kind)
        hits = total = 0
        for code in codes:
            incident = self.incidents[code]
            if not START <= incident.date <= END:
                continue
            for defender in incident.victims:
                total += 1
                lead = lead_days(cov.get(defender, []), incident.date)
                hits += lead is not None and lead >= 1
        return hits, total


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    path = tmp_path_factory.mktemp("mechanisms") / "world.jsonl"
    generate(PARAMETERS, str(path))
    return Run(path)


def _codes(run: Run, kind: str, field: str = "incidents") -> list[str]:
    return [code for m in run.mechanism(kind) for code in m[field]]


def test_threat_escalations_end_in_attacks_covered_by_escalation_alerts(run: Run) -> None:
    hits, total = run.recall(_codes(run, "threat_escalation", "outcomes"), "escalation")
    assert total >= 5
    assert hits / total >= ESCALATION_FLOOR


def test_election_seasons_are_covered_by_calendar_alerts(run: Run) -> None:
    hits, total = run.recall(_codes(run, "election_season"), "calendar")
    assert total >= 20
    assert hits / total >= ELECTION_FLOOR


def test_personal_events_are_covered_by_calendar_alerts(run: Run) -> None:
    hits, total = run.recall(_codes(run, "personal_event"), "calendar")
    assert total >= 10
    assert hits / total >= 0.8


def test_repeat_victimisation_is_covered_by_escalation_alerts(run: Run) -> None:
    """Bursts after an incident: the hazard score and the threat findings see them."""
    hits, total = run.recall(_codes(run, "repeat_victimisation"), "escalation")
    escalation = run.result["engine"]["by_kind"]["escalation"]
    assert total >= 100
    assert hits / total >= BURST_FLOOR
    assert hits / total >= 2 * escalation["burden"]


def test_organisational_contagion_is_covered_by_network_alerts(run: Run) -> None:
    hits, total = run.recall(_codes(run, "organisational_contagion"), "network")
    network = run.result["engine"]["by_kind"]["network"]
    assert total >= 50
    assert hits / total >= CONTAGION_FLOOR
    # Far more than the network alerts' share of defender-days would give by chance.
    assert hits / total >= 3 * network["burden"]


def test_reporting_delays_are_respected_and_late_threats_cost_recall(run: Run) -> None:
    # As of its day an alert cites only incidents reported by then.
    codes = {i.code: i for i in run.world.store.items}
    for alert in run.replay.alerts:
        for finding in alert.evidence.get("findings", []):
            assert all(codes[c].reported_on <= alert.raised_on for c in finding["incidents"])
        for link in alert.evidence.get("links", []):
            assert codes[link["incident"]].reported_on <= alert.raised_on
    # A planted attack is covered when one of its threats became known in the escalation
    # window before it (1 .. look-back + escalation_expiry_days days earlier; the look-back is
    # death_threat_days for a death threat, escalation_days for another threat): what a delay
    # hides until after the attack, or what is known too early, cannot count.
    config = EngineConfig()

    def reach(code: str) -> int:
        death = "death_threat" in run.incidents[code].violations
        days = config.death_threat_days if death else config.escalation_days
        return days + config.escalation_expiry_days

    in_time, other = [], []
    for m in run.mechanism("threat_escalation"):
        (outcome,) = m["outcomes"]
        attack = run.incidents[outcome].date
        gaps = [(c, (attack - run.incidents[c].reported_on).days) for c in m["precursors"]]
        visible = any(1 <= gap <= reach(c) for c, gap in gaps)
        (in_time if visible else other).append(outcome)
    hits, total = run.recall(in_time, "escalation")
    assert total >= 4 and hits == total
    hits, total = run.recall(other, "escalation")
    assert total >= 1 and hits < total


def test_engine_beats_random_alerting_and_the_threat_rule_at_equal_burden(run: Run) -> None:
    """Random at the engine's whole burden; the threat rule at the warning+ burden, the 10 %
    budget (at watch+ this 400-defender world gives 39.7 % against the stretched threat rule's
    41.2 %: the watch alerts have a lift near 1.3; docs/early-warning-backtest.md)."""
    result = run.result
    engine = result["engine"]
    assert engine["burden"] <= BURDEN_CEILING
    warning = next(p for p in engine["by_level"] if p["min_level"] == "warning")
    assert warning["burden"] <= WARNING_BURDEN_CEILING
    assert engine["recall"] > 2 * result["random"]["seeds"]["mean_recall"]
    assert result["threat_rule_equal_burden"]["covered_defender_days"] == pytest.approx(
        engine["covered_defender_days"], rel=0.05
    )
    assert warning["recall"] >= THREAT_RULE_RATIO * warning["threat_rule_recall"]


# --- Regional outbreaks: a world where they are strong enough to be seen -------------------------


def test_regional_outbreaks_are_detected_in_their_cell(tmp_path: Path) -> None:
    """At the default parameters an outbreak adds 2-5 incidents to a cell of 5-10 defenders over
    3-6 weeks, below any weekly detector's resolution (docs/early-warning-backtest.md); with
    outbreaks twelve times the background rate the regional rule finds them in their cell (at
    eight times, enough in the legacy world, the drifting and bursty background of the research
    world hides two of the four)."""
    from amparo.earlywarning.engine import regional_candidates

    path = tmp_path / "outbreaks.jsonl"
    generate(
        Parameters(defenders=400, seed=5, outbreaks_per_1000=10.0, outbreak_multiplier=12.0),
        str(path),
    )
    truth = json.loads(Path(truth_path(str(path))).read_text())
    world, _ = from_interchange(path)
    config = EngineConfig()
    outbreaks = [m for m in truth["mechanisms"] if m["kind"] == "regional_outbreak"]
    found = 0
    for m in outbreaks:
        cell = (m["parameters"]["subdivision"], m["parameters"]["category"])
        first, last = D.fromisoformat(m["start"]), D.fromisoformat(m["end"])
        day, seen = first, False
        while day <= last + datetime.timedelta(days=21) and not seen:
            seen = any(
                (c.subdivision, c.categories) == (cell[0], (cell[1],))
                and set(m["defenders"]) <= {d for d in c.defender_ids}
                for c in regional_candidates(day, config, world.store, world.registry)
            )
            day += datetime.timedelta(days=1)
        found += seen
    assert len(outbreaks) == 4
    assert found >= 3
