"""Replies' documents pass the same upload check as evidence; the original's hash is audited."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError

from amparo.audit.models import AuditEvent
from amparo.communications.models import ReplyDocument
from amparo.communications.services import ReplyData, reply_document_add, reply_record
from amparo.core.tests.samples import docx, zipped

from .conftest import draft, send


@pytest.fixture
def reply(comms_officer, coordinator, letters, settings, tmp_path):
    settings.AMPARO_ATTACHMENTS_DIR = tmp_path
    communication = send(
        comms_officer,
        coordinator,
        draft(comms_officer, defenders=[letters.rosa]),
        sent_on=datetime.date(2026, 5, 4),
    )
    return reply_record(
        actor=comms_officer,
        communication=communication,
        data=ReplyData(received_on=datetime.date(2026, 6, 1), kind="substantive"),
    )


def add(actor, reply, content, name="respuesta.pdf"):
    return reply_document_add(
        actor=actor,
        reply=reply,
        upload=io.BytesIO(content),
        filename=name,
        content_type="application/pdf",
    )


def test_an_office_document_is_accepted_and_its_hash_audited(comms_officer, reply):
    content = docx()
    document = add(comms_officer, reply, content, "respuesta.docx")
    assert document.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    event = AuditEvent.objects.get(action="reply_document.create")
    assert event.detail == {
        "reply": reply.external_id,
        "sha256": hashlib.sha256(content).hexdigest(),
        "size": len(content),
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><body>respuesta</body></html>", "HTML, SVG and XML files are not accepted."),
        (
            zipped({"[Content_Types].xml": b"<T/>", "word/d.xml": b"<w/>", "../x": b"x"}),
            "The archive names a path outside itself.",
        ),
        (b"MZ\x90\x00\x03", "The file is of a type that is not accepted."),
    ],
)
def test_refused_documents_leave_nothing(comms_officer, reply, tmp_path, content, message):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        add(comms_officer, reply, content)
    assert caught.value.message_dict == {"document": [message]}
    assert not ReplyDocument.objects.exists()
    assert AuditEvent.objects.count() == events
    assert not any(tmp_path.rglob("*.bin"))
