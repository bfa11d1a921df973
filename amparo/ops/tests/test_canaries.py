"""Drill: a canary in every encrypted field appears nowhere it should not (0 hits), and does
appear where it must (the coordinator's identity export and pages: positive controls)."""

from __future__ import annotations

import datetime
import gzip
import io
import logging
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from amparo.accounts.models import User
from amparo.accounts.services import api_token_create
from amparo.coordination.models import Task
from amparo.coordination.notify import tasks_send_reminders
from amparo.coordination.services import task_open
from amparo.core.keys import get_keyring
from amparo.incidents.models import Incident
from amparo.incidents.services import IncidentData, incident_record
from amparo.interchange.exporter import export_records
from amparo.interchange.formats.hxl import export_hxl
from amparo.ops.archive import DecryptingReader
from amparo.ops.backup import backup_create, pg_client_args
from amparo.ops.canaries import (
    Canaries,
    Scan,
    every_field,
    files_under,
    fill_every_encrypted_field,
    new_canary,
    sqlite_files,
)
from amparo.ops.figures import report
from amparo.registry.models import Defender, Organisation, Person
from amparo.registry.services import (
    DefenderData,
    OrganisationData,
    PersonData,
    defender_register,
    organisation_create,
    person_create,
)
from amparo.tests.helpers import logged_in

pytestmark = pytest.mark.drill


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured_logs():
    handler = _Capture()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


def _through_services(coordinator: User, canaries: Canaries) -> tuple[Defender, Incident, dict]:
    c = {
        key: new_canary(key.rsplit(".", 2)[-2].lower() + "-" + key.rsplit(".", 1)[-1])
        for key in (
            "registry.Defender.name",
            "registry.Defender.alias",
            "registry.Defender.locality",
            "registry.Defender.contacts",
            "registry.Person.name",
            "registry.Organisation.sealed_name",
            "incidents.Incident.locality",
            "incidents.Incident.perpetrator_detail",
            "incidents.Incident.narrative",
            "incidents.Incident.sources",
            "incidents.Attachment.filename",
        )
    }
    defender = defender_register(
        actor=coordinator,
        data=DefenderData(
            name=c["registry.Defender.name"],
            alias=c["registry.Defender.alias"],
            locality=c["registry.Defender.locality"],
            contacts={"email": f"{c['registry.Defender.contacts']}@example.org"},
            country="CO",
            categories=["land_environment"],
        ),
    )
    person = person_create(
        actor=coordinator,
        defender=defender,
        data=PersonData(name=c["registry.Person.name"], relation="sibling"),
    )
    organisation = organisation_create(
        actor=coordinator,
        data=OrganisationData(
            name=c["registry.Organisation.sealed_name"], kind="community", country="CO"
        ),
    )
    incident = incident_record(
        actor=coordinator,
        data=IncidentData(
            date=datetime.date(2026, 2, 1),
            country="CO",
            violations=["threat"],
            victim_defenders=[defender],
            victim_persons=[person],
            organisations=[organisation],
            locality=c["incidents.Incident.locality"],
            perpetrator_detail=c["incidents.Incident.perpetrator_detail"],
            narrative=c["incidents.Incident.narrative"],
            sources=[c["incidents.Incident.sources"]],
        ),
    )
    for key, value in c.items():
        canaries.add(key, value, "services")
    return defender, incident, {Defender: defender, Person: person, Organisation: organisation}


def _upload_through_api(coordinator: User, incident: Incident, canaries: Canaries) -> None:
    """The attachment goes through the HTTP API, so Django's temporary upload file is used."""
    _token, raw = api_token_create(actor=coordinator, name="canary drill")
    content = new_canary("attachment-content")
    canaries.add("incidents.Attachment(file content)", content, "api")
    answer = Client().post(
        f"/api/v1/incidents/{incident.code}/attachments",
        {
            "file": SimpleUploadedFile(
                canaries.values["incidents.Attachment.filename"] + ".txt",
                f"evidence: {content}\n".encode() * 200,
                "text/plain",
            )
        },
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert answer.status_code == 201, answer.content


def _xlsx_text(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def _scan_database(scan: Scan, canaries: Canaries, defender: Defender, tmp_path: Path) -> None:
    if connection.vendor == "sqlite":
        blobs = {f"sqlite {p.name}": p.read_bytes() for p in sqlite_files()}
    else:
        blobs = {"pg_dump": _pg_dump(tmp_path), "postgresql data files": _pg_pages()}
    for location, blob in blobs.items():
        scan.check(location, canaries.found_in(blob))
    # Positive control: the scanned bytes are the live data (a clear code is in them; on
    # SQLite the newest pages may still be in the WAL only).
    assert defender.code.encode() in b"".join(blobs.values())
    if connection.vendor == "postgresql":
        assert all(defender.code.encode() in blob for blob in blobs.values())


def _pg_dump(tmp_path: Path) -> bytes:
    out = tmp_path / "canary.sql"
    args, env = pg_client_args(settings.DATABASES["default"])
    subprocess.run(["pg_dump", f"--file={out}", *args], env=env, check=True)
    return out.read_bytes()


def _pg_pages() -> bytes:
    """The database's own files on disk, after a checkpoint wrote the pages out."""
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        cursor.execute("SHOW data_directory")
        (data_directory,) = cursor.fetchone()
        cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
        (oid,) = cursor.fetchone()
    return b"".join(p.read_bytes() for p in files_under(Path(data_directory) / "base" / str(oid)))


def _send_a_reminder(coordinator: User, defender: Defender) -> None:
    """A task about the defender's case, due now, so the reminder mail is in the outbox."""
    User.objects.filter(pk=coordinator.pk).update(email="coordinator@example.org")
    coordinator.refresh_from_db()
    task_open(
        actor=coordinator,
        kind=Task.Kind.RISK_STUDY,
        title="Risk study",
        entity=defender.case.lead_entity,
        case=defender.case,
        owner=coordinator,
        due_at=timezone.now(),
    )
    assert tasks_send_reminders(now=timezone.now()).messages == 1


def test_no_plaintext_canary_leaks(
    audit_transactional_db, coordinator, analyst, captured_logs, settings, tmp_path
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    canaries = Canaries()
    defender, incident, anchors = _through_services(coordinator, canaries)
    _upload_through_api(coordinator, incident, canaries)
    fill_every_encrypted_field(
        canaries,
        {User: coordinator, Incident: incident, **anchors},
        defender.data_key,
    )
    fields = every_field()
    assert sorted(k for k in canaries.values if "(" not in k) == fields

    scan = Scan()
    _scan_database(scan, canaries, defender, tmp_path)
    scan.check(
        "attachment files",
        canaries.found_in(
            b"".join(p.read_bytes() for p in files_under(Path(settings.AMPARO_ATTACHMENTS_DIR)))
        ),
    )
    scan.check(
        "temporary upload files",
        canaries.found_in(b"".join(p.read_bytes() for p in files_under(tmp_path / "uploads"))),
    )

    backup = tmp_path / "canary.amparo"
    backup_create(out=backup, keyring=get_keyring())
    scan.check("backup file", canaries.found_in(backup.read_bytes()))
    with backup.open("rb") as handle:
        inside = gzip.decompress(DecryptingReader(handle, get_keyring()).read())
    scan.check("backup contents, decrypted", canaries.found_in(inside))
    assert defender.code.encode() in inside  # positive control: the archive was read

    exports: dict[str, str] = {}
    for actor in (coordinator, analyst):
        out = io.StringIO()
        export_records(actor=actor, write=out.write, pseudonymised=True)
        exports[f"pseudonymised export ({actor.role})"] = out.getvalue()
        out = io.StringIO()
        export_hxl(actor=actor, handle=out)
        exports[f"HXL counts ({actor.role})"] = out.getvalue()
    for location, text in exports.items():
        assert defender.code not in text or "pseudonymised" not in location
        scan.check(location, canaries.found_in(text))

    client = logged_in(analyst)
    pages = [
        "/defenders/",
        f"/defenders/{defender.code}/",
        "/incidents/",
        f"/incidents/{incident.code}/",
    ]
    for path in pages:
        answer = client.get(path)
        assert answer.status_code == 200, path
        scan.check(f"analyst page {path}", canaries.found_in(answer.content))
    for path in ("/defenders/", "/incidents/"):
        for fmt in ("csv", "xlsx"):
            answer = client.get(path, {"download": fmt})
            assert answer.status_code == 200, (path, fmt)
            body = b"".join(answer.streaming_content) if answer.streaming else answer.content
            text = _xlsx_text(body) if fmt == "xlsx" else body
            assert incident.code.encode() in text or defender.code.encode() in text
            scan.check(f"analyst download {path} {fmt}", canaries.found_in(text))

    _send_a_reminder(coordinator, defender)
    scan.check("log output", canaries.found_in("\n".join(captured_logs.lines)))
    scan.check(
        "e-mails sent",
        canaries.found_in("\n".join(f"{m.subject}\n{m.body}" for m in mail.outbox)),
    )

    # Positive controls: where identities belong, the canaries are found.
    identity = io.StringIO()
    export_records(actor=coordinator, write=identity.write, pseudonymised=False)
    in_identity_export = canaries.found_in(identity.getvalue())
    coordinator_page = logged_in(coordinator).get(f"/defenders/{defender.code}/")
    in_coordinator_page = canaries.found_in(coordinator_page.content)

    services = sum(1 for v in canaries.via.values() if v != "direct")
    report(
        f"canaries[{connection.vendor}]",
        encrypted_fields=len(fields),
        fields_covered=len([k for k in canaries.values if "(" not in k]),
        canaries_through_services=services,
        canaries_direct=len(canaries.values) - services,
        locations_scanned=len(scan.scanned),
        hits=scan.total,
        identity_export_hits=len(in_identity_export),
        coordinator_page_hits=len(in_coordinator_page),
        emails_scanned=len(mail.outbox),
        log_lines_scanned=len(captured_logs.lines),
    )
    assert scan.hits == {}
    assert {
        "registry.Defender.name",
        "registry.Defender.contacts",
        "registry.Person.name",
        "incidents.Incident.narrative",
        "incidents.Incident.sources",
    } <= set(in_identity_export)
    assert "registry.Defender.name" in in_coordinator_page
