"""The programme dashboard on a fixture built through the services, with exact figures; and the
real escalation of an urgent procedure past its deadline."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from amparo.coordination.dashboard import dashboard_figures
from amparo.coordination.notify import tasks_escalate
from amparo.registry.services import DefenderData, defender_register
from amparo.tests.helpers import logged_in

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


def ago(**delta) -> datetime.datetime:
    return NOW - datetime.timedelta(**delta)


def assess(author, approver, defender, level, assessed_on):
    from amparo.risk.services import assessment_approve, assessment_create
    from amparo.risk.tests.factories import make_data

    assessment = assessment_create(
        actor=author,
        defender=defender,
        data=make_data(level=level, level_justification="Fixture", assessed_on=assessed_on),
        submit=True,
        now=ago(days=1),
    )
    assessment_approve(actor=approver, assessment=assessment, now=ago(hours=20))


def measure(actor, defender, kind, requested, *, cost=None, procedure=None, steps=()):
    from amparo.measures.services import MeasureData, measure_request, measure_transition

    created = measure_request(
        actor=actor,
        defender=defender,
        data=MeasureData(
            kind=kind,
            requested_on=requested.date(),
            cost=Decimal(cost) if cost else None,
            currency="COP" if cost else "",
            procedure=procedure,
        ),
        now=requested,
    )
    for status, when in steps:
        extra = {"reason": "The local police are among the suspects"} if "refused" in status else {}
        created = measure_transition(
            actor=actor, measure=created, to_status=status, now=when, **extra
        )
    return created


@pytest.fixture
def programme(system, world, coordinator, officer, entity):
    from amparo.risk.procedures import procedure_open

    extra = defender_register(
        actor=coordinator,
        data=DefenderData(name="Extra Defender", country="CO", categories=["journalist"]),
    )
    defender_register(
        actor=coordinator,
        data=DefenderData(name="Not Assessed", country="CO", categories=["journalist"]),
    )
    assess(officer, coordinator, world.team_defender, "extreme", TODAY - datetime.timedelta(days=2))
    assess(
        coordinator, system, world.unassigned_defender, "high", TODAY - datetime.timedelta(days=2)
    )
    assess(coordinator, system, extra, "high", datetime.date(2026, 7, 1))
    assess(officer, system, world.restricted_defender, "high", datetime.date(2026, 7, 1))

    late_procedure = procedure_open(
        actor=officer,
        defender=world.team_defender,
        kind="urgent",
        reason="Threat",
        now=ago(hours=5),
    )
    procedure_open(
        actor=coordinator,
        defender=world.unassigned_defender,
        kind="urgent",
        reason="Threat",
        now=ago(hours=1),
    )
    procedure_open(
        actor=officer,
        defender=world.restricted_defender,
        kind="urgent",
        reason="Threat",
        now=ago(hours=6),
    )
    measure(
        system,
        world.team_defender,
        "police_protection",
        ago(days=10),
        cost="1000",
        steps=[("approved", ago(days=9)), ("in_place", ago(days=7))],
    )
    measure(
        system,
        world.unassigned_defender,
        "police_protection",
        ago(days=6),
        steps=[("approved", ago(days=5)), ("refused_by_defender", ago(days=4))],
    )
    measure(
        system,
        world.unassigned_defender,
        "protective_accompaniment",
        ago(days=5),
        cost="500",
        steps=[("approved", ago(days=5)), ("in_place", ago(days=4))],
    )
    measure(
        system,
        world.restricted_defender,
        "bodyguard",
        ago(days=8),
        cost="9999",
        steps=[("approved", ago(days=8)), ("in_place", ago(days=1))],
    )
    measure(
        system, world.team_defender, "relocation_internal", ago(hours=4), procedure=late_procedure
    )
    return {"extra": extra, "late_procedure": late_procedure}


def test_figures_for_the_coordinator(programme, coordinator, world):
    d = dashboard_figures(actor=coordinator, today=TODAY, now=NOW)
    # The restricted case (coordinator off its team) and the other entity's case do not count.
    assert {r["level"]: r["count"] for r in d.caseload.rows} == {
        "extreme": 1,
        "high": 2,
        "medium": 0,
        "low": 0,
        "": 1,
    }
    assert d.caseload_total == 4
    assert [
        (r["defender"], r["waiting_for"], r["hours_left"], r["overdue"]) for r in d.urgent.rows
    ] == [
        (world.team_defender.code, "decision", -2.0, True),
        (world.unassigned_defender.code, "decision", 2.0, False),
    ]
    assert [(r["defender"], r["days_overdue"]) for r in d.overdue_reviews.rows] == [
        (programme["extra"].code, 52)
    ]
    assert [r["defender"] for r in d.unprotected.rows] == [programme["extra"].code]
    assert [(r["kind"], r["status"], r["hours_late"]) for r in d.late_measures.rows] == [
        ("relocation_internal", "requested", 2.0)
    ]
    assert d.refusals.rows == [
        {"kind": "police_protection", "offered": 2, "refused": 1, "rate": 0.5, "percent": 50.0},
        {
            "kind": "protective_accompaniment",
            "offered": 1,
            "refused": 0,
            "rate": 0.0,
            "percent": 0.0,
        },
    ]
    assert d.days_to_protection.rows == [
        {"kind": "", "median_days": 2.0},
        {"kind": "police_protection", "median_days": 3.0},
        {"kind": "protective_accompaniment", "median_days": 1.0},
    ]
    assert [(r["key"], r["currency"], r["total"], r["measures"]) for r in d.cost_by_kind.rows] == [
        ("police_protection", "COP", Decimal("1000"), 1),
        ("protective_accompaniment", "COP", Decimal("500"), 1),
    ]
    assert [(r["key"], r["total"]) for r in d.cost_by_entity.rows] == [("desk", Decimal("1500"))]
    assert [(r["key"], r["total"]) for r in d.cost_by_month.rows] == [("2026-11", Decimal("1500"))]


def test_the_restricted_case_counts_for_its_team_only(programme, system, world):
    d = dashboard_figures(actor=system, today=TODAY, now=NOW)
    assert d.caseload_total == 6  # four of the desk, the restricted one, the foreign one
    assert d.urgent.count == 3
    assert len(d.overdue_reviews.rows) == 2


def test_the_analyst_gets_the_same_counts_without_codes(client, programme, analyst, coordinator):
    for_analyst = dashboard_figures(actor=analyst, today=TODAY, now=NOW)
    for_coordinator = dashboard_figures(actor=coordinator, today=TODAY, now=NOW)
    assert for_analyst.caseload.rows == for_coordinator.caseload.rows
    assert for_analyst.urgent.count == 2 and not for_analyst.shows_codes
    html = logged_in(analyst).get(reverse("coordination:dashboard")).content.decode()
    assert "HRD-" not in html and "PROC-" not in html and "Extra Defender" not in html


def test_the_page_shows_the_codes_behind_each_count(programme, coordinator, world):
    html = logged_in(coordinator).get(reverse("coordination:dashboard")).content.decode()
    assert programme["extra"].code in html
    assert world.restricted_defender.code not in html
    assert "Extra Defender" not in html  # never names


def test_the_api_dashboard(client, programme, coordinator):
    from amparo.accounts.services import api_token_create

    _token, raw = api_token_create(actor=coordinator, name="t")
    body = client.get("/api/v1/dashboard", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert body["caseload"][0] == {"level": "extreme", "count": 1}
    assert body["refusals"]["police_protection"] == {"offered": 2, "refused": 1, "rate": 0.5}
    assert body["median_days_to_protection"] == 2.0


def test_escalating_a_real_urgent_procedure(programme, coordinator, officer, world):
    from amparo.accounts.models import User

    User.objects.filter(pk=coordinator.pk).update(email="coordinator@example.org")
    result = tasks_escalate(now=NOW)
    codes = sorted(p.code for p in result.procedures)
    assert programme["late_procedure"].code in codes
    mailed = [m for m in mail.outbox if programme["late_procedure"].code in m.subject]
    assert [m.to for m in mailed] == [["coordinator@example.org"]]
    assert tasks_escalate(now=NOW).procedures == []
    assert timezone.is_aware(result.procedures[0].escalated_at)
