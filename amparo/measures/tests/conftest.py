"""Fixtures of the measures tests: providers, a police liaison, a defender with canaries."""

from __future__ import annotations

import datetime

import pytest

from amparo.accounts.models import Entity, Role

# Canary values: none of them may ever reach a liaison's page or JSON.
CANARY_NAME = "Lucía Canario Rojas"
CANARY_LOCALITY = "Vereda CanaryTown"
CANARY_PHONE = "+57 310 999 0000"
CANARY_NARRATIVE = "NARRATIVE-CANARY the local police are suspects"
CANARY_NOTE = "DETAILS-CANARY private note"
CANARY_REFUSAL = "REFUSAL-CANARY local police among the suspects"


def _entity(system, slug, kind, training="none", until=None):
    from amparo.accounts.services import entity_create

    entity = entity_create(actor=system, slug=slug, name=slug.title(), kind=kind, country="CO")
    Entity.objects.filter(pk=entity.pk).update(training_status=training, trained_until=until)
    entity.refresh_from_db()
    return entity


@pytest.fixture
def police(system):
    return _entity(system, "police-co", Entity.Kind.POLICE)


@pytest.fixture
def trained_ngo(system):
    return _entity(
        system,
        "accompaniment-ngo",
        Entity.Kind.PROVIDER,
        "certified",
        datetime.date.today() + datetime.timedelta(days=365),
    )


@pytest.fixture
def expired_provider(system):
    return _entity(
        system,
        "expired-guards",
        Entity.Kind.PROVIDER,
        "certified",
        datetime.date.today() - datetime.timedelta(days=1),
    )


@pytest.fixture
def police_liaison(system, police):
    from amparo.conftest import _user

    return _user(system, "police_liaison", Role.LIAISON, police)


@pytest.fixture
def lucia(coordinator, officer):
    """A defender of the coordinator's entity with the officer on her team, and an incident
    whose narrative is a canary."""
    from amparo.incidents.services import IncidentData, incident_record
    from amparo.registry.services import DefenderData, case_set_team, defender_register

    defender = defender_register(
        actor=coordinator,
        data=DefenderData(
            name=CANARY_NAME,
            country="CO",
            subdivision="CO-VAC",
            categories=["women_rights"],
            locality=CANARY_LOCALITY,
            contacts={"phone": CANARY_PHONE},
            consent_register=True,
        ),
    )
    case_set_team(actor=coordinator, case=defender.case, members=[officer])
    incident_record(
        actor=coordinator,
        data=IncidentData(
            date=datetime.date.today(),
            country="CO",
            violations=["death_threat"],
            victim_defenders=[defender],
            narrative=CANARY_NARRATIVE,
        ),
    )
    defender.refresh_from_db()
    return defender
