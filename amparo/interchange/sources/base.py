"""What every source adapter shares: rows of records, the mapping report, and the run that hands
the records to the interchange importer.

An adapter reads a third-party file and yields one :class:`Row` per source row: the interchange
records it becomes (plain dicts, as in interchange.md) or the problems that keep it out. The run
checks each record on its own, drops a row whole when one of its records is invalid, and gives
the rest to :class:`~amparo.interchange.importer.Importer` as JSON Lines held in memory, so the
importer's checks, services, encryption, audit and idempotent upsert apply unchanged. Problems
are reported with the source's own line numbers.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

from django.db import transaction

from amparo.core.crypto import keyed_digest
from amparo.core.keystore import index_key
from amparo.interchange.importer import Importer, ImportReport
from amparo.interchange.records import TYPES, parse_record, serialise

Record = dict[str, Any]
_LINE = re.compile(r"\bline (\d+)")
SOURCE_ID_PURPOSE = "interchange-source-id"


@dataclass
class Row:
    """One row of a source: where it starts, the records it becomes, or why it cannot."""

    line: int
    records: list[Record] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (source field, message)
    ignored: str = ""  # why a row that is not wrong gives no record (e.g. a cancelled event)

    def refuse(self, source_field: str, message: str) -> Row:
        self.problems.append((source_field, message))
        return self


@dataclass(frozen=True)
class Options:
    """Options of `amparo import --from`: only the iCalendar source uses them for now."""

    kind: str = ""
    country: str = ""
    until: datetime.date | None = None  # last day of recurring events' occurrences


class Mapping:
    """Maps source values through a table and counts what it could not map.

    Only vocabulary words of the source are counted by value; free text that could name a person
    or a place (a region that did not resolve) is counted by field only.
    """

    def __init__(self) -> None:
        self.unmapped: Counter[tuple[str, str]] = Counter()
        self.unresolved: Counter[str] = Counter()

    def code(self, table: dict[str, str], source_field: str, value: str, default: str) -> str:
        key = value.strip()
        if key in table:
            return table[key]
        self.unmapped[(source_field, key or "(empty)")] += 1
        return default

    def codes(
        self, table: dict[str, tuple[str, ...]], source_field: str, value: str
    ) -> tuple[str, ...]:
        key = value.strip()
        if key in table:
            return table[key]
        self.unmapped[(source_field, key or "(empty)")] += 1
        return ()

    def not_resolved(self, source_field: str) -> None:
        self.unresolved[source_field] += 1


class Adapter(Protocol):
    name: str
    label: str

    def rows(self, path: Path, mapping: Mapping, options: Options) -> Iterator[Row]: ...


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: field {self.field}: {self.message}"


@dataclass
class SourceReport:
    source: str
    rows: int = 0
    imported: int = 0
    ignored: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    unmapped: Counter[tuple[str, str]] = field(default_factory=Counter)
    unresolved: Counter[str] = field(default_factory=Counter)
    records: ImportReport = field(default_factory=ImportReport)
    written: bool = False

    def summary_lines(self) -> list[str]:
        lines = [
            f"source {self.source}: {self.rows} rows, {self.imported} imported, "
            f"{sum(self.skipped.values())} skipped"
            + (f", {sum(self.ignored.values())} ignored" if self.ignored else "")
        ]
        lines += [f"  ignored: {n} × {reason}" for reason, n in sorted(self.ignored.items())]
        lines += [f"  skipped: {n} × {reason}" for reason, n in sorted(self.skipped.items())]
        lines += [
            f"  not mapped: {source_field} {value!r} ({n} rows)"
            for (source_field, value), n in sorted(self.unmapped.items())
        ]
        lines += [
            f"  not resolved to an ISO code: {source_field} ({n} rows; kept as locality)"
            for source_field, n in sorted(self.unresolved.items())
        ]
        lines += [
            f"{kind}: {self.records.created[kind]} created, {self.records.updated[kind]} "
            f"updated, {self.records.unchanged[kind]} unchanged"
            for kind in TYPES
            if self.records.created[kind]
            or self.records.updated[kind]
            or self.records.unchanged[kind]
        ]
        lines.append(f"errors: {len(self.problems)}")
        return lines


def source_id(prefix: str, *parts: str) -> str:
    """A stable id for a row whose source gives none that can be shown: a keyed digest of the
    identifying fields (names included), so the id says nothing about the person."""
    message = "|".join((prefix, *parts)).encode("utf-8")
    return f"{prefix}:{keyed_digest(index_key(SOURCE_ID_PURPOSE), message)[:20]}"


def read_csv(path: Path, *, encoding: str = "utf-8-sig") -> Iterator[tuple[int, dict[str, str]]]:
    """(line where the row starts, row) for every data row; quoted line breaks and CRLF line
    ends are handled by the csv module (newline="")."""
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader, [])]
        start = reader.line_num + 1
        for values in reader:
            if any(value.strip() for value in values):
                yield start, dict(zip(header, values, strict=False))
            start = reader.line_num + 1


class _MemoryFile:
    """JSON Lines held in memory, opened like the file the importer expects."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def open(self, mode: str = "rb") -> io.BytesIO:
        return io.BytesIO(self.data)


@dataclass
class _Batch:
    lines: list[bytes] = field(default_factory=list)
    origin: list[int] = field(default_factory=list)  # JSON line index → source line
    seen: dict[tuple[str, str], str] = field(default_factory=dict)  # shared records, once

    def add(self, source_line: int, record: Record) -> None:
        key = (record["type"], record["id"])
        text = serialise(record)
        if record["type"] == "organisation" and key in self.seen:
            # A shared record (an outlet, a target group) given by an earlier row; an outlet
            # spelt two ways ("Al-Jazeera", "Al Jazeera") keeps its first spelling.
            return
        # Anything else seen twice goes through: the importer reports the duplicate id.
        self.seen.setdefault(key, text)
        self.lines.append(text.encode("utf-8"))
        self.origin.append(source_line)


def _record_problems(records: Iterable[Record]) -> list[tuple[str, str]]:
    problems = []
    for record in records:
        _parsed, errors = parse_record(record["type"], record)
        problems += [(f"{record['type']}.{name}", message) for name, message in errors.items()]
    return problems


def read_source(
    adapter: Adapter, path: Path, options: Options | None = None
) -> tuple[SourceReport, _Batch]:
    """The first stage, without the database: each row read, mapped and its records checked on
    their own (a row with an invalid record is skipped whole)."""
    report = SourceReport(source=adapter.name)
    mapping = Mapping()
    batch = _Batch()
    for row in adapter.rows(path, mapping, options or Options()):
        report.rows += 1
        problems = row.problems or _record_problems(row.records)
        if problems:
            report.skipped[_reason(problems[0])] += 1
            report.problems += [Problem(row.line, name, message) for name, message in problems]
        elif row.ignored:
            report.ignored[row.ignored] += 1
        else:
            for record in row.records:
                batch.add(row.line, record)
            report.imported += 1
    report.unmapped, report.unresolved = mapping.unmapped, mapping.unresolved
    return report, batch


def run_source(
    adapter: Adapter, path: Path, *, importer: Importer, options: Options | None = None
) -> SourceReport:
    """Read `path` with `adapter` and import its records with `importer` (which carries the
    actor, entity, --skip-invalid and --dry-run). Nothing is written when a row has a problem
    and --skip-invalid was not given."""
    with transaction.atomic():
        report, batch = read_source(adapter, path, options)
        if report.problems and not importer.skip_invalid:
            # Refused: each record was checked on its own already; no write pass to roll back.
            transaction.set_rollback(True)  # also the source-id key, if this run created it
            report.problems.sort(key=lambda problem: problem.line)
            return report
        records = importer.run(cast(Path, _MemoryFile(b"\n".join(batch.lines))))
        _merge(report, records, batch.origin)
        report.records, report.written = records, records.written
        if not report.written:
            transaction.set_rollback(True)
    report.problems.sort(key=lambda problem: problem.line)
    return report


def _reason(problem: tuple[str, str]) -> str:
    name, message = problem
    return f"{name}: {message}"


def _merge(report: SourceReport, records: ImportReport, origin: list[int]) -> None:
    """The importer's problems, on the source's lines; each row with one counts as skipped."""

    def source_line(number: int) -> int:
        return origin[number - 1] if 0 < number <= len(origin) else number

    rows: dict[int, str] = {}
    for problem in records.problems:
        line = source_line(problem.line)
        # The importer's messages name its own lines ("first on line 3"): name the source's.
        message = _LINE.sub(lambda found: f"line {source_line(int(found[1]))}", problem.message)
        report.problems.append(Problem(line, problem.field, message))
        rows.setdefault(line, f"{problem.field}: {message}")
    for reason in rows.values():
        report.skipped[reason] += 1
        report.imported -= 1
