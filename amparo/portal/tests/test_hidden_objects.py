"""Objects that exist but are not the actor's answer exactly as nonexistent ones (found by the
security suite's authorization matrix, amparo/tests/security)."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from amparo.audit.models import AuditEvent
from amparo.earlywarning.services import EventData, event_create
from amparo.portal.models import CheckIn
from amparo.portal.selectors import report_queue
from amparo.portal.services import ReportContent, report_submit
from amparo.tests.helpers import logged_in

pytestmark = pytest.mark.django_db
SOON = timezone.localdate() + datetime.timedelta(days=5)


def test_a_checkin_of_another_entitys_event_answers_as_none(
    world, foreign_coordinator, defender_user
):
    # The other entity's calendar names a place the defender is in: not their programme's.
    elsewhere = event_create(
        actor=foreign_coordinator,
        data=EventData(kind="demonstration", start=SOON, country="CO"),
    )
    client = logged_in(defender_user)
    events = AuditEvent.objects.count()
    for data in ({}, {"answer": "ANSWER-CANARY"}):
        hidden = client.post(reverse("portal:checkin", args=[elsewhere.pk]), data)
        ghost = client.post(reverse("portal:checkin", args=[uuid.UUID(int=3)]), data)
        assert (hidden.status_code, ghost.status_code) == (404, 404)
    assert not CheckIn.objects.exists()
    assert AuditEvent.objects.count() == events


def test_an_empty_answer_to_an_open_checkin_is_asked_again(world, coordinator, defender_user):
    own = event_create(
        actor=coordinator,
        data=EventData(kind="demonstration", start=SOON, country="CO"),
    )
    response = logged_in(defender_user).post(reverse("portal:checkin", args=[own.pk]), {})
    assert (response.status_code, response["Location"]) == (302, reverse("portal:space"))
    assert not CheckIn.objects.exists()


def test_an_erased_defenders_waiting_report_is_gone_from_the_queue(
    world, coordinator, defender_user
):
    from amparo.registry.services import defender_shred

    content = ReportContent(
        what_happened="SELFREPORT-CANARY they came at night",
        occurred_on=timezone.localdate() - datetime.timedelta(days=1),
        country="CO",
        violations=["threat"],
    )
    report, _code = report_submit(actor=defender_user, content=content)
    assert list(report_queue(actor=coordinator)) == [report]
    defender_shred(actor=coordinator, defender=world.team_defender)
    assert list(report_queue(actor=coordinator)) == []
    client = logged_in(coordinator)
    page = client.get(reverse("portal:report_detail", args=[report.code]))
    assert page.status_code == 404
    assert "SELFREPORT-CANARY" not in client.get(reverse("portal:queue")).content.decode()
