"""The follow-up code: it opens the report's status (and nothing else), a wrong code answers as
an unknown one, lookups are rate-limited, and the reporter can add information and read the
reason for a decision."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from amparo.audit.models import AuditEvent
from amparo.coordination.models import Task
from amparo.portal.models import ReportAddition, ReportFile
from amparo.portal.services import (
    CODE_ALPHABET,
    ReportContent,
    followup_code_new,
    report_reject,
    report_submit,
)
from amparo.tests.helpers import assert_no_inline_script

from .conftest import CANARY, YESTERDAY
from .test_self_report import PNG

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def submitted(entity):
    content = ReportContent(
        what_happened=CANARY, occurred_on=YESTERDAY, country="CO", violations=["harassment"]
    )
    return report_submit(actor=None, content=content)


def _lookup(client, code):
    return client.post(reverse("portal:status"), {"action": "lookup", "code": code})


def _page(response) -> str:
    return CSRF.sub("", response.content.decode())


def test_codes_are_four_groups_from_the_unambiguous_alphabet():
    codes = {followup_code_new() for _ in range(50)}
    assert len(codes) == 50
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4, 4]
        assert set("".join(groups)) <= set(CODE_ALPHABET)
    assert not set("01ILOUV") & set(CODE_ALPHABET)


def test_the_right_code_shows_the_status_without_the_report(submitted):
    report, code = submitted
    client = Client()
    response = _lookup(client, code.lower().replace("-", " "))
    assert response.status_code == 302 and response["Location"] == reverse("portal:status")
    page = client.get(reverse("portal:status"))
    html = page.content.decode()
    assert page.status_code == 200
    assert_no_inline_script(html)
    assert "Received" in html and CANARY not in html and code not in html
    assert report.code not in html


def test_a_wrong_code_answers_exactly_as_an_unknown_one(submitted):
    _report, code = submitted
    wrong = code[:-1] + ("2" if code[-1] != "2" else "3")
    first, second = _lookup(Client(), wrong), _lookup(Client(), "ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    assert first.status_code == second.status_code == 200
    assert _page(first) == _page(second)
    assert "No report matches this code" in _page(first)
    assert_no_inline_script(_page(first))
    assert "Received" not in _page(first)


def test_lookups_are_rate_limited_even_for_the_right_code(submitted, settings):
    settings.AMPARO_PORTAL_LOOKUPS_PER_ADDRESS = 3
    _report, code = submitted
    client = Client()
    for _ in range(3):
        assert _lookup(client, "ZZZZ-ZZZZ-ZZZZ-ZZZZ").status_code == 200
    response = _lookup(client, code)
    assert response.status_code == 429
    assert client.get(reverse("portal:status")).content.decode().count("Your follow-up code") == 1


def test_the_reporter_adds_information(submitted):
    report, code = submitted
    client = Client()
    _lookup(client, code)
    events = AuditEvent.objects.count()
    upload = {"evidence": [_png()]}
    response = client.post(
        reverse("portal:status"), {"action": "add", "text": "ADDED-CANARY", **upload}
    )
    assert response.status_code == 302
    addition = ReportAddition.objects.get()
    assert addition.report == report and addition.text == "ADDED-CANARY"
    assert ReportFile.objects.filter(report=report).count() == 1
    actions = list(AuditEvent.objects.order_by("seq")[events:].values_list("action", flat=True))
    assert actions == ["selfreport.add", "selfreport.file"]
    # The review task of the report is still open: it is reused, not doubled.
    assert Task.objects.filter(subject_id=str(report.pk), status="open").count() == 1


def test_the_reporter_reads_the_reason_of_a_rejection(submitted, coordinator):
    report, code = submitted
    report_reject(actor=coordinator, report=report, reason="REASON: outside our mandate")
    client = Client()
    _lookup(client, code)
    html = client.get(reverse("portal:status")).content.decode()
    assert "Rejected" in html and "REASON: outside our mandate" in html


def test_forgetting_closes_the_report_on_this_device(submitted):
    _report, code = submitted
    client = Client()
    _lookup(client, code)
    client.post(reverse("portal:status"), {"action": "forget"})
    html = client.get(reverse("portal:status")).content.decode()
    assert "Your follow-up code" in html and "Received" not in html


def _png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.png", PNG, content_type="image/png")
