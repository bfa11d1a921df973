"""Incident pages, persona by persona: record with evidence, read, edit, download, filters."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from amparo.audit.models import AuditEvent
from amparo.core.tests.samples import image
from amparo.incidents.models import Attachment, Incident
from amparo.incidents.services import IncidentData, attachment_add, incident_record
from amparo.registry.services import (
    DefenderData,
    PersonData,
    case_set_restricted,
    defender_register,
    person_create,
)
from amparo.tests.helpers import assert_no_inline_script, logged_in

NAME = "Tomás Pérez Gutiérrez"
NARRATIVE = "A note pinned to the door of his house threatened to kill him."
LOCALITY = "Vereda El Palo"


@pytest.fixture
def defender(officer):
    return defender_register(
        actor=officer,
        data=DefenderData(
            name=NAME, country="CO", subdivision="CO-CAU", categories=["land_environment"]
        ),
    )


@pytest.fixture
def relative(officer, defender):
    return person_create(
        actor=officer, defender=defender, data=PersonData(name="Lucía Pérez", relation="child")
    )


@pytest.fixture
def incident(officer, defender):
    return incident_record(
        actor=officer,
        data=IncidentData(
            date=datetime.date.today() - datetime.timedelta(days=2),
            country="CO",
            subdivision="CO-CAU",
            violations=["death_threat"],
            perpetrators=["unknown"],
            contexts=["publication"],
            locality=LOCALITY,
            narrative=NARRATIVE,
            sources=["Phone call from the defender"],
            victim_defenders=[defender],
        ),
    )


def detail_url(incident):
    return reverse("incidents:incident_detail", args=[incident.code])


def record_form(defender, **overrides):
    data = {
        "victim_defenders": defender.code,
        "date": (datetime.date.today() - datetime.timedelta(days=1)).isoformat(),
        "date_precision": "day",
        "end_date": "",
        "reported_on": "",
        "country": "CO",
        "subdivision": "CO-CAU",
        "locality": "Suárez",
        "violations": ["death_threat"],
        "perpetrators": [],
        "perpetrator_detail": "",
        "contexts": ["publication"],
        "narrative": "Found a death threat after the mining report.",
        "sources": "Call to the hotline\nPhoto of the note",
        "verification": "unverified",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("officer", 200),
        ("other_officer", 200),
        ("analyst", 200),
        ("liaison", 403),
        ("auditor", 403),
        ("admin_user", 403),
    ],
)
def test_list_status_by_persona(request, incident, persona, status):
    response = logged_in(request.getfixturevalue(persona)).get(reverse("incidents:incident_list"))
    assert response.status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("officer", 200),
        ("other_officer", 404),
        ("analyst", 200),
        ("foreign_coordinator", 404),
        ("liaison", 403),
        ("auditor", 403),
        ("admin_user", 403),
    ],
)
def test_detail_status_by_persona(request, incident, persona, status):
    response = logged_in(request.getfixturevalue(persona)).get(detail_url(incident))
    assert response.status_code == status


@pytest.mark.django_db
def test_list_shows_only_visible_incidents(officer, other_officer, incident):
    assert (
        incident.code in logged_in(officer).get(reverse("incidents:incident_list")).content.decode()
    )
    assert (
        incident.code
        not in logged_in(other_officer).get(reverse("incidents:incident_list")).content.decode()
    )


@pytest.mark.django_db
def test_detail_for_the_team(officer, incident):
    html = logged_in(officer).get(detail_url(incident)).content.decode()
    assert NARRATIVE in html and LOCALITY in html and NAME in html
    assert NAME not in re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    event = AuditEvent.objects.filter(action="incident.read").last()
    assert event.actor_id == officer.pk and event.detail == {"via": "page"}


@pytest.mark.django_db
def test_analyst_sees_no_narrative_locality_or_name(analyst, incident):
    client = logged_in(analyst)
    for url in (reverse("incidents:incident_list"), detail_url(incident)):
        html = client.get(url).content.decode()
        assert incident.code in html
        for secret in (NARRATIVE, LOCALITY, NAME, "Phone call from the defender"):
            assert secret not in html


@pytest.mark.django_db
def test_restricted_case_hides_its_incidents(system, coordinator, officer, incident):
    case_set_restricted(actor=system, case=incident.case, restricted=True)
    assert logged_in(coordinator).get(detail_url(incident)).status_code == 404
    assert (
        incident.code
        not in logged_in(coordinator).get(reverse("incidents:incident_list")).content.decode()
    )
    assert logged_in(officer).get(detail_url(incident)).status_code == 200


@pytest.mark.django_db
def test_filters(officer, incident):
    client = logged_in(officer)
    url = reverse("incidents:incident_list")
    assert incident.code in client.get(url, {"violation": "death_threat"}).content.decode()
    assert incident.code not in client.get(url, {"violation": "killing"}).content.decode()
    assert incident.code in client.get(url, {"category": "land_environment"}).content.decode()
    assert incident.code not in client.get(url, {"perpetrator": "police"}).content.decode()
    future = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    assert incident.code not in client.get(url, {"date_from": future}).content.decode()


# --- recording ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_record_form_is_prefilled_from_the_defender(officer, defender, relative):
    response = logged_in(officer).get(
        reverse("incidents:incident_create"), {"defender": defender.code}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{defender.code}"' in html
    assert relative.external_id in html and "Lucía Pérez" in html
    assert_no_inline_script(html)


@pytest.mark.django_db
def test_record_an_incident_with_evidence(officer, defender, relative):
    photo = SimpleUploadedFile("nota amenaza.jpg", image("JPEG"), content_type="image/jpeg")
    response = logged_in(officer).post(
        reverse("incidents:incident_create"),
        {**record_form(defender), "victim_persons": [relative.external_id], "evidence": photo},
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(incident)
    assert incident.violation_codes == ["death_threat"]
    assert incident.perpetrator_codes == ["unknown"]
    assert incident.sources == ["Call to the hotline", "Photo of the note"]
    assert list(incident.victim_defenders.all()) == [defender]
    assert list(incident.victim_persons.all()) == [relative]
    attachment = Attachment.objects.get()
    assert attachment.incident == incident and attachment.size == len(image("JPEG"))
    assert AuditEvent.objects.filter(action="incident.create").count() == 1
    assert AuditEvent.objects.filter(action="attachment.create").count() == 1


@pytest.mark.django_db
def test_record_needs_a_visible_victim(other_officer, defender):
    events = AuditEvent.objects.count()
    response = logged_in(other_officer).post(
        reverse("incidents:incident_create"), record_form(defender)
    )
    assert response.status_code == 200
    assert "No defender you can see has the code" in response.content.decode()
    assert Incident.objects.count() == 0
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_bad_record_form_keeps_input(officer, defender):
    response = logged_in(officer).post(
        reverse("incidents:incident_create"), record_form(defender, violations=[])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Found a death threat after the mining report." in html
    assert 'value="Suárez"' in html
    assert Incident.objects.count() == 0


@pytest.mark.django_db
def test_service_errors_land_on_the_form(officer, defender):
    response = logged_in(officer).post(
        reverse("incidents:incident_create"),
        record_form(
            defender, end_date=(datetime.date.today() - datetime.timedelta(days=5)).isoformat()
        ),
    )
    assert response.status_code == 200
    assert "The end date is before the date." in response.content.decode()
    assert Incident.objects.count() == 0


@pytest.mark.django_db
def test_analyst_may_not_record(analyst, defender):
    client = logged_in(analyst)
    events = AuditEvent.objects.count()
    assert client.get(reverse("incidents:incident_create")).status_code == 403
    assert (
        client.post(reverse("incidents:incident_create"), record_form(defender)).status_code == 403
    )
    assert Incident.objects.count() == 0
    assert AuditEvent.objects.count() == events


# --- editing -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_edit_keeps_victims(officer, defender, incident):
    client = logged_in(officer)
    url = reverse("incidents:incident_edit", args=[incident.code])
    html = client.get(url).content.decode()
    assert NARRATIVE in html
    form = record_form(
        defender,
        narrative=NARRATIVE + " Two men on a motorbike.",
        verification="corroborated",
        locality=LOCALITY,
    )
    del form["victim_defenders"]
    assert client.post(url, form).status_code == 302
    incident.refresh_from_db()
    assert incident.verification == "corroborated"
    assert incident.narrative.endswith("motorbike.")
    assert list(incident.victim_defenders.all()) == [defender]


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "status"), [("analyst", 403), ("other_officer", 404)])
def test_edit_denied(request, defender, incident, persona, status):
    client = logged_in(request.getfixturevalue(persona))
    url = reverse("incidents:incident_edit", args=[incident.code])
    events = AuditEvent.objects.count()
    assert client.get(url).status_code == status
    assert client.post(url, record_form(defender, verification="verified")).status_code == status
    incident.refresh_from_db()
    assert incident.verification == "unverified"
    assert AuditEvent.objects.count() == events


# --- evidence ----------------------------------------------------------------------------------


def _attach(officer, incident, name="note.jpg", content=b"%PDF-1.7 <b>alert(1)</b>"):
    return attachment_add(
        actor=officer,
        incident=incident,
        upload=SimpleUploadedFile(name, content),
        filename=name,
        content_type="text/html",
    )


@pytest.mark.django_db
def test_download_is_an_opaque_attachment(officer, incident):
    attachment = _attach(officer, incident)
    url = reverse("incidents:attachment_download", args=[incident.code, attachment.pk])
    response = logged_in(officer).get(url)
    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 <b>alert(1)</b>"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="note.jpg"'
    assert AuditEvent.objects.filter(action="attachment.read", actor_id=officer.pk).count() == 1


@pytest.mark.django_db
def test_download_name_is_generic_when_not_ascii_safe(officer, incident):
    attachment = _attach(officer, incident, name='amenaza a Tomás".jpg')
    url = reverse("incidents:attachment_download", args=[incident.code, attachment.pk])
    response = logged_in(officer).get(url)
    assert response["Content-Disposition"] == (
        f'attachment; filename="evidence-{attachment.pk}.bin"'
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"), [("analyst", 403), ("other_officer", 404), ("auditor", 403)]
)
def test_download_denied(request, officer, incident, persona, status):
    attachment = _attach(officer, incident)
    url = reverse("incidents:attachment_download", args=[incident.code, attachment.pk])
    client = logged_in(request.getfixturevalue(persona))
    events = AuditEvent.objects.count()
    assert client.get(url).status_code == status
    assert not AuditEvent.objects.filter(action="attachment.read").exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_attachment_of_another_incident_is_not_found(officer, defender, incident):
    other = incident_record(
        actor=officer,
        data=IncidentData(
            date=datetime.date.today(),
            country="CO",
            violations=["threat"],
            victim_defenders=[defender],
        ),
    )
    attachment = _attach(officer, other)
    url = reverse("incidents:attachment_download", args=[incident.code, attachment.pk])
    assert logged_in(officer).get(url).status_code == 404


@pytest.mark.django_db
def test_add_evidence_on_the_detail_page(officer, analyst, incident):
    url = reverse("incidents:attachment_create", args=[incident.code])
    upload = SimpleUploadedFile("audio.ogg", b"OggS-data", content_type="audio/ogg")
    assert logged_in(officer).post(url, {"file": upload}).status_code == 302
    assert Attachment.objects.filter(incident=incident).count() == 1
    html = logged_in(officer).get(detail_url(incident)).content.decode()
    assert "audio.ogg" in html
    analyst_html = logged_in(analyst).get(detail_url(incident)).content.decode()
    assert "audio.ogg" not in analyst_html
    upload = SimpleUploadedFile("more.ogg", b"OggS", content_type="audio/ogg")
    assert logged_in(analyst).post(url, {"file": upload}).status_code == 403
    assert Attachment.objects.filter(incident=incident).count() == 1


@pytest.mark.django_db
def test_attachment_over_the_limit_is_refused(settings, officer, incident):
    settings.AMPARO_MAX_ATTACHMENT_BYTES = 10
    url = reverse("incidents:attachment_create", args=[incident.code])
    upload = SimpleUploadedFile("big.bin", b"x" * 11)
    response = logged_in(officer).post(url, {"file": upload})
    assert response.status_code == 200
    assert "larger than the limit" in response.content.decode()
    assert Attachment.objects.count() == 0


@pytest.mark.django_db
def test_incident_pages_have_csp_and_no_inline_script(officer, incident):
    client = logged_in(officer)
    for url in (
        reverse("incidents:incident_list"),
        detail_url(incident),
        reverse("incidents:incident_create"),
        reverse("incidents:incident_edit", args=[incident.code]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert_no_inline_script(response.content.decode())


@pytest.mark.django_db
def test_timeline_on_the_defender_page_links_the_incident(officer, defender, incident):
    html = (
        logged_in(officer)
        .get(reverse("registry:defender_detail", args=[defender.code]))
        .content.decode()
    )
    assert f'href="/incidents/{incident.code}/"' in html


@pytest.mark.django_db
def test_dashboard_counts_only_what_the_actor_sees(officer, other_officer, analyst, incident):
    html = logged_in(officer).get(reverse("home")).content.decode()
    assert 'Death threat</a></td><td class="count">1</td>' in html
    assert 'Cauca, Colombia</a></td><td class="count">1</td>' in html
    assert "Death threat" not in logged_in(other_officer).get(reverse("home")).content.decode()
    analyst_html = logged_in(analyst).get(reverse("home")).content.decode()
    assert 'Death threat</a></td><td class="count">1</td>' in analyst_html
    assert NAME not in analyst_html


@pytest.mark.django_db
def test_journey_a_death_threat_at_night(officer, defender):
    """Journey 1 through the pages: sign in with TOTP, find Tomás by exact name, record the
    threat with a photo of the note, and find it on his timeline. No name in any URL."""
    from django.test import Client
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from amparo.tests.helpers import PASSWORD

    client = Client()
    client.post("/accounts/login/", {"username": "officer", "password": PASSWORD})
    device = TOTPDevice.objects.get(user=officer)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post("/accounts/verify/", {"otp_token": code}).status_code == 302

    found = client.post(reverse("registry:defender_list"), {"q": "Tomas Perez Gutierrez"})
    assert defender.code in found.content.decode()
    link = f"/incidents/new/?defender={defender.code}"
    assert (
        link
        in client.get(reverse("registry:defender_detail", args=[defender.code])).content.decode()
    )
    form = client.get(link)
    assert f'value="{defender.code}"' in form.content.decode()

    photo = SimpleUploadedFile("IMG_2340.jpg", image("JPEG"), content_type="image/jpeg")
    response = client.post(link, {**record_form(defender), "evidence": photo})
    incident = Incident.objects.get()
    assert response["Location"] == detail_url(incident)
    page = client.get(detail_url(incident)).content.decode()
    assert "IMG_2340.jpg" in page and "Death threat" in page
    timeline = client.get(reverse("registry:defender_detail", args=[defender.code]))
    assert incident.code in timeline.content.decode()
    for event in AuditEvent.objects.all():
        assert "Tom" not in repr((event.object_id, event.fields, event.detail))


@pytest.mark.django_db
def test_imminent_danger_opens_the_urgent_procedure_with_the_incident(officer, defender):
    """Journey 1: marking the threat as imminent danger opens the urgent procedure, its
    deadlines from the entity's policy, and a decision task for the coordinators."""
    from amparo.coordination.models import Task
    from amparo.risk.models import Procedure

    client = logged_in(officer)
    response = client.post(
        f"/incidents/new/?defender={defender.code}",
        record_form(defender, imminent_danger="on"),
    )
    incident = Incident.objects.get()
    assert response["Location"] == detail_url(incident)
    procedure = Procedure.objects.get()
    assert (procedure.kind, procedure.defender_id, procedure.incident_id) == (
        "urgent",
        defender.pk,
        incident.pk,
    )
    assert procedure.decide_by - procedure.opened_at == datetime.timedelta(hours=3)
    assert procedure.in_place_by - procedure.opened_at == datetime.timedelta(hours=12)
    assert Task.objects.filter(kind="measure_decision", case=defender.case).count() == 1


@pytest.mark.django_db
def test_without_imminent_danger_no_procedure_opens(officer, defender):
    from amparo.risk.models import Procedure

    logged_in(officer).post(f"/incidents/new/?defender={defender.code}", record_form(defender))
    assert Incident.objects.count() == 1
    assert Procedure.objects.count() == 0
