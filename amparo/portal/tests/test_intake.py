"""The intake queue: who sees which reports, accepting into an existing or a new defender's
case (audited, one time), rejecting with a reason, and denied actions that change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from amparo.audit.models import AuditEvent
from amparo.coordination.models import Task
from amparo.core.crypto import CryptoError
from amparo.incidents.models import Attachment, Incident
from amparo.portal.models import SelfReport
from amparo.portal.services import ReportContent, Upload, report_file_path, report_submit
from amparo.registry.models import Defender
from amparo.tests.helpers import assert_no_inline_script, logged_in

from .conftest import CANARY, YESTERDAY
from .test_self_report import PNG

pytestmark = pytest.mark.django_db


def _content(**overrides):
    values = {
        "what_happened": CANARY,
        "occurred_on": YESTERDAY,
        "country": "CO",
        "subdivision": "CO-ANT",
        "violations": ["death_threat"],
        "place_detail": "Vereda El Mango",
    }
    values.update(overrides)
    return ReportContent(**values)


@pytest.fixture
def anonymous_report(entity):
    photo = Upload("threat.png", __import__("io").BytesIO(PNG))
    report, _code = report_submit(actor=None, content=_content(), uploads=[photo])
    return report


@pytest.fixture
def defender_report(world, defender_user):
    report, _code = report_submit(actor=defender_user, content=_content())
    return report


def _snapshot(report):
    report.refresh_from_db()
    return (
        report.status,
        report.incident_id,
        Incident.objects.count(),
        Defender.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(
    ("persona", "queue", "detail"),
    [
        ("coordinator", 200, 200),
        ("officer", 200, 200),
        ("other_officer", 200, 200),
        ("foreign_coordinator", 200, 404),
        ("analyst", 403, 403),
        ("liaison", 403, 403),
        ("auditor", 403, 403),
        ("defender_user", 403, 403),
    ],
)
def test_the_anonymous_report_is_for_the_intake_entity_staff(
    request, world, anonymous_report, persona, queue, detail
):
    client = logged_in(request.getfixturevalue(persona))
    response = client.get(reverse("portal:queue"))
    assert response.status_code == queue
    if queue == 200:
        html = response.content.decode()
        assert_no_inline_script(html)
        assert (anonymous_report.code in html) == (detail == 200)
    url = reverse("portal:report_detail", args=[anonymous_report.code])
    response = client.get(url)
    assert response.status_code == detail
    if detail == 200:
        html = response.content.decode()
        assert_no_inline_script(html)
        assert CANARY in html and "Vereda El Mango" in html
        assert AuditEvent.objects.filter(action="selfreport.read").exists()


def test_a_defenders_report_is_seen_as_their_case_is(world, defender_report, request):
    # The team case's team is [officer]; other_officer is of the same entity but not on it.
    url = reverse("portal:report_detail", args=[defender_report.code])
    for persona, status in [
        ("coordinator", 200),
        ("officer", 200),
        ("other_officer", 404),
        ("foreign_coordinator", 404),
    ]:
        client = logged_in(request.getfixturevalue(persona))
        assert client.get(url).status_code == status, persona


def test_accept_into_an_existing_defenders_case(
    world, coordinator, anonymous_report, django_capture_on_commit_callbacks
):
    client = logged_in(coordinator)
    url = reverse("portal:accept_existing", args=[anonymous_report.code])
    own_key = anonymous_report.data_key
    file_copy = report_file_path(anonymous_report.files.get())
    assert file_copy.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"existing-defender": world.team_defender.code, "existing-reply": "We will call."}
        )
    assert response.status_code == 302
    # The report now lives under the defender's key (shredding them erases it); its own key
    # is destroyed and its copy of the file is gone (the file is on the incident).
    fresh = SelfReport.objects.get(pk=anonymous_report.pk)
    assert fresh.data_key_id == world.team_defender.data_key_id
    assert ReportContent.from_json(fresh.content).what_happened == CANARY
    own_key.refresh_from_db()
    assert own_key.wrapped is None and own_key.shredded_at is not None
    assert not file_copy.exists()
    anonymous_report.refresh_from_db()
    incident = Incident.objects.get()
    assert anonymous_report.status == "accepted" and anonymous_report.incident == incident
    assert anonymous_report.case == world.team_case and anonymous_report.reply == "We will call."
    assert anonymous_report.decided_by == coordinator
    assert incident.case == world.team_case
    assert list(incident.victim_defenders.all()) == [world.team_defender]
    assert incident.violation_codes == ["death_threat"]
    assert (incident.date, incident.country, incident.subdivision) == (YESTERDAY, "CO", "CO-ANT")
    assert incident.narrative == CANARY and incident.locality == "Vereda El Mango"
    assert incident.sources == [f"Self-report {anonymous_report.code}"]
    attachment = Attachment.objects.get(incident=incident)
    report_file = anonymous_report.files.get()
    assert report_file.attachment == attachment and attachment.sha256 == report_file.sha256
    accept = AuditEvent.objects.get(action="selfreport.accept")
    assert accept.detail == {
        "code": anonymous_report.code,
        "incident": incident.code,
        "defender": world.team_defender.code,
        "new_defender": False,
    }
    assert Task.objects.get(subject_type="selfreport").status == "done"
    # One time only: a second decision changes nothing.
    before = _snapshot(anonymous_report)
    again = client.post(url, {"existing-defender": world.team_defender.code})
    assert again.status_code == 403
    reject = client.post(reverse("portal:reject", args=[anonymous_report.code]), {"reason": "x"})
    assert reject.status_code == 403
    assert _snapshot(anonymous_report) == before


def test_accept_needs_a_defender_the_officer_works(world, officer, anonymous_report):
    client = logged_in(officer)
    before = _snapshot(anonymous_report)
    url = reverse("portal:accept_existing", args=[anonymous_report.code])
    for code in (world.unassigned_defender.code, world.foreign_defender.code):
        response = client.post(url, {"existing-defender": code})
        assert response.status_code == 200
    assert _snapshot(anonymous_report)[:4] == before[:4]


def test_accept_registers_a_new_defender_after_the_duplicate_warning(world, coordinator, entity):
    name = world.names["unassigned"]
    report, _code = report_submit(actor=None, content=_content(person_name=name, targeted="other"))
    client = logged_in(coordinator)
    page = client.get(reverse("portal:report_detail", args=[report.code])).content.decode()
    assert "Possible duplicates." in page and world.unassigned_defender.code in page
    url = reverse("portal:accept_new", args=[report.code])
    form = {
        "new-name": name,
        "new-gender": "unknown",
        "new-categories": ["land_environment"],
        "new-country": "CO",
        "new-subdivision": "CO-ANT",
        "new-status": "active",
    }
    before = _snapshot(report)
    response = client.post(url, form)
    assert response.status_code == 200 and "Possible duplicates" in response.content.decode()
    assert _snapshot(report)[:4] == before[:4]
    response = client.post(url, {**form, "new-register_anyway": "on"})
    assert response.status_code == 302
    report.refresh_from_db()
    new = Defender.objects.exclude(pk__in=[d.pk for d in world.defenders]).get()
    assert new.name == name and new.case.lead_entity == entity
    assert report.status == "accepted" and report.case == new.case
    assert list(report.incident.victim_defenders.all()) == [new]
    assert AuditEvent.objects.get(action="selfreport.accept").detail["new_defender"] is True


def test_reject_with_a_reason(world, officer, anonymous_report):
    client = logged_in(officer)
    url = reverse("portal:reject", args=[anonymous_report.code])
    assert client.post(url, {"reason": ""}).status_code == 200
    assert SelfReport.objects.get().status == "received"
    response = client.post(url, {"reason": "We cannot act outside Colombia."})
    assert response.status_code == 302
    anonymous_report.refresh_from_db()
    assert anonymous_report.status == "rejected" and anonymous_report.incident is None
    assert anonymous_report.reply == "We cannot act outside Colombia."
    event = AuditEvent.objects.get(action="selfreport.reject")
    assert event.detail == {"code": anonymous_report.code} and event.fields == ["reply", "status"]
    assert not Incident.objects.exists()


@pytest.mark.parametrize("action", ["accept_existing", "accept_new", "reject"])
def test_staff_of_another_entity_change_nothing(
    world, foreign_coordinator, anonymous_report, action
):
    before = _snapshot(anonymous_report)
    client = logged_in(foreign_coordinator)
    data = {"existing-defender": world.foreign_defender.code, "reason": "no"}
    response = client.post(reverse(f"portal:{action}", args=[anonymous_report.code]), data)
    assert response.status_code == 404
    assert _snapshot(anonymous_report) == before


def test_report_content_is_sealed_under_its_own_key(world, anonymous_report, defender_report):
    assert anonymous_report.data_key_id != defender_report.data_key_id
    assert anonymous_report.data_key_id != world.team_defender.data_key_id
    from amparo.core.keystore import data_key_shred

    data_key_shred(anonymous_report.data_key)
    fresh = SelfReport.objects.get(pk=anonymous_report.pk)
    with pytest.raises(CryptoError):
        _ = fresh.content


def test_shredding_the_defender_erases_an_accepted_report(world, coordinator, anonymous_report):
    from amparo.portal.services import report_accept
    from amparo.registry.services import defender_shred

    report_accept(
        actor=coordinator, report=anonymous_report, defender=world.team_defender, reply="Seen."
    )
    defender_shred(actor=coordinator, defender=world.team_defender)
    fresh = SelfReport.objects.get(pk=anonymous_report.pk)
    with pytest.raises(CryptoError):
        _ = fresh.content
    with pytest.raises(CryptoError):
        _ = fresh.reply


def test_staff_open_a_waiting_reports_file(
    world, coordinator, foreign_coordinator, anonymous_report
):
    report_file = anonymous_report.files.get()
    url = reverse("portal:report_file", args=[anonymous_report.code, report_file.pk])
    response = logged_in(coordinator).get(url)
    assert response.status_code == 200 and response.content == PNG
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    event = AuditEvent.objects.get(action="selfreport.file_read")
    assert event.detail == {"code": anonymous_report.code, "sha256": report_file.sha256}
    events = AuditEvent.objects.count()
    assert logged_in(foreign_coordinator).get(url).status_code == 404
    assert AuditEvent.objects.count() == events
