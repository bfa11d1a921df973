"""Reminders and escalations: who is told by e-mail that work is due or late.

Run every few minutes from cron or a systemd timer (`amparo tasks remind`, `amparo tasks
escalate`); both take the time as `now` so they can be tested and replayed. E-mail travels in
the clear through servers Amparo does not control: a message names the kind of work, the record
code, the due time and a link path, and never a name, a place or any other sensitive value.
"""

from __future__ import annotations

import datetime
import importlib
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from amparo.accounts.models import Role, SystemActor, User
from amparo.audit.services import audit_record
from amparo.coordination.models import Task
from amparo.coordination.services import task_open
from amparo.core.policy import case_visible_q
from amparo.registry.models import Case

logger = logging.getLogger(__name__)

REMIND_AHEAD = datetime.timedelta(hours=24)
REMIND_EVERY = datetime.timedelta(hours=24)
ESCALATE_AFTER = datetime.timedelta(hours=24)
ESCALATION_DUE_IN = datetime.timedelta(hours=4)
DASHBOARD_PATH = "/work/dashboard/"


def task_path(task: Task) -> str:
    return f"/work/tasks/{task.pk}/"


def _sees_case(user: User, case: Case | None) -> bool:
    return case is None or Case.objects.filter(case_visible_q(user), pk=case.pk).exists()


def _with_address(users: Any) -> list[User]:
    return list(users.filter(is_active=True).exclude(email="").order_by("username"))


def coordinators_for(entity_id: Any, case: Case | None) -> list[User]:
    """The entity's coordinators who may know the case exists (a restricted case: its team)."""
    coordinators = User.objects.filter(role=Role.COORDINATOR, entity_id=entity_id)
    return [user for user in _with_address(coordinators) if _sees_case(user, case)]


def task_recipients(task: Task) -> list[User]:
    """The owner; for an unowned task the coordinators who see its case, or failing them
    (a restricted case without a coordinator on its team) the case team."""
    owner = task.owner
    if owner is not None and owner.is_active and owner.email:
        return [owner]
    coordinators = coordinators_for(task.entity_id, task.case)
    if coordinators or task.case is None:
        return coordinators
    return _with_address(User.objects.filter(case_memberships__case=task.case))


def _task_line(task: Task) -> str:
    record = task.case.code if task.case else "-"
    due = task.due_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"- {task.get_kind_display()} | {record} | due {due} | {task_path(task)}"


def _send(user: User, subject: str, lines: Sequence[str]) -> bool:
    body = "\n".join([*lines, "", "Sign in to Amparo to see the details."])
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception as error:  # a mail server down must not stop the other messages
        logger.warning(
            "Could not send a notification to user %s: %s", user.pk, type(error).__name__
        )
        return False
    return True


@dataclass
class Notified:
    """What a run did: messages sent and the records they were about."""

    messages: int = 0
    tasks: list[Task] = field(default_factory=list)
    procedures: list[Any] = field(default_factory=list)


def tasks_send_reminders(*, now: datetime.datetime, actor: Any = None) -> Notified:
    """E-mail each recipient once about their open tasks due within 24 hours or overdue; a task
    is reminded at most once a day (reminded_at)."""
    actor = actor or SystemActor("amparo:tasks remind")
    due = list(
        Task.objects.filter(status=Task.Status.OPEN, due_at__lte=now + REMIND_AHEAD)
        .exclude(reminded_at__gt=now - REMIND_EVERY)
        .select_related("case", "owner")
        .order_by("due_at")
    )
    by_user: dict[User, list[Task]] = defaultdict(list)
    for task in due:
        for user in task_recipients(task):
            by_user[user].append(task)
    result, reminded = Notified(), set[Any]()
    for user in sorted(by_user, key=lambda u: u.username):
        tasks = by_user[user]
        overdue = sum(task.due_at < now for task in tasks)
        subject = f"[Amparo] {len(tasks)} task(s) due, {overdue} overdue"
        if _send(user, subject, ["Tasks due within 24 hours or overdue:", *map(_task_line, tasks)]):
            result.messages += 1
            reminded.update(task.pk for task in tasks)
            with transaction.atomic():
                audit_record(
                    actor,
                    "task.remind",
                    object_type="user",
                    object_id=user.pk,
                    detail={"tasks": sorted(str(task.pk) for task in tasks)},
                )
    Task.objects.filter(pk__in=reminded).update(reminded_at=now)
    result.tasks = [task for task in due if task.pk in reminded]
    return result


def _procedure_escalator() -> Callable[..., Any] | None:
    """The risk domain's escalation of overdue procedures, where that domain provides one."""
    for module in ("amparo.risk.services", "amparo.risk.procedures"):
        try:
            found = getattr(importlib.import_module(module), "procedures_escalate_overdue", None)
        except ImportError:
            continue
        if callable(found):
            return found
    return None


def procedure_deadline(procedure: Any) -> datetime.datetime | None:
    """The deadline the procedure is now held to: decision, then measures in place (urgent);
    the risk study (ordinary)."""
    if procedure.kind == "ordinary":
        return procedure.study_by
    return procedure.decide_by if procedure.decided_at is None else procedure.in_place_by


def _escalate_task(actor: Any, task: Task, now: datetime.datetime) -> Task:
    with transaction.atomic():
        record = task.case.code if task.case else ""
        escalation = task_open(
            actor=actor,
            kind=Task.Kind.ESCALATION,
            title=f"Overdue: {task.get_kind_display()} {record}".strip(),
            entity=task.entity,
            case=task.case,
            subject_type="task",
            subject_id=str(task.pk),
            due_at=now + ESCALATION_DUE_IN,
        )
        Task.objects.filter(pk=task.pk).update(escalated_at=now)
        audit_record(
            actor,
            "task.escalate",
            object_type="task",
            object_id=task.pk,
            detail={"escalation": str(escalation.pk)},
        )
    return escalation


def tasks_escalate(*, now: datetime.datetime, actor: Any = None) -> Notified:
    """Escalate to the coordinators: procedures past their deadlines (through the risk domain)
    and tasks 24 hours overdue (each once: an escalation task and an e-mail)."""
    actor = actor or SystemActor("amparo:tasks escalate")
    result = Notified()
    escalate_procedures = _procedure_escalator()
    if escalate_procedures is not None:
        result.procedures = list(escalate_procedures(now=now))
    for procedure in result.procedures:
        deadline = procedure_deadline(procedure)
        when = deadline.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC") if deadline else ""
        line = f"- {procedure.get_kind_display()} procedure {procedure.code} | deadline {when}"
        for user in coordinators_for(procedure.case.lead_entity_id, procedure.case):
            subject = f"[Amparo] Procedure {procedure.code} passed its deadline"
            result.messages += _send(user, subject, [line, f"Dashboard: {DASHBOARD_PATH}"])
    overdue = (
        Task.objects.filter(
            status=Task.Status.OPEN, due_at__lte=now - ESCALATE_AFTER, escalated_at__isnull=True
        )
        .exclude(kind=Task.Kind.ESCALATION)
        .select_related("case", "entity", "owner")
        .order_by("due_at")
    )
    for task in overdue:
        escalation = _escalate_task(actor, task, now)
        result.tasks.append(task)
        for user in task_recipients(escalation):
            subject = "[Amparo] A task is 24 hours overdue"
            lines = ["Overdue:", _task_line(task), "Escalation:", _task_line(escalation)]
            result.messages += _send(user, subject, lines)
    return result
