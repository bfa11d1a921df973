"""Disclosures to other entities and the liaison role: consent or override, whitelisted fields
only, accept/reject, implementation reports through accepted disclosures only; journey 6 at
the service level."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from amparo.audit.models import AuditEvent
from amparo.coordination.services import consent_record
from amparo.measures.models import Disclosure, MeasureFeedback
from amparo.measures.presenters import liaison_values, present_liaison_disclosures
from amparo.measures.selectors import (
    disclosure_get,
    disclosure_list,
    measure_get,
    refusals_by_kind,
)
from amparo.measures.services import (
    DisclosureData,
    FeedbackData,
    MeasureData,
    disclosure_create,
    disclosure_respond,
    disclosure_revoke,
    liaison_report_feedback,
    liaison_report_in_place,
    measure_replace,
    measure_request,
    measure_transition,
)

from .conftest import CANARY_LOCALITY, CANARY_NAME, CANARY_NARRATIVE, CANARY_PHONE

pytestmark = pytest.mark.django_db
DETAILS = {
    "area": "Comuna 18, Cali",
    "schedule_needs": "Weekdays 06:00-20:00",
    "contact_channel": "Desk hotline",
    "notes": "DETAILS-CANARY private note",
}
FIELDS = ["defender_code", "subdivision", "measure_kind", "area", "schedule_needs"]


@pytest.fixture
def police_measure(coordinator, lucia, police):
    measure = measure_request(
        actor=coordinator,
        defender=lucia,
        data=MeasureData(
            kind="police_protection",
            provider=police,
            provider_override_reason="The State's duty; the unit is not certified",
            details=DETAILS,
        ),
    )
    return measure_transition(actor=coordinator, measure=measure, to_status="approved")


def disclose(actor, defender, measure, to, fields=FIELDS, reason="Imminent danger"):
    return disclosure_create(
        actor=actor,
        defender=defender,
        data=DisclosureData(to_entity=to, fields=fields, measure=measure, override_reason=reason),
    )


def test_without_consent_an_override_reason_is_required(coordinator, lucia, police_measure, police):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        disclose(coordinator, lucia, police_measure, police, reason="")
    assert "override_reason" in error.value.message_dict
    assert not Disclosure.objects.exists() and AuditEvent.objects.count() == events
    disclosure = disclose(coordinator, lucia, police_measure, police)
    assert disclosure.basis == "override"
    assert Disclosure.objects.get().override_reason == "Imminent danger"
    event = AuditEvent.objects.get(action="disclosure.create")
    assert event.detail["fields"] == sorted(FIELDS) and event.detail["basis"] == "override"


def test_consent_to_share_with_the_state_covers_the_police(
    coordinator, lucia, police_measure, police
):
    consent_record(
        actor=coordinator,
        defender=lucia,
        purpose="share_with_state",
        granted=True,
        source="defender_in_person",
    )
    disclosure = disclose(coordinator, lucia, police_measure, police, reason="")
    assert disclosure.basis == "consent" and disclosure.override_reason is None


def test_only_whitelisted_fields(coordinator, lucia, police_measure, police):
    for bad in (["name"], ["narrative"], ["locality"], ["contacts"], []):
        with pytest.raises(ValidationError) as error:
            disclose(coordinator, lucia, police_measure, police, fields=bad)
        assert "fields" in error.value.message_dict
    assert not Disclosure.objects.exists()


def test_locality_only_when_configured(coordinator, lucia, police_measure, police, settings):
    settings.AMPARO_DISCLOSURE_EXTRA_FIELDS = ["locality"]
    disclosure = disclose(coordinator, lucia, police_measure, police, fields=["locality"])
    assert liaison_values(disclosure) == {"locality": CANARY_LOCALITY}
    settings.AMPARO_DISCLOSURE_EXTRA_FIELDS = []
    assert liaison_values(disclosure) == {}


@pytest.mark.parametrize("persona", ["officer", "analyst", "foreign_coordinator", "liaison"])
def test_only_coordinators_of_the_lead_entity_disclose(
    request, persona, lucia, police_measure, police
):
    actor = request.getfixturevalue(persona)
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        disclose(actor, lucia, police_measure, police)
    assert not Disclosure.objects.exists() and AuditEvent.objects.count() == events


def test_the_liaison_sees_only_the_whitelisted_values(
    coordinator, lucia, police_measure, police, police_liaison
):
    disclosure = disclose(coordinator, lucia, police_measure, police)
    assert [d.code for d in disclosure_list(actor=police_liaison)] == [disclosure.code]
    view = present_liaison_disclosures(
        police_liaison, [disclosure_get(actor=police_liaison, code=disclosure.code)], via="test"
    )[0]
    assert view.fields == {
        "defender_code": lucia.code,
        "subdivision": "CO-VAC",
        "measure_kind": "police_protection",
        "area": "Comuna 18, Cali",
        "schedule_needs": "Weekdays 06:00-20:00",
    }
    text = repr(view)
    for canary in (CANARY_NAME, CANARY_LOCALITY, CANARY_PHONE, CANARY_NARRATIVE, "DETAILS-CANARY"):
        assert canary not in text
    assert AuditEvent.objects.filter(action="disclosure.read", actor_id=police_liaison.pk).exists()
    # The liaison reaches no measure, defender or incident through the staff selectors.
    with pytest.raises(Http404):
        measure_get(actor=police_liaison, code=police_measure.code)


def test_other_entities_liaisons_see_nothing(coordinator, lucia, police_measure, police, liaison):
    disclosure = disclose(coordinator, lucia, police_measure, police)
    assert list(disclosure_list(actor=liaison)) == []
    with pytest.raises(Http404):
        disclosure_get(actor=liaison, code=disclosure.code)


def test_accept_reject_and_revoke(coordinator, lucia, police_measure, police, police_liaison):
    first = disclose(coordinator, lucia, police_measure, police)
    with pytest.raises(PermissionDenied):
        disclosure_respond(actor=coordinator, disclosure=first, accept=True)
    with pytest.raises(ValidationError):
        disclosure_respond(actor=police_liaison, disclosure=first, accept=False)
    disclosure_respond(actor=police_liaison, disclosure=first, accept=False, reason="No staff")
    assert Disclosure.objects.get(pk=first.pk).response_reason == "No staff"
    # A rejected disclosure is gone from the liaison's view.
    assert list(disclosure_list(actor=police_liaison)) == []
    second = disclose(coordinator, lucia, police_measure, police)
    disclosure_respond(actor=police_liaison, disclosure=second, accept=True)
    with pytest.raises(PermissionDenied):
        disclosure_respond(actor=police_liaison, disclosure=second, accept=True)
    disclosure_revoke(actor=coordinator, disclosure=second)
    assert list(disclosure_list(actor=police_liaison)) == []
    with pytest.raises(PermissionDenied):
        liaison_report_in_place(actor=police_liaison, disclosure=second)


def test_implementation_reports_need_an_accepted_disclosure(
    coordinator, lucia, police_measure, police, police_liaison
):
    disclosure = disclose(coordinator, lucia, police_measure, police)
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        liaison_report_in_place(actor=police_liaison, disclosure=disclosure)
    with pytest.raises(PermissionDenied):
        liaison_report_feedback(
            actor=police_liaison, disclosure=disclosure, data=FeedbackData(works="yes")
        )
    assert AuditEvent.objects.count() == events and not MeasureFeedback.objects.exists()
    disclosure_respond(actor=police_liaison, disclosure=disclosure, accept=True)
    liaison_report_in_place(actor=police_liaison, disclosure=disclosure, note="Two officers")
    police_measure.refresh_from_db()
    assert police_measure.status == "in_place"
    assert police_measure.history.last().by_label == "police_liaison"
    liaison_report_feedback(
        actor=police_liaison,
        disclosure=disclosure,
        data=FeedbackData(works="partly", trusts_provider="yes", comment="Shift gaps"),
    )
    feedback = MeasureFeedback.objects.get()
    assert (feedback.source, feedback.trusts_provider) == ("provider", "")


def test_journey_6_at_the_service_level(
    coordinator, officer, lucia, police, police_liaison, trained_ngo
):
    """Police protection approved and disclosed; the liaison sees only the whitelist; Lucía
    refuses (the local police are among the suspects); accompaniment by a trained NGO replaces
    it; the refusal rate for police protection goes up by one."""
    before = refusals_by_kind(actor=coordinator).get("police_protection", {"refused": 0})
    measure = measure_request(
        actor=officer,
        defender=lucia,
        data=MeasureData(
            kind="police_protection",
            provider=police,
            provider_override_reason="State protection unit",
            details=DETAILS,
        ),
    )
    measure_transition(actor=coordinator, measure=measure, to_status="approved")
    disclosure = disclose(coordinator, lucia, measure, police)
    disclosure_respond(actor=police_liaison, disclosure=disclosure, accept=True)
    view = present_liaison_disclosures(police_liaison, [disclosure], via="test")[0]
    assert set(view.fields) == set(FIELDS)
    measure_transition(
        actor=officer,
        measure=measure,
        to_status="refused_by_defender",
        reason="The local police are among the suspects",
    )
    replacement = measure_replace(
        actor=officer,
        measure=measure,
        data=MeasureData(kind="protective_accompaniment", provider=trained_ngo),
    )
    measure_transition(actor=coordinator, measure=replacement, to_status="approved")
    measure_transition(actor=officer, measure=replacement, to_status="in_place")
    after = refusals_by_kind(actor=coordinator)["police_protection"]
    assert after["refused"] == before["refused"] + 1
    measure.refresh_from_db()
    assert measure.replaced_by == replacement and replacement.provider == trained_ngo
    # The refused measure can no longer be reported on by the police liaison.
    with pytest.raises(ValidationError):
        liaison_report_in_place(actor=police_liaison, disclosure=disclosure)
