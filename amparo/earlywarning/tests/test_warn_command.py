"""`amparo warn scan` and the backtest subcommand's wiring."""

from __future__ import annotations

import datetime
import io
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from amparo.earlywarning.models import Alert
from amparo.incidents.services import IncidentData, incident_record
from amparo.registry.services import DefenderData, defender_register


def _run(*args):
    out = io.StringIO()
    call_command("warn", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def threatened(coordinator):
    ana = defender_register(
        actor=coordinator, data=DefenderData(name="Ana", country="CO", categories=["journalist"])
    )
    day = timezone.localdate() - datetime.timedelta(days=2)
    incident_record(
        actor=coordinator,
        data=IncidentData(
            date=day, country="CO", violations=["death_threat"], victim_defenders=[ana]
        ),
    )
    return ana


@pytest.mark.django_db(transaction=False)
def test_scan_dry_run_prints_counts_and_raises_nothing(threatened):
    Alert.objects.all().delete()
    output = _run("scan", "--dry-run")
    assert "escalation urgent: 1" in output
    assert "dry run" in output
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_scan_raises_alerts_and_is_idempotent(threatened):
    Alert.objects.all().delete()
    assert "alerts raised or updated: 1" in _run("scan")
    assert "alerts raised or updated: 0" in _run("scan")
    alert = Alert.objects.get()
    assert (alert.kind, alert.level, list(alert.defenders.all())) == (
        "escalation",
        "urgent",
        [threatened],
    )


@pytest.mark.django_db
def test_scan_as_of_a_past_day_sees_nothing_reported_after_it(threatened):
    past = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    assert "as of" in _run("scan", "--as-of", past, "--dry-run")
    assert "escalation" not in _run("scan", "--as-of", past, "--dry-run")


@pytest.mark.django_db
def test_scan_rejects_bad_days():
    with pytest.raises(CommandError):
        _run("scan", "--as-of", "yesterday")
    with pytest.raises(CommandError):
        _run("scan", "--as-of", (timezone.localdate() + datetime.timedelta(days=1)).isoformat())


def test_backtest_passes_its_options_through(tmp_path):
    with mock.patch("amparo.earlywarning.backtest.run_backtest") as run:
        _run(
            "backtest",
            "--start",
            "2025-01-01",
            "--end",
            "2025-03-31",
            "--alerts",
            str(tmp_path / "a.jsonl"),
            "--json",
            str(tmp_path / "m.json"),
        )
    kwargs = run.call_args.kwargs
    assert (kwargs["start"], kwargs["end"]) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 3, 31),
    )
    assert (kwargs["alerts_path"], kwargs["json_path"]) == (
        str(tmp_path / "a.jsonl"),
        str(tmp_path / "m.json"),
    )
