"""Alert lifecycle: transitions, audit events, denied actions that write nothing, acting links
measures and closes the alert's tasks. Alerts are built directly, not by the engine."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from amparo.audit.models import AuditEvent
from amparo.coordination.models import Task
from amparo.earlywarning.lifecycle import alert_acknowledge, alert_act, alert_dismiss
from amparo.earlywarning.models import Alert, AlertKind, AlertLevel


@dataclass
class Alerts:
    team: Any  # lead entity; covers the team and the restricted defender
    restricted: Any  # lead entity; covers the restricted defender only
    foreign: Any  # other entity; covers the foreign defender
    measure: Any  # a measure of the team defender
    foreign_measure: Any  # a measure of the foreign defender


def make_alert(code, entity, defenders, *, level=AlertLevel.WARNING, hours=24, **extra) -> Alert:
    today = timezone.localdate()
    alert = Alert.objects.create(
        code=code,
        kind=extra.pop("kind", AlertKind.ESCALATION),
        level=level,
        dedupe_key=extra.pop("dedupe_key", f"test:{code}"),
        raised_on=today,
        expires_on=today + datetime.timedelta(days=30),
        sla_due_at=timezone.now() + datetime.timedelta(hours=hours),
        lead_entity=entity,
        country="CO",
        reason="Threat after a publication (2 incidents in 30 days).",
        evidence=extra.pop("evidence", {"incidents": 2, "window_days": 30}),
        recommended_measures=["protective_accompaniment", "digital_security"],
        **extra,
    )
    alert.defenders.set(defenders)
    return alert


def build_alerts(world, coordinator, foreign_coordinator, entity, other_entity) -> Alerts:
    from amparo.measures.services import MeasureData, measure_request

    team = make_alert(
        "ALR-TEAM",
        entity,
        [world.team_defender, world.restricted_defender],
        level=AlertLevel.URGENT,
    )
    restricted = make_alert("ALR-RESTR", entity, [world.restricted_defender], hours=-5)
    foreign = make_alert("ALR-FOREIGN", other_entity, [world.foreign_defender])
    measure = measure_request(
        actor=coordinator, defender=world.team_defender, data=MeasureData(kind="legal_assistance")
    )
    foreign_measure = measure_request(
        actor=foreign_coordinator,
        defender=world.foreign_defender,
        data=MeasureData(kind="legal_assistance"),
    )
    return Alerts(team, restricted, foreign, measure, foreign_measure)


@pytest.fixture
def alerts(world, coordinator, foreign_coordinator, entity, other_entity) -> Alerts:
    return build_alerts(world, coordinator, foreign_coordinator, entity, other_entity)


def _actions(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def _snapshot(alert: Alert) -> tuple[Any, ...]:
    alert.refresh_from_db()
    return (
        alert.status,
        alert.acknowledged_at,
        alert.closed_at,
        alert.dismissed_reason,
        sorted(alert.measures.values_list("pk", flat=True)),
    )


def _open_task(system, alert, entity) -> Task:
    from amparo.coordination.services import task_open

    return task_open(
        actor=system,
        kind=Task.Kind.OTHER,
        title=f"Work alert {alert.code}",
        entity=entity,
        due_at=alert.sla_due_at,
        subject_type="alert",
        subject_id=str(alert.pk),
    )


def test_acknowledge_then_act_links_measures_and_closes_tasks(alerts, coordinator, system, entity):
    task = _open_task(system, alerts.team, entity)
    alert_acknowledge(actor=coordinator, alert=alerts.team)
    alerts.team.refresh_from_db()
    assert alerts.team.status == Alert.Status.ACKNOWLEDGED
    assert alerts.team.acknowledged_by == coordinator
    assert _actions("alert.acknowledge") == 1

    alert_act(actor=coordinator, alert=alerts.team, measures=[alerts.measure], note="done")
    alerts.team.refresh_from_db()
    assert alerts.team.status == Alert.Status.ACTED
    assert list(alerts.team.measures.all()) == [alerts.measure]
    assert alerts.team.closed_by == coordinator
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert _actions("alert.act") == 1


def test_officer_on_a_covered_team_may_dismiss(alerts, officer):
    alert_dismiss(actor=officer, alert=alerts.restricted, reason_code="already_protected")
    alerts.restricted.refresh_from_db()
    assert alerts.restricted.status == Alert.Status.DISMISSED
    assert alerts.restricted.dismissed_reason == "already_protected"
    event = AuditEvent.objects.get(action="alert.dismiss")
    assert event.detail == {"reason_code": "already_protected"}


@pytest.mark.parametrize("final", ["acted", "dismissed"])
def test_final_statuses_are_final(alerts, coordinator, final):
    Alert.objects.filter(pk=alerts.team.pk).update(status=final)
    alerts.team.refresh_from_db()
    before = _snapshot(alerts.team)
    audit_count = AuditEvent.objects.count()
    for attempt in (
        lambda: alert_acknowledge(actor=coordinator, alert=alerts.team),
        lambda: alert_dismiss(actor=coordinator, alert=alerts.team, reason_code="other"),
        lambda: alert_act(actor=coordinator, alert=alerts.team, measures=[alerts.measure]),
    ):
        with pytest.raises(ValidationError):
            attempt()
    assert _snapshot(alerts.team) == before
    assert AuditEvent.objects.count() == audit_count


def test_acknowledged_cannot_be_acknowledged_again(alerts, coordinator):
    alert_acknowledge(actor=coordinator, alert=alerts.team)
    with pytest.raises(ValidationError):
        alert_acknowledge(actor=coordinator, alert=alerts.team)
    assert _actions("alert.acknowledge") == 1


@pytest.mark.parametrize(
    "persona", ["analyst", "other_officer", "foreign_coordinator", "liaison", "auditor"]
)
def test_denied_actions_write_nothing(request, alerts, persona, system, entity):
    actor = request.getfixturevalue(persona)
    task = _open_task(system, alerts.team, entity)
    before = _snapshot(alerts.team)
    audit_count = AuditEvent.objects.count()
    for attempt in (
        lambda: alert_acknowledge(actor=actor, alert=alerts.team),
        lambda: alert_dismiss(actor=actor, alert=alerts.team, reason_code="other"),
        lambda: alert_act(actor=actor, alert=alerts.team, measures=[alerts.measure]),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert _snapshot(alerts.team) == before
    assert AuditEvent.objects.count() == audit_count
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_dismiss_needs_a_known_reason(alerts, coordinator):
    with pytest.raises(ValidationError):
        alert_dismiss(actor=coordinator, alert=alerts.team, reason_code="bored")
    assert _snapshot(alerts.team)[0] == Alert.Status.OPEN
    assert _actions("alert.dismiss") == 0


def test_act_only_links_measures_of_covered_defenders(alerts, coordinator):
    with pytest.raises(ValidationError):
        alert_act(actor=coordinator, alert=alerts.team, measures=[alerts.foreign_measure])
    with pytest.raises(ValidationError):
        alert_act(actor=coordinator, alert=alerts.team, measures=[])
    assert _snapshot(alerts.team)[0] == Alert.Status.OPEN
    assert _actions("alert.act") == 0
