"""The interchange `communication` and `reply` records: import through the services,
idempotent re-import, audited updates, export → import → export byte for byte."""

from __future__ import annotations

import json

import pytest

from amparo.audit.models import AuditEvent
from amparo.communications.models import Communication, Reply
from amparo.interchange.tests.helpers import (
    run_export,
    run_import,
    run_import_failing,
    write_jsonl,
)

pytestmark = pytest.mark.django_db

DEFENDER = {
    "type": "defender",
    "id": "hrd-rosa",
    "name": "Rosa Interchange Lemus",
    "gender": "woman",
    "categories": ["land_environment"],
    "country": "CO",
    "registered_on": "2025-01-10",
}
INCIDENT = {
    "type": "incident",
    "id": "inc-1",
    "date": "2025-03-01",
    "country": "CO",
    "victims": ["hrd-rosa"],
    "violations": ["death_threat"],
}
COMMUNICATIONS = [
    {
        "type": "communication",
        "id": "com-1",
        "kind": "UA",
        "reference": "UA COL 3/2025",
        "state": "CO",
        "sent_on": "2025-03-10",
        "mandates": ["SR HRDs", "SR FoE"],
        "defenders": ["hrd-rosa"],
        "incidents": ["inc-1"],
        "summary": "SUMMARY-CANARY threats after a report",
    },
    {
        "type": "communication",
        "id": "com-2",
        "kind": "AL",
        "state": "CO",
        "sent_on": "2025-04-02",
    },
]
REPLIES = [
    {
        "type": "reply",
        "id": "rpl-1",
        "communication": "com-1",
        "received_on": "2025-05-01",
        "kind": "substantive",
    }
]
TYPES = "defender,incident,communication,reply"


def test_import_round_trip(entity, tmp_path):
    records = [DEFENDER, INCIDENT, *COMMUNICATIONS, *REPLIES]
    result = run_import(write_jsonl(tmp_path / "in.jsonl", records), "--entity", "desk")
    assert "communication: 2 created, 0 updated, 0 unchanged" in result.stdout
    assert "reply: 1 created, 0 updated, 0 unchanged" in result.stdout
    first = Communication.objects.get(external_id="com-1")
    assert (first.status, first.reference, first.ref_number, first.ref_year) == (
        "sent",
        "UA COL 3/2025",
        3,
        2025,
    )
    assert first.summary == "SUMMARY-CANARY threats after a report"
    assert first.concerns_women_defenders is True
    assert [d.external_id for d in first.defenders.all()] == ["hrd-rosa"]
    # Without a reference, the next number of the State and year is allocated.
    assert Communication.objects.get(external_id="com-2").reference == "AL COL 4/2025"
    assert Reply.objects.get().kind == "substantive"

    exported = run_export("--types", TYPES)
    lines = [json.loads(line) for line in exported.splitlines()]
    assert [line for line in lines if line["type"] == "communication"] == [
        COMMUNICATIONS[0],
        COMMUNICATIONS[1] | {"reference": "AL COL 4/2025"},
    ]
    assert [line for line in lines if line["type"] == "reply"] == REPLIES

    events = AuditEvent.objects.count()
    again = run_import(
        write_jsonl(tmp_path / "again.jsonl", exported.splitlines()), "--entity", "desk"
    )
    assert "communication: 0 created, 0 updated, 2 unchanged" in again.stdout
    assert "reply: 0 created, 0 updated, 1 unchanged" in again.stdout
    assert AuditEvent.objects.count() == events
    assert run_export("--types", TYPES) == exported


def test_a_changed_reply_is_updated_and_audited(entity, tmp_path):
    records = [DEFENDER, INCIDENT, *COMMUNICATIONS, *REPLIES]
    run_import(write_jsonl(tmp_path / "in.jsonl", records), "--entity", "desk")
    changed = {**REPLIES[0], "kind": "partial"}
    result = run_import(
        write_jsonl(tmp_path / "changed.jsonl", [*records[:-1], changed]), "--entity", "desk"
    )
    assert "reply: 0 created, 1 updated, 0 unchanged" in result.stdout
    assert AuditEvent.objects.get(action="reply.update").fields == ["kind"]
    assert Reply.objects.get().kind == "partial"


def test_invalid_records_are_reported(entity, tmp_path):
    bad = [
        DEFENDER,
        {**COMMUNICATIONS[1], "id": "c-a", "kind": "XX"},
        {**COMMUNICATIONS[1], "id": "c-b", "reference": "UA COL 1/2025"},
        {**COMMUNICATIONS[1], "id": "c-c", "reference": "AL MEX 1/2025"},
        {**COMMUNICATIONS[1], "id": "c-d", "defenders": ["hrd-nobody"]},
        {**REPLIES[0], "communication": "com-unknown"},
    ]
    run = run_import_failing(write_jsonl(tmp_path / "bad.jsonl", bad), "--entity", "desk")
    assert run.errors == [
        "line 2: field kind: Unknown code 'XX'.",
        "line 3: field reference: The reference is of kind UA, not AL.",
        "line 4: field reference: The reference is not of the State CO.",
        "line 5: field defenders: Unknown defender id 'hrd-nobody'.",
        "line 6: field communication: Unknown communication id 'com-unknown'.",
    ]
    assert not Communication.objects.exists()


def test_pseudonymised_export_leaves_out_the_summary(entity, tmp_path):
    records = [DEFENDER, INCIDENT, *COMMUNICATIONS, *REPLIES]
    run_import(write_jsonl(tmp_path / "in.jsonl", records), "--entity", "desk")
    exported = run_export("--types", TYPES, "--pseudonymise")
    assert "SUMMARY-CANARY" not in exported
    communications = [json.loads(x) for x in exported.splitlines() if '"communication"' in x]
    assert all(c["id"].startswith("c-") for c in communications if c["type"] == "communication")
