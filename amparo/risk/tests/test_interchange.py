"""The interchange `assessment` record: import, export, round trip, errors with line numbers."""

from __future__ import annotations

import json

import pytest

from amparo.audit.models import AuditEvent
from amparo.interchange.tests.helpers import run_export, run_import, run_import_failing, write_jsonl
from amparo.registry.models import Defender
from amparo.risk.models import RiskAssessment

pytestmark = pytest.mark.django_db

DEFENDER = {
    "type": "defender",
    "id": "hrd-1",
    "name": "Rosa Ulcué",
    "categories": ["lawyer"],
    "country": "CO",
}
OLDER = {
    "type": "assessment",
    "id": "ra-1",
    "defender": "hrd-1",
    "assessed_on": "2026-03-01",
    "threat": 3,
    "vulnerability": 3,
    "capacity": 1,
    "level": "high",
    "horizon": "short",
    "notes": "Threats after the land hearing",
}
NEWER = {
    "type": "assessment",
    "id": "ra-2",
    "defender": "hrd-1",
    "assessed_on": "2026-09-01",
    "level": "extreme",
    "horizon": "long",
}


def _line(record):
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def test_import_export_round_trip(tmp_path, entity):
    source = write_jsonl(tmp_path / "in.jsonl", [DEFENDER, OLDER, NEWER])
    run = run_import(source)
    assert "assessment: 2 created, 0 updated, 0 unchanged" in run.stdout
    older, newer = RiskAssessment.objects.order_by("assessed_on")
    assert (older.status, older.level, older.rationale) == ("approved", "high", OLDER["notes"])
    assert older.level_rule.startswith("T 3 × V 3 ÷ C 1 = 9.0")
    assert (newer.threat, newer.level, newer.level_rule[:12]) == (None, "extreme", "No scores re")
    assert newer.supersedes_id == older.pk
    defender = Defender.objects.get(external_id="hrd-1")
    assert (defender.risk_level, str(defender.risk_assessed_on)) == ("extreme", "2026-09-01")
    assert str(defender.next_review_on) == "2026-10-01"

    exported = run_export("--types", "assessment,defender").splitlines()
    assert exported[-2:] == [_line(OLDER), _line(NEWER)]

    # The same file again: nothing written, nothing audited.
    before = AuditEvent.objects.count()
    again = run_import(source)
    assert "assessment: 0 created, 0 updated, 2 unchanged" in again.stdout
    assert AuditEvent.objects.count() == before


def test_a_changed_record_is_updated_and_audited(tmp_path, entity):
    run_import(write_jsonl(tmp_path / "a.jsonl", [DEFENDER, OLDER]))
    changed = {**OLDER, "level": "extreme"}
    run = run_import(write_jsonl(tmp_path / "b.jsonl", [DEFENDER, changed]))
    assert "assessment: 0 created, 1 updated, 0 unchanged" in run.stdout
    assessment = RiskAssessment.objects.get()
    assert (assessment.level, assessment.computed_level) == ("extreme", "high")
    event = AuditEvent.objects.filter(action="assessment.update").last()
    assert event.fields == ["level"]
    assert Defender.objects.get().risk_level == "extreme"


def test_older_import_does_not_replace_the_current_level(tmp_path, entity):
    run_import(write_jsonl(tmp_path / "a.jsonl", [DEFENDER, NEWER]))
    run_import(write_jsonl(tmp_path / "b.jsonl", [DEFENDER, OLDER]))
    assert Defender.objects.get().risk_level == "extreme"


def test_pseudonymised_export_leaves_the_notes_out(tmp_path, entity):
    run_import(write_jsonl(tmp_path / "a.jsonl", [DEFENDER, OLDER]))
    lines = run_export("--types", "assessment", "--pseudonymise").splitlines()
    record = json.loads(lines[0])
    assert "notes" not in record and record["id"].startswith("a-")
    assert record["defender"].startswith("d-") and record["level"] == "high"


def test_only_approved_assessments_are_exported(world, officer):
    from amparo.risk.services import assessment_create
    from amparo.risk.tests.factories import make_data

    assessment_create(actor=officer, defender=world.team_defender, data=make_data())
    assert run_export("--types", "assessment") == ""


@pytest.mark.parametrize(
    ("record", "error"),
    [
        ({**OLDER, "threat": 5}, "line 2: field threat: Give a whole number from 0 to 4."),
        ({**OLDER, "capacity": 0}, "line 2: field capacity: Give a whole number from 1 to 4."),
        ({**OLDER, "threat": "3"}, "line 2: field threat: Expected a whole number."),
        ({**OLDER, "level": "critical"}, "line 2: field level: Unknown code 'critical'."),
        ({**OLDER, "horizon": "medium"}, "line 2: field horizon: Unknown code 'medium'."),
        (
            {**OLDER, "assessed_on": "2026-13-01"},
            "line 2: field assessed_on: Not a calendar date: '2026-13-01'.",
        ),
        ({**OLDER, "defender": "hrd-9"}, "line 2: field defender: Unknown defender id 'hrd-9'."),
        ({**OLDER, "level": None}, "line 2: field level: This field is required."),
        ({**OLDER, "score": 1}, "line 2: field score: Not a field of assessment records."),
        (
            {k: v for k, v in NEWER.items() if k != "level"},
            "line 2: field level: This field is required.",
        ),
    ],
)
def test_errors_name_line_and_field(tmp_path, entity, record, error):
    record = {k: v for k, v in record.items() if v is not None}
    run = run_import_failing(write_jsonl(tmp_path / "bad.jsonl", [DEFENDER, record]))
    assert run.errors == [error]
    assert not RiskAssessment.objects.exists() and not Defender.objects.exists()


def test_an_officer_may_not_import_assessments(tmp_path, entity, coordinator, officer):
    run_import(write_jsonl(tmp_path / "a.jsonl", [DEFENDER]))
    defender = Defender.objects.get()
    from amparo.registry.services import case_set_team

    case_set_team(actor=coordinator, case=defender.case, members=[officer])
    run = run_import_failing(write_jsonl(tmp_path / "b.jsonl", [OLDER]), "--as", "officer")
    assert run.errors == ["line 1: field id: You may not do this."]
    assert not RiskAssessment.objects.exists()
    assert (
        "assessment: 1 created"
        in run_import(write_jsonl(tmp_path / "c.jsonl", [OLDER]), "--as", "coordinator").stdout
    )
