"""Evidence images: the original kept for chain of custody, a copy without metadata shared."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from amparo.audit.models import AuditEvent
from amparo.core.crypto import CryptoError
from amparo.core.keystore import data_key_shred
from amparo.core.tests.samples import gps_tags, jpeg_with_gps
from amparo.incidents.models import Attachment
from amparo.incidents.services import (
    IncidentData,
    attachment_add,
    attachment_path,
    attachment_read,
    attachment_shared_path,
    incident_record,
)
from amparo.registry.tests.test_merge import pair, sources  # noqa: F401 (fixtures)
from amparo.tests.helpers import logged_in

PHOTO = jpeg_with_gps()
PDF = b"%PDF-1.7 acta de amenaza"


@pytest.fixture
def incident(coordinator, world):
    return incident_record(
        actor=coordinator,
        data=IncidentData(
            date=datetime.date.today() - datetime.timedelta(days=1),
            country="CO",
            violations=["death_threat"],
            victim_defenders=[world.team_defender],
        ),
    )


def add(actor, incident, content=PHOTO, name="IMG_2340.jpg", declared="image/jpeg"):
    return attachment_add(
        actor=actor,
        incident=incident,
        upload=io.BytesIO(content),
        filename=name,
        content_type=declared,
    )


def download(client, incident, attachment, query=""):
    url = reverse("incidents:attachment_download", args=[incident.code, attachment.pk])
    return client.get(url + query)


class TestStore:
    def test_an_image_is_stored_with_its_shared_copy_and_both_hashes_audited(
        self, coordinator, incident
    ):
        attachment = add(coordinator, incident)

        stored = Attachment.objects.get(pk=attachment.pk)
        shared = attachment_read(actor=coordinator, attachment=stored)
        assert gps_tags(PHOTO) == 4 and gps_tags(shared) == 0
        assert (stored.sha256, stored.size, stored.content_type) == (
            hashlib.sha256(PHOTO).hexdigest(),
            len(PHOTO),
            "image/jpeg",
        )
        assert stored.shared_sha256 == hashlib.sha256(shared).hexdigest()
        event = AuditEvent.objects.get(action="attachment.create", object_id=str(stored.pk))
        assert event.detail == {
            "incident": incident.code,
            "sha256": hashlib.sha256(PHOTO).hexdigest(),
            "size": len(PHOTO),
            "shared_sha256": stored.shared_sha256,
        }
        # Both sealed under the incident's key; neither readable on disk.
        for path in (attachment_path(stored), attachment_shared_path(stored)):
            assert b"PhoneMaker" not in path.read_bytes()
        assert attachment_read(actor=coordinator, attachment=stored, original=True) == PHOTO

    def test_other_files_have_no_shared_copy_and_their_type_comes_from_the_content(
        self, coordinator, incident
    ):
        attachment = add(coordinator, incident, PDF, "acta.jpg", declared="image/jpeg")
        stored = Attachment.objects.get(pk=attachment.pk)
        assert (stored.content_type, stored.shared_sha256) == ("application/pdf", "")
        assert not attachment_shared_path(stored).exists()
        assert attachment_read(actor=coordinator, attachment=stored) == PDF

    def test_a_refused_file_leaves_nothing(self, coordinator, incident, settings):
        before = (Attachment.objects.count(), AuditEvent.objects.count())
        files = set(settings.AMPARO_ATTACHMENTS_DIR.glob("*"))
        with pytest.raises(ValidationError) as caught:
            add(coordinator, incident, b"<svg onload='alert(1)'/>", "mapa.svg")
        assert caught.value.message_dict == {"file": ["HTML, SVG and XML files are not accepted."]}
        assert (Attachment.objects.count(), AuditEvent.objects.count()) == before
        assert set(settings.AMPARO_ATTACHMENTS_DIR.glob("*")) == files

    def test_a_failed_database_write_removes_both_files(
        self, coordinator, incident, settings, monkeypatch
    ):
        from amparo.incidents import services

        files = set(settings.AMPARO_ATTACHMENTS_DIR.glob("*"))

        def refuse(*args, **kwargs):
            raise RuntimeError("database went away")

        monkeypatch.setattr(services, "audit_record", refuse)
        with pytest.raises(RuntimeError):
            add(coordinator, incident)
        assert set(settings.AMPARO_ATTACHMENTS_DIR.glob("*")) == files
        assert not Attachment.objects.exists()

    def test_shredding_the_key_makes_both_unreadable(self, coordinator, incident):
        attachment = add(coordinator, incident)
        data_key_shred(incident.data_key)
        stored = Attachment.objects.select_related("data_key").get(pk=attachment.pk)
        for original in (False, True):
            with pytest.raises(CryptoError):
                attachment_read(actor=coordinator, attachment=stored, original=original)


class TestOriginal:
    def test_reading_the_original_is_a_distinct_audited_action(self, coordinator, incident):
        attachment = add(coordinator, incident)
        attachment_read(actor=coordinator, attachment=attachment, original=True)
        event = AuditEvent.objects.get(action="attachment.read_original")
        assert event.detail == {"incident": incident.code, "sha256": attachment.sha256}
        assert not AuditEvent.objects.filter(action="attachment.read").exists()

    def test_refused_to_whoever_may_not_change_the_incident(
        self, coordinator, defender_user, incident
    ):
        # The defender sees their own incident (and the shared copy) but does not manage it.
        attachment = add(coordinator, incident)
        events = AuditEvent.objects.count()
        with pytest.raises(PermissionDenied):
            attachment_read(actor=defender_user, attachment=attachment, original=True)
        assert AuditEvent.objects.count() == events


class TestDownload:
    def test_the_shared_copy_by_default(self, officer, incident, coordinator):
        attachment = add(coordinator, incident)
        response = download(logged_in(officer), incident, attachment)
        assert response.status_code == 200
        assert gps_tags(response.content) == 0
        assert hashlib.sha256(response.content).hexdigest() == attachment.shared_sha256
        assert response["Content-Type"] == "application/octet-stream"
        event = AuditEvent.objects.get(action="attachment.read", actor_id=officer.pk)
        assert event.detail["sha256"] == attachment.shared_sha256

    def test_the_original_when_asked_by_who_manages_the_evidence(
        self, officer, incident, coordinator
    ):
        attachment = add(coordinator, incident)
        response = download(logged_in(officer), incident, attachment, "?original=1")
        assert response.status_code == 200 and response.content == PHOTO
        assert AuditEvent.objects.filter(
            action="attachment.read_original", actor_id=officer.pk
        ).exists()

    @pytest.mark.parametrize(("persona", "status"), [("analyst", 403), ("other_officer", 404)])
    def test_the_original_denied(self, request, incident, coordinator, persona, status):
        attachment = add(coordinator, incident)
        client = logged_in(request.getfixturevalue(persona))
        events = AuditEvent.objects.count()
        assert download(client, incident, attachment, "?original=1").status_code == status
        assert AuditEvent.objects.count() == events

    def test_the_page_offers_the_original_to_who_manages_it(self, officer, analyst, incident):
        add(officer, incident)
        html = logged_in(officer).get(reverse("incidents:incident_detail", args=[incident.code]))
        assert "?original=1" in html.content.decode()
        analyst_html = logged_in(analyst).get(
            reverse("incidents:incident_detail", args=[incident.code])
        )
        assert "?original=1" not in analyst_html.content.decode()

    def test_the_api_digest_is_of_what_is_served(self, client, coordinator, incident):
        import base64

        from amparo.accounts.services import api_token_create

        attachment = add(coordinator, incident)
        _token, secret = api_token_create(actor=coordinator, name="t")
        response = client.get(
            f"/api/v1/incidents/{incident.code}/attachments/{attachment.pk}",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        assert response.status_code == 200
        expected = base64.b64encode(hashlib.sha256(response.content).digest()).decode()
        assert response["Repr-Digest"] == f"sha-256=:{expected}:"
        assert gps_tags(response.content) == 0


def test_a_merge_reseals_the_shared_copy_too(
    request, coordinator, settings, tmp_path, django_capture_on_commit_callbacks
):
    from amparo.incidents.models import Incident
    from amparo.registry.merge import defender_merge, defender_merge_confirm

    settings.AMPARO_ATTACHMENTS_DIR = tmp_path
    survivor, absorbed = request.getfixturevalue("pair")
    incident = Incident.objects.get(external_id="col:inc-1")
    attachment = add(coordinator, incident)
    merge = defender_merge(actor=coordinator, survivor=survivor, absorbed=absorbed)
    with django_capture_on_commit_callbacks(execute=True):
        defender_merge_confirm(actor=coordinator, merge=merge)

    moved = Attachment.objects.select_related("data_key").get(pk=attachment.pk)
    assert moved.data_key_id == survivor.data_key_id
    assert attachment_read(actor=coordinator, attachment=moved, original=True) == PHOTO
    shared = attachment_read(actor=coordinator, attachment=moved)
    assert hashlib.sha256(shared).hexdigest() == moved.shared_sha256
