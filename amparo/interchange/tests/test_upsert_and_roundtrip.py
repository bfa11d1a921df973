"""Import is an idempotent upsert through the services; export → import → export is exact."""

from __future__ import annotations

import json

import pytest

from amparo.audit.models import AuditEvent
from amparo.earlywarning.models import Event
from amparo.incidents.models import Incident
from amparo.interchange.tests.helpers import (
    delete_domain_rows,
    generated_records,
    run_export,
    run_import,
    sample_records,
    snapshot,
    write_jsonl,
)
from amparo.registry.models import Defender, Organisation, Person


@pytest.mark.django_db
def test_import_creates_every_field_through_the_services(entity, tmp_path):
    run = run_import(write_jsonl(tmp_path / "in.jsonl", sample_records()))

    assert "organisation: 2 created, 0 updated, 0 unchanged" in run.stdout
    assert "incident: 1 created, 0 updated, 0 unchanged" in run.stdout
    defender = Defender.objects.get(external_id="hrd-1")
    assert defender.name == "Tomás Pérez Quintero"
    assert defender.contacts == {"phone": "+57 310 555 0101", "signal": "+57 310 555 0102"}
    assert defender.category_codes == ["community_leader", "land_environment"]
    assert defender.consent_register is True
    assert defender.case.lead_entity == entity
    assert Organisation.objects.get(external_id="org-1").sealed_name == "Colectivo Tierra Libre"
    assert Organisation.objects.get(external_id="org-1").name == ""
    incident = Incident.objects.get(external_id="inc-1")
    assert incident.context_codes == ["publication"]
    assert incident.state_acquiescence is True
    assert incident.data_key_id == defender.data_key_id
    assert [p.external_id for p in incident.victim_persons.all()] == ["rel-1"]
    event = Event.objects.get(external_id="ev-1")
    assert (event.lead_days, event.tail_days) == (120, 0)
    assert [d.external_id for d in event.defenders.all()] == ["hrd-1"]
    created = AuditEvent.objects.filter(action__endswith=".create")
    assert set(created.values_list("action", flat=True)) >= {
        "organisation.create",
        "defender.create",
        "person.create",
        "event.create",
        "incident.create",
    }
    assert AuditEvent.objects.filter(actor_label__startswith="cli:").exists()


@pytest.mark.django_db
def test_defaults_apply_when_fields_are_absent(entity, tmp_path):
    run_import(
        write_jsonl(
            tmp_path / "in.jsonl",
            [
                {
                    "type": "defender",
                    "id": "hrd-1",
                    "name": "Rosa",
                    "categories": ["lawyer"],
                    "country": "CO",
                },
                {
                    "type": "incident",
                    "id": "inc-1",
                    "date": "2025-01-02",
                    "country": "CO",
                    "violations": ["threat"],
                    "victims": ["hrd-1"],
                },
                {
                    "type": "event",
                    "id": "ev-1",
                    "kind": "publication",
                    "start": "2026-01-10",
                    "country": "CO",
                },
            ],
        )
    )
    defender = Defender.objects.get()
    assert (defender.gender, defender.status) == ("unknown", "active")
    assert defender.registered_on is not None
    incident = Incident.objects.get()
    assert incident.perpetrator_codes == ["unknown"]
    assert (incident.reported_on, incident.verification) == (incident.date, "unverified")
    assert Event.objects.get().end == Event.objects.get().start


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(entity, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", sample_records())
    run_import(path)
    before = snapshot()

    run = run_import(path)

    assert snapshot() == before
    assert "defender: 0 created, 0 updated, 1 unchanged" in run.stdout
    assert "organisation: 0 created, 0 updated, 2 unchanged" in run.stdout


@pytest.mark.django_db
def test_a_changed_record_is_updated_and_audited_with_the_changed_fields(entity, tmp_path):
    records = sample_records()
    run_import(write_jsonl(tmp_path / "v1.jsonl", records))
    defender = Defender.objects.get(external_id="hrd-1")
    records[2] = {**records[2], "status": "relocated", "locality": "Popayán"}
    records[5] = {**records[5], "verification": "verified", "violations": ["killing"]}
    audit_before = AuditEvent.objects.count()

    run = run_import(write_jsonl(tmp_path / "v2.jsonl", records))

    assert "defender: 0 created, 1 updated, 0 unchanged" in run.stdout
    assert "incident: 0 created, 1 updated, 0 unchanged" in run.stdout
    assert "person: 0 created, 0 updated, 1 unchanged" in run.stdout
    new_events = list(AuditEvent.objects.filter(seq__gt=audit_before).order_by("seq"))
    assert [(e.action, e.object_id, e.fields) for e in new_events] == [
        ("defender.update", str(defender.pk), ["locality", "status"]),
        ("incident.update", str(Incident.objects.get().pk), ["verification", "violations"]),
    ]
    defender.refresh_from_db()
    assert (defender.status, defender.locality) == ("relocated", "Popayán")
    # No value of a sensitive field reaches the audit log.
    assert "Popayán" not in json.dumps([e.detail for e in new_events])


@pytest.mark.django_db
def test_the_same_content_spelt_differently_is_unchanged(entity, tmp_path):
    records = sample_records()
    run_import(write_jsonl(tmp_path / "v1.jsonl", records))
    records[2] = {**records[2], "categories": ["community_leader", "land_environment"]}
    before = snapshot()
    run = run_import(write_jsonl(tmp_path / "v2.jsonl", records))
    assert "defender: 0 created, 0 updated, 1 unchanged" in run.stdout
    assert snapshot() == before


@pytest.mark.django_db
def test_a_person_cannot_move_to_another_defender(entity, tmp_path):
    records = sample_records()
    records.insert(3, {**records[2], "id": "hrd-2", "name": "Otro"})
    run_import(write_jsonl(tmp_path / "v1.jsonl", records))
    records[4] = {**records[4], "related_to": "hrd-2"}
    before = snapshot()
    path = write_jsonl(tmp_path / "v2.jsonl", records)
    from amparo.interchange.tests.helpers import run_import_failing

    run = run_import_failing(path)
    assert run.errors == ["line 5: field related_to: A person cannot be moved to another defender."]
    assert snapshot() == before


@pytest.mark.django_db
def test_export_import_export_is_byte_identical(entity, tmp_path):
    run_import(write_jsonl(tmp_path / "in.jsonl", sample_records()))
    first = run_export()
    assert len(first.splitlines()) == 6

    delete_domain_rows()
    assert Defender.objects.count() == 0
    run_import(write_jsonl(tmp_path / "export.jsonl", first.splitlines()))
    second = run_export()

    assert second == first
    # Exported lines are exactly the contract's fields.
    incident = json.loads(first.splitlines()[-1])
    assert incident == {**sample_records()[5]}


@pytest.mark.django_db
def test_generated_file_imports_and_round_trips(entity, tmp_path):
    records = generated_records()
    assert len(records) == 200
    run = run_import(write_jsonl(tmp_path / "gen.jsonl", records))
    assert run.errors == []
    assert (Defender.objects.count(), Person.objects.count(), Incident.objects.count()) == (
        60,
        40,
        60,
    )
    first = run_export()
    assert len(first.splitlines()) == 200

    delete_domain_rows()
    run_import(write_jsonl(tmp_path / "export.jsonl", first.splitlines()))
    assert run_export() == first

    # And the exported file re-imported over itself is a no-op.
    before = snapshot()
    run = run_import(write_jsonl(tmp_path / "again.jsonl", first.splitlines()))
    assert snapshot() == before
    assert "defender: 0 created, 0 updated, 60 unchanged" in run.stdout


@pytest.mark.django_db
def test_a_write_failure_rolls_back_everything(entity, tmp_path, system):
    """A record the services refuse at write time (a shredded defender) stops the import and
    leaves the database as it was."""
    from amparo.registry.services import defender_shred

    records = sample_records()
    run_import(write_jsonl(tmp_path / "v1.jsonl", records))
    defender_shred(actor=system, defender=Defender.objects.get(external_id="hrd-1"))
    records[0] = {**records[0], "subdivision": "CO-ANT"}
    records[2] = {**records[2], "status": "inactive"}
    before = snapshot()
    from amparo.interchange.tests.helpers import run_import_failing

    run = run_import_failing(write_jsonl(tmp_path / "v2.jsonl", records))

    assert run.errors == ["line 3: field id: This defender was shredded; the record cannot change."]
    assert snapshot() == before
    assert Organisation.objects.get(external_id="org-1").subdivision == "CO-CAU"
