"""The programme dashboard's figures: caseload by risk level, urgent procedures and their
countdowns, overdue reviews, late measures, refusal rates, days to protection and cost.

Every figure is computed over what the actor may see (restricted cases count only for their
team), on a clock the caller gives, and each count is the length of the list shown beside it.
The measure figures come from amparo.measures.selectors; a panel whose selector is missing says
"not available" instead of failing, so the dashboard can ship before every domain does.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from amparo.accounts.models import Role
from amparo.core.policy import case_visible_q, role_of
from amparo.core.vocab import DefenderStatus
from amparo.registry.models import Case, Defender
from amparo.registry.selectors import defender_queryset
from amparo.risk.models import Procedure, RiskLevel

NOT_ASSESSED = ""
IN_CASELOAD = (DefenderStatus.ACTIVE, DefenderStatus.RELOCATED)


@dataclass
class Panel:
    """One table of the dashboard. rows are plain dicts; available is False when the domain
    that computes it is not installed."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    available: bool = True

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass
class Dashboard:
    today: datetime.date
    now: datetime.datetime
    shows_codes: bool
    caseload: Panel
    urgent: Panel
    overdue_reviews: Panel
    unprotected: Panel
    late_measures: Panel
    refusals: Panel
    days_to_protection: Panel
    cost_by_kind: Panel
    cost_by_entity: Panel
    cost_by_month: Panel

    @property
    def caseload_total(self) -> int:
        return sum(row["count"] for row in self.caseload.rows)


def shows_codes(actor: Any) -> bool:
    """Coordinators see the codes behind each count; analysts (pseudonymised work) counts only."""
    return role_of(actor) in {"system", Role.COORDINATOR}


def caseload_defenders(actor: Any) -> QuerySet[Defender]:
    return defender_queryset(actor).filter(
        shredded_at__isnull=True, status__in=IN_CASELOAD, case__status=Case.Status.OPEN
    )


def caseload_by_level(actor: Any) -> Panel:
    found = dict(
        caseload_defenders(actor).order_by().values_list("risk_level").annotate(n=Count("pk"))
    )
    levels = [(code, str(label)) for code, label in reversed(RiskLevel.choices)]
    rows = [
        {"level": code, "label": label, "count": found.get(code, 0)}
        for code, label in [*levels, (NOT_ASSESSED, str(_("Not assessed")))]
    ]
    return Panel(rows)


def _hours(delta: datetime.timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def urgent_procedures(actor: Any, now: datetime.datetime) -> Panel:
    """Urgent procedures still waiting for a decision or for measures in place, soonest
    deadline first, with the hours left (negative: overdue)."""
    procedures = (
        Procedure.objects.filter(
            case_visible_q(actor, "case__"),
            kind=Procedure.Kind.URGENT,
            status__in=[Procedure.Status.OPEN, Procedure.Status.DECIDED],
        )
        .select_related("defender")
        .order_by()
    )
    rows = []
    for procedure in procedures:
        waiting_for = "decision" if procedure.decided_at is None else "in_place"
        deadline = procedure.decide_by if waiting_for == "decision" else procedure.in_place_by
        if deadline is None:
            continue
        rows.append(
            {
                "code": procedure.code,
                "defender": procedure.defender.code,
                "waiting_for": waiting_for,
                "deadline": deadline,
                "hours_left": _hours(deadline - now),
                "overdue": deadline < now,
            }
        )
    rows.sort(key=lambda row: (row["deadline"], row["code"]))
    return Panel(rows)


def overdue_reviews(actor: Any, today: datetime.date) -> Panel:
    defenders = (
        caseload_defenders(actor)
        .filter(next_review_on__lt=today)
        .order_by("next_review_on", "code")
        .values_list("code", "risk_level", "next_review_on")
    )
    return Panel(
        [
            {"defender": code, "level": level, "due_on": due, "days_overdue": (today - due).days}
            for code, level, due in defenders
            if due is not None
        ]
    )


def _measures(name: str) -> Callable[..., Any] | None:
    try:
        selectors = importlib.import_module("amparo.measures.selectors")
    except ImportError:
        return None
    found = getattr(selectors, name, None)
    return found if callable(found) else None


def unprotected_defenders(actor: Any) -> Panel:
    select = _measures("unprotected_defenders")
    if select is None:
        return Panel(available=False)
    defenders = (
        select(actor=actor)
        .filter(status__in=IN_CASELOAD, case__status=Case.Status.OPEN)
        .values_list("code", "risk_level")
    )
    return Panel([{"defender": code, "level": level} for code, level in defenders])


def late_measures(actor: Any, now: datetime.datetime) -> Panel:
    select = _measures("late_measures")
    if select is None:
        return Panel(available=False)
    rows = []
    for measure in select(actor=actor, now=now):
        procedure = measure.procedure
        undecided = measure.decided_at is None and measure.status in {
            "requested",
            "under_assessment",
        }
        deadline = procedure.decide_by if undecided else procedure.in_place_by
        rows.append(
            {
                "code": measure.code,
                "kind": measure.kind,
                "defender": measure.defender.code if measure.defender_id else "",
                "status": measure.status,
                "deadline": deadline,
                "hours_late": _hours(now - deadline) if deadline else None,
            }
        )
    return Panel(rows)


def refusal_rates(actor: Any) -> Panel:
    select = _measures("refusals_by_kind")
    if select is None:
        return Panel(available=False)
    return Panel(
        [
            {"kind": kind, **figures, "percent": round(figures["rate"] * 100, 1)}
            for kind, figures in select(actor=actor).items()
        ]
    )


def days_to_protection(actor: Any) -> Panel:
    """Median days from request to in place: over all measures, then per kind put in place."""
    select = _measures("median_days_to_protection")
    if select is None:
        return Panel(available=False)
    from amparo.measures.selectors import measure_queryset

    kinds = (
        measure_queryset(actor)
        .filter(implemented_at__isnull=False)
        .order_by("kind")
        .values_list("kind", flat=True)
        .distinct()
    )
    overall = select(actor=actor)
    rows = [{"kind": "", "median_days": overall}] if overall is not None else []
    rows += [{"kind": kind, "median_days": select(actor=actor, kind=kind)} for kind in kinds]
    return Panel(rows)


def cost(actor: Any, by: str) -> Panel:
    select = _measures("cost_by")
    if select is None:
        return Panel(available=False)
    return Panel(list(select(actor=actor, by=by)))


def dashboard_figures(*, actor: Any, today: datetime.date, now: datetime.datetime) -> Dashboard:
    return Dashboard(
        today=today,
        now=now,
        shows_codes=shows_codes(actor),
        caseload=caseload_by_level(actor),
        urgent=urgent_procedures(actor, now),
        overdue_reviews=overdue_reviews(actor, today),
        unprotected=unprotected_defenders(actor),
        late_measures=late_measures(actor, now),
        refusals=refusal_rates(actor),
        days_to_protection=days_to_protection(actor),
        cost_by_kind=cost(actor, "kind"),
        cost_by_entity=cost(actor, "entity"),
        cost_by_month=cost(actor, "month"),
    )
