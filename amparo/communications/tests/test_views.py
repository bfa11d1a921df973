"""The communications pages persona by persona: who sees what (404 for the rest), the draft
form, approval, the letter as HTML and PDF, replies, response rates and visits."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from amparo.audit.models import AuditEvent
from amparo.communications.models import Communication, CommunicationStatus, CountryVisit, Reply
from amparo.communications.services import ReplyData, reply_record
from amparo.communications.tests.conftest import (
    CANARIES,
    ROSA_NAME,
    TOMAS_NAME,
    TOMAS_PHONE,
    draft,
    send,
)
from amparo.tests.helpers import assert_no_inline_script, logged_in

pytestmark = pytest.mark.django_db
S = CommunicationStatus


@pytest.fixture
def sent(comms_officer, coordinator, letters):
    """UA COL 1/2026 about Rosa and her incident, sent on 4 May 2026."""
    return send(
        comms_officer,
        coordinator,
        draft(comms_officer, defenders=[letters.rosa], incidents=[letters.surveillance]),
        sent_on=datetime.date(2026, 5, 4),
    )


@pytest.fixture
def journey_draft(comms_officer, letters):
    return draft(comms_officer, defenders=[letters.tomas], incidents=[letters.threat])


def detail_url(communication):
    return reverse("communications:communication_detail", args=[communication.pk])


# Who sees the detail page of a communication of the entity linked to the team's cases.
DETAIL = {
    "comms_officer": 200,
    "other_comms_officer": 200,
    "coordinator": 200,
    "officer": 200,  # on the case team of the linked defender
    "other_officer": 404,
    "foreign_coordinator": 404,
    "analyst": 404,
    "liaison": 404,
    "auditor": 404,
    "admin_user": 404,
}


@pytest.mark.parametrize(("persona", "status"), DETAIL.items())
def test_detail_matrix(request, persona, status, sent):
    client = logged_in(request.getfixturevalue(persona))
    response = client.get(detail_url(sent))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "UA COL 1/2026" in html
        assert_no_inline_script(html)
        for canary in (TOMAS_PHONE, "+57 310 777 0002"):
            assert canary not in html


LIST = {
    "comms_officer": 200,
    "coordinator": 200,
    "officer": 200,
    "analyst": 302,  # to the response rates: aggregates only
    "liaison": 404,
    "auditor": 404,
    "admin_user": 404,
    "defender_user": 404,
}


@pytest.mark.parametrize(("persona", "status"), LIST.items())
def test_list_matrix(request, persona, status, sent):
    response = logged_in(request.getfixturevalue(persona)).get(
        reverse("communications:communication_list")
    )
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == reverse("communications:response_rates")


def test_anonymous_goes_to_login(sent):
    response = Client().get(detail_url(sent))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_letter_staff_see_the_letter_the_case_officer_only_summaries(
    comms_officer, officer, sent, letters
):
    staff = logged_in(comms_officer).get(detail_url(sent)).content.decode()
    assert ROSA_NAME in staff  # in the letter, with her consent
    assert "What the letter discloses" in staff
    assert letters.surveillance.code in staff
    case_officer = logged_in(officer).get(detail_url(sent)).content.decode()
    for canary in CANARIES:
        assert canary not in case_officer
    assert letters.rosa.code in case_officer
    assert "What the letter discloses" not in case_officer


def test_summaries_never_show_names_or_contacts_of_linked_records(comms_officer, journey_draft):
    html = logged_in(comms_officer).get(detail_url(journey_draft)).content.decode()
    for canary in CANARIES:
        assert canary not in html
    assert "No consent to share with State authorities from:" in html


def test_a_case_officer_sees_only_communications_linked_to_their_cases(
    other_officer, coordinator, comms_officer, sent, letters
):
    from amparo.registry.services import case_set_team

    assert logged_in(other_officer).get(detail_url(sent)).status_code == 404
    case_set_team(actor=coordinator, case=letters.rosa.case, members=[other_officer])
    assert logged_in(other_officer).get(detail_url(sent)).status_code == 200


def test_list_filters_and_puts_overdue_replies_first(comms_officer, coordinator, letters):
    def sent_on(day, kind="UA", state="CO"):
        return send(
            comms_officer,
            coordinator,
            draft(comms_officer, defenders=[letters.rosa], kind=kind, state=state),
            sent_on=day,
        )

    old = sent_on(datetime.date(2026, 1, 5))  # overdue: no reply for 60 days
    answered = sent_on(datetime.date(2026, 1, 6))
    reply_record(
        actor=comms_officer,
        communication=answered,
        data=ReplyData(received_on=datetime.date(2026, 2, 1), kind="substantive"),
    )
    recent = sent_on(datetime.date.today() - datetime.timedelta(days=3), kind="AL", state="MX")
    client = logged_in(comms_officer)
    url = reverse("communications:communication_list")
    html = client.get(url).content.decode()
    assert html.index(old.reference) < html.index(recent.reference) < html.index(answered.reference)
    assert "overdue" in html
    filtered = client.get(url, {"state": "MX"}).content.decode()
    assert recent.reference in filtered and old.reference not in filtered
    by_kind = client.get(url, {"kind": "UA", "year": "2026"}).content.decode()
    assert old.reference in by_kind and recent.reference not in by_kind
    by_status = client.get(url, {"status": "draft"}).content.decode()
    assert "No communications to show." in by_status


def test_draft_form_keeps_what_was_typed_on_error(comms_officer, letters):
    client = logged_in(comms_officer)
    response = client.post(
        reverse("communications:communication_create"),
        {
            "kind": "UA",
            "state": "CO",
            "mandates": "SR on human rights defenders",
            "defenders": f"{letters.rosa.code} HRD-2099-999999",
            "incidents": letters.surveillance.code,
            "summary": "Threats after the mining report",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unknown defender code: HRD-2099-999999." in html
    assert "Threats after the mining report" in html
    assert letters.surveillance.code in html
    assert Communication.objects.count() == 0


def test_drafting_through_the_page(comms_officer, letters):
    client = logged_in(comms_officer)
    response = client.post(
        reverse("communications:communication_create"),
        {
            "kind": "UA",
            "state": "CO",
            "mandates": "SR on human rights defenders",
            "defenders": letters.tomas.code,
            "incidents": letters.threat.code,
            "summary": "",
        },
    )
    communication = Communication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(communication)
    html = client.get(detail_url(communication)).content.decode()
    assert letters.tomas.code in html
    assert "it cannot be sent until they consent or are unlinked" in html
    assert TOMAS_NAME not in html


def test_restricted_or_foreign_defenders_cannot_be_linked(comms_officer, world):
    client = logged_in(comms_officer)
    for defender in (world.restricted_defender, world.foreign_defender):
        response = client.post(
            reverse("communications:communication_create"),
            {"kind": "UA", "state": "CO", "mandates": "SR", "defenders": defender.code},
        )
        assert f"Unknown defender code: {defender.code}." in response.content.decode()
    assert Communication.objects.count() == 0


def test_edit_draft_page(comms_officer, letters):
    communication = draft(comms_officer, defenders=[letters.rosa])
    client = logged_in(comms_officer)
    url = reverse("communications:communication_edit", args=[communication.pk])
    page = client.get(url).content.decode()
    assert "Excellency," in page
    response = client.post(
        url,
        {
            "kind": "UA",
            "state": "CO",
            "mandates": "\n".join(communication.mandates),
            "defenders": letters.rosa.code,
            "incidents": "",
            "summary": "Edited summary",
            "body": "Excellency,\n\nA letter written by hand.",
            "concerns_women_defenders": "on",
        },
    )
    assert response.status_code == 302
    communication.refresh_from_db()
    assert communication.summary == "Edited summary"
    assert communication.body == "Excellency,\n\nA letter written by hand.\n"


def test_approval_through_the_pages(comms_officer, other_comms_officer, letters):
    communication = draft(comms_officer, defenders=[letters.rosa])
    drafter = logged_in(comms_officer)
    drafter.post(reverse("communications:communication_submit", args=[communication.pk]))
    approve = reverse("communications:communication_approve", args=[communication.pk])
    own = drafter.post(approve, {"sent_on": "2026-05-04"})
    assert own.status_code == 403
    assert Communication.objects.get(pk=communication.pk).status == S.AWAITING_APPROVAL
    second = logged_in(other_comms_officer)
    page = second.get(approve)
    assert "Approve and send" in page.content.decode()
    response = second.post(approve, {"sent_on": "2026-05-04"})
    assert response.status_code == 302
    communication.refresh_from_db()
    assert (communication.status, communication.reference) == (S.SENT, "UA COL 1/2026")


def test_approval_page_reports_missing_consent(comms_officer, coordinator, journey_draft):
    logged_in(comms_officer).post(
        reverse("communications:communication_submit", args=[journey_draft.pk])
    )
    response = logged_in(coordinator).post(
        reverse("communications:communication_approve", args=[journey_draft.pk]), {}
    )
    assert response.status_code == 200
    assert "Record their consent or unlink them before sending." in response.content.decode()
    assert Communication.objects.get(pk=journey_draft.pk).status == S.AWAITING_APPROVAL


def test_letter_html_and_pdf(comms_officer, officer, sent):
    client = logged_in(comms_officer)
    page = client.get(reverse("communications:letter", args=[sent.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert_no_inline_script(html)
    assert "Reference: UA COL 1/2026" in html
    assert "To the Government of Colombia" in html
    assert "<title>UA COL 1/2026 · Amparo</title>" in html
    pdf = client.get(reverse("communications:letter_pdf", args=[sent.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Disposition"] == 'attachment; filename="letter-UA-COL-1-2026.pdf"'
    # The case officer sees the communication, not the letter.
    assert (
        logged_in(officer).get(reverse("communications:letter", args=[sent.pk])).status_code == 403
    )


def test_pdf_unavailable_is_explained(monkeypatch, comms_officer, sent):
    from amparo.communications import views
    from amparo.core.pdf import PdfUnavailable

    def broken(html, *, base_url=None):
        raise PdfUnavailable("no pango")

    monkeypatch.setattr(views, "html_to_pdf", broken)
    response = logged_in(comms_officer).get(reverse("communications:letter_pdf", args=[sent.pk]))
    assert response.status_code == 503
    assert "PDF unavailable" in response.content.decode()


def test_reply_form_with_document(settings, tmp_path, comms_officer, sent):
    settings.AMPARO_ATTACHMENTS_DIR = tmp_path
    client = logged_in(comms_officer)
    url = reverse("communications:reply_create", args=[sent.pk])
    response = client.post(
        url,
        {
            "received_on": "2026-06-20",
            "kind": "substantive",
            "summary": "The State reports an investigation",
            "document": SimpleUploadedFile("reply.pdf", b"%PDF reply", "application/pdf"),
        },
    )
    assert response.status_code == 302
    reply = Reply.objects.get()
    assert (reply.kind, reply.received_on) == ("substantive", datetime.date(2026, 6, 20))
    document = reply.documents.get()
    html = client.get(detail_url(sent)).content.decode()
    assert "The State reports an investigation" in html
    download = client.get(reverse("communications:document_download", args=[document.pk]))
    assert download.status_code == 200
    assert download.content == b"%PDF reply"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_reply_form_keeps_input_on_error(comms_officer, sent):
    response = logged_in(comms_officer).post(
        reverse("communications:reply_create", args=[sent.pk]),
        {"received_on": "2026-04-01", "kind": "partial", "summary": "Typed summary"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Received before the communication was sent." in html
    assert "Typed summary" in html
    assert not Reply.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("analyst", 200),
        ("comms_officer", 200),
        ("coordinator", 200),
        ("officer", 404),
        ("liaison", 404),
        ("auditor", 404),
    ],
)
def test_response_rates_page(request, persona, status, comms_officer, sent):
    reply_record(
        actor=comms_officer,
        communication=sent,
        data=ReplyData(received_on=datetime.date(2026, 6, 1), kind="acknowledgement"),
    )
    response = logged_in(request.getfixturevalue(persona)).get(
        reverse("communications:response_rates")
    )
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "100.0 %" in html
        for canary in CANARIES:
            assert canary not in html


def test_navigation_link(comms_officer, analyst, liaison, auditor):
    for user, shown in ((comms_officer, True), (analyst, True), (liaison, False), (auditor, False)):
        html = logged_in(user).get(reverse("home")).content.decode()
        assert ('href="/communications/"' in html) is shown


def test_visits_pages(comms_officer, analyst, liaison):
    client = logged_in(comms_officer)
    response = client.post(
        reverse("communications:visit_create"),
        {
            "state": "CO",
            "status": "requested",
            "years_requested": "2005, 2008 2009",
            "first_requested_on": "2005-03-01",
        },
    )
    assert response.status_code == 302
    visit = CountryVisit.objects.get()
    assert visit.years_requested == [2005, 2008, 2009]
    client.post(
        reverse("communications:visit_create"),
        {
            "state": "MX",
            "status": "conducted",
            "years_requested": "2010",
            "first_requested_on": "2010-01-10",
            "starts_on": "2011-02-01",
            "ends_on": "2011-02-10",
        },
    )
    outstanding = logged_in(analyst).get(reverse("communications:visit_outstanding"))
    html = outstanding.content.decode()
    assert "Requested in 2005, 2008 and 2009" in html
    assert "Mexico" not in html
    edit = client.post(
        reverse("communications:visit_edit", args=[visit.pk]),
        {
            "state": "CO",
            "status": "declined",
            "years_requested": "2005, 2008, 2009",
            "first_requested_on": "2005-03-01",
        },
    )
    assert edit.status_code == 200
    assert "Give the day the State declined." in edit.content.decode()
    assert CountryVisit.objects.get(pk=visit.pk).status == "requested"
    assert logged_in(analyst).post(reverse("communications:visit_create"), {}).status_code == 403
    assert logged_in(liaison).get(reverse("communications:visit_list")).status_code == 404
    delete = reverse("communications:visit_delete", args=[visit.pk])
    assert logged_in(analyst).post(delete).status_code == 403
    assert CountryVisit.objects.filter(pk=visit.pk).exists()
    assert client.post(delete).status_code == 302
    assert not CountryVisit.objects.filter(pk=visit.pk).exists()
    assert AuditEvent.objects.filter(action="visit.delete", object_id=str(visit.pk)).count() == 1


def test_denied_page_actions_leave_nothing(officer, analyst, comms_officer, letters):
    communication = draft(comms_officer, defenders=[letters.rosa])
    before = AuditEvent.objects.count()
    for user in (officer, analyst):
        client = logged_in(user)
        for name in ("communication_submit", "communication_withdraw"):
            response = client.post(reverse(f"communications:{name}", args=[communication.pk]))
            assert response.status_code in {403, 404}
    stored = Communication.objects.get(pk=communication.pk)
    assert stored.status == S.DRAFT
    assert AuditEvent.objects.count() == before
