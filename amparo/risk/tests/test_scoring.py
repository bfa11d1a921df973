"""The level rule, exhaustively: every score triple, the thresholds, the Colombian floor."""

from __future__ import annotations

import itertools

import pytest

from amparo.risk.scoring import (
    EXTRAORDINARY_CRITERIA,
    LEVELS,
    compute_level,
    criteria_level,
    formula_level,
    score_errors,
)

EIGHT = list(EXTRAORDINARY_CRITERIA)


@pytest.mark.parametrize(
    ("threat", "vulnerability", "capacity", "criteria", "level", "rule"),
    [
        (
            0,
            4,
            1,
            [],
            "low",
            "T 0 × V 4 ÷ C 1 = 0.0 < 2 → low; Colombian criteria: 0/8 "
            "extraordinary → no floor; level: low",
        ),
        (
            1,
            1,
            1,
            [],
            "low",
            "T 1 × V 1 ÷ C 1 = 1.0 < 2 → low; Colombian criteria: 0/8 "
            "extraordinary → no floor; level: low",
        ),
        (
            2,
            1,
            1,
            [],
            "medium",
            "T 2 × V 1 ÷ C 1 = 2.0 ≥ 2 → medium; Colombian criteria: 0/8 "
            "extraordinary → no floor; level: medium",
        ),
        (
            3,
            3,
            2,
            [],
            "medium",
            "T 3 × V 3 ÷ C 2 = 4.5 ≥ 2 → medium; Colombian criteria: 0/8 "
            "extraordinary → no floor; level: medium",
        ),
        (
            3,
            2,
            1,
            [],
            "high",
            "T 3 × V 2 ÷ C 1 = 6.0 ≥ 6 → high; Colombian criteria: 0/8 "
            "extraordinary → no floor; level: high",
        ),
        (
            3,
            3,
            1,
            [*EIGHT, "grave", "imminent"],
            "extreme",
            "T 3 × V 3 ÷ C 1 = 9.0 ≥ 6 → high; "
            "Colombian criteria: 8/8 extraordinary + grave and imminent → extreme; level: extreme",
        ),
        (
            4,
            3,
            1,
            [],
            "extreme",
            "T 4 × V 3 ÷ C 1 = 12.0 ≥ 12 → extreme; Colombian criteria: "
            "0/8 extraordinary → no floor; level: extreme",
        ),
        (
            1,
            1,
            4,
            EIGHT,
            "high",
            "T 1 × V 1 ÷ C 4 = 0.2 < 2 → low; Colombian criteria: 8/8 "
            "extraordinary → high; level: high",
        ),
        (
            1,
            1,
            4,
            [*EIGHT[:7], "grave", "imminent"],
            "low",
            "T 1 × V 1 ÷ C 4 = 0.2 < 2 → low; "
            "Colombian criteria: 7/8 extraordinary → no floor (grave and imminent alone do not "
            "make it extraordinary); level: low",
        ),
        (
            4,
            4,
            1,
            EIGHT,
            "extreme",
            "T 4 × V 4 ÷ C 1 = 16.0 ≥ 12 → extreme; Colombian "
            "criteria: 8/8 extraordinary → high; level: extreme",
        ),
    ],
)
def test_level_and_rule(threat, vulnerability, capacity, criteria, level, rule):
    result = compute_level(threat, vulnerability, capacity, criteria)
    assert result.level == level
    assert result.rule == rule


def _expected_formula(score: float) -> str:
    return "extreme" if score >= 12 else "high" if score >= 6 else "medium" if score >= 2 else "low"


@pytest.mark.parametrize(
    ("threat", "vulnerability", "capacity"),
    list(itertools.product(range(5), range(5), range(1, 5))),
)
def test_every_score_triple(threat, vulnerability, capacity):
    score = threat * vulnerability / capacity
    plain = compute_level(threat, vulnerability, capacity)
    assert plain.level == plain.formula_level == _expected_formula(score)
    assert plain.criteria_level is None
    extraordinary = compute_level(threat, vulnerability, capacity, EIGHT)
    assert LEVELS.index(extraordinary.level) == max(LEVELS.index(plain.level), 2)
    extreme = compute_level(threat, vulnerability, capacity, [*EIGHT, "grave", "imminent"])
    assert extreme.level == "extreme"
    # Criteria never lower a level.
    partial = compute_level(threat, vulnerability, capacity, [*EIGHT[:4], "grave"])
    assert partial.level == plain.level


@pytest.mark.parametrize(
    ("score", "level", "comparison"),
    [
        (0.0, "low", "< 2"),
        (1.99, "low", "< 2"),
        (2.0, "medium", "≥ 2"),
        (5.99, "medium", "≥ 2"),
        (6.0, "high", "≥ 6"),
        (11.99, "high", "≥ 6"),
        (12.0, "extreme", "≥ 12"),
        (16.0, "extreme", "≥ 12"),
    ],
)
def test_thresholds(score, level, comparison):
    assert formula_level(score) == (level, comparison)


def test_criteria_floor_counts_each_criterion_once():
    assert criteria_level(EIGHT + EIGHT)[0] == "high"
    assert criteria_level(["grave", "imminent"])[0] is None
    assert criteria_level([*EIGHT, "grave"])[0] == "high"


@pytest.mark.parametrize(
    ("scores", "bad"),
    [
        ((5, 0, 1), ["threat"]),
        ((-1, 0, 1), ["threat"]),
        ((0, 5, 1), ["vulnerability"]),
        ((0, 0, 0), ["capacity"]),
        ((0, 0, 5), ["capacity"]),
        ((True, 0, 1), ["threat"]),
        ((1.5, 2, 1), ["threat"]),
        ((9, 9, 9), ["capacity", "threat", "vulnerability"]),
    ],
)
def test_score_ranges(scores, bad):
    assert sorted(score_errors(*scores)) == bad
    with pytest.raises(ValueError):
        compute_level(*scores)


def test_unknown_criterion_is_refused():
    with pytest.raises(ValueError):
        compute_level(1, 1, 1, ["likely"])
