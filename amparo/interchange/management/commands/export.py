"""`amparo export`: write interchange JSON Lines (see amparo/interchange/README.md)."""

from __future__ import annotations

import contextlib
import csv
import getpass
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.interchange.commands import actor_for
from amparo.interchange.exporter import export_canonical, export_records
from amparo.interchange.formats.hxl import export_hxl
from amparo.interchange.formats.tabular import CsvSink, XlsxSink, huridocs_table
from amparo.interchange.records import TYPES

ALL_FORMATS = ("jsonl", "csv", "xlsx", "hxl", "huridocs")


class Command(BaseCommand):
    help = (
        "Export the records you may see as interchange JSON Lines (or CSV, XLSX), in "
        "dependency order; or aggregated incident counts as HXL; or the HURIDOCS mapping. "
        "Every export is audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format",
            default="jsonl",
            choices=ALL_FORMATS,
            help=(
                "jsonl (interchange, default); csv (one record type, --types); xlsx (one sheet "
                "per type, needs --out); hxl (aggregated incident counts, small counts "
                "suppressed); huridocs (the mapping of Amparo's codes to HURIDOCS codes)."
            ),
        )
        parser.add_argument(
            "--types",
            default=",".join(TYPES),
            help=f"Comma-separated record types (default: {','.join(TYPES)}).",
        )
        parser.add_argument(
            "--pseudonymise",
            action="store_true",
            help="Leave out sensitive fields and replace ids and names by keyed pseudonyms.",
        )
        parser.add_argument(
            "--huridocs",
            action="store_true",
            help="csv/xlsx: add the HURIDOCS codes of violations, perpetrators and categories.",
        )
        parser.add_argument("--out", help="Write to this file (mode 0600) instead of stdout.")
        parser.add_argument(
            "--as", dest="as_user", metavar="USERNAME", help="Export with this user's rights."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        actor = actor_for(options["as_user"], default_label=f"cli:{getpass.getuser()}")
        out = options["out"]
        if fmt == "huridocs":
            with self._target(out) as handle:
                rows = huridocs_table(csv.writer(handle, lineterminator="\r\n").writerow)
            self.stderr.write(f"Exported the HURIDOCS mapping: {rows} codes.")
            return
        if fmt == "hxl":
            try:
                with self._target(out) as handle:
                    counts = export_hxl(actor=actor, handle=handle)
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from None
            self.stderr.write(
                f"Exported {counts['rows']} rows of incident counts "
                f"({counts['suppressed']} suppressed as small)."
            )
            return
        types = _types(options["types"])
        common = {"actor": actor, "types": types, "pseudonymised": options["pseudonymise"]}
        try:
            if fmt == "jsonl":
                with self._target(out) as handle:
                    counts = export_records(
                        write=lambda line: handle.write(line + "\n"), fmt=fmt, **common
                    )
            elif fmt == "csv":
                if len(types) != 1:
                    raise CommandError("A CSV file holds one record type: pass --types TYPE.")
                with self._target(out) as handle:
                    sink = CsvSink(handle, types[0], with_huridocs=options["huridocs"])
                    counts = export_canonical(emit=sink, fmt=fmt, **common)
            else:
                if not out:
                    raise CommandError("An XLSX workbook is binary: pass --out FILE.")
                book = XlsxSink(types, with_huridocs=options["huridocs"])
                counts = export_canonical(emit=book, fmt=fmt, **common)
                with _private_file(Path(out), binary=True) as handle:
                    book.save(handle)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        summary = ", ".join(f"{kind}: {count}" for kind, count in counts.items())
        # The summary goes to stderr so that stdout stays a clean stream.
        self.stderr.write(f"Exported {summary}.")

    @contextlib.contextmanager
    def _target(self, out: str | None) -> Iterator[IO[str]]:
        if out:
            with _private_file(Path(out)) as handle:
                yield handle
        else:
            yield self.stdout  # type: ignore[misc]


def _types(value: str) -> tuple[str, ...]:
    wanted = [item.strip() for item in value.split(",") if item.strip()]
    unknown = [item for item in wanted if item not in TYPES]
    if unknown or not wanted:
        raise CommandError(
            f"Unknown record type {unknown[0] if unknown else '(none)'!r}: "
            f"choose from {', '.join(TYPES)}."
        )
    return tuple(kind for kind in TYPES if kind in wanted)


@contextlib.contextmanager
def _private_file(path: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A file only its owner can read, which appears under its name only when complete."""
    path = path.resolve()
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        opened = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        with opened as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
