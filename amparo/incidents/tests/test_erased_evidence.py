"""An erased defender's evidence answers 410 Gone, on the API as on the page (found by the
security suite's authorization matrix, amparo/tests/security)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse

from amparo.accounts.services import api_token_create
from amparo.incidents.services import IncidentData, attachment_add, incident_record
from amparo.registry.services import DefenderData, defender_register, defender_shred
from amparo.tests.helpers import logged_in

pytestmark = pytest.mark.django_db
EVIDENCE = b"EVIDENCE-CANARY a photograph of the note"


@pytest.fixture
def erased_evidence(coordinator, settings, tmp_path):
    settings.AMPARO_ATTACHMENTS_DIR = tmp_path / "attachments"
    defender = defender_register(
        actor=coordinator,
        data=DefenderData(name="Elena Canaria Borrada", country="CO", categories=["journalist"]),
    )
    incident = incident_record(
        actor=coordinator,
        data=IncidentData(
            date=datetime.date(2026, 3, 5),
            country="CO",
            violations=["threat"],
            perpetrators=["unknown"],
            victim_defenders=[defender],
        ),
    )
    attachment = attachment_add(
        actor=coordinator,
        incident=incident,
        upload=io.BytesIO(EVIDENCE),
        filename="note.txt",
        content_type="text/plain",
    )
    defender_shred(actor=coordinator, defender=defender)
    return incident, attachment


def test_the_api_answers_gone(client, coordinator, erased_evidence):
    incident, attachment = erased_evidence
    _token, raw = api_token_create(actor=coordinator, name="t")
    response = client.get(
        f"/api/v1/incidents/{incident.code}/attachments/{attachment.pk}",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 410
    assert response.json() == {"detail": "This evidence was erased."}


def test_the_page_answers_gone(coordinator, erased_evidence):
    incident, attachment = erased_evidence
    url = reverse("incidents:attachment_download", args=[incident.code, attachment.pk])
    response = logged_in(coordinator).get(url)
    assert response.status_code == 410
    assert EVIDENCE not in response.content
