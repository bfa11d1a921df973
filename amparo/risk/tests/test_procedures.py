"""Urgent and ordinary procedures: deadlines from the entity policy, marks, escalation."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from amparo.audit.models import AuditEvent
from amparo.coordination.models import Task
from amparo.risk.models import Procedure
from amparo.risk.procedures import (
    procedure_close,
    procedure_mark_decided,
    procedure_mark_in_place,
    procedure_mark_studied,
    procedure_open,
    procedures_escalate_overdue,
)
from amparo.risk.selectors import next_deadline
from amparo.risk.services import assessment_approve, assessment_create, review_policy_set
from amparo.risk.tests.factories import NOW, make_data

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


def _urgent(actor, defender, now=NOW):
    return procedure_open(
        actor=actor, defender=defender, kind="urgent", reason="Armed men at the door", now=now
    )


def test_urgent_deadlines_and_task(world, officer):
    procedure = _urgent(officer, world.team_defender)
    assert procedure.code.startswith("PROC-")
    assert procedure.decide_by == datetime.datetime(2026, 11, 20, 13, 0, tzinfo=datetime.UTC)
    assert procedure.in_place_by == datetime.datetime(2026, 11, 20, 22, 0, tzinfo=datetime.UTC)
    assert procedure.study_by is None
    task = Task.objects.get(subject_type="procedure", subject_id=str(procedure.pk))
    assert (task.kind, task.due_at, task.owner) == ("measure_decision", procedure.decide_by, None)
    assert AuditEvent.objects.filter(action="procedure.open", object_id=str(procedure.pk)).exists()
    procedure.refresh_from_db()
    assert procedure.reason == "Armed men at the door"


def test_ordinary_deadline_and_entity_override(world, officer, coordinator, entity):
    review_policy_set(
        actor=coordinator, entity=entity, ordinary_study_days=10, urgent_decide_hours=1
    )
    ordinary = procedure_open(
        actor=officer, defender=world.team_defender, kind="ordinary", reason="Request", now=NOW
    )
    assert ordinary.study_by == datetime.datetime(2026, 11, 30, 10, 0, tzinfo=datetime.UTC)
    assert Task.objects.get(subject_id=str(ordinary.pk)).kind == "risk_study"
    urgent = _urgent(officer, world.team_defender)
    assert urgent.decide_by == NOW + HOUR


def test_countdown(world, officer):
    procedure = _urgent(officer, world.team_defender)
    deadline = next_deadline(procedure, NOW + HOUR)
    assert (deadline.step, deadline.hours_left, deadline.overdue) == ("decide", 2.0, False)
    procedure_mark_decided(actor=officer, procedure=procedure, now=NOW + 2 * HOUR)
    deadline = next_deadline(procedure, NOW + 13 * HOUR)
    assert (deadline.step, deadline.hours_left, deadline.overdue) == ("in_place", -1.0, True)
    procedure_mark_in_place(actor=officer, procedure=procedure, now=NOW + 13 * HOUR)
    assert next_deadline(procedure, NOW + 20 * HOUR) is None


def test_marks_are_idempotent_and_tolerant(world, officer):
    procedure = _urgent(officer, world.team_defender)
    assert procedure_mark_in_place(actor=officer, procedure=procedure, now=NOW + HOUR)
    procedure.refresh_from_db()
    # In place implies decided.
    assert procedure.decided_at == procedure.in_place_at == NOW + HOUR
    assert procedure.status == "in_place"
    events = AuditEvent.objects.count()
    assert not procedure_mark_decided(actor=officer, procedure=procedure, now=NOW + 2 * HOUR)
    assert not procedure_mark_in_place(actor=officer, procedure=procedure, now=NOW + 2 * HOUR)
    assert AuditEvent.objects.count() == events
    procedure.refresh_from_db()
    assert procedure.decided_at == NOW + HOUR
    assert Task.objects.get(subject_id=str(procedure.pk)).status == "done"
    assert procedure_close(actor=officer, procedure=procedure, now=NOW + 3 * HOUR)
    assert not procedure_close(actor=officer, procedure=procedure)
    assert not procedure_mark_studied(actor=officer, procedure=procedure)


def test_escalation_with_a_fixed_clock(world, officer, coordinator):
    urgent = _urgent(officer, world.team_defender)
    ordinary = procedure_open(
        actor=officer, defender=world.team_defender, kind="ordinary", reason="x", now=NOW
    )
    assert procedures_escalate_overdue(now=NOW + 3 * HOUR) == []  # the deadline itself: not yet
    escalated = procedures_escalate_overdue(now=NOW + 3 * HOUR + datetime.timedelta(seconds=1))
    assert [p.code for p in escalated] == [urgent.code]
    urgent.refresh_from_db()
    assert urgent.escalated_at == NOW + 3 * HOUR + datetime.timedelta(seconds=1)
    task = Task.objects.get(kind="escalation", subject_id=str(urgent.pk))
    assert task.entity == world.team_case.lead_entity and task.owner is None
    assert AuditEvent.objects.filter(action="procedure.escalate").count() == 1
    # Running again escalates nothing new.
    assert procedures_escalate_overdue(now=NOW + 4 * HOUR) == []
    # The in-place deadline passing escalates once more.
    procedure_mark_decided(actor=coordinator, procedure=urgent, now=NOW + 5 * HOUR)
    assert [p.code for p in procedures_escalate_overdue(now=NOW + 12 * HOUR + HOUR)] == [
        urgent.code
    ]
    assert AuditEvent.objects.filter(action="procedure.escalate").count() == 2
    # The ordinary study, 30 days later.
    late = NOW + datetime.timedelta(days=30, seconds=1)
    assert [p.code for p in procedures_escalate_overdue(now=late)] == [ordinary.code]
    procedure_close(actor=coordinator, procedure=ordinary, now=late)
    assert procedures_escalate_overdue(now=late + datetime.timedelta(days=5)) == []


def test_done_steps_are_not_escalated(world, officer):
    procedure = _urgent(officer, world.team_defender)
    procedure_mark_in_place(actor=officer, procedure=procedure, now=NOW + HOUR)
    assert procedures_escalate_overdue(now=NOW + 48 * HOUR) == []


def test_approving_an_assessment_under_an_ordinary_procedure_completes_the_study(
    world, officer, coordinator
):
    procedure = procedure_open(
        actor=officer, defender=world.team_defender, kind="ordinary", reason="x", now=NOW
    )
    assessment = assessment_create(
        actor=officer,
        defender=world.team_defender,
        data=make_data(),
        procedure=procedure,
        submit=True,
        now=NOW,
    )
    assessment_approve(actor=coordinator, assessment=assessment, now=NOW + HOUR)
    procedure.refresh_from_db()
    assert (procedure.status, procedure.studied_at) == ("studied", NOW + HOUR)
    assert Task.objects.get(kind="risk_study").status == "done"


@pytest.mark.parametrize("persona", ["other_officer", "analyst", "liaison", "foreign_coordinator"])
def test_who_may_not_open(request, world, persona):
    actor = request.getfixturevalue(persona)
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        _urgent(actor, world.team_defender)
    assert not Procedure.objects.exists() and not Task.objects.exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(("kind", "reason"), [("later", "x"), ("urgent", " ")])
def test_open_validation(world, officer, kind, reason):
    with pytest.raises(ValidationError):
        procedure_open(actor=officer, defender=world.team_defender, kind=kind, reason=reason)
    assert not Procedure.objects.exists()


def test_escalation_uses_the_monkeypatched_clock(world, officer, fixed_clock):
    procedure = _urgent(officer, world.team_defender, now=None)
    assert procedure.opened_at == NOW
    fixed_clock["now"] = NOW + 4 * HOUR
    assert [p.pk for p in procedures_escalate_overdue()] == [procedure.pk]
