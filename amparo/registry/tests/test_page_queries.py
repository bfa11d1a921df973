"""The defender page asks each question of the database once; its timeline reads only what it
shows; a held team answer never outlives the read-only block it was asked in."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amparo.incidents.services import IncidentData, incident_record
from amparo.registry.models import CaseMember, DefenderCategory
from amparo.registry.policies import may_change_defender, team_answers_held
from amparo.registry.selectors import defender_get, defender_list
from amparo.registry.services import (
    DefenderData,
    OrganisationData,
    PersonData,
    case_set_team,
    defender_register,
    organisation_create,
    person_create,
)
from amparo.registry.timeline import defender_timeline
from amparo.tests.helpers import logged_in

pytestmark = pytest.mark.django_db

MEMBERSHIP = 'FROM "registry_casemember" WHERE'


def _defender(coordinator, officer, **extra):
    defender = defender_register(
        actor=coordinator,
        data=DefenderData(name="Rosa Ibarra", country="CO", categories=["trade_unionist"], **extra),
    )
    case_set_team(actor=coordinator, case=defender.case, members=[officer])
    return defender


def _membership_checks(queries: CaptureQueriesContext) -> int:
    return sum(MEMBERSHIP in q["sql"] for q in queries.captured_queries)


def test_defender_page_asks_once_whether_the_officer_is_on_the_team(coordinator, officer):
    defender = _defender(coordinator, officer)
    client = logged_in(officer)
    client.get(f"/defenders/{defender.code}/")  # warm caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/defenders/{defender.code}/")
    assert response.status_code == 200
    # Its own permissions, the risk, measure and consent panels asked it eight times.
    assert _membership_checks(queries) == 1
    # The answer still reaches every panel: an officer on the team may record and change.
    assert response.context["may_change"] is True
    assert response.context["may_record"] is True


def test_defender_page_of_an_officer_off_the_team_offers_no_change(coordinator, officer):
    defender = _defender(coordinator, officer)
    case_set_team(actor=coordinator, case=defender.case, members=[])
    response = logged_in(officer).get(f"/defenders/{defender.code}/")
    # Not on the team: the case is not visible to them at all.
    assert response.status_code == 404


def test_a_held_answer_is_asked_once_and_forgotten_after_the_block(coordinator, officer):
    defender = _defender(coordinator, officer)
    with team_answers_held():
        with CaptureQueriesContext(connection) as queries:
            assert may_change_defender(officer, defender) is True
            assert may_change_defender(officer, defender) is True
        assert _membership_checks(queries) == 1
    # Outside the block every call asks again: a change of team is seen at once.
    CaseMember.objects.filter(case=defender.case, user=officer).delete()
    assert may_change_defender(officer, defender) is False
    with CaptureQueriesContext(connection) as queries:
        may_change_defender(officer, defender)
        may_change_defender(officer, defender)
    assert _membership_checks(queries) == 2


def test_timeline_tells_incidents_against_the_defender_relatives_and_organisations(
    coordinator, officer
):
    organisation = organisation_create(
        actor=coordinator, data=OrganisationData(name="Sindicato", kind="union", country="CO")
    )
    defender = _defender(coordinator, officer, organisations=[organisation])
    relative = person_create(
        actor=officer,
        defender=defender,
        data=PersonData(name="Jorge Ibarra", relation="child", country="CO"),
    )

    def record(day: int, violations: list[str], **victims) -> str:
        data = IncidentData(
            date=datetime.date(2026, 3, day), country="CO", violations=violations, **victims
        )
        return incident_record(actor=officer, data=data).code

    against = record(1, ["threat", "surveillance"], victim_defenders=[defender])
    relative_code = record(2, ["threat"], victim_persons=[relative])
    organisation_code = record(3, ["surveillance"], organisations=[organisation])
    both = record(4, ["threat"], victim_defenders=[defender], victim_persons=[relative])

    entries = {
        e.ref: (e.kind, e.on, e.title)
        for e in defender_timeline(actor=officer, defender=defender)
        if e.kind.endswith("incident")
    }
    assert entries == {
        against: ("incident", datetime.date(2026, 3, 1), "Surveillance, Threat"),
        relative_code: ("relative_incident", datetime.date(2026, 3, 2), "Threat"),
        organisation_code: ("organisation_incident", datetime.date(2026, 3, 3), "Surveillance"),
        both: ("incident", datetime.date(2026, 3, 4), "Threat"),
    }


# Session, user, device, count, page, the read audit (BEGIN, chain head, INSERT, COMMIT), the
# user's entity (base.html); before issue 8's pages step, one more: the categories' prefetch.
DEFENDER_LIST_QUERIES = 10
# The same without the count, with the index key twice and the three blind-index lookups.
NAME_SEARCH_QUERIES = 13


def _count(client, method: str, url: str, data: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = (client.post if method == "POST" else client.get)(url, data)
    assert response.status_code == 200
    return len(queries)


def test_defender_list_and_search_query_counts(coordinator, officer):
    for _ in range(3):
        _defender(coordinator, officer)
    client = logged_in(officer)
    client.get("/defenders/", {"country": "CO"})  # warm caches
    extra = connection.vendor == "postgresql"  # the audit's advisory lock
    assert _count(client, "GET", "/defenders/", {"country": "CO"}) == DEFENDER_LIST_QUERIES + extra
    assert (
        _count(client, "POST", "/defenders/", {"q": "Rosa Ibarra"}) == NAME_SEARCH_QUERIES + extra
    )


def test_listed_categories_come_from_the_row_sorted_and_without_a_query(coordinator, officer):
    several = _defender(coordinator, officer)
    DefenderCategory.objects.create(defender=several, code="journalist")
    none = _defender(coordinator, officer)
    DefenderCategory.objects.filter(defender=none).delete()
    listed = {d.pk: d for d in defender_list(actor=officer)}
    with CaptureQueriesContext(connection) as queries:
        codes = {pk: d.category_codes for pk, d in listed.items()}
    assert len(queries) == 0
    assert codes == {several.pk: ["journalist", "trade_unionist"], none.pk: []}
    assert defender_get(actor=officer, code=several.code).category_codes == codes[several.pk]
