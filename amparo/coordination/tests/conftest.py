"""Tasks spread over the persona matrix, on a fixed clock."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from amparo.accounts.models import User
from amparo.coordination.models import Task
from amparo.coordination.services import task_open

NOW = datetime.datetime(2026, 11, 29, 8, 0, tzinfo=datetime.UTC)


@dataclass
class Tasks:
    team: Any  # team case, unowned, due in 2 hours
    unassigned: Any  # unassigned case, unowned, overdue by 5 hours
    restricted: Any  # restricted case (coordinator off its team), unowned, due in 3 hours
    foreign: Any  # other entity's case, unowned, due in 1 hour
    entity_only: Any  # no case, the entity's, due in 30 hours
    owned: Any  # unassigned case, owned by other_officer (not on its team), overdue by 30 hours

    def by_name(self) -> dict[str, Any]:
        return dict(vars(self))


def hours(n: float) -> datetime.datetime:
    return NOW + datetime.timedelta(hours=n)


@pytest.fixture
def tasks(system, world, entity, other_entity, other_officer) -> Tasks:
    def open_(kind, case, entity, due, owner=None, subject=""):
        return task_open(
            actor=system,
            kind=kind,
            title=f"{Task.Kind(kind).label}: {case.code if case else entity.slug}",
            entity=entity,
            case=case,
            owner=owner,
            due_at=due,
            subject_type="test" if subject else "",
            subject_id=subject,
        )

    return Tasks(
        team=open_("reevaluation", world.team_case, entity, hours(2), subject="t1"),
        unassigned=open_("review", world.unassigned_case, entity, hours(-5)),
        restricted=open_("measure_decision", world.restricted_case, entity, hours(3)),
        foreign=open_("review", world.foreign_case, other_entity, hours(1)),
        entity_only=open_("other", None, entity, hours(30)),
        owned=open_("risk_study", world.unassigned_case, entity, hours(-30), owner=other_officer),
    )


@pytest.fixture
def emails(coordinator, officer, other_officer, foreign_coordinator):
    for user in (coordinator, officer, other_officer, foreign_coordinator):
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@example.org")
        user.email = f"{user.username}@example.org"
