"""Shared fixtures: an entity, a second entity, and one user per persona of the policy matrix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from amparo.accounts.models import Role, SystemActor


@pytest.fixture
def system():
    return SystemActor("test:system")


@pytest.fixture
def entity(db, system):
    from amparo.accounts.services import entity_create

    return entity_create(actor=system, slug="desk", name="Protection Desk", country="CO")


@pytest.fixture
def other_entity(db, system):
    from amparo.accounts.services import entity_create

    return entity_create(actor=system, slug="other", name="Other Programme", country="MX")


def _user(system, username, role, entity):
    from amparo.accounts.services import user_create

    user, _device = user_create(
        actor=system,
        username=username,
        role=role,
        entity=entity,
        password="correct horse battery staple",
        validate=False,
    )
    return user


@pytest.fixture
def coordinator(system, entity):
    return _user(system, "coordinator", Role.COORDINATOR, entity)


@pytest.fixture
def officer(system, entity):
    return _user(system, "officer", Role.CASE_OFFICER, entity)


@pytest.fixture
def other_officer(system, entity):
    return _user(system, "other_officer", Role.CASE_OFFICER, entity)


@pytest.fixture
def foreign_coordinator(system, other_entity):
    return _user(system, "foreign_coordinator", Role.COORDINATOR, other_entity)


@pytest.fixture
def analyst(system, entity):
    return _user(system, "analyst", Role.ANALYST, entity)


@pytest.fixture
def liaison(system, entity):
    return _user(system, "liaison", Role.LIAISON, entity)


@pytest.fixture
def comms_officer(system, entity):
    return _user(system, "comms_officer", Role.COMMUNICATIONS_OFFICER, entity)


@pytest.fixture
def other_comms_officer(system, entity):
    return _user(system, "other_comms_officer", Role.COMMUNICATIONS_OFFICER, entity)


@pytest.fixture
def auditor(system):
    return _user(system, "auditor", Role.AUDITOR, None)


@pytest.fixture
def admin_user(system):
    return _user(system, "admin", Role.ADMIN, None)


# --- Security suite fixtures (appended) -------------------------------------------------------


@pytest.fixture
def restore_keyring():
    """Tests that swap the process keyring get the test keyring back afterwards."""
    from amparo.core.keys import set_keyring

    set_keyring(None)
    yield
    set_keyring(None)


def _append_only_sql(direction: str) -> list[str]:
    import importlib

    from django.db import connection

    migration = importlib.import_module("amparo.audit.migrations.0002_append_only")
    vendor = {"sqlite": "SQLITE", "postgresql": "POSTGRES"}[connection.vendor]
    return getattr(migration, f"{vendor}_{direction}")


def run_append_only_sql(direction: str) -> None:
    """Drop ("REVERSE") or create ("FORWARD") the audit table's append-only triggers."""
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in _append_only_sql(direction):
            cursor.execute(statement)


@pytest.fixture
def _audit_triggers_recreated(django_db_blocker):
    # Set up before transactional_db, so torn down after its flush: the triggers come back.
    yield
    with django_db_blocker.unblock():
        run_append_only_sql("FORWARD")


@pytest.fixture
def audit_transactional_db(_audit_triggers_recreated, transactional_db):
    """transactional_db whose closing flush is allowed to empty the append-only audit table.

    Request this fixture instead of marking the test django_db(transaction=True): the marker's
    autouse setup would order the flush after the triggers are recreated."""
    yield
    run_append_only_sql("REVERSE")


@dataclass
class World:
    """Cases and defenders spread over the persona matrix of DESIGN §2."""

    team_case: Any  # entity's case, team = [officer]
    unassigned_case: Any  # entity's case, no team
    restricted_case: Any  # entity's restricted case, team = [officer]; the coordinator is off it
    foreign_case: Any  # other entity's case
    team_defender: Any
    unassigned_defender: Any
    restricted_defender: Any
    foreign_defender: Any
    names: dict[str, str]

    @property
    def defenders(self) -> list[Any]:
        return [
            self.team_defender,
            self.unassigned_defender,
            self.restricted_defender,
            self.foreign_defender,
        ]


@pytest.fixture
def world(system, coordinator, officer, foreign_coordinator) -> World:
    from amparo.registry.services import (
        DefenderData,
        case_set_restricted,
        case_set_team,
        defender_register,
    )

    names = {
        "team": "Ana Lucía Mejía",
        "unassigned": "Bernardo Quintero",
        "restricted": "Carmen Rosa Pérez",
        "foreign": "Diego Hernández",
    }

    def register(actor, key):
        data = DefenderData(
            name=names[key],
            country="CO" if actor is coordinator else "MX",
            categories=["land_environment"],
            contacts={"phone": f"+57 310 555 {list(names).index(key):04d}"},
        )
        return defender_register(actor=actor, data=data)

    team_defender = register(coordinator, "team")
    case_set_team(actor=coordinator, case=team_defender.case, members=[officer])
    unassigned_defender = register(coordinator, "unassigned")
    restricted_defender = register(coordinator, "restricted")
    case_set_team(actor=coordinator, case=restricted_defender.case, members=[officer])
    case_set_restricted(actor=system, case=restricted_defender.case, restricted=True)
    foreign_defender = register(foreign_coordinator, "foreign")
    return World(
        team_case=team_defender.case,
        unassigned_case=unassigned_defender.case,
        restricted_case=restricted_defender.case,
        foreign_case=foreign_defender.case,
        team_defender=team_defender,
        unassigned_defender=unassigned_defender,
        restricted_defender=restricted_defender,
        foreign_defender=foreign_defender,
        names=names,
    )


# The personas of the policy matrix, by fixture name; tests parametrise over these and fetch the
# actor with request.getfixturevalue(persona).
PERSONAS = [
    "coordinator",
    "officer",
    "other_officer",
    "foreign_coordinator",
    "analyst",
    "liaison",
    "auditor",
    "admin_user",
    "defender_user",
    "inactive_coordinator",
    "anonymous",
    "anonymous_user",
    "system",
]

# Which of the world's defenders (and so cases) each persona may know exist.
VISIBLE_DEFENDERS = {
    "coordinator": {"team", "unassigned"},
    "officer": {"team", "restricted"},
    "other_officer": set(),
    "foreign_coordinator": {"foreign"},
    "analyst": {"team", "unassigned"},
    "liaison": set(),
    "auditor": set(),
    "admin_user": set(),
    "defender_user": {"team"},
    "inactive_coordinator": set(),
    "anonymous": set(),
    "anonymous_user": set(),
    "system": {"team", "unassigned", "restricted", "foreign"},
}


@pytest.fixture
def personas():
    return PERSONAS


@pytest.fixture
def visible_defenders():
    return VISIBLE_DEFENDERS


@pytest.fixture
def anonymous():
    return None


@pytest.fixture
def anonymous_user():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.fixture
def inactive_coordinator(system, entity):
    user = _user(system, "inactive_coordinator", Role.COORDINATOR, entity)
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


@pytest.fixture
def defender_user(system, world):
    from amparo.accounts.services import user_create

    user, _device = user_create(
        actor=system,
        username="defender",
        role=Role.DEFENDER,
        entity=None,
        defender=world.team_defender,
        password="correct horse battery staple",
        validate=False,
    )
    return user


# Hypothesis on a busy two-core machine: time limits per example only produce flaky failures.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("amparo", deadline=None)
_hypothesis_settings.load_profile("amparo")
