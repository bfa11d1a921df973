"""The figures of the annual report, computed in SQL over what the actor may know exists.

Every figure is an aggregate of plain columns (dates, codes, flags): nothing is decrypted and
no sensitive field can appear. Counts about people (incidents, measures, investigations,
alerts) that fall between 1 and AMPARO_REPORT_MIN_COUNT - 1 are suppressed (None), and so is
any percentage computed from a suppressed count. Communications, their replies and country
visits are the mandate's public record (the UN report publishes them per State) and are never
suppressed. docs/reports.md defines each figure.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from amparo.communications.models import Communication, CommunicationStatus, CountryVisit, Reply
from amparo.core.policy import is_system, role_of
from amparo.core.vocab import VisitStatus
from amparo.earlywarning.models import Alert
from amparo.earlywarning.policies import alert_scope
from amparo.incidents.models import Incident, IncidentPerpetrator, IncidentViolation
from amparo.incidents.policies import incident_scope
from amparo.investigations import selectors as investigations
from amparo.investigations.selectors import add_months
from amparo.measures.models import Measure, MeasureStatus, MeasureStatusChange
from amparo.measures.policies import measure_scope
from amparo.measures.services import DECISION_DAYS

TREND_PERIODS = 3  # previous periods of the same length shown beside the current one
PENDING_VISIT_STATUSES = (VisitStatus.REQUESTED, VisitStatus.PENDING)
ACCEPTED_VISIT_STATUSES = (VisitStatus.ACCEPTED, VisitStatus.SCHEDULED)


def min_count() -> int:
    return int(getattr(settings, "AMPARO_REPORT_MIN_COUNT", 3))


def decision_target_days() -> int:
    return int(getattr(settings, "AMPARO_REPORT_DECISION_TARGET_DAYS", DECISION_DAYS))


def protection_target_days() -> int:
    return int(getattr(settings, "AMPARO_REPORT_PROTECTION_TARGET_DAYS", 30))


def rate_percent(part: int, whole: int) -> int | None:
    """A whole percentage rounded half up, as the UN report writes it (90/266 → 34)."""
    if not whole:
        return None
    return int((Decimal(100 * part) / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass(frozen=True)
class Suppress:
    """Small counts that could identify a person become None."""

    threshold: int

    def count(self, n: int) -> int | None:
        return None if 0 < n < self.threshold else n

    def counts(self, found: Mapping[str, int]) -> dict[str, int | None]:
        return {key: self.count(n) for key, n in found.items()}

    def rate(self, part: int, whole: int) -> int | None:
        if self.count(part) is None or self.count(whole) is None:
            return None
        return rate_percent(part, whole)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> int | None:
        """The length in whole calendar months, when the period is made of them."""
        after = self.end + datetime.timedelta(days=1)
        if self.start.day != 1 or after.day != 1:
            return None
        return (after.year - self.start.year) * 12 + after.month - self.start.month

    def shifted(self, periods: int) -> Period:
        """The period `periods` lengths earlier: whole months for a period of whole months
        (so a calendar year's previous periods are calendar years), else days."""
        months = self.months
        if months:
            start = add_months(self.start, -months * periods)
            end = add_months(start, months) - datetime.timedelta(days=1)
            return Period(start, end)
        delta = datetime.timedelta(days=self.days * periods)
        return Period(self.start - delta, self.end - delta)

    def as_dict(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def _sorted_counts(rows: Iterable[tuple[Any, int]]) -> dict[str, int]:
    """{key: count}, most first, then by key; empty keys are left out."""
    pairs = [(str(key), n) for key, n in rows if key not in (None, "")]
    return dict(sorted(pairs, key=lambda pair: (-pair[1], pair[0])))


# Communications and visits: the actor's entity (everything for the system actor) -------------


def _entity_q(actor: Any) -> Q:
    return Q() if is_system(actor) else Q(lead_entity_id=actor.entity_id)


def sent_communications(actor: Any, period: Period) -> QuerySet[Communication]:
    return Communication.objects.filter(
        _entity_q(actor),
        status=CommunicationStatus.SENT,
        sent_on__gte=period.start,
        sent_on__lte=period.end,
    )


def communication_figures(actor: Any, period: Period) -> dict[str, Any]:
    """Sent in the period; replied = at least one reply received by the period's last day."""
    replied = Exists(
        Reply.objects.filter(communication=OuterRef("pk"), received_on__lte=period.end)
    )
    sent = sent_communications(actor, period).annotate(has_reply=replied).order_by()
    totals = sent.aggregate(
        sent=Count("pk"),
        states=Count("state", distinct=True),
        replied=Count("pk", filter=Q(has_reply=True)),
        women=Count("pk", filter=Q(concerns_women_defenders=True)),
    )
    by_state = [
        {
            "state": row["state"],
            "sent": row["n"],
            "replied": row["r"],
            "response_rate_percent": rate_percent(row["r"], row["n"]),
        }
        for row in sent.values("state").annotate(
            n=Count("pk"), r=Count("pk", filter=Q(has_reply=True))
        )
    ]
    by_state.sort(key=lambda row: (-row["sent"], row["state"]))
    return {
        "sent": totals["sent"],
        "states": totals["states"],
        "replied": totals["replied"],
        "response_rate_percent": rate_percent(totals["replied"], totals["sent"]),
        "women_defenders": totals["women"],
        "by_kind": _sorted_counts(sent.values_list("kind").annotate(n=Count("pk"))),
        "by_state": by_state,
    }


def visit_figures(actor: Any, period: Period) -> dict[str, Any]:
    """Requests outstanding on the period's last day, oldest first, with the years requested."""
    visits = CountryVisit.objects.filter(_entity_q(actor), first_requested_on__lte=period.end)

    def rows(statuses: Iterable[str]) -> list[dict[str, Any]]:
        return [
            {
                "state": visit.state,
                "status": visit.status,
                "first_requested_on": visit.first_requested_on.isoformat(),
                "years_requested": sorted(int(y) for y in visit.years_requested or []),
            }
            for visit in visits.filter(status__in=list(statuses)).order_by(
                "first_requested_on", "state"
            )
        ]

    return {
        "pending_requests": rows(PENDING_VISIT_STATUSES),
        "accepted_not_yet_conducted": rows(ACCEPTED_VISIT_STATUSES),
    }


# Incidents: the actor's policy scope ---------------------------------------------------------


def _known_in(period: Period) -> Q:
    return Q(date__gte=period.start, date__lte=period.end, reported_on__lte=period.end)


def period_incidents(actor: Any, period: Period) -> QuerySet[Incident]:
    """Incidents that happened in the period and were known by its last day."""
    return Incident.objects.filter(incident_scope(actor), _known_in(period))


def incident_trend(
    actor: Any, periods: list[Period]
) -> tuple[list[tuple[int, int]], list[tuple[str, int]]]:
    """(total, grave) for each period, and (country, incidents) for the last one, in one pass
    over the incidents of all of them: counted per country in SQL, the countries summed here."""
    grave = investigations.grave_incident_ids()
    counts: dict[str, Count] = {}
    for number, period in enumerate(periods):
        counts[f"total_{number}"] = Count("pk", filter=_known_in(period))
        counts[f"grave_{number}"] = Count("pk", filter=_known_in(period) & Q(pk__in=grave))
    found = (
        Incident.objects.filter(
            incident_scope(actor),
            date__gte=min(p.start for p in periods),
            date__lte=max(p.end for p in periods),
        )
        .order_by()
        .values("country")
        .annotate(**counts)
        .values_list("country", *counts)
    )
    rows = [dict(zip(("country", *counts), values, strict=True)) for values in found]
    trend = [
        (sum(row[f"total_{n}"] for row in rows), sum(row[f"grave_{n}"] for row in rows))
        for n in range(len(periods))
    ]
    last = len(periods) - 1
    by_country = [(row["country"], row[f"total_{last}"]) for row in rows if row[f"total_{last}"]]
    return trend, by_country


def incident_figures(actor: Any, period: Period, suppress: Suppress) -> dict[str, Any]:
    ids = period_incidents(actor, period).order_by().values("pk")
    victims = Incident.victim_defenders.through.objects.filter(incident_id__in=ids).order_by()
    groups = investigations._perpetrator_group()
    periods = [period.shifted(back) for back in range(TREND_PERIODS, -1, -1)]
    counts, by_country = incident_trend(actor, periods)
    total, grave = counts[-1]
    trend = [
        {**earlier.as_dict(), "total": suppress.count(t_total), "grave": suppress.count(t_grave)}
        for earlier, (t_total, t_grave) in zip(periods, counts, strict=True)
    ]
    return {
        "total": suppress.count(total),
        "grave": suppress.count(grave),
        # An incident has each violation code once (incidents_violation_unique): its rows are
        # its distinct incidents, counted without DISTINCT's sort.
        "by_violation": suppress.counts(
            _sorted_counts(
                IncidentViolation.objects.filter(incident_id__in=ids)
                .values_list("code")
                .annotate(n=Count("pk"))
            )
        ),
        "by_perpetrator_group": suppress.counts(
            _sorted_counts(
                IncidentPerpetrator.objects.filter(incident_id__in=ids)
                .annotate(group=groups)
                .values_list("group")
                .annotate(n=Count("incident", distinct=True))
            )
        ),
        "by_category": suppress.counts(
            _sorted_counts(
                victims.values_list("defender__category_rows__code").annotate(
                    n=Count("incident", distinct=True)
                )
            )
        ),
        "by_gender": suppress.counts(
            _sorted_counts(
                victims.values_list("defender__gender").annotate(n=Count("incident", distinct=True))
            )
        ),
        "by_country": suppress.counts(_sorted_counts(by_country)),
        "trend": trend,
    }


# Measures: the actor's policy scope ----------------------------------------------------------


def _median_days(spans: QuerySet[Measure], span: str, count: int) -> float | None:
    """The median of a duration over `count` rows, in days to one decimal: the database orders
    the rows by it and returns only the one or two in the middle."""
    if not count:
        return None
    middle = spans.order_by(span).values_list(span, flat=True)[(count - 1) // 2 : count // 2 + 1]
    return round(statistics.median(days.total_seconds() / 86400 for days in middle), 1)


def measure_figures(actor: Any, period: Period, suppress: Suppress) -> dict[str, Any]:
    """Measures decided in the period that were granted (approved at some point); timeliness
    from request to decision and from request to in place, against the targets. Counts and
    medians are computed by the database, whatever the number of measures."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(period.end, datetime.time.max, tzinfo=tz)
    approved = MeasureStatusChange.objects.filter(measure=OuterRef("pk"), to_status="approved")
    granted = Measure.objects.filter(
        measure_scope(actor), Exists(approved), decided_at__gte=start, decided_at__lte=end
    ).order_by()
    spans = granted.annotate(
        decision=ExpressionWrapper(
            F("decided_at") - F("requested_at"), output_field=DurationField()
        ),
        protection=ExpressionWrapper(
            F("implemented_at") - F("requested_at"), output_field=DurationField()
        ),
    )
    in_place = Q(implemented_at__isnull=False, implemented_at__lte=end)
    decision_target = datetime.timedelta(days=decision_target_days())
    protection_target = datetime.timedelta(days=protection_target_days())
    row = spans.aggregate(
        granted=Count("pk"),
        within_decision=Count("pk", filter=Q(decision__lte=decision_target)),
        protected=Count("pk", filter=in_place),
        within_protection=Count("pk", filter=in_place & Q(protection__lte=protection_target)),
    )
    requested = Measure.objects.filter(
        measure_scope(actor), requested_on__gte=period.start, requested_on__lte=period.end
    ).count()
    refused = Measure.objects.filter(
        measure_scope(actor),
        status=MeasureStatus.REFUSED_BY_DEFENDER,
        requested_on__gte=period.start,
        requested_on__lte=period.end,
    ).count()
    granted_n, protected = row["granted"], row["protected"]
    return {
        "requested": suppress.count(requested),
        "granted": suppress.count(granted_n),
        "refused_by_defender": suppress.count(refused),
        "by_kind": suppress.counts(
            _sorted_counts(granted.values_list("kind").annotate(n=Count("pk")))
        ),
        "decision_days_median": (
            _median_days(spans, "decision", granted_n) if suppress.count(granted_n) else None
        ),
        "decided_within_target_percent": suppress.rate(row["within_decision"], granted_n),
        "protection_days_median": (
            _median_days(spans.filter(in_place), "protection", protected)
            if suppress.count(protected)
            else None
        ),
        "in_place_within_target_percent": suppress.rate(row["within_protection"], protected),
        "targets": {
            "decision_days": decision_target_days(),
            "protection_days": protection_target_days(),
        },
    }


# Investigations and alerts -------------------------------------------------------------------


def _suppress_impunity(rows: list[dict[str, Any]], suppress: Suppress) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        incidents = row["grave_incidents"]
        out.append(
            {
                "key": row["key"],
                "grave_incidents": suppress.count(incidents),
                "investigated": suppress.count(row["investigated"]),
                "convicted": suppress.count(row["convicted"]),
                "impunity_percent": suppress.rate(incidents - row["convicted"], incidents),
            }
        )
    return out


def investigation_figures(actor: Any, period: Period, suppress: Suppress) -> dict[str, Any]:
    """As of the period's last day. The N-month figures take the grave incidents whose N-month
    mark fell in the period; convictions and impunity cover every grave incident known by then
    (justice is slower than a year)."""
    as_of = period.end
    uninvestigated = investigations.uninvestigated_after(
        actor=actor, as_of=as_of, since=period.start
    )
    by_country = investigations.impunity_by_country(actor=actor, as_of=as_of)
    convictions = investigations.convictions_of(by_country)
    convicted, grave = convictions["convicted"], convictions["grave_incidents"]
    return {
        "as_of": as_of.isoformat(),
        "uninvestigated": {
            str(months): {
                "grave_incidents": suppress.count(row["grave_incidents"]),
                "without_investigation": suppress.count(row["without_investigation"]),
                "percent": suppress.rate(row["without_investigation"], row["grave_incidents"]),
            }
            for months, row in uninvestigated.items()
        },
        "convictions": {
            "grave_incidents": suppress.count(grave),
            "convicted": suppress.count(convicted),
            "per_incident": (
                convictions["per_incident"]
                if suppress.count(convicted) is not None and suppress.count(grave) is not None
                else None
            ),
        },
        "stages": suppress.counts(investigations.stage_counts(actor=actor, as_of=as_of)),
        "by_perpetrator_group": _suppress_impunity(
            investigations.impunity_by_perpetrator_group(actor=actor, as_of=as_of), suppress
        ),
        "by_country": _suppress_impunity(by_country, suppress),
    }


def alert_figures(actor: Any, period: Period, suppress: Suppress) -> dict[str, Any]:
    """Alerts raised in the period, and how many of them were acted on (status `acted`)."""
    alerts = Alert.objects.filter(
        alert_scope(actor), raised_on__gte=period.start, raised_on__lte=period.end
    ).order_by()
    row = alerts.aggregate(raised=Count("pk"), acted=Count("pk", filter=Q(status="acted")))
    return {
        "raised": suppress.count(row["raised"]),
        "acted": suppress.count(row["acted"]),
        "acted_percent": suppress.rate(row["acted"], row["raised"]),
        "by_kind": suppress.counts(
            _sorted_counts(alerts.values_list("kind").annotate(n=Count("pk")))
        ),
        "by_level": suppress.counts(
            _sorted_counts(alerts.values_list("level").annotate(n=Count("pk")))
        ),
    }


def annual_report(
    *, actor: Any, start: datetime.date, end: datetime.date, threshold: int | None = None
) -> dict[str, Any]:
    """Every figure of the annual report for the period, as plain JSON-ready values."""
    period = Period(start, end)
    suppress = Suppress(min_count() if threshold is None else threshold)
    entity = getattr(actor, "entity", None)
    return {
        "report": "annual",
        "period": period.as_dict(),
        "scope": {
            "entity": entity.slug if entity is not None else None,
            "all_entities": is_system(actor),
            "role": role_of(actor),
        },
        "min_count": suppress.threshold,
        "communications": communication_figures(actor, period),
        "visits": visit_figures(actor, period),
        "incidents": incident_figures(actor, period, suppress),
        "measures": measure_figures(actor, period, suppress),
        "investigations": investigation_figures(actor, period, suppress),
        "alerts": alert_figures(actor, period, suppress),
    }


def published_communications(actor: Any, period: Period) -> list[dict[str, Any]]:
    """The companion list: communications sent in the period and published by its last day,
    with their reply status on that day. Plain columns only: no summary (see docs/reports.md)."""
    first_reply = Reply.objects.filter(
        communication=OuterRef("pk"), received_on__lte=period.end
    ).order_by("received_on", "created_at")
    communications = (
        sent_communications(actor, period)
        .filter(published_on__isnull=False, published_on__lte=period.end)
        .annotate(
            replied_on=first_reply.values("received_on")[:1],
            reply_kind=first_reply.values("kind")[:1],
        )
        .order_by("sent_on", "reference")
    )
    return [
        {
            "sent_on": c.sent_on.isoformat() if c.sent_on else None,
            "kind": c.kind,
            "reference": c.reference,
            "state": c.state,
            "mandates": list(c.mandates or []),
            "published_on": c.published_on.isoformat() if c.published_on else None,
            "replied_on": c.replied_on.isoformat() if c.replied_on else None,
            "reply_kind": c.reply_kind or None,
        }
        for c in communications.only(
            "sent_on", "kind", "reference", "state", "mandates", "published_on"
        )
    ]
