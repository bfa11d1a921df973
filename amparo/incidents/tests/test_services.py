"""Incident writes: what they seal and under which key, validation, and evidence custody."""

import datetime
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from amparo.audit.models import AuditEvent
from amparo.core.crypto import DecryptionFailed
from amparo.core.models import DataKey
from amparo.incidents import services
from amparo.incidents.models import Attachment, Incident
from amparo.incidents.services import (
    IncidentData,
    attachment_add,
    attachment_path,
    attachment_read,
    incident_record,
    incident_update,
)
from amparo.registry.services import (
    DefenderData,
    OrganisationData,
    PersonData,
    defender_register,
    organisation_create,
    person_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def defender(coordinator):
    return defender_register(
        actor=coordinator,
        data=DefenderData(name="Ana Lucía Mejía", country="CO", categories=["journalist"]),
    )


def data(defender, **overrides):
    values = {
        "date": datetime.date(2026, 3, 1),
        "country": "CO",
        "subdivision": "CO-CAU",
        "violations": ["death_threat", "surveillance"],
        "victim_defenders": [defender],
        "perpetrators": ["paramilitary"],
        "contexts": ["publication"],
        "perpetrator_detail": "Bloque Norte",
        "narrative": "Panfleto bajo la puerta.",
        "locality": "Vereda El Palo",
        "sources": ["testimonio", "foto"],
    }
    return IncidentData(**{**values, **overrides})


def state():
    return (
        Incident.objects.count(),
        Attachment.objects.count(),
        DataKey.objects.count(),
        AuditEvent.objects.count(),
    )


class TestRecord:
    def test_stores_codes_and_seals_the_details_under_the_victims_key(self, coordinator, defender):
        incident = incident_record(actor=coordinator, data=data(defender))

        loaded = Incident.objects.get(pk=incident.pk)
        assert loaded.data_key_id == defender.data_key_id
        assert loaded.case_id == defender.case_id
        assert loaded.lead_entity_id == coordinator.entity_id
        assert loaded.reported_on == datetime.date(2026, 3, 1)
        assert (loaded.violation_codes, loaded.perpetrator_codes, loaded.context_codes) == (
            ["death_threat", "surveillance"],
            ["paramilitary"],
            ["publication"],
        )
        assert (loaded.narrative, loaded.locality, loaded.perpetrator_detail, loaded.sources) == (
            "Panfleto bajo la puerta.",
            "Vereda El Palo",
            "Bloque Norte",
            ["testimonio", "foto"],
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT narrative, locality, perpetrator_detail, sources FROM incidents_incident"
            )
            (row,) = cursor.fetchall()
        raw = b"".join(bytes(column) for column in row)
        for plain in ("Panfleto", "Vereda", "Bloque", "testimonio"):
            assert plain.encode() not in raw

    def test_a_relatives_incident_is_sealed_under_the_defenders_key(self, coordinator, defender):
        person = person_create(
            actor=coordinator, defender=defender, data=PersonData(name="Rosa", relation="parent")
        )

        incident = incident_record(
            actor=coordinator, data=data(defender, victim_defenders=[], victim_persons=[person])
        )

        assert incident.data_key_id == defender.data_key_id
        assert incident.case_id == defender.case_id

    def test_an_organisation_only_incident_gets_its_own_key(self, coordinator):
        community = organisation_create(
            actor=coordinator, data=OrganisationData(name="Consejo", kind="community", country="CO")
        )

        incident = incident_record(
            actor=coordinator, data=data(None, victim_defenders=[], organisations=[community])
        )

        assert incident.case_id is None
        assert incident.data_key_id not in {community.data_key_id}
        assert Incident.objects.get(pk=incident.pk).narrative == "Panfleto bajo la puerta."

    def test_empty_details_are_stored_as_absent(self, coordinator, defender):
        incident = incident_record(
            actor=coordinator,
            data=data(defender, narrative="", locality="", perpetrator_detail="", sources=[]),
        )

        loaded = Incident.objects.get(pk=incident.pk)
        assert (loaded.narrative, loaded.locality, loaded.perpetrator_detail, loaded.sources) == (
            None,
            None,
            None,
            [],
        )

    def test_validation_names_every_bad_field_and_writes_nothing(self, coordinator, defender):
        before = state()

        with pytest.raises(ValidationError) as caught:
            incident_record(
                actor=coordinator,
                data=data(
                    defender,
                    country="ZZ",
                    violations=[],
                    perpetrators=["ghosts"],
                    contexts=["holiday"],
                    date_precision="hour",
                    verification="sure",
                    end_date=datetime.date(2026, 2, 1),
                    reported_on=datetime.date(2026, 2, 1),
                    sources=[1],
                ),
            )

        assert sorted(caught.value.message_dict) == [
            "context",
            "country",
            "date_precision",
            "end_date",
            "perpetrators",
            "reported_on",
            "sources",
            "subdivision",
            "verification",
            "violations",
        ]
        assert state() == before

    def test_no_victims_and_a_future_date_are_refused(self, coordinator):
        before = state()
        with pytest.raises(ValidationError) as caught:
            incident_record(
                actor=coordinator,
                data=data(
                    None, victim_defenders=[], date=datetime.date.today() + datetime.timedelta(5)
                ),
            )
        assert sorted(caught.value.message_dict) == ["date", "victims"]
        assert state() == before


class TestUpdate:
    def test_changes_and_no_change(self, coordinator, defender):
        incident = incident_record(actor=coordinator, data=data(defender))

        assert (
            incident_update(
                actor=coordinator,
                incident=Incident.objects.get(pk=incident.pk),
                data=data(defender),
            )
            == []
        )
        changed = incident_update(
            actor=coordinator,
            incident=Incident.objects.get(pk=incident.pk),
            data=data(
                defender,
                narrative="Segundo panfleto.",
                violations=["threat"],
                verification="verified",
            ),
        )

        assert changed == ["verification", "narrative", "violations"]
        loaded = Incident.objects.get(pk=incident.pk)
        assert (loaded.narrative, loaded.violation_codes, loaded.verification) == (
            "Segundo panfleto.",
            ["threat"],
            "verified",
        )
        assert loaded.perpetrator_codes == ["paramilitary"]


class TestAttachments:
    @pytest.fixture
    def incident(self, coordinator, defender):
        return incident_record(actor=coordinator, data=data(defender))

    def add(self, actor, incident, content=b"%PDF-1.7 acta de amenaza", filename="acta.pdf"):
        return attachment_add(
            actor=actor,
            incident=incident,
            upload=io.BytesIO(content),
            filename=filename,
            content_type="application/pdf",
        )

    def test_stored_encrypted_with_the_hash_of_the_original(self, coordinator, incident):
        content = b"%PDF-1.7 acta de amenaza"

        attachment = self.add(coordinator, incident, content)

        stored = Attachment.objects.get(pk=attachment.pk)
        assert (stored.size, stored.sha256, stored.content_type) == (
            len(content),
            hashlib.sha256(content).hexdigest(),
            "application/pdf",
        )
        assert stored.filename == "acta.pdf"
        assert stored.data_key_id == incident.data_key_id
        on_disk = attachment_path(stored).read_bytes()
        assert content not in on_disk
        assert b"acta de amenaza" not in on_disk
        assert attachment_read(actor=coordinator, attachment=stored) == content

    def test_a_path_in_the_filename_is_dropped(self, coordinator, incident):
        attachment = self.add(coordinator, incident, filename="../../etc/passwd")
        assert Attachment.objects.get(pk=attachment.pk).filename == "passwd"
        assert attachment_path(attachment).parent.name == "attachments"

    def test_a_tampered_file_is_refused(self, coordinator, incident):
        attachment = self.add(coordinator, incident)
        path = attachment_path(attachment)
        blob = bytearray(path.read_bytes())
        blob[20] ^= 1
        path.write_bytes(bytes(blob))
        mark = AuditEvent.objects.count()

        with pytest.raises(DecryptionFailed):
            attachment_read(actor=coordinator, attachment=attachment)
        assert AuditEvent.objects.count() == mark

    def test_a_file_swapped_for_another_attachment_is_refused(self, coordinator, incident):
        first = self.add(coordinator, incident, b"first file")
        second = self.add(coordinator, incident, b"second file")
        attachment_path(second).write_bytes(attachment_path(first).read_bytes())

        with pytest.raises(DecryptionFailed):
            attachment_read(actor=coordinator, attachment=second)

    def test_too_large_or_nameless_files_are_refused(self, coordinator, incident, settings):
        settings.AMPARO_MAX_ATTACHMENT_BYTES = 10
        files_before = set(settings.AMPARO_ATTACHMENTS_DIR.glob("*"))
        before = state()

        with pytest.raises(ValidationError) as caught:
            self.add(coordinator, incident, b"x" * 11, filename="  ")

        assert caught.value.message_dict == {
            "file": ["The file is larger than the limit.", "The file has no name."]
        }
        assert state() == before
        assert set(settings.AMPARO_ATTACHMENTS_DIR.glob("*")) == files_before

    def test_a_failed_database_write_removes_the_file(
        self, coordinator, incident, settings, monkeypatch
    ):
        files_before = set(settings.AMPARO_ATTACHMENTS_DIR.glob("*"))

        def refuse(*args, **kwargs):
            raise RuntimeError("database went away")

        monkeypatch.setattr(services, "audit_record", refuse)
        with pytest.raises(RuntimeError):
            self.add(coordinator, incident)

        assert set(settings.AMPARO_ATTACHMENTS_DIR.glob("*")) == files_before
        assert Attachment.objects.count() == 0


class TestPresentingWhatCannotBeDecrypted:
    def test_a_forged_field_shows_no_detail_at_all_and_is_not_called_sealed(
        self, coordinator, defender
    ):
        from amparo.incidents.presenters import present_incidents

        incident = incident_record(actor=coordinator, data=data(defender))
        # The narrative column gets the locality's ciphertext: locality still opens, but the
        # view must not show it while the rest of the record fails.
        Incident.objects.filter(pk=incident.pk).update(
            narrative=bytes(
                Incident.objects.filter(pk=incident.pk).values_list("locality", flat=True).get()
            )
        )
        mark = AuditEvent.objects.count()

        (view,) = present_incidents(coordinator, [Incident.objects.get(pk=incident.pk)], via="page")

        assert (view.locality, view.perpetrator_detail, view.narrative, view.sources) == (
            None,
            None,
            None,
            [],
        )
        assert (view.details_shown, view.sealed) == (False, False)
        assert AuditEvent.objects.count() == mark
