"""The public self-report: with and without an account, files and their limits, the follow-up
code, CSRF, rate limits, and that nothing the reporter typed is stored or logged in the clear."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from amparo.audit.models import AuditEvent
from amparo.coordination.models import Task
from amparo.core.tests.samples import image
from amparo.portal.models import ReportFile, SelfReport
from amparo.portal.services import ReportContent, followup_digest, report_file_path
from amparo.tests.helpers import assert_no_inline_script, logged_in

from .conftest import CANARY, report_post

pytestmark = pytest.mark.django_db
FOLLOWUP = re.compile(r"\b([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})\b")
PNG = image("PNG")  # a real one: an image that does not decode is refused


def _submit(client, **overrides):
    return client.post(reverse("portal:report"), report_post(**overrides))


def _followup(response) -> str:
    match = FOLLOWUP.search(response.content.decode())
    assert match, "no follow-up code on the page"
    return match.group(1)


def test_login_page_links_to_the_self_report(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert reverse("portal:report") in html and reverse("portal:status") in html


def test_the_form_is_light_local_and_csrf_protected(client, entity):
    response = client.get(reverse("portal:report"))
    html = response.content.decode()
    assert response.status_code == 200
    assert_no_inline_script(html)
    assert 'name="csrfmiddlewaretoken"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "a third-party asset"
    assert 'enctype="multipart/form-data"' in html


def test_anonymous_report_reaches_the_intake_entity(client, entity):
    events_before = AuditEvent.objects.count()
    response = _submit(client)
    assert response.status_code == 200 and not response.has_header("Location")
    assert_no_inline_script(response.content.decode())
    code = _followup(response)
    report = SelfReport.objects.get()
    assert report.entity == entity and report.case is None and report.defender is None
    assert report.submitted_by is None and report.status == "received"
    assert report.followup_digest == followup_digest(code)
    assert report.followup_digest != code and len(report.followup_digest) == 64
    content = ReportContent.from_json(report.content)
    assert content.what_happened == CANARY
    assert content.violations == ["surveillance", "threat"]
    assert (content.country, content.subdivision, content.targeted) == ("CO", "CO-CAU", "self")
    events = list(AuditEvent.objects.order_by("seq")[events_before:])
    assert [e.action for e in events] == ["selfreport.create", "task.create"]
    assert events[0].actor_role == "anonymous"
    assert events[0].detail == {"code": report.code, "files": 0, "entity": "desk"}
    task = Task.objects.get(subject_type="selfreport")
    assert (task.entity, task.case, task.title) == (
        entity,
        None,
        f"Review self-report {report.code}",
    )


def test_nothing_typed_is_stored_or_logged_in_the_clear(client, entity, caplog):
    response = _submit(client, contact="+57 300 123 4567", more="MORE-CANARY")
    code = _followup(response)
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM portal_selfreport")
        (blob,) = cursor.fetchone()
    assert CANARY.encode() not in bytes(blob) and b"MORE-CANARY" not in bytes(blob)
    audit = " ".join(str(e.detail) for e in AuditEvent.objects.all())
    for secret in (CANARY, "MORE-CANARY", "+57 300", code):
        assert secret not in audit and secret not in caplog.text
    assert code not in response.get("Content-Location", "")
    assert "<title>Report received · Amparo</title>" in response.content.decode()


def test_a_signed_in_defender_reports_to_their_case_team(world, defender_user, entity):
    response = _submit(logged_in(defender_user))
    assert response.status_code == 200
    _followup(response)
    report = SelfReport.objects.get()
    assert report.defender == world.team_defender and report.case == world.team_case
    assert report.entity == world.team_case.lead_entity and report.submitted_by == defender_user
    assert AuditEvent.objects.filter(action="selfreport.create", actor_label="defender").exists()


def test_without_an_intake_entity_anonymous_reports_are_closed(client, entity, settings):
    settings.AMPARO_INTAKE_ENTITY = ""
    assert client.get(reverse("portal:report")).status_code == 503
    assert _submit(client).status_code == 503
    assert not SelfReport.objects.exists()


def test_invalid_report_is_refused_with_the_form(client, entity):
    response = _submit(client, what_happened="", violations=[])
    assert response.status_code == 200
    assert not SelfReport.objects.exists() and not Task.objects.exists()
    assert FOLLOWUP.search(response.content.decode()) is None


def test_a_file_is_hashed_and_encrypted_at_rest(client, entity):
    upload = SimpleUploadedFile("note.png", PNG + b"FILE-CANARY", content_type="image/png")
    response = client.post(reverse("portal:report"), {**report_post(), "evidence": [upload]})
    _followup(response)
    report_file = ReportFile.objects.get()
    assert report_file.content_type == "image/png"
    assert report_file.size == len(PNG) + len(b"FILE-CANARY")
    assert report_file.sha256 == hashlib.sha256(PNG + b"FILE-CANARY").hexdigest()
    assert report_file.filename == "note.png"
    stored = report_file_path(report_file).read_bytes()
    assert b"FILE-CANARY" not in stored and b"PNG" not in stored
    assert AuditEvent.objects.filter(action="selfreport.file").count() == 1


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("big.png", PNG + b"x" * 200)], "larger than the limit"),
        ([("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")], "not accepted"),
        ([(f"p{i}.png", PNG) for i in range(6)], "at most 5 files"),
    ],
)
def test_file_limits_refuse_the_whole_report(client, entity, settings, files, message):
    settings.AMPARO_MAX_ATTACHMENT_BYTES = 150
    uploads = [SimpleUploadedFile(name, body) for name, body in files]
    response = client.post(reverse("portal:report"), {**report_post(), "evidence": uploads})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SelfReport.objects.exists() and not ReportFile.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="selfreport").exists()
    attachments = settings.AMPARO_ATTACHMENTS_DIR
    assert not attachments.exists() or not any(attachments.iterdir())


def test_csrf_is_enforced(entity):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("portal:report"), report_post())
    assert response.status_code == 403
    assert not SelfReport.objects.exists()


def test_reports_are_rate_limited_per_address(client, entity, settings):
    settings.AMPARO_PORTAL_REPORTS_PER_ADDRESS = 2
    assert _submit(client).status_code == 200
    assert _submit(client).status_code == 200
    response = _submit(client)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert SelfReport.objects.count() == 2
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.post(reverse("portal:report"), report_post()).status_code == 200


def test_reports_are_rate_limited_overall(entity, settings):
    settings.AMPARO_PORTAL_REPORTS_PER_HOUR = 2
    for n, address in enumerate(["192.0.2.1", "192.0.2.2", "192.0.2.3"]):
        response = Client(REMOTE_ADDR=address).post(reverse("portal:report"), report_post())
        assert response.status_code == (200 if n < 2 else 429)
    assert SelfReport.objects.count() == 2


def test_the_region_list_follows_the_country_without_signing_in(client, entity):
    html = client.get(reverse("portal:subdivisions"), {"country": "CO"}).content.decode()
    assert 'value="CO-CAU"' in html
    assert (
        'value="CO'
        not in client.get(reverse("portal:subdivisions"), {"country": "XX"}).content.decode()
    )
    form = client.get(reverse("portal:report")).content.decode()
    assert f'hx-get="{reverse("portal:subdivisions")}"' in form
