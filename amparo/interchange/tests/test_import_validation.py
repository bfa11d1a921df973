"""Every kind of bad line is reported with its line, field and message, and nothing is written."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from amparo.interchange.tests.helpers import (
    run_import,
    run_import_failing,
    snapshot,
    write_jsonl,
)
from amparo.registry.models import Defender, Organisation, Person

ORG = {
    "type": "organisation",
    "id": "org-1",
    "name": "Red de Defensoras",
    "kind": "ngo",
    "country": "CO",
}
DEFENDER = {
    "type": "defender",
    "id": "hrd-1",
    "name": "Rosa Ulcué",
    "categories": ["lawyer"],
    "country": "CO",
    "organisations": ["org-1"],
}


def _with(base: dict, **changes) -> dict:
    record = {**base, **changes}
    return {k: v for k, v in record.items() if v is not None}


BAD_LINES = [
    pytest.param(
        '{"type": "organisation", "id": "org-2"',
        "line 3: field (record): Not valid JSON: Expecting ',' delimiter (column 39).",
        id="bad-json",
    ),
    pytest.param("[1, 2]", "line 3: field (record): Expected a JSON object.", id="not-an-object"),
    pytest.param(
        {"type": "spaceship", "id": "x"},
        "line 3: field type: Unknown record type 'spaceship': expected one of organisation, "
        "defender, person, event, incident, assessment, measure, investigation, communication, "
        "reply.",
        id="unknown-type",
    ),
    pytest.param({"id": "x"}, "line 3: field type: This field is required.", id="missing-type"),
    pytest.param(
        {"type": "alert", "id": "a-1"},
        "line 3: field type: Records of type 'alert' are not imported yet.",
        id="type-not-imported-yet",
    ),
    pytest.param(
        _with(DEFENDER, id="hrd-2", nickname="Rosi"),
        "line 3: field nickname: Not a field of defender records.",
        id="unknown-field",
    ),
    pytest.param(
        _with(DEFENDER, id="hrd-2", categories=["astronaut"]),
        "line 3: field categories: Unknown code 'astronaut'.",
        id="unknown-code-in-list",
    ),
    pytest.param(
        _with(DEFENDER, id="hrd-2", status="missing"),
        "line 3: field status: Unknown code 'missing'.",
        id="unknown-code",
    ),
    pytest.param(
        _with(DEFENDER, id="hrd-2", registered_on="01/03/2024"),
        "line 3: field registered_on: Expected a date in YYYY-MM-DD form, got '01/03/2024'.",
        id="bad-date-format",
    ),
    pytest.param(
        _with(DEFENDER, id="hrd-2", registered_on="2024-02-30"),
        "line 3: field registered_on: Not a calendar date: '2024-02-30'.",
        id="bad-calendar-date",
    ),
    pytest.param(
        _with(DEFENDER, id="hrd-2", country="XX"),
        "line 3: field country: Unknown ISO 3166-1 alpha-2 country code 'XX'.",
        id="bad-country",
    ),
    pytest.param(
        _with(DEFENDER, id="hrd-2", subdivision="MX-CMX"),
        "line 3: field subdivision: 'MX-CMX' is not an ISO 3166-2 subdivision of CO.",
        id="bad-subdivision",
    ),
    pytest.param(
        _with(DEFENDER, id="hrd-2", organisations=["org-404"]),
        "line 3: field organisations: Unknown organisation id 'org-404'.",
        id="dangling-reference",
    ),
    pytest.param(
        {
            "type": "incident",
            "id": "inc-1",
            "date": "2025-01-02",
            "country": "CO",
            "violations": ["threat"],
            "victims": ["hrd-1", "nobody"],
        },
        "line 3: field victims: Unknown defender or person id 'nobody'.",
        id="dangling-victim",
    ),
    pytest.param(
        _with(DEFENDER, id="hrd-2", name=None),
        "line 3: field name: This field is required.",
        id="missing-required-field",
    ),
    pytest.param(
        _with(DEFENDER, id="hrd-2", birth_year="1980"),
        "line 3: field birth_year: Expected a whole number.",
        id="wrong-type",
    ),
    pytest.param(
        _with(DEFENDER, id="hrd-2", consent={"register": "yes"}),
        "line 3: field consent.register: Expected true or false.",
        id="bad-consent",
    ),
    pytest.param(
        _with(DEFENDER, id="hrd-2", consent=True, contacts={"phone": 3105550101}),
        "line 3: field contacts: Expected an object whose values are strings.\n"
        'line 3: field consent: Expected an object {"register": bool, "share_with_state": bool}.',
        id="bad-objects",
    ),
    pytest.param(
        _with(DEFENDER, name="Otra persona"),
        "line 3: field id: Duplicate defender id 'hrd-1': first on line 2.",
        id="duplicate-id",
    ),
    pytest.param(
        {
            "type": "person",
            "id": "rel-1",
            "name": "Luis Ulcué",
            "related_to": "hrd-1",
            "relation": "cousin",
        },
        "line 3: field relation: Unknown code 'cousin'.",
        id="unknown-relation",
    ),
    pytest.param(
        {
            "type": "incident",
            "id": "inc-1",
            "date": "2025-01-05",
            "reported_on": "2025-01-01",
            "country": "CO",
            "violations": ["threat"],
            "victims": ["hrd-1"],
        },
        "line 3: field reported_on: The incident cannot be reported before it happened.",
        id="domain-rule",
    ),
    pytest.param(
        {
            "type": "event",
            "id": "ev-1",
            "kind": "election",
            "start": "2026-03-08",
            "end": "2026-03-01",
            "country": "CO",
        },
        "line 3: field end: The end is before the start.",
        id="event-end-before-start",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("bad_line", "expected"), BAD_LINES)
def test_a_bad_line_is_reported_and_nothing_is_written(entity, tmp_path, bad_line, expected):
    path = write_jsonl(tmp_path / "bad.jsonl", [ORG, DEFENDER, bad_line])
    before = snapshot()

    run = run_import_failing(path)

    assert run.errors == expected.split("\n")
    assert snapshot() == before


@pytest.mark.django_db
def test_the_command_fails_with_a_count(entity, tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", [ORG, _with(DEFENDER, country="XX")])
    with pytest.raises(CommandError, match="1 error"):
        call_command("import", str(path), stderr=StringIO())


@pytest.mark.django_db
def test_every_error_of_a_line_is_reported_in_line_order(entity, tmp_path):
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            _with(DEFENDER, organisations=["org-9"]),
            _with(ORG, country="XX", kind="club"),
            {
                "type": "person",
                "id": "rel-1",
                "name": "X",
                "related_to": "hrd-1",
                "relation": "spouse",
            },
        ],
    )
    run = run_import_failing(path)
    assert run.errors == [
        "line 1: field organisations: Unknown organisation id 'org-9'.",
        "line 2: field kind: Unknown code 'club'.",
        "line 2: field country: Unknown ISO 3166-1 alpha-2 country code 'XX'.",
        "line 3: field related_to: Refers to defender 'hrd-1', which is invalid (line 1).",
    ]


@pytest.mark.django_db
def test_skip_invalid_writes_the_good_lines_and_reports_the_bad(entity, tmp_path):
    path = write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            ORG,
            DEFENDER,
            _with(DEFENDER, id="hrd-2", country="XX"),
            {
                "type": "person",
                "id": "rel-1",
                "name": "Luis Ulcué",
                "related_to": "hrd-1",
                "relation": "sibling",
            },
            {
                "type": "person",
                "id": "rel-2",
                "name": "Eva Ulcué",
                "related_to": "hrd-2",
                "relation": "sibling",
            },
            "not json",
        ],
    )
    run = run_import(path, "--skip-invalid")

    assert run.errors == [
        "line 3: field country: Unknown ISO 3166-1 alpha-2 country code 'XX'.",
        "line 5: field related_to: Refers to defender 'hrd-2', which is invalid (line 3).",
        "line 6: field (record): Not valid JSON: Expecting value (column 1).",
    ]
    assert list(Defender.objects.values_list("external_id", flat=True)) == ["hrd-1"]
    assert list(Person.objects.values_list("external_id", flat=True)) == ["rel-1"]
    assert Organisation.objects.count() == 1
    assert "defender: 1 created, 0 updated, 0 unchanged" in run.stdout
    assert "errors: 3" in run.stdout


@pytest.mark.django_db
def test_dry_run_counts_but_writes_nothing(entity, tmp_path):
    path = write_jsonl(tmp_path / "ok.jsonl", [ORG, DEFENDER])
    before = snapshot()
    run = run_import(path, "--dry-run")
    assert "defender: 1 created" in run.stdout
    assert "Dry run: nothing was written." in run.stdout
    assert snapshot() == before


@pytest.mark.django_db
def test_a_reference_to_a_record_already_in_the_database_is_fine(entity, tmp_path):
    run_import(write_jsonl(tmp_path / "one.jsonl", [ORG]))
    run = run_import(write_jsonl(tmp_path / "two.jsonl", [DEFENDER]))
    assert run.errors == []
    assert Defender.objects.get().organisations.get().external_id == "org-1"


@pytest.mark.django_db
def test_two_entities_need_entity_option(entity, other_entity, tmp_path, system):
    path = write_jsonl(tmp_path / "ok.jsonl", [ORG])
    with pytest.raises(CommandError, match="--entity"):
        call_command("import", str(path), stdout=StringIO())
    run_import(path, "--entity", "other")
    assert Organisation.objects.get().lead_entity == other_entity


@pytest.mark.django_db
def test_unknown_entity_is_refused(entity, tmp_path):
    path = write_jsonl(tmp_path / "ok.jsonl", [ORG])
    with pytest.raises(CommandError, match="No entity has the slug 'nope'"):
        call_command("import", str(path), "--entity", "nope")


@pytest.mark.django_db
def test_no_entity_at_all_is_refused(db, tmp_path):
    path = write_jsonl(tmp_path / "ok.jsonl", [ORG])
    with pytest.raises(CommandError, match="no entity yet"):
        call_command("import", str(path))


@pytest.mark.django_db
def test_blank_lines_a_byte_order_mark_and_crlf_are_tolerated(entity, tmp_path):
    path = tmp_path / "windows.jsonl"
    lines = [json.dumps(ORG), "", json.dumps(DEFENDER), "   ", ""]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n\r\n")
    run = run_import(path)
    assert run.errors == []
    assert Defender.objects.get().organisations.get().external_id == "org-1"


@pytest.mark.django_db
def test_invalid_utf8_is_reported(entity, tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(ORG).encode() + b"\n" + '{"type": "x", "n": "é"}'.encode("latin-1"))
    run = run_import_failing(path)
    assert run.errors == ["line 2: field (record): Not valid UTF-8 (byte 21)."]
