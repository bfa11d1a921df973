"""The list pages without DISTINCT: filters on to-many relations (victims, categories,
violations, relatives) never list a record twice; and a list decrypts and records as read only
what it shows."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from amparo.audit.models import AuditEvent
from amparo.incidents.selectors import IncidentFilters, incident_list, incidents_concerning
from amparo.incidents.services import IncidentData, incident_record
from amparo.registry.selectors import DefenderFilters, defender_list
from amparo.registry.services import DefenderData, PersonData, defender_register, person_create
from amparo.tests.helpers import logged_in

pytestmark = pytest.mark.django_db

NAMES = ("Ana María Quintero", "Jhon Jairo Ulcué")


@pytest.fixture
def defenders(officer):
    return [
        defender_register(
            actor=officer,
            data=DefenderData(
                name=name,
                country="CO",
                subdivision="CO-CAU",
                categories=["land_environment", "indigenous_peoples"],
            ),
        )
        for name in NAMES
    ]


@pytest.fixture
def incident(officer, defenders):
    relative = person_create(
        actor=officer,
        defender=defenders[0],
        data=PersonData(name="Rosa Quintero", relation="child"),
    )
    return incident_record(
        actor=officer,
        data=IncidentData(
            date=datetime.date(2025, 3, 1),
            country="CO",
            subdivision="CO-CAU",
            violations=["death_threat", "surveillance"],
            perpetrators=["unknown"],
            narrative="Threats by phone.",
            victim_defenders=defenders,
            victim_persons=[relative],
        ),
    )


def _listed_codes(html: str) -> list[str]:
    return re.findall(r'<a class="code" href="[^"]+">([^<]+)</a>', html)


@pytest.mark.parametrize(
    "query",
    [{}, {"category": "land_environment"}, {"violation": "death_threat"}, {"country": "CO"}],
)
def test_an_incident_with_two_matching_victims_is_listed_once(officer, incident, query):
    response = logged_in(officer).get(reverse("incidents:incident_list"), query)
    assert _listed_codes(response.content.decode()) == [incident.code]
    assert response.context["page_obj"].paginator.count == 1


def test_incident_filters_match_through_their_relations(officer, incident, defenders):
    def codes(**filters):
        found = incident_list(actor=officer, filters=IncidentFilters(**filters))
        return list(found.values_list("code", flat=True))

    assert codes(category="indigenous_peoples", gender="", defender=defenders[1].code) == [
        incident.code
    ]
    assert codes(violation="surveillance", perpetrator="unknown") == [incident.code]
    assert codes(violation="killing") == []
    assert codes(category="journalist") == []
    assert codes(context="publication") == []


def test_a_defender_listed_once_whatever_their_categories(officer, defenders):
    listed = defender_list(actor=officer, filters=DefenderFilters(category="indigenous_peoples"))
    assert sorted(d.code for d in listed) == sorted(d.code for d in defenders)
    assert listed.count() == 2


def test_an_incident_against_a_defender_and_their_relative_is_on_the_timeline_once(
    officer, incident, defenders, other_officer
):
    assert [i.code for i in incidents_concerning(actor=officer, defender=defenders[0])] == [
        incident.code
    ]
    # Invisible incidents stay invisible on the timeline.
    assert list(incidents_concerning(actor=other_officer, defender=defenders[0])) == []


def test_the_incident_list_decrypts_nothing_and_records_no_read(officer, incident):
    reads_before = AuditEvent.objects.filter(action="incident.read").count()
    html = logged_in(officer).get(reverse("incidents:incident_list")).content.decode()
    assert incident.code in html and "Threats by phone." not in html
    assert AuditEvent.objects.filter(action="incident.read").count() == reads_before


def test_the_defender_list_records_the_names_it_shows_as_read(officer, defenders):
    html = logged_in(officer).get(reverse("registry:defender_list")).content.decode()
    assert all(name in html for name in NAMES)
    events = AuditEvent.objects.filter(action="defender.read", actor_id=officer.pk)
    assert sorted(e.object_id for e in events) == sorted(str(d.pk) for d in defenders)
    assert {(tuple(e.fields), e.detail["via"]) for e in events} == {(("name",), "list")}
