"""A defender's timeline gathers every domain: registration, incidents, risk, measures."""

from __future__ import annotations

import datetime

import pytest

from amparo.incidents.services import IncidentData, incident_record
from amparo.measures.services import MeasureData, measure_request
from amparo.registry.services import DefenderData, case_set_team, defender_register
from amparo.registry.timeline import defender_timeline
from amparo.risk.procedures import procedure_open
from amparo.risk.services import assessment_approve, assessment_create
from amparo.risk.tests.factories import NOW, make_data


@pytest.mark.django_db
def test_timeline_gathers_every_domain(coordinator, officer, analyst):
    defender = defender_register(
        actor=coordinator,
        data=DefenderData(name="Rosa Ibarra", country="CO", categories=["trade_unionist"]),
    )
    case_set_team(actor=coordinator, case=defender.case, members=[officer])
    incident = incident_record(
        actor=officer,
        data=IncidentData(
            date=datetime.date(2026, 11, 18),
            country="CO",
            violations=["threat"],
            victim_defenders=[defender],
        ),
    )
    assessment = assessment_create(
        actor=officer, defender=defender, data=make_data(), submit=True, now=NOW
    )
    assessment_approve(actor=coordinator, assessment=assessment, now=NOW)
    procedure = procedure_open(
        actor=officer, defender=defender, kind="urgent", reason="Imminent.", now=NOW
    )
    measure = measure_request(
        actor=officer,
        defender=defender,
        data=MeasureData(kind="panic_button", requested_on=datetime.date(2026, 11, 21)),
    )

    entries = defender_timeline(actor=officer, defender=defender)
    assert {(e.kind, e.ref) for e in entries} == {
        ("registration", defender.code),
        ("incident", incident.code),
        ("assessment", assessment.code),
        ("procedure", procedure.code),
        ("measure", measure.code),
    }
    links = {e.ref: e.url for e in entries}
    assert links[incident.code] == f"/incidents/{incident.code}/"
    assert links[measure.code] == f"/measures/{measure.code}/"
    assert links[assessment.code] == f"/risk/assessments/{assessment.code}/"
    assert [e.on for e in entries] == sorted((e.on for e in entries), reverse=True)
    # Someone who cannot see the case sees none of it through the timeline providers.
    from amparo.accounts.models import Role
    from amparo.accounts.services import user_create

    outsider, _ = user_create(
        actor=coordinator,
        username="outsider",
        role=Role.CASE_OFFICER,
        entity=coordinator.entity,
        password="x" * 16,
        validate=False,
    )
    assert [e.kind for e in defender_timeline(actor=outsider, defender=defender)] == [
        "registration"
    ]
