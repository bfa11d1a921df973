"""The early-warning engine: four rule families evaluated as of one day, proposing candidates.

Pure reads, no writes: :func:`scan_as_of` returns sorted :class:`AlertCandidate` objects that
:mod:`amparo.earlywarning.pipeline` persists. As-of rule: only incidents with
``reported_on <= as_of`` are seen (events are known in advance), so the candidates for a day do
not change when records reported later are added. The rules are documented in
docs/early-warning.md.

Known limitations of past as-of scans: organisation memberships, relatives and defender status
are read as they are now (the registry keeps no history of them), and the ``unprotected`` and
``review_due`` rules, which read the current risk fields of the defender, run only when the
as-of day is today.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from amparo.core.vocab import DefenderStatus, Perpetrator
from amparo.earlywarning.candidates import AlertCandidate
from amparo.earlywarning.config import LEVELS, EngineConfig, config_current
from amparo.earlywarning.models import AlertKind, AlertLevel, Event
from amparo.earlywarning.regional import ALL_CATEGORIES, IncidentRecord, RegionalConfig, detect
from amparo.earlywarning.services import MAX_WINDOW_DAYS
from amparo.incidents.models import Incident
from amparo.measures.models import PROTECTING
from amparo.registry.models import Defender

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


def incidents_as_of(
    as_of: datetime.date, *, since: datetime.date | None = None
) -> list[IncidentFacts]:
    """Incidents reported on or before as_of (and dated from since on), oldest first."""
    rows = Incident.objects.filter(reported_on__lte=as_of)
    if since is not None:
        rows = rows.filter(date__gte=since)
    rows = rows.prefetch_related(
        "violation_rows",
        "perpetrator_rows",
        "context_rows",
        "victim_defenders__category_rows",
        "victim_persons",
    ).order_by("date", "code")
    facts = []
    for inc in rows:
        victims = sorted(inc.victim_defenders.all(), key=lambda d: str(d.pk))
        facts.append(
            IncidentFacts(
                id=str(inc.pk),
                code=inc.code,
                date=inc.date,
                reported_on=inc.reported_on,
                country=inc.country,
                subdivision=inc.subdivision,
                violations=frozenset(r.code for r in inc.violation_rows.all()),
                perpetrators=frozenset(r.code for r in inc.perpetrator_rows.all()),
                contexts=frozenset(r.code for r in inc.context_rows.all()),
                victims=tuple(str(d.pk) for d in victims),
                relatives_of=tuple(sorted({str(p.defender_id) for p in inc.victim_persons.all()})),
                categories=tuple(sorted({c.code for d in victims for c in d.category_rows.all()})),
            )
        )
    return facts


# --- 1. Calendar ---------------------------------------------------------------------------


def _event_window(event: Event, config: EngineConfig) -> tuple[datetime.date, datetime.date]:
    lead, tail = config.window(event.kind)
    lead = event.lead_days if event.lead_days is not None else lead
    tail = event.tail_days if event.tail_days is not None else tail
    return event.start - lead * DAY, event.end + tail * DAY


def event_scope(event: Event) -> list[str]:
    named = [str(pk) for pk in event.defenders.values_list("pk", flat=True)]
    rows = Defender.objects.filter(_live_defenders(), country=event.country)
    if named:
        rows = rows.filter(pk__in=named)
    if event.subdivision:
        rows = rows.filter(subdivision=event.subdivision)
    if event.categories:
        rows = rows.filter(category_rows__code__in=event.categories)
    return sorted({str(pk) for pk in rows.values_list("pk", flat=True)})


def calendar_candidates(as_of: datetime.date, config: EngineConfig) -> list[AlertCandidate]:
    """An event whose window [start - lead, end + tail] meets [as_of, as_of + notice_days]
    covers the live defenders in its scope; expires at the window's end."""
    horizon_end = as_of + config.notice_days * DAY
    candidates = []
    # Windows are at most MAX_WINDOW_DAYS long on each side: a cheap pre-filter.
    events = Event.objects.filter(
        start__lte=horizon_end + MAX_WINDOW_DAYS * DAY, end__gte=as_of - MAX_WINDOW_DAYS * DAY
    )
    for event in events.order_by("start", "pk"):
        opens, closes = _event_window(event, config)
        if opens > horizon_end or closes < as_of:
            continue
        defender_ids = event_scope(event)
        if not defender_ids:
            continue
        candidates.append(
            AlertCandidate(
                kind=AlertKind.CALENDAR.value,
                level=config.calendar_level(event.kind),
                raised_on=as_of,
                expires_on=closes,
                defender_ids=tuple(defender_ids),
                dedupe_key=f"calendar:{event.pk}",
                reason=f"Calendar window of a {event.kind} event opens on {opens.isoformat()}.",
                country=event.country,
                subdivision=event.subdivision,
                categories=tuple(sorted(event.categories)),
                evidence={
                    "rule": "calendar",
                    "event": str(event.pk),
                    "event_kind": event.kind,
                    "window": [opens.isoformat(), closes.isoformat()],
                },
                recommended_measures=tuple(config.recommended_measures.get("calendar", [])),
            )
        )
    return candidates


# --- 2. Individual escalation --------------------------------------------------------------


def _escalation_findings(
    mine: list[IncidentFacts],
    recent: list[IncidentFacts],
    relatives: list[IncidentFacts],
    config: EngineConfig,
) -> list[tuple[str, str, list[str]]]:
    """(rule, level, incident codes) for one defender's recent incidents."""
    threats = set(config.threat_violations)
    findings = []
    death = [i.code for i in mine if "death_threat" in i.violations]
    if death:
        findings.append(("death_threat", AlertLevel.URGENT.value, death))
    reprisal = [
        i.code
        for i in mine
        if i.violations & threats and i.contexts & set(config.reprisal_contexts)
    ]
    if reprisal:
        findings.append(("threat_after_exposure", AlertLevel.WARNING.value, reprisal))
    if len(recent) >= config.repeat_count:
        findings.append(("repeated_incidents", AlertLevel.WARNING.value, [i.code for i in recent]))
    if relatives:
        findings.append(
            ("relative_targeted", AlertLevel.WARNING.value, [i.code for i in relatives])
        )
    return findings


def escalation_candidates(
    as_of: datetime.date,
    config: EngineConfig,
    incidents: list[IncidentFacts],
    defender_ids: set[str] | None = None,
) -> list[AlertCandidate]:
    """Per defender, incidents dated in the last escalation_days (reported by as_of): a death
    threat is urgent; a threat in a publication/testimony context, repeat_count incidents in
    repeat_days, or an incident against a relative is a warning."""
    since = as_of - config.escalation_days * DAY
    repeat_since = as_of - config.repeat_days * DAY
    own: dict[str, list[IncidentFacts]] = defaultdict(list)
    relatives: dict[str, list[IncidentFacts]] = defaultdict(list)
    for inc in incidents:
        if not since <= inc.date <= as_of:
            continue
        for victim in inc.victims:
            own[victim].append(inc)
        for defender in inc.relatives_of:
            relatives[defender].append(inc)
    wanted = set(own) | set(relatives)
    if defender_ids is not None:
        wanted &= defender_ids
    live = _live_ids(wanted)
    candidates = []
    for defender in sorted(live):
        mine = own.get(defender, [])
        recent = [i for i in mine if i.date >= repeat_since]
        findings = _escalation_findings(mine, recent, relatives.get(defender, []), config)
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


def _org_members(victims: Iterable[str]) -> dict[str, set[str]]:
    """For each victim, the other members of their organisations."""
    through = Defender.organisations.through
    org_of: dict[str, set[str]] = defaultdict(set)
    for defender_id, org_id in through.objects.filter(defender_id__in=list(victims)).values_list(
        "defender_id", "organisation_id"
    ):
        org_of[str(defender_id)].add(str(org_id))
    members: dict[str, set[str]] = defaultdict(set)
    all_orgs = {o for orgs in org_of.values() for o in orgs}
    for defender_id, org_id in through.objects.filter(organisation_id__in=all_orgs).values_list(
        "defender_id", "organisation_id"
    ):
        members[str(org_id)].add(str(defender_id))
    return {v: set().union(*(members[o] for o in orgs)) - {v} for v, orgs in org_of.items()}


def network_links(
    inc: IncidentFacts, history: list[IncidentFacts], org_members: dict[str, set[str]], days: int
) -> list[tuple[str, str]]:
    """(defender id, link) pairs connected to one incident; the victims themselves excluded."""
    links = {(d, "relative") for d in inc.relatives_of}
    for victim in inc.victims:
        links |= {(d, "organisation") for d in org_members.get(victim, ())}
        links |= {(d, "co_victim") for d in inc.victims if d != victim}
    known = inc.perpetrators - {Perpetrator.UNKNOWN.value}
    if known:
        since = inc.date - days * DAY
        for earlier in history:
            if (
                earlier.id != inc.id
                and since <= earlier.date <= inc.date
                and (earlier.country, earlier.subdivision) == (inc.country, inc.subdivision)
                and earlier.perpetrators & known
            ):
                links |= {(d, "perpetrator") for d in earlier.victims}
    victims = set(inc.victims)
    return sorted((d, link) for d, link in links if link == "co_victim" or d not in victims)


def network_candidates(
    as_of: datetime.date, config: EngineConfig, incidents: list[IncidentFacts]
) -> list[AlertCandidate]:
    """A grave or threat incident raises the exposure of connected defenders by link weight x
    severity weight x 0.5 ** (age / half-life); raised when the sum reaches network_threshold."""
    threats, grave = set(config.threat_violations), config.grave_violations
    since = as_of - config.network_horizon_days * DAY
    triggers = [
        i
        for i in incidents
        if since <= i.date <= as_of
        and (i.victims or i.relatives_of)
        and i.violations & (grave | threats)
    ]
    history_since = since - config.perpetrator_days * DAY
    history = [i for i in incidents if i.date >= history_since]
    members = _org_members({v for i in triggers for v in i.victims})
    weights: dict[str, float] = defaultdict(float)
    evidence: dict[str, list[dict[str, object]]] = defaultdict(list)
    for inc in triggers:
        severity = (
            config.network_grave_weight if inc.violations & grave else config.network_threat_weight
        )
        decay = 0.5 ** ((as_of - inc.date).days / config.network_half_life_days)
        for defender, link in network_links(inc, history, members, config.perpetrator_days):
            weight = config.network_link_weights.get(link, 0.0) * severity * decay
            weights[defender] += weight
            evidence[defender].append(
                {"incident": inc.code, "link": link, "weight": round(weight, 4)}
            )
    candidates = []
    for defender in sorted(_live_ids(set(weights))):
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
    as_of: datetime.date, config: EngineConfig, incidents: list[IncidentFacts]
) -> list[AlertCandidate]:
    """The regional detector (regional.py) on the incidents as of the day; each signal covers
    the live defenders of its category (all for "*") in its place."""
    grave = config.grave_violations
    records = [
        IncidentRecord(
            reported_on=i.reported_on,
            date=i.date,
            country=i.country,
            subdivision=i.subdivision,
            categories=i.categories,
            violation_group="grave" if i.violations & grave else "other",
        )
        for i in incidents
    ]
    candidates = []
    for signal in detect(records, as_of, RegionalConfig(**config.regional)):
        rows = Defender.objects.filter(_live_defenders(), country=signal.place.country)
        if signal.place.subdivision:
            rows = rows.filter(subdivision=signal.place.subdivision)
        if signal.category != ALL_CATEGORIES:
            rows = rows.filter(category_rows__code=signal.category)
        defender_ids = sorted({str(pk) for pk in rows.values_list("pk", flat=True)})
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


# --- The scan ------------------------------------------------------------------------------


def _live_ids(defender_ids: set[str]) -> set[str]:
    if not defender_ids:
        return set()
    rows = Defender.objects.filter(_live_defenders(), pk__in=defender_ids)
    return {str(pk) for pk in rows.values_list("pk", flat=True)}


def _look_back_days(config: EngineConfig) -> int:
    """How far back any rule looks: the regional history, or the network's horizon plus the
    same-perpetrator window, or the escalation look-back."""
    regional = RegionalConfig(**config.regional)
    return max(
        (regional.history_weeks + regional.delay_weeks + 2) * 7,
        config.network_horizon_days + config.perpetrator_days,
        config.escalation_days,
        config.repeat_days,
    )


def _sort_key(c: AlertCandidate) -> tuple[str, str, tuple[str, ...]]:
    return (c.kind, c.dedupe_key, c.defender_ids)


def scan_as_of(
    as_of: datetime.date,
    *,
    config: EngineConfig | None = None,
    defender_ids: Iterable[str] | None = None,
) -> list[AlertCandidate]:
    """Every rule family as of one day; sorted by kind, dedupe key, defenders.

    With defender_ids (the incremental scan after a write) only candidates covering one of
    them are returned, and the network-wide regional detector is left to the daily scan."""
    config = config or config_current()
    wanted = None if defender_ids is None else {str(d) for d in defender_ids}
    incidents = incidents_as_of(as_of, since=as_of - _look_back_days(config) * DAY)
    candidates = [
        *calendar_candidates(as_of, config),
        *escalation_candidates(as_of, config, incidents, wanted),
        *status_candidates(as_of, config, wanted),
        *network_candidates(as_of, config, incidents),
    ]
    if wanted is None:
        candidates += regional_candidates(as_of, config, incidents)
    else:
        candidates = [c for c in candidates if wanted & set(c.defender_ids)]
    return sorted(candidates, key=_sort_key)
