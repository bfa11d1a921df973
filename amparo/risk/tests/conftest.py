"""Fixtures of the risk tests: a fixed clock, a second coordinator, assessment data."""

from __future__ import annotations

import pytest

from amparo.accounts.models import Role
from amparo.risk.tests.factories import NOW


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def fixed_clock(monkeypatch):
    """Services that are not given now= read this instead of the real time."""
    from amparo.risk import clock

    state = {"now": NOW}
    monkeypatch.setattr(clock, "now", lambda: state["now"])
    return state


@pytest.fixture
def second_coordinator(system, entity):
    from amparo.accounts.services import user_create

    user, _device = user_create(
        actor=system,
        username="second_coordinator",
        role=Role.COORDINATOR,
        entity=entity,
        password="correct horse battery staple",
        validate=False,
    )
    return user
