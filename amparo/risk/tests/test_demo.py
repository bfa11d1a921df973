"""The demo holds assessments in every state and procedures in every stage."""

from __future__ import annotations

import datetime

import pytest

from amparo.coordination.models import Task
from amparo.demo.generator import DemoSize, load_demo
from amparo.registry.models import Defender
from amparo.risk.models import Procedure, RiskAssessment


@pytest.mark.django_db
def test_demo_risk_states():
    load_demo(size=DemoSize(defenders=30, incidents=60), today=datetime.date(2026, 11, 1))
    statuses = set(RiskAssessment.objects.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "approved", "rejected"}
    downgrade = RiskAssessment.objects.get(is_reevaluation=True)
    assert (downgrade.status, downgrade.level, downgrade.supersedes.level) == (
        "approved",
        "medium",
        "high",
    )
    assert Procedure.objects.filter(kind="urgent", escalated_at__isnull=False).exists()
    assert Procedure.objects.filter(status="in_place").exists()
    assert Procedure.objects.filter(kind="ordinary", status="open").exists()
    assert Task.objects.filter(kind="escalation").exists()
    assert Defender.objects.exclude(risk_level="").count() >= 10
