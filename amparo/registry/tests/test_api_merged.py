"""The API says when a defender was merged into another: `merged_into` names the survivor to
those who may see it, is null for everyone else, and lists never return the absorbed record."""

from __future__ import annotations

import pytest

from amparo.registry.merge import defender_merge
from amparo.registry.services import case_set_team
from amparo.registry.tests.test_api import call

pytestmark = pytest.mark.django_db


def test_a_merged_record_names_its_survivor(client, coordinator, world):
    survivor, absorbed = world.unassigned_defender, world.team_defender
    defender_merge(actor=coordinator, survivor=survivor, absorbed=absorbed)

    body = call(client, "get", f"/defenders/{absorbed.code}", coordinator).json()
    assert body["code"] == absorbed.code
    assert body["merged_into"] == survivor.code
    assert (
        call(client, "get", f"/defenders/{survivor.code}", coordinator).json()["merged_into"]
        is None
    )


def test_a_survivor_the_actor_may_not_see_is_not_named(client, system, coordinator, officer, world):
    survivor, absorbed = world.unassigned_defender, world.team_defender
    defender_merge(actor=coordinator, survivor=survivor, absorbed=absorbed)
    # The officer still works the absorbed record's case, no longer the survivor's.
    case_set_team(actor=system, case=survivor.case, members=[coordinator])
    assert absorbed.case_id != survivor.case_id
    assert call(client, "get", f"/defenders/{survivor.code}", officer).status_code == 404

    response = call(client, "get", f"/defenders/{absorbed.code}", officer)
    assert response.status_code == 200
    assert response.json()["merged_into"] is None
    assert survivor.code not in response.content.decode()


def test_lists_and_searches_leave_the_absorbed_record_out(client, coordinator, world):
    survivor, absorbed = world.unassigned_defender, world.team_defender
    defender_merge(actor=coordinator, survivor=survivor, absorbed=absorbed)

    listed = call(client, "get", "/defenders?limit=100", coordinator).json()
    codes = [row["code"] for row in listed["items"]]
    assert absorbed.code not in codes and survivor.code in codes
    assert all(row["merged_into"] is None for row in listed["items"])
    found = call(
        client, "post", "/defenders/search", coordinator, body={"query": absorbed.code}
    ).json()
    assert found["items"] == []
