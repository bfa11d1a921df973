"""The coordination API per persona: consent, tasks, the dashboard (exact 200/403/404)."""

from __future__ import annotations

import pytest

from amparo.accounts.services import api_token_create
from amparo.audit.models import AuditEvent
from amparo.coordination.models import ConsentRecord, Task

pytestmark = pytest.mark.django_db

API = "/api/v1"


def call(client, method, path, user, body=None):
    _token, raw = api_token_create(actor=user, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    send = getattr(client, method)
    if body is None:
        return send(f"{API}{path}", **headers)
    return send(f"{API}{path}", body, content_type="application/json", **headers)


TASK_LIST = {
    "coordinator": (200, 4),
    "officer": (200, 2),
    "other_officer": (200, 1),
    "foreign_coordinator": (200, 1),
    "analyst": (403, None),
    "liaison": (403, None),
    "auditor": (403, None),
    "admin_user": (403, None),
    "defender_user": (403, None),
}


@pytest.mark.parametrize("persona", sorted(TASK_LIST))
def test_task_list_by_persona(request, client, tasks, persona):
    status, count = TASK_LIST[persona]
    response = call(client, "get", "/tasks", request.getfixturevalue(persona))
    assert response.status_code == status
    if count is not None:
        assert response.json()["count"] == count


def test_task_list_is_ordered_and_filtered(client, tasks, coordinator):
    body = call(client, "get", "/tasks", coordinator).json()
    assert [item["id"] for item in body["items"]] == [
        str(t.pk) for t in (tasks.owned, tasks.unassigned, tasks.team, tasks.entity_only)
    ]
    assert body["items"][0]["overdue"] is True
    assert call(client, "get", "/tasks?nickname=x", coordinator).status_code == 422
    assert call(client, "get", "/tasks?status=any", coordinator).json()["count"] == 4


@pytest.mark.parametrize(
    ("persona", "task_name", "status"),
    [
        ("officer", "team", 200),
        ("coordinator", "entity_only", 200),
        ("other_officer", "owned", 200),
        ("coordinator", "restricted", 404),
        ("other_officer", "team", 404),
        ("foreign_coordinator", "team", 404),
        ("analyst", "team", 403),
        ("liaison", "team", 403),
    ],
)
def test_task_complete_by_persona(request, client, tasks, persona, task_name, status):
    task = getattr(tasks, task_name)
    actor = request.getfixturevalue(persona)
    before = AuditEvent.objects.count()
    response = call(client, "post", f"/tasks/{task.pk}/complete", actor)
    assert response.status_code == status
    task.refresh_from_db()
    if status == 200:
        assert response.json()["status"] == "done" and task.status == "done"
    else:
        assert task.status == "open"
        # Only the token creation was recorded.
        assert AuditEvent.objects.count() == before + 1


def test_task_detail_and_cancel(client, tasks, officer):
    assert call(client, "get", f"/tasks/{tasks.team.pk}", officer).json()["case"] == (
        tasks.team.case.code
    )
    assert call(client, "get", "/tasks/nonsense", officer).status_code == 404
    response = call(client, "post", f"/tasks/{tasks.team.pk}/cancel", officer)
    assert response.json()["status"] == "cancelled"
    assert Task.objects.get(pk=tasks.team.pk).status == "cancelled"


CONSENT_READ = {
    "coordinator": 200,
    "officer": 200,
    "analyst": 200,
    "defender_user": 200,
    "other_officer": 404,
    "foreign_coordinator": 404,
    "liaison": 404,
    "auditor": 404,
    "admin_user": 404,
}


@pytest.mark.parametrize("persona", sorted(CONSENT_READ))
def test_consent_read_by_persona(request, client, world, officer, persona):
    from amparo.coordination.services import consent_record

    consent_record(
        actor=officer,
        defender=world.team_defender,
        purpose="register",
        granted=True,
        source="defender_in_person",
        note="Canary consent note",
    )
    actor = request.getfixturevalue(persona)
    response = call(client, "get", f"/defenders/{world.team_defender.code}/consent", actor)
    assert response.status_code == CONSENT_READ[persona]
    if response.status_code == 200:
        body = response.json()
        assert body["allows"] == {"register": True, "share_with_state": False}
        assert len(body["history"]) == 1 and body["current"][0]["purpose"] == "register"
        note = body["history"][0]["note"]
        assert note == (None if persona == "analyst" else "Canary consent note")


CONSENT_WRITE = {
    "coordinator": 201,
    "officer": 201,
    "analyst": 403,
    "other_officer": 404,
    "foreign_coordinator": 404,
    "liaison": 404,
    "auditor": 404,
    "admin_user": 404,
}


@pytest.mark.parametrize("persona", sorted(CONSENT_WRITE))
def test_consent_write_by_persona(request, client, world, persona):
    actor = request.getfixturevalue(persona)
    body = {"purpose": "share_with_state", "granted": True, "source": "defender_in_person"}
    response = call(client, "post", f"/defenders/{world.team_defender.code}/consent", actor, body)
    assert response.status_code == CONSENT_WRITE[persona]
    assert ConsentRecord.objects.count() == (1 if response.status_code == 201 else 0)


def test_the_defender_consents_through_the_api(client, world, defender_user, entity):
    own = f"/defenders/{world.team_defender.code}/consent"
    body = {"purpose": "share_with_entity", "granted": True, "source": "portal", "entity": "desk"}
    response = call(client, "post", own, defender_user, body)
    assert response.status_code == 201 and response.json()["entity"] == "desk"
    body["source"] = "defender_in_person"
    assert call(client, "post", own, defender_user, body).status_code == 422
    body.update(source="portal", entity="nowhere")
    assert call(client, "post", own, defender_user, body).status_code == 422
    other = f"/defenders/{world.unassigned_defender.code}/consent"
    body["entity"] = "desk"
    assert call(client, "post", other, defender_user, body).status_code == 404
    assert ConsentRecord.objects.count() == 1


DASHBOARD = {
    "coordinator": 200,
    "analyst": 200,
    "foreign_coordinator": 200,
    "officer": 403,
    "liaison": 403,
    "auditor": 403,
    "admin_user": 403,
    "defender_user": 403,
}


@pytest.mark.parametrize("persona", sorted(DASHBOARD))
def test_dashboard_by_persona(request, client, world, persona):
    response = call(client, "get", "/dashboard", request.getfixturevalue(persona))
    assert response.status_code == DASHBOARD[persona]


def test_unauthenticated(client, world):
    assert client.get(f"{API}/tasks").status_code == 401
    assert client.get(f"{API}/dashboard").status_code == 401


def _numbers_as_any(node):
    """The shared checker knows no JSON "number" type: accept any value there (the type of a
    float is checked by pydantic when the response is built)."""
    if isinstance(node, dict):
        if node.get("type") == "number":
            return {k: v for k, v in node.items() if k != "type"}
        return {k: _numbers_as_any(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_numbers_as_any(item) for item in node]
    return node


def test_responses_conform_to_the_schema(client, tasks, world, coordinator, officer, analyst):
    from amparo.accounts.tests.test_api import _operation, _schema_errors

    schema = _numbers_as_any(client.get(f"{API}/openapi.json").json())
    consent = f"/defenders/{world.team_defender.code}/consent"
    checks = [
        ("get", "/tasks", coordinator, None, 200),
        ("get", f"/tasks/{tasks.team.pk}", officer, None, 200),
        ("post", f"/tasks/{tasks.team.pk}/complete", officer, None, 200),
        ("post", f"/tasks/{tasks.entity_only.pk}/cancel", coordinator, None, 200),
        ("get", f"/tasks/{tasks.restricted.pk}", coordinator, None, 404),
        ("get", "/tasks", analyst, None, 403),
        (
            "post",
            consent,
            officer,
            {"purpose": "register", "granted": True, "source": "defender_in_person"},
            201,
        ),
        (
            "post",
            consent,
            officer,
            {"purpose": "share_with_entity", "granted": True, "source": "defender_in_person"},
            422,
        ),
        ("get", consent, analyst, None, 200),
        ("get", "/dashboard", coordinator, None, 200),
        ("get", "/dashboard", analyst, None, 200),
        ("get", "/dashboard", officer, None, 403),
    ]
    for method, path, user, body, status in checks:
        response = call(client, method, path, user, body)
        assert response.status_code == status, (method, path, response.content)
        _template, operation = _operation(schema, method, path)
        answer = operation["responses"][str(status)]
        body_schema = answer["content"]["application/json"]["schema"]
        assert _schema_errors(body_schema, response.json(), schema) == [], (method, path)
