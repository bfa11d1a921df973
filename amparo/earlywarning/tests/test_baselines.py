"""Baselines on tiny fixtures: exact threat-rule intervals, random alerting at equal burden."""

from __future__ import annotations

import datetime

from amparo.earlywarning.baselines import random_segments, threat_rule_segments
from amparo.earlywarning.metrics import Population, Segment, coverage, covered_days


def d(day: int) -> datetime.date:
    return datetime.date(2024, 1, 1) + datetime.timedelta(days=day - 1)


def test_threat_rule_covers_sixty_days_from_the_report_and_merges_like_an_inbox():
    threats = [
        ("a", d(5)),  # covers 5..64: alert 1
        ("a", d(30)),  # while active: extends to 89, no new alert
        ("a", d(90)),  # the day after expiry: a new alert (covers 90..149)
        ("a", d(91)),  # after the window: ignored
        ("b", d(-20)),  # before the window, still active on day 1: covers, counts once
        ("c", d(-70)),  # expired before the window: ignored
    ]
    segments, alerts = threat_rule_segments(threats, start=d(1), end=d(90))
    assert segments == [
        Segment("a", d(5), d(64), "threat_rule", "warning"),
        Segment("a", d(30), d(89), "threat_rule", "warning"),
        Segment("a", d(90), d(149), "threat_rule", "warning"),
        Segment("b", d(1), d(39), "threat_rule", "warning"),
    ]
    assert alerts == 3
    assert coverage(segments) == {"a": [(d(5), d(149))], "b": [(d(1), d(39))]}


REGISTERED = {f"d{i}": d(1) for i in range(10)} | {"late": d(20)}
POP = Population(d(1), d(45), REGISTERED)
ENGINE = [Segment("d0", d(1), d(40)), Segment("d1", d(10), d(14))]


def _block_days(segments, start, end):
    return covered_days(coverage(segments), Population(start, end, REGISTERED))


def test_random_alerting_matches_the_engine_burden_per_block():
    segments, alerts = random_segments(ENGINE, POP, seed=7)
    # block 1 (days 1-30): engine 30 + 5 = 35 defender-days; block 2 (31-45): 10.
    assert _block_days(segments, d(1), d(30)) == 35
    assert _block_days(segments, d(31), d(45)) == 10
    assert covered_days(coverage(segments), POP) == covered_days(coverage(ENGINE), POP)
    assert alerts == 3  # one whole-block pick and one partial in block 1, one partial in 2
    whole = [s for s in segments if s.start == d(1) and s.end == d(30)]
    partial = [s for s in segments if s.start == d(1) and s.end == d(5)]
    assert len(whole) == 1 and len(partial) == 1
    assert [(s.start, s.end) for s in segments if s.start == d(31)] == [(d(31), d(40))]
    # a defender registered mid-block is not drawn for that block
    assert all(s.defender_id != "late" for s in segments if s.start == d(1))


def test_random_alerting_is_seeded_deterministic():
    first, _ = random_segments(ENGINE, POP, seed=3)
    again, _ = random_segments(ENGINE, POP, seed=3)
    assert first == again
    draws = {
        tuple(s.defender_id for s in random_segments(ENGINE, POP, seed=s)[0]) for s in range(8)
    }
    assert len(draws) > 1


def test_random_alerting_is_capped_at_everyone():
    engine = [Segment(f"d{i}", d(1), d(45)) for i in range(10)] + [Segment("late", d(1), d(45))]
    segments, _ = random_segments(engine, POP, seed=0)
    assert covered_days(coverage(segments), POP) <= POP.defender_days()
