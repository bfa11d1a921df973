"""Background tasks: the daily scan raises and expires alerts, the incremental scan is enqueued
once per transaction after commit, and a failing scan never breaks the incident write."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db import transaction
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.utils import timezone

from amparo.audit.models import AuditEvent
from amparo.earlywarning import tasks
from amparo.earlywarning.models import Alert
from amparo.incidents.models import Incident
from amparo.incidents.services import IncidentData, incident_record
from amparo.registry.services import DefenderData, defender_register

DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def _register(actor, name):
    return defender_register(
        actor=actor, data=DefenderData(name=name, country="CO", categories=["journalist"])
    )


def _record(actor, victim, violation="death_threat"):
    return incident_record(
        actor=actor,
        data=IncidentData(
            date=timezone.localdate(),
            country="CO",
            violations=[violation],
            victim_defenders=[victim],
        ),
    )


def _queued():
    from django.tasks import default_task_backend

    return list(default_task_backend.results)


@pytest.fixture
def dummy_queue():
    with override_settings(TASKS=DUMMY):
        from django.tasks import default_task_backend

        default_task_backend.clear()
        yield


@pytest.mark.django_db
def test_daily_scan_raises_the_alerts_and_expires_the_old(coordinator):
    ana = _register(coordinator, "Ana")
    _record(coordinator, ana)  # inside the test's transaction: no incremental scan runs
    stale = Alert.objects.create(
        code="ALR-OLD",
        kind="calendar",
        level="watch",
        dedupe_key="calendar:old",
        raised_on=timezone.localdate() - datetime.timedelta(days=40),
        expires_on=timezone.localdate() - datetime.timedelta(days=1),
        sla_due_at=timezone.now(),
        lead_entity=coordinator.entity,
        reason="old",
    )
    result = tasks.daily_scan.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"candidates": 1, "alerts": 1, "expired": 1}
    alert = Alert.objects.get(kind="escalation")
    assert (alert.level, list(alert.defenders.all())) == ("urgent", [ana])
    stale.refresh_from_db()
    assert (stale.status, stale.dismissed_reason) == ("dismissed", "expired")
    assert AuditEvent.objects.get(action="alert.raise").actor_label == "task:daily-scan"


@pytest.mark.django_db
def test_daily_scan_of_a_past_day_expires_nothing(coordinator):
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    result = tasks.daily_scan.enqueue(as_of=yesterday)
    assert result.return_value == {"candidates": 0, "alerts": 0, "expired": 0}


@pytest.mark.django_db
def test_the_incident_write_enqueues_one_scan_after_commit(
    coordinator, dummy_queue, django_capture_on_commit_callbacks
):
    ana, ben = _register(coordinator, "Ana"), _register(coordinator, "Ben")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _record(coordinator, ana)
        _record(coordinator, ben)
        # Nothing is queued while the transaction is open.
        assert _queued() == []
    (queued,) = _queued()
    assert queued.task.name == "incremental_scan"
    assert queued.kwargs == {
        "defender_ids": sorted([str(ana.pk), str(ben.pk)]),
        "as_of": timezone.localdate().isoformat(),
    }
    # The request paid for no scan: the queue holds it, no alert exists yet.
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_write_enqueues_nothing(
    coordinator, dummy_queue, django_capture_on_commit_callbacks
):
    ana = _register(coordinator, "Ana")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _record(coordinator, ana)
        transaction.set_rollback(True)
    assert _queued() == []
    assert not Incident.objects.exists()


@pytest.mark.usefixtures("audit_transactional_db")
def test_each_transaction_enqueues_its_own_scan(coordinator, dummy_queue):
    ana, ben = _register(coordinator, "Ana"), _register(coordinator, "Ben")
    _record(coordinator, ana)  # real commits here: each write is its own transaction
    _record(coordinator, ben)
    assert [q.kwargs["defender_ids"] for q in _queued()] == [[str(ana.pk)], [str(ben.pk)]]


@pytest.mark.django_db
def test_the_enqueued_scan_raises_the_alert(coordinator, django_capture_on_commit_callbacks):
    ana = _register(coordinator, "Ana")
    with django_capture_on_commit_callbacks(execute=True):
        _record(coordinator, ana)  # the immediate backend runs the task when it is enqueued
    alert = Alert.objects.get()
    assert (alert.kind, alert.level, list(alert.defenders.all())) == ("escalation", "urgent", [ana])
    assert AuditEvent.objects.get(action="alert.raise").actor_label == "system:early-warning"


@pytest.mark.django_db
def test_a_failing_scan_does_not_break_the_write(
    coordinator, caplog, django_capture_on_commit_callbacks
):
    ana = _register(coordinator, "Ana")
    with (
        mock.patch("amparo.earlywarning.engine.scan_as_of", side_effect=ValueError("Ana")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        incident = _record(coordinator, ana)
    assert Incident.objects.get() == incident
    assert not Alert.objects.exists()
    assert "ValueError" in caplog.text and "Ana" not in caplog.text


@pytest.mark.django_db
def test_a_queue_that_cannot_take_the_task_does_not_break_the_write(
    coordinator, caplog, django_capture_on_commit_callbacks
):
    ana = _register(coordinator, "Ana")
    with (
        mock.patch(
            "django.tasks.backends.immediate.ImmediateBackend.enqueue",
            side_effect=ConnectionError("db Ana"),
        ) as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        incident = _record(coordinator, ana)
    assert enqueue.call_count == 1
    assert Incident.objects.get() == incident
    assert "ConnectionError" in caplog.text and "Ana" not in caplog.text


@pytest.mark.django_db
def test_a_failed_task_keeps_no_record_value(coordinator):
    with mock.patch("amparo.earlywarning.engine.scan_as_of", side_effect=KeyError("Ana")):
        result = tasks.daily_scan.enqueue()
    assert result.status == TaskResultStatus.FAILED
    (error,) = result.errors
    assert error.exception_class_path == "amparo.earlywarning.tasks.ScanFailed"
    assert "ScanFailed: KeyError" in error.traceback
    assert "Ana" not in error.traceback


@pytest.mark.django_db
def test_an_event_enqueues_the_scan_of_its_scope(
    coordinator, dummy_queue, django_capture_on_commit_callbacks
):
    from amparo.earlywarning.services import EventData, event_create

    ana = _register(coordinator, "Ana")
    with django_capture_on_commit_callbacks(execute=True):
        event_create(
            actor=coordinator,
            data=EventData(
                kind="demonstration",
                start=timezone.localdate() + datetime.timedelta(days=3),
                country="CO",
            ),
        )
    (queued,) = _queued()
    assert (queued.task.name, queued.kwargs["defender_ids"]) == ("incremental_scan", [str(ana.pk)])
