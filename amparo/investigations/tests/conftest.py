"""Fixtures of the investigations tests: incidents in the persona world, on fixed dates."""

from __future__ import annotations

import datetime

import pytest

from amparo.incidents.services import IncidentData, incident_record

OUTCOME_CANARY = "OUTCOME-CANARY sentence of 20 years"


def record_incident(
    actor, defender, *, date, violations=("killing",), perpetrators=("police",), country="CO"
):
    return incident_record(
        actor=actor,
        data=IncidentData(
            date=date,
            country=country,
            violations=list(violations),
            perpetrators=list(perpetrators),
            victim_defenders=[defender],
            narrative="NARRATIVE-CANARY",
        ),
    )


@pytest.fixture
def team_incident(world, coordinator):
    return record_incident(coordinator, world.team_defender, date=datetime.date(2025, 1, 10))


@pytest.fixture
def unassigned_incident(world, coordinator):
    return record_incident(coordinator, world.unassigned_defender, date=datetime.date(2025, 2, 1))


@pytest.fixture
def restricted_incident(world, officer):
    return record_incident(officer, world.restricted_defender, date=datetime.date(2025, 3, 1))


@pytest.fixture
def foreign_incident(world, foreign_coordinator):
    return record_incident(
        foreign_coordinator, world.foreign_defender, date=datetime.date(2025, 1, 5), country="MX"
    )
