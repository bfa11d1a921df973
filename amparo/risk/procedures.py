"""Writes on procedures: the urgent route (imminent danger: measures decided and in place
within hours) and the ordinary one (a risk study within days), with their escalation.

The mark_* functions are idempotent and tolerant: marking a step already marked, or a closed
procedure, changes nothing. They check no policy: they record a fact established by the caller's
own authorised action (the measures services call them when a measure under an urgent procedure
is approved or put in place); pages and the API check `may_work_procedure` before calling.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from amparo.accounts.models import User
from amparo.audit.services import audit_record
from amparo.coordination.models import Task
from amparo.coordination.services import task_close, task_open, tasks_close_for
from amparo.core.codes import next_code
from amparo.core.policy import deny
from amparo.core.validation import Errors
from amparo.registry.models import Defender
from amparo.risk import clock
from amparo.risk.models import Procedure
from amparo.risk.policies import may_open_procedure
from amparo.risk.selectors import passed_deadlines, review_policy_for

PROCEDURE_PREFIX = "PROC"


def procedure_open(
    *,
    actor: Any,
    defender: Defender,
    kind: str,
    reason: str,
    incident: Any = None,
    now: datetime.datetime | None = None,
) -> Procedure:
    """Open an urgent or ordinary procedure; its deadlines come from the lead entity's policy
    and its first task goes to the entity's coordinators."""
    if not may_open_procedure(actor, defender):
        raise deny()
    errors = Errors()
    errors.code("kind", kind, Procedure.Kind.values)
    errors.required_text("reason", reason)
    errors.raise_if_any()
    now = now or clock.now()
    entity = defender.case.lead_entity
    policy = review_policy_for(entity)
    with transaction.atomic():
        procedure = Procedure(
            code=next_code(PROCEDURE_PREFIX),
            kind=kind,
            case=defender.case,
            defender=defender,
            data_key=defender.data_key,
            incident=incident,
            opened_at=now,
            opened_by=actor if isinstance(actor, User) else None,
        )
        if kind == Procedure.Kind.URGENT:
            procedure.decide_by = now + datetime.timedelta(hours=policy.urgent_decide_hours)
            procedure.in_place_by = now + datetime.timedelta(hours=policy.urgent_in_place_hours)
            task_kind, due_at = Task.Kind.MEASURE_DECISION, procedure.decide_by
            title = (
                f"Urgent procedure {procedure.code}: decide protective measures for {defender.code}"
            )
        else:
            procedure.study_by = now + datetime.timedelta(days=policy.ordinary_study_days)
            task_kind, due_at = Task.Kind.RISK_STUDY, procedure.study_by
            title = f"Ordinary procedure {procedure.code}: risk study of {defender.code}"
        procedure.reason = reason.strip()
        procedure.save(force_insert=True)
        audit_record(
            actor,
            "procedure.open",
            object_type="procedure",
            object_id=procedure.pk,
            fields=["reason"],
            detail={"code": procedure.code, "kind": kind, "defender": defender.code},
        )
        task_open(
            actor=actor,
            kind=task_kind,
            title=title,
            entity=entity,
            case=defender.case,
            subject_type="procedure",
            subject_id=str(procedure.pk),
            due_at=due_at,
        )
    return procedure


def _mark(
    actor: Any,
    procedure: Procedure,
    *,
    stamp: str,
    status: str,
    action: str,
    now: datetime.datetime | None,
    also: tuple[str, ...] = (),
    task_kind: str | None = None,
) -> bool:
    procedure.refresh_from_db(
        fields=["status", "decided_at", "in_place_at", "studied_at", "closed_at"]
    )
    if procedure.status == Procedure.Status.CLOSED or getattr(procedure, stamp) is not None:
        return False
    now = now or clock.now()
    with transaction.atomic():
        stamps = [stamp, *(name for name in also if getattr(procedure, name) is None)]
        for name in stamps:
            setattr(procedure, name, now)
        procedure.status = status
        procedure.save(update_fields=[*stamps, "status"])
        if task_kind:
            tasks_close_for(
                actor=actor, subject_type="procedure", subject_id=procedure.pk, kind=task_kind
            )
        audit_record(
            actor,
            action,
            object_type="procedure",
            object_id=procedure.pk,
            detail={"code": procedure.code},
        )
    return True


def procedure_mark_decided(
    *, actor: Any, procedure: Procedure, now: datetime.datetime | None = None
) -> bool:
    """Measures were decided under the procedure. True when this call recorded it."""
    return _mark(
        actor,
        procedure,
        stamp="decided_at",
        status=Procedure.Status.DECIDED,
        action="procedure.decided",
        now=now,
        task_kind=Task.Kind.MEASURE_DECISION,
    )


def procedure_mark_in_place(
    *, actor: Any, procedure: Procedure, now: datetime.datetime | None = None
) -> bool:
    """Measures are in place (which implies they were decided)."""
    return _mark(
        actor,
        procedure,
        stamp="in_place_at",
        status=Procedure.Status.IN_PLACE,
        action="procedure.in_place",
        now=now,
        also=("decided_at",),
        task_kind=Task.Kind.MEASURE_DECISION,
    )


def procedure_mark_studied(
    *, actor: Any, procedure: Procedure, now: datetime.datetime | None = None
) -> bool:
    """The risk study is done (an assessment under the procedure was approved)."""
    return _mark(
        actor,
        procedure,
        stamp="studied_at",
        status=Procedure.Status.STUDIED,
        action="procedure.studied",
        now=now,
        task_kind=Task.Kind.RISK_STUDY,
    )


def procedure_close(
    *, actor: Any, procedure: Procedure, now: datetime.datetime | None = None
) -> bool:
    """Close the procedure and whatever work it still had open."""
    if procedure.status == Procedure.Status.CLOSED:
        return False
    now = now or clock.now()
    with transaction.atomic():
        procedure.status = Procedure.Status.CLOSED
        procedure.closed_at = now
        procedure.save(update_fields=["status", "closed_at"])
        for task in Task.objects.filter(
            subject_type="procedure", subject_id=str(procedure.pk), status=Task.Status.OPEN
        ):
            task_close(actor=actor, task=task, status=Task.Status.CANCELLED)
        audit_record(
            actor,
            "procedure.close",
            object_type="procedure",
            object_id=procedure.pk,
            detail={"code": procedure.code},
        )
    return True


def procedures_escalate_overdue(
    *, now: datetime.datetime | None = None, actor: Any = None
) -> list[Procedure]:
    """Escalate every procedure with a deadline passed since it was last escalated: stamp it,
    open an escalation task for the lead entity's coordinators, audit it. Each passed deadline
    escalates once; running it again changes nothing. Returns the procedures escalated now."""
    from amparo.accounts.models import SystemActor

    now = now or clock.now()
    actor = actor or SystemActor("system:escalation")
    escalated = []
    candidates = (
        Procedure.objects.exclude(status=Procedure.Status.CLOSED)
        .select_related("case", "case__lead_entity", "defender")
        .order_by("opened_at")
    )
    for procedure in candidates:
        passed = passed_deadlines(procedure, now)
        if not passed:
            continue
        latest = max(passed)
        if procedure.escalated_at is not None and procedure.escalated_at >= latest:
            continue
        with transaction.atomic():
            procedure.escalated_at = now
            procedure.save(update_fields=["escalated_at"])
            task_open(
                actor=actor,
                kind=Task.Kind.ESCALATION,
                title=(
                    f"Deadline passed: {procedure.get_kind_display()} procedure "
                    f"{procedure.code} for {procedure.defender.code}"
                ),
                entity=procedure.case.lead_entity,
                case=procedure.case,
                subject_type="procedure",
                subject_id=str(procedure.pk),
                due_at=now,
            )
            audit_record(
                actor,
                "procedure.escalate",
                object_type="procedure",
                object_id=procedure.pk,
                detail={"code": procedure.code, "deadline": latest.isoformat()},
            )
        escalated.append(procedure)
    return escalated
