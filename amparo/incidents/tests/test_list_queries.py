"""The incident list and the API list: counted by a set of team cases (the same number, for every
persona and filter), codes read in each incident's own row, a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amparo.conftest import PERSONAS
from amparo.incidents.models import Incident
from amparo.incidents.presenters import IncidentView
from amparo.incidents.selectors import IncidentFilters, incident_count, incident_list
from amparo.incidents.services import IncidentData, incident_record
from amparo.tests.helpers import logged_in

pytestmark = pytest.mark.django_db

FILTERS = [
    IncidentFilters(),
    IncidentFilters(country="CO"),
    IncidentFilters(violation="threat"),
    IncidentFilters(category="land_environment"),
    IncidentFilters(date_from=datetime.date(2025, 3, 2)),
]


def _record(actor, day: int, **fields):
    data = IncidentData(
        date=datetime.date(2025, 3, day), country=fields.pop("country", "CO"), **fields
    )
    return incident_record(actor=actor, data=data)


@pytest.fixture
def incidents(world, coordinator, officer, other_officer, foreign_coordinator):
    """Incidents on every case of the world, and against an organisation only (no case) by three
    different actors."""
    from amparo.registry.services import OrganisationData, organisation_create

    union = organisation_create(
        actor=coordinator, data=OrganisationData(name="Sindicato", kind="union", country="CO")
    )
    _record(coordinator, 1, violations=["threat"], victim_defenders=[world.team_defender])
    _record(
        coordinator,
        2,
        violations=["threat", "surveillance"],
        perpetrators=["unknown"],
        contexts=["publication", "demonstration"],
        victim_defenders=[world.unassigned_defender],
    )
    _record(officer, 3, violations=["surveillance"], victim_defenders=[world.restricted_defender])
    _record(
        foreign_coordinator,
        4,
        country="MX",
        violations=["threat"],
        victim_defenders=[world.foreign_defender],
    )
    # No case: its author sees it, and the coordinators of the entity; no other officer.
    _record(officer, 5, violations=["threat"], organisations=[union])
    _record(other_officer, 6, violations=["surveillance"], organisations=[union])
    _record(coordinator, 7, violations=["stigmatisation"], organisations=[union])


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_count_is_the_length_of_the_list(request, incidents, persona):
    actor = request.getfixturevalue(persona)
    for filters in FILTERS:
        listed = list(incident_list(actor=actor, filters=filters))
        assert incident_count(actor=actor, filters=filters) == len(listed), (persona, filters)


def test_an_officer_counts_their_team_cases_and_their_own_incidents(incidents, officer):
    # Team case, restricted team case, and the case-less incident they recorded.
    assert incident_count(actor=officer) == 3
    assert incident_count(actor=officer, filters=IncidentFilters(violation="threat")) == 2


def test_listed_codes_come_from_the_row_sorted_and_without_a_query(incidents, coordinator):
    listed = list(incident_list(actor=coordinator).order_by("date"))
    with CaptureQueriesContext(connection) as queries:
        codes = [(i.violation_codes, i.perpetrator_codes, i.context_codes) for i in listed]
    assert len(queries) == 0
    # The same codes as the rows say, read the old way (one incident at a time).
    assert codes == [
        (
            sorted(Incident.objects.get(pk=i.pk).violation_rows.values_list("code", flat=True)),
            sorted(Incident.objects.get(pk=i.pk).perpetrator_rows.values_list("code", flat=True)),
            sorted(Incident.objects.get(pk=i.pk).context_rows.values_list("code", flat=True)),
        )
        for i in listed
    ]
    assert codes[1][0] == ["surveillance", "threat"]
    assert codes[1][2] == ["demonstration", "publication"]
    assert [c for _, _, c in codes].count([]) == 4


def _count(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(queries)


# Session, user, device, count, page, the user's entity (base.html). Before issue 8's pages
# step: nine (three prefetches of codes).
INCIDENT_LIST_QUERIES = 6
# The token with its user, count, page, and the read audit (BEGIN, chain head, INSERT, COMMIT on
# SQLite; PostgreSQL takes an advisory lock: one statement more). Before: ten.
API_LIST_QUERIES = 7


def test_incident_list_page_queries(incidents, officer):
    client = logged_in(officer)
    client.get("/incidents/")  # warm caches
    assert _count(client, "/incidents/") == INCIDENT_LIST_QUERIES


def test_api_incident_list_queries(incidents, officer):
    from amparo.accounts.services import api_token_create

    _, token = api_token_create(actor=officer, name="t", expires_in_days=1)
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client.get("/api/v1/incidents", **auth)
    expected = API_LIST_QUERIES + (connection.vendor == "postgresql")
    assert _count(client, "/api/v1/incidents", **auth) == expected


def _date(**fields) -> str:
    incident = IncidentView(
        code="INC-1",
        external_id="",
        case_code=None,
        date=fields.pop("date", datetime.date(2025, 3, 7)),
        date_precision=fields.pop("date_precision", "day"),
        end_date=fields.pop("end_date", None),
        reported_on=datetime.date(2025, 3, 9),
        country="CO",
        subdivision="",
        violations=[],
        perpetrators=[],
        contexts=[],
        state_acquiescence=False,
        verification="unverified",
        victims=[],
        hidden_victims=0,
        organisations=[],
        sealed=False,
        details_shown=False,
    )
    template = Template("{% load incidents_ui %}{% incident_date i %}")
    return template.render(Context({"i": incident}))


def test_incident_date_shows_the_recorded_precision_and_the_end_date():
    assert _date() == '<time datetime="2025-03-07">2025-03-07</time>'
    assert _date(date_precision="month") == '<time datetime="2025-03-07">2025-03</time>'
    assert _date(date_precision="year") == '<time datetime="2025-03-07">2025</time>'
    assert _date(end_date=datetime.date(2025, 3, 9)) == (
        '<time datetime="2025-03-07">2025-03-07</time>'
        ' – <time datetime="2025-03-09">2025-03-09</time>'
    )
