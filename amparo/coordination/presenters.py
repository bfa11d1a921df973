"""What pages and the API show of tasks (countdowns) and consent records (notes decrypted and
audited only for those who may read them)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from amparo.audit.services import audit_read
from amparo.coordination.models import ConsentRecord, Task
from amparo.coordination.policies import may_act_on_task, may_read_consent_notes
from amparo.core.crypto import CryptoError
from amparo.registry.models import Defender


@dataclass
class TaskRow:
    task: Task
    hours_left: float
    overdue: bool
    may_act: bool

    @property
    def hours_overdue(self) -> float:
        return -self.hours_left


def present_tasks(actor: Any, tasks: Iterable[Task], now: datetime.datetime) -> list[TaskRow]:
    rows = []
    for task in tasks:
        hours_left = round((task.due_at - now).total_seconds() / 3600, 1)
        rows.append(
            TaskRow(
                task=task,
                hours_left=hours_left,
                overdue=task.status == Task.Status.OPEN and task.due_at < now,
                may_act=task.status == Task.Status.OPEN and may_act_on_task(actor, task),
            )
        )
    return rows


@dataclass
class ConsentRow:
    record: ConsentRecord
    current: bool
    note: str | None


def present_consent(
    actor: Any, defender: Defender, records: Sequence[ConsentRecord], *, via: str
) -> list[ConsentRow]:
    """Rows of a consent history; notes for those who work the case (and the defender)."""
    with_notes = may_read_consent_notes(actor, defender) and not defender.is_shredded
    rows, read = [], []
    for record in records:
        note = None
        if with_notes:
            try:
                note = record.note
            except CryptoError:
                note = None
            if note:
                read.append(record)
        current = not hasattr(record, "superseded_by") or record.superseded_by is None
        rows.append(ConsentRow(record=record, current=current, note=note))
    audit_read(actor, "consent", read, fields=["note"], via=via)
    return rows
