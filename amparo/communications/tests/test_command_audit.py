"""Issue 9: `amparo communications remind` leaves an audit event for each reminder it writes,
in the same run as the follow-up task, and nothing when there is nothing to remind."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from amparo.audit.models import AuditEvent
from amparo.communications.tests.conftest import draft, send
from amparo.coordination.models import Task

pytestmark = pytest.mark.django_db


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_remind_records_the_reminder_and_its_task(comms_officer, coordinator, letters):
    letter = send(
        comms_officer,
        coordinator,
        draft(comms_officer, defenders=[letters.rosa]),
        sent_on=datetime.date(2026, 5, 4),
    )
    before = _last_seq()
    call_command(
        "communications", "remind", "--now", "2026-07-03T08:00:00+00:00", stdout=StringIO()
    )
    task = Task.objects.get(subject_type="communication")
    events = list(
        AuditEvent.objects.filter(seq__gt=before).values_list("action", "object_type", "object_id")
    )
    assert ("communication.reminder", "communication", str(letter.pk)) in events
    assert ("task.create", "task", str(task.pk)) in events
    reminder = AuditEvent.objects.get(seq__gt=before, action="communication.reminder")
    assert reminder.detail == {"reference": letter.reference}
    assert reminder.actor_id is None  # the command's system actor, not a person

    again = _last_seq()
    call_command(
        "communications", "remind", "--now", "2026-07-04T08:00:00+00:00", stdout=StringIO()
    )
    assert not AuditEvent.objects.filter(seq__gt=again).exists()
