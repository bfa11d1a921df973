"""The audit API: the log and its verification, for auditors and nobody else."""

from __future__ import annotations

import pytest

from amparo.accounts.services import api_token_create
from amparo.audit.models import AuditEvent
from amparo.audit.selectors import audit_head
from amparo.registry.services import DefenderData, defender_register

pytestmark = pytest.mark.django_db

API = "/api/v1"


def bearer(user) -> dict[str, str]:
    if not hasattr(user, "_test_headers"):
        _token, raw = api_token_create(actor=user, name="t")
        user._test_headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    return user._test_headers


@pytest.fixture
def defender(coordinator):
    return defender_register(
        actor=coordinator,
        data=DefenderData(name="Ana Lucía Mejía", country="CO", categories=["journalist"]),
    )


def test_auditor_lists_events(client, auditor, defender):
    headers = bearer(auditor)
    response = client.get(f"{API}/audit/events", **headers)
    assert response.status_code == 200
    body = response.json()
    total = AuditEvent.objects.count()
    assert (body["count"], body["limit"], body["offset"]) == (total, 50, 0)
    assert [e["seq"] for e in body["items"]] == list(range(total, 0, -1))
    newest = AuditEvent.objects.get(seq=total)
    assert body["items"][0] == {
        "seq": newest.seq,
        "occurred_at": body["items"][0]["occurred_at"],
        "actor_id": auditor.pk,
        "actor_label": "auditor",
        "actor_role": "auditor",
        "actor_entity_id": None,
        "action": "token.create",
        "object_type": "api_token",
        "object_id": newest.object_id,
        "fields": [],
        "detail": {},
        "request_id": "",
        "prev_hash": newest.prev_hash,
        "hash": newest.hash,
    }
    # Events name records by id, never by their sensitive values.
    assert "Ana" not in response.content.decode()


def test_auditor_filters_events(client, auditor, coordinator, defender):
    headers = bearer(auditor)
    response = client.get(
        f"{API}/audit/events?object_type=defender&object_id={defender.pk}", **headers
    )
    assert [e["action"] for e in response.json()["items"]] == ["defender.create"]
    response = client.get(f"{API}/audit/events?action=case.&actor_id={coordinator.pk}", **headers)
    assert [e["action"] for e in response.json()["items"]] == ["case.create"]
    response = client.get(f"{API}/audit/events?limit=2&offset=1", **headers)
    total = AuditEvent.objects.count()
    assert [e["seq"] for e in response.json()["items"]] == [total - 1, total - 2]
    response = client.get(f"{API}/audit/events?since=2999-01-01T00:00:00Z", **headers)
    assert response.json()["count"] == 0


@pytest.mark.parametrize("query", ["seq=1", "limit=0", "actor_id=me", "since=yesterday"])
def test_bad_event_filters(client, auditor, query):
    assert client.get(f"{API}/audit/events?{query}", **bearer(auditor)).status_code == 422


def test_auditor_verifies_the_chain(client, auditor, defender):
    headers = bearer(auditor)
    response = client.get(f"{API}/audit/verify", **headers)
    assert response.status_code == 200
    seq, head = audit_head()
    assert response.json() == {
        "ok": True,
        "checked": seq,
        "head_seq": seq,
        "head_hash": head,
        "first_bad_seq": None,
        "problem": "",
    }


@pytest.mark.parametrize(
    "who",
    ["coordinator", "officer", "analyst", "liaison", "admin_user", "foreign_coordinator"],
)
@pytest.mark.parametrize("path", ["/audit/events", "/audit/verify"])
def test_only_auditors_read_the_log(client, request, who, path):
    headers = bearer(request.getfixturevalue(who))
    before = AuditEvent.objects.count()
    response = client.get(f"{API}{path}", **headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "Only auditors read the audit log."}
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("path", ["/audit/events", "/audit/verify"])
def test_anonymous_gets_401(client, path):
    assert client.get(f"{API}{path}").status_code == 401
