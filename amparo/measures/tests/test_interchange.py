"""The interchange `measure` record: import through the services, idempotent re-import,
audited updates, export → import → export byte for byte."""

from __future__ import annotations

import json

import pytest

from amparo.audit.models import AuditEvent
from amparo.interchange.tests.helpers import (
    run_export,
    run_import,
    run_import_failing,
    write_jsonl,
)
from amparo.measures.models import Measure

pytestmark = pytest.mark.django_db

DEFENDER = {
    "type": "defender",
    "id": "hrd-lucia",
    "name": "Lucía Cárdenas Rojas",
    "categories": ["women_rights"],
    "country": "CO",
    "subdivision": "CO-VAC",
    "registered_on": "2025-01-10",
}
MEASURES = [
    {
        "type": "measure",
        "id": "m-police",
        "defender": "hrd-lucia",
        "kind": "police_protection",
        "status": "refused_by_defender",
        "requested_on": "2025-02-01",
        "decided_on": "2025-02-02",
        "ended_on": "2025-02-05",
        "provider": "police-co",
    },
    {
        "type": "measure",
        "id": "m-accompaniment",
        "defender": "hrd-lucia",
        "kind": "protective_accompaniment",
        "status": "in_place",
        "requested_on": "2025-02-05",
        "decided_on": "2025-02-06",
        "implemented_on": "2025-02-08",
        "provider": "accompaniment-ngo",
    },
]


def test_import_round_trip(entity, police, trained_ngo, tmp_path):
    run_import(write_jsonl(tmp_path / "in.jsonl", [DEFENDER, *MEASURES]), "--entity", "desk")
    police_measure = Measure.objects.get(external_id="m-police")
    assert police_measure.status == "refused_by_defender"
    assert police_measure.provider == police
    # The police unit is not trained: the import recorded why it is the provider anyway.
    assert police_measure.provider_override_reason.startswith("Imported record")
    assert Measure.objects.get(external_id="m-accompaniment").provider_override_reason is None
    assert AuditEvent.objects.filter(action="measure.import").count() == 2

    exported = run_export("--types", "defender,measure")
    lines = [json.loads(line) for line in exported.splitlines()]
    by_id = sorted(MEASURES, key=lambda record: record["id"])
    assert [line for line in lines if line["type"] == "measure"] == by_id

    events = AuditEvent.objects.count()
    again = run_import(
        write_jsonl(tmp_path / "again.jsonl", exported.splitlines()), "--entity", "desk"
    )
    assert "measure: 0 created, 0 updated, 2 unchanged" in again.stdout
    assert AuditEvent.objects.count() == events
    assert run_export("--types", "defender,measure") == exported


def test_a_changed_measure_is_updated_and_audited(entity, police, trained_ngo, tmp_path):
    run_import(write_jsonl(tmp_path / "in.jsonl", [DEFENDER, *MEASURES]), "--entity", "desk")
    changed = {**MEASURES[1], "status": "ended", "ended_on": "2025-06-01"}
    result = run_import(
        write_jsonl(tmp_path / "changed.jsonl", [DEFENDER, MEASURES[0], changed]),
        "--entity",
        "desk",
    )
    assert "measure: 0 created, 1 updated, 1 unchanged" in result.stdout
    event = AuditEvent.objects.filter(action="measure.update").get()
    assert event.fields == ["ended_on", "status"]
    measure = Measure.objects.get(external_id="m-accompaniment")
    assert measure.status == "ended"
    assert [row.to_status for row in measure.history.all()] == ["in_place", "ended"]


def test_invalid_measures_are_reported(entity, police, trained_ngo, tmp_path):
    bad = [
        DEFENDER,
        {**MEASURES[0], "provider": "nobody"},
        {**MEASURES[1], "kind": "teleportation", "id": "m-2"},
        {**MEASURES[1], "id": "m-3", "implemented_on": "2025-01-01"},
        {**MEASURES[1], "id": "m-4", "defender": "hrd-unknown"},
    ]
    run = run_import_failing(write_jsonl(tmp_path / "bad.jsonl", bad), "--entity", "desk")
    assert run.errors == [
        "line 2: field provider: Unknown entity 'nobody'.",
        "line 3: field kind: Unknown code 'teleportation'.",
        "line 4: field implemented_on: This date is before decided_on.",
        "line 5: field defender: Unknown defender id 'hrd-unknown'.",
    ]
    assert not Measure.objects.exists()


def test_pseudonymised_export(entity, police, trained_ngo, tmp_path, analyst):
    run_import(write_jsonl(tmp_path / "in.jsonl", [DEFENDER, *MEASURES]), "--entity", "desk")
    exported = run_export("--types", "defender,measure", "--pseudonymise")
    measures = [json.loads(x) for x in exported.splitlines() if '"measure"' in x]
    assert all(m["id"].startswith("m-") and m["defender"].startswith("d-") for m in measures)
    assert "m-police" not in exported
