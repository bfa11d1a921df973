"""API of coordination: a defender's consent (read, record), tasks (list, read, complete,
cancel) and the programme dashboard's figures (counts only, no names, no codes)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from amparo.accounts.models import Entity
from amparo.coordination.dashboard import Panel, dashboard_figures
from amparo.coordination.models import ConsentPurpose, Task
from amparo.coordination.policies import DASHBOARD_ROLES, TASK_ROLES
from amparo.coordination.presenters import ConsentRow, TaskRow, present_consent, present_tasks
from amparo.coordination.schemas import (
    ConsentRecordIn,
    ConsentRecordOut,
    ConsentStateOut,
    DashboardOut,
    TaskFilterParams,
    TaskOut,
    TaskPage,
)
from amparo.coordination.selectors import (
    consent_allows,
    consent_history,
    task_get,
    tasks_for,
)
from amparo.coordination.services import consent_record, task_cancel, task_complete
from amparo.core.api_auth import api_actor
from amparo.core.policy import deny, has_role
from amparo.core.schemas import error_responses, invalid, page, reject_unknown_params
from amparo.registry.selectors import defender_get

router = Router(tags=["coordination"])

READ_ERRORS = error_responses(401, 403, 404, 503)
WRITE_ERRORS = error_responses(401, 403, 404, 422, 503)


# Consent ------------------------------------------------------------------------------------


def _consent_out(row: ConsentRow) -> dict[str, Any]:
    record = row.record
    return {
        "id": record.pk,
        "purpose": record.purpose,
        "entity": record.entity.slug if record.entity else None,
        "granted": record.granted,
        "source": record.source,
        "recorded_at": record.recorded_at,
        "recorded_by": record.recorded_by.username if record.recorded_by else None,
        "current": row.current,
        "note": row.note,
    }


def _consent(actor: Any, code: str) -> dict[str, Any]:
    defender = defender_get(actor=actor, code=code)
    rows = present_consent(actor, defender, list(consent_history(defender)), via="api")
    return {
        "defender": defender.code,
        "allows": {
            purpose: consent_allows(defender, purpose)
            for purpose in (ConsentPurpose.REGISTER, ConsentPurpose.SHARE_WITH_STATE)
        },
        "current": [_consent_out(row) for row in rows if row.current],
        "history": [_consent_out(row) for row in rows],
    }


@router.get("/defenders/{code}/consent", response={200: ConsentStateOut, **READ_ERRORS})
def consent_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    """The consent in force per purpose and its whole history (newest first)."""
    return _consent(api_actor(request), code)


@router.post("/defenders/{code}/consent", response={201: ConsentRecordOut, **WRITE_ERRORS})
def consent_add(
    request: HttpRequest, code: str, payload: ConsentRecordIn
) -> Status[dict[str, Any]]:
    """Record a consent or its withdrawal. A defender records their own, with source portal."""
    actor = api_actor(request)
    defender = defender_get(actor=actor, code=code)
    entity = None
    if payload.entity:
        entity = Entity.objects.filter(slug=payload.entity).first()
        if entity is None:
            raise invalid("entity", f"Unknown entity {payload.entity!r}.")
    record = consent_record(
        actor=actor,
        defender=defender,
        purpose=str(payload.purpose),
        granted=payload.granted,
        source=str(payload.source),
        entity=entity,
        note=payload.note,
    )
    row = present_consent(actor, defender, [record], via="api")[0]
    row.current = True
    return Status(201, _consent_out(row))


# Tasks --------------------------------------------------------------------------------------


def _task_out(row: TaskRow) -> dict[str, Any]:
    task = row.task
    return {
        "id": task.pk,
        "kind": task.kind,
        "title": task.title,
        "status": task.status,
        "case": task.case.code if task.case else None,
        "entity": task.entity.slug,
        "owner": task.owner.username if task.owner else None,
        "due_at": task.due_at,
        "hours_left": row.hours_left,
        "overdue": row.overdue,
        "done_at": task.done_at,
        "escalated_at": task.escalated_at,
    }


def _task_actor(request: HttpRequest) -> Any:
    actor = api_actor(request)
    if not has_role(actor, "system", *TASK_ROLES):
        raise deny("Your role has no tasks.")
    return actor


@router.get("/tasks", response={200: TaskPage, **error_responses(401, 403, 422)})
def task_index(request: HttpRequest, filters: Query[TaskFilterParams]) -> dict[str, Any]:
    """The tasks you may see, soonest due first (the overdue lead)."""
    reject_unknown_params(request, TaskFilterParams)
    actor, now = _task_actor(request), timezone.now()
    tasks = tasks_for(
        actor,
        status="" if filters.status == "any" else filters.status,
        overdue_only=filters.overdue,
        mine=filters.mine,
        now=now,
    )
    return page(
        tasks, filters, lambda rows: [_task_out(r) for r in present_tasks(actor, rows, now)]
    )


@router.get("/tasks/{task_id}", response={200: TaskOut, **READ_ERRORS})
def task_detail(request: HttpRequest, task_id: str) -> dict[str, Any]:
    actor = _task_actor(request)
    task = task_get(actor=actor, task_id=task_id)
    return _task_out(present_tasks(actor, [task], timezone.now())[0])


def _finish(request: HttpRequest, task_id: str, *, done: bool) -> dict[str, Any]:
    actor = _task_actor(request)
    task = task_get(actor=actor, task_id=task_id)
    (task_complete if done else task_cancel)(actor=actor, task=task)
    task = Task.objects.select_related("case", "entity", "owner").get(pk=task.pk)
    return _task_out(present_tasks(actor, [task], timezone.now())[0])


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, **READ_ERRORS})
def task_done(request: HttpRequest, task_id: str) -> dict[str, Any]:
    return _finish(request, task_id, done=True)


@router.post("/tasks/{task_id}/cancel", response={200: TaskOut, **READ_ERRORS})
def task_cancelled(request: HttpRequest, task_id: str) -> dict[str, Any]:
    return _finish(request, task_id, done=False)


# Dashboard ----------------------------------------------------------------------------------


def _or_none(panel: Panel, value: Any) -> Any:
    return value if panel.available else None


@router.get("/dashboard", response={200: DashboardOut, **error_responses(401, 403)})
def dashboard(request: HttpRequest) -> dict[str, Any]:
    """The programme's figures over the cases you may see (coordinators and analysts)."""
    actor = api_actor(request)
    if not has_role(actor, *DASHBOARD_ROLES):
        raise deny("Your role has no dashboard.")
    now = timezone.now()
    d = dashboard_figures(actor=actor, today=timezone.localdate(now), now=now)
    overall = [r["median_days"] for r in d.days_to_protection.rows if not r["kind"]]
    return {
        "as_of": now,
        "caseload": [
            {"level": r["level"] or "not_assessed", "count": r["count"]} for r in d.caseload.rows
        ],
        "urgent_procedures": d.urgent.count,
        "urgent_overdue": sum(1 for r in d.urgent.rows if r["overdue"]),
        "overdue_reviews": d.overdue_reviews.count,
        "unprotected": _or_none(d.unprotected, d.unprotected.count),
        "late_measures": _or_none(d.late_measures, d.late_measures.count),
        "refusals": _or_none(
            d.refusals,
            {
                r["kind"]: {"offered": r["offered"], "refused": r["refused"], "rate": r["rate"]}
                for r in d.refusals.rows
            },
        ),
        "median_days_to_protection": overall[0] if overall else None,
        "cost_by_kind": _or_none(d.cost_by_kind, d.cost_by_kind.rows),
        "cost_by_entity": _or_none(d.cost_by_entity, d.cost_by_entity.rows),
        "cost_by_month": _or_none(d.cost_by_month, d.cost_by_month.rows),
    }
