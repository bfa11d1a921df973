"""Fixtures of the communications tests: journey 5's Tomás (no consent to share with the
State yet) and a consenting woman defender, incidents against them with canary values."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

TOMAS_NAME = "Tomás Canario Vela"
TOMAS_PHONE = "+57 310 777 0001"
TOMAS_LOCALITY = "Vereda TomasTown"
TOMAS_NARRATIVE = "NARRATIVE-CANARY-T a note was pinned to his door"
ROSA_NAME = "Rosa Canaria Lemus"
ROSA_PHONE = "+57 310 777 0002"
ROSA_LOCALITY = "Barrio RosaTown"
ROSA_NARRATIVE = "NARRATIVE-CANARY-R men on motorbikes followed her"
CANARIES = (
    TOMAS_NAME,
    TOMAS_PHONE,
    TOMAS_LOCALITY,
    TOMAS_NARRATIVE,
    ROSA_NAME,
    ROSA_PHONE,
    ROSA_LOCALITY,
    ROSA_NARRATIVE,
)
MANDATES = ["Special Rapporteur on the situation of human rights defenders"]


@dataclass
class Letters:
    tomas: Any
    rosa: Any
    threat: Any  # against Tomás, no consent
    surveillance: Any  # against Rosa, consent given


def _defender(coordinator, officer, name, phone, locality, gender, consent):
    from amparo.registry.services import DefenderData, case_set_team, defender_register

    defender = defender_register(
        actor=coordinator,
        data=DefenderData(
            name=name,
            country="CO",
            subdivision="CO-CAU",
            categories=["land_environment"],
            gender=gender,
            locality=locality,
            contacts={"phone": phone},
            consent_register=True,
            consent_share_with_state=consent,
        ),
    )
    case_set_team(actor=coordinator, case=defender.case, members=[officer])
    return defender


def _incident(officer, defender, violation, locality, narrative, day, contexts=()):
    from amparo.incidents.services import IncidentData, incident_record

    return incident_record(
        actor=officer,
        data=IncidentData(
            date=day,
            country="CO",
            subdivision="CO-CAU",
            violations=[violation],
            locality=locality,
            victim_defenders=[defender],
            perpetrators=["unknown"],
            contexts=list(contexts),
            narrative=narrative,
        ),
    )


@pytest.fixture
def letters(coordinator, officer) -> Letters:
    tomas = _defender(
        coordinator, officer, TOMAS_NAME, TOMAS_PHONE, TOMAS_LOCALITY, "man", consent=False
    )
    rosa = _defender(
        coordinator, officer, ROSA_NAME, ROSA_PHONE, ROSA_LOCALITY, "woman", consent=True
    )
    threat = _incident(
        officer,
        tomas,
        "death_threat",
        TOMAS_LOCALITY,
        TOMAS_NARRATIVE,
        datetime.date(2026, 3, 12),
        ["publication"],
    )
    surveillance = _incident(
        officer, rosa, "surveillance", ROSA_LOCALITY, ROSA_NARRATIVE, datetime.date(2026, 4, 2)
    )
    return Letters(tomas, rosa, threat, surveillance)


def draft(actor, *, defenders=(), incidents=(), kind="UA", state="CO", mandates=None, **extra):
    from amparo.communications.services import CommunicationData, communication_draft

    return communication_draft(
        actor=actor,
        data=CommunicationData(
            kind=kind,
            state=state,
            mandates=list(MANDATES if mandates is None else mandates),
            defenders=list(defenders),
            incidents=list(incidents),
            **extra,
        ),
    )


def send(drafter, approver, communication, sent_on=None):
    from amparo.communications.services import communication_approve_send, communication_submit

    communication_submit(actor=drafter, communication=communication)
    return communication_approve_send(actor=approver, communication=communication, sent_on=sent_on)


def consent_to_state(actor, defender, granted=True):
    from amparo.coordination.models import ConsentPurpose, ConsentSource
    from amparo.coordination.services import consent_record

    source = ConsentSource.PORTAL if actor.role == "defender" else ConsentSource.OFFICER_ON_BEHALF
    return consent_record(
        actor=actor,
        defender=defender,
        purpose=ConsentPurpose.SHARE_WITH_STATE,
        granted=granted,
        source=source,
    )
