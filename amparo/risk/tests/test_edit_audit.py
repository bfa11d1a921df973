"""Issue 9: the assessment edit form shows the decrypted rationale, so opening it is a read
and leaves one `assessment.read` event naming the actor (the detail page already did)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from amparo.audit.models import AuditEvent
from amparo.risk.presenters import ASSESSMENT_SENSITIVE
from amparo.risk.services import assessment_create
from amparo.risk.tests.factories import NOW, RATIONALE_CANARY, make_data
from amparo.tests.helpers import logged_in

pytestmark = pytest.mark.django_db


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_opening_the_edit_form_records_a_read(world, officer):
    assessment = assessment_create(
        actor=officer, defender=world.team_defender, data=make_data(), submit=False, now=NOW
    )
    before = _last_seq()
    page = logged_in(officer).get(reverse("risk:assessment_edit", args=[assessment.code]))
    assert page.status_code == 200 and RATIONALE_CANARY in page.content.decode()
    events = list(
        AuditEvent.objects.filter(seq__gt=before).values_list(
            "action", "actor_id", "object_type", "object_id", "fields", "detail"
        )
    )
    assert events == [
        (
            "assessment.read",
            officer.pk,
            "assessment",
            str(assessment.pk),
            sorted(ASSESSMENT_SENSITIVE),
            {"via": "edit"},
        )
    ]


def test_a_refused_edit_form_records_nothing(world, officer, analyst):
    assessment = assessment_create(
        actor=officer, defender=world.team_defender, data=make_data(), submit=False, now=NOW
    )
    before = _last_seq()
    page = logged_in(analyst).get(reverse("risk:assessment_edit", args=[assessment.code]))
    assert page.status_code in (403, 404)
    assert RATIONALE_CANARY not in page.content.decode()
    assert not AuditEvent.objects.filter(seq__gt=before).exists()
