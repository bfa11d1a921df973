"""Writes on tasks: open, complete, cancel; each audited in the caller's transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from amparo.accounts.models import Entity, User
from amparo.audit.services import audit_record
from amparo.coordination.models import Task
from amparo.registry.models import Case


def task_open(
    *,
    actor: Any,
    kind: str,
    title: str,
    entity: Entity,
    due_at: datetime.datetime,
    case: Case | None = None,
    owner: User | None = None,
    subject_type: str = "",
    subject_id: str = "",
) -> Task:
    """Open a task; an open task of the same kind on the same subject is reused, not doubled."""
    with transaction.atomic():
        if subject_type:
            existing = Task.objects.filter(
                kind=kind,
                subject_type=subject_type,
                subject_id=str(subject_id),
                status=Task.Status.OPEN,
            ).first()
            if existing is not None:
                return existing
        task = Task.objects.create(
            kind=kind,
            title=title[:200],
            entity=entity,
            case=case,
            owner=owner,
            subject_type=subject_type,
            subject_id=str(subject_id),
            due_at=due_at,
            created_by=actor if isinstance(actor, User) else None,
        )
        audit_record(
            actor,
            "task.create",
            object_type="task",
            object_id=task.pk,
            detail={"kind": kind, "subject_type": subject_type, "subject_id": str(subject_id)},
        )
    return task


def task_close(*, actor: Any, task: Task, status: str = Task.Status.DONE) -> None:
    if task.status != Task.Status.OPEN:
        return
    with transaction.atomic():
        task.status = status
        task.done_at = timezone.now()
        task.done_by = actor if isinstance(actor, User) else None
        task.save(update_fields=["status", "done_at", "done_by"])
        audit_record(actor, f"task.{status}", object_type="task", object_id=task.pk)


def tasks_close_for(
    *, actor: Any, subject_type: str, subject_id: Any, kind: str | None = None
) -> int:
    """Complete the open tasks about a subject (e.g. the review is done); returns how many."""
    tasks = Task.objects.filter(
        subject_type=subject_type, subject_id=str(subject_id), status=Task.Status.OPEN
    )
    if kind:
        tasks = tasks.filter(kind=kind)
    closed = 0
    for task in tasks:
        task_close(actor=actor, task=task)
        closed += 1
    return closed
