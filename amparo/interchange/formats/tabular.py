"""Interchange records laid out as rows: CSV and XLSX, for the people who live in spreadsheets.

A row is a record in its canonical form (records.canonical), one column per field of the
contract in contract order, so the columns are the same in every export of a type and match the
interchange documentation. Lists become `; `-separated cells, objects (contacts, consent,
coordinates) compact JSON. Every text cell that a spreadsheet would read as a formula (starting
with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with an apostrophe, which
spreadsheets show as text; numbers stay numbers. With HURIDOCS labels, the coded fields get a
companion column holding the HURIDOCS micro-thesauri codes (formats/huridocs.py).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from typing import IO, Any

from amparo.interchange.formats import huridocs
from amparo.interchange.records import SPECS

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "

# Which coded fields get a HURIDOCS column, and from which table.
HURIDOCS_FIELDS: dict[tuple[str, str], str] = {
    ("incident", "violations"): "violation",
    ("incident", "perpetrator_types"): "perpetrator",
    ("defender", "categories"): "category",
}


def neutralise(value: str) -> str:
    """A cell that spreadsheets show as the text it is, never evaluate (CWE-1236)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def cell(value: Any) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            return neutralise(LIST_SEPARATOR.join(value))
        return neutralise(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    if isinstance(value, dict):
        return neutralise(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    return neutralise(str(value))


def columns(kind: str, *, with_huridocs: bool = False) -> list[str]:
    names = [spec.name for spec in SPECS[kind]]
    if with_huridocs:
        out: list[str] = []
        for name in names:
            out.append(name)
            if (kind, name) in HURIDOCS_FIELDS:
                out.append(f"{name}_huridocs")
        return out
    return names


def row(kind: str, record: dict[str, Any], *, with_huridocs: bool = False) -> list[Any]:
    out: list[Any] = []
    for name in columns(kind, with_huridocs=with_huridocs):
        if name.endswith("_huridocs") and (kind, name.removesuffix("_huridocs")) in (
            HURIDOCS_FIELDS
        ):
            table = HURIDOCS_FIELDS[(kind, name.removesuffix("_huridocs"))]
            codes = record.get(name.removesuffix("_huridocs")) or []
            terms = [huridocs.term_for(table, code) for code in codes]
            out.append(LIST_SEPARATOR.join(term.code for term in terms if term))
        else:
            out.append(cell(record.get(name)))
    return out


class CsvSink:
    """Rows of one record type to a text stream, header first; written as they come."""

    def __init__(self, handle: IO[str], kind: str, *, with_huridocs: bool = False) -> None:
        self.kind, self.with_huridocs = kind, with_huridocs
        self.writer = csv.writer(handle, lineterminator="\r\n")
        self.writer.writerow(columns(kind, with_huridocs=with_huridocs))

    def __call__(self, kind: str, record: dict[str, Any]) -> None:
        if kind != self.kind:
            raise ValueError("A CSV file holds one record type.")
        self.writer.writerow(row(kind, record, with_huridocs=self.with_huridocs))


class XlsxSink:
    """One sheet per record type, in a write-only workbook (rows go to disk as they come, so
    memory does not grow with the number of rows)."""

    def __init__(self, kinds: tuple[str, ...], *, with_huridocs: bool = False) -> None:
        from openpyxl import Workbook

        self.with_huridocs = with_huridocs
        self.workbook = Workbook(write_only=True)
        self.sheets: dict[str, Any] = {}
        for kind in kinds:
            sheet = self.workbook.create_sheet(title=kind)
            sheet.append(columns(kind, with_huridocs=with_huridocs))
            self.sheets[kind] = sheet

    def __call__(self, kind: str, record: dict[str, Any]) -> None:
        self.sheets[kind].append(row(kind, record, with_huridocs=self.with_huridocs))

    def save(self, target: IO[bytes] | str) -> None:
        self.workbook.save(target)


def huridocs_table(write: Callable[[list[str]], object]) -> int:
    """The mapping from Amparo's codes to HURIDOCS codes, as rows; returns the row count."""
    header = [
        "amparo_vocabulary",
        "amparo_code",
        "huridocs_list",
        "huridocs_code",
        "huridocs_label",
    ]
    write(header)
    count = 0
    for item in huridocs.mapping_rows():
        write([neutralise(item[name]) for name in header])
        count += 1
    return count
