"""Query counts of the main pages and API lists do not grow with the number of rows (no N+1).

Each page is fetched with one row and with twenty, by a case officer on every case's team; the
second fetch may not run more queries than the first.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amparo.incidents.services import IncidentData, incident_record
from amparo.registry.services import DefenderData, case_set_team, defender_register
from amparo.tests.helpers import logged_in

pytestmark = pytest.mark.django_db

FEW, MANY = 1, 20
SHARED_NAME = "Rosa Elvira Cuéllar"  # every defender has it, so the exact search finds them all


def _add_defenders(coordinator, officer, count: int, *, incidents_each: int = 1) -> list:
    defenders = []
    for number in range(count):
        defender = defender_register(
            actor=coordinator,
            data=DefenderData(
                name=SHARED_NAME,
                country="CO",
                subdivision="CO-CAU",
                categories=["land_environment", "community_leader"],
                contacts={"phone": f"+57 310 555 {number:04d}"},
            ),
        )
        case_set_team(actor=coordinator, case=defender.case, members=[officer])
        for day in range(incidents_each):
            incident_record(
                actor=officer,
                data=IncidentData(
                    date=datetime.date(2025, 3, 1) + datetime.timedelta(days=day),
                    country="CO",
                    subdivision="CO-CAU",
                    violations=["threat", "surveillance"],
                    perpetrators=["unknown"],
                    victim_defenders=[defender],
                    narrative="Threats by phone.",
                ),
            )
        defenders.append(defender)
    return defenders


def _count(client: Client, method: str, url: str, data: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        send = client.post if method == "POST" else client.get
        response = send(url, data or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


LISTS = [
    ("GET", "/defenders/", {"country": "CO"}),
    ("POST", "/defenders/", {"q": SHARED_NAME}),
    ("GET", "/incidents/", None),
    ("GET", "/api/v1/defenders", None),
    ("GET", "/api/v1/incidents", None),
]


@pytest.mark.parametrize(("method", "url", "data"), LISTS, ids=[f"{m} {u}" for m, u, _ in LISTS])
def test_list_queries_do_not_grow_with_rows(coordinator, officer, method, url, data):
    _add_defenders(coordinator, officer, FEW)
    client = logged_in(officer)
    few = _count(client, method, url, data)
    _add_defenders(coordinator, officer, MANY - FEW)
    many = _count(client, method, url, data)
    assert many <= few, f"{method} {url}: {few} queries for {FEW} row(s), {many} for {MANY}"


def test_defender_page_queries_do_not_grow_with_incidents(coordinator, officer):
    [one] = _add_defenders(coordinator, officer, 1, incidents_each=FEW)
    [many] = _add_defenders(coordinator, officer, 1, incidents_each=MANY)
    client = logged_in(officer)
    _count(client, "GET", f"/defenders/{one.code}/")  # warm caches (content types, vocabularies)
    few_queries = _count(client, "GET", f"/defenders/{one.code}/")
    many_queries = _count(client, "GET", f"/defenders/{many.code}/")
    assert many_queries <= few_queries, (few_queries, many_queries)


def test_incident_page_queries_do_not_grow_with_victims(coordinator, officer):
    first, *others = _add_defenders(coordinator, officer, MANY, incidents_each=0)
    data = {"date": datetime.date(2025, 3, 1), "country": "CO", "violations": ["threat"]}
    one = incident_record(actor=officer, data=IncidentData(**data, victim_defenders=[first]))
    many = incident_record(
        actor=officer, data=IncidentData(**data, victim_defenders=[first, *others])
    )
    client = logged_in(officer)
    _count(client, "GET", f"/incidents/{one.code}/")
    few_queries = _count(client, "GET", f"/incidents/{one.code}/")
    many_queries = _count(client, "GET", f"/incidents/{many.code}/")
    assert many_queries <= few_queries, (few_queries, many_queries)


# Measured once the team check was asked once per page instead of eight times and the timeline
# read only what it shows (issue 8): a new query on the defender page must be deliberate. On
# PostgreSQL the read's audit event takes an advisory lock: one statement more. 26 before the
# categories and the timeline's violations were read in their records' rows and the measures
# panel stopped joining what it does not show.
DEFENDER_PAGE_QUERIES = 24


def test_defender_page_query_count(coordinator, officer):
    [defender] = _add_defenders(coordinator, officer, 1, incidents_each=3)
    client = logged_in(officer)
    _count(client, "GET", f"/defenders/{defender.code}/")  # warm caches
    expected = DEFENDER_PAGE_QUERIES + (connection.vendor == "postgresql")
    assert _count(client, "GET", f"/defenders/{defender.code}/") == expected
