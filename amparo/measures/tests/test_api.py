"""The measures API persona by persona, and the liaison's inbox: exact status codes, exact
JSON keys, no canary ever in a liaison's answer."""

from __future__ import annotations

import json

import pytest

from amparo.accounts.services import api_token_create
from amparo.audit.models import AuditEvent
from amparo.measures.models import Disclosure, Measure, MeasureFeedback
from amparo.measures.services import MeasureData, measure_request

from .conftest import CANARY_LOCALITY, CANARY_NAME, CANARY_NARRATIVE, CANARY_NOTE, CANARY_PHONE

pytestmark = pytest.mark.django_db
API = "/api/v1"
CANARIES = (CANARY_NAME, CANARY_LOCALITY, CANARY_PHONE, CANARY_NARRATIVE, CANARY_NOTE)
DETAILS = {"area": "Comuna 18", "schedule_needs": "Nights", "notes": CANARY_NOTE}
LIAISON_KEYS = {
    "code",
    "status",
    "from_entity",
    "created_at",
    "responded_at",
    "measure",
    "measure_status",
    "fields",
}


def call(client, method, path, user=None, body=None):
    headers = {}
    if user is not None:
        _token, raw = api_token_create(actor=user, name="t")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    send = getattr(client, method)
    if body is None:
        return send(f"{API}{path}", **headers)
    return send(f"{API}{path}", json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def measure(coordinator, lucia):
    return measure_request(
        actor=coordinator, defender=lucia, data=MeasureData(kind="panic_button", details=DETAILS)
    )


def persona_user(request, persona):
    return None if persona == "anonymous" else request.getfixturevalue(persona)


READ = {
    "coordinator": 200,
    "officer": 200,
    "other_officer": 404,
    "foreign_coordinator": 404,
    "analyst": 200,
    "liaison": 403,
    "police_liaison": 403,
    "auditor": 403,
    "admin_user": 403,
    "defender_user": 403,
    "anonymous": 401,
}


@pytest.mark.parametrize("persona", list(READ))
def test_read_matrix(client, request, persona, measure):
    user = persona_user(request, persona)
    response = call(client, "get", f"/measures/{measure.code}", user)
    assert response.status_code == READ[persona]
    listing = call(client, "get", "/measures", user)
    expected = {404: 200, 200: 200}.get(READ[persona], READ[persona])
    assert listing.status_code == expected
    if expected == 200:
        count = listing.json()["count"]
        assert count == (1 if READ[persona] == 200 else 0)


def test_analyst_gets_pseudonymised_measures(client, analyst, measure):
    body = call(client, "get", f"/measures/{measure.code}", analyst).json()
    assert body["details"] is None and body["id"] is None and body["details_shown"] is False
    assert CANARY_NOTE not in json.dumps(body)


def test_create_transition_feedback(client, coordinator, officer, lucia, police):
    body = {
        "defender": lucia.code,
        "kind": "police_protection",
        "provider": "police-co",
        "details": {"area": "Comuna 18", "schedule_needs": "Nights"},
    }
    response = call(client, "post", "/measures", officer, body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "provider"
    body["provider_override_reason"] = "The State's unit"
    response = call(client, "post", "/measures", officer, body)
    assert response.status_code == 201, response.json()
    code = response.json()["code"]
    assert response.json()["details"] == {"area": "Comuna 18", "schedule_needs": "Nights"}
    step = f"/measures/{code}/transition"
    assert call(client, "post", step, officer, {"to_status": "approved"}).status_code == 403
    response = call(client, "post", step, coordinator, {"to_status": "approved"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    response = call(client, "post", step, officer, {"to_status": "refused_by_defender"})
    assert response.status_code == 422
    response = call(
        client, "post", step, officer, {"to_status": "refused_by_defender", "reason": "Distrust"}
    )
    assert response.json()["refusal_reason"] == "Distrust"
    response = call(client, "post", step, officer, {"to_status": "in_place"})
    assert response.status_code == 422
    response = call(
        client,
        "post",
        "/measures",
        officer,
        {"defender": lucia.code, "kind": "protective_accompaniment", "replaces": code},
    )
    assert response.status_code == 201
    assert Measure.objects.get(code=code).replaced_by.code == response.json()["code"]
    history = call(client, "get", f"/measures/{code}/history", officer).json()
    assert [row["to_status"] for row in history] == [
        "requested",
        "approved",
        "refused_by_defender",
    ]
    response = call(
        client,
        "post",
        f"/measures/{code}/feedback",
        officer,
        {"works": "no", "trusts_provider": "no", "comment": "Police are suspects"},
    )
    assert response.status_code == 201 and response.json()[0]["trusts_provider"] == "no"


def test_unknown_fields_are_refused(client, officer, lucia):
    response = call(
        client, "post", "/measures", officer, {"defender": lucia.code, "kind": "other", "x": 1}
    )
    assert response.status_code == 422
    assert call(client, "get", "/measures?name=Lucia", officer).status_code == 422


def test_denied_creation_leaves_nothing(client, analyst, other_officer, lucia):
    for user, status in ((analyst, 403), (other_officer, 404)):
        _token, raw = api_token_create(actor=user, name="t")
        events = AuditEvent.objects.count()
        response = client.post(
            f"{API}/measures",
            json.dumps({"defender": lucia.code, "kind": "other"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        assert response.status_code == status
        assert not Measure.objects.exists() and AuditEvent.objects.count() == events


def test_disclosure_and_the_liaison_inbox(
    client, coordinator, officer, police_liaison, liaison, measure, police
):
    call(
        client,
        "post",
        f"/measures/{measure.code}/transition",
        coordinator,
        {"to_status": "approved"},
    )
    body = {
        "measure": measure.code,
        "to_entity": "police-co",
        "fields": ["defender_code", "subdivision", "measure_kind", "area", "schedule_needs"],
    }
    response = call(client, "post", "/disclosures", coordinator, body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "override_reason"
    assert (
        call(client, "post", "/disclosures", officer, body | {"override_reason": "x"}).status_code
        == 403
    )
    bad = body | {"override_reason": "Imminent danger", "fields": ["name"]}
    assert call(client, "post", "/disclosures", coordinator, bad).status_code == 422
    response = call(
        client, "post", "/disclosures", coordinator, body | {"override_reason": "Imminent danger"}
    )
    assert response.status_code == 201
    code = response.json()["code"]
    # Staff endpoints are closed to liaisons; the inbox is closed to staff.
    assert call(client, "get", "/disclosures", police_liaison).status_code == 403
    assert call(client, "get", f"/disclosures/{code}", police_liaison).status_code == 403
    assert call(client, "get", f"/measures/{measure.code}", police_liaison).status_code == 403
    assert call(client, "get", "/inbox/disclosures", coordinator).status_code == 403
    assert call(client, "get", f"/inbox/disclosures/{code}", liaison).status_code == 404
    assert call(client, "get", "/inbox/disclosures", liaison).json() == []

    inbox = call(client, "get", "/inbox/disclosures", police_liaison)
    assert inbox.status_code == 200
    [item] = inbox.json()
    assert set(item) == LIAISON_KEYS
    assert set(item["fields"]) == {
        "defender_code",
        "subdivision",
        "measure_kind",
        "area",
        "schedule_needs",
    }
    assert item["fields"]["area"] == "Comuna 18"
    for canary in CANARIES:
        assert canary not in inbox.content.decode()

    report = f"/inbox/disclosures/{code}/report"
    assert call(client, "post", report, police_liaison, {"in_place": True}).status_code == 403
    respond = f"/inbox/disclosures/{code}/respond"
    response = call(client, "post", respond, police_liaison, {"accept": True})
    assert response.status_code == 200 and set(response.json()) == LIAISON_KEYS
    response = call(
        client, "post", report, police_liaison, {"in_place": True, "works": "yes", "note": "ok"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["measure_status"] == "in_place"
    assert MeasureFeedback.objects.get().source == "provider"
    for canary in CANARIES:
        assert canary not in response.content.decode()
    # The registry and incidents API stay closed to the liaison.
    assert call(client, "get", "/defenders", police_liaison).json()["count"] == 0
    assert (
        call(client, "get", f"/defenders/{measure.defender.code}", police_liaison).status_code
        == 404
    )
    assert call(client, "get", "/incidents", police_liaison).json()["count"] == 0

    response = call(client, "post", f"/disclosures/{code}/revoke", coordinator)
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    assert call(client, "get", f"/inbox/disclosures/{code}", police_liaison).status_code == 404
    assert Disclosure.objects.get().status == "revoked"


WRITE_PERSONAS = [
    "coordinator",
    "officer",
    "other_officer",
    "foreign_coordinator",
    "analyst",
    "liaison",
    "police_liaison",
    "auditor",
    "admin_user",
    "defender_user",
    "anonymous",
]
# persona -> (create measure, step, feedback, disclose, respond, revoke)
WRITES = {
    "coordinator": (201, 200, 201, 201, 403, 200),
    "officer": (201, 200, 201, 403, 403, 403),
    "other_officer": (404, 404, 404, 404, 403, 404),
    "foreign_coordinator": (404, 404, 404, 404, 403, 404),
    "analyst": (403, 403, 403, 403, 403, 403),
    "liaison": (403, 403, 403, 403, 404, 403),
    "police_liaison": (403, 403, 403, 403, 200, 403),
    "auditor": (403, 403, 403, 403, 403, 403),
    "admin_user": (403, 403, 403, 403, 403, 403),
    "defender_user": (403, 403, 403, 403, 403, 403),
    "anonymous": (401, 401, 401, 401, 401, 401),
}


@pytest.mark.parametrize("persona", WRITE_PERSONAS)
def test_write_matrix(client, request, persona, coordinator, lucia, measure, police, world):
    from amparo.measures.services import DisclosureData, disclosure_create

    request.getfixturevalue("defender_user")
    disclosure = disclosure_create(
        actor=coordinator,
        defender=lucia,
        data=DisclosureData(
            to_entity=police, fields=["defender_code"], measure=measure, override_reason="x"
        ),
    )
    user = persona_user(request, persona)
    expected = WRITES[persona]
    answers = (
        call(client, "post", "/measures", user, {"defender": lucia.code, "kind": "other"}),
        call(
            client,
            "post",
            f"/measures/{measure.code}/transition",
            user,
            {"to_status": "under_assessment"},
        ),
        call(client, "post", f"/measures/{measure.code}/feedback", user, {"works": "yes"}),
        call(
            client,
            "post",
            "/disclosures",
            user,
            {
                "measure": measure.code,
                "to_entity": "police-co",
                "fields": ["area"],
                "override_reason": "x",
            },
        ),
        call(
            client, "post", f"/inbox/disclosures/{disclosure.code}/respond", user, {"accept": True}
        ),
        call(client, "post", f"/disclosures/{disclosure.code}/revoke", user),
    )
    assert tuple(answer.status_code for answer in answers) == expected
