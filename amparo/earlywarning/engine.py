"""The early-warning engine: four rule families evaluated as of one day, proposing candidates.

Pure reads, no writes: :func:`scan_as_of` returns sorted :class:`AlertCandidate` objects that
:mod:`amparo.earlywarning.pipeline` persists. As-of rule: only incidents with
``reported_on <= as_of`` are seen (events are known in advance), so the candidates for a day do
not change when records reported later are added. The rules are documented in
docs/early-warning.md.

The rules read incidents through an :class:`IncidentStore` and people through a
:class:`Registry`. :func:`scan_as_of` fills both from the database for one day; the back-test
(:mod:`amparo.earlywarning.world`) loads the whole world once and runs the same
:func:`scan_store` against it for every day, so the two give identical candidates.

Known limitations of past as-of scans: organisation memberships, relatives and defender status
are read as they are now (the registry keeps no history of them), and the ``unprotected`` and
``review_due`` rules, which read the current risk fields of the defender, run only when the
as-of day is today.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import math
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connections
from django.db.models import Func, IntegerField, Q, QuerySet
from django.utils import timezone

from amparo.core.vocab import DefenderStatus, Perpetrator
from amparo.earlywarning.candidates import AlertCandidate
from amparo.earlywarning.config import LEVELS, OFF, EngineConfig, config_current
from amparo.earlywarning.models import AlertKind, AlertLevel, Event
from amparo.earlywarning.regional import (
    ALL_CATEGORIES,
    IncidentRecord,
    RegionalConfig,
    WeeklyBinner,
    cell_keys,
    rank_and_budget,
    run_detectors,
)
from amparo.earlywarning.services import MAX_WINDOW_DAYS
from amparo.incidents.models import (
    Incident,
    IncidentContext,
    IncidentPerpetrator,
    IncidentViolation,
)
from amparo.measures.models import PROTECTING
from amparo.registry.models import Defender, DefenderCategory

DAY = datetime.timedelta(days=1)
LIVE_STATUSES = (DefenderStatus.ACTIVE, DefenderStatus.RELOCATED)


def _max_level(levels: Iterable[str]) -> str:
    return max(levels, key=LEVELS.index)


def _live_defenders() -> Q:
    return Q(status__in=LIVE_STATUSES, shredded_at__isnull=True)


@dataclass(frozen=True)
class IncidentFacts:
    """What the rules need of an incident: codes, dates, links (ids only)."""

    id: str
    code: str
    date: datetime.date
    reported_on: datetime.date
    country: str
    subdivision: str
    violations: frozenset[str]
    perpetrators: frozenset[str]
    contexts: frozenset[str]
    victims: tuple[str, ...]  # defender ids
    relatives_of: tuple[str, ...]  # ids of the defenders whose relatives were victims
    categories: tuple[str, ...]  # categories of the victim defenders


def _plain_rows(rows: QuerySet[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of a values_list queryset as the database driver returns them, without Django's
    per-value conversions (a UUID object per id, a date per string): the SQL is still the
    ORM's, so every filter holds; the callers convert the few values they keep."""
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(10_000):
            yield from batch


def _day(value: Any) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _uuid_text(value: Any) -> str:
    """A primary key as str(pk) gives it, from what the driver returned (a UUID on PostgreSQL,
    32 lower-case hex digits on SQLite, as Django stores them)."""
    if isinstance(value, str) and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(value))


def incident_facts(rows: QuerySet[Incident]) -> list[IncidentFacts]:
    """The facts of the incidents a queryset selects, sorted by (date, code), read as plain
    values: one query for the incidents and one for each kind of link, each restricted by the
    same selection as a subquery (no model instances, no list of ids sent back to the
    database). This is what the scan reads: at a million incidents it is most of its time.
    Equal code sets are shared between incidents (most incidents have one of a few)."""
    selected = rows.order_by().values("pk")
    shared: dict[frozenset[str], frozenset[str]] = {}
    codes: dict[str, dict[Any, set[str]]] = {}
    for name, model in (
        ("violations", IncidentViolation),
        ("perpetrators", IncidentPerpetrator),
        ("contexts", IncidentContext),
    ):
        into = codes[name] = defaultdict(set)
        for incident_id, code in _plain_rows(
            model.objects.filter(incident__in=selected).values_list("incident_id", "code")
        ):
            into[incident_id].add(code)
    defender_text: dict[Any, str] = {}

    def defender(raw: Any) -> str:
        text = defender_text.get(raw)
        if text is None:
            text = defender_text[raw] = _uuid_text(raw)
        return text

    victim_links = Incident.victim_defenders.through.objects.filter(incident__in=selected)
    victims: dict[Any, list[str]] = defaultdict(list)
    for incident_id, defender_id in _plain_rows(
        victim_links.values_list("incident_id", "defender_id")
    ):
        victims[incident_id].append(defender(defender_id))
    categories: dict[str, set[str]] = defaultdict(set)
    for defender_id, code in _plain_rows(
        DefenderCategory.objects.filter(
            defender__in=victim_links.values("defender_id")
        ).values_list("defender_id", "code")
    ):
        categories[defender(defender_id)].add(code)
    relatives_of: dict[Any, set[str]] = defaultdict(set)
    for incident_id, defender_id in _plain_rows(
        Incident.victim_persons.through.objects.filter(incident__in=selected).values_list(
            "incident_id", "person__defender_id"
        )
    ):
        relatives_of[incident_id].add(defender(defender_id))
    none: frozenset[str] = frozenset()

    def share(values: set[str] | None) -> frozenset[str]:
        key = frozenset(values) if values else none
        return shared.setdefault(key, key)

    violations, perpetrators, contexts = (
        codes["violations"],
        codes["perpetrators"],
        codes["contexts"],
    )
    facts = []
    for pk, code, date, reported_on, country, subdivision in _plain_rows(
        rows.order_by("date", "code").values_list(
            "pk", "code", "date", "reported_on", "country", "subdivision"
        )
    ):
        victim_ids = tuple(sorted(victims.get(pk, ())))
        facts.append(
            IncidentFacts(
                id=_uuid_text(pk),
                code=code,
                date=_day(date),
                reported_on=_day(reported_on),
                country=country,
                subdivision=subdivision,
                violations=share(violations.get(pk)),
                perpetrators=share(perpetrators.get(pk)),
                contexts=share(contexts.get(pk)),
                victims=victim_ids,
                relatives_of=tuple(sorted(relatives_of.get(pk, ()))),
                categories=tuple(sorted({c for d in victim_ids for c in categories.get(d, ())})),
            )
        )
    return facts


def incidents_as_of(
    as_of: datetime.date,
    *,
    since: datetime.date | None = None,
    reported_since: datetime.date | None = None,
) -> list[IncidentFacts]:
    """Incidents reported on or before as_of, oldest first; with since, only those dated from
    since on or (with reported_since) reported from reported_since on."""
    rows = Incident.objects.filter(reported_on__lte=as_of)
    if since is not None:
        recent = Q(date__gte=since)
        if reported_since is not None:
            recent |= Q(reported_on__gte=reported_since)
        rows = rows.filter(recent)
    return incident_facts(rows)


def incidents_for_defenders(
    as_of: datetime.date, defender_ids: set[str], config: EngineConfig
) -> list[IncidentFacts]:
    """What the escalation and network rules need to judge these defenders as of a day, and
    no more (the incremental scan): within the individual look-back, the incidents against
    them, their relatives and the members of their organisations, and the recent incidents in
    the places where they were attacked by a known perpetrator type (same-perpetrator links)."""
    since = as_of - _look_back_days(config, regional=False) * DAY
    recent = Incident.objects.filter(
        Q(date__gte=since) | Q(reported_on__gte=as_of - _report_look_back_days(config) * DAY),
        reported_on__lte=as_of,
    )
    through = Defender.organisations.through
    orgs = through.objects.filter(defender_id__in=defender_ids).values("organisation_id")
    mates = through.objects.filter(organisation_id__in=orgs).values("defender_id")
    near = recent.filter(
        Q(victim_defenders__pk__in=defender_ids)
        | Q(victim_defenders__pk__in=mates)
        | Q(victim_persons__defender_id__in=defender_ids)
    )
    ids = set(near.values_list("pk", flat=True))
    places = set(
        recent.filter(victim_defenders__pk__in=defender_ids).values_list(
            "country", "subdivision", "perpetrator_rows__code"
        )
    )
    if places:
        linked = Q()
        for country, subdivision, perpetrator in places:
            if perpetrator and perpetrator != Perpetrator.UNKNOWN.value:
                linked |= Q(
                    country=country, subdivision=subdivision, perpetrator_rows__code=perpetrator
                )
        if linked:
            horizon = as_of - config.network_horizon_days * DAY
            ids |= set(recent.filter(linked, date__gte=horizon).values_list("pk", flat=True))
    return incident_facts(Incident.objects.filter(pk__in=ids))


class IncidentStore:
    """Incidents sorted by (date, code), with the as-of slices the rules take.

    It may hold incidents reported after the as-of day (the back-test loads them all once):
    every slice keeps only ``reported_on <= as_of``."""

    def __init__(self, incidents: Iterable[IncidentFacts]) -> None:
        self.items = sorted(incidents, key=lambda i: (i.date, i.code))
        self._dates = [i.date for i in self.items]
        self._by_report = sorted(self.items, key=lambda i: (i.reported_on, i.date, i.code))
        self._report_dates = [i.reported_on for i in self._by_report]
        self._binners: dict[str, WeeklyBinner] = {}

    def between(
        self, as_of: datetime.date, since: datetime.date, until: datetime.date | None = None
    ) -> list[IncidentFacts]:
        """Reported by as_of, dated since..until (no upper bound when until is None)."""
        low = bisect.bisect_left(self._dates, since)
        high = len(self._dates) if until is None else bisect.bisect_right(self._dates, until)
        return [i for i in self.items[low:high] if i.reported_on <= as_of]

    def reported_between(self, as_of: datetime.date, since: datetime.date) -> list[IncidentFacts]:
        """Reported since..as_of (whatever their date), sorted by (date, code)."""
        low = bisect.bisect_left(self._report_dates, since)
        high = bisect.bisect_right(self._report_dates, as_of)
        return sorted(self._by_report[low:high], key=lambda i: (i.date, i.code))

    def use_binner(self, regional: RegionalConfig, binner: WeeklyBinner) -> None:
        """Take the weekly counts of a regional configuration as given (the daily scan counts
        them in the database: regional_counts) instead of binning this store's incidents."""
        self._binners[repr(regional)] = binner

    def binner(self, regional: RegionalConfig, grave: frozenset[str]) -> WeeklyBinner:
        """Weekly counts per regional cell, built once per regional configuration."""
        key = repr(regional)  # settings from JSON may hold lists: not hashable
        if key not in self._binners:
            self._binners[key] = WeeklyBinner(
                (
                    IncidentRecord(
                        reported_on=i.reported_on,
                        date=i.date,
                        country=i.country,
                        subdivision=i.subdivision,
                        categories=i.categories,
                        violation_group="grave" if i.violations & grave else "other",
                    )
                    for i in self.items
                ),
                regional,
            )
        return self._binners[key]


_WEEK_ZERO = datetime.date(1900, 1, 1)  # a Monday


class _WeekNumber(Func):
    """Whole weeks from Monday 1 January 1900 to a date column, computed by the database (its
    week, Monday to Sunday, as a number: no date object per row on the way out)."""

    output_field = IntegerField()
    template = "((%(expressions)s - DATE '1900-01-01') / 7)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(CAST(julianday(%(expressions)s) - julianday('1900-01-01') AS INTEGER) / 7)",
            **extra,
        )


def regional_counts(
    as_of: datetime.date, since: datetime.date, config: EngineConfig
) -> WeeklyBinner:
    """The regional detector's weekly counts as of a day, for the daily scan: incidents
    reported by as_of and dated from since, per week, place, violation group and victims'
    category (each incident once per category and once in "*"; with no category, once in the
    uncategorised cell). Exactly what IncidentStore.binner makes of the same incidents, read
    from three narrow queries (place and date; grave ids; categories) instead of the facts
    every other rule needs, and binned per distinct (week, place, group, categories), not per
    incident. (Counting in SQL was tried: on SQLite its GROUP BY with a correlated EXISTS
    per incident cost four times as much, 4.5 s of CPU at 98,437 incidents.)"""
    regional = RegionalConfig(**config.regional)
    selection = Incident.objects.filter(reported_on__lte=as_of, date__gte=since).order_by()
    selected = selection.values("pk")
    grave = {
        incident_id
        for (incident_id,) in _plain_rows(
            IncidentViolation.objects.filter(
                incident__in=selected, code__in=sorted(config.grave_violations)
            ).values_list("incident_id")
        )
    }
    categories: dict[Any, set[str]] = defaultdict(set)
    for incident_id, code in _plain_rows(
        Incident.victim_defenders.through.objects.filter(
            incident__in=selected, defender__category_rows__code__isnull=False
        ).values_list("incident_id", "defender__category_rows__code")
    ):
        categories[incident_id].add(code)
    tally: Counter[tuple[int, str, str, str, tuple[str, ...]]] = Counter()
    for pk, week, country, subdivision in _plain_rows(
        selection.annotate(week=_WeekNumber("date")).values_list(
            "pk", "week", "country", "subdivision"
        )
    ):
        tally[
            (
                week,
                country,
                subdivision,
                "grave" if pk in grave else "other",
                tuple(sorted(categories.get(pk, ()))),
            )
        ] += 1
    counts = [
        (key, _WEEK_ZERO + week * 7 * DAY, n)
        for (week, country, subdivision, group, cats), n in tally.items()
        for key in cell_keys(
            IncidentRecord(
                reported_on=as_of,
                date=as_of,
                country=country,
                subdivision=subdivision,
                categories=cats,
                violation_group=group,
            ),
            regional,
        )
    ]
    return WeeklyBinner.of_counts(counts, as_of, regional)


def _store(incidents: IncidentStore | Sequence[IncidentFacts]) -> IncidentStore:
    return incidents if isinstance(incidents, IncidentStore) else IncidentStore(incidents)


@dataclass(frozen=True)
class EventFacts:
    """A calendar event as the calendar rule needs it."""

    id: str
    kind: str
    start: datetime.date
    end: datetime.date
    country: str
    subdivision: str
    categories: tuple[str, ...]
    defenders: tuple[str, ...]  # named defenders (ids); empty = everyone in scope
    lead_days: int | None
    tail_days: int | None

    @classmethod
    def of(cls, event: Event) -> EventFacts:
        return cls(
            id=str(event.pk),
            kind=event.kind,
            start=event.start,
            end=event.end,
            country=event.country,
            subdivision=event.subdivision,
            categories=tuple(sorted(event.categories)),
            defenders=tuple(sorted(str(d.pk) for d in event.defenders.all())),
            lead_days=event.lead_days,
            tail_days=event.tail_days,
        )


class Registry(Protocol):
    """Who the rules may cover: live defenders, organisations, places, event scopes."""

    def live(self, defender_ids: set[str]) -> set[str]: ...

    def org_members(self, victims: Iterable[str]) -> dict[str, set[str]]: ...

    def event_scope(self, event: EventFacts) -> list[str]: ...

    def place_defenders(self, country: str, subdivision: str, category: str) -> list[str]: ...

    def live_count(self) -> int: ...


class DatabaseRegistry:
    """The registry read from the database, query by query (a scan of one day)."""

    def live(self, defender_ids: set[str]) -> set[str]:
        if not defender_ids:
            return set()
        rows = Defender.objects.filter(_live_defenders(), pk__in=defender_ids)
        return {str(pk) for pk in rows.values_list("pk", flat=True)}

    def org_members(self, victims: Iterable[str]) -> dict[str, set[str]]:
        """For each victim, the other members of their organisations."""
        through = Defender.organisations.through
        org_of: dict[str, set[str]] = defaultdict(set)
        for defender_id, org_id in through.objects.filter(
            defender_id__in=list(victims)
        ).values_list("defender_id", "organisation_id"):
            org_of[str(defender_id)].add(str(org_id))
        members: dict[str, set[str]] = defaultdict(set)
        all_orgs = {o for orgs in org_of.values() for o in orgs}
        for defender_id, org_id in through.objects.filter(organisation_id__in=all_orgs).values_list(
            "defender_id", "organisation_id"
        ):
            members[str(org_id)].add(str(defender_id))
        return {v: set().union(*(members[o] for o in orgs)) - {v} for v, orgs in org_of.items()}

    def event_scope(self, event: EventFacts) -> list[str]:
        rows = Defender.objects.filter(_live_defenders(), country=event.country)
        if event.defenders:
            rows = rows.filter(pk__in=event.defenders)
        if event.subdivision:
            rows = rows.filter(subdivision=event.subdivision)
        if event.categories:
            rows = rows.filter(category_rows__code__in=event.categories)
        return sorted({str(pk) for pk in rows.values_list("pk", flat=True)})

    def place_defenders(self, country: str, subdivision: str, category: str) -> list[str]:
        rows = Defender.objects.filter(_live_defenders(), country=country)
        if subdivision:
            rows = rows.filter(subdivision=subdivision)
        if category != ALL_CATEGORIES:
            rows = rows.filter(category_rows__code=category)
        return sorted({str(pk) for pk in rows.values_list("pk", flat=True)})

    def live_count(self) -> int:
        return Defender.objects.filter(_live_defenders()).count()


# --- 1. Calendar ---------------------------------------------------------------------------


def _event_window(event: EventFacts, config: EngineConfig) -> tuple[datetime.date, datetime.date]:
    lead, tail = config.window(event.kind)
    lead = event.lead_days if event.lead_days is not None else lead
    tail = event.tail_days if event.tail_days is not None else tail
    return event.start - lead * DAY, event.end + tail * DAY


def event_scope(event: Event) -> list[str]:
    """The live defenders an event covers (read from the database)."""
    return DatabaseRegistry().event_scope(EventFacts.of(event))


def events_near(as_of: datetime.date, config: EngineConfig) -> list[EventFacts]:
    """Events whose window can meet [as_of, as_of + notice_days]: a cheap pre-filter, since a
    window reaches at most MAX_WINDOW_DAYS before the start or after the end."""
    horizon_end = as_of + config.notice_days * DAY
    rows = Event.objects.filter(
        start__lte=horizon_end + MAX_WINDOW_DAYS * DAY, end__gte=as_of - MAX_WINDOW_DAYS * DAY
    )
    return event_facts(rows)


def event_facts(rows: QuerySet[Event]) -> list[EventFacts]:
    """EventFacts.of for every event a queryset selects, ordered by (start, pk), read as plain
    values: the named defenders' ids from the link table, no Defender instances."""
    named: dict[str, list[str]] = defaultdict(list)
    links = Event.defenders.through.objects.filter(event__in=rows.order_by().values("pk"))
    for event_id, defender_id in links.values_list("event_id", "defender_id"):
        named[str(event_id)].append(str(defender_id))
    return [
        EventFacts(
            id=str(pk),
            kind=kind,
            start=start,
            end=end,
            country=country,
            subdivision=subdivision,
            categories=tuple(sorted(categories)),
            defenders=tuple(sorted(named.get(str(pk), ()))),
            lead_days=lead_days,
            tail_days=tail_days,
        )
        for pk, kind, start, end, country, subdivision, categories, lead_days, tail_days in (
            rows.order_by("start", "pk").values_list(
                "pk",
                "kind",
                "start",
                "end",
                "country",
                "subdivision",
                "categories",
                "lead_days",
                "tail_days",
            )
        )
    ]


def calendar_candidates(
    as_of: datetime.date,
    config: EngineConfig,
    events: Iterable[EventFacts] | None = None,
    registry: Registry | None = None,
) -> list[AlertCandidate]:
    """An event whose window [start - lead, end + tail] meets [as_of, as_of + notice_days]
    covers the live defenders in its scope; expires at the window's end."""
    registry = registry or DatabaseRegistry()
    horizon_end = as_of + config.notice_days * DAY
    candidates = []
    for event in events_near(as_of, config) if events is None else events:
        opens, closes = _event_window(event, config)
        if opens > horizon_end or closes < as_of:
            continue
        defender_ids = registry.event_scope(event)
        if not defender_ids:
            continue
        candidates.append(
            AlertCandidate(
                kind=AlertKind.CALENDAR.value,
                level=config.calendar_level(event.kind),
                raised_on=as_of,
                expires_on=closes,
                defender_ids=tuple(defender_ids),
                dedupe_key=f"calendar:{event.id}",
                reason=f"Calendar window of a {event.kind} event opens on {opens.isoformat()}.",
                country=event.country,
                subdivision=event.subdivision,
                categories=event.categories,
                evidence={
                    "rule": "calendar",
                    "event": event.id,
                    "event_kind": event.kind,
                    "window": [opens.isoformat(), closes.isoformat()],
                },
                recommended_measures=tuple(config.recommended_measures.get("calendar", [])),
            )
        )
        peak = _peak_candidate(as_of, config, event, defender_ids, candidates[-1])
        if peak is not None:
            candidates.append(peak)
    return candidates


def _peak_candidate(
    as_of: datetime.date,
    config: EngineConfig,
    event: EventFacts,
    defender_ids: list[str],
    window: AlertCandidate,
) -> AlertCandidate | None:
    """The peak of an event kind listed in calendar_peak_days: [before start, after end] days
    at calendar_peak_level (e.g. the weeks around an election inside its long watch window)."""
    days = config.calendar_peak_days.get(event.kind)
    if not days:
        return None
    opens = event.start - int(days[0]) * DAY
    closes = event.end + int(days[1]) * DAY
    if opens > as_of + config.notice_days * DAY or closes < as_of:
        return None
    return dataclasses.replace(
        window,
        level=config.calendar_peak_level,
        expires_on=closes,
        defender_ids=tuple(defender_ids),
        dedupe_key=f"calendar-peak:{event.id}",
        reason=f"Peak of a {event.kind} event opens on {opens.isoformat()}.",
        evidence={**window.evidence, "peak": [opens.isoformat(), closes.isoformat()]},
    )


# --- 2. Individual escalation --------------------------------------------------------------


def hazard_scores(
    as_of: datetime.date, config: EngineConfig, store: IncidentStore
) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Each defender's hazard score as of the day (the decayed, group-weighted count of their
    own incidents known by then, dated within hazard_days) and the codes that made it."""
    threats, grave = set(config.threat_violations), config.grave_violations
    weights = config.hazard_weights
    scores: dict[str, float] = defaultdict(float)
    codes: dict[str, list[str]] = defaultdict(list)
    for inc in store.between(as_of, as_of - config.hazard_days * DAY, as_of):
        if not inc.victims:
            continue
        group = (
            "grave" if inc.violations & grave else "threat" if inc.violations & threats else "other"
        )
        weight = weights.get(group, 0.0) * 0.5 ** (
            (as_of - inc.date).days / config.hazard_half_life_days
        )
        if weight <= 0:
            continue
        for victim in inc.victims:
            scores[victim] += weight
            codes[victim].append(inc.code)
    return scores, codes


def _hazard_used(config: EngineConfig) -> bool:
    return (
        config.escalation_level_by_finding.get("hazard", OFF) != OFF
        or config.hazard_warning_floor > 0
    )


def _escalation_findings(
    mine: list[IncidentFacts],
    recent: list[IncidentFacts],
    relatives: list[IncidentFacts],
    config: EngineConfig,
    hazard: tuple[float, list[str]] = (0.0, []),
    death_threats: list[IncidentFacts] | None = None,
) -> list[tuple[str, str, list[str]]]:
    """(rule, level, incident codes) for one defender's recent incidents; a rule whose level
    is "off" in escalation_level_by_finding is not applied. `hazard` is the defender's score
    and the codes behind it (hazard finding, warning floor); `death_threats` the defender's
    incidents within death_threat_days (default: `mine`)."""
    score, hazard_codes = hazard
    threats = set(config.threat_violations)
    exposure = set(config.reprisal_contexts)
    grave = config.grave_violations
    found = {
        "death_threat": [
            i.code
            for i in (mine if death_threats is None else death_threats)
            if "death_threat" in i.violations
        ],
        "threat_after_exposure": [
            i.code for i in mine if i.violations & threats and i.contexts & exposure
        ],
        "threat": [i.code for i in mine if i.violations & threats],
        "grave_attack": [i.code for i in mine if i.violations & grave],
        "repeated_incidents": (
            [i.code for i in recent] if len(recent) >= config.repeat_count else []
        ),
        "relative_targeted": [i.code for i in relatives],
        "hazard": hazard_codes if score >= config.hazard_threshold else [],
    }
    levels = dict(config.escalation_level_by_finding)
    if score < config.hazard_warning_floor:
        for rule in ("threat", "threat_after_exposure", "relative_targeted"):
            if levels.get(rule) == AlertLevel.WARNING.value:
                levels[rule] = AlertLevel.WATCH.value
    return [
        (rule, levels[rule], codes)
        for rule, codes in found.items()
        if codes and levels.get(rule, OFF) != OFF
    ]


def escalation_candidates(
    as_of: datetime.date,
    config: EngineConfig,
    incidents: IncidentStore | Sequence[IncidentFacts],
    defender_ids: set[str] | None = None,
    registry: Registry | None = None,
) -> list[AlertCandidate]:
    """Per defender, incidents dated (or, with escalation_clock "report", reported) in the last
    escalation_days (reported by as_of): a death
    threat, a threat in a publication/testimony context, any threat, a grave attack,
    repeat_count incidents in repeat_days, an incident against a relative; each at its level
    in escalation_level_by_finding (or off)."""
    registry = registry or DatabaseRegistry()
    since = as_of - config.escalation_days * DAY
    death_since = as_of - (config.death_threat_days or config.escalation_days) * DAY
    repeat_since = as_of - config.repeat_days * DAY
    by_report = config.escalation_clock == "report"

    def known_since(inc: IncidentFacts, day: datetime.date) -> bool:
        return (inc.reported_on if by_report else inc.date) >= day

    store = _store(incidents)
    own: dict[str, list[IncidentFacts]] = defaultdict(list)
    relatives: dict[str, list[IncidentFacts]] = defaultdict(list)
    longest = min(since, death_since)
    window = (
        store.reported_between(as_of, longest)
        if by_report
        else store.between(as_of, longest, as_of)
    )
    for inc in window:
        for victim in inc.victims:
            own[victim].append(inc)
        for defender in inc.relatives_of:
            relatives[defender].append(inc)
    scores: dict[str, float] = {}
    hazard_codes: dict[str, list[str]] = {}
    if _hazard_used(config):
        scores, hazard_codes = hazard_scores(as_of, config, store)
    wanted = set(own) | set(relatives)
    wanted |= {d for d, score in scores.items() if score >= config.hazard_threshold}
    if defender_ids is not None:
        wanted &= defender_ids
    candidates = []
    for defender in sorted(registry.live(wanted)):
        mine = [i for i in own.get(defender, []) if known_since(i, since)]
        death = [i for i in own.get(defender, []) if known_since(i, death_since)]
        recent = [i for i in mine if known_since(i, repeat_since)]
        hazard = (scores.get(defender, 0.0), hazard_codes.get(defender, []))
        kin = [i for i in relatives.get(defender, []) if known_since(i, since)]
        findings = _escalation_findings(mine, recent, kin, config, hazard, death)
        if not findings:
            continue
        findings.sort()
        candidates.append(
            AlertCandidate(
                kind=AlertKind.ESCALATION.value,
                level=_max_level(f[1] for f in findings),
                raised_on=as_of,
                expires_on=as_of + config.escalation_expiry_days * DAY,
                defender_ids=(defender,),
                dedupe_key=f"escalation:{defender}",
                reason="Recent incidents: " + ", ".join(f[0] for f in findings) + ".",
                evidence={
                    "rule": "escalation",
                    "findings": [{"rule": r, "level": lv, "incidents": c} for r, lv, c in findings],
                    "hazard_score": round(hazard[0], 4),
                },
                recommended_measures=tuple(config.recommended_measures.get("escalation", [])),
            )
        )
    return candidates


def status_candidates(
    as_of: datetime.date, config: EngineConfig, defender_ids: set[str] | None = None
) -> list[AlertCandidate]:
    """High/extreme risk with no protecting measure (warning), review overdue (watch). These
    read the current Defender fields, so they run only when as_of is today."""
    if as_of != timezone.localdate():
        return []
    rows = Defender.objects.filter(_live_defenders())
    if defender_ids is not None:
        rows = rows.filter(pk__in=defender_ids)
    candidates = []
    unprotected = rows.filter(risk_level__in=config.unprotected_risk_levels).exclude(
        measures__status__in=PROTECTING
    )
    for pk, risk_level in unprotected.values_list("pk", "risk_level").distinct():
        candidates.append(
            AlertCandidate(
                kind=AlertKind.UNPROTECTED.value,
                level=AlertLevel.WARNING.value,
                raised_on=as_of,
                expires_on=as_of + config.escalation_expiry_days * DAY,
                defender_ids=(str(pk),),
                dedupe_key=f"unprotected:{pk}",
                reason=f"Risk level {risk_level} with no protection measure in place.",
                evidence={"rule": "unprotected", "risk_level": risk_level},
                recommended_measures=tuple(config.recommended_measures.get("unprotected", [])),
            )
        )
    overdue = rows.filter(next_review_on__lt=as_of)
    for pk, due in overdue.values_list("pk", "next_review_on"):
        candidates.append(
            AlertCandidate(
                kind=AlertKind.REVIEW_DUE.value,
                level=AlertLevel.WATCH.value,
                raised_on=as_of,
                expires_on=as_of + config.review_expiry_days * DAY,
                defender_ids=(str(pk),),
                dedupe_key=f"review_due:{pk}",
                reason=f"Risk review was due on {due}.",
                evidence={"rule": "review_due", "due": str(due)},
                recommended_measures=tuple(config.recommended_measures.get("review_due", [])),
            )
        )
    return candidates


# --- 3. Network effects --------------------------------------------------------------------

PlaceKey = tuple[str, str, str]  # country, subdivision, perpetrator type


class PerpetratorIndex:
    """Incidents by (country, subdivision, perpetrator type), oldest first: the candidates of
    the same-perpetrator link found by bisection instead of a scan of the whole history."""

    def __init__(self, history: Iterable[IncidentFacts]) -> None:
        self.by_place: dict[PlaceKey, list[IncidentFacts]] = defaultdict(list)
        for inc in history:  # already sorted by date
            for perpetrator in inc.perpetrators:
                self.by_place[(inc.country, inc.subdivision, perpetrator)].append(inc)
        self.dates = {key: [i.date for i in rows] for key, rows in self.by_place.items()}

    def earlier(
        self, inc: IncidentFacts, perpetrators: Iterable[str], days: int
    ) -> Iterable[IncidentFacts]:
        """Other incidents dated in [inc.date - days, inc.date] at the same place by one of the
        perpetrator types."""
        since = inc.date - days * DAY
        for perpetrator in perpetrators:
            key = (inc.country, inc.subdivision, perpetrator)
            dates = self.dates.get(key)
            if not dates:
                continue
            low = bisect.bisect_left(dates, since)
            high = bisect.bisect_right(dates, inc.date)
            yield from (e for e in self.by_place[key][low:high] if e.id != inc.id)


def network_links(
    inc: IncidentFacts,
    history: PerpetratorIndex,
    org_members: dict[str, set[str]],
    days: int,
) -> list[tuple[str, str]]:
    """(defender id, link) pairs connected to one incident; the victims themselves excluded."""
    links = {(d, "relative") for d in inc.relatives_of}
    for victim in inc.victims:
        links |= {(d, "organisation") for d in org_members.get(victim, ())}
        links |= {(d, "co_victim") for d in inc.victims if d != victim}
    known = inc.perpetrators - {Perpetrator.UNKNOWN.value}
    for earlier in history.earlier(inc, sorted(known), days):
        links |= {(d, "perpetrator") for d in earlier.victims}
    victims = set(inc.victims)
    return sorted((d, link) for d, link in links if link == "co_victim" or d not in victims)


def _organisations_hit(
    triggers: list[IncidentFacts], members: dict[str, set[str]], min_victims: int
) -> dict[str, set[str]]:
    """The organisation links of the victims whose organisation had at least min_victims
    distinct members among the triggers' victims (the members they share with: an
    organisation is the same set of fellow members plus the victim)."""
    victims = {v for inc in triggers for v in inc.victims}
    kept = {}
    for victim, mates in members.items():
        if len(({victim} | mates) & victims) >= min_victims:
            kept[victim] = mates
    return kept


def network_candidates(
    as_of: datetime.date,
    config: EngineConfig,
    incidents: IncidentStore | Sequence[IncidentFacts],
    registry: Registry | None = None,
) -> list[AlertCandidate]:
    """A grave or threat incident raises the exposure of connected defenders by link weight x
    severity weight x 0.5 ** (age / half-life); raised when the sum reaches network_threshold."""
    registry = registry or DatabaseRegistry()
    store = _store(incidents)
    threats, grave = set(config.threat_violations), config.grave_violations
    severities = {"grave": config.network_grave_weight, "threat": config.network_threat_weight}
    since = as_of - config.network_horizon_days * DAY
    triggers = [
        i
        for i in store.between(as_of, since, as_of)
        if (i.victims or i.relatives_of)
        and i.violations & (grave | threats)
        and severities["grave" if i.violations & grave else "threat"] > 0
    ]
    history = PerpetratorIndex(store.between(as_of, since - config.perpetrator_days * DAY))
    members = registry.org_members({v for i in triggers for v in i.victims})
    if config.network_min_victims > 1:
        members = _organisations_hit(triggers, members, config.network_min_victims)
    weights: dict[str, float] = defaultdict(float)
    evidence: dict[str, list[dict[str, object]]] = defaultdict(list)
    for inc in triggers:
        severity = severities["grave" if inc.violations & grave else "threat"]
        decay = 0.5 ** ((as_of - inc.date).days / config.network_half_life_days)
        for defender, link in network_links(inc, history, members, config.perpetrator_days):
            weight = config.network_link_weights.get(link, 0.0) * severity * decay
            if weight <= 0:
                continue
            weights[defender] += weight
            evidence[defender].append(
                {"incident": inc.code, "link": link, "weight": round(weight, 4)}
            )
    candidates = []
    for defender in sorted(registry.live({d for d, w in weights.items() if w > 0})):
        total = weights[defender]
        if total < config.network_threshold:
            continue
        days_left = math.ceil(
            config.network_half_life_days * math.log2(total / config.network_threshold)
        )
        level = (
            AlertLevel.WARNING.value
            if total >= config.network_warning_threshold
            else AlertLevel.WATCH.value
        )
        candidates.append(
            AlertCandidate(
                kind=AlertKind.NETWORK.value,
                level=level,
                raised_on=as_of,
                expires_on=as_of + max(days_left, 1) * DAY,
                defender_ids=(defender,),
                dedupe_key=f"network:{defender}",
                reason="Incidents against connected people: "
                + ", ".join(sorted({str(e["link"]) for e in evidence[defender]}))
                + ".",
                evidence={
                    "rule": "network",
                    "weight": round(total, 4),
                    "links": evidence[defender],
                },
                recommended_measures=tuple(config.recommended_measures.get("network", [])),
            )
        )
    return candidates


# --- 4. Regional spikes --------------------------------------------------------------------


def regional_candidates(
    as_of: datetime.date,
    config: EngineConfig,
    incidents: IncidentStore | Sequence[IncidentFacts],
    registry: Registry | None = None,
) -> list[AlertCandidate]:
    """The regional detector (regional.py) on the incidents as of the day; each signal covers
    the live defenders of its category (all for "*") in its place."""
    registry = registry or DatabaseRegistry()
    regional = RegionalConfig(**config.regional)
    weekly = _store(incidents).binner(regional, config.grave_violations).weekly(as_of)
    candidates = []
    signals = [
        s for s in run_detectors(weekly, regional) if s.violation_group in config.regional_groups
    ]
    for signal in rank_and_budget(signals, regional.budget):
        defender_ids = registry.place_defenders(
            signal.place.country, signal.place.subdivision, signal.category
        )
        if not defender_ids:
            continue
        candidates.append(
            AlertCandidate(
                kind=AlertKind.REGIONAL.value,
                level=config.regional_level_by_group.get(signal.violation_group, "watch"),
                raised_on=as_of,
                expires_on=as_of + config.regional_expiry_days * DAY,
                defender_ids=tuple(defender_ids),
                dedupe_key=(
                    f"regional:{signal.place}:{signal.category}:"
                    f"{signal.violation_group}:{signal.iso_week}"
                ),
                reason=(
                    f"Spike of {signal.violation_group} incidents in {signal.place} "
                    f"({signal.category}), week {signal.iso_week}."
                ),
                country=signal.place.country,
                subdivision=signal.place.subdivision,
                categories=() if signal.category == ALL_CATEGORIES else (signal.category,),
                evidence={
                    "rule": "regional",
                    "method": signal.method,
                    "statistic": round(signal.statistic, 4),
                    "threshold": round(signal.threshold, 4),
                    "observed": signal.observed,
                    "expected": round(signal.expected, 4),
                    "week": signal.iso_week,
                    "also_alarmed": list(signal.also_alarmed),
                },
                recommended_measures=tuple(config.recommended_measures.get("regional", [])),
            )
        )
    return candidates


# --- The warning budget -------------------------------------------------------------------


def warning_rank_scores(
    as_of: datetime.date,
    config: EngineConfig,
    candidates: Iterable[AlertCandidate],
    store: IncidentStore,
) -> dict[str, float]:
    """Each defender's ranking score as of the day: the signals the rules computed (the
    candidates' findings, network weights, calendar peaks and windows, regional spikes) and
    the hazard score, weighted by warning_rank_weights (docs/early-warning.md)."""
    weights = config.warning_rank_weights
    scores: dict[str, float] = defaultdict(float)
    if weights.get("hazard", 0.0):
        for defender, score in hazard_scores(as_of, config, store)[0].items():
            scores[defender] += weights["hazard"] * score
    for c in candidates:
        signals: dict[str, float] = {}
        if c.kind == AlertKind.ESCALATION.value:
            rules = {f["rule"] for f in c.evidence.get("findings", [])}
            signals["threat"] = float(bool(rules & {"threat", "threat_after_exposure"}))
            signals["relative"] = float("relative_targeted" in rules)
        elif c.kind == AlertKind.NETWORK.value:
            signals["network"] = float(c.evidence.get("weight", 0.0))
            links = {link["link"] for link in c.evidence.get("links", [])}
            signals["colleagues"] = float("organisation" in links)
        elif c.kind == AlertKind.CALENDAR.value:
            if c.dedupe_key.startswith("calendar-peak:"):
                signals["calendar_peak"] = 1.0
            elif c.level != AlertLevel.WATCH.value:
                signals["calendar"] = 1.0
        elif c.kind == AlertKind.REGIONAL.value:
            signals["regional"] = 1.0
        value = sum(weights.get(name, 0.0) * x for name, x in signals.items())
        if value:
            for defender in c.defender_ids:
                scores[defender] += value
    return scores


def apply_warning_budget(
    as_of: datetime.date,
    config: EngineConfig,
    candidates: list[AlertCandidate],
    store: IncidentStore,
    registry: Registry,
) -> list[AlertCandidate]:
    """Hold every rule hit at warning at watch, and give the top warning_budget share of the
    live registry (less those already urgent) an escalation warning of rank, by
    warning_rank_scores. Urgent candidates are left as they are."""
    urgent = {d for c in candidates if c.level == AlertLevel.URGENT.value for d in c.defender_ids}
    scores = warning_rank_scores(as_of, config, candidates, store)
    ranked = sorted(
        (d for d in registry.live({d for d, v in scores.items() if v > 0}) if d not in urgent),
        key=lambda d: (-scores[d], d),
    )
    places = max(round(config.warning_budget * registry.live_count()) - len(urgent), 0)
    held = [
        dataclasses.replace(c, level=AlertLevel.WATCH.value)
        if c.level == AlertLevel.WARNING.value
        else c
        for c in candidates
    ]
    for position, defender in enumerate(ranked[:places], start=1):
        held.append(
            AlertCandidate(
                kind=AlertKind.ESCALATION.value,
                level=AlertLevel.WARNING.value,
                raised_on=as_of,
                expires_on=as_of + config.warning_rank_expiry_days * DAY,
                defender_ids=(defender,),
                dedupe_key=f"escalation-rank:{defender}",
                reason="Among the highest-ranked defenders of the warning budget today.",
                evidence={
                    "rule": "rank",
                    "score": round(scores[defender], 4),
                    "position": position,
                    "places": places,
                },
                recommended_measures=tuple(config.recommended_measures.get("escalation", [])),
            )
        )
    return held


# --- The scan ------------------------------------------------------------------------------


def _look_back_days(config: EngineConfig, *, regional: bool = True) -> int:
    """How far back any rule looks: the regional history (unless left out), or the network's
    horizon plus the same-perpetrator window, or the escalation look-back."""
    days = max(
        config.network_horizon_days + config.perpetrator_days,
        config.escalation_days,
        config.death_threat_days,
        config.repeat_days,
        config.hazard_days if _hazard_used(config) or config.warning_budget > 0 else 0,
    )
    if regional:
        settings = RegionalConfig(**config.regional)
        days = max(days, (settings.history_weeks + settings.delay_weeks + 2) * 7)
    return days


def _report_look_back_days(config: EngineConfig) -> int:
    """How far back the escalation rule looks by report date (0 on the incident clock)."""
    if config.escalation_clock != "report":
        return 0
    return max(config.escalation_days, config.death_threat_days, config.repeat_days)


def _sort_key(c: AlertCandidate) -> tuple[str, str, tuple[str, ...]]:
    return (c.kind, c.dedupe_key, c.defender_ids)


def scan_store(
    as_of: datetime.date,
    config: EngineConfig,
    store: IncidentStore,
    registry: Registry,
    *,
    events: Iterable[EventFacts] | None = None,
    wanted: set[str] | None = None,
) -> list[AlertCandidate]:
    """Every rule family as of one day over a store and a registry (see scan_as_of)."""
    candidates = [
        *calendar_candidates(as_of, config, events, registry),
        *escalation_candidates(as_of, config, store, wanted, registry),
        *status_candidates(as_of, config, wanted),
        *network_candidates(as_of, config, store, registry),
    ]
    if wanted is None:
        candidates += regional_candidates(as_of, config, store, registry)
        if config.warning_budget > 0:
            candidates = apply_warning_budget(as_of, config, candidates, store, registry)
    else:
        candidates = [c for c in candidates if wanted & set(c.defender_ids)]
    return sorted(candidates, key=_sort_key)


def scan_as_of(
    as_of: datetime.date,
    *,
    config: EngineConfig | None = None,
    defender_ids: Iterable[str] | None = None,
) -> list[AlertCandidate]:
    """Every rule family as of one day; sorted by kind, dedupe key, defenders.

    With defender_ids (the incremental scan after a write) only candidates covering one of
    them are returned, only the incidents that can change them are read (see
    incidents_for_defenders), and the network-wide regional detector is left to the daily
    scan."""
    config = config or config_current()
    if defender_ids is None:
        wanted = None
        store = IncidentStore(
            incidents_as_of(
                as_of,
                since=as_of - _look_back_days(config, regional=False) * DAY,
                reported_since=as_of - _report_look_back_days(config) * DAY,
            )
        )
        store.use_binner(
            RegionalConfig(**config.regional),
            regional_counts(as_of, as_of - _look_back_days(config) * DAY, config),
        )
    else:
        wanted = {str(d) for d in defender_ids}
        store = IncidentStore(incidents_for_defenders(as_of, wanted, config))
    return scan_store(as_of, config, store, DatabaseRegistry(), wanted=wanted)
