"""Reads of investigations, filtered by the actor's policy scope, and the impunity figures.

The figures are computed as of a day from the history (InvestigationUpdate.on), seeing only
incidents reported by then, so a past report can be reproduced exactly. They read plain
columns only (dates, codes, stages): nothing is decrypted.

- an incident is *investigated* by day D when its history has a stage of
  INVESTIGATED_STAGES on or before D (a complaint alone is not an investigation);
- it is *convicted* by day D when its history has the stage `convicted` on or before D;
- *grave* incidents have at least one violation of GRAVE_VIOLATIONS.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from typing import Any, NoReturn

from django.db import NotSupportedError
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Func,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.http import Http404

from amparo.core.vocab import (
    GRAVE_VIOLATIONS,
    INVESTIGATED_STAGES,
    STATE_PERPETRATORS,
    InvestigationStage,
    Perpetrator,
)
from amparo.incidents.models import Incident, IncidentPerpetrator, IncidentViolation
from amparo.investigations.models import Investigation, InvestigationUpdate
from amparo.investigations.policies import figure_incident_scope, investigation_scope

UNINVESTIGATED_MONTHS = (3, 6, 12)
PERPETRATOR_GROUPS = ("state", "non_state", "unknown")


def investigation_queryset(actor: Any) -> QuerySet[Investigation]:
    return Investigation.objects.filter(investigation_scope(actor)).select_related(
        "incident", "data_key"
    )


def investigation_for(*, actor: Any, incident: Incident) -> Investigation | None:
    """The investigation of an incident the caller fetched through incident_get (None when
    there is none yet, or the actor may not read investigation records)."""
    return investigation_queryset(actor).filter(incident=incident).first()


def investigation_list(*, actor: Any, stage: str = "") -> QuerySet[Investigation]:
    investigations = investigation_queryset(actor).order_by("-updated_on", "external_id")
    return investigations.filter(stage=stage) if stage else investigations


def investigation_get(*, actor: Any, incident_code: str) -> Investigation:
    investigation = investigation_queryset(actor).filter(incident__code=incident_code).first()
    if investigation is None:
        raise Http404("Not found.")
    return investigation


def investigation_history(investigation: Investigation) -> list[InvestigationUpdate]:
    return list(
        investigation.updates.select_related("data_key", "recorded_by").order_by("on", "created_at")
    )


# Figures ------------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` later (the month's last day when it has fewer)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def grave_incident_ids() -> QuerySet[IncidentViolation, Any]:
    """The ids of the grave incidents, for `pk__in`: an IN list read from the (code, incident)
    index, where a correlated EXISTS would probe the violations once per incident."""
    return IncidentViolation.objects.filter(code__in=sorted(GRAVE_VIOLATIONS)).values("incident_id")


def grave_incidents(actor: Any, as_of: datetime.date) -> QuerySet[Incident]:
    """The grave incidents in the actor's figure scope, known (reported) by the day."""
    return Incident.objects.filter(
        figure_incident_scope(actor),
        pk__in=grave_incident_ids(),
        reported_on__lte=as_of,
        date__lte=as_of,
    )


def _reached(stages: Iterable[str], as_of: datetime.date, ref: str = "pk") -> Exists:
    return Exists(
        InvestigationUpdate.objects.filter(
            investigation__incident=OuterRef(ref), stage__in=sorted(stages), on__lte=as_of
        )
    )


def _first_investigated_on(as_of: datetime.date) -> Subquery:
    return Subquery(
        InvestigationUpdate.objects.filter(
            investigation__incident=OuterRef("pk"),
            stage__in=sorted(INVESTIGATED_STAGES),
            on__lte=as_of,
        )
        .order_by()
        .values("investigation__incident")
        .annotate(first=Min("on"))
        .values("first")
    )


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


class AddMonths(Func):
    """`add_months` in SQL: the same day `months` later, the month's last day when it has fewer."""

    output_field = DateField()

    def __init__(self, expression: Any, months: int) -> None:
        super().__init__(expression)
        self.months = months

    def as_sql(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise NotSupportedError("AddMonths is written for SQLite and PostgreSQL.")

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # PostgreSQL clamps to the month's end itself: 2024-01-31 + 1 month = 2024-02-29.
        day, params = compiler.compile(self.source_expressions[0])
        return f"(({day}) + make_interval(months => %s))::date", (*params, self.months)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite carries the overflow into the next month (Jan 31 + 1 month = Mar 2 or 3):
        # the target month's last day is the bound.
        day, params = compiler.compile(self.source_expressions[0])
        sql = f"min(date({day}, %s), date({day}, 'start of month', %s, '-1 day'))"
        months, after = f"{self.months:+d} months", f"{self.months + 1:+d} months"
        return sql, (*params, months, *params, after)


def uninvestigated_after(
    *,
    actor: Any,
    as_of: datetime.date,
    months: Iterable[int] = UNINVESTIGATED_MONTHS,
    since: datetime.date | None = None,
) -> dict[int, dict[str, Any]]:
    """For each number of months m: the grave incidents whose m-month mark (date + m months)
    fell on or before `as_of` (and on or after `since`, when given), and how many of them had
    no investigation opened by that mark, per the history known on `as_of`.

    One query counts every cohort: the grave incidents are grouped by (date, first day
    investigated), the marks computed in SQL (AddMonths) once per group, and the groups summed."""
    months = list(months)
    sums: dict[str, Sum] = {}
    for m in months:
        cohort = Q(**{f"mark_{m}__lte": as_of})
        if since is not None:
            cohort &= Q(**{f"mark_{m}__gte": since})
        late = Q(first_investigated__isnull=True) | Q(first_investigated__gt=F(f"mark_{m}"))
        sums[f"cohort_{m}"] = Sum("incidents", filter=cohort, default=0)
        sums[f"without_{m}"] = Sum("incidents", filter=cohort & late, default=0)
    row = (
        grave_incidents(actor, as_of)
        .annotate(first_investigated=_first_investigated_on(as_of))
        .order_by()
        .values("date", "first_investigated")
        .annotate(incidents=Count("pk"), **{f"mark_{m}": AddMonths(F("date"), m) for m in months})
        .aggregate(**sums)
    )
    return {
        m: {
            "grave_incidents": row[f"cohort_{m}"],
            "without_investigation": row[f"without_{m}"],
            "percent": percent(row[f"without_{m}"], row[f"cohort_{m}"]),
        }
        for m in months
    }


def convictions_per_incident(*, actor: Any, as_of: datetime.date) -> dict[str, Any]:
    """Grave incidents known by the day, how many reached a conviction by then, and the ratio."""
    return convictions_of(impunity_by_country(actor=actor, as_of=as_of))


def convictions_of(by_country: list[dict[str, Any]]) -> dict[str, Any]:
    """convictions_per_incident from the rows of impunity_by_country (every grave incident has
    one country), for a caller that has them already: no second pass over the incidents."""
    incidents = sum(row["grave_incidents"] for row in by_country)
    convicted = sum(row["convicted"] for row in by_country)
    return {
        "grave_incidents": incidents,
        "convicted": convicted,
        "per_incident": round(convicted / incidents, 3) if incidents else None,
    }


def _impunity_row(key: str, incidents: int, investigated: int, convicted: int) -> dict[str, Any]:
    return {
        "key": key,
        "grave_incidents": incidents,
        "investigated": investigated,
        "convicted": convicted,
        "impunity_percent": percent(incidents - convicted, incidents),
    }


def _perpetrator_group() -> Case:
    return Case(
        When(code=Perpetrator.UNKNOWN, then=Value("unknown")),
        When(code__in=sorted(STATE_PERPETRATORS), then=Value("state")),
        default=Value("non_state"),
        output_field=CharField(),
    )


def impunity_by_perpetrator_group(*, actor: Any, as_of: datetime.date) -> list[dict[str, Any]]:
    """Per perpetrator group (vocab.perpetrator_group): grave incidents, how many were
    investigated and how many ended in a conviction by the day, and the share with no
    conviction (impunity). An incident with perpetrators of two groups counts in both."""
    incidents = grave_incidents(actor, as_of).values("pk")
    rows = (
        IncidentPerpetrator.objects.filter(incident__in=incidents)
        .annotate(
            group=_perpetrator_group(),
            investigated=_reached(INVESTIGATED_STAGES, as_of, "incident"),
            convicted=_reached([InvestigationStage.CONVICTED], as_of, "incident"),
        )
        .order_by()
        .values("group")
        .annotate(
            incidents=Count("incident", distinct=True),
            investigated_n=Count("incident", distinct=True, filter=Q(investigated=True)),
            convicted_n=Count("incident", distinct=True, filter=Q(convicted=True)),
        )
    )
    found: dict[str, dict[str, Any]] = {row["group"]: dict(row) for row in rows}
    empty = {"incidents": 0, "investigated_n": 0, "convicted_n": 0}
    return [
        _impunity_row(
            group,
            found.get(group, empty)["incidents"],
            found.get(group, empty)["investigated_n"],
            found.get(group, empty)["convicted_n"],
        )
        for group in PERPETRATOR_GROUPS
    ]


def impunity_by_country(*, actor: Any, as_of: datetime.date) -> list[dict[str, Any]]:
    """impunity_by_perpetrator_group, per country of the incident (most incidents first)."""
    rows = (
        grave_incidents(actor, as_of)
        .annotate(
            investigated=_reached(INVESTIGATED_STAGES, as_of),
            convicted=_reached([InvestigationStage.CONVICTED], as_of),
        )
        .order_by()
        .values("country")
        .annotate(
            incidents=Count("pk"),
            investigated_n=Count("pk", filter=Q(investigated=True)),
            convicted_n=Count("pk", filter=Q(convicted=True)),
        )
    )
    out = [
        _impunity_row(row["country"], row["incidents"], row["investigated_n"], row["convicted_n"])
        for row in rows
    ]
    return sorted(out, key=lambda row: (-row["grave_incidents"], row["key"]))


def stage_counts(*, actor: Any, as_of: datetime.date) -> dict[str, int]:
    """The stage each grave incident's investigation was at on the day (`none` when it had
    no investigation then), counted."""
    latest = Subquery(
        InvestigationUpdate.objects.filter(investigation__incident=OuterRef("pk"), on__lte=as_of)
        .order_by("-on", "-created_at")
        .values("stage")[:1]
    )
    found = dict(
        grave_incidents(actor, as_of)
        .annotate(stage_then=latest)
        .order_by()
        .values_list("stage_then")
        .annotate(n=Count("pk"))
    )
    counts = {code: 0 for code in InvestigationStage.values}
    for stage, n in found.items():
        counts[stage or InvestigationStage.NONE] += n
    return counts
