"""Issue 9: `amparo duplicates scan` leaves its scan event, naming the account it ran as."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from amparo.audit.models import AuditEvent
from amparo.registry.tests.test_duplicates import _sources

pytestmark = pytest.mark.django_db


def test_the_cli_scan_records_its_event_as_the_account(coordinator, entity, tmp_path):
    _sources(tmp_path)
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    call_command(
        "duplicates",
        "scan",
        "--as",
        "coordinator",
        "--kind",
        "defender",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    scans = AuditEvent.objects.filter(seq__gt=before, action="defender.duplicates_scan")
    assert list(scans.values_list("actor_id", "actor_role")) == [(coordinator.pk, "coordinator")]
    assert scans.get().detail["candidates"] == 1
