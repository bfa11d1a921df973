"""T2, field-level rules: what analysts and liaisons never receive, and what no role can set by
adding fields to a request (mass assignment).

The reads are asserted cell by cell by the matrix (test_matrix): every answer to an analyst or
a liaison, HTML, JSON, CSV export or error, is searched for the world's canaries (names,
aliases, contacts, localities, narratives, perpetrator details, sources, measure details,
assessment rationales). This module checks that the canaries cover the encrypted fields, and
the writes.
"""

from __future__ import annotations

import json

import pytest
from django.apps import apps

from amparo.accounts.services import api_token_create
from amparo.audit.models import AuditEvent
from amparo.core.fields import EncryptedField
from amparo.incidents.models import Incident
from amparo.registry.models import Case, Defender
from amparo.tests.helpers import logged_in

# Every encrypted field, and where the suite puts a canary in it. A new EncryptedField fails
# test_every_encrypted_field_is_accounted_for until it is listed here.
SEEDED_BY_THE_MATRIX = {
    "registry.Defender": {"name", "alias", "locality", "contacts"},
    "incidents.Incident": {"locality", "perpetrator_detail", "narrative", "sources"},
    "risk.RiskAssessment": {"rationale"},
    "measures.Measure": {"details"},
}
# Encrypted fields seeded with canaries by their own domain's persona tests.
SEEDED_ELSEWHERE = {
    "registry.Organisation": {"sealed_name"},
    "registry.Person": {"name"},
    "incidents.Attachment": {"filename"},
    "risk.RiskAssessment": {
        "level_justification",
        "participation_note",
        "instrument",
        "reevaluation_reason",
        "decision_note",
    },
    "risk.RelativeRisk": {"note"},
    "risk.Procedure": {"reason"},
    "measures.Measure": {"provider_override_reason", "refusal_reason"},
    "measures.MeasureStatusChange": {"note"},
    "measures.Relocation": {"host", "visa_plan", "return_plan"},
    "measures.InterimMeasureRequest": {"notes"},
    "measures.MeasureFeedback": {"comment"},
    "measures.SafetyPlan": {"text"},
    "measures.Disclosure": {"override_reason", "response_reason"},
    "coordination.ConsentRecord": {"note"},
    "communications.Communication": {"summary", "body"},
    "communications.Reply": {"summary"},
    "communications.ReplyDocument": {"filename"},
    "investigations.Investigation": {"outcome"},
    "investigations.InvestigationUpdate": {"note"},
    "portal.SelfReport": {"content", "reply"},
    "portal.ReportAddition": {"text"},
    "portal.ReportFile": {"filename"},
    "portal.CheckIn": {"answer"},
}


def test_every_encrypted_field_is_accounted_for():
    actual = {
        model._meta.label: {
            f.name for f in model._meta.get_fields() if isinstance(f, EncryptedField)
        }
        for model in apps.get_models()
    }
    actual = {label: names for label, names in actual.items() if names}
    declared: dict[str, set[str]] = {}
    for table in (SEEDED_BY_THE_MATRIX, SEEDED_ELSEWHERE):
        for label, names in table.items():
            declared.setdefault(label, set()).update(names)
    assert actual == declared


def _state(world):
    return {
        "cases": sorted(
            Case.objects.values_list("code", "restricted", "lead_entity_id", "status")
            if hasattr(Case, "status")
            else Case.objects.values_list("code", "restricted", "lead_entity_id")
        ),
        "defenders": sorted(Defender.objects.values_list("code", "case_id", "external_id")),
        "incidents": sorted(Incident.objects.values_list("code", "external_id")),
    }


def _api(client, method, path, user, body):
    _token, raw = api_token_create(actor=user, name="mass assignment")
    return getattr(client, method)(
        f"/api/v1{path}",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )


FORBIDDEN_EXTRAS = {
    "lead_entity": "other",
    "restricted": True,
    "case": "CASE-2026-999999",
    "code": "HRD-2026-424242",
    "external_id": "mass-assignment",
    "id": "00000000-0000-0000-0000-000000000001",
}


@pytest.mark.django_db
@pytest.mark.parametrize("field", sorted(FORBIDDEN_EXTRAS))
def test_api_defender_patch_rejects_fields_it_may_not_set(client, world, officer, field):
    before = _state(world)
    response = _api(
        client,
        "patch",
        f"/defenders/{world.team_defender.code}",
        officer,
        {"status": "relocated", field: FORBIDDEN_EXTRAS[field]},
    )
    assert response.status_code == 422, response.content
    assert _state(world) == before


@pytest.mark.django_db
@pytest.mark.parametrize("field", sorted(FORBIDDEN_EXTRAS))
def test_api_incident_create_rejects_fields_it_may_not_set(client, world, officer, field):
    before_events = AuditEvent.objects.exclude(action="token.create").count()
    body = {
        "date": "2026-03-01",
        "country": "CO",
        "violations": ["death_threat"],
        "perpetrators": ["unknown"],
        "victim_defenders": [world.team_defender.code],
        field: FORBIDDEN_EXTRAS[field],
    }
    response = _api(client, "post", "/incidents", officer, body)
    assert response.status_code == 422, response.content
    assert Incident.objects.count() == 0
    assert AuditEvent.objects.exclude(action="token.create").count() == before_events


@pytest.mark.django_db
def test_officer_cannot_restrict_or_move_a_case_through_the_api(client, world, officer):
    before = _state(world)
    code = world.team_case.code
    assert (
        _api(client, "put", f"/cases/{code}/restricted", officer, {"restricted": True}).status_code
        == 403
    )
    assert _state(world) == before


@pytest.mark.django_db
def test_edit_form_ignores_fields_it_does_not_offer(world, officer):
    """The defender form has no restricted, lead entity or case field: posting them changes
    nothing of the case (and the form's own validation decides the rest)."""
    before = _state(world)
    client = logged_in(officer)
    client.post(
        f"/defenders/{world.team_defender.code}/edit/",
        {"restricted": "on", "lead_entity": "other", "case": "CASE-2026-999999"},
    )
    after = _state(world)
    assert after["cases"] == before["cases"]
    assert after["defenders"] == before["defenders"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["analyst", "liaison"])
def test_error_messages_carry_no_canary(client, world, request, persona):
    """Invalid input never echoes a value back: a 422 names fields, not what was sent."""
    user = request.getfixturevalue(persona)
    name = world.names["team"]
    response = _api(client, "post", "/defenders/duplicates", user, {"name": 12, "alias": name})
    assert name not in response.content.decode()
    response = _api(client, "post", "/defenders/search", user, {"name": name, "bogus": name})
    assert name not in response.content.decode()
