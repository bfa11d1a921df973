"""Writes of coordination: consent records, and tasks (open, complete, cancel).

Each write is audited in the caller's transaction. Reminders and escalations, which also send
e-mail, are in amparo.coordination.notify.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from amparo.accounts.models import Entity, Role, User
from amparo.audit.services import PendingEvent, audit_record, audit_record_many
from amparo.coordination.models import ConsentPurpose, ConsentRecord, ConsentSource, Task
from amparo.coordination.policies import may_act_on_task, may_record_consent
from amparo.core.policy import deny, role_of
from amparo.core.validation import Errors
from amparo.core.vocab import codes
from amparo.registry.models import Case, Defender

NOTE_MAX_LENGTH = 2000
# The Defender columns that mirror the current consent of the purposes they are named after.
CONSENT_FLAGS = {
    ConsentPurpose.REGISTER: "consent_register",
    ConsentPurpose.SHARE_WITH_STATE: "consent_share_with_state",
}


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
    """Close without a policy check: for the services that finish the work a task was about."""
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


def _task_finish(actor: Any, task: Task, status: str) -> bool:
    if not may_act_on_task(actor, task):
        raise deny()
    if task.status != Task.Status.OPEN:
        return False
    task_close(actor=actor, task=task, status=status)
    return True


def task_complete(*, actor: Any, task: Task) -> bool:
    """Mark the task done; False when it was no longer open (nothing written)."""
    return _task_finish(actor, task, Task.Status.DONE)


def task_cancel(*, actor: Any, task: Task) -> bool:
    """Cancel the task; False when it was no longer open (nothing written)."""
    return _task_finish(actor, task, Task.Status.CANCELLED)


# Consent ------------------------------------------------------------------------------------


def _validate_consent(
    actor: Any, purpose: str, entity: Entity | None, source: str, note: str
) -> None:
    errors = Errors()
    errors.code("purpose", purpose, codes(ConsentPurpose))
    errors.code("source", source, codes(ConsentSource))
    own = role_of(actor) == Role.DEFENDER
    if own and source != ConsentSource.PORTAL:
        errors.add("source", "A defender records their own consent through the portal.")
    if not own and source == ConsentSource.PORTAL:
        errors.add("source", "Only the defender records consent through the portal.")
    if purpose == ConsentPurpose.SHARE_WITH_ENTITY and entity is None:
        errors.add("entity", "Name the entity the defender agrees or refuses to share with.")
    if purpose != ConsentPurpose.SHARE_WITH_ENTITY and entity is not None:
        errors.add("entity", "Only consent to share with a named entity names an entity.")
    if len(note) > NOTE_MAX_LENGTH:
        errors.add("note", f"Keep the note under {NOTE_MAX_LENGTH} characters.")
    errors.raise_if_any()


def _append_consent(
    *,
    actor: Any,
    defender: Defender,
    purpose: str,
    granted: bool,
    entity: Entity | None,
    source: str,
    note: str,
    now: datetime.datetime,
) -> ConsentRecord:
    # Serialise changes to one defender's consent, so that two records never supersede the same
    # one (the one-to-one column would refuse it) and the flags end as the last record says.
    Defender.objects.select_for_update().filter(pk=defender.pk).exists()
    previous = ConsentRecord.objects.filter(
        defender=defender, purpose=purpose, entity=entity, superseded_by__isnull=True
    ).first()
    record = ConsentRecord(
        defender=defender,
        data_key_id=defender.data_key_id,
        purpose=purpose,
        entity=entity,
        granted=granted,
        source=source,
        recorded_at=now,
        recorded_by=actor if isinstance(actor, User) else None,
        supersedes=previous,
    )
    record.save(force_insert=True)
    if note:
        record.note = note
        record.save(update_fields=["note"])
    audit_record(
        actor,
        "consent.record",
        object_type="consent",
        object_id=record.pk,
        fields=["note"] if note else [],
        detail={
            "defender": defender.code,
            "purpose": purpose,
            "entity": entity.slug if entity else "",
            "granted": granted,
            "source": source,
        },
    )
    return record


def consent_record(
    *,
    actor: Any,
    defender: Defender,
    purpose: str,
    granted: bool,
    source: str,
    entity: Entity | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> ConsentRecord:
    """Record that the defender gives (granted=True) or withdraws or refuses (False) consent for
    one purpose. The record supersedes the previous one for that purpose (and entity); the
    defender's consent flags follow it. Withdrawing consent to share stops future disclosures."""
    if not may_record_consent(actor, defender):
        raise deny()
    note = note.strip()
    _validate_consent(actor, purpose, entity, source, note)
    with transaction.atomic():
        record = _append_consent(
            actor=actor,
            defender=defender,
            purpose=purpose,
            granted=granted,
            entity=entity,
            source=source,
            note=note,
            now=now or timezone.now(),
        )
        flag = CONSENT_FLAGS.get(ConsentPurpose(purpose))
        if flag and getattr(defender, flag) != granted:
            Defender.objects.filter(pk=defender.pk).update(**{flag: granted})
            setattr(defender, flag, granted)
    return record


def consent_record_flags(
    *, actor: Any, defender: Defender, flags: Iterable[str], registering: bool = False
) -> list[ConsentRecord]:
    """The registry's side of consent: after it saved a defender whose consent flags changed
    (flags: the changed field names), record the new values. On registration only the consent
    given is recorded. The registry has already checked its policy; call inside its transaction.
    """
    if registering:
        return consent_record_registered(actor=actor, defenders=[defender])
    records = []
    for purpose, flag in CONSENT_FLAGS.items():
        if flag not in flags:
            continue
        granted = bool(getattr(defender, flag))
        records.append(
            _append_consent(
                actor=actor,
                defender=defender,
                purpose=purpose,
                granted=granted,
                entity=None,
                source=ConsentSource.OFFICER_ON_BEHALF,
                note="",
                now=timezone.now(),
            )
        )
    return records


def consent_record_registered(*, actor: Any, defenders: Sequence[Defender]) -> list[ConsentRecord]:
    """The consent given at registration, for new defenders just saved: a record per flag set,
    in one INSERT, and their audit events. A new defender has no earlier record to supersede,
    so none is looked for (the registry has checked its policy; call inside its transaction)."""
    now, recorded_by = timezone.now(), actor if isinstance(actor, User) else None
    records = [
        ConsentRecord(
            defender=defender,
            data_key_id=defender.data_key_id,
            purpose=purpose,
            entity=None,
            granted=True,
            source=ConsentSource.OFFICER_ON_BEHALF,
            recorded_at=now,
            recorded_by=recorded_by,
        )
        for defender in defenders
        for purpose, flag in CONSENT_FLAGS.items()
        if getattr(defender, flag)
    ]
    ConsentRecord.objects.bulk_create(records, batch_size=500)
    audit_record_many(
        actor,
        [
            PendingEvent(
                "consent.record",
                "consent",
                str(record.pk),
                [],
                {
                    "defender": record.defender.code,
                    "purpose": record.purpose,
                    "entity": "",
                    "granted": True,
                    "source": record.source,
                },
            )
            for record in records
        ],
    )
    return records
