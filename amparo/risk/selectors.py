"""Reads of assessments and procedures, always filtered by the actor's policy scope; deadlines
and countdowns computed from a given time."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404

from amparo.accounts.models import Entity
from amparo.registry.models import Defender
from amparo.risk.models import Procedure, ReviewPolicy, RiskAssessment
from amparo.risk.policies import assessment_scope, procedure_scope


def review_policy_for(entity: Entity) -> ReviewPolicy:
    """The entity's deadlines; the defaults of DESIGN §5 when it has not set its own."""
    policy = ReviewPolicy.objects.filter(entity=entity).first()
    return policy if policy is not None else ReviewPolicy(entity=entity)


def assessment_list(
    *, actor: Any, defender: Defender | None = None, status: str = ""
) -> QuerySet[RiskAssessment]:
    assessments = (
        RiskAssessment.objects.filter(assessment_scope(actor))
        .select_related(
            "defender",
            "case",
            "case__lead_entity",
            "data_key",
            "assessed_by",
            "decided_by",
            "procedure",
            "supersedes",
        )
        .prefetch_related("relative_risks__person")
    )
    if defender is not None:
        assessments = assessments.filter(defender=defender)
    if status:
        assessments = assessments.filter(status=status)
    return assessments.order_by("defender__code", "-version")


def assessment_get(*, actor: Any, code: str) -> RiskAssessment:
    assessment = assessment_list(actor=actor).filter(code=code).first()
    if assessment is None:
        raise Http404("Not found.")
    return assessment


def current_assessment(*, actor: Any, defender: Defender) -> RiskAssessment | None:
    """The latest approved version: the one the defender's level comes from."""
    return (
        assessment_list(actor=actor, defender=defender, status=RiskAssessment.Status.APPROVED)
        .order_by("-decided_at", "-version")
        .first()
    )


def procedure_list(
    *, actor: Any, open_only: bool = False, defender: Defender | None = None
) -> QuerySet[Procedure]:
    """Urgent first, then by the earliest deadline."""
    procedures = Procedure.objects.filter(procedure_scope(actor)).select_related(
        "defender", "case", "case__lead_entity", "data_key"
    )
    if open_only:
        procedures = procedures.exclude(status=Procedure.Status.CLOSED)
    if defender is not None:
        procedures = procedures.filter(defender=defender)
    urgent_first = Case(
        When(kind=Procedure.Kind.URGENT, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return procedures.order_by(urgent_first, "opened_at")


def procedure_get(*, actor: Any, code: str) -> Procedure:
    procedure = procedure_list(actor=actor).filter(code=code).first()
    if procedure is None:
        raise Http404("Not found.")
    return procedure


@dataclass(frozen=True)
class Deadline:
    step: str  # "decide", "in_place" or "study"
    due_at: datetime.datetime
    remaining: datetime.timedelta

    @property
    def overdue(self) -> bool:
        return self.remaining < datetime.timedelta(0)

    @property
    def hours_left(self) -> float:
        """Hours to the deadline (negative when passed), to one decimal."""
        return round(self.remaining.total_seconds() / 3600, 1)


def pending_deadlines(procedure: Procedure) -> list[tuple[str, datetime.datetime]]:
    """The deadlines of the steps not yet done, earliest first."""
    if procedure.status == Procedure.Status.CLOSED:
        return []
    steps: list[tuple[str, datetime.datetime | None]]
    if procedure.kind == Procedure.Kind.URGENT:
        steps = [
            ("decide", procedure.decide_by if procedure.decided_at is None else None),
            ("in_place", procedure.in_place_by if procedure.in_place_at is None else None),
        ]
    else:
        steps = [("study", procedure.study_by if procedure.studied_at is None else None)]
    return sorted(((step, due) for step, due in steps if due is not None), key=lambda pair: pair[1])


def next_deadline(procedure: Procedure, now: datetime.datetime) -> Deadline | None:
    """The countdown: the next deadline of the procedure and the time left to it."""
    pending = pending_deadlines(procedure)
    if not pending:
        return None
    step, due_at = pending[0]
    return Deadline(step, due_at, due_at - now)


def passed_deadlines(procedure: Procedure, now: datetime.datetime) -> list[datetime.datetime]:
    return [due for _step, due in pending_deadlines(procedure) if due < now]
