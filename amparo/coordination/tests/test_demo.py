"""The demo holds consent histories (one with a withdrawal) and tasks open, done and overdue."""

from __future__ import annotations

import pytest
from django.utils import timezone

from amparo.coordination.models import ConsentRecord, Task
from amparo.coordination.selectors import consent_allows
from amparo.demo.generator import DemoSize, load_demo

pytestmark = pytest.mark.django_db


def test_demo_coordination_data():
    load_demo(size=DemoSize(defenders=12, incidents=30))
    withdrawal = ConsentRecord.objects.get(purpose="share_with_state", granted=False)
    assert withdrawal.supersedes is not None and withdrawal.supersedes.granted
    assert not consent_allows(withdrawal.defender, "share_with_state")
    assert withdrawal.note.startswith("Withdrew")
    tasks = Task.objects.filter(subject_type="demo")
    assert tasks.filter(status="done").count() == 1
    assert tasks.filter(status="open", due_at__lt=timezone.now()).count() == 2
    assert tasks.filter(status="open", due_at__gte=timezone.now()).count() == 3
