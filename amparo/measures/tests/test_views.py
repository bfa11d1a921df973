"""Measures pages persona by persona, journey 6 through the pages, and the liaison's view:
never a name, locality, contact, narrative or private detail (canaries), never a registry or
incident page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from amparo.audit.models import AuditEvent
from amparo.measures.models import Disclosure, Measure, MeasureFeedback
from amparo.measures.selectors import refusals_by_kind
from amparo.measures.services import (
    DisclosureData,
    MeasureData,
    disclosure_create,
    measure_request,
    measure_transition,
)
from amparo.tests.helpers import assert_no_inline_script, logged_in

from .conftest import (
    CANARY_LOCALITY,
    CANARY_NAME,
    CANARY_NARRATIVE,
    CANARY_NOTE,
    CANARY_PHONE,
    CANARY_REFUSAL,
)

pytestmark = pytest.mark.django_db
CANARIES = (CANARY_NAME, CANARY_LOCALITY, CANARY_PHONE, CANARY_NARRATIVE, CANARY_NOTE, "Lucía")
DETAILS = {
    "area": "Comuna 18",
    "schedule_needs": "Nights",
    "contact_channel": "Hotline",
    "notes": CANARY_NOTE,
}


@pytest.fixture
def measure(coordinator, lucia):
    return measure_request(
        actor=coordinator,
        defender=lucia,
        data=MeasureData(kind="panic_button", details=DETAILS),
    )


@pytest.fixture
def disclosure(coordinator, lucia, measure, police):
    measure_transition(actor=coordinator, measure=measure, to_status="approved")
    return disclosure_create(
        actor=coordinator,
        defender=lucia,
        data=DisclosureData(
            to_entity=police,
            fields=["defender_code", "subdivision", "measure_kind", "area", "schedule_needs"],
            measure=measure,
            override_reason="Imminent danger",
        ),
    )


def client_for(request, persona):
    if persona == "anonymous":
        return Client()
    return logged_in(request.getfixturevalue(persona))


# Exact status per persona; 302 = sent to the login page.
STAFF_PAGE = {
    "coordinator": 200,
    "officer": 200,
    "other_officer": 200,
    "foreign_coordinator": 200,
    "analyst": 200,
    "liaison": 403,
    "police_liaison": 403,
    "auditor": 403,
    "admin_user": 403,
    "defender_user": 403,
    "inactive_coordinator": 302,
    "anonymous": 302,
}
DETAIL_PAGE = {**STAFF_PAGE, "other_officer": 404, "foreign_coordinator": 404}
WORK_PAGE = {**DETAIL_PAGE, "analyst": 403}
PLAN_PAGE = {**WORK_PAGE, "defender_user": 404}
# Coordinators, officers and liaisons open the inbox (each sees only their own disclosures).
INBOX = {
    **WORK_PAGE,
    "other_officer": 200,
    "foreign_coordinator": 200,
    "liaison": 200,
    "police_liaison": 200,
}
DISCLOSURE_PAGE = {
    **INBOX,
    "other_officer": 404,
    "foreign_coordinator": 404,
    "liaison": 404,
    "police_liaison": 200,
}


@pytest.mark.parametrize("persona", list(STAFF_PAGE))
def test_persona_matrix(request, persona, measure, disclosure, lucia, world, defender_user):
    client = client_for(request, persona)
    pages = [
        (reverse("measures:measure_list"), STAFF_PAGE),
        (reverse("measures:overview"), STAFF_PAGE),
        (reverse("measures:measure_detail", args=[measure.code]), DETAIL_PAGE),
        (reverse("measures:measure_create", args=[lucia.code]), WORK_PAGE),
        (reverse("measures:measure_replace", args=[measure.code]), WORK_PAGE),
        (reverse("measures:relocation", args=[measure.code]), WORK_PAGE),
        (reverse("measures:interim", args=[measure.code]), WORK_PAGE),
        (reverse("measures:safety_plan", args=[lucia.code]), PLAN_PAGE),
        (reverse("measures:disclosure_list"), INBOX),
        (reverse("measures:disclosure_detail", args=[disclosure.code]), DISCLOSURE_PAGE),
    ]
    for url, expected in pages:
        response = client.get(url)
        want = expected[persona]
        assert response.status_code == want, (url, response.status_code)
        if want == 200:
            assert_no_inline_script(response.content.decode())


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("coordinator", 200),
        ("officer", 403),
        ("other_officer", 404),
        ("analyst", 403),
        ("police_liaison", 403),
        ("anonymous", 302),
    ],
)
def test_disclose_page(request, persona, expected, measure):
    response = client_for(request, persona).get(
        reverse("measures:disclosure_create", args=[measure.code])
    )
    assert response.status_code == expected


def test_the_defender_reads_their_own_safety_plan(defender_user, world, officer):
    from amparo.measures.services import safety_plan_save

    safety_plan_save(actor=officer, defender=world.team_defender, text="Vary your routes")
    response = logged_in(defender_user).get(
        reverse("measures:safety_plan", args=[world.team_defender.code])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vary your routes" in html and "<textarea" not in html
    assert (
        logged_in(defender_user)
        .post(reverse("measures:safety_plan", args=[world.team_defender.code]), {"text": "x"})
        .status_code
        == 403
    )


def test_analyst_sees_no_details(analyst, measure):
    html = logged_in(analyst).get(reverse("measures:measure_detail", args=[measure.code]))
    html = html.content.decode()
    assert CANARY_NOTE not in html and "Comuna 18" not in html
    assert "Not shown to your role" in html


def test_the_defender_page_has_a_measures_section(coordinator, analyst, lucia, measure):
    url = reverse("registry:defender_detail", args=[lucia.code])
    html = logged_in(coordinator).get(url).content.decode()
    assert measure.code in html
    assert reverse("measures:measure_create", args=[lucia.code]) in html
    assert reverse("measures:safety_plan", args=[lucia.code]) in html
    html = logged_in(analyst).get(url).content.decode()
    assert measure.code in html
    assert reverse("measures:measure_create", args=[lucia.code]) not in html


@pytest.mark.parametrize(
    "persona", ["officer", "other_officer", "analyst", "police_liaison", "auditor"]
)
def test_denied_approval_leaves_nothing(request, persona, measure):
    client = client_for(request, persona)
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("measures:measure_transition", args=[measure.code]), {"to_status": "approved"}
    )
    assert response.status_code in {403, 404}
    measure.refresh_from_db()
    assert measure.status == "requested" and AuditEvent.objects.count() == events


def test_liaison_is_kept_out_of_registry_and_incidents(police_liaison, disclosure, lucia):
    client = logged_in(police_liaison)
    for url in (
        reverse("registry:defender_list"),
        reverse("registry:defender_detail", args=[lucia.code]),
        reverse("incidents:incident_list"),
        reverse("measures:measure_list"),
        reverse("measures:measure_detail", args=[disclosure.measure.code]),
    ):
        assert client.get(url).status_code == 403, url


def test_liaison_html_holds_only_whitelisted_values(police_liaison, disclosure, lucia):
    client = logged_in(police_liaison)
    inbox = client.get(reverse("measures:disclosure_list")).content.decode()
    assert disclosure.code in inbox
    html = client.get(reverse("measures:disclosure_detail", args=[disclosure.code]))
    html = html.content.decode()
    assert lucia.code in html and "Comuna 18" in html and "Nights" in html
    assert "Hotline" not in html  # contact_channel was not among the disclosed fields
    for canary in CANARIES:
        assert canary not in html, canary


def test_journey_6_through_the_pages(
    coordinator, officer, police_liaison, lucia, police, trained_ngo
):
    before = refusals_by_kind(actor=coordinator).get("police_protection", {"refused": 0})
    staff = logged_in(officer)
    response = staff.post(
        reverse("measures:measure_create", args=[lucia.code]),
        {
            "kind": "police_protection",
            "provider": police.pk,
            "area": "Comuna 18",
            "schedule_needs": "Nights",
            "notes": CANARY_NOTE,
        },
    )
    assert response.status_code == 200 and "not trained" in response.content.decode()
    response = staff.post(
        reverse("measures:measure_create", args=[lucia.code]),
        {
            "kind": "police_protection",
            "provider": police.pk,
            "provider_override_reason": "The State's own unit",
            "area": "Comuna 18",
            "schedule_needs": "Nights",
            "notes": CANARY_NOTE,
        },
    )
    assert response.status_code == 302
    measure = Measure.objects.get(kind="police_protection")
    boss = logged_in(coordinator)
    step = reverse("measures:measure_transition", args=[measure.code])
    assert boss.post(step, {"to_status": "approved", "note": "Urgent"}).status_code == 302
    response = boss.post(
        reverse("measures:disclosure_create", args=[measure.code]),
        {
            "to_entity": police.pk,
            "disclosed": ["defender_code", "subdivision", "measure_kind", "area", "schedule_needs"],
            "override_reason": "Imminent danger",
        },
    )
    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    liaison = logged_in(police_liaison)
    respond = reverse("measures:disclosure_respond", args=[disclosure.code])
    assert liaison.post(respond, {"decision": "accept"}).status_code == 302
    html = liaison.get(reverse("measures:disclosure_detail", args=[disclosure.code]))
    html = html.content.decode()
    assert "Comuna 18" in html and "Nights" in html
    for canary in CANARIES:
        assert canary not in html
    # Lucía refuses: the local police are among the suspects.
    response = staff.post(step, {"to_status": "refused_by_defender"})
    measure.refresh_from_db()
    assert measure.status == "approved"
    staff.post(step, {"to_status": "refused_by_defender", "reason": CANARY_REFUSAL})
    measure.refresh_from_db()
    assert measure.status == "refused_by_defender"
    response = staff.post(
        reverse("measures:measure_replace", args=[measure.code]),
        {"kind": "protective_accompaniment", "provider": trained_ngo.pk, "note": "Refused police"},
    )
    assert response.status_code == 302
    replacement = Measure.objects.get(kind="protective_accompaniment")
    assert replacement.provider == trained_ngo
    detail = boss.get(reverse("measures:measure_detail", args=[measure.code])).content.decode()
    assert CANARY_REFUSAL in detail and replacement.code in detail
    after = refusals_by_kind(actor=coordinator)["police_protection"]
    assert after["refused"] == before["refused"] + 1
    overview = boss.get(reverse("measures:overview")).content.decode()
    assert "Police protection" in overview
    # The police liaison can no longer report the refused measure in place.
    report = reverse("measures:disclosure_report", args=[disclosure.code])
    liaison.post(report, {"report": "in_place"})
    measure.refresh_from_db()
    assert measure.status == "refused_by_defender"
    html = liaison.get(reverse("measures:disclosure_detail", args=[disclosure.code]))
    assert CANARY_REFUSAL not in html.content.decode()


def test_liaison_reports_implementation_through_the_page(coordinator, police_liaison, disclosure):
    liaison = logged_in(police_liaison)
    report = reverse("measures:disclosure_report", args=[disclosure.code])
    # Pending: no report possible yet.
    assert liaison.post(report, {"report": "in_place"}).status_code == 403
    liaison.post(
        reverse("measures:disclosure_respond", args=[disclosure.code]), {"decision": "accept"}
    )
    assert liaison.post(report, {"report": "in_place", "note": "Two agents"}).status_code == 302
    disclosure.measure.refresh_from_db()
    assert disclosure.measure.status == "in_place"
    assert liaison.post(report, {"report": "feedback", "works": "partly"}).status_code == 302
    assert MeasureFeedback.objects.get().source == "provider"


def test_liaison_rejects_with_a_reason(police_liaison, disclosure):
    liaison = logged_in(police_liaison)
    respond = reverse("measures:disclosure_respond", args=[disclosure.code])
    liaison.post(respond, {"decision": "reject"})
    disclosure.refresh_from_db()
    assert disclosure.status == "pending"
    assert liaison.post(respond, {"decision": "reject", "reason": "No staff"}).status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.status == "rejected"
    detail = reverse("measures:disclosure_detail", args=[disclosure.code])
    assert liaison.get(detail).status_code == 404


def test_admin_records_a_providers_training(admin_user, police):
    before = AuditEvent.objects.count()
    response = logged_in(admin_user).post(
        f"/admin/accounts/entity/{police.pk}/change/",
        {
            "name": police.name,
            "kind": "police",
            "country": "CO",
            "training_status": "certified",
            "trained_until": "2030-01-31",
        },
    )
    assert response.status_code == 302
    police.refresh_from_db()
    assert (police.training_status, str(police.trained_until)) == ("certified", "2030-01-31")
    events = list(AuditEvent.objects.filter(seq__gt=before).values_list("action", "fields"))
    assert events == [("entity.update", ["trained_until", "training_status"])]


def test_navigation_filter(coordinator, analyst, police_liaison, auditor):
    from amparo.measures.templatetags.measures_ui import may_open_measures

    assert [may_open_measures(u, "measures") for u in (coordinator, analyst, police_liaison)] == [
        True,
        True,
        False,
    ]
    assert [
        may_open_measures(u, "disclosures") for u in (coordinator, police_liaison, auditor)
    ] == [
        True,
        True,
        False,
    ]


# persona -> (feedback, respond, report, revoke) on the measure and its pending disclosure.
PAGE_WRITES = {
    "coordinator": (302, 403, 403, 302),
    "officer": (302, 403, 403, 403),
    "other_officer": (404, 404, 404, 404),
    "analyst": (403, 403, 403, 403),
    "liaison": (403, 404, 404, 404),
    "police_liaison": (403, 302, 302, 403),  # accepted, then reported in place
    "auditor": (403, 403, 403, 403),
    "anonymous": (302, 302, 302, 302),
}


@pytest.mark.parametrize("persona", list(PAGE_WRITES))
def test_page_write_matrix(request, persona, measure, disclosure):
    client = client_for(request, persona)
    code = disclosure.code
    answers = (
        client.post(reverse("measures:measure_feedback", args=[measure.code]), {"works": "yes"}),
        client.post(reverse("measures:disclosure_respond", args=[code]), {"decision": "accept"}),
        client.post(reverse("measures:disclosure_report", args=[code]), {"report": "in_place"}),
        client.post(reverse("measures:disclosure_revoke", args=[code])),
    )
    assert tuple(answer.status_code for answer in answers) == PAGE_WRITES[persona]
