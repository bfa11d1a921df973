"""Baselines the engine must beat in a back-test (docs/early-warning-backtest.md).

Both produce ``metrics.Segment`` lists, the same format as the engine's replay:

- **threat rule**: every threat or death threat against a defender covers that defender for
  ``THREAT_RULE_DAYS`` days from the day it was *reported* (the day it became known);
- **random alerting at equal burden**: in each block of ``BLOCK_DAYS`` days, defenders drawn at
  random (seeded) are covered so that the block's covered defender-days equal the engine's.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from typing import Any

from amparo.earlywarning.candidates import AlertCandidate
from amparo.earlywarning.metrics import Population, Segment, coverage, covered_days

THREAT_RULE_DAYS = 60
THREAT_RULE_MAX_DAYS = 730  # the longest window tried when stretching it to a burden
THREAT_VIOLATIONS = ("threat", "death_threat")
BLOCK_DAYS = 30
ONE_DAY = datetime.timedelta(days=1)


def threat_rule_segments(
    threats: Iterable[tuple[str, datetime.date]],
    *,
    start: datetime.date,
    end: datetime.date,
    days: int = THREAT_RULE_DAYS,
) -> tuple[list[Segment], int]:
    """(segments, alerts raised in the window) for threats given as (defender id, reported_on).

    A threat reported on day r covers r .. r + days - 1. Like an inbox, a threat reported while
    the defender's threat-rule alert is still active extends that alert rather than raising a
    new one; threats reported before ``start`` still cover days from ``start`` on, and an alert
    already active on ``start`` counts once and covers from ``start`` (a replay re-raises it on
    its first day, so lead times are measured from D1 at the earliest for every strategy)."""
    by_defender: dict[str, list[datetime.date]] = {}
    for defender_id, reported_on in threats:
        if reported_on <= end and reported_on + datetime.timedelta(days=days - 1) >= start:
            by_defender.setdefault(defender_id, []).append(reported_on)
    segments: list[Segment] = []
    alerts = 0
    for defender_id in sorted(by_defender):
        active_until: datetime.date | None = None
        for reported_on in sorted(by_defender[defender_id]):
            until = reported_on + datetime.timedelta(days=days - 1)
            if active_until is None or reported_on > active_until:
                alerts += 1
            active_until = until if active_until is None else max(active_until, until)
            first = max(reported_on, start)  # like the replay: no memory before D1
            segments.append(Segment(defender_id, first, until, "threat_rule", "warning"))
    return segments, alerts


def threat_rule_days_for(
    threats: list[tuple[str, datetime.date]],
    population: Population,
    target: int,
    *,
    start: datetime.date,
    end: datetime.date,
) -> int:
    """The threat-rule window (days) whose covered defender-days come closest to ``target``
    (the engine's), so that both are compared at equal burden. Covered days grow with the
    window, so a bisection finds the first window reaching the target; of it and the one
    before, the closer wins (the shorter on a tie)."""

    def covered(days: int) -> int:
        segments, _ = threat_rule_segments(threats, start=start, end=end, days=days)
        return covered_days(coverage(segments), population)

    low, high = 1, THREAT_RULE_MAX_DAYS
    if covered(high) <= target:
        return high
    while low < high:
        middle = (low + high) // 2
        if covered(middle) >= target:
            high = middle
        else:
            low = middle + 1
    if low > 1 and target - covered(low - 1) <= covered(low) - target:
        return low - 1
    return low


def _blocks(start: datetime.date, end: datetime.date, block_days: int):
    block_start = start
    while block_start <= end:
        block_end = min(block_start + datetime.timedelta(days=block_days - 1), end)
        yield block_start, block_end
        block_start = block_end + ONE_DAY


def random_segments(
    engine_segments: Iterable[Segment],
    population: Population,
    *,
    seed: int = 0,
    block_days: int = BLOCK_DAYS,
) -> tuple[list[Segment], int]:
    """(segments, alerts) of random alerting with the engine's burden, block by block.

    In each block the target is the engine's covered defender-days in that block, T. Among the
    defenders monitored for the whole block, drawn in a seeded random order, ``T // L`` are
    covered for the whole block (L days) and one more for the first ``T % L`` days, so the block's
    burden equals the engine's exactly (capped at everyone). Each pick counts as one alert."""
    cov = coverage(engine_segments)
    rng = random.Random(f"amparo-backtest-random:{seed}")  # noqa: S311 (not security)
    segments: list[Segment] = []
    alerts = 0
    for block_start, block_end in _blocks(population.start, population.end, block_days):
        block = Population(block_start, block_end, population.registered_on)
        target = covered_days(cov, block)
        length = (block_end - block_start).days + 1
        eligible = sorted(d for d in population.registered_on if block.first_day(d) == block_start)
        rng.shuffle(eligible)
        full, rest = divmod(target, length)
        picks = eligible[: full + (1 if rest else 0)]
        for index, defender_id in enumerate(picks):
            last = block_end if index < full else block_start + datetime.timedelta(days=rest - 1)
            segments.append(Segment(defender_id, block_start, last, "random", "warning"))
            alerts += 1
    return segments, alerts


def threat_rule_scan(
    as_of: datetime.date,
    *,
    config: dict[str, Any] | None = None,
    defender_ids: Iterable[str] | None = None,
) -> list[AlertCandidate]:
    """The threat rule as a scan function (same signature as ``engine.scan_as_of``), stateless
    like the engine: one candidate per defender threatened in the last ``THREAT_RULE_DAYS`` days
    as known on ``as_of`` (reported_on <= as_of), expiring 60 days after the latest report.
    Replayed, it reproduces ``threat_rule_segments`` exactly. Pure reads."""
    from amparo.incidents.models import Incident

    earliest = as_of - datetime.timedelta(days=THREAT_RULE_DAYS - 1)
    incidents = (
        Incident.objects.filter(
            reported_on__gte=earliest,
            reported_on__lte=as_of,
            violation_rows__code__in=THREAT_VIOLATIONS,
        )
        .distinct()
        .prefetch_related("victim_defenders")
    )
    wanted = set(defender_ids) if defender_ids is not None else None
    found: dict[str, list[str]] = {}
    latest: dict[str, datetime.date] = {}
    for incident in incidents:
        for defender in incident.victim_defenders.all():
            key = str(defender.pk)
            if wanted is None or key in wanted:
                found.setdefault(key, []).append(incident.external_id)
                latest[key] = max(latest.get(key, incident.reported_on), incident.reported_on)
    return [
        AlertCandidate(
            kind="escalation",
            level="warning",
            raised_on=as_of,
            expires_on=latest[defender_id] + datetime.timedelta(days=THREAT_RULE_DAYS - 1),
            defender_ids=(defender_id,),
            dedupe_key=f"threat_rule:{defender_id}",
            reason=f"Threat reported: covered for {THREAT_RULE_DAYS} days (threat rule).",
            evidence={"rule": "threat_rule", "incidents": sorted(ids)},
        )
        for defender_id, ids in sorted(found.items())
    ]
