"""`amparo warn backtest`: replay the engine day by day, as of each day, and score it.

For every day D1..D2 the scan sees only that day's date (the engine reads only what had been
reported by then). Candidates become alerts as in an inbox: a candidate whose ``dedupe_key``
belongs to an alert still active that day extends it (later expiry, higher level, more
defenders) instead of raising a new one. Nothing is written to the database.
See docs/early-warning-backtest.md.
"""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from amparo.core.vocab import GRAVE_VIOLATIONS
from amparo.earlywarning import baselines
from amparo.earlywarning.candidates import AlertCandidate
from amparo.earlywarning.config import EngineConfig
from amparo.earlywarning.metrics import (
    LEVEL_ORDER,
    AttackEvent,
    Population,
    Segment,
    summarise,
)

if TYPE_CHECKING:
    from amparo.earlywarning.world import Roster, World

ScanFunction = Callable[[datetime.date], list[AlertCandidate]]
ONE_DAY = datetime.timedelta(days=1)
RANDOM_SEEDS = 10  # the random baseline's recall is also reported over seeds 0..9


@dataclass
class ReplayedAlert:
    id: str
    kind: str
    level: str
    raised_on: datetime.date
    expires_on: datetime.date
    dedupe_key: str
    defender_ids: set[str]
    country: str
    subdivision: str
    categories: list[str]
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)
    merged: int = 0  # candidates folded into it after the first


@dataclass
class Replay:
    alerts: list[ReplayedAlert]
    segments: list[Segment]


def _order(candidate: AlertCandidate) -> tuple[Any, ...]:
    return (candidate.dedupe_key, candidate.kind, candidate.defender_ids, candidate.level)


def replay(start: datetime.date, end: datetime.date, scan: ScanFunction) -> Replay:
    """Scan every day and fold the candidates into alerts and per-defender coverage segments.

    Each time an alert is raised or extended on day D, its state from D on (level, expiry,
    defenders) is emitted as segments [D, expires_on]; earlier segments stay, so a level or a
    defender is never credited before the day it was known. A candidate that changes nothing
    emits nothing (its segments would lie inside the ones already emitted); one that only adds
    defenders emits segments for the new ones."""
    alerts: list[ReplayedAlert] = []
    active: dict[str, ReplayedAlert] = {}
    segments: list[Segment] = []
    day = start
    while day <= end:
        for candidate in sorted(scan(day), key=_order):
            if candidate.expires_on < day:
                continue
            alert = active.get(candidate.dedupe_key)
            if alert is not None and alert.expires_on >= day:
                before = (alert.expires_on, alert.level)
                alert.expires_on = max(alert.expires_on, candidate.expires_on)
                if LEVEL_ORDER.get(candidate.level, 0) > LEVEL_ORDER.get(alert.level, 0):
                    alert.level = candidate.level
                new = set(candidate.defender_ids) - alert.defender_ids
                alert.defender_ids.update(new)
                alert.categories = sorted(set(alert.categories) | set(candidate.categories))
                alert.merged += 1
                changed = alert.defender_ids if (alert.expires_on, alert.level) != before else new
            else:
                alert = ReplayedAlert(
                    id=f"bt-{len(alerts) + 1}",
                    kind=candidate.kind,
                    level=candidate.level,
                    raised_on=day,
                    expires_on=candidate.expires_on,
                    dedupe_key=candidate.dedupe_key,
                    defender_ids=set(candidate.defender_ids),
                    country=candidate.country,
                    subdivision=candidate.subdivision,
                    categories=sorted(candidate.categories),
                    reason=candidate.reason,
                    evidence=dict(candidate.evidence),
                )
                alerts.append(alert)
                active[candidate.dedupe_key] = alert
                changed = alert.defender_ids
            for defender_id in sorted(changed):
                segments.append(
                    Segment(defender_id, day, alert.expires_on, alert.kind, alert.level)
                )
        day += ONE_DAY
    return Replay(alerts=alerts, segments=segments)


# --- Reads (plain data out of the database) ---------------------------------------------------


def load_population(start: datetime.date, end: datetime.date) -> tuple[Population, dict, dict]:
    """(population, pk -> external id, pk -> gender) of defenders registered by ``end``."""
    from amparo.registry.models import Defender

    rows = Defender.objects.filter(registered_on__lte=end, shredded_at__isnull=True).values_list(
        "pk", "external_id", "gender", "registered_on"
    )
    registered, external, gender = {}, {}, {}
    for pk, external_id, sex, registered_on in rows:
        registered[str(pk)] = registered_on
        external[str(pk)] = external_id
        gender[str(pk)] = sex
    return Population(start, end, registered), external, gender


def load_events(
    start: datetime.date, end: datetime.date, gender: dict[str, str]
) -> list[AttackEvent]:
    """Grave attacks (GRAVE_VIOLATIONS) on monitored defenders dated D1..D2, one per victim."""
    from amparo.core.vocab import GRAVE_VIOLATIONS
    from amparo.incidents.models import Incident

    rows = (
        Incident.objects.filter(
            date__gte=start,
            date__lte=end,
            violation_rows__code__in=[str(v) for v in GRAVE_VIOLATIONS],
        )
        .values_list("external_id", "date", "reported_on", "victim_defenders")
        .distinct()
    )
    events = {
        (str(defender), external_id): AttackEvent(
            str(defender), date, reported_on, gender[str(defender)], external_id
        )
        for external_id, date, reported_on, defender in rows
        if defender is not None and str(defender) in gender
    }
    return [events[key] for key in sorted(events, key=lambda k: (events[k].date, k))]


def load_threats(
    start: datetime.date, end: datetime.date, days: int = baselines.THREAT_RULE_MAX_DAYS
) -> list[tuple[str, datetime.date]]:
    """(defender pk, reported_on) of threats and death threats that can cover D1..D2 with a
    threat-rule window of up to ``days`` days."""
    from amparo.incidents.models import Incident

    earliest = start - datetime.timedelta(days=days - 1)
    rows = (
        Incident.objects.filter(
            reported_on__gte=earliest,
            reported_on__lte=end,
            violation_rows__code__in=baselines.THREAT_VIOLATIONS,
        )
        .values_list("pk", "victim_defenders", "reported_on")
        .distinct()
    )
    return sorted({(str(defender), reported_on) for _pk, defender, reported_on in rows if defender})


# --- Output -----------------------------------------------------------------------------------


def alert_record(alert: ReplayedAlert, external: dict[str, str]) -> dict[str, Any]:
    """The interchange `alert` record (interchange.md), fields in the documented order."""
    return {
        "id": alert.id,
        "kind": alert.kind,
        "level": alert.level,
        "raised_on": alert.raised_on.isoformat(),
        "expires_on": alert.expires_on.isoformat(),
        "defenders": sorted(external.get(pk, pk) for pk in alert.defender_ids),
        "country": alert.country,
        "subdivision": alert.subdivision,
        "categories": list(alert.categories),
        "reason": alert.reason,
        "evidence": alert.evidence,
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:5.1f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _label(name: str, row: dict[str, Any]) -> str:
    return f"threat rule {row['days']} d" if name.startswith("threat_rule") else name


def render_table(result: dict[str, Any]) -> str:
    window = result["window"]
    lines = [
        f"Back-test {window['start']} .. {window['end']} ({window['days']} days, "
        f"{result['defenders']} defenders, {result['events']} grave attacks on defenders, "
        f"{result['women_events']} on women defenders)",
        "",
        f"{'strategy':<26}{'recall':>8}{'action.':>9}{'lead p25/med/p75':>20}"
        f"{'burden':>9}{'alerts/100dm':>14}{'women':>8}",
    ]
    for name in ("engine", "threat_rule", "threat_rule_equal_burden", "random"):
        row = result[name]
        lead = row["lead_days"]
        leads = f"{_num(lead['p25'])}/{_num(lead['median'])}/{_num(lead['p75'])}"
        per_100 = row["alerts_per_100_defender_months"]
        lines.append(
            f"{_label(name, row):<26}{_pct(row['recall']):>8}{_pct(row['actionable_recall']):>9}"
            f"{leads:>20}{_pct(row['burden']):>9}"
            f"{'-' if per_100 is None else f'{per_100:.1f}':>14}"
            f"{_pct(row['women']['recall']):>8}"
        )
    lines += ["", "engine by kind:"]
    for kind, row in result["engine"]["by_kind"].items():
        lines.append(
            f"  {kind:<12}{_pct(row['recall']):>8}{_pct(row['actionable_recall']):>9}"
            f"  burden {_pct(row['burden'])}  alerts {row['alerts']}"
        )
    lines += ["", "engine recall-burden by level:"]
    for point in result["engine"]["by_level"]:
        label = point["min_level"] + ("" if point["min_level"] == "urgent" else "+")
        lines.append(
            f"  {label:<12}{_pct(point['recall']):>8}"
            f"{_pct(point['actionable_recall']):>9}  burden {_pct(point['burden'])}"
            f"  threat rule at this burden {_pct(point.get('threat_rule_recall'))}"
        )
    return "\n".join(lines) + "\n"


# --- Entry point ------------------------------------------------------------------------------


def score(
    *,
    start: datetime.date,
    end: datetime.date,
    replayed: Replay,
    population: Population,
    events: list[AttackEvent],
    threats: list[tuple[str, datetime.date]],
    seed: int = 0,
    random_seeds: int = RANDOM_SEEDS,
) -> dict[str, Any]:
    """Every figure of the engine's replay and of the baselines (docs/early-warning-backtest.md)."""
    alerts_by_kind: dict[str, int] = {}
    for alert in replayed.alerts:
        alerts_by_kind[alert.kind] = alerts_by_kind.get(alert.kind, 0) + 1
    engine = summarise(
        events=events,
        segments=replayed.segments,
        population=population,
        alerts_raised=len(replayed.alerts),
        alerts_by_kind=alerts_by_kind,
    )

    def baseline(segments: list[Segment], alerts: int) -> dict[str, Any]:
        return summarise(
            events=events,
            segments=segments,
            population=population,
            alerts_raised=alerts,
            by_kind=False,
        )

    threat = baseline(*baselines.threat_rule_segments(threats, start=start, end=end))
    threat["days"] = baselines.THREAT_RULE_DAYS
    days = baselines.threat_rule_days_for(
        threats, population, engine["covered_defender_days"], start=start, end=end
    )
    stretched = baseline(*baselines.threat_rule_segments(threats, start=start, end=end, days=days))
    stretched["days"] = days
    for point in engine["by_level"]:
        # The threat rule stretched to each level's burden: the recall-burden curve's baseline.
        level_days = baselines.threat_rule_days_for(
            threats, population, point["covered_defender_days"], start=start, end=end
        )
        at_level = baseline(
            *baselines.threat_rule_segments(threats, start=start, end=end, days=level_days)
        )
        point["threat_rule_days"] = level_days
        point["threat_rule_recall"] = at_level["recall"]
    rand = baseline(*baselines.random_segments(replayed.segments, population, seed=seed))
    recalls = [
        baseline(*baselines.random_segments(replayed.segments, population, seed=s))["recall"] or 0
        for s in range(random_seeds)
    ]
    rand["seeds"] = {
        "count": random_seeds,
        "mean_recall": sum(recalls) / len(recalls) if recalls else None,
        "min_recall": min(recalls, default=None),
        "max_recall": max(recalls, default=None),
    }
    return {
        "window": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "days": (end - start).days + 1,
        },
        "seed": seed,
        "defenders": sum(1 for d in population.registered_on if population.first_day(d)),
        "events": len(events),
        "women_events": sum(1 for e in events if e.gender == "woman"),
        "engine": engine,
        "threat_rule": threat,
        "threat_rule_equal_burden": stretched,
        "random": rand,
    }


def run_backtest(
    *,
    start: datetime.date,
    end: datetime.date,
    alerts_path: str | Path | None = None,
    json_path: str | Path | None = None,
    stdout: IO[str] | None = None,
    scan: ScanFunction | None = None,
    seed: int = 0,
    config: EngineConfig | None = None,
) -> dict[str, Any]:
    """Replay D1..D2, write the alerts (JSON Lines) and metrics (JSON), print a table.

    ``scan`` defaults to the engine on the world loaded once into memory
    (:class:`amparo.earlywarning.world.World`), which gives what ``engine.scan_as_of`` gives
    day by day. Returns the metrics. Reads only: the database is never written."""
    if end < start:
        raise ValueError("end must not be before start")
    if scan is None:
        from amparo.earlywarning.world import World

        scan = World.load().scanner(config)
    population, external, gender = load_population(start, end)
    replayed = replay(start, end, scan)
    result = score(
        start=start,
        end=end,
        replayed=replayed,
        population=population,
        events=load_events(start, end, gender),
        threats=load_threats(start, end),
        seed=seed,
    )
    if alerts_path is not None:
        write_alerts(alerts_path, replayed, external)
    if json_path is not None:
        with open(json_path, "w", encoding="utf-8", newline="\n") as handle:
            json.dump(result, handle, ensure_ascii=False, indent=2, sort_keys=True)
            handle.write("\n")
    (stdout or sys.stdout).write(render_table(result))
    return result


def write_alerts(path: str | Path, replayed: Replay, external: dict[str, str]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for alert in replayed.alerts:
            record = {"type": "alert", **alert_record(alert, external)}
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
            handle.write("\n")


def backtest_world(
    world: World,
    roster: Roster,
    *,
    start: datetime.date,
    end: datetime.date,
    config: EngineConfig | None = None,
    seed: int = 0,
    scan: ScanFunction | None = None,
) -> tuple[dict[str, Any], Replay]:
    """The back-test of a world held in memory (e.g. read from an interchange file): the same
    replay and scores as run_backtest, with the population, grave attacks and threats taken
    from the world instead of the database."""
    if end < start:
        raise ValueError("end must not be before start")
    population = Population(start, end, {d: r for d, r in roster.registered_on.items() if r <= end})
    grave = frozenset(str(v) for v in GRAVE_VIOLATIONS)
    events = sorted(
        {
            (inc.date, victim, inc.code): AttackEvent(
                victim, inc.date, inc.reported_on, roster.gender.get(victim, "unknown"), inc.code
            )
            for inc in world.store.between(datetime.date.max, start, end)
            if inc.violations & grave
            for victim in inc.victims
            if victim in population.registered_on
        }.items()
    )
    earliest = start - datetime.timedelta(days=baselines.THREAT_RULE_MAX_DAYS - 1)
    threats = sorted(
        {
            (victim, inc.reported_on)
            for inc in world.store.between(end, earliest - datetime.timedelta(days=366))
            if inc.violations & set(baselines.THREAT_VIOLATIONS) and earliest <= inc.reported_on
            for victim in inc.victims
        }
    )
    replayed = replay(start, end, scan or world.scanner(config))
    result = score(
        start=start,
        end=end,
        replayed=replayed,
        population=population,
        events=[e for _key, e in events],
        threats=threats,
        seed=seed,
    )
    return result, replayed
