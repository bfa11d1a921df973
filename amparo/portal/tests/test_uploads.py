"""Self-reported files pass the shared upload check; accepted photos reach the incident with a
copy without metadata, their original's hash in the audit chain."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.exceptions import ValidationError

from amparo.audit.models import AuditEvent
from amparo.core.tests.samples import docx, gps_tags, image, jpeg_with_gps
from amparo.incidents.services import attachment_read
from amparo.portal.models import ReportFile, SelfReport
from amparo.portal.services import Upload, files_check, report_accept, report_submit

from .conftest import YESTERDAY

pytestmark = pytest.mark.django_db


def content():
    from amparo.portal.services import ReportContent

    return ReportContent(
        what_happened="Una nota en la puerta.",
        occurred_on=YESTERDAY,
        country="CO",
        violations=["death_threat"],
    )


def test_every_bad_file_is_named_by_its_reason_and_nothing_is_kept(entity):
    uploads = [
        Upload("ok.png", io.BytesIO(image("PNG"))),
        Upload("map.svg", io.BytesIO(b"<svg onload='alert(1)'/>")),
        Upload("tool.exe", io.BytesIO(b"MZ\x90\x00")),
    ]
    with pytest.raises(ValidationError) as caught:
        report_submit(actor=None, content=content(), uploads=uploads)
    assert caught.value.message_dict == {
        "files": [
            "HTML, SVG and XML files are not accepted.",
            "The file is of a type that is not accepted.",
        ]
    }
    assert not SelfReport.objects.exists() and not ReportFile.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="selfreport").exists()


def test_types_come_from_the_content():
    checked = files_check(
        [Upload("photo.txt", io.BytesIO(image("JPEG"))), Upload("a.pdf", io.BytesIO(docx()))]
    )
    assert [file.content_type for file in checked] == [
        "image/jpeg",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]


def test_an_accepted_photo_reaches_the_incident_without_its_gps(world, coordinator, entity):
    photo = jpeg_with_gps()
    report, _code = report_submit(
        actor=None, content=content(), uploads=[Upload("IMG_1.jpg", io.BytesIO(photo))]
    )
    assert AuditEvent.objects.get(action="selfreport.file").detail["sha256"] == (
        hashlib.sha256(photo).hexdigest()
    )

    incident = report_accept(actor=coordinator, report=report, defender=world.team_defender)

    attachment = incident.attachments.get()
    assert attachment.sha256 == hashlib.sha256(photo).hexdigest()
    assert gps_tags(attachment_read(actor=coordinator, attachment=attachment)) == 0
    assert attachment_read(actor=coordinator, attachment=attachment, original=True) == photo
    event = AuditEvent.objects.get(action="attachment.create")
    assert event.detail["sha256"] == attachment.sha256
    assert event.detail["shared_sha256"] == attachment.shared_sha256 != ""
