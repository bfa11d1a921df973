"""The risk API persona by persona: exact statuses, strict inputs, analysts never receive the
instrument, the rationale or the notes."""

from __future__ import annotations

import json

import pytest

from amparo.accounts.services import api_token_create
from amparo.audit.models import AuditEvent
from amparo.risk.models import Procedure, RiskAssessment
from amparo.risk.services import assessment_create
from amparo.risk.tests.factories import INSTRUMENT_CANARY, NOW, RATIONALE_CANARY, make_data

pytestmark = pytest.mark.django_db
API = "/api/v1/risk"

BODY = {
    "assessed_on": "2026-11-19",
    "threat": 3,
    "vulnerability": 3,
    "capacity": 1,
    "colombian_criteria": [],
    "horizon": "short",
    "participation": "participated",
    "participation_note": "At the office",
    "threats": [
        {
            "facts": f"Pamphlet {INSTRUMENT_CANARY}",
            "pattern": "Third",
            "objective": "Silence",
            "author": "Armed group",
            "feasibility": "Has acted",
        }
    ],
    "vulnerabilities": [{"code": "location", "score": 4, "evidence": "Rural"}],
    "capacities": [{"code": "networks", "score": 1}],
    "rationale": RATIONALE_CANARY,
    "submit": True,
}


def call(client, method, path, user, body=None):
    _token, raw = api_token_create(actor=user, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    send = getattr(client, method)
    if body is None:
        return send(f"{API}{path}", **headers)
    return send(f"{API}{path}", json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def submitted(world, officer):
    return assessment_create(
        actor=officer, defender=world.team_defender, data=make_data(), submit=True, now=NOW
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 200),
        ("officer", 200),
        ("other_officer", 404),
        ("foreign_coordinator", 404),
        ("analyst", 200),
        ("liaison", 404),
        ("auditor", 404),
        ("admin_user", 404),
    ],
)
def test_get(client, request, submitted, persona, expected):
    response = call(
        client, "get", f"/assessments/{submitted.code}", request.getfixturevalue(persona)
    )
    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        assert body["level"] == "high" and body["level_rule"].startswith("T 3 × V 3 ÷ C 1")
        text = response.content.decode()
        shown = persona != "analyst"
        assert body["content_shown"] is shown
        assert (INSTRUMENT_CANARY in text) is shown and (RATIONALE_CANARY in text) is shown
        if not shown:
            assert body["instrument"] is None and body["participation_note"] is None


@pytest.mark.parametrize(
    ("persona", "count"),
    [("coordinator", 1), ("officer", 1), ("other_officer", 0), ("analyst", 1), ("liaison", 0)],
)
def test_list(client, request, submitted, persona, count):
    response = call(client, "get", "/assessments", request.getfixturevalue(persona))
    assert response.status_code == 200 and response.json()["count"] == count
    if persona == "analyst":
        assert RATIONALE_CANARY not in response.content.decode()


def test_unknown_query_parameter(client, coordinator):
    response = call(client, "get", "/assessments?name=Ana", coordinator)
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 201),
        ("officer", 201),
        ("other_officer", 404),
        ("foreign_coordinator", 404),
        ("analyst", 403),
        ("liaison", 404),
        ("auditor", 404),
        ("admin_user", 404),
    ],
)
def test_create(client, request, world, persona, expected):
    user = request.getfixturevalue(persona)
    _token, raw = api_token_create(actor=user, name="t")
    before = AuditEvent.objects.count()
    response = client.post(
        f"{API}/defenders/{world.team_defender.code}/assessments",
        json.dumps(BODY),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == expected
    if expected == 201:
        body = response.json()
        assert (body["status"], body["level"], body["version"]) == ("submitted", "high", 1)
    else:
        assert not RiskAssessment.objects.exists()
        assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"threat": 5}, "threat"),
        ({"capacity": 0}, "capacity"),
        ({"horizon": "medium"}, "horizon"),
        ({"colombian_criteria": ["likely"]}, "colombian_criteria.0"),
        ({"surprise": 1}, "surprise"),
        ({"level": "low"}, "level_justification"),
        ({"relatives": [{"person": "nobody", "level": "low"}]}, "relatives"),
        ({"procedure": "PROC-1"}, "procedure"),
    ],
)
def test_create_invalid(client, world, officer, change, field):
    response = call(
        client,
        "post",
        f"/defenders/{world.team_defender.code}/assessments",
        officer,
        {**BODY, **change},
    )
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["detail"]]
    assert not RiskAssessment.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 200),
        ("officer", 403),
        ("other_officer", 404),
        ("foreign_coordinator", 404),
        ("analyst", 403),
        ("liaison", 404),
    ],
)
def test_approve(client, request, submitted, persona, expected):
    response = call(
        client, "post", f"/assessments/{submitted.code}/approve", request.getfixturevalue(persona)
    )
    assert response.status_code == expected
    submitted.refresh_from_db()
    assert (submitted.status == "approved") is (expected == 200)


def test_downgrade_via_api(client, world, officer, coordinator):
    call(client, "post", f"/defenders/{world.team_defender.code}/assessments", officer, BODY)
    first = RiskAssessment.objects.get()
    assert (
        call(client, "post", f"/assessments/{first.code}/approve", coordinator).status_code == 200
    )
    lower = {**BODY, "threat": 1}
    response = call(
        client, "post", f"/defenders/{world.team_defender.code}/assessments", officer, lower
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "reevaluation_reason"
    lower |= {"is_reevaluation": True, "reevaluation_reason": "Threat receded"}
    response = call(
        client, "post", f"/defenders/{world.team_defender.code}/assessments", officer, lower
    )
    assert response.status_code == 201


def test_reject_and_submit(client, world, officer, coordinator):
    draft = {**BODY, "submit": False}
    code = call(
        client, "post", f"/defenders/{world.team_defender.code}/assessments", officer, draft
    ).json()["code"]
    assert call(client, "post", f"/assessments/{code}/approve", coordinator).status_code == 403
    assert (
        call(client, "post", f"/assessments/{code}/submit", officer).json()["status"] == "submitted"
    )
    assert call(client, "post", f"/assessments/{code}/submit", officer).status_code == 403
    assert (
        call(client, "post", f"/assessments/{code}/reject", coordinator, {"reason": ""}).status_code
        == 422
    )
    body = call(
        client, "post", f"/assessments/{code}/reject", coordinator, {"reason": "Thin"}
    ).json()
    assert (body["status"], body["decision_note"]) == ("rejected", "Thin")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 201),
        ("officer", 201),
        ("other_officer", 404),
        ("analyst", 403),
        ("liaison", 404),
    ],
)
def test_open_procedure(client, request, world, persona, expected):
    response = call(
        client,
        "post",
        f"/defenders/{world.team_defender.code}/procedures",
        request.getfixturevalue(persona),
        {"kind": "urgent", "reason": RATIONALE_CANARY},
    )
    assert response.status_code == expected
    assert Procedure.objects.exists() is (expected == 201)
    if expected == 201:
        body = response.json()
        assert body["next_deadline"]["step"] == "decide" and body["reason"] == RATIONALE_CANARY


def test_procedure_list_for_analyst_hides_the_reason(client, world, officer, analyst):
    call(
        client,
        "post",
        f"/defenders/{world.team_defender.code}/procedures",
        officer,
        {"kind": "urgent", "reason": RATIONALE_CANARY},
    )
    response = call(client, "get", "/procedures", analyst)
    assert response.json()["count"] == 1
    assert RATIONALE_CANARY not in response.content.decode()
    code = response.json()["items"][0]["code"]
    assert call(client, "get", f"/procedures/{code}", analyst).json()["reason"] is None
    assert call(client, "get", f"/procedures/{code}", officer).json()["reason"] == RATIONALE_CANARY
