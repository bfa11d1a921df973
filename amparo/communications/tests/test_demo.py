"""The communications part of the demo: sent letters with replies, one overdue with its
follow-up task, journey 5's appeal awaiting approval and refused for want of consent."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from amparo.communications.models import Communication, CountryVisit
from amparo.communications.selectors import outstanding_visits, response_rates
from amparo.communications.services import communication_approve_send
from amparo.coordination.models import Task
from amparo.demo.generator import DemoSize, load_demo

pytestmark = pytest.mark.django_db(transaction=False)


def test_demo_communications():
    from amparo.accounts.models import User

    load_demo(size=DemoSize(defenders=40, incidents=60), today=datetime.date(2026, 11, 1))
    sent = Communication.objects.filter(status="sent").order_by("sent_on")
    assert [c.kind for c in sent] == ["UA", "AL", "JAL", "JUA"]
    assert [c.replies.count() for c in sent] == [1, 1, 1, 0]
    overdue = sent.last()
    assert Task.objects.filter(subject_id=str(overdue.pk), status="open").count() == 1
    appeal = Communication.objects.get(status="awaiting_approval")
    coordinator = User.objects.get(username="coordinator")
    with pytest.raises(ValidationError):
        communication_approve_send(actor=coordinator, communication=appeal)
    analyst = User.objects.get(username="analyst")
    rates = response_rates(actor=analyst, group_by="state")
    assert [(r.key, r.sent, r.replied) for r in rates] == [("CO", 4, 3)]
    assert [v.state for v in outstanding_visits(actor=analyst)] == ["CO", "MX"]
    assert CountryVisit.objects.count() == 3
