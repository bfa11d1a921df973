"""The level rule: risk = threat × vulnerability ÷ capacity, floored by the Colombian criteria.

Pure: no database, no clock. The rule that produced a level is returned as a sentence shown to
the user and stored with the assessment, so a level is never an opaque number.

Scores are ordinal: threat and vulnerability 0–4, capacity 1–4 (a capacity of 0 would make
every threat infinite; "no capacity at all" is 1). The product T × V ÷ C runs from 0 to 16:

    score < 2          → low
    2 ≤ score < 6      → medium
    6 ≤ score < 12     → high      (Colombia: extraordinary)
    score ≥ 12         → extreme   (Colombia: extreme)

The Colombian Constitutional Court's criteria can only raise that level, never lower it: when
all eight characteristics of an extraordinary risk hold (specific, concrete, present,
important, serious, clear, exceptional, disproportionate) the level is at least high; when, in
addition, the risk is grave and imminent, it is extreme. Grave and imminent without the eight
raises nothing: under that case law the risk is then not extraordinary at all, and the
formula's level stands.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LEVELS = ("low", "medium", "high", "extreme")
THRESHOLDS = (("extreme", 12.0), ("high", 6.0), ("medium", 2.0))
EXTRAORDINARY_CRITERIA = (
    "specific",
    "concrete",
    "present",
    "important",
    "serious",
    "clear",
    "exceptional",
    "disproportionate",
)
EXTREME_CRITERIA = ("grave", "imminent")
CRITERIA = EXTRAORDINARY_CRITERIA + EXTREME_CRITERIA
SCORE_RANGES = {"threat": (0, 4), "vulnerability": (0, 4), "capacity": (1, 4)}


@dataclass(frozen=True)
class LevelResult:
    level: str
    score: float
    formula_level: str
    criteria_level: str | None
    rule: str


def level_rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else -1


def score_errors(threat: int, vulnerability: int, capacity: int) -> dict[str, str]:
    """The scores outside their ranges, by name (empty when all are valid)."""
    errors = {}
    for name, value in (
        ("threat", threat),
        ("vulnerability", vulnerability),
        ("capacity", capacity),
    ):
        low, high = SCORE_RANGES[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[name] = f"Give a whole number from {low} to {high}."
    return errors


def formula_level(score: float) -> tuple[str, str]:
    """The level of a T × V ÷ C score and the comparison that decided it."""
    for level, threshold in THRESHOLDS:
        if score >= threshold:
            return level, f"≥ {threshold:g}"
    return "low", f"< {THRESHOLDS[-1][1]:g}"


def criteria_level(criteria: Iterable[str]) -> tuple[str | None, str]:
    """The floor the Colombian criteria set (None: no floor) and how it was reached."""
    given = set(criteria)
    held = sum(1 for code in EXTRAORDINARY_CRITERIA if code in given)
    extreme = all(code in given for code in EXTREME_CRITERIA)
    total = len(EXTRAORDINARY_CRITERIA)
    if held == total and extreme:
        return "extreme", f"{held}/{total} extraordinary + grave and imminent → extreme"
    if held == total:
        return "high", f"{held}/{total} extraordinary → high"
    suffix = " (grave and imminent alone do not make it extraordinary)" if extreme else ""
    return None, f"{held}/{total} extraordinary → no floor{suffix}"


def compute_level(
    threat: int, vulnerability: int, capacity: int, criteria: Iterable[str] = ()
) -> LevelResult:
    errors = score_errors(threat, vulnerability, capacity)
    if errors:
        raise ValueError(f"Scores out of range: {sorted(errors)}")
    unknown = sorted(set(criteria) - set(CRITERIA))
    if unknown:
        raise ValueError(f"Unknown Colombian criteria: {unknown}")
    score = threat * vulnerability / capacity
    by_formula, comparison = formula_level(score)
    floor, criteria_text = criteria_level(criteria)
    level = by_formula
    if floor is not None and level_rank(floor) > level_rank(level):
        level = floor
    rule = (
        f"T {threat} × V {vulnerability} ÷ C {capacity} = {score:.1f} {comparison} → "
        f"{by_formula}; Colombian criteria: {criteria_text}; level: {level}"
    )
    return LevelResult(level, score, by_formula, floor, rule)
