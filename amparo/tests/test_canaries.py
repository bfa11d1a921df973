"""Plaintext canaries (T7): unique strings written into every sensitive field and file must never
appear in the database files, the WAL, the attachments directory, a dump, the audit log or the
logs; and they must appear when read back through the presenters, so the test can fail.
"""

import datetime
import io
import logging
import shutil
import subprocess
import traceback
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from amparo.accounts.services import entity_create
from amparo.audit.models import AuditEvent
from amparo.audit.services import audit_record
from amparo.audit.tests.test_chain import EXPECTED_TRIGGERS, triggers_present
from amparo.core.crypto import DecryptionFailed
from amparo.incidents.models import Incident
from amparo.incidents.presenters import present_incident
from amparo.incidents.services import (
    IncidentData,
    attachment_add,
    attachment_read,
    incident_record,
    incident_update,
)
from amparo.registry.models import Defender, Organisation, Person
from amparo.registry.presenters import organisation_label, present_defender, present_persons
from amparo.registry.selectors import DefenderFilters, defender_duplicates, defender_list
from amparo.registry.services import (
    DefenderData,
    OrganisationData,
    PersonData,
    defender_register,
    defender_update,
    organisation_create,
    person_create,
)

FIELDS = (
    "defender_name",
    "defender_alias",
    "defender_locality",
    "contact_phone",
    "contact_email",
    "contact_signal",
    "person_name",
    "organisation_name",
    "incident_locality",
    "perpetrator_detail",
    "narrative",
    "source",
    "attachment_filename",
    "attachment_content",
)


def new_canaries():
    # Letters, digits and hyphens only: LIKE would escape "_" and hide a leaked value.
    return {field: f"CANARY-{field.replace('_', '-')}-{uuid.uuid4().hex}" for field in FIELDS}


def seed(actor, canaries):
    community = organisation_create(
        actor=actor,
        data=OrganisationData(name=canaries["organisation_name"], kind="community", country="CO"),
    )
    defender = defender_register(
        actor=actor,
        data=DefenderData(
            name=canaries["defender_name"],
            alias=canaries["defender_alias"],
            locality=canaries["defender_locality"],
            country="CO",
            categories=["journalist"],
            contacts={
                "phone": canaries["contact_phone"],
                "email": canaries["contact_email"],
                "signal": canaries["contact_signal"],
            },
            organisations=[community],
        ),
    )
    person = person_create(
        actor=actor,
        defender=defender,
        data=PersonData(name=canaries["person_name"], relation="child"),
    )
    incident = incident_record(
        actor=actor,
        data=IncidentData(
            date=datetime.date(2026, 3, 1),
            country="CO",
            violations=["threat"],
            victim_defenders=[defender],
            victim_persons=[person],
            organisations=[community],
            locality=canaries["incident_locality"],
            perpetrator_detail=canaries["perpetrator_detail"],
            narrative=canaries["narrative"],
            sources=[canaries["source"]],
        ),
    )
    attachment = attachment_add(
        actor=actor,
        incident=incident,
        upload=io.BytesIO(f"evidence: {canaries['attachment_content']}".encode()),
        filename=f"{canaries['attachment_filename']}.pdf",
        content_type="application/pdf",
    )
    return {
        "defender": defender,
        "person": person,
        "incident": incident,
        "community": community,
        "attachment": attachment,
    }


def hits(canaries, blob: bytes):
    return sorted(field for field, value in canaries.items() if value.encode() in blob)


def database_files():
    name = Path(connection.settings_dict["NAME"])
    return [path for path in (name, Path(f"{name}-wal"), Path(f"{name}-journal")) if path.exists()]


def data_dir_bytes():
    """Every file under the data directory: the SQLite database and WAL, attachments, keys."""
    root = Path(settings.AMPARO_DATA_DIR)
    files = [p for p in root.rglob("*") if p.is_file()]
    if connection.vendor == "sqlite":
        files += [p for p in database_files() if root not in p.parents]
    return b"".join(p.read_bytes() for p in files), files


def postgres_table_bytes():
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608
            chunks.extend(row[0].encode() for row in cursor.fetchall())
    return b"\n".join(chunks)


def pg_dump_bytes():
    if shutil.which("pg_dump") is None:
        return None
    db = connection.settings_dict
    command = [
        "pg_dump",
        "-a",
        "-h",
        db.get("HOST") or "127.0.0.1",
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        db.get("USER") or "postgres",
        "-d",
        db["NAME"],
    ]
    result = subprocess.run(
        command,
        capture_output=True,
        check=True,
        timeout=120,
        env={"PGPASSWORD": db.get("PASSWORD") or "", "PATH": "/usr/bin:/bin"},
    )
    return result.stdout


@pytest.mark.usefixtures("audit_transactional_db")
class TestStorage:
    """Committed data, read from outside the application, holds no canary."""

    def test_no_canary_at_rest(self, coordinator, system):
        canaries = new_canaries()
        control = f"CONTROL-{uuid.uuid4().hex}"
        entity_create(actor=system, slug="control", name=control)
        records = seed(coordinator, canaries)
        defender_update(
            actor=coordinator,
            defender=Defender.objects.get(pk=records["defender"].pk),
            data=DefenderData(
                name=canaries["defender_name"],
                alias=canaries["defender_alias"],
                locality=canaries["defender_locality"],
                country="CO",
                categories=["journalist", "lawyer"],
                contacts={
                    "phone": canaries["contact_phone"],
                    "email": canaries["contact_email"],
                    "signal": canaries["contact_signal"],
                },
                organisations=[records["community"]],
            ),
        )

        blob, files = data_dir_bytes()
        if connection.vendor == "sqlite":
            assert any(p.name.endswith(".sqlite3-wal") or p.suffix == ".sqlite3" for p in files)
            scanned = {"files": blob}
        else:
            scanned = {"tables": postgres_table_bytes(), "files": blob}
            dump = pg_dump_bytes()
            if dump is not None:
                scanned["pg_dump"] = dump

        # The control is a plain column: finding it proves the scan sees the committed data.
        for where, content in scanned.items():
            if where != "files" or connection.vendor == "sqlite":
                assert control.encode() in content, where
            assert hits(canaries, content) == [], where
        attachment_files = [p for p in files if p.parent.name == "attachments"]
        assert attachment_files

    def test_the_canaries_do_come_back_through_the_presenters(self, coordinator):
        canaries = new_canaries()
        records = seed(coordinator, canaries)

        view = present_defender(
            coordinator, Defender.objects.get(pk=records["defender"].pk), via="page"
        )
        (person,) = present_persons(
            coordinator, [Person.objects.get(pk=records["person"].pk)], via="page"
        )
        incident = present_incident(
            coordinator, Incident.objects.get(pk=records["incident"].pk), via="page"
        )
        organisation = Organisation.objects.get(pk=records["community"].pk)
        content = attachment_read(actor=coordinator, attachment=records["attachment"])

        assert (view.name, view.alias, view.locality) == (
            canaries["defender_name"],
            canaries["defender_alias"],
            canaries["defender_locality"],
        )
        assert view.contacts == {
            "phone": canaries["contact_phone"],
            "email": canaries["contact_email"],
            "signal": canaries["contact_signal"],
        }
        assert person.name == canaries["person_name"]
        assert organisation_label(coordinator, organisation) == canaries["organisation_name"]
        assert (
            incident.locality,
            incident.perpetrator_detail,
            incident.narrative,
            incident.sources,
        ) == (
            canaries["incident_locality"],
            canaries["perpetrator_detail"],
            canaries["narrative"],
            [canaries["source"]],
        )
        assert records["attachment"].filename == f"{canaries['attachment_filename']}.pdf"
        assert content == f"evidence: {canaries['attachment_content']}".encode()


def audit_text():
    rows = AuditEvent.objects.values_list(
        "action", "object_type", "object_id", "fields", "detail", "actor_label", "request_id"
    )
    return repr(list(rows)).encode()


@pytest.mark.django_db
def test_no_canary_in_the_audit_log(coordinator, officer):
    canaries = new_canaries()
    records = seed(coordinator, canaries)
    present_defender(coordinator, Defender.objects.get(pk=records["defender"].pk), via="page")
    present_incident(coordinator, Incident.objects.get(pk=records["incident"].pk), via="page")
    attachment_read(actor=coordinator, attachment=records["attachment"])

    assert (
        AuditEvent.objects.filter(
            action__in=[
                "defender.create",
                "person.create",
                "incident.create",
                "attachment.create",
                "defender.read",
                "incident.read",
                "attachment.read",
            ]
        ).count()
        >= 7
    )
    assert hits(canaries, audit_text()) == []


@pytest.mark.django_db
def test_no_canary_in_logs_or_error_messages(coordinator, caplog, capsys):
    canaries = new_canaries()
    # Every logger at DEBUG: Django's own "django" logger would otherwise stop at INFO.
    caplog.set_level(logging.DEBUG)
    for name in ["django", "django.db.backends", "amparo", *list(logging.root.manager.loggerDict)]:
        caplog.set_level(logging.DEBUG, logger=name)
    errors = []
    connection.force_debug_cursor = True  # log every SQL statement with its parameters
    try:
        records = seed(coordinator, canaries)
        defender = Defender.objects.get(pk=records["defender"].pk)
        defender_update(
            actor=coordinator,
            defender=defender,
            data=DefenderData(
                name=canaries["defender_name"] + " II",
                country="CO",
                categories=["journalist"],
                contacts={"phone": canaries["contact_phone"]},
            ),
        )
        incident_update(
            actor=coordinator,
            incident=Incident.objects.get(pk=records["incident"].pk),
            data=IncidentData(
                date=datetime.date(2026, 3, 1),
                country="CO",
                violations=["threat"],
                victim_defenders=[defender],
                narrative=canaries["narrative"] + " (rev)",
            ),
        )
        for query in (
            canaries["defender_name"],
            canaries["contact_phone"],
            canaries["contact_email"],
            canaries["person_name"],
        ):
            list(defender_list(actor=coordinator, filters=DefenderFilters(query=query)))
        defender_duplicates(
            actor=coordinator,
            name=canaries["defender_name"],
            alias=canaries["defender_alias"],
            contacts={"signal": canaries["contact_signal"]},
        )

        # A failed decryption.
        Defender.objects.filter(pk=defender.pk).update(
            alias=bytes(
                Defender.objects.filter(pk=defender.pk).values_list("name", flat=True).get()
            )
        )
        with pytest.raises(DecryptionFailed) as failed:
            Defender.objects.get(pk=defender.pk).alias  # noqa: B018
        errors.append(failed.value)
        tampered = present_defender(coordinator, Defender.objects.get(pk=defender.pk), via="page")
        assert (tampered.name, tampered.identity_shown) == (None, False)

        # Validation errors carrying sensitive values in their other fields.
        with pytest.raises(ValidationError) as invalid:
            defender_register(
                actor=coordinator,
                data=DefenderData(
                    name=canaries["defender_name"],
                    alias=canaries["defender_alias"],
                    locality=canaries["defender_locality"],
                    country="ZZ",
                    categories=["nope"],
                    contacts={"phone": canaries["contact_phone"], "bad": 5},
                ),
            )
        errors.append(invalid.value)
        with pytest.raises(ValidationError) as invalid:
            person_create(
                actor=coordinator,
                defender=defender,
                data=PersonData(name=canaries["person_name"], relation="enemy"),
            )
        errors.append(invalid.value)
        with pytest.raises(ValidationError) as invalid:
            incident_record(
                actor=coordinator,
                data=IncidentData(
                    date=datetime.date(2026, 3, 1),
                    country="CO",
                    violations=["x"],
                    victim_defenders=[defender],
                    narrative=canaries["narrative"],
                    perpetrator_detail=canaries["perpetrator_detail"],
                ),
            )
        errors.append(invalid.value)
    finally:
        connection.force_debug_cursor = False

    logged = "\n".join(
        f"{r.name} {r.levelname} {r.getMessage()} {r.args!r} {getattr(r, 'sql', '')} "
        f"{getattr(r, 'params', '')}"
        for r in caplog.records
    )
    assert any(r.name == "django.db.backends" for r in caplog.records)
    assert f"Cannot decrypt defender {defender.code}: DecryptionFailed" in logged
    assert hits(canaries, logged.encode()) == []
    for error in errors:
        text = "".join(traceback.format_exception(error)) + repr(error) + str(error)
        assert hits(canaries, text.encode()) == [], type(error).__name__
    captured = capsys.readouterr()
    assert hits(canaries, (captured.out + captured.err).encode()) == []


@pytest.mark.django_db
def test_the_append_only_triggers_are_back_after_the_transactional_tests(system):
    # Runs after TestStorage (file order): its flush dropped and then recreated the triggers.
    assert triggers_present() == EXPECTED_TRIGGERS[connection.vendor]
    audit_record(system, "test.event")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="nothing.happened")
