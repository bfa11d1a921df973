"""Shared fixtures: an entity, a second entity, and one user per persona of the policy matrix."""

from __future__ import annotations

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
        actor=system, username=username, role=role, entity=entity,
        password="correct horse battery staple", validate=False,
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
def auditor(system):
    return _user(system, "auditor", Role.AUDITOR, None)


@pytest.fixture
def admin_user(system):
    return _user(system, "admin", Role.ADMIN, None)
