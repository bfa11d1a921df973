"""Issue 9: `amparo warn scan` leaves an audit event for every alert it writes, and a dry run
records nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from amparo.audit.models import AuditEvent
from amparo.earlywarning.models import Alert
from amparo.earlywarning.tests.test_warn_command import threatened  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_scan_records_an_event_for_the_alert_it_raises(threatened):  # noqa: F811
    Alert.objects.all().delete()
    before = _last_seq()
    call_command("warn", "scan", stdout=io.StringIO())
    alert = Alert.objects.get()
    raised = AuditEvent.objects.filter(seq__gt=before, action="alert.raise")
    assert list(raised.values_list("object_type", "object_id", "actor_label")) == [
        ("alert", str(alert.pk), "cli:warn-scan")
    ]
    assert raised.get().detail == {"code": alert.code, "kind": "escalation", "level": "urgent"}


def test_a_dry_run_records_nothing(threatened):  # noqa: F811
    Alert.objects.all().delete()
    before = _last_seq()
    call_command("warn", "scan", "--dry-run", stdout=io.StringIO())
    assert not Alert.objects.exists()
    assert not AuditEvent.objects.filter(seq__gt=before).exists()
