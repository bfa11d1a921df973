"""The communications API persona by persona: exact status codes and keys; the four-eyes rule
and journey 5's consent refusal through the API."""

from __future__ import annotations

import datetime
import json

import pytest

from amparo.accounts.services import api_token_create
from amparo.audit.models import AuditEvent
from amparo.communications.models import Communication, CountryVisit, Reply
from amparo.communications.tests.conftest import CANARIES, draft, send

pytestmark = pytest.mark.django_db
API = "/api/v1"


def call(client, method, path, user=None, body=None):
    headers = {}
    if user is not None:
        _token, raw = api_token_create(actor=user, name="t")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    send_request = getattr(client, method)
    if body is None:
        return send_request(f"{API}{path}", **headers)
    return send_request(
        f"{API}{path}", json.dumps(body), content_type="application/json", **headers
    )


@pytest.fixture
def sent(comms_officer, coordinator, letters):
    return send(
        comms_officer,
        coordinator,
        draft(comms_officer, defenders=[letters.rosa], incidents=[letters.surveillance]),
        sent_on=datetime.date(2026, 5, 4),
    )


READ = {
    "comms_officer": 200,
    "coordinator": 200,
    "officer": 200,
    "other_officer": 404,
    "foreign_coordinator": 404,
    "analyst": 404,
    "liaison": 404,
    "auditor": 404,
    "admin_user": 404,
}


@pytest.mark.parametrize(("persona", "status"), READ.items())
def test_detail_matrix(client, request, persona, status, sent):
    response = call(client, "get", f"/communications/{sent.pk}", request.getfixturevalue(persona))
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["reference"] == "UA COL 1/2026"
        assert body["id"] == sent.external_id
        if persona == "officer":
            for canary in CANARIES:
                assert canary not in response.content.decode()


def test_anonymous_is_401(client, sent):
    assert call(client, "get", f"/communications/{sent.pk}").status_code == 401


def test_case_officer_gets_summaries_without_the_letter(client, officer, sent, letters):
    body = call(client, "get", f"/communications/{sent.pk}", officer).json()
    assert (body["summary"], body["body"], body["disclosed"]) == (None, None, None)
    assert [row["code"] for row in body["linked"]] == [letters.rosa.code, letters.surveillance.code]
    assert body["linked"][1] == {
        "kind": "incident",
        "code": letters.surveillance.code,
        "country": "CO",
        "date": "2026-04-02",
        "violations": ["surveillance"],
    }
    for canary in CANARIES:
        assert canary not in json.dumps(body)


def test_draft_submit_and_four_eyes_through_the_api(
    client, comms_officer, other_comms_officer, letters
):
    created = call(
        client,
        "post",
        "/communications",
        comms_officer,
        {
            "kind": "UA",
            "state": "CO",
            "mandates": ["SR on human rights defenders"],
            "defenders": [letters.tomas.code],
            "incidents": [letters.threat.code],
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "draft"
    assert body["consent_missing"] == [letters.tomas.code]
    uuid = body["uuid"]
    assert call(client, "post", f"/communications/{uuid}/submit", comms_officer).status_code == 200
    own = call(client, "post", f"/communications/{uuid}/approve", comms_officer, {})
    assert own.status_code == 403
    assert own.json() == {"detail": "The drafter or the submitter of a letter may not approve it."}
    refused = call(client, "post", f"/communications/{uuid}/approve", other_comms_officer, {})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "defenders"
    stored = Communication.objects.get(pk=uuid)
    assert (stored.status, stored.reference) == ("awaiting_approval", "")
    assert not AuditEvent.objects.filter(action="communication.send").exists()


def test_unknown_codes_are_422_and_nothing_is_written(client, comms_officer, world):
    response = call(
        client,
        "post",
        "/communications",
        comms_officer,
        {
            "kind": "UA",
            "state": "CO",
            "mandates": ["SR"],
            "defenders": [world.foreign_defender.code],
        },
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "field": "defenders",
                "message": f"Unknown defender code: {world.foreign_defender.code}.",
            }
        ]
    }
    assert Communication.objects.count() == 0


def test_officer_may_not_draft(client, officer, letters):
    response = call(
        client,
        "post",
        "/communications",
        officer,
        {"kind": "UA", "state": "CO", "mandates": ["SR"]},
    )
    assert response.status_code == 403
    assert Communication.objects.count() == 0


def test_list_and_reply_and_rates(client, comms_officer, analyst, sent):
    listed = call(client, "get", "/communications?state=CO", comms_officer).json()
    assert listed["count"] == 1
    reply = call(
        client,
        "post",
        f"/communications/{sent.pk}/replies",
        comms_officer,
        {"received_on": "2026-06-01", "kind": "substantive", "summary": "An investigation"},
    )
    assert reply.status_code == 201
    assert reply.json()["kind"] == "substantive"
    assert Reply.objects.get().summary == "An investigation"
    assert call(client, "get", "/communications", analyst).status_code == 404
    rates = call(client, "get", "/communications/response-rates", analyst)
    assert rates.status_code == 200
    assert rates.json()["by_state"] == [
        {"key": "CO", "sent": 1, "replied": 1, "substantive": 1, "rate": 100.0}
    ]


def test_visits_api(client, comms_officer, analyst, liaison):
    created = call(
        client,
        "post",
        "/communications/visits",
        comms_officer,
        {"state": "CO", "years_requested": [2009, 2005, 2008], "first_requested_on": "2005-03-01"},
    )
    assert created.status_code == 201
    assert created.json()["years_requested"] == [2005, 2008, 2009]
    outstanding = call(client, "get", "/communications/visits?outstanding=true", analyst)
    assert [v["state"] for v in outstanding.json()] == ["CO"]
    denied = call(
        client,
        "post",
        "/communications/visits",
        analyst,
        {"state": "MX", "years_requested": [2010], "first_requested_on": "2010-01-01"},
    )
    assert denied.status_code == 403
    assert CountryVisit.objects.count() == 1
    assert call(client, "get", "/communications/visits", liaison).status_code == 404
