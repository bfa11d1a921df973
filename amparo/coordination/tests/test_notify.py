"""Reminders and escalations on a fixed clock: exact recipients, once a day, once per task, and
no sensitive value in any e-mail."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from amparo.audit.models import AuditEvent
from amparo.coordination import notify
from amparo.coordination.models import Task
from amparo.coordination.notify import tasks_escalate, tasks_send_reminders
from amparo.registry.services import DefenderData, defender_update

from .conftest import NOW

pytestmark = pytest.mark.django_db


def sent() -> dict[str, list[str]]:
    """Recipient → the record codes named in their messages."""
    out: dict[str, list[str]] = {}
    for message in mail.outbox:
        (to,) = message.to
        out.setdefault(to, []).append(message.body)
    return out


def test_reminders_go_to_owners_or_to_the_coordinators_who_see_the_case(tasks, world, emails):
    result = tasks_send_reminders(now=NOW)
    recipients = sent()
    # team (2 h) and unassigned (overdue): unowned → the coordinator. restricted (3 h): the
    # coordinator is off its team → the team (officer). owned (overdue) → its owner.
    # foreign (1 h) → the foreign coordinator. entity_only (30 h): not yet.
    assert sorted(recipients) == [
        "coordinator@example.org",
        "foreign_coordinator@example.org",
        "officer@example.org",
        "other_officer@example.org",
    ]
    assert result.messages == 4
    assert {t.pk for t in result.tasks} == {
        tasks.team.pk,
        tasks.unassigned.pk,
        tasks.restricted.pk,
        tasks.foreign.pk,
        tasks.owned.pk,
    }
    (body,) = recipients["coordinator@example.org"]
    assert world.team_case.code in body and world.unassigned_case.code in body
    assert world.restricted_case.code not in body
    assert f"/work/tasks/{tasks.team.pk}/" in body
    assert world.restricted_case.code in recipients["officer@example.org"][0]
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["coordinator@example.org"] == "[Amparo] 2 task(s) due, 1 overdue"
    assert AuditEvent.objects.filter(action="task.remind").count() == 4


def test_at_most_once_a_day(tasks, emails):
    tasks_send_reminders(now=NOW)
    mail.outbox.clear()
    # 23 hours on, only entity_only (now due within 24 hours) is new; the others wait.
    again = tasks_send_reminders(now=NOW + datetime.timedelta(hours=23))
    assert [t.pk for t in again.tasks] == [tasks.entity_only.pk]
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]
    assert tasks_send_reminders(now=NOW + datetime.timedelta(hours=23, minutes=55)).messages == 0
    later = tasks_send_reminders(now=NOW + datetime.timedelta(hours=24))
    assert len(later.tasks) == 5
    assert Task.objects.filter(reminded_at=NOW + datetime.timedelta(hours=24)).count() == 5


def test_closed_tasks_and_users_without_an_address_get_nothing(tasks, system, coordinator):
    from amparo.coordination.services import task_complete

    task_complete(actor=system, task=tasks.owned)
    result = tasks_send_reminders(now=NOW)  # nobody has an e-mail address
    assert (result.messages, mail.outbox) == (0, [])
    assert not Task.objects.filter(reminded_at__isnull=False).exists()


def test_no_sensitive_value_in_any_email(tasks, world, emails, coordinator, system):
    # Canaries: the defenders' names, a contact and a locality, and a task title that (against
    # the rule) names a person. None may reach an e-mail.
    data = DefenderData(
        name=world.names["team"],
        country="CO",
        categories=["land_environment"],
        locality="Vereda Canario",
        contacts={"phone": "+57 310 555 0000"},
    )
    defender_update(actor=system, defender=world.team_defender, data=data)
    Task.objects.filter(pk=tasks.team.pk).update(title=f"Call {world.names['team']}")
    tasks_send_reminders(now=NOW)
    tasks_escalate(now=NOW + datetime.timedelta(days=3))
    assert mail.outbox
    canaries = [*world.names.values(), "Vereda Canario", "+57 310 555", "Canario"]
    for message in mail.outbox:
        text = message.subject + message.body
        for canary in canaries:
            assert canary not in text


def test_escalation_once_per_task(tasks, world, emails, monkeypatch):
    monkeypatch.setattr(notify, "_procedure_escalator", lambda: None)
    result = tasks_escalate(now=NOW)
    # Only "owned" is 24 hours overdue (by 30 hours); "unassigned" is 5 hours late.
    assert [t.pk for t in result.tasks] == [tasks.owned.pk]
    escalation = Task.objects.get(kind="escalation")
    assert (escalation.owner, escalation.case, escalation.subject_id) == (
        None,
        world.unassigned_case,
        str(tasks.owned.pk),
    )
    assert escalation.due_at == NOW + datetime.timedelta(hours=4)
    tasks.owned.refresh_from_db()
    assert tasks.owned.escalated_at == NOW
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]
    assert tasks_escalate(now=NOW + datetime.timedelta(hours=1)).tasks == []
    assert Task.objects.filter(kind="escalation").count() == 1
    # A day later "unassigned" is 29 hours late; the escalation itself is never escalated.
    later = tasks_escalate(now=NOW + datetime.timedelta(hours=24))
    assert [t.pk for t in later.tasks] == [tasks.unassigned.pk]


def test_a_restricted_case_escalates_to_its_team_only(tasks, world, emails, monkeypatch):
    monkeypatch.setattr(notify, "_procedure_escalator", lambda: None)
    mail.outbox.clear()
    tasks_escalate(now=NOW + datetime.timedelta(hours=28))
    by_code = {}
    for message in mail.outbox:
        for code in (world.restricted_case.code, world.team_case.code):
            if code in message.body:
                by_code.setdefault(code, set()).add(message.to[0])
    assert by_code[world.restricted_case.code] == {"officer@example.org"}
    assert by_code[world.team_case.code] == {"coordinator@example.org"}


def test_procedures_escalated_by_the_risk_domain_are_mailed(tasks, world, emails, monkeypatch):
    class Procedure:
        code = "PROC-2026-000001"
        kind = "urgent"
        case = world.team_case
        decided_at = None
        decide_by = NOW - datetime.timedelta(hours=1)
        in_place_by = NOW + datetime.timedelta(hours=8)

        def get_kind_display(self):
            return "Urgent (imminent danger)"

    calls = []

    def escalate(*, now):
        calls.append(now)
        return [Procedure()]

    monkeypatch.setattr(notify, "_procedure_escalator", lambda: escalate)
    result = tasks_escalate(now=NOW)
    assert calls == [NOW] and len(result.procedures) == 1
    mailed = [m for m in mail.outbox if "PROC-2026-000001" in m.subject]
    assert [m.to for m in mailed] == [["coordinator@example.org"]]
    assert "2026-11-29 07:00 UTC" in mailed[0].body


def test_the_commands(tasks, emails, monkeypatch, capsys):
    monkeypatch.setattr(notify, "_procedure_escalator", lambda: None)
    call_command("tasks", "remind", "--now", NOW.isoformat())
    assert "5 task(s) reminded in 4 e-mail(s)." in capsys.readouterr().out
    call_command("tasks", "escalate", "--now", NOW.isoformat())
    assert "0 procedure(s) and 1 task(s) escalated; 1 e-mail(s) sent." in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="time zone"):
        call_command("tasks", "remind", "--now", "2026-11-29T08:00")
