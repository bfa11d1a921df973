"""Back-test metrics over plain data (docs/early-warning-backtest.md): no database, no clock.

A *segment* is one stretch of coverage of one defender by one alert rule: days ``start`` to
``end`` inclusive, with the alert's kind and level. Segments of a defender may overlap; every
metric works on their union (an *episode* is a maximal run of covered days), optionally after
filtering segments by kind or minimum level.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

DAYS_PER_MONTH = 365.25 / 12
LEVEL_ORDER = {"watch": 0, "warning": 1, "urgent": 2}
LEVEL_THRESHOLDS = ("watch", "warning", "urgent")
KINDS = ("calendar", "escalation", "network", "regional", "review_due", "unprotected")

Interval = tuple[datetime.date, datetime.date]


@dataclass(frozen=True)
class Segment:
    defender_id: str
    start: datetime.date
    end: datetime.date  # inclusive
    kind: str = ""
    level: str = "watch"


@dataclass(frozen=True)
class AttackEvent:
    """One grave attack on one defender (an incident with two victims is two events)."""

    defender_id: str
    date: datetime.date
    reported_on: datetime.date
    gender: str = "unknown"
    incident_id: str = ""


@dataclass(frozen=True)
class Population:
    """Who is monitored, from when: defender id -> first monitored day (registered_on)."""

    start: datetime.date
    end: datetime.date
    registered_on: Mapping[str, datetime.date]

    def first_day(self, defender_id: str) -> datetime.date | None:
        registered = self.registered_on.get(defender_id)
        if registered is None or registered > self.end:
            return None
        return max(registered, self.start)

    def defender_days(self) -> int:
        total = 0
        for defender_id in self.registered_on:
            first = self.first_day(defender_id)
            if first is not None:
                total += (self.end - first).days + 1
        return total


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of inclusive day intervals; touching intervals (end + 1 == next start) join."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1] + datetime.timedelta(days=1):
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def coverage(
    segments: Iterable[Segment], keep: Callable[[Segment], bool] | None = None
) -> dict[str, list[Interval]]:
    """Per defender, the union of the (kept) segments as sorted disjoint intervals."""
    raw: dict[str, list[Interval]] = {}
    for seg in segments:
        if keep is None or keep(seg):
            raw.setdefault(seg.defender_id, []).append((seg.start, seg.end))
    return {defender_id: merge_intervals(ivs) for defender_id, ivs in sorted(raw.items())}


def lead_days(intervals: list[Interval], day: datetime.date) -> int | None:
    """Days from the start of the episode covering ``day`` to ``day``; None if not covered."""
    for start, end in intervals:
        if start <= day <= end:
            return (day - start).days
        if start > day:
            break
    return None


def quantile(values: list[int], q: float) -> float | None:
    """Linear interpolation between order statistics (numpy's default, R type 7)."""
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def covered_days(cov: Mapping[str, list[Interval]], population: Population) -> int:
    """Covered defender-days inside the window and the defender's monitored period."""
    total = 0
    for defender_id, intervals in cov.items():
        first = population.first_day(defender_id)
        if first is None:
            continue
        for start, end in intervals:
            lo, hi = max(start, first), min(end, population.end)
            if lo <= hi:
                total += (hi - lo).days + 1
    return total


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _of_kind(kind: str) -> Callable[[Segment], bool]:
    return lambda seg: seg.kind == kind


def _at_least(floor: int) -> Callable[[Segment], bool]:
    return lambda seg: LEVEL_ORDER.get(seg.level, 0) >= floor


def recall_summary(events: list[AttackEvent], cov: Mapping[str, list[Interval]]) -> dict[str, Any]:
    leads = [lead_days(cov.get(e.defender_id, []), e.date) for e in events]
    preceded = [lead for lead in leads if lead is not None and lead >= 1]
    actionable = [lead for lead in preceded if lead >= 2]
    return {
        "events": len(events),
        "preceded": len(preceded),
        "recall": _ratio(len(preceded), len(events)),
        "actionable": len(actionable),
        "actionable_recall": _ratio(len(actionable), len(events)),
        "lead_days": {
            "p25": quantile(preceded, 0.25),
            "median": quantile(preceded, 0.5),
            "p75": quantile(preceded, 0.75),
        },
    }


def summarise(
    *,
    events: list[AttackEvent],
    segments: list[Segment],
    population: Population,
    alerts_raised: int,
    alerts_by_kind: Mapping[str, int] | None = None,
    by_kind: bool = True,
    by_level: bool = True,
) -> dict[str, Any]:
    """Every figure of one alerting strategy (the engine or a baseline) over one window."""
    defender_days = population.defender_days()
    cov = coverage(segments)
    covered = covered_days(cov, population)
    months = defender_days / DAYS_PER_MONTH
    result: dict[str, Any] = {
        **recall_summary(events, cov),
        "covered_defender_days": covered,
        "defender_days": defender_days,
        "burden": _ratio(covered, defender_days),
        "alerts": alerts_raised,
        "alerts_per_100_defender_months": _ratio(100 * alerts_raised, months),
        "women": recall_summary([e for e in events if e.gender == "woman"], cov),
    }
    if by_kind:
        kinds = sorted({s.kind for s in segments} | set(alerts_by_kind or {}))
        per_kind: dict[str, Any] = {}
        for kind in kinds:
            kind_cov = coverage(segments, _of_kind(kind))
            kind_covered = covered_days(kind_cov, population)
            per_kind[kind] = {
                **recall_summary(events, kind_cov),
                "covered_defender_days": kind_covered,
                "burden": _ratio(kind_covered, defender_days),
                "alerts": (alerts_by_kind or {}).get(kind, 0),
            }
        result["by_kind"] = per_kind
    if by_level:
        result["by_level"] = recall_burden_by_level(events, segments, population)
    return result


def recall_burden_by_level(
    events: list[AttackEvent], segments: list[Segment], population: Population
) -> list[dict[str, Any]]:
    """The recall–burden curve: one point per minimum level (watch+, warning+, urgent)."""
    defender_days = population.defender_days()
    points = []
    for threshold in LEVEL_THRESHOLDS:
        floor = LEVEL_ORDER[threshold]
        cov = coverage(segments, _at_least(floor))
        covered = covered_days(cov, population)
        summary = recall_summary(events, cov)
        points.append(
            {
                "min_level": threshold,
                "recall": summary["recall"],
                "actionable_recall": summary["actionable_recall"],
                "covered_defender_days": covered,
                "burden": _ratio(covered, defender_days),
            }
        )
    return points
