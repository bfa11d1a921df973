"""Possible reprisals for cooperation with the UN: the selector for the report and the flag on
the incident page, shown only to those who see both the incident and the cooperation."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from amparo.communications.selectors import reprisal_incidents, reprisal_reasons
from amparo.communications.tests.conftest import _incident, draft, send
from amparo.tests.helpers import logged_in

pytestmark = pytest.mark.django_db
FLAG = "Possible reprisal for cooperation with the UN"


@pytest.fixture
def appeal(comms_officer, coordinator, letters):
    return send(
        comms_officer,
        coordinator,
        draft(comms_officer, defenders=[letters.rosa], incidents=[letters.surveillance]),
        sent_on=datetime.date(2026, 5, 4),
    )


@pytest.fixture
def later_attack(officer, letters):
    return _incident(officer, letters.rosa, "physical_attack", "", "", datetime.date(2026, 6, 10))


def test_an_attack_after_a_communication_is_flagged(
    coordinator, analyst, appeal, later_attack, letters
):
    found = list(reprisal_incidents(actor=coordinator))
    assert found == [later_attack]
    # Before the letter was sent, Rosa's earlier incident is not a reprisal.
    assert letters.surveillance not in found
    assert reprisal_reasons(coordinator, later_attack) == ["communication"]
    # The analyst's report counts it (aggregates of the entity's communications)...
    assert list(reprisal_incidents(actor=analyst)) == [later_attack]
    # ... and a period filter applies to the incident's date.
    assert (
        list(
            reprisal_incidents(
                actor=coordinator,
                date_from=datetime.date(2026, 7, 1),
                date_to=datetime.date(2026, 12, 31),
            )
        )
        == []
    )


def test_flag_on_the_incident_page(coordinator, officer, analyst, appeal, later_attack):
    url = reverse("incidents:incident_detail", args=[later_attack.code])
    assert FLAG in logged_in(coordinator).get(url).content.decode()
    assert FLAG in logged_in(officer).get(url).content.decode()
    # The analyst sees the incident but not the communication: no flag.
    assert FLAG not in logged_in(analyst).get(url).content.decode()


def test_a_draft_is_not_cooperation(comms_officer, coordinator, letters, later_attack):
    draft(comms_officer, defenders=[letters.rosa])
    assert list(reprisal_incidents(actor=coordinator)) == []
    url = reverse("incidents:incident_detail", args=[later_attack.code])
    assert FLAG not in logged_in(coordinator).get(url).content.decode()


def test_earlier_un_engagement_and_recorded_reprisals(coordinator, officer, letters):
    engagement = _incident(
        officer, letters.tomas, "threat", "", "", datetime.date(2026, 1, 10), ["un_engagement"]
    )
    attack = _incident(officer, letters.tomas, "harassment", "", "", datetime.date(2026, 2, 1))
    recorded = _incident(
        officer, letters.rosa, "reprisal_un_cooperation", "", "", datetime.date(2026, 2, 2)
    )
    found = list(reprisal_incidents(actor=coordinator))
    # Tomás's death threat of 12 March came after his engagement too.
    assert found == [engagement, attack, recorded, letters.threat]
    assert reprisal_reasons(coordinator, attack) == ["engagement_incident"]
    assert reprisal_reasons(coordinator, recorded) == ["recorded"]
    assert reprisal_reasons(coordinator, engagement) == ["recorded"]


def test_an_engagement_event_naming_the_defender(coordinator, officer, letters):
    from amparo.earlywarning.services import EventData, event_create

    event_create(
        actor=coordinator,
        data=EventData(
            kind="un_engagement",
            start=datetime.date(2026, 3, 1),
            country="CO",
            title="Testimony in Geneva",
            defenders=[letters.tomas],
        ),
    )
    attack = _incident(officer, letters.tomas, "harassment", "", "", datetime.date(2026, 3, 20))
    assert list(reprisal_incidents(actor=coordinator)) == [letters.threat, attack]
    assert reprisal_reasons(coordinator, attack) == ["engagement_event"]


def test_others_see_no_reprisals(foreign_coordinator, liaison, appeal, later_attack):
    assert list(reprisal_incidents(actor=foreign_coordinator)) == []
    assert list(reprisal_incidents(actor=liaison)) == []
