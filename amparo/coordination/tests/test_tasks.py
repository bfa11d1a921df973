"""Tasks: who sees which (the persona matrix, exactly), completing and cancelling, and one open
task per subject."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404

from amparo.audit.models import AuditEvent
from amparo.coordination.models import Task
from amparo.coordination.selectors import task_get, tasks_for
from amparo.coordination.services import task_cancel, task_complete, task_open

from .conftest import NOW, hours

pytestmark = pytest.mark.django_db

VISIBLE_TASKS = {
    "coordinator": {"team", "unassigned", "entity_only", "owned"},
    "officer": {"team", "restricted"},
    "other_officer": {"owned"},
    "foreign_coordinator": {"foreign"},
    "analyst": set(),
    "liaison": set(),
    "auditor": set(),
    "admin_user": set(),
    "defender_user": set(),
    "inactive_coordinator": set(),
    "anonymous": set(),
    "anonymous_user": set(),
    "system": {"team", "unassigned", "restricted", "foreign", "entity_only", "owned"},
}


def names(tasks, found):
    by_pk = {task.pk: name for name, task in tasks.by_name().items()}
    return {by_pk[task.pk] for task in found}


@pytest.mark.parametrize("persona", sorted(VISIBLE_TASKS))
def test_visibility_matrix(request, tasks, persona):
    actor = request.getfixturevalue(persona)
    assert names(tasks, tasks_for(actor)) == VISIBLE_TASKS[persona]
    for name, task in tasks.by_name().items():
        if name in VISIBLE_TASKS[persona]:
            assert task_get(actor=actor, task_id=task.pk) == task
        else:
            with pytest.raises(Http404):
                task_get(actor=actor, task_id=task.pk)


def test_overdue_first_mine_and_overdue_only(tasks, coordinator, other_officer):
    listed = [t.pk for t in tasks_for(coordinator)]
    assert listed == [tasks.owned.pk, tasks.unassigned.pk, tasks.team.pk, tasks.entity_only.pk]
    assert names(tasks, tasks_for(coordinator, overdue_only=True, now=NOW)) == {
        "owned",
        "unassigned",
    }
    assert names(tasks, tasks_for(other_officer, mine=True)) == {"owned"}
    assert names(tasks, tasks_for(coordinator, mine=True)) == set()


def test_a_bad_id_is_not_found(tasks, coordinator):
    with pytest.raises(Http404):
        task_get(actor=coordinator, task_id="not-a-uuid")


def test_complete_and_cancel(tasks, officer, coordinator):
    assert task_complete(actor=officer, task=tasks.team)
    tasks.team.refresh_from_db()
    assert (tasks.team.status, tasks.team.done_by) == ("done", officer)
    assert AuditEvent.objects.filter(action="task.done", object_id=str(tasks.team.pk)).count() == 1
    assert not task_complete(actor=officer, task=tasks.team)  # already done: nothing written
    assert AuditEvent.objects.filter(object_id=str(tasks.team.pk)).count() == 2  # create, done
    assert task_cancel(actor=coordinator, task=tasks.entity_only)
    tasks.entity_only.refresh_from_db()
    assert tasks.entity_only.status == "cancelled"


@pytest.mark.parametrize(
    ("persona", "task_name"),
    [
        ("other_officer", "team"),
        ("officer", "entity_only"),
        ("analyst", "team"),
        ("liaison", "team"),
        ("foreign_coordinator", "team"),
        ("coordinator", "restricted"),
    ],
)
def test_denied_actions_leave_no_trace(request, tasks, persona, task_name):
    actor = request.getfixturevalue(persona)
    task = getattr(tasks, task_name)
    before = AuditEvent.objects.count()
    for act in (task_complete, task_cancel):
        with pytest.raises(PermissionDenied):
            act(actor=actor, task=task)
    task.refresh_from_db()
    assert task.status == "open" and task.done_at is None
    assert AuditEvent.objects.count() == before


def test_the_owner_may_close_a_task_on_a_case_they_do_not_work(tasks, other_officer):
    assert task_complete(actor=other_officer, task=tasks.owned)


def test_one_open_task_per_subject(tasks, system, entity, world):
    again = task_open(
        actor=system,
        kind="reevaluation",
        title="again",
        entity=entity,
        case=world.team_case,
        due_at=hours(5),
        subject_type="test",
        subject_id="t1",
    )
    assert again == tasks.team
    assert Task.objects.filter(subject_type="test", subject_id="t1").count() == 1
    task_complete(actor=system, task=tasks.team)
    fresh = task_open(
        actor=system,
        kind="reevaluation",
        title="after",
        entity=entity,
        due_at=hours(5),
        subject_type="test",
        subject_id="t1",
    )
    assert fresh != tasks.team
    # The database refuses a second open task about the same subject, whatever the caller.
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(
            kind="reevaluation",
            title="race",
            entity=entity,
            due_at=hours(5),
            subject_type="test",
            subject_id="t1",
        )
