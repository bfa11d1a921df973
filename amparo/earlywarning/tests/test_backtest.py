"""run_backtest with a fake scan over a tiny database: exact alerts, exact metrics."""

from __future__ import annotations

import datetime
import io
import json

import pytest

from amparo.earlywarning.backtest import run_backtest
from amparo.earlywarning.candidates import AlertCandidate
from amparo.earlywarning.models import Alert
from amparo.incidents.services import IncidentData, incident_record
from amparo.registry.services import DefenderData, defender_register

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def world(coordinator):
    def defender(external_id, gender):
        return defender_register(
            actor=coordinator,
            data=DefenderData(
                name=f"Name {external_id}",
                country="CO",
                categories=["journalist"],
                gender=gender,
                registered_on=D(2024, 1, 1),
            ),
            external_id=external_id,
        )

    ana, ben = defender("ana", "woman"), defender("ben", "man")

    def incident(victim, day, reported, violations):
        incident_record(
            actor=coordinator,
            data=IncidentData(
                date=day,
                reported_on=reported,
                country="CO",
                violations=violations,
                victim_defenders=[victim],
            ),
        )

    incident(ana, D(2024, 2, 20), D(2024, 2, 20), ["threat"])
    incident(ana, D(2024, 3, 5), D(2024, 3, 7), ["physical_attack"])
    incident(ben, D(2024, 3, 8), D(2024, 3, 8), ["killing"])
    incident(ben, D(2024, 3, 9), D(2024, 3, 9), ["harassment"])  # not grave
    return str(ana.pk), str(ben.pk)


class FakeScan:
    def __init__(self, ana, ben):
        self.calls = []
        self.ana, self.ben = ana, ben

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        (day,) = args
        esc = {"kind": "escalation", "dedupe_key": "esc:ana", "defender_ids": (self.ana,)}
        if day == D(2024, 3, 2):
            return [self._c(day, D(2024, 3, 4), "watch", "Threat reported.", **esc)]
        if day == D(2024, 3, 4):  # still active: extends bt-1, raises its level
            return [self._c(day, D(2024, 3, 6), "warning", "Second threat.", **esc)]
        if day == D(2024, 3, 7):
            return [
                self._c(
                    day,
                    D(2024, 3, 8),
                    "urgent",
                    "Calendar window.",
                    kind="calendar",
                    dedupe_key="calendar:e1",
                    defender_ids=tuple(sorted((self.ana, self.ben))),
                    categories=("journalist",),
                )
            ]
        return []

    @staticmethod
    def _c(day, expires, level, reason, **fields):
        return AlertCandidate(
            level=level,
            raised_on=day,
            expires_on=expires,
            reason=reason,
            country="CO",
            evidence={"rule": fields["kind"]},
            **fields,
        )


def test_backtest_writes_exact_alerts_and_metrics(world, tmp_path):
    ana, ben = world
    scan = FakeScan(ana, ben)
    out = io.StringIO()
    alerts_file, json_file = tmp_path / "alerts.jsonl", tmp_path / "metrics.json"
    result = run_backtest(
        start=D(2024, 3, 1),
        end=D(2024, 3, 10),
        alerts_path=alerts_file,
        json_path=json_file,
        stdout=out,
        scan=scan,
        seed=1,
    )

    # As of each day, the day's date and nothing else.
    assert scan.calls == [((D(2024, 3, 1) + datetime.timedelta(days=i),), {}) for i in range(10)]
    assert Alert.objects.count() == 0

    assert alerts_file.read_text().splitlines() == [
        '{"type":"alert","id":"bt-1","kind":"escalation","level":"warning",'
        '"raised_on":"2024-03-02","expires_on":"2024-03-06","defenders":["ana"],'
        '"country":"CO","subdivision":"","categories":[],"reason":"Threat reported.",'
        '"evidence":{"rule":"escalation"}}',
        '{"type":"alert","id":"bt-2","kind":"calendar","level":"urgent",'
        '"raised_on":"2024-03-07","expires_on":"2024-03-08","defenders":["ana","ben"],'
        '"country":"CO","subdivision":"","categories":["journalist"],'
        '"reason":"Calendar window.","evidence":{"rule":"calendar"}}',
    ]
    assert json.loads(json_file.read_text()) == result

    assert (result["defenders"], result["events"], result["women_events"]) == (2, 2, 1)
    engine = result["engine"]
    # ana attacked 03-05, covered since 03-02 (lead 3); ben killed 03-08, covered since 03-07.
    assert (engine["recall"], engine["actionable_recall"]) == (1.0, 0.5)
    assert engine["lead_days"] == {"p25": 1.5, "median": 2.0, "p75": 2.5}
    assert engine["covered_defender_days"] == 7 + 2
    assert engine["burden"] == 9 / 20
    assert engine["alerts"] == 2
    assert engine["alerts_per_100_defender_months"] == 200 / (20 / (365.25 / 12))
    assert (engine["women"]["recall"], engine["women"]["actionable_recall"]) == (1.0, 1.0)
    assert engine["by_kind"]["escalation"]["recall"] == 0.5
    assert engine["by_kind"]["escalation"]["covered_defender_days"] == 5
    assert engine["by_kind"]["calendar"]["recall"] == 0.5
    assert engine["by_kind"]["calendar"]["actionable_recall"] == 0.0
    levels = {p["min_level"]: p for p in engine["by_level"]}
    assert (levels["watch"]["recall"], levels["watch"]["burden"]) == (1.0, 9 / 20)
    # warning from 03-04 (the extension), so ana's lead is 1 at warning+
    assert (levels["warning"]["recall"], levels["warning"]["actionable_recall"]) == (1.0, 0.0)
    assert levels["warning"]["covered_defender_days"] == 7
    assert (levels["urgent"]["recall"], levels["urgent"]["covered_defender_days"]) == (0.5, 4)
    # The threat rule stretched to each level's burden (as for the whole engine, below).
    assert levels["watch"]["threat_rule_days"] == 19
    assert levels["watch"]["threat_rule_recall"] == result["threat_rule_equal_burden"]["recall"]

    threat = result["threat_rule"]
    # ana threatened 02-20: covered the whole window, from 03-01 as for the replay (lead 4).
    assert (threat["recall"], threat["actionable_recall"]) == (0.5, 0.5)
    assert threat["lead_days"]["median"] == 4
    assert threat["burden"] == 10 / 20
    assert threat["alerts"] == 1  # raised before the window, active on its first day

    # Stretched to the engine's 9 covered defender-days: ana's threat of 02-20 covers
    # 03-01 .. 02-20 + d - 1, i.e. d - 10 days of the window: d = 19.
    stretched = result["threat_rule_equal_burden"]
    assert (stretched["days"], stretched["covered_defender_days"]) == (19, 9)
    assert stretched["recall"] == 0.5

    rand = result["random"]
    assert rand["seeds"]["count"] == 10
    assert rand["covered_defender_days"] == engine["covered_defender_days"]
    assert rand["alerts"] == 1

    table = out.getvalue()
    assert "engine" in table and "threat rule 60 d" in table and "random" in table
    assert "threat rule 19 d" in table
    assert "warning+" in table


def test_backtest_is_deterministic_for_a_seed(world, tmp_path):
    ana, ben = world
    first = run_backtest(
        start=D(2024, 3, 1), end=D(2024, 3, 10), stdout=io.StringIO(), scan=FakeScan(ana, ben)
    )
    again = run_backtest(
        start=D(2024, 3, 1), end=D(2024, 3, 10), stdout=io.StringIO(), scan=FakeScan(ana, ben)
    )
    assert first == again


def test_backtest_refuses_a_reversed_window(db):
    with pytest.raises(ValueError):
        run_backtest(start=D(2024, 3, 2), end=D(2024, 3, 1), scan=lambda day: [])


def test_replaying_the_threat_rule_scan_reproduces_the_threat_rule_baseline(world):
    from amparo.earlywarning.baselines import threat_rule_scan

    result = run_backtest(
        start=D(2024, 3, 1), end=D(2024, 5, 31), stdout=io.StringIO(), scan=threat_rule_scan
    )
    engine, threat = result["engine"], result["threat_rule"]
    for key in ("recall", "actionable_recall", "lead_days", "covered_defender_days", "alerts"):
        assert engine[key] == threat[key]
    assert engine["covered_defender_days"] == 50  # ana 03-01 .. 04-19
