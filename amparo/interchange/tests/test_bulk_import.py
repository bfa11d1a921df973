"""New incidents are imported in bulk (incident_prepare, then incident_store_many per batch)
with every guarantee of incident_record: codes, keys, links, audit chain, refusals by line."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amparo.audit.models import AuditEvent
from amparo.audit.selectors import audit_verify
from amparo.incidents.models import Incident
from amparo.interchange import importer
from amparo.interchange.tests.helpers import (
    generated_records,
    run_import,
    run_import_failing,
    snapshot,
    write_jsonl,
)
from amparo.registry.models import Defender, Person


def _split(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    incidents = [r for r in records if r["type"] == "incident"]
    return [r for r in records if r["type"] != "incident"], incidents


@pytest.mark.django_db
def test_incidents_across_batches_get_consecutive_codes_keys_links_and_chained_events(
    entity, tmp_path, monkeypatch
):
    monkeypatch.setattr(importer, "WRITE_BATCH", 25)
    records = generated_records(seed=3, scale=2)
    _others, incidents = _split(records)

    run = run_import(write_jsonl(tmp_path / "in.jsonl", records))

    assert f"incident: {len(incidents)} created, 0 updated, 0 unchanged" in run.stdout
    year = datetime.datetime.now(datetime.UTC).year
    stored = {i.external_id: i for i in Incident.objects.all()}
    assert sorted(i.code for i in stored.values()) == [
        f"INC-{year}-{n:06d}" for n in range(1, len(incidents) + 1)
    ]
    # Codes follow the file's order, as one-by-one recording gave them.
    assert [stored[r["id"]].code for r in incidents] == sorted(i.code for i in stored.values())
    defenders = {d.external_id: d for d in Defender.objects.all()}
    persons = {p.external_id: p for p in Person.objects.all()}
    for record in incidents:
        incident = stored[record["id"]]
        first_defender = next(v for v in record["victims"] if v in defenders)
        assert incident.data_key_id == defenders[first_defender].data_key_id
        assert incident.case_id == defenders[first_defender].case_id
        assert incident.narrative == record.get("narrative")
        assert {d.external_id for d in incident.victim_defenders.all()} == {
            v for v in record["victims"] if v in defenders
        }
        assert {p.external_id for p in incident.victim_persons.all()} == {
            v for v in record["victims"] if v in persons
        }
        assert incident.violation_codes == sorted(set(record["violations"]))
        assert incident.perpetrator_codes == sorted(set(record["perpetrators"]))
        assert incident.digest
    events = AuditEvent.objects.filter(action="incident.create")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(
        str(i.pk) for i in stored.values()
    )
    assert {e.detail["code"] for e in events} == {i.code for i in stored.values()}
    result = audit_verify()
    assert result.ok
    assert result.checked == AuditEvent.objects.count()


@pytest.mark.django_db
def test_incident_queries_do_not_grow_with_the_number_of_incidents(entity, tmp_path):
    others, incidents = _split(generated_records(seed=5, scale=2))
    run_import(write_jsonl(tmp_path / "others.jsonl", others))
    path = write_jsonl(tmp_path / "incidents.jsonl", incidents)

    with CaptureQueriesContext(connection) as queries:
        run = run_import(path)

    assert f"incident: {len(incidents)} created" in run.stdout
    # One by one it took about ten queries per incident; in bulk a few per batch.
    assert len(incidents) == 120
    assert len(queries) < 60


@pytest.mark.django_db
def test_a_refused_incident_names_its_line_and_nothing_is_written(entity, tmp_path, system):
    from amparo.registry.services import defender_shred

    others, incidents = _split(generated_records(seed=5))
    run_import(write_jsonl(tmp_path / "others.jsonl", others))
    shredded = incidents[4]["victims"][0]
    defender_shred(actor=system, defender=Defender.objects.get(external_id=shredded))
    refused = [n for n, r in enumerate(incidents, start=1) if r["victims"][0] == shredded]
    before = snapshot()

    run = run_import_failing(write_jsonl(tmp_path / "incidents.jsonl", incidents))

    assert run.errors == [
        f"line {n}: field victims: The first victim's record was shredded." for n in refused
    ]
    assert snapshot() == before
    assert audit_verify().ok


@pytest.mark.django_db
def test_skip_invalid_writes_the_other_incidents_of_the_batch(entity, tmp_path, system):
    from amparo.registry.services import defender_shred

    others, incidents = _split(generated_records(seed=5))
    run_import(write_jsonl(tmp_path / "others.jsonl", others))
    shredded = incidents[4]["victims"][0]
    defender_shred(actor=system, defender=Defender.objects.get(external_id=shredded))
    refused = {r["id"] for r in incidents if r["victims"][0] == shredded}
    events_before = AuditEvent.objects.filter(action="incident.create").count()

    run = run_import(write_jsonl(tmp_path / "incidents.jsonl", incidents), "--skip-invalid")

    written = len(incidents) - len(refused)
    assert f"incident: {written} created, 0 updated, 0 unchanged" in run.stdout
    assert (
        set(Incident.objects.values_list("external_id", flat=True))
        == {r["id"] for r in incidents} - refused
    )
    assert AuditEvent.objects.filter(action="incident.create").count() == events_before + written
    assert audit_verify().ok


@pytest.mark.django_db
def test_a_conflict_in_the_bulk_store_falls_back_to_one_at_a_time(entity, tmp_path, monkeypatch):
    """If the bulk insert meets a conflict (a record written meanwhile), the batch is rolled back
    to its savepoint and each incident is written alone, so a conflict names its line."""
    from django.db import IntegrityError

    others, incidents = _split(generated_records(seed=5))
    run_import(write_jsonl(tmp_path / "others.jsonl", others))
    calls = []

    def conflicting_store(**kwargs: Any) -> None:
        calls.append(len(kwargs["prepared"]))
        raise IntegrityError("simulated")

    monkeypatch.setattr(importer, "incident_store_many", conflicting_store)
    run = run_import(write_jsonl(tmp_path / "incidents.jsonl", incidents))

    assert calls == [len(incidents)]
    assert f"incident: {len(incidents)} created, 0 updated, 0 unchanged" in run.stdout
    assert Incident.objects.count() == len(incidents)
    assert AuditEvent.objects.filter(action="incident.create").count() == len(incidents)
    assert audit_verify().ok


@pytest.mark.django_db
def test_a_large_import_refreshes_postgresql_statistics(entity, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "ANALYZE_AFTER", 10)
    records = generated_records(seed=3, scale=1)
    with CaptureQueriesContext(connection) as queries:
        run_import(write_jsonl(tmp_path / "in.jsonl", records))
    analysed = [q["sql"] for q in queries.captured_queries if q["sql"] == "ANALYZE"]
    # Only PostgreSQL plans from statistics that a bulk load leaves stale.
    assert analysed == (["ANALYZE"] if connection.vendor == "postgresql" else [])


@pytest.mark.django_db
def test_a_small_import_does_not_analyse(entity, tmp_path):
    records = generated_records(seed=3, scale=1)
    assert len(records) < importer.ANALYZE_AFTER
    with CaptureQueriesContext(connection) as queries:
        run_import(write_jsonl(tmp_path / "in.jsonl", records))
    assert [q for q in queries.captured_queries if q["sql"] == "ANALYZE"] == []


@pytest.mark.django_db
def test_new_rows_go_in_by_copy_on_postgresql_and_the_log_holds_no_values(entity, tmp_path):
    others, incidents = _split(generated_records(seed=5))
    run_import(write_jsonl(tmp_path / "others.jsonl", others))
    with CaptureQueriesContext(connection) as queries:
        run_import(write_jsonl(tmp_path / "incidents.jsonl", incidents))

    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("COPY ")]
    if connection.vendor == "postgresql":
        # Rows, links, codes and audit events: one COPY per table that gets two rows or more
        # (the organisations' link gets fewer here), the statement logged without its rows.
        assert sorted(sql.split()[1] for sql in writes) == [
            '"audit_auditevent"',
            '"incidents_incident"',
            '"incidents_incident_victim_defenders"',
            '"incidents_incident_victim_persons"',
            '"incidents_incidentcontext"',
            '"incidents_incidentperpetrator"',
            '"incidents_incidentviolation"',
        ]
        assert all(sql.endswith(") FROM STDIN") for sql in writes)
    else:
        assert writes == []
    narratives = {r["id"]: r.get("narrative") for r in incidents}
    assert {i.external_id: i.narrative for i in Incident.objects.all()} == narratives
    assert audit_verify().ok
