"""Alerts API: the persona matrix, covered defenders filtered by policy, codes only for
analysts, the lifecycle operations and the calendar of events."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from amparo.accounts.services import api_token_create
from amparo.audit.models import AuditEvent
from amparo.earlywarning.models import Alert, Event
from amparo.earlywarning.tests.test_lifecycle import build_alerts

API = "/api/v1"


@pytest.fixture
def alerts(world, coordinator, foreign_coordinator, entity, other_entity):
    return build_alerts(world, coordinator, foreign_coordinator, entity, other_entity)


def _get(client, user, path):
    token = api_token_create(actor=user, name="t")[1]
    return client.get(f"{API}{path}", HTTP_AUTHORIZATION=f"Bearer {token}")


def _post(client, user, path, body=None):
    token = api_token_create(actor=user, name="t")[1]
    return client.post(
        f"{API}{path}",
        body or {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


VISIBLE = {
    # ALR-RESTR covers only the restricted defender: it exists for the case team alone.
    "coordinator": {"ALR-TEAM"},
    "officer": {"ALR-TEAM", "ALR-RESTR"},
    "other_officer": set(),
    "foreign_coordinator": {"ALR-FOREIGN"},
    "analyst": {"ALR-TEAM"},
    "liaison": set(),
    "auditor": set(),
    "admin_user": set(),
}


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_persona_matrix(request, client, persona, alerts):
    user = request.getfixturevalue(persona)
    listed = _get(client, user, "/alerts")
    assert listed.status_code == 200
    assert {a["code"] for a in listed.json()["items"]} == VISIBLE[persona]
    for code in ("ALR-TEAM", "ALR-RESTR", "ALR-FOREIGN"):
        expected = 200 if code in VISIBLE[persona] else 404
        assert _get(client, user, f"/alerts/{code}").status_code == expected


def test_unauthenticated_is_401(client, alerts):
    assert client.get(f"{API}/alerts").status_code == 401


def test_covered_defenders_are_filtered(client, coordinator, officer, world, alerts):
    body = _get(client, coordinator, "/alerts/ALR-TEAM").json()
    assert body["covered_defenders"] == [world.team_defender.code]
    assert _get(client, coordinator, "/alerts/ALR-RESTR").status_code == 404
    body = _get(client, officer, "/alerts/ALR-TEAM").json()
    assert sorted(body["covered_defenders"]) == sorted(
        [world.team_defender.code, world.restricted_defender.code]
    )


def test_analyst_json_has_codes_only(client, analyst, world, alerts, entity):
    start = timezone.localdate() + datetime.timedelta(days=10)
    Event.objects.create(
        external_id="EV-1",
        kind="travel_abroad",
        title=f"Trip of {world.names['team']}",
        start=start,
        end=start,
        country="CO",
        lead_entity=entity,
    )
    for path in ("/alerts", "/alerts/ALR-TEAM", "/alerts/ALR-RESTR", "/events/calendar"):
        text = _get(client, analyst, path).content.decode()
        for name in world.names.values():
            assert name not in text, (path, name)
        assert world.restricted_defender.code not in text
    entries = _get(client, analyst, "/events/calendar").json()
    assert entries[0]["title"] is None
    assert entries[0]["window_start"] == str(start - datetime.timedelta(days=7))
    assert entries[0]["window_end"] == str(start + datetime.timedelta(days=14))


def test_lifecycle_operations(client, coordinator, officer, alerts):
    body = _post(client, coordinator, "/alerts/ALR-TEAM/acknowledge").json()
    assert body["status"] == "acknowledged"
    response = _post(
        client, coordinator, "/alerts/ALR-TEAM/act", {"measures": [alerts.measure.code]}
    )
    assert response.status_code == 200
    assert response.json()["measures"] == [alerts.measure.code]
    assert _post(client, coordinator, "/alerts/ALR-TEAM/acknowledge").status_code == 422
    response = _post(client, officer, "/alerts/ALR-RESTR/dismiss", {"reason_code": "other"})
    assert response.json()["dismissed_reason"] == "other"
    assert (
        _post(client, officer, "/alerts/ALR-RESTR/dismiss", {"reason_code": "x"}).status_code == 422
    )
    # The coordinator who is not on the restricted case's team cannot even find it.
    assert (
        _post(client, coordinator, "/alerts/ALR-RESTR/dismiss", {"reason_code": "other"})
    ).status_code == 404


def test_act_with_an_invisible_measure_is_422(client, coordinator, alerts):
    body = {"measures": [alerts.foreign_measure.code]}
    assert _post(client, coordinator, "/alerts/ALR-TEAM/act", body).status_code == 422
    alerts.team.refresh_from_db()
    assert alerts.team.status == Alert.Status.OPEN


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("analyst", 403),
        ("other_officer", 404),
        ("foreign_coordinator", 404),
        ("liaison", 404),
        ("auditor", 404),
        ("admin_user", 404),
    ],
)
def test_denied_operations_write_nothing(request, client, persona, expected, alerts):
    user = request.getfixturevalue(persona)
    before = AuditEvent.objects.exclude(action__startswith="token.").count()
    for action, body in (
        ("acknowledge", None),
        ("dismiss", {"reason_code": "other"}),
        ("act", {"measures": [alerts.measure.code]}),
    ):
        assert _post(client, user, f"/alerts/ALR-TEAM/{action}", body).status_code == expected
    alerts.team.refresh_from_db()
    assert alerts.team.status == Alert.Status.OPEN
    assert not AuditEvent.objects.filter(action__startswith="alert.").exists()
    assert AuditEvent.objects.exclude(action__startswith="token.").count() == before
