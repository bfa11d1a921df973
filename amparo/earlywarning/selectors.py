"""Reads of early warning for a given actor: the alert inbox, one alert, the calendar of
events with their exposure windows, the regional spike status. Policy-filtered throughout."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Max, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from amparo.core.vocab import DEFAULT_WINDOWS
from amparo.earlywarning.models import Alert, AlertConfig, AlertKind, AlertLevel, Event
from amparo.earlywarning.policies import alert_scope, covered_defender_scope, event_scope
from amparo.measures.models import Measure
from amparo.measures.policies import measure_scope
from amparo.registry.models import Defender

LIVE = (Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED)
_LEVEL_RANK = Case(
    When(level=AlertLevel.URGENT, then=Value(0)),
    When(level=AlertLevel.WARNING, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def alert_list(
    *,
    actor: Any,
    status: str = "",
    level: str = "",
    kind: str = "",
    overdue_only: bool = False,
    now: datetime.datetime | None = None,
) -> QuerySet[Alert]:
    """The alerts the actor sees, urgent first, then by SLA due."""
    alerts = Alert.objects.filter(alert_scope(actor)).select_related("lead_entity")
    if status:
        alerts = alerts.filter(status=status)
    if level:
        alerts = alerts.filter(level=level)
    if kind:
        alerts = alerts.filter(kind=kind)
    if overdue_only:
        alerts = alerts.filter(status__in=LIVE, sla_due_at__lt=now or timezone.now())
    return alerts.annotate(level_rank=_LEVEL_RANK).order_by("level_rank", "sla_due_at", "code")


def alert_get(*, actor: Any, code: str) -> Alert:
    return get_object_or_404(
        Alert.objects.filter(alert_scope(actor)).select_related("lead_entity"), code=code
    )


def alerts_covering(*, actor: Any, defender: Defender) -> QuerySet[Alert]:
    """The live alerts the actor sees that cover this defender."""
    return alert_list(actor=actor).filter(status__in=LIVE, defenders=defender)


def alert_covered_defenders(*, actor: Any, alert: Alert) -> QuerySet[Defender]:
    """Covered defenders the actor may see; the others are neither listed nor counted."""
    return alert.defenders.filter(covered_defender_scope(actor)).order_by("code")


def alert_measure_choices(*, actor: Any, alert: Alert) -> QuerySet[Measure]:
    """Measures that may be linked when acting: those the actor sees, of covered defenders."""
    return (
        Measure.objects.filter(measure_scope(actor))
        .filter(defender__in=alert_covered_defenders(actor=actor, alert=alert))
        .select_related("defender")
        .order_by("code")
    )


@dataclass(frozen=True)
class CalendarEntry:
    event: Event
    window_start: datetime.date
    window_end: datetime.date


def events_calendar(*, actor: Any, start: datetime.date, end: datetime.date) -> list[CalendarEntry]:
    """Events whose exposure window [start − lead, end + tail] meets [start, end]."""
    events = Event.objects.filter(event_scope(actor))
    # The database narrows by the longest lead and tail in use; the exact test is per event.
    longest = events.aggregate(lead=Max("lead_days"), tail=Max("tail_days"))
    max_lead = max(longest["lead"] or 0, *(w.lead_days for w in DEFAULT_WINDOWS.values()))
    max_tail = max(longest["tail"] or 0, *(w.tail_days for w in DEFAULT_WINDOWS.values()))
    candidates = events.filter(
        start__lte=end + datetime.timedelta(days=max_lead),
        end__gte=start - datetime.timedelta(days=max_tail),
    ).order_by("start", "external_id")
    entries = []
    for event in candidates:
        window_start = event.start - datetime.timedelta(days=event.effective_lead_days)
        window_end = event.end + datetime.timedelta(days=event.effective_tail_days)
        if window_start <= end and window_end >= start:
            entries.append(CalendarEntry(event, window_start, window_end))
    return entries


@dataclass(frozen=True)
class RegionalRow:
    """One cell of the regional status: a place, a category (empty: all) and a violation group,
    with the statistic of its live alert."""

    alert: Alert
    place: str  # subdivision code, or country code for the whole country
    place_name: str
    category: str
    group: str
    week: str
    method: str
    statistic: Any
    threshold: Any
    observed: Any
    expected: Any


def regional_status(*, actor: Any) -> list[RegionalRow]:
    """Live regional-spike alerts, one row per place and category, with their statistic."""
    from amparo.earlywarning.evidence import place_name, regional_group

    alerts = alert_list(actor=actor, kind=AlertKind.REGIONAL).filter(status__in=LIVE)
    rows = []
    for alert in alerts:
        evidence = alert.evidence if isinstance(alert.evidence, dict) else {}
        place = alert.subdivision or alert.country or "—"
        for category in alert.categories or [""]:
            rows.append(
                RegionalRow(
                    alert=alert,
                    place=place,
                    place_name=place_name(alert.country, alert.subdivision),
                    category=str(category),
                    group=regional_group(alert),
                    week=str(evidence.get("week", "")),
                    method=str(evidence.get("method", "")),
                    statistic=evidence.get("statistic", ""),
                    threshold=evidence.get("threshold", ""),
                    observed=evidence.get("observed", evidence.get("count", "")),
                    expected=evidence.get("expected", evidence.get("baseline", "")),
                )
            )
    rows.sort(key=lambda row: (row.place, row.category, row.group))
    return rows


def regional_countries(*, actor: Any, rows: list[RegionalRow]) -> list[str]:
    """The countries in scope of the regional status: those of the defenders the actor sees
    and of the regional alerts shown."""
    seen = (
        Defender.objects.filter(covered_defender_scope(actor))
        .order_by()
        .values_list("country", flat=True)
        .distinct()
    )
    countries = {code for code in seen if code} | {row.alert.country for row in rows}
    return sorted(code for code in countries if code)


def alert_config_versions() -> QuerySet[AlertConfig]:
    return AlertConfig.objects.select_related("created_by").order_by("-version")
