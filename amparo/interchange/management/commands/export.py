"""`amparo export`: write interchange JSON Lines (see amparo/interchange/README.md)."""

from __future__ import annotations

import contextlib
import getpass
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.interchange.commands import actor_for
from amparo.interchange.exporter import FORMATS, export_records
from amparo.interchange.records import TYPES


class Command(BaseCommand):
    help = (
        "Export the records you may see as interchange JSON Lines, in dependency order "
        "(organisation, defender, person, event, incident). Every export is audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", default="jsonl", help="Only jsonl for now.")
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
        parser.add_argument("--out", help="Write to this file (mode 0600) instead of stdout.")
        parser.add_argument(
            "--as", dest="as_user", metavar="USERNAME", help="Export with this user's rights."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        if fmt not in FORMATS:
            raise CommandError(
                f"Unknown format {fmt!r}: only --format jsonl is available "
                "(CSV and other formats come later)."
            )
        types = _types(options["types"])
        actor = actor_for(options["as_user"], default_label=f"cli:{getpass.getuser()}")
        out = options["out"]
        try:
            if out:
                with _private_file(Path(out)) as handle:
                    counts = export_records(
                        actor=actor,
                        write=lambda line: handle.write(line + "\n"),
                        types=types,
                        pseudonymised=options["pseudonymise"],
                        fmt=fmt,
                    )
            else:
                counts = export_records(
                    actor=actor,
                    write=self.stdout.write,
                    types=types,
                    pseudonymised=options["pseudonymise"],
                    fmt=fmt,
                )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        summary = ", ".join(f"{kind}: {count}" for kind, count in counts.items())
        # The summary goes to stderr so that stdout stays a clean JSON Lines stream.
        self.stderr.write(f"Exported {summary}.")


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
def _private_file(path: Path) -> Iterator[IO[str]]:
    """A file only its owner can read, which appears under its name only when complete."""
    path = path.resolve()
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
