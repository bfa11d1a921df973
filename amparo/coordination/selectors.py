"""Reads of coordination: the defender's consent (current and history) and the actor's tasks."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from amparo.accounts.models import Entity
from amparo.coordination.models import ConsentPurpose, ConsentRecord, Task
from amparo.coordination.policies import task_scope
from amparo.registry.models import Defender

# Entities of the State: the defender's consent to share with State authorities covers them
# unless the defender said otherwise about that entity by name.
STATE_ENTITY_KINDS = frozenset({Entity.Kind.POLICE, Entity.Kind.MINISTRY})


def consent_current(defender: Defender) -> list[ConsentRecord]:
    """The consent in force: the latest record per purpose (and named entity)."""
    return list(
        ConsentRecord.objects.filter(defender=defender, superseded_by__isnull=True)
        .select_related("entity", "recorded_by", "data_key")
        .order_by("purpose", "entity__name", "-id")
    )


def _current(defender: Defender, purpose: str, entity: Entity | None) -> ConsentRecord | None:
    return ConsentRecord.objects.filter(
        defender=defender, purpose=purpose, entity=entity, superseded_by__isnull=True
    ).first()


def consent_allows(defender: Defender, purpose: str, entity: Entity | None = None) -> bool:
    """May the defender's data be used for this purpose now? Checked whenever data leaves the
    lead entity (disclosures, communications to States).

    - register, share_with_state: the latest record for the purpose says so;
    - share_with_entity (entity required): the latest record naming that entity decides; with
      none, a State entity (police, ministry) is covered by the consent to share with the State.
    No record means no consent; an erased defender consents to nothing.
    """
    if defender.is_shredded:
        return False
    if purpose == ConsentPurpose.SHARE_WITH_ENTITY:
        if entity is None:
            raise ValueError("Consent to share with an entity names the entity.")
        named = _current(defender, purpose, entity)
        if named is not None:
            return named.granted
        if entity.kind in STATE_ENTITY_KINDS:
            return consent_allows(defender, ConsentPurpose.SHARE_WITH_STATE)
        return False
    if purpose not in ConsentPurpose.values:
        raise ValueError(f"Unknown consent purpose {purpose!r}.")
    record = _current(defender, purpose, None)
    return record is not None and record.granted


def consent_history(defender: Defender) -> QuerySet[ConsentRecord]:
    """Every consent record of the defender, newest first (the caller checked the defender is
    visible to its actor)."""
    return ConsentRecord.objects.filter(defender=defender).select_related(
        "entity", "recorded_by", "data_key", "superseded_by"
    )


# Tasks --------------------------------------------------------------------------------------


def task_queryset(actor: Any) -> QuerySet[Task]:
    return Task.objects.filter(task_scope(actor)).select_related("case", "entity", "owner")


def tasks_for(
    actor: Any,
    *,
    status: str = Task.Status.OPEN,
    overdue_only: bool = False,
    mine: bool = False,
    now: datetime.datetime | None = None,
) -> QuerySet[Task]:
    """The tasks the actor may see, soonest due first (so the overdue ones lead).

    status "" means any status; mine keeps the actor's own tasks only."""
    tasks = task_queryset(actor)
    if status:
        tasks = tasks.filter(status=status)
    if overdue_only:
        tasks = tasks.filter(status=Task.Status.OPEN, due_at__lt=now or timezone.now())
    if mine:
        tasks = tasks.filter(owner_id=getattr(actor, "pk", None))
    return tasks.order_by("due_at", "created_at")


def task_get(*, actor: Any, task_id: Any) -> Task:
    try:
        pk = uuid.UUID(str(task_id))
    except ValueError:
        raise Http404("Not found.") from None
    task = task_queryset(actor).filter(pk=pk).first()
    if task is None:
        raise Http404("Not found.")
    return task


def tasks_of_defender(*, actor: Any, defender: Defender) -> QuerySet[Task]:
    """The open tasks about the defender's case that the actor may see."""
    return tasks_for(actor).filter(case_id=defender.case_id)
