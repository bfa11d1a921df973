"""Back-test metrics on hand-built intervals: exact numbers."""

from __future__ import annotations

import datetime

from amparo.earlywarning.metrics import (
    AttackEvent,
    Population,
    Segment,
    coverage,
    lead_days,
    merge_intervals,
    quantile,
    summarise,
)


def d(day: int) -> datetime.date:
    return datetime.date(2024, 1, 1) + datetime.timedelta(days=day - 1)


START, END = d(1), d(30)
POP = Population(START, END, {"a": d(1), "b": d(1), "c": d(1), "w": d(16)})


def test_merge_joins_overlapping_and_touching_intervals():
    assert merge_intervals([(d(5), d(7)), (d(1), d(3)), (d(4), d(4)), (d(10), d(12))]) == [
        (d(1), d(7)),
        (d(10), d(12)),
    ]


def test_lead_is_days_from_episode_start():
    cov = coverage([Segment("a", d(3), d(6)), Segment("a", d(7), d(9))])
    assert lead_days(cov["a"], d(9)) == 6
    assert lead_days(cov["a"], d(3)) == 0
    assert lead_days(cov["a"], d(10)) is None


def test_quantile_interpolates_like_numpy():
    assert quantile([1, 2, 3, 4], 0.5) == 2.5
    assert quantile([1, 2, 3, 4], 0.25) == 1.75
    assert quantile([], 0.5) is None


def test_population_counts_days_from_registration():
    assert POP.defender_days() == 30 * 3 + 15


SEGMENTS = [
    Segment("a", d(1), d(10), "escalation", "warning"),  # a attacked on 5: lead 4
    Segment("b", d(9), d(12), "calendar", "watch"),  # b attacked on 10: lead 1
    Segment("b", d(11), d(40), "network", "urgent"),  # b: urgent from 11, clipped at 30
    Segment("w", d(1), d(20), "calendar", "watch"),  # w monitored from 16: 5 days count
]
EVENTS = [
    AttackEvent("a", d(5), d(6), "man"),
    AttackEvent("b", d(10), d(10), "woman"),
    AttackEvent("c", d(20), d(20), "man"),  # never covered
    AttackEvent("w", d(16), d(30), "woman"),  # covered since 1: lead 15
    AttackEvent("b", d(9), d(9), "woman"),  # alert raised the same day: lead 0, missed
]


def test_summary_exact_figures():
    result = summarise(
        events=EVENTS,
        segments=SEGMENTS,
        population=POP,
        alerts_raised=4,
        alerts_by_kind={"escalation": 1, "calendar": 2, "network": 1},
    )
    assert result["events"] == 5
    assert result["preceded"] == 3  # leads 4, 1, 15
    assert result["recall"] == 3 / 5
    assert result["actionable"] == 2  # leads 4 and 15
    assert result["actionable_recall"] == 2 / 5
    assert result["lead_days"] == {"p25": 2.5, "median": 4, "p75": 9.5}
    # a: 10 days, b: 9..30 = 22 days, w: 16..20 = 5 days
    assert result["covered_defender_days"] == 37
    assert result["defender_days"] == 105
    assert result["burden"] == 37 / 105
    assert result["alerts_per_100_defender_months"] == 100 * 4 / (105 / (365.25 / 12))
    women = result["women"]
    assert (women["events"], women["preceded"], women["actionable"]) == (3, 2, 1)
    assert women["lead_days"]["median"] == 8

    by_kind = result["by_kind"]
    assert sorted(by_kind) == ["calendar", "escalation", "network"]
    assert by_kind["escalation"]["recall"] == 1 / 5
    assert by_kind["escalation"]["burden"] == 10 / 105
    assert by_kind["calendar"]["preceded"] == 2  # b lead 1, w lead 15
    assert by_kind["calendar"]["actionable"] == 1
    assert by_kind["calendar"]["covered_defender_days"] == 4 + 5
    assert by_kind["calendar"]["alerts"] == 2
    assert by_kind["network"]["recall"] == 0  # b covered by network only from 11
    assert by_kind["network"]["covered_defender_days"] == 20

    levels = {p["min_level"]: p for p in result["by_level"]}
    assert levels["watch"]["recall"] == 3 / 5
    assert levels["watch"]["burden"] == 37 / 105
    assert levels["warning"]["recall"] == 1 / 5  # only a (escalation, warning)
    assert levels["warning"]["covered_defender_days"] == 10 + 20
    assert levels["urgent"]["recall"] == 0
    assert levels["urgent"]["covered_defender_days"] == 20


def test_no_events_gives_none_not_zero_division():
    result = summarise(events=[], segments=[], population=POP, alerts_raised=0)
    assert result["recall"] is None
    assert result["lead_days"]["median"] is None
    assert result["burden"] == 0
