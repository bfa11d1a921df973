"""CSV, XLSX, HXL and HURIDOCS exports: columns, formula neutralisation, suppression, rights."""

from __future__ import annotations

import csv
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from amparo.audit.models import AuditEvent
from amparo.interchange.formats import huridocs
from amparo.interchange.formats.tabular import cell, columns, neutralise
from amparo.interchange.tests.helpers import run_export, run_import, sample_records, write_jsonl

HURIDOCS_CSV = (
    Path(__file__).resolve().parents[3].parent
    / "shared/data/huridocs-microthesauri/huridocs_microthesauri_mt_vocab.csv"
)


def _records_with_formulas() -> list[dict]:
    records = sample_records()
    defender = next(r for r in records if r["type"] == "defender")
    defender["name"] = '=HYPERLINK("http://evil.example","x")'
    defender["alias"] = "@SUM(A1)"
    return records


@pytest.fixture
def imported(entity, tmp_path):
    run_import(write_jsonl(tmp_path / "in.jsonl", _records_with_formulas()))


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+57 310", "'+57 310"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Cauca", "Cauca"),
        ("", ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_cells_keep_numbers_and_join_lists():
    assert cell(-4.5) == -4.5
    assert cell(1978) == 1978
    assert cell(True) == "true"
    assert cell(None) == ""
    assert cell(["killing", "threat"]) == "killing; threat"
    assert cell({"phone": "+57"}) == '{"phone":"+57"}'


@pytest.mark.django_db
def test_csv_export_of_defenders_neutralises_formulas(imported):
    rows = _csv(run_export("--format", "csv", "--types", "defender"))

    assert rows[0] == columns("defender")
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert "type" not in record  # the file holds one type
    assert record["id"] == "hrd-1"
    assert record["name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert record["alias"] == "'@SUM(A1)"
    assert record["categories"] == "community_leader; land_environment"
    assert record["birth_year"] == "1978"


@pytest.mark.django_db
def test_csv_with_huridocs_codes(imported):
    rows = _csv(run_export("--format", "csv", "--types", "incident", "--huridocs"))

    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["violations"] == "death_threat; surveillance"
    assert record["violations_huridocs"] == "020103020100; 020103030000"


@pytest.mark.django_db
def test_csv_holds_one_type(imported):
    before = AuditEvent.objects.filter(action="export.run").count()
    with pytest.raises(CommandError, match="A CSV file holds one record type"):
        call_command("export", "--format", "csv", stdout=StringIO(), stderr=StringIO())
    assert AuditEvent.objects.filter(action="export.run").count() == before


@pytest.mark.django_db
def test_pseudonymised_csv_has_no_sensitive_value(imported):
    text = run_export("--format", "csv", "--types", "defender", "--pseudonymise")
    assert "HYPERLINK" not in text
    assert "SUM(A1)" not in text
    assert "hrd-1" not in text


@pytest.mark.django_db
def test_xlsx_one_sheet_per_type(imported, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "export.xlsx"
    call_command(
        "export",
        "--format",
        "xlsx",
        "--types",
        "defender,incident",
        "--out",
        str(out),
        stdout=StringIO(),
        stderr=StringIO(),
    )

    assert out.stat().st_mode & 0o777 == 0o600
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["defender", "incident"]
    defenders = list(book["defender"].iter_rows(values_only=True))
    assert list(defenders[0]) == columns("defender")
    record = dict(zip(defenders[0], defenders[1], strict=True))
    assert record["name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert record["birth_year"] == 1978
    assert len(list(book["incident"].iter_rows())) == 2
    event = AuditEvent.objects.filter(action="export.run").latest("pk")
    assert event.detail["format"] == "xlsx"
    assert event.detail["counts"] == {"defender": 1, "incident": 1}


@pytest.mark.django_db
def test_xlsx_needs_a_file(imported):
    with pytest.raises(CommandError, match="pass --out FILE"):
        call_command("export", "--format", "xlsx", stdout=StringIO(), stderr=StringIO())


def _incident(n: int, *, subdivision: str, violations: list[str], perpetrators: list[str]):
    return {
        "type": "incident",
        "id": f"inc-{n}",
        "date": f"2025-03-{n + 1:02d}",
        "country": "CO",
        "subdivision": subdivision,
        "victims": ["hrd-1"],
        "violations": violations,
        "perpetrators": perpetrators,
    }


@pytest.fixture
def counted(entity, tmp_path):
    records = [r for r in sample_records() if r["type"] in {"organisation", "defender"}]
    records += [
        _incident(n, subdivision="CO-CAU", violations=["killing"], perpetrators=["paramilitary"])
        for n in range(4)
    ]
    records += [
        _incident(10, subdivision="CO-ANT", violations=["threat"], perpetrators=["police"]),
        _incident(
            11,
            subdivision="CO-ANT",
            violations=["threat", "surveillance"],
            perpetrators=["police", "armed_group"],
        ),
    ]
    run_import(write_jsonl(tmp_path / "counted.jsonl", records))


def _hxl_rows(text: str) -> list[dict[str, str]]:
    rows = _csv(text)
    assert rows[1][0] == "#country+code"
    return [dict(zip(rows[1], row, strict=True)) for row in rows[2:]]


@pytest.mark.django_db
def test_hxl_counts_and_suppresses_small_counts(counted):
    rows = _hxl_rows(run_export("--format", "hxl"))

    table = {
        (r["#adm1+code"], r["#event+type+code"], r["#group+perpetrator+type"]): (
            r["#indicator+num+incidents"],
            r["#meta+suppressed"],
        )
        for r in rows
    }
    assert table == {
        ("CO-ANT", "surveillance", "non_state"): ("", "fewer than 3"),
        ("CO-ANT", "surveillance", "state"): ("", "fewer than 3"),
        ("CO-ANT", "threat", "non_state"): ("", "fewer than 3"),
        ("CO-ANT", "threat", "state"): ("", "fewer than 3"),
        ("CO-CAU", "killing", "non_state"): ("4", ""),
    }
    assert {r["#date+month"] for r in rows} == {"2025-03"}
    killing = next(r for r in rows if r["#event+type+code"] == "killing")
    assert killing["#event+type+code+huridocs"] == "010101000000"
    event = AuditEvent.objects.filter(action="export.run").latest("pk")
    assert event.detail["format"] == "hxl"
    assert event.detail["counts"] == {"rows": 5, "suppressed": 4}


@pytest.mark.django_db
@override_settings(AMPARO_REPORT_MIN_COUNT=1)
def test_hxl_threshold_is_configurable(counted):
    rows = _hxl_rows(run_export("--format", "hxl"))
    threats = [r for r in rows if r["#event+type+code"] == "threat"]
    assert sorted(r["#indicator+num+incidents"] for r in threats) == ["1", "2"]


@pytest.mark.django_db
def test_hxl_reads_in_libhxl(counted, tmp_path):
    import hxl

    out = tmp_path / "counts.csv"
    call_command(
        "export", "--format", "hxl", "--out", str(out), stdout=StringIO(), stderr=StringIO()
    )

    source = hxl.data(str(out), hxl.InputOptions(allow_local=True))
    assert [column.display_tag for column in source.columns][:3] == [
        "#country+code",
        "#adm1+code",
        "#date+month",
    ]
    values = [row.get("#indicator+num") for row in source]
    assert sorted(v for v in values if v) == ["4"]


@pytest.mark.django_db
def test_analysts_may_export_counts(counted, analyst):
    rows = _hxl_rows(run_export("--format", "hxl", "--as", analyst.username))
    # The analyst's entity leads the imported case (the import ran for `entity`).
    assert len(rows) == 5


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["liaison", "auditor", "admin_user"])
def test_other_roles_may_not_export_counts(counted, persona, request):
    user = request.getfixturevalue(persona)
    before = AuditEvent.objects.filter(action="export.run").count()
    with pytest.raises(CommandError, match="may not export incident counts"):
        call_command("export", "--format", "hxl", "--as", user.username, stdout=StringIO())
    assert AuditEvent.objects.filter(action="export.run").count() == before


def test_huridocs_table_covers_every_code():
    text = StringIO()
    call_command("export", "--format", "huridocs", stdout=text, stderr=StringIO())
    rows = _csv(text.getvalue())

    assert rows[0] == [
        "amparo_vocabulary",
        "amparo_code",
        "huridocs_list",
        "huridocs_code",
        "huridocs_label",
    ]
    from amparo.core.vocab import Category, Perpetrator, Violation

    expected = len(Violation.values) + len(Perpetrator.values) + len(Category.values)
    assert len(rows) - 1 == expected
    assert rows[1][:4] == ["violation", "killing", "types_of_acts", "010101000000"]


@pytest.mark.skipif(not HURIDOCS_CSV.exists(), reason="the HURIDOCS micro-thesauri are absent")
def test_every_huridocs_term_exists_with_its_label():
    with HURIDOCS_CSV.open(encoding="utf-8") as handle:
        terms = {(r["list_name"], r["huri_code"]): r["english"] for r in csv.DictReader(handle)}
    for table in huridocs.TABLES.values():
        for term in table.values():
            if term is not None:
                assert terms[(term.list_name, term.code)] == term.label, term
