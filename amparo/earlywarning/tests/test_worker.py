"""`amparo worker`: the daily scan is enqueued once per local day, at AMPARO_SCAN_AT or later,
even across restarts; `--once` runs one round for cron."""

from __future__ import annotations

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from amparo.earlywarning.management.commands.worker import scan_due_day, schedule_tick
from amparo.earlywarning.models import ScheduledScan

BOGOTA = datetime.timezone(datetime.timedelta(hours=-5))
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=datetime.UTC)


@pytest.fixture
def queue():
    with override_settings(TASKS=DUMMY, AMPARO_SCAN_AT=datetime.time(2, 0)):
        from django.tasks import default_task_backend

        default_task_backend.clear()
        yield default_task_backend


def test_the_scan_is_due_from_the_scan_time_of_the_local_day():
    two = datetime.time(2, 0)
    assert scan_due_day(at(29, 1, 59), two) is None
    assert scan_due_day(at(29, 2, 0), two) == datetime.date(2026, 11, 29)
    assert scan_due_day(at(29, 23, 0), two) == datetime.date(2026, 11, 29)


@override_settings(TIME_ZONE="America/Bogota")
def test_the_scan_time_is_local():
    # 06:30 UTC is 01:30 in Bogotá: not yet; 07:00 UTC is 02:00 there.
    assert scan_due_day(at(29, 6, 30), datetime.time(2, 0)) is None
    assert scan_due_day(at(29, 7, 0), datetime.time(2, 0)) == datetime.date(2026, 11, 29)


@pytest.mark.django_db
def test_the_scheduler_enqueues_once_per_day(queue):
    assert schedule_tick(at(29, 1, 0)) is False
    assert queue.results == []
    assert schedule_tick(at(29, 2, 0)) is True
    # Later the same day, and after a restart (a new process reads the same table): nothing.
    assert schedule_tick(at(29, 2, 1)) is False
    assert schedule_tick(at(29, 23, 59)) is False
    assert [r.kwargs for r in queue.results] == [{"as_of": "2026-11-29"}]
    assert schedule_tick(at(30, 2, 0)) is True
    assert [r.kwargs["as_of"] for r in queue.results] == ["2026-11-29", "2026-11-30"]
    assert list(ScheduledScan.objects.values_list("day", flat=True)) == [
        datetime.date(2026, 11, 30),
        datetime.date(2026, 11, 29),
    ]


@pytest.mark.django_db
def test_a_late_start_catches_up_at_once(queue):
    assert schedule_tick(at(29, 14, 0)) is True
    assert [r.kwargs for r in queue.results] == [{"as_of": "2026-11-29"}]


@pytest.mark.django_db
def test_a_day_recorded_by_another_worker_is_not_enqueued_again(queue):
    from amparo.earlywarning.tasks import daily_scan_enqueue_once

    ScheduledScan.objects.create(day=datetime.date(2026, 11, 29))
    assert daily_scan_enqueue_once(datetime.date(2026, 11, 29)) is False
    assert queue.results == []


@pytest.mark.django_db
def test_a_failed_enqueue_records_no_day(queue):
    with (
        mock.patch("django.tasks.backends.dummy.DummyBackend.enqueue", side_effect=ConnectionError),
        pytest.raises(ConnectionError),
    ):
        schedule_tick(at(29, 3, 0))
    assert not ScheduledScan.objects.exists()
    assert schedule_tick(at(29, 3, 1)) is True


@pytest.mark.django_db
def test_worker_once_enqueues_the_due_scan(queue):
    out = StringIO()
    with mock.patch("django.utils.timezone.now", return_value=at(29, 3, 0)):
        call_command("worker", "--once", stdout=out)
        call_command("worker", "--once", stdout=out)
    assert out.getvalue() == "Daily scan enqueued.\n"
    assert [r.kwargs for r in queue.results] == [{"as_of": "2026-11-29"}]


def test_the_long_running_worker_needs_the_database_queue():
    with pytest.raises(CommandError, match="AMPARO_TASKS_BACKEND=database"):
        call_command("worker")


DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.usefixtures("audit_transactional_db")
@override_settings(TASKS=DATABASE, AMPARO_SCAN_AT=datetime.time(0, 0))
def test_worker_once_runs_the_database_queue(coordinator):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from amparo.earlywarning.models import Alert
    from amparo.incidents.services import IncidentData, incident_record
    from amparo.registry.services import DefenderData, defender_register

    ana = defender_register(
        actor=coordinator, data=DefenderData(name="Ana", country="CO", categories=["journalist"])
    )
    incident_record(
        actor=coordinator,
        data=IncidentData(
            date=timezone.localdate(),
            country="CO",
            violations=["death_threat"],
            victim_defenders=[ana],
        ),
    )
    # The write queued its scan and returned; nothing ran yet.
    assert list(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("amparo.earlywarning.tasks.incremental_scan", "READY")
    ]
    assert not Alert.objects.exists()
    call_command("worker", "--once", stdout=StringIO())
    assert sorted(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("amparo.earlywarning.tasks.daily_scan", "SUCCESSFUL"),
        ("amparo.earlywarning.tasks.incremental_scan", "SUCCESSFUL"),
    ]
    alert = Alert.objects.get()
    assert (alert.kind, alert.level, list(alert.defenders.all())) == ("escalation", "urgent", [ana])
