"""The demo's measures: every status, journey 6 ready to walk, a relocation, an interim
measures request, a disclosure the police liaison accepted, feedback and safety plans."""

from __future__ import annotations

import datetime

import pytest

from amparo.accounts.models import User
from amparo.demo.generator import DemoSize, load_demo
from amparo.measures.models import (
    Disclosure,
    InterimMeasureRequest,
    Measure,
    MeasureFeedback,
    MeasureStatus,
    Relocation,
    SafetyPlan,
)
from amparo.measures.selectors import refusals_by_kind

pytestmark = pytest.mark.django_db


def test_the_demo_has_measures_for_every_journey():
    load_demo(size=DemoSize(defenders=40, incidents=60), today=datetime.date(2026, 11, 1))
    assert set(Measure.objects.values_list("status", flat=True)) == set(MeasureStatus.values)
    disclosure = Disclosure.objects.get()
    refused = disclosure.measure
    assert refused.defender.name == "Lucía Cárdenas Rojas"
    assert refused.status == "refused_by_defender"
    assert refused.replaced_by.kind == "protective_accompaniment"
    assert refused.replaced_by.provider.training_status == "certified"
    liaison = User.objects.get(username="liaison")
    assert disclosure.to_entity.slug == "demo-police-co"
    assert disclosure.responded_by == liaison and disclosure.status == "accepted"
    assert Relocation.objects.exists() and InterimMeasureRequest.objects.exists()
    assert MeasureFeedback.objects.exists()
    assert SafetyPlan.objects.filter(defender=refused.defender).exists()
    coordinator = User.objects.get(username="coordinator")
    assert refusals_by_kind(actor=coordinator)["police_protection"]["refused"] == 2
