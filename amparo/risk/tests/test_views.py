"""Risk pages persona by persona: exact statuses, no row or event from a denied action, and
analysts never see the instrument, rationale or notes."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from amparo.audit.models import AuditEvent
from amparo.coordination.models import Task
from amparo.risk.models import Procedure, RiskAssessment
from amparo.risk.procedures import procedure_open
from amparo.risk.services import assessment_create
from amparo.risk.tests.factories import INSTRUMENT_CANARY, NOW, RATIONALE_CANARY, make_data
from amparo.tests.helpers import assert_no_inline_script, logged_in

pytestmark = pytest.mark.django_db
STAFF = [
    "coordinator",
    "officer",
    "other_officer",
    "foreign_coordinator",
    "analyst",
    "liaison",
    "auditor",
    "admin_user",
]


@pytest.fixture
def submitted(world, officer):
    return assessment_create(
        actor=officer, defender=world.team_defender, data=make_data(), submit=True, now=NOW
    )


def _status(request, persona, method, url, data=None, before=None):
    """The answer to a request by the persona; with before (a dict), the audit count taken
    after signing in and before the request is stored in it."""
    client = logged_in(request.getfixturevalue(persona))
    if before is not None:
        before["events"] = AuditEvent.objects.count()
    return client.post(url, data or {}) if method == "post" else client.get(url)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 200),
        ("officer", 200),
        ("other_officer", 404),
        ("foreign_coordinator", 404),
        ("analyst", 200),
        ("liaison", 403),
        ("auditor", 403),
        ("admin_user", 403),
    ],
)
def test_detail_and_history(request, world, submitted, persona, expected):
    detail = _status(
        request, persona, "get", reverse("risk:assessment_detail", args=[submitted.code])
    )
    history = _status(
        request, persona, "get", reverse("risk:assessment_history", args=[world.team_defender.code])
    )
    assert (detail.status_code, history.status_code) == (expected, expected)
    if expected == 200:
        html = detail.content.decode()
        assert_no_inline_script(html)
        assert "T 3 × V 3 ÷ C 1 = 9.0 ≥ 6 → high" in html
        shown = persona != "analyst"
        assert (INSTRUMENT_CANARY in html) is shown
        assert (RATIONALE_CANARY in html) is shown
        assert "Interviewed at the office" in html if shown else "Interviewed" not in html


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 200),
        ("officer", 200),
        ("other_officer", 404),
        ("foreign_coordinator", 404),
        ("analyst", 403),
        ("liaison", 403),
        ("auditor", 403),
        ("admin_user", 403),
    ],
)
def test_create_page(request, world, persona, expected):
    url = reverse("risk:assessment_create", args=[world.team_defender.code])
    response = _status(request, persona, "get", url)
    assert response.status_code == expected
    if expected == 200:
        html = response.content.decode()
        assert_no_inline_script(html)
        assert "5. Feasibility" in html and 'name="c_networks_score"' in html


def _form_data(**overrides):
    data = {
        "assessed_on": "2026-11-19",
        "threat": "3",
        "vulnerability": "3",
        "capacity": "1",
        "colombian_criteria": [],
        "horizon": "short",
        "participation": "consulted",
        "participation_note": "By phone",
        "rationale": "Rising threats",
        "level": "",
        "threat0_facts": "Pamphlet",
        "threat0_pattern": "Third one",
        "threat0_objective": "Silence her",
        "threat0_author": "Armed group",
        "threat0_feasibility": "Has acted before",
        "v_location_score": "4",
        "v_location_evidence": "Rural",
        "c_networks_score": "1",
        "action": "submit",
    }
    data.update(overrides)
    return data


def test_preview_shows_the_rule_and_writes_nothing(world, officer):
    client = logged_in(officer)
    url = reverse("risk:assessment_create", args=[world.team_defender.code])
    before = AuditEvent.objects.count()
    response = client.post(url, _form_data(action="preview"))
    assert response.status_code == 200
    assert "T 3 × V 3 ÷ C 1 = 9.0 ≥ 6 → high" in response.content.decode()
    assert not RiskAssessment.objects.exists()
    assert AuditEvent.objects.count() == before


def test_submit_from_the_form(world, officer):
    client = logged_in(officer)
    url = reverse("risk:assessment_create", args=[world.team_defender.code])
    response = client.post(url, _form_data())
    assessment = RiskAssessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("risk:assessment_detail", args=[assessment.code])
    assert assessment.status == "submitted"
    assert assessment.instrument["vulnerabilities"] == [
        {"code": "location", "score": 4, "evidence": "Rural"}
    ]
    assert assessment.instrument["threats"][0]["facts"] == "Pamphlet"


def test_save_draft_then_edit_and_submit(world, officer):
    client = logged_in(officer)
    url = reverse("risk:assessment_create", args=[world.team_defender.code])
    client.post(url, _form_data(action="save"))
    assessment = RiskAssessment.objects.get()
    assert assessment.status == "draft"
    edit = reverse("risk:assessment_edit", args=[assessment.code])
    page = client.get(edit)
    assert page.status_code == 200 and "Pamphlet" in page.content.decode()
    response = client.post(edit, _form_data(threat="4", action="submit"))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.status, assessment.threat, assessment.level) == ("submitted", 4, "extreme")


def test_invalid_form_shows_the_service_error(world, officer):
    client = logged_in(officer)
    url = reverse("risk:assessment_create", args=[world.team_defender.code])
    response = client.post(url, _form_data(level="low"))
    assert response.status_code == 200
    assert "needs a justification" in response.content.decode()
    assert not RiskAssessment.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 302),
        ("officer", 403),
        ("other_officer", 404),
        ("foreign_coordinator", 404),
        ("analyst", 403),
        ("liaison", 403),
        ("auditor", 403),
        ("admin_user", 403),
    ],
)
def test_approve(request, submitted, persona, expected):
    before = AuditEvent.objects.filter(action="assessment.approve").count()
    url = reverse("risk:assessment_approve", args=[submitted.code])
    assert _status(request, persona, "post", url).status_code == expected
    submitted.refresh_from_db()
    approved = expected == 302
    assert (submitted.status == "approved") is approved
    assert AuditEvent.objects.filter(action="assessment.approve").count() == before + approved


def test_the_author_coordinator_is_told_about_four_eyes(world, coordinator):
    assessment = assessment_create(
        actor=coordinator, defender=world.team_defender, data=make_data(), submit=True
    )
    client = logged_in(coordinator)
    page = client.get(reverse("risk:assessment_detail", args=[assessment.code]))
    assert "another coordinator must decide" in page.content.decode()
    assert (
        client.post(reverse("risk:assessment_approve", args=[assessment.code])).status_code == 403
    )


def test_reject_needs_a_reason(submitted, coordinator):
    client = logged_in(coordinator)
    url = reverse("risk:assessment_reject", args=[submitted.code])
    assert client.post(url, {"reason": ""}).status_code == 422
    assert client.post(url, {"reason": "Thin evidence"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "rejected"


def test_defender_page_shows_the_risk_section(world, coordinator, officer):
    procedure_open(
        actor=officer, defender=world.team_defender, kind="urgent", reason="Men at the door"
    )
    client = logged_in(coordinator)
    html = client.get(reverse("registry:defender_detail", args=[world.team_defender.code])).content
    page = html.decode()
    assert "h-risk" in page and "New assessment" in page and "Open a procedure" in page
    assert " h left" in page
    section = page[page.index('id="h-risk"') : page.index('id="h-relatives"')]
    assert 'name="csrfmiddlewaretoken"' in section
    assert_no_inline_script(page)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 302),
        ("officer", 302),
        ("other_officer", 404),
        ("foreign_coordinator", 404),
        ("analyst", 403),
        ("liaison", 403),
        ("auditor", 403),
        ("admin_user", 403),
    ],
)
def test_open_urgent_procedure_from_the_defender_page(request, world, persona, expected):
    url = reverse("risk:procedure_open", args=[world.team_defender.code])
    before: dict[str, int] = {}
    data = {"kind": "urgent", "reason": "Imminent"}
    assert _status(request, persona, "post", url, data, before).status_code == expected
    opened = expected == 302
    assert Procedure.objects.exists() is opened
    assert Task.objects.exists() is opened
    if not opened:
        assert AuditEvent.objects.count() == before["events"]


def test_procedure_list_countdown_and_order(world, officer, coordinator, fixed_clock):
    ordinary = procedure_open(
        actor=officer, defender=world.team_defender, kind="ordinary", reason="Request"
    )
    fixed_clock["now"] = NOW + datetime.timedelta(hours=1)
    urgent = procedure_open(
        actor=officer, defender=world.team_defender, kind="urgent", reason="Imminent"
    )
    fixed_clock["now"] = NOW + datetime.timedelta(hours=5)
    page = logged_in(coordinator).get(reverse("risk:procedure_list")).content.decode()
    assert page.index(urgent.code) < page.index(ordinary.code)
    assert "overdue (-1.0 h)" in page  # decide by NOW + 4 h
    assert "715.0 h left" in page  # study by NOW + 30 days


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 302),
        ("officer", 302),
        ("other_officer", 404),
        ("analyst", 403),
        ("liaison", 403),
    ],
)
def test_procedure_actions(request, world, officer, persona, expected):
    procedure = procedure_open(
        actor=officer, defender=world.team_defender, kind="urgent", reason="Imminent"
    )
    url = reverse("risk:procedure_action", args=[procedure.code, "decided"])
    assert _status(request, persona, "post", url).status_code == expected
    procedure.refresh_from_db()
    assert (procedure.decided_at is not None) is (expected == 302)


def test_analyst_sees_procedures_without_reasons(world, officer, analyst):
    procedure_open(
        actor=officer, defender=world.team_defender, kind="urgent", reason=RATIONALE_CANARY
    )
    page = logged_in(analyst).get(reverse("risk:procedure_list")).content.decode()
    assert "urgent" in page and RATIONALE_CANARY not in page
    assert "Measures decided" not in page
