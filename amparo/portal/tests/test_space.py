"""The defender's own space: only their own data, feedback on their measures, consent that
stops later disclosures, and check-ins before calendar windows that become tasks."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from amparo.accounts.models import Entity
from amparo.audit.models import AuditEvent
from amparo.coordination.models import ConsentRecord, Task
from amparo.coordination.services import consent_record
from amparo.earlywarning.services import EventData, event_create
from amparo.incidents.services import IncidentData, incident_record
from amparo.measures.models import Disclosure, MeasureFeedback
from amparo.measures.services import (
    DisclosureData,
    MeasureData,
    disclosure_consented,
    disclosure_create,
    measure_request,
)
from amparo.portal.models import CheckIn
from amparo.tests.helpers import assert_no_inline_script, logged_in

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _incident(actor, defender, narrative):
    data = IncidentData(
        date=TODAY - datetime.timedelta(days=3),
        country="CO",
        violations=["threat"],
        victim_defenders=[defender],
        narrative=narrative,
    )
    return incident_record(actor=actor, data=data)


@pytest.fixture
def police(system):
    from amparo.accounts.services import entity_create

    return entity_create(
        actor=system, slug="police-co", name="Police", kind=Entity.Kind.POLICE, country="CO"
    )


def test_staff_and_anonymous_have_no_own_space(client, coordinator, analyst):
    assert client.get(reverse("portal:space")).status_code == 302
    for user in (coordinator, analyst):
        assert logged_in(user).get(reverse("portal:space")).status_code == 403


def test_the_space_shows_only_their_own_data(world, coordinator, defender_user):
    own = _incident(coordinator, world.team_defender, "OWN-NARRATIVE")
    other = _incident(coordinator, world.unassigned_defender, "OTHER-NARRATIVE")
    mine = measure_request(
        actor=coordinator,
        defender=world.team_defender,
        data=MeasureData(kind="psychosocial_support"),
    )
    theirs = measure_request(
        actor=coordinator,
        defender=world.unassigned_defender,
        data=MeasureData(kind="psychosocial_support"),
    )
    response = logged_in(defender_user).get(reverse("portal:space"))
    html = response.content.decode()
    assert response.status_code == 200
    assert_no_inline_script(html)
    assert world.team_defender.code in html and world.names["team"] in html
    assert own.code in html and mine.code in html
    for hidden in (other.code, theirs.code, world.unassigned_defender.code):
        assert hidden not in html
    for name in ("unassigned", "restricted", "foreign"):
        assert world.names[name] not in html
    # The safety plan is the existing page, which a defender may read for themself only.
    plan = reverse("measures:safety_plan", args=[world.team_defender.code])
    assert plan in html
    assert logged_in(defender_user).get(plan).status_code == 200
    other_plan = reverse("measures:safety_plan", args=[world.unassigned_defender.code])
    assert logged_in(defender_user).get(other_plan).status_code == 404
    # Narratives and internal risk analysis are not shown here.
    assert "OWN-NARRATIVE" not in html and "OTHER-NARRATIVE" not in html
    assert AuditEvent.objects.filter(
        action="defender.read", object_id=str(world.team_defender.pk), actor_label="defender"
    ).exists()


def test_feedback_on_their_own_measure(world, coordinator, defender_user):
    mine = measure_request(
        actor=coordinator,
        defender=world.team_defender,
        data=MeasureData(kind="psychosocial_support"),
    )
    theirs = measure_request(
        actor=coordinator,
        defender=world.unassigned_defender,
        data=MeasureData(kind="psychosocial_support"),
    )
    client = logged_in(defender_user)
    prefix = mine.code
    response = client.post(
        reverse("portal:feedback", args=[mine.code]),
        {
            f"{prefix}-works": "partly",
            f"{prefix}-trusts_provider": "yes",
            f"{prefix}-comment": "OK",
        },
    )
    assert response.status_code == 302
    feedback = MeasureFeedback.objects.get()
    assert (feedback.measure, feedback.source, feedback.works) == (mine, "defender", "partly")
    assert feedback.trusts_provider == "yes" and feedback.comment == "OK"
    assert feedback.recorded_by == defender_user and feedback.given_on == TODAY
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("portal:feedback", args=[theirs.code]), {f"{theirs.code}-works": "no"}
    )
    assert response.status_code == 404
    assert MeasureFeedback.objects.count() == 1 and AuditEvent.objects.count() == events


def test_withdrawing_consent_stops_a_later_disclosure(world, coordinator, defender_user, police):
    defender = world.team_defender
    consent_record(
        actor=coordinator,
        defender=defender,
        purpose="share_with_state",
        granted=True,
        source="defender_in_person",
    )
    assert disclosure_consented(defender, police)
    measure = measure_request(
        actor=coordinator, defender=defender, data=MeasureData(kind="psychosocial_support")
    )
    client = logged_in(defender_user)
    response = client.post(
        reverse("portal:consent"), {"purpose": "share_with_state", "granted": "no"}
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.filter(superseded_by__isnull=True).get(
        purpose="share_with_state"
    )
    assert (record.granted, record.source, record.recorded_by) == (False, "portal", defender_user)
    defender.refresh_from_db()
    assert defender.consent_share_with_state is False
    assert not disclosure_consented(defender, police)
    with pytest.raises(ValidationError) as error:
        disclosure_create(
            actor=coordinator,
            defender=defender,
            data=DisclosureData(to_entity=police, fields=["defender_code"], measure=measure),
        )
    assert "override_reason" in error.value.message_dict
    assert not Disclosure.objects.exists()
    page = client.get(reverse("portal:space")).content.decode()
    assert "The defender, through the portal" in page


def test_granting_consent_through_the_portal(world, defender_user, police):
    client = logged_in(defender_user)
    client.post(
        reverse("portal:consent"),
        {"purpose": "share_with_entity", "entity": police.pk, "granted": "yes"},
    )
    assert disclosure_consented(world.team_defender, police)


@pytest.fixture
def travel(world, coordinator):
    data = EventData(
        kind="travel_abroad",
        start=TODAY + datetime.timedelta(days=10),
        end=TODAY + datetime.timedelta(days=14),
        country="CO",
        title="Geneva, Human Rights Council",
        defenders=[world.team_defender],
    )
    return event_create(actor=coordinator, data=data)


def test_a_checkin_answer_becomes_a_task_for_the_case_team(
    world, coordinator, officer, foreign_coordinator, defender_user, travel
):
    far = event_create(
        actor=coordinator,
        data=EventData(kind="election", start=TODAY + datetime.timedelta(days=400), country="CO"),
    )
    elsewhere = event_create(
        actor=coordinator,
        data=EventData(
            kind="demonstration", start=TODAY + datetime.timedelta(days=5), country="PE"
        ),
    )
    client = logged_in(defender_user)
    html = client.get(reverse("portal:space")).content.decode()
    start = travel.start.isoformat()
    assert f"You are travelling on {start}: what support do you need?" in html
    assert reverse("portal:checkin", args=[travel.pk]) in html
    for hidden in (far, elsewhere):
        assert reverse("portal:checkin", args=[hidden.pk]) not in html
    response = client.post(
        reverse("portal:checkin", args=[travel.pk]), {"answer": "ANSWER-CANARY a driver"}
    )
    assert response.status_code == 302
    check_in = CheckIn.objects.get()
    assert check_in.defender == world.team_defender and check_in.answer == "ANSWER-CANARY a driver"
    task = Task.objects.get(subject_type="checkin")
    assert check_in.task == task
    assert (task.kind, task.case, task.entity, task.status) == (
        "other",
        world.team_case,
        world.team_case.lead_entity,
        "open",
    )
    assert task.title == (
        f"Check-in answer from {world.team_defender.code} before {travel.external_id}"
    )
    assert "ANSWER-CANARY" not in str(AuditEvent.objects.get(action="checkin.answer").detail)
    # The case team reads the answer; staff of another entity do not.
    answers = reverse("portal:checkin_list")
    team_page = logged_in(officer).get(answers).content.decode()
    assert "ANSWER-CANARY" in team_page
    assert_no_inline_script(team_page)
    assert "ANSWER-CANARY" not in logged_in(foreign_coordinator).get(answers).content.decode()
    # One answer per event; events that do not concern them answer as not found.
    events = AuditEvent.objects.count()
    client.post(reverse("portal:checkin", args=[travel.pk]), {"answer": "again"})
    response = client.post(reverse("portal:checkin", args=[elsewhere.pk]), {"answer": "x"})
    assert response.status_code == 404
    assert CheckIn.objects.count() == 1 and Task.objects.filter(subject_type="checkin").count() == 1
    assert AuditEvent.objects.count() == events
