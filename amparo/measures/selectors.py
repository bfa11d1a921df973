"""Reads of measures, always filtered by the actor's policy scope, and the figures the
dashboard and reports show: timeliness, late measures, overdue reviews, unprotected defenders,
refusals, feedback and cost. Figures are plain dicts and lists, computed exactly.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from amparo.measures.models import (
    CLOSED,
    PROTECTING,
    Disclosure,
    Measure,
    MeasureFeedback,
    MeasureStatus,
    MeasureStatusChange,
    SafetyPlan,
)
from amparo.measures.policies import disclosure_scope, may_read_safety_plan, measure_scope
from amparo.registry.models import Defender
from amparo.registry.selectors import defender_queryset

S = MeasureStatus
HIGH_RISK = ("high", "extreme")
DECIDED = (S.APPROVED, S.REJECTED)


@dataclass
class MeasureFilters:
    kind: str = ""
    status: str = ""
    provider: str = ""  # entity slug
    defender: str = ""  # defender code


def measure_queryset(actor: Any) -> QuerySet[Measure]:
    return Measure.objects.filter(measure_scope(actor)).select_related(
        "case",
        "defender",
        "defender__case",
        "data_key",
        "lead_entity",
        "provider",
        "procedure",
        "replaced_by",
        "beneficiary_person",
        "beneficiary_organisation",
    )


def measure_list(*, actor: Any, filters: MeasureFilters | None = None) -> QuerySet[Measure]:
    filters = filters or MeasureFilters()
    measures = measure_queryset(actor)
    if filters.kind:
        measures = measures.filter(kind=filters.kind)
    if filters.status:
        measures = measures.filter(status=filters.status)
    if filters.provider:
        measures = measures.filter(provider__slug=filters.provider)
    if filters.defender:
        measures = measures.filter(defender__code=filters.defender)
    return measures


def measure_get(*, actor: Any, code: str) -> Measure:
    measure = measure_queryset(actor).filter(code=code).first()
    if measure is None:
        raise Http404("Not found.")
    return measure


def measure_history(measure: Measure) -> list[MeasureStatusChange]:
    return list(measure.history.select_related("data_key").order_by("at", "pk"))


# Timeliness ---------------------------------------------------------------------------------


def _hours(start: datetime.datetime | None, end: datetime.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 3600, 2)


def measure_timeliness(measure: Measure, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Request → decision → in place, in hours, against the procedure's deadlines.

    decision_late / in_place_late: True when the step happened after its deadline, or has not
    happened and the deadline has passed; False when on time (or not yet due); None when no
    procedure sets a deadline."""
    now = now or timezone.now()
    procedure = measure.procedure
    decide_by = procedure.decide_by if procedure else None
    in_place_by = procedure.in_place_by if procedure else None

    def late(done: datetime.datetime | None, due: datetime.datetime | None, open_: bool) -> Any:
        if due is None:
            return None
        if done is not None:
            return done > due
        return open_ and now > due

    deciding = measure.status in {S.REQUESTED, S.UNDER_ASSESSMENT}
    implementing = measure.status == S.APPROVED or deciding
    return {
        "code": measure.code,
        "kind": measure.kind,
        "status": measure.status,
        "requested_at": measure.requested_at,
        "decided_at": measure.decided_at,
        "implemented_at": measure.implemented_at,
        "decision_hours": _hours(measure.requested_at, measure.decided_at),
        "implementation_hours": _hours(measure.decided_at, measure.implemented_at),
        "protection_hours": _hours(measure.requested_at, measure.implemented_at),
        "decide_by": decide_by,
        "in_place_by": in_place_by,
        "decision_late": late(measure.decided_at, decide_by, deciding),
        "in_place_late": (
            None
            if measure.status == S.REJECTED and measure.implemented_at is None
            else late(measure.implemented_at, in_place_by, implementing)
        ),
    }


def late_measures(*, actor: Any, now: datetime.datetime | None = None) -> QuerySet[Measure]:
    """Measures overdue right now: undecided past the procedure's decide_by, or approved (or
    undecided) and not in place past its in_place_by."""
    now = now or timezone.now()
    undecided = Q(status__in=[S.REQUESTED, S.UNDER_ASSESSMENT])
    return (
        measure_queryset(actor)
        .filter(
            (undecided & Q(procedure__decide_by__lt=now))
            | (
                (undecided | Q(status=S.APPROVED))
                & Q(implemented_at__isnull=True, procedure__in_place_by__lt=now)
            )
        )
        .order_by("requested_at", "code")
    )


def reviews_overdue(*, actor: Any, today: datetime.date | None = None) -> QuerySet[Measure]:
    today = today or timezone.localdate()
    return (
        measure_queryset(actor)
        .filter(status__in=PROTECTING, review_due_on__lt=today)
        .order_by("review_due_on", "code")
    )


def unprotected_defenders(*, actor: Any) -> QuerySet[Defender]:
    """Defenders at high or extreme risk with no measure in place (or under review)."""
    protecting = Measure.objects.filter(defender=OuterRef("pk"), status__in=PROTECTING)
    return (
        defender_queryset(actor)
        .filter(risk_level__in=HIGH_RISK, shredded_at__isnull=True)
        .exclude(Exists(protecting))
        .order_by("-risk_level", "code")
    )


def timeliness_summary(*, actor: Any, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Counts of decisions and implementations on time and late, over the visible measures
    that have a procedure deadline."""
    now = now or timezone.now()
    summary = {
        "decided_on_time": 0,
        "decided_late": 0,
        "in_place_on_time": 0,
        "in_place_late": 0,
        "pending_late": late_measures(actor=actor, now=now).count(),
    }
    measures = measure_queryset(actor).filter(procedure__isnull=False)
    for measure in measures.iterator(chunk_size=500):
        figures = measure_timeliness(measure, now)
        if measure.decided_at is not None and figures["decision_late"] is not None:
            summary["decided_late" if figures["decision_late"] else "decided_on_time"] += 1
        if measure.implemented_at is not None and figures["in_place_late"] is not None:
            summary["in_place_late" if figures["in_place_late"] else "in_place_on_time"] += 1
    return summary


def median_days_to_protection(*, actor: Any, kind: str = "") -> float | None:
    """Median days from request to in place, over the visible measures ever put in place."""
    measures = measure_queryset(actor).filter(implemented_at__isnull=False)
    if kind:
        measures = measures.filter(kind=kind)
    spans = [
        (implemented - requested).total_seconds() / 86400
        for requested, implemented in measures.values_list("requested_at", "implemented_at")
        if implemented is not None
    ]
    return round(statistics.median(spans), 2) if spans else None


# Refusals, feedback, cost -------------------------------------------------------------------


def refusal_counts(*, actor: Any) -> list[dict[str, Any]]:
    """Per measure kind and provider: measures offered to the defender (approved at some point,
    or refused before a decision) and how many the defender refused, with the rate.

    A measure the programme rejected, or one still awaiting decision, was never offered and is
    not counted. Rows are sorted by kind, then provider slug ("" for no provider)."""
    approved_ever = MeasureStatusChange.objects.filter(measure=OuterRef("pk"), to_status=S.APPROVED)
    rows = (
        measure_queryset(actor)
        .filter(Q(Exists(approved_ever)) | Q(status=S.REFUSED_BY_DEFENDER))
        .order_by()
        .values("kind", "provider__slug")
        .annotate(
            offered=Count("pk"),
            refused=Count("pk", filter=Q(status=S.REFUSED_BY_DEFENDER)),
        )
    )
    out = [
        {
            "kind": row["kind"],
            "provider": row["provider__slug"] or "",
            "offered": row["offered"],
            "refused": row["refused"],
            "rate": round(row["refused"] / row["offered"], 4) if row["offered"] else 0.0,
        }
        for row in rows
    ]
    return sorted(out, key=lambda row: (row["kind"], row["provider"]))


def refusals_by_kind(*, actor: Any) -> dict[str, dict[str, Any]]:
    """refusal_counts summed over providers: {kind: {offered, refused, rate}}."""
    totals: dict[str, dict[str, Any]] = defaultdict(lambda: {"offered": 0, "refused": 0})
    for row in refusal_counts(actor=actor):
        totals[row["kind"]]["offered"] += row["offered"]
        totals[row["kind"]]["refused"] += row["refused"]
    for figures in totals.values():
        figures["rate"] = round(figures["refused"] / figures["offered"], 4)
    return dict(sorted(totals.items()))


def feedback_summary(*, actor: Any) -> list[dict[str, Any]]:
    """The defenders' feedback per kind and provider: how many said the measure works, and
    that they trust the provider (yes / partly / no). Providers' own reports are not counted."""
    rows = (
        MeasureFeedback.objects.filter(
            measure__in=measure_queryset(actor).values("pk"),
            source=MeasureFeedback.Source.DEFENDER,
        )
        .order_by()
        .values("measure__kind", "measure__provider__slug", "works", "trusts_provider")
        .annotate(n=Count("pk"))
    )
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["measure__kind"], row["measure__provider__slug"] or "")
        entry = table.setdefault(
            key,
            {
                "kind": key[0],
                "provider": key[1],
                "responses": 0,
                "works": {"yes": 0, "partly": 0, "no": 0},
                "trusts_provider": {"yes": 0, "partly": 0, "no": 0, "": 0},
            },
        )
        entry["responses"] += row["n"]
        entry["works"][row["works"]] += row["n"]
        entry["trusts_provider"][row["trusts_provider"]] += row["n"]
    return [table[key] for key in sorted(table)]


def cost_by(*, actor: Any, by: str = "kind") -> list[dict[str, Any]]:
    """Total cost of the visible measures per kind, lead entity, provider or month requested,
    per currency (amounts in different currencies are never added)."""
    group = {
        "kind": "kind",
        "entity": "lead_entity__slug",
        "provider": "provider__slug",
        "month": "month",
    }[by]
    measures = measure_queryset(actor).filter(cost__isnull=False).order_by()
    if by == "month":
        measures = measures.annotate(month=TruncMonth("requested_on"))
    rows = measures.values(group, "currency").annotate(total=Sum("cost"), measures=Count("pk"))
    out = []
    for row in rows:
        key = row[group]
        if isinstance(key, datetime.date):
            key = key.strftime("%Y-%m")
        out.append(
            {
                "key": key or "",
                "currency": row["currency"],
                "total": row["total"] or Decimal("0"),
                "measures": row["measures"],
            }
        )
    return sorted(out, key=lambda row: (row["key"], row["currency"]))


def status_counts(*, actor: Any) -> dict[str, int]:
    found = dict(measure_queryset(actor).order_by().values_list("status").annotate(n=Count("pk")))
    return {code: found.get(code, 0) for code in S.values}


def open_measure_count(*, actor: Any) -> int:
    return measure_queryset(actor).exclude(status__in=CLOSED).count()


# Safety plans and disclosures ---------------------------------------------------------------


def safety_plan_for(*, actor: Any, defender: Defender) -> SafetyPlan | None:
    """The defender's safety plan, for those who may read it (the defender included)."""
    if not may_read_safety_plan(actor, defender):
        raise Http404("Not found.")
    return SafetyPlan.objects.filter(defender=defender).select_related("data_key").first()


def disclosure_queryset(actor: Any) -> QuerySet[Disclosure]:
    return Disclosure.objects.filter(disclosure_scope(actor)).select_related(
        "case",
        "defender",
        "measure",
        "measure__data_key",
        "from_entity",
        "to_entity",
        "data_key",
    )


def disclosure_list(*, actor: Any, status: str = "") -> QuerySet[Disclosure]:
    disclosures = disclosure_queryset(actor)
    if status:
        disclosures = disclosures.filter(status=status)
    return disclosures


def disclosure_get(*, actor: Any, code: str) -> Disclosure:
    disclosure = disclosure_queryset(actor).filter(code=code).first()
    if disclosure is None:
        raise Http404("Not found.")
    return disclosure


def disclosures_of_measure(*, actor: Any, measure: Measure) -> QuerySet[Disclosure]:
    return disclosure_queryset(actor).filter(measure=measure)
