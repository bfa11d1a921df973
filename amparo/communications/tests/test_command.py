"""`amparo communications remind`."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from amparo.communications.tests.conftest import draft, send
from amparo.coordination.models import Task

pytestmark = pytest.mark.django_db


def test_remind_opens_a_task_once(comms_officer, coordinator, letters):
    send(
        comms_officer,
        coordinator,
        draft(comms_officer, defenders=[letters.rosa]),
        sent_on=datetime.date(2026, 5, 4),
    )
    out = StringIO()
    call_command("communications", "remind", "--now", "2026-07-03T08:00:00+00:00", stdout=out)
    assert out.getvalue() == (
        "1 communication(s) overdue for a reply (follow-up after 60 days): "
        "follow-up task(s) opened.\n"
    )
    out = StringIO()
    call_command("communications", "remind", "--now", "2026-07-04T08:00:00+00:00", stdout=out)
    assert out.getvalue().startswith("0 communication(s)")
    assert Task.objects.filter(subject_type="communication").count() == 1
